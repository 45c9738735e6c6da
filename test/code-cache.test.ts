/**
 * bin/tablewarden.js runs the CLI bundle with a V8 code cache of it. The cache is a start-up aid only: a
 * missing, damaged or foreign cache file must never change a run's output or crash it (V8 does not check a
 * cache's payload; the launcher checks a SHA-1 of it first). Runs on a copy of the package layout, so the
 * other suites' shared cache is left alone.
 */
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { FIXTURES, ROOT, tempDir } from "./helpers.js";
import { tuneV8 } from "../src/tune.js";

const SHOP = path.join(FIXTURES, "example-shop");

function packageCopy(): string {
  const dir = tempDir("code-cache");
  for (const rel of ["package.json", "bin/tablewarden.js", "bin/package.json", "dist/bundle/tablewarden.cjs"]) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    copyFileSync(path.join(ROOT, rel), path.join(dir, rel));
  }
  for (const rel of ["node_modules", "src", "docs"]) symlinkSync(path.join(ROOT, rel), path.join(dir, rel));
  return dir;
}

function run(pkg: string) {
  const r = spawnSync(process.execPath, [path.join(pkg, "bin", "tablewarden.js"), SHOP, "--format", "json"], {
    encoding: "utf8",
    env: { ...process.env, TABLEWARDEN_CACHE_DIR: path.join(pkg, "facts") },
  });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

function cacheFile(pkg: string): string {
  const dir = path.join(pkg, "dist", "bundle", ".code-cache");
  const files = existsSync(dir) ? readdirSync(dir) : [];
  expect(files).toHaveLength(1);
  return path.join(dir, files[0]!);
}

function intact(file: string): boolean {
  const data = readFileSync(file);
  return createHash("sha1").update(data.subarray(20)).digest().equals(data.subarray(0, 20));
}

describe("code cache of the CLI bundle", () => {
  const pkg = packageCopy();
  const first = run(pkg);

  test("the first run writes a checked cache, and the output is the CLI's", () => {
    expect(first.signal).toBeNull();
    expect(first.status).toBe(1);
    expect(first.stderr).toBe("");
    expect(JSON.parse(first.stdout).findings.length).toBeGreaterThan(0);
    expect(intact(cacheFile(pkg))).toBe(true);
    expect(run(pkg)).toEqual(first);
  });

  test("V8 accepts the cache on the next run: it is not written again (the launcher's V8 flags are set before it is read)", () => {
    const file = cacheFile(pkg);
    const before = readFileSync(file);
    // Backdated: a run that rejected the cache would write a new file, with a new time.
    const past = new Date(Date.now() - 60_000);
    utimesSync(file, past, past);
    expect(run(pkg)).toEqual(first);
    expect(Math.abs(statSync(file).mtimeMs - past.getTime())).toBeLessThan(1);
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  test.each([
    ["a flipped payload", (d: Buffer) => Buffer.from(d.map((b, i) => (i > 200 && i % 97 === 0 ? b ^ 0xff : b)))],
    ["a truncated file", (d: Buffer) => d.subarray(0, 1000)],
    ["random bytes", () => createHash("sha512").update("x").digest()],
    ["an empty file", () => Buffer.alloc(0)],
  ])("%s is ignored and rewritten", (_, damage) => {
    const file = cacheFile(pkg);
    writeFileSync(file, damage(readFileSync(file)));
    expect(run(pkg)).toEqual(first);
    expect(intact(cacheFile(pkg))).toBe(true);
  });
});

describe("V8 flags of the CLI's process", () => {
  test("set unless whoever started Node chose them (command line or NODE_OPTIONS)", () => {
    const v8 = "11.3.244.8-node.33";
    expect(tuneV8([], "", v8)).toEqual(["--no-turbo-inlining", "--interrupt-budget=500000"]);
    expect(tuneV8(["--turbo-inlining"], "", v8)).toEqual(["--interrupt-budget=500000"]);
    expect(tuneV8([], "--max-old-space-size=4096 --no-turbo-inlining --interrupt-budget=100000", v8)).toEqual([]);
    // Another V8: nothing (it may not know the flags).
    expect(tuneV8([], "", "12.4.254.21-node.33")).toEqual([]);
  });
});
