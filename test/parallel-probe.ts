/**
 * Runs lint() and scanAll() in a fresh process for test/parallel.test.ts (jest cannot load
 * tree-sitter's native binding in two test files of one worker). Prints JSON.
 * `node parallel-probe.js lint <dir> <workers> [cache dir]`: findings, project facts and counts.
 * `node parallel-probe.js fail <dir>`: the files of <dir> scanned alone, and with workers that cannot
 * start, die holding chunks or throw (scripts in <dir>), as JSON texts without the per-file times.
 * `node parallel-probe.js bundled <dir> <worker script>`: the files of <dir> scanned alone, and by one
 * worker running the given script (the CLI bundle's) with no main thread competing for the chunks; the files
 * the worker leaves to the main thread (raw SQL for the PostgreSQL parser) are listed, and null in both scans.
 * `node parallel-probe.js prewarm <dir>`: the files of <dir> scanned alone, and by a pool whose worker was
 * started before its first batch (`prewarm`), with the number of workers live after each step.
 * `node parallel-probe.js defer <dir>`: the files of <dir> scanned by a main-thread scanner whose PostgreSQL parser
 * loads in the background (a stand-in, released by the probe): what it answers while loading and after.
 */
import { readdirSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { lint } from "../src/lint.js";
import { Worker } from "node:worker_threads";
import { openScanPool, scanAll } from "../src/project/parallel.js";
import type { Batch, ChunkDone, WorkerInput } from "../src/project/parallel.js";
import { createScanner, pgLoader } from "../src/project/scan.js";
import type { LeftToMain, ScanJob, ScanResult, ScanSettings } from "../src/project/scan.js";
import type { SqlAnalyzer } from "../src/extract/sql.js";
import { DEFAULT_MAX_FILE_BYTES } from "../src/project/read.js";

const [mode, dir, arg, cache] = process.argv.slice(2) as [string, string, string, string | undefined];
if (mode === "lint") {
  const r = await lint({ paths: [dir], cache: cache ?? false, workers: Number(arg) });
  const t = r.timings;
  process.stdout.write(JSON.stringify({ findings: r.findings, project: r.project, scanned: r.filesScanned, parsed: t.parsedFiles, bytes: t.parsedBytes, workers: t.workers, ahead: t.ahead }));
} else {
  const jobs = readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".py"))
    .sort()
    .map((rel) => ({ abs: path.join(dir, rel), rel }));
  const settings = { maxBytes: DEFAULT_MAX_FILE_BYTES, cachedKeys: null };
  const scan = async (workers: number, script?: string) => {
    const r = await scanAll(jobs, settings, { workers, eager: true }, script ? pathToFileURL(path.resolve(dir, script)) : undefined);
    return { results: JSON.stringify(r.results, (k, v: unknown) => (k === "readMs" || k === "parseMs" || k === "extractMs" ? undefined : v)), workers: r.workers };
  };
  const scanned = async (workers: number, script?: string) => (await scan(workers, script)).results;
  const out = async () => {
    if (mode === "prewarm") {
      const pool = openScanPool(settings, { workers: 1, eager: false });
      pool.prewarm();
      const started = pool.live();
      pool.prewarm(); // a second call starts nothing more
      const again = pool.live();
      const results = await pool.scan(jobs);
      const after = pool.live();
      pool.close();
      return { alone: await scanned(0), prewarmed: JSON.stringify(results, (k, v: unknown) => (k === "readMs" || k === "parseMs" || k === "extractMs" ? undefined : v)), started, again, after };
    }
    if (mode === "defer") {
      // A stand-in for the PostgreSQL parser, loaded when the probe says so; it claims one table per statement.
      let release = () => {};
      const gate = new Promise<void>((resolve) => (release = resolve));
      let loads = 0;
      const fake: SqlAnalyzer = { scan: (sql) => ({ effects: [{ action: "creates", table: { schema: null, name: `pg_${sql.length}` } }], unparsed: false }) };
      const pg = pgLoader(async () => {
        loads++;
        await gate;
        return fake;
      });
      const scan = createScanner(settings, pg);
      const kind = (r: ScanResult | LeftToMain) => ("left" in r ? "left" : r.outcome.kind);
      const all = async () => {
        const kinds: string[][] = [];
        for (const j of jobs) kinds.push([j.rel, kind(await scan(j))]);
        return kinds;
      };
      const whileLoading = await all();
      const loadedBefore = pg.get() !== undefined;
      release();
      await pg.start();
      const after = await all();
      const again = await scan(jobs.find((j) => j.rel.includes("migrations/"))!);
      const effects = "outcome" in again && again.outcome.kind === "parsed" ? JSON.stringify(again.outcome.facts) : "";
      // A parser that fails to load: the files that waited for it are read with the tokenizer.
      const broken = pgLoader(() => Promise.reject(new Error("no WebAssembly here")));
      const brokenScan = createScanner(settings, broken);
      const migration = jobs.find((j) => j.rel.includes("migrations/0002"))!;
      const first = kind(await brokenScan(migration));
      await broken.start();
      const failed = await brokenScan(migration);
      const tokenizerFacts = "outcome" in failed && failed.outcome.kind === "parsed" ? JSON.stringify(failed.outcome.facts) : "";
      return { whileLoading, loadedBefore, after, loads, pgEffects: effects.includes('"pg_'), broken: [first, kind(failed), broken.get(), tokenizerFacts.includes('"t_raw"')] };
    }
    if (mode === "bundled") {
      const forced = await scanAll(jobs.map((j) => ({ ...j, force: true })), settings, { workers: 0, eager: true });
      const byWorker = await byWorkerAlone(jobs, settings, arg);
      const alone = (await scanAll(jobs, settings, { workers: 0, eager: true })).results.map((r, i) => (byWorker.left.some((l) => l.index === i) ? null : r));
      return { alone: times(alone), aloneForced: times(forced.results), ...byWorker };
    }
    return {
      files: jobs.length,
      alone: await scanned(0),
      missing: await scanned(2, "no-such-worker.js"),
      dying: await scanned(1, "dying-worker.mjs"),
      throwing: await scanned(1, "throwing-worker.mjs"),
    };
  };
  process.stdout.write(JSON.stringify(await out()));
}

/**
 * Every job scanned by one worker thread alone, as parallel.ts would start it; its chunks' results in job
 * order. Then a second batch (the same files, parsed even where the prefilter passes over them) is posted to
 * the same worker, which waits for it.
 */
async function byWorkerAlone(
  jobs: ScanJob[],
  settings: ScanSettings,
  script: string,
): Promise<{ bundled: string; chunks: number; forced: string; left: Array<{ index: number; rel: string; text: string; readMs: number }> }> {
  const input: WorkerInput = { jobs, settings, counter: new SharedArrayBuffer(4), chunk: 32, more: true };
  const batches: Array<Array<ScanResult | LeftToMain | null>> = [[], []];
  let chunks = 0;
  const w = new Worker(pathToFileURL(script), { workerData: input });
  await new Promise<void>((resolve, reject) => {
    let got = 0;
    w.on("message", (c: ChunkDone) => {
      chunks++;
      c.results.forEach((r, i) => (batches[c.batch ?? 0]![c.start + i] = r));
      got += c.results.length;
      if (got === jobs.length) w.postMessage({ batch: 1, jobs: jobs.map((j) => ({ ...j, force: true })), counter: new SharedArrayBuffer(4), chunk: 32 } satisfies Batch);
      if (got === 2 * jobs.length) resolve();
    });
    w.on("error", reject);
    w.on("exit", () => reject(new Error("the worker ended before its second batch")));
  });
  await w.terminate();
  const left = batches[0]!.flatMap((r, index) => (r && "left" in r ? [{ index, rel: jobs[index]!.rel, text: r.text, readMs: r.readMs }] : []));
  for (const l of left) batches[0]![l.index] = null;
  return { bundled: times(batches[0]!), chunks, forced: times(batches[1]!), left };
}

/** Scan results as JSON, without the per-file times. */
function times(r: unknown[]): string {
  return JSON.stringify(r, (k, v: unknown) => (k === "readMs" || k === "parseMs" || k === "extractMs" ? undefined : v));
}
