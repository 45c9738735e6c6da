/**
 * Runs lint() in a fresh process for test/cache.test.ts (jest cannot load tree-sitter's native
 * binding in two test files of one worker): `node cache-probe.js <cache dir|off> <dir>...` prints,
 * per dir, the findings, the parse/cache counts and the table ids; `node cache-probe.js roundtrip`
 * prints the fixture files whose facts do not survive a JSON round trip.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { lint } from "../src/lint.js";
import { PythonParser } from "../src/python/parse.js";
import { extractFile } from "../src/extract/index.js";
import { FIXTURES } from "./helpers.js";

const [mode, ...dirs] = process.argv.slice(2) as [string, ...string[]];
if (mode === "roundtrip") {
  const parser = new PythonParser();
  const bad: string[] = [];
  let files = 0;
  for (const name of readdirSync(FIXTURES)) {
    const dir = path.join(FIXTURES, name);
    for (const rel of readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".py"))) {
      const facts = extractFile(rel, readFileSync(path.join(dir, rel), "utf8"), parser);
      files++;
      if (!sameJson(facts)) bad.push(`${name}/${rel}`);
    }
  }
  process.stdout.write(JSON.stringify({ files, bad }));
} else {
  const out = [];
  for (const dir of dirs) {
    const r = await lint({ paths: [dir], cache: mode === "off" ? false : mode });
    out.push({ findings: r.findings, parsedFiles: r.timings.parsedFiles, cachedFiles: r.timings.cachedFiles, linkReused: r.timings.linkReused, tables: r.graph.tables().map((t) => t.id).sort() });
  }
  process.stdout.write(JSON.stringify(out));
}

/** Every value survives JSON: no NaN/Infinity, no undefined in arrays, no class instances, no cycles. */
function sameJson(v: unknown): boolean {
  if (v === null || typeof v === "string" || typeof v === "boolean") return true;
  if (typeof v === "number") return Number.isFinite(v);
  if (Array.isArray(v)) return v.every((x) => x !== undefined && sameJson(x));
  if (typeof v === "object") return Object.getPrototypeOf(v) === Object.prototype && Object.values(v as object).every((x) => x === undefined || sameJson(x));
  return false;
}
