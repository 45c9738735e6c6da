/**
 * One benchmark measurement in a fresh process: `node run-one.js lint|warm|floor <dir>` prints JSON.
 * `lint` parses everything (no cache); `warm` uses the facts cache ($TABLEWARDEN_CACHE_DIR); `edit` too, with
 * one models module changed in an editor's buffer; `floor` reads and parses, with tree-sitter alone, the files a run needs;
 * `convert` splits the time of the prefilter's files between parsing, visiting the tree, and extracting.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { lint } from "../../src/lint.js";
import { discover } from "../../src/project/discover.js";
import { worthParsing } from "../../src/project/prefilter.js";
import { PythonParser } from "../../src/python/parse.js";
import { extractFile } from "../../src/extract/index.js";
import type { FileFacts } from "../../src/extract/facts.js";
import { tokenizerAnalyzer } from "../../src/extract/sql.js";
import { ModuleIndex } from "../../src/link/modules.js";
import { modelsModules, prefetchClosure } from "../../src/project/prefetch.js";
import { format } from "../../src/report/index.js";
import { tuneV8 } from "../../src/tune.js";

const [mode, dir] = process.argv.slice(2) as [string, string];
const t0 = performance.now();

/**
 * Let go of the trees parsed so far, untimed. node-tree-sitter frees a tree's memory (about 20 bytes per byte of
 * source) only in a finalizer that Node runs from the event loop after a GC has found the tree dead; a loop that
 * only parses neither collects nor yields, so every tree stayed, and the floor paid for that memory. tablewarden's
 * scan yields after each chunk, and its extraction allocates enough for the young generation's GCs to find the
 * trees; a loop of bare parses gets the same from a minor GC here (a full one after a pass that kept its trees).
 */
const freeTrees = async (full = false) => {
  if (!gc) {
    setFlagsFromString("--expose-gc"); // only the floor and `convert` call it: `lint` runs as the CLI does
    gc = runInNewContext("gc") as (options?: { type: "minor" }) => void;
  }
  gc(full ? undefined : { type: "minor" });
  await new Promise((resolve) => setImmediate(resolve));
};
let gc: ((options?: { type: "minor" }) => void) | undefined;
/** Trees are let go of every this many files. */
const FREE_EVERY = 16;
if (mode === "lint" || mode === "warm" || mode === "edit") {
  tuneV8(); // as the CLI does
  // `edit`: an editor's buffer of a model module, changed (a comment appended; the disk is not touched), with a
  // warm cache: that file is parsed again and the project linked again.
  const edited = mode === "edit" ? firstModels(path.resolve(dir)) : null;
  const contents = edited ? { [edited]: `${readFileSync(edited, "utf8")}\n# edited ${Date.now()}\n` } : {};
  const r = await lint({ paths: [dir], cache: mode !== "lint", contents });
  const tr = performance.now();
  format("json", r.findings, r.filesScanned, false);
  const report = performance.now() - tr;
  process.stdout.write(JSON.stringify({ ...r.timings, report, wall: performance.now() - t0, findings: r.findings.length }) + "\n");
} else if (mode === "convert") {
  // Where a parsed file's time goes, over the files the prefilter keeps (each step includes the ones before it):
  // tree-sitter's parse; a cursor visiting every node, reading its type id; reading its indices and field id
  // too (what the conversion reads); the whole extraction (parse, conversion, extractors).
  const root = path.resolve(dir);
  const files = (await discover({ roots: [root], base: root, ignore: [] })).filter((f) => f.kind === "python");
  const kept = files.map((f) => ({ rel: f.rel, text: readFileSync(f.abs, "utf8") })).filter((f) => worthParsing(f.rel, f.text));
  const parser = new PythonParser();
  const time = async (fn: (f: { rel: string; text: string }) => unknown) => {
    let ms = 0;
    for (let i = 0; i < kept.length; i++) {
      const a = performance.now();
      fn(kept[i]!);
      ms += performance.now() - a;
      if (i % FREE_EVERY === FREE_EVERY - 1) await freeTrees();
    }
    await freeTrees(true);
    return ms;
  };
  let nodes = 0;
  const parse = await time((f) => parser.parseOnly(f.text));
  const walkTypes = await time((f) => (nodes += parser.walkOnly(f.text, false)));
  const walkSpans = await time((f) => parser.walkOnly(f.text, true));
  const extract = await time((f) => {
    try {
      extractFile(f.rel, f.text, parser, tokenizerAnalyzer);
    } catch {
      /* counted all the same */
    }
  });
  const bytes = kept.reduce((n, f) => n + f.text.length, 0);
  process.stdout.write(JSON.stringify({ files: kept.length, bytes, nodes, parse, walkTypes, walkSpans, extract, wall: performance.now() - t0 }) + "\n");
} else {
  // The physical floor: read every Python file, and parse with tree-sitter alone the files tablewarden needs:
  // those the prefilter keeps, and those the model modules import (the linker loads them all). Which files
  // those are is found first, untimed; `keptOnly` is the floor without the imported ones.
  const root = path.resolve(dir);
  const files = (await discover({ roots: [root], base: root, ignore: [] })).filter((f) => f.kind === "python");
  const parser = new PythonParser();
  const texts = new Map(files.map((f) => [f.rel, readFileSync(f.abs, "utf8")]));
  const kept = new Set(files.filter((f) => worthParsing(f.rel, texts.get(f.rel)!)).map((f) => f.rel));
  const facts = new Map<string, FileFacts | null>();
  const extract = (rel: string) => {
    try {
      facts.set(rel, extractFile(rel, texts.get(rel)!, parser, tokenizerAnalyzer));
    } catch {
      facts.set(rel, null);
    }
  };
  const pythonFiles = files.map((f) => f.rel);
  const index = new ModuleIndex(pythonFiles, (rel) => facts.get(rel) ?? null);
  const imported = await prefetchClosure(
    modelsModules(pythonFiles),
    (rel) => {
      if (kept.has(rel) && !facts.has(rel)) extract(rel);
      return facts.has(rel) ? index.importedFiles(rel) : null;
    },
    async (more) => more.forEach(extract),
  );
  const needed = new Set([...kept, ...imported.flat()]);
  facts.clear();
  await freeTrees(true);
  let read = 0;
  let parse = 0;
  let keptParse = 0;
  let bytes = 0;
  let parsedCount = 0;
  for (const f of files) {
    const a = performance.now();
    const text = readFileSync(f.abs, "utf8");
    read += performance.now() - a;
    if (!needed.has(f.rel)) continue;
    const b = performance.now();
    parser.parseOnly(text);
    const t = performance.now() - b;
    parse += t;
    if (kept.has(f.rel)) keptParse += t;
    bytes += text.length;
    if (++parsedCount % FREE_EVERY === 0) await freeTrees();
  }
  process.stdout.write(JSON.stringify({ read, parse, floor: read + parse, keptOnly: read + keptParse, files: needed.size, imported: needed.size - kept.size, bytes, wall: performance.now() - t0 }) + "\n");
}

/** The first models module of a project, in sorted order (breadth first, skipping dot-folders). */
function firstModels(root: string): string {
  const queue = [root];
  for (let dir = queue.shift(); dir !== undefined; dir = queue.shift()) {
    const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
    const models = entries.find((e) => e.isFile() && e.name === "models.py");
    if (models) return path.join(dir, models.name);
    for (const e of entries) if (e.isDirectory() && !e.name.startsWith(".") && e.name !== "node_modules") queue.push(path.join(dir, e.name));
  }
  throw new Error(`no models.py under ${root}`);
}
