/**
 * `npm run bench [paths..]`: times tablewarden phase by phase on the bundled example, on generated medium
 * and large shared-schema monorepos (deterministic, in a temp dir), and on any project paths given, each
 * run in a fresh process, median of several runs, next to the floor (read every Python file, tree-sitter
 * parse of the files a run needs: the prefilter's and those model modules import), then again with a warm
 * facts cache (a temporary one), and with a warm cache after a model module is edited. Prints a table and a
 * JSON summary.
 * A benchmark, not a test: it asserts nothing.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { SIZES, generate } from "./generate.js";
import { ms as formatMs } from "../../src/report/timings.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "..", "..", "..");
const runOne = path.join(here, "run-one.js");

function measure(mode: "lint" | "warm" | "edit" | "floor", dir: string, runs: number): Record<string, number> {
  const samples: Array<Record<string, number>> = [];
  for (let i = 0; i < runs; i++) samples.push(JSON.parse(execFileSync(process.execPath, [runOne, mode, dir], { encoding: "utf8", maxBuffer: 1 << 26 })) as Record<string, number>);
  const median: Record<string, number> = {};
  for (const k of Object.keys(samples[0]!)) {
    const v = samples.map((s) => s[k]!).sort((a, b) => a - b);
    median[k] = v[Math.floor(v.length / 2)]!;
  }
  return median;
}

function cold(dir: string, runs: number, flags: string[]): number {
  const v: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    try {
      execFileSync(process.execPath, [path.join(root, "bin", "tablewarden.js"), dir, "--format", "json", ...flags], { stdio: "ignore" });
    } catch {
      /* exit 1: findings */
    }
    v.push(performance.now() - t);
  }
  return v.sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
}

const tmp = mkdtempSync(path.join(tmpdir(), "tablewarden-bench-"));
// The benchmark's own facts cache, inherited by every process it starts.
process.env["TABLEWARDEN_CACHE_DIR"] = path.join(tmp, "cache");
const cases: Array<{ name: string; dir: string; runs: number }> = [{ name: "small (fixtures/example-shop)", dir: path.join(root, "fixtures", "example-shop"), runs: 7 }];
for (const size of SIZES) {
  const dir = path.join(tmp, size.name);
  const t = performance.now();
  const n = generate(dir, size);
  process.stderr.write(`generated ${size.name}: ${n} .py files in ${((performance.now() - t) / 1000).toFixed(1)} s\n`);
  cases.push({ name: `${size.name} (${n} .py)`, dir, runs: size.name === "large" ? 3 : 5 });
}
for (const p of process.argv.slice(2)) cases.push({ name: p, dir: path.resolve(p), runs: 3 });

// What Node itself costs on this machine, to read the small case's cold run against: Node starting and exiting,
// and Node loading tree-sitter and its Python grammar and parsing one line (the "node plus tree-sitter").
function baseline(script: string, runs = 11): number {
  const v: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    execFileSync(process.execPath, ["-e", script], { cwd: root, stdio: "ignore" });
    v.push(performance.now() - t);
  }
  return v.sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
}
const nodeAlone = baseline("0");
const nodeTreeSitter = baseline('const P = require("tree-sitter"); const p = new P(); p.setLanguage(require("tree-sitter-python")); p.parse("x = 1")');

const results = [];
const ms = (x: number | undefined) => (x === undefined ? "-" : formatMs(x));
const col = (x: string, w = 9) => x.padStart(w);
process.stdout.write(`node -e 0: ${ms(nodeAlone)}; node + tree-sitter parsing one line: ${ms(nodeTreeSitter)} (medians of 11)\n\n`);
process.stdout.write(
  `${"case".padEnd(34)} ${col("cold CLI")} ${col("total")} ${col("discover")} ${col("read")} ${col("parse")} ${col("extract")} ${col("link")} ${col("rules")} ${col("report")} ${col("floor")} ${col("ratio", 6)} | ${col("warm CLI")} ${col("warm")} ${col("edit")}\n`,
);
for (const c of cases) {
  // Without the cache: every file parsed, as a first run.
  const lint = measure("lint", c.dir, c.runs);
  const floor = measure("floor", c.dir, c.runs);
  const wall = cold(c.dir, c.runs, ["--no-cache"]);
  // With a warm cache: one run fills it, then the measured re-runs.
  measure("warm", c.dir, 1);
  const warm = measure("warm", c.dir, c.runs);
  const warmWall = cold(c.dir, c.runs, []);
  // An editor save of a model module: that file parsed again, the project linked again.
  const edit = measure("edit", c.dir, c.runs);
  const ratio = lint["total"]! / floor["floor"]!;
  results.push({ case: c.name, runs: c.runs, coldCli: wall, lint, floor, ratioToFloor: ratio, ratioToKeptOnly: lint["total"]! / floor["keptOnly"]!, warmCli: warmWall, warm, edit });
  process.stdout.write(
    `${c.name.padEnd(34)} ${col(ms(wall))} ${col(ms(lint["total"]))} ${col(ms(lint["discover"]))} ${col(ms(lint["read"]))} ${col(ms(lint["parse"]))} ${col(ms(lint["extract"]))} ${col(ms(lint["link"]))} ${col(ms(lint["rules"]))} ${col(ms(lint["report"]))} ${col(ms(floor["floor"]))} ${col(ratio.toFixed(2), 6)} | ${col(ms(warmWall))} ${col(ms(warm["total"]))} ${col(ms(edit["total"]))}\n`,
  );
}
process.stdout.write(`\n${JSON.stringify({ node: process.version, nodeAlone, nodeTreeSitter, results }, null, 2)}\n`);
rmSync(tmp, { recursive: true, force: true });
