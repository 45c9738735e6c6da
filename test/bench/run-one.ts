/**
 * One benchmark measurement in a fresh process: `node run-one.js lint|warm|floor <dir>` prints JSON.
 * `lint` parses everything (no cache); `warm` uses the facts cache ($TABLEWARDEN_CACHE_DIR).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { lint } from "../../src/lint.js";
import { discover } from "../../src/project/discover.js";
import { worthParsing } from "../../src/project/prefilter.js";
import { PythonParser } from "../../src/python/parse.js";
import { format } from "../../src/report/index.js";

const [mode, dir] = process.argv.slice(2) as [string, string];
const t0 = performance.now();
if (mode === "lint" || mode === "warm") {
  const r = await lint({ paths: [dir], cache: mode === "warm" });
  const tr = performance.now();
  format("json", r.findings, r.filesScanned, false);
  const report = performance.now() - tr;
  process.stdout.write(JSON.stringify({ ...r.timings, report, wall: performance.now() - t0, findings: r.findings.length }) + "\n");
} else {
  // The physical floor: read every file the prefilter keeps and parse it with tree-sitter alone.
  const root = path.resolve(dir);
  const files = await discover({ roots: [root], base: root, ignore: [] });
  let read = 0;
  let parse = 0;
  let bytes = 0;
  const parser = new PythonParser();
  for (const f of files) {
    if (f.kind !== "python") continue;
    const a = performance.now();
    const text = readFileSync(f.abs, "utf8");
    read += performance.now() - a;
    if (!worthParsing(f.rel, text)) continue;
    const b = performance.now();
    parser.parseOnly(text);
    parse += performance.now() - b;
    bytes += text.length;
  }
  process.stdout.write(JSON.stringify({ read, parse, floor: read + parse, bytes, wall: performance.now() - t0 }) + "\n");
}
