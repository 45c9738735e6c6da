/**
 * The persistent facts cache: a warm run gives exactly the cold run's findings without parsing,
 * an edited file is parsed again, a corrupt pack is ignored, --no-cache writes nothing, and runs at
 * once leave a readable pack. lint() runs in test/cache-probe.ts, in its own process.
 */
import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, readdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Finding } from "../src/types.js";
import type { FileFacts } from "../src/extract/facts.js";
import { openCache } from "../src/project/cache.js";
import { BIN, FIXTURES, runCli, tempDir } from "./helpers.js";

const PROBE = path.join(path.dirname(fileURLToPath(import.meta.url)), "cache-probe.js");
const fixtures = readdirSync(FIXTURES).filter((d) => existsSync(path.join(FIXTURES, d, "fixture.json")));

interface Probe {
  findings: Finding[];
  parsedFiles: number;
  cachedFiles: number;
  linkReused: boolean;
  tables: string[];
}

function probe(cache: string, dirs: string[]): Probe[] {
  const r = spawnSync(process.execPath, [PROBE, cache, ...dirs], { encoding: "utf8", maxBuffer: 1 << 26 });
  expect(r.stderr).toBe("");
  return JSON.parse(r.stdout) as Probe[];
}

/** A copy of a fixture whose files look settled (older than a few seconds), as a checkout's do. */
function copyOf(name: string): string {
  const dir = path.join(tempDir("cache-project"), name);
  cpSync(path.join(FIXTURES, name), dir, { recursive: true });
  const old = new Date(Date.now() - 60_000);
  for (const f of readdirSync(dir, { recursive: true, encoding: "utf8" })) if (f.endsWith(".py")) utimesSync(path.join(dir, f), old, old);
  return dir;
}

/** The three lines of the one pack in `cache`: header, entries, linking. */
function packLines(cache: string): [string, string, string] {
  const [pack] = readdirSync(cache);
  return readFileSync(path.join(cache, pack!), "latin1").split("\n") as [string, string, string];
}

/** Replace the entries and linking lines of the one pack in `cache`, with the header's locations to match. */
function rewritePack(cache: string, entries: Record<string, unknown>, link: string): void {
  const [pack] = readdirSync(cache);
  const head = JSON.parse(packLines(cache)[0]) as { lengths: number[]; entries: Record<string, [number, number]> };
  let line = "{";
  head.entries = {};
  for (const [key, value] of Object.entries(entries)) {
    line += `${line === "{" ? "" : ","}${JSON.stringify(key)}:`;
    const json = JSON.stringify(value);
    head.entries[key] = [line.length, json.length];
    line += json;
  }
  line += "}";
  head.lengths = [line.length, link.length];
  writeFileSync(path.join(cache, pack!), `${JSON.stringify(head)}\n${line}\n${link}`);
}

describe("facts cache", () => {
  test("facts of every fixture file are plain JSON, as the cache stores them", () => {
    const r = spawnSync(process.execPath, [PROBE, "roundtrip"], { encoding: "utf8" });
    const { files, bad } = JSON.parse(r.stdout) as { files: number; bad: string[] };
    expect(files).toBeGreaterThan(100);
    expect(bad).toEqual([]);
  });

  test("a warm run gives the cold run's findings on every fixture, parsing nothing", () => {
    const cache = tempDir("cache");
    const dirs = fixtures.map((f) => path.join(FIXTURES, f));
    const cold = probe(cache, dirs);
    const warm = probe(cache, dirs);
    const off = probe("off", dirs);
    fixtures.forEach((name, i) => {
      expect([name, warm[i]!.findings]).toEqual([name, cold[i]!.findings]);
      expect([name, off[i]!.findings]).toEqual([name, cold[i]!.findings]);
      expect([name, warm[i]!.parsedFiles, warm[i]!.cachedFiles]).toEqual([name, 0, cold[i]!.parsedFiles]);
      // Linking is reused, unless a file could not be read (a diagnostic the signature does not cover).
      const unreadable = cold[i]!.findings.some((f) => ["encoding", "skipped-file", "unreadable-file"].includes(f.ruleId));
      expect([name, warm[i]!.linkReused]).toEqual([name, !unreadable]);
      expect(off[i]!.cachedFiles).toBe(0);
    });
  });

  test("an edited file is parsed again and its new content counts", () => {
    const cache = tempDir("cache");
    const dir = copyOf("example-shop");
    const [cold] = probe(cache, [dir]);
    expect(cold!.parsedFiles).toBeGreaterThan(3);
    expect(cold!.tables).not.toContain("shop_refund");
    const models = path.join(dir, "shop", "models.py");
    const text = readFileSync(models, "utf8");
    expect(text).toMatch(/class OrderLine\(models.Model\):/);
    writeFileSync(models, `${text}\n\nclass Refund(models.Model):\n    amount = models.IntegerField()\n`);
    const [warm] = probe(cache, [dir]);
    expect(warm!.parsedFiles).toBe(1);
    expect(warm!.tables).toContain("shop_refund");
    // The pack that run wrote (unchanged entries copied as they were written, the new one added) still answers
    // every other file when the model module changes again.
    expect(JSON.parse(packLines(cache)[1])).toEqual(expect.any(Object));
    writeFileSync(models, `${readFileSync(models, "utf8")}\n\nclass Voucher(models.Model):\n    code = models.CharField(max_length=8)\n`);
    const [again] = probe(cache, [dir]);
    expect(again!.parsedFiles).toBe(1);
    expect(again!.cachedFiles).toBe(warm!.cachedFiles);
    expect(again!.cachedFiles).toBeGreaterThan(2);
    expect(again!.tables).toEqual([...warm!.tables, "shop_voucher"].sort());
  });

  test("a corrupt or foreign pack is ignored", () => {
    const dir = copyOf("example-shop");
    const [expected] = probe("off", [dir]);
    for (const content of ["{not json", '{"format":1,"tool":"x","entries":{},"files":{}}', "[]", "null"]) {
      const cache = tempDir("cache");
      probe(cache, [dir]);
      for (const f of readdirSync(cache)) writeFileSync(path.join(cache, f), content);
      const [run] = probe(cache, [dir]);
      expect(run!.findings).toEqual(expected!.findings);
      expect(run!.cachedFiles).toBe(0);
    }
    // Entries under the right keys but of the wrong shape are not trusted either (the stored linking left out,
    // so that the entries are needed).
    const cache = tempDir("cache");
    probe(cache, [dir]);
    const entries = JSON.parse(packLines(cache)[1]) as Record<string, unknown>;
    expect(Object.keys(entries).length).toBeGreaterThan(3);
    for (const k of Object.keys(entries)) entries[k] = { file: "x" };
    rewritePack(cache, entries, "null");
    const [run] = probe(cache, [dir]);
    expect(run!.findings).toEqual(expected!.findings);
    expect(run!.cachedFiles).toBe(0);
    expect(run!.linkReused).toBe(false);
  });

  test("an unchanged project reuses the last linking without reading any facts; a change links again", () => {
    const cache = tempDir("cache");
    const dir = copyOf("example-shop");
    const views = path.join(dir, "shop", "views.py");
    writeFileSync(views, "def index(request):\n    return 1\n");
    utimesSync(views, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    const [cold] = probe(cache, [dir]);
    expect(cold!.linkReused).toBe(false);
    const [warm] = probe(cache, [dir]);
    expect(warm!.linkReused).toBe(true);
    expect(warm).toEqual({ ...cold, parsedFiles: 0, cachedFiles: cold!.parsedFiles, linkReused: true });
    // A stored linking that does not parse, or whose signature is not the header's, is not used.
    const entries = JSON.parse(packLines(cache)[1]) as Record<string, unknown>;
    for (const link of ["{broken", JSON.stringify({ signature: "other", result: {} })]) {
      rewritePack(cache, entries, link);
      const [run] = probe(cache, [dir]);
      expect(run).toEqual({ ...cold, parsedFiles: 0, cachedFiles: cold!.parsedFiles, linkReused: false });
    }
    // A file the prefilter passes over, edited: read again, but linking is still reused.
    writeFileSync(views, "def index(request):\n    return None\n");
    const [edited] = probe(cache, [dir]);
    expect(edited!.linkReused).toBe(true);
    expect(edited!.findings).toEqual(cold!.findings);
    // A model module edited: linked again, and the change counts.
    const models = path.join(dir, "shop", "models.py");
    writeFileSync(models, `${readFileSync(models, "utf8")}\n\nclass Refund(models.Model):\n    amount = models.IntegerField()\n`);
    const [changed] = probe(cache, [dir]);
    expect(changed!.linkReused).toBe(false);
    expect(changed!.tables).toContain("shop_refund");
    // A new file, even one passed over, changes what imports can resolve: linked again.
    writeFileSync(path.join(dir, "shop", "extra.py"), "X = 1\n");
    const [added] = probe(cache, [dir]);
    expect(added!.linkReused).toBe(false);
    expect(added!.tables).toContain("shop_refund");
  });

  test("--no-cache neither reads nor writes a cache; the CLI writes one by default", () => {
    const cache = tempDir("cache");
    const shop = path.join(FIXTURES, "example-shop");
    const off = runCli([shop, "--format", "json", "--no-cache"], undefined, undefined, { TABLEWARDEN_CACHE_DIR: cache });
    expect(off.stderr).toBe("");
    expect(readdirSync(cache)).toEqual([]);
    const on = runCli([shop, "--format", "json"], undefined, undefined, { TABLEWARDEN_CACHE_DIR: cache });
    expect(on.stdout).toBe(off.stdout);
    expect(readdirSync(cache)).toHaveLength(1);
    expect(runCli([shop, "--format", "json"], undefined, undefined, { TABLEWARDEN_CACHE_DIR: cache }).stdout).toBe(off.stdout);
  });

  test("a pack is ASCII, and non-ASCII facts (table names, strings) come back from it unchanged", () => {
    const cache = tempDir("cache");
    const dir = tempDir("cache-unicode");
    const models = 'from django.db import models\n\n\nclass Caf\u00e9(models.Model):\n    name = models.CharField(max_length=10, help_text="\u00e9t\u00e9 \ud83d\ude00 \u4e2d")\n\n    class Meta:\n        app_label = "shop"\n        db_table = "caf\u00e9_\ud83d\ude00"\n';
    writeFileSync(path.join(dir, "models.py"), models);
    writeFileSync(path.join(dir, "__init__.py"), "");
    const old = new Date(Date.now() - 60_000);
    for (const f of ["models.py", "__init__.py"]) utimesSync(path.join(dir, f), old, old);
    const [cold] = probe(cache, [dir]);
    expect(cold!.tables).toContain("caf\u00e9_\ud83d\ude00");
    const packs = readdirSync(cache);
    expect(packs).toHaveLength(1);
    const bytes = readFileSync(path.join(cache, packs[0]!));
    expect(bytes.every((b) => b < 0x80)).toBe(true);
    expect(bytes.toString("latin1")).toContain("caf\\u00e9_\\ud83d\\ude00");
    const [warm] = probe(cache, [dir]);
    expect(warm!.parsedFiles).toBe(0);
    expect(warm!.cachedFiles).toBeGreaterThan(0);
    expect(warm).toEqual({ ...cold, parsedFiles: 0, cachedFiles: warm!.cachedFiles, linkReused: true });
  });

  test("a pack replaced by another run after this one read its header is not mixed in", () => {
    const dir = tempDir("cache");
    const facts = (file: string) => ({ file, classes: [], diagnostics: [] }) as unknown as FileFacts;
    const first = openCache(dir, "/project", "tool");
    first.set("k1", facts("a.py"));
    first.setLinked({ build: "b", signature: "s1", loaded: {} }, { project: 1 });
    first.save();
    // A run reads the header; another run then replaces the pack before the first reads the other lines.
    const reader = openCache(dir, "/project", "tool");
    expect(reader.has("k1")).toBe(true);
    expect(reader.linkRecord()?.signature).toBe("s1");
    // The same keys and lengths, other contents: read at the first header's offsets, they would parse.
    const other = openCache(dir, "/project", "tool");
    other.set("k1", facts("b.py"));
    other.setLinked({ build: "b", signature: "s1", loaded: {} }, { project: 2 });
    other.save();
    expect(reader.peek("k1")).toBeUndefined();
    expect(reader.linked("s1")).toBeNull();
    // A fresh run sees the new pack whole.
    const fresh = openCache(dir, "/project", "tool");
    expect(fresh.peek("k1")?.file).toBe("b.py");
    expect(fresh.linked("s1")).toEqual({ project: 2 });
  });

  test("runs at once on one cache each finish and leave a readable pack", async () => {
    const cache = tempDir("cache");
    const dir = copyOf("example-shop");
    const once = () =>
      new Promise<string>((resolve) => {
        const child = spawn(process.execPath, [BIN, dir, "--format", "json"], { env: { ...process.env, TABLEWARDEN_CACHE_DIR: cache } });
        let out = "";
        child.stdout.on("data", (d: Buffer) => (out += d.toString()));
        child.on("close", () => resolve(out));
      });
    const outs = await Promise.all([once(), once(), once(), once()]);
    expect(new Set(outs).size).toBe(1);
    expect(readdirSync(cache)).toHaveLength(1);
    const [warm] = probe(cache, [dir]);
    expect(warm!.parsedFiles).toBe(0);
  });
});
