/**
 * Scanning many Python files (read + prefilter + parse + extract, src/project/scan.ts) on several
 * threads. Only large runs use worker threads: a worker costs tens of milliseconds to start (Node,
 * our modules, tree-sitter), which a small project or an editor save must not pay.
 *
 * The files are cut into chunks that the main thread and the workers claim from one shared counter,
 * so whoever is free takes the next chunk and both cores stay busy to the end. Each result lands at
 * its file's index: the caller sees the same array, in the same order, as a single-threaded scan.
 * A worker that cannot start or dies leaves its chunks without results; the main thread scans those
 * itself, so a worker never fails a run.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { createScanner } from "./scan.js";
import type { ScanJob, ScanResult, ScanSettings, Scanner } from "./scan.js";

/**
 * Files to scan from which workers start (files the cache could not answer). Measured on the generated
 * benchmark trees (2 cores): below ~1,000 files the worker's start-up and the copying of results
 * cost about what it saves.
 */
export const WORKER_THRESHOLD = 1000;

/** Files per claim: small enough to balance the last chunks, large enough to keep messages few. */
const CHUNK = 32;

/** More threads than this stop paying: the main thread still receives every result. */
const MAX_WORKERS = 4;

/** What a worker is given (src/project/parse-worker.ts). */
export interface WorkerInput {
  jobs: ScanJob[];
  settings: ScanSettings;
  /** One Int32: the next chunk to claim. */
  counter: SharedArrayBuffer;
  chunk: number;
}

/** What a worker sends back: one message per finished chunk. */
export interface ChunkDone {
  start: number;
  results: ScanResult[];
}

/**
 * How many worker threads to use for `files` files: `requested` (the API's `workers` option, else
 * $TABLEWARDEN_WORKERS) when given, else one per core beyond the main thread's, from the threshold on.
 */
export function workerCount(files: number, requested: number | undefined = requestedWorkers()): number {
  if (requested !== undefined) return Math.max(0, Math.floor(requested));
  if (files < WORKER_THRESHOLD) return 0;
  return Math.min(MAX_WORKERS, availableParallelism() - 1);
}

/** $TABLEWARDEN_WORKERS as a number of workers (0: none), undefined when unset or not a number. */
export function requestedWorkers(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const v = env["TABLEWARDEN_WORKERS"]?.trim();
  return v && /^\d+$/.test(v) ? Number(v) : undefined;
}

/** Claim chunks from `counter` until none is left, scanning each and handing it to `done`. */
export async function drain(jobs: ScanJob[], scan: Scanner, counter: Int32Array, chunk: number, done: (c: ChunkDone) => Promise<void> | void): Promise<void> {
  for (;;) {
    const start = Atomics.add(counter, 0, 1) * chunk;
    if (start >= jobs.length) return;
    const results: ScanResult[] = [];
    for (let i = start; i < Math.min(start + chunk, jobs.length); i++) results.push(await scan(jobs[i]!));
    await done({ start, results });
  }
}

export interface Scanned {
  /** One per job, in job order. */
  results: ScanResult[];
  /** Worker threads that delivered results. */
  workers: number;
}

/**
 * Scan every job, with `workers` worker threads besides the main thread.
 * `script`: the worker's entry module (tests give others).
 */
export async function scanAll(jobs: ScanJob[], settings: ScanSettings, workers: number, script: URL = new URL("./parse-worker.js", import.meta.url)): Promise<Scanned> {
  const scan = createScanner(settings);
  const results: Array<ScanResult | undefined> = new Array(jobs.length);
  if (workers === 0 || jobs.length === 0) {
    for (let i = 0; i < jobs.length; i++) results[i] = await scan(jobs[i]!);
    return { results: results as ScanResult[], workers: 0 };
  }
  let missing = jobs.length;
  const store = ({ start, results: got }: ChunkDone) => {
    got.forEach((r, i) => {
      if (results[start + i] === undefined) missing--;
      results[start + i] = r;
    });
  };
  const shared = new SharedArrayBuffer(4);
  const input: WorkerInput = { jobs, settings, counter: shared, chunk: CHUNK };
  const threads = Array.from({ length: workers }, () => startWorker(script, input, store));
  // The main thread takes chunks too, letting the workers' results in between two chunks.
  await drain(jobs, scan, new Int32Array(shared), CHUNK, (c) => {
    store(c);
    return new Promise((resolve) => setImmediate(resolve));
  });
  // Every chunk is claimed: wait for the workers' last results, or for the workers to be gone.
  await new Promise<void>((resolve) => {
    const check = () => {
      if (missing === 0 || threads.every((t) => t.gone)) resolve();
    };
    for (const t of threads) t.onChange = check;
    check();
  });
  for (const t of threads) if (!t.gone) void t.worker.terminate(); // started too late to claim anything
  // Chunks a failed worker had claimed: scanned here.
  for (let i = 0; i < jobs.length; i++) results[i] ??= await scan(jobs[i]!);
  return { results: results as ScanResult[], workers: threads.filter((t) => t.delivered).length };
}

interface Thread {
  worker: Worker;
  /** Exited, or failed to start. */
  gone: boolean;
  delivered: boolean;
  onChange: () => void;
}

function startWorker(script: URL, input: WorkerInput, store: (c: ChunkDone) => void): Thread {
  const thread: Thread = { worker: undefined as unknown as Worker, gone: false, delivered: false, onChange: () => {} };
  const gone = () => {
    thread.gone = true;
    thread.onChange();
  };
  try {
    thread.worker = new Worker(script, { workerData: input });
  } catch {
    thread.gone = true;
    return thread;
  }
  thread.worker.on("message", (c: ChunkDone) => {
    thread.delivered = true;
    store(c);
    thread.onChange();
  });
  thread.worker.on("error", gone);
  thread.worker.on("exit", gone);
  return thread;
}
