/**
 * Scanning many Python files (read + prefilter + parse + extract, src/project/scan.ts) on several
 * threads. Only large runs use worker threads: a worker costs 100–200 ms to start and reach its first
 * result (Node's worker bootstrap, our modules, tree-sitter), which a small project or an editor save
 * must not pay. How much work a run holds is not known from its file count (1,200 netbox files take
 * longer to parse than 2,000 mostly passed-over files of the generated medium case), so the main thread
 * starts alone and starts workers only once its pace says that enough work is left to pay for them. A run
 * with nothing cached on a large tree starts them during discovery instead (`prewarm`, PREWARM_FILES).
 *
 * The main thread and the workers claim runs of files from one shared counter, so whoever is free takes
 * the next run, and runs shrink towards the end so that both cores stay busy to the end. Each result lands at
 * its file's index: the caller sees the same array, in the same order, as a single-threaded scan.
 * A worker that cannot start or dies leaves its chunks without results; the main thread scans those
 * itself, so a worker never fails a run.
 */
import { availableParallelism } from "node:os";
import { createRequire } from "node:module";
import type { Worker } from "node:worker_threads";
import { createScanner, pgLoader } from "./scan.js";
import type { LeftToMain, ScanJob, ScanResult, ScanSettings, WorkerScanner } from "./scan.js";

/** The main thread scans this long alone before it judges whether workers would pay. */
const PROBE_MS = 50;

/**
 * Workers start when the main thread's pace so far projects at least this much scanning left: a worker
 * reaches its first result after 100–200 ms (2 cores), then takes about half of what remains.
 */
export const WORKER_THRESHOLD_MS = 400;

/**
 * A run with nothing cached starts its workers once discovery has found this many files, while the walk goes
 * on: a worker takes 70–100 ms to boot, which then overlaps discovery instead of delaying the scan. Fewer files
 * (or a cache that may answer for most of them) leave the decision to the main thread's pace.
 */
export const PREWARM_FILES = 1000;

/**
 * Most files per claim: large enough to keep messages few. Claims shrink towards the end of a batch (see
 * `claim`), so that no thread waits long for another's last chunk.
 */
const CHUNK = 32;

/** A claim takes at most 1/TAIL_SPLIT of the files left: with up to 4 threads, the last claims are a file or two. */
const TAIL_SPLIT = 8;

/** More threads than this stop paying: the main thread still receives every result. */
const MAX_WORKERS = 4;

/** What a worker is given (src/project/parse-worker.ts): its first batch of jobs. */
export interface WorkerInput {
  jobs: ScanJob[];
  settings: ScanSettings;
  /** One Int32: the index of the first job nobody has claimed (see `claim`). */
  counter: SharedArrayBuffer;
  /** Most jobs per claim. */
  chunk: number;
  /** The first batch's number (0 when absent). */
  batch?: number;
  /** Keep listening for more batches (`Batch` messages) after the first, until terminated. */
  more?: boolean;
}

/** A later batch of jobs, posted to a worker that was started with `more`. */
export interface Batch {
  batch: number;
  jobs: ScanJob[];
  counter: SharedArrayBuffer;
  chunk: number;
}

/**
 * What a worker sends back: one message per finished chunk (`batch`: 0 for the first, absent from old workers).
 * A file it leaves to the main thread (LeftToMain: its raw SQL wants the PostgreSQL parser) is scanned there.
 */
export interface ChunkDone {
  batch?: number;
  start: number;
  results: Array<ScanResult | LeftToMain>;
}

/** How many workers a scan may use, and whether they start at once or only when the work left pays for them. */
export interface WorkerPlan {
  workers: number;
  /** Start at once (they were asked for), instead of when the main thread's pace says they pay. */
  eager: boolean;
}

/**
 * `requested` (the API's `workers` option, else $TABLEWARDEN_WORKERS) workers at once when given,
 * else one per core beyond the main thread's, started only if the scan proves long enough.
 */
export function workerPlan(requested: number | undefined = requestedWorkers()): WorkerPlan {
  if (requested !== undefined) return { workers: Math.max(0, Math.floor(requested)), eager: true };
  return { workers: Math.max(0, Math.min(MAX_WORKERS, availableParallelism() - 1)), eager: false };
}

/** $TABLEWARDEN_WORKERS as a number of workers (0: none), undefined when unset or not a number. */
export function requestedWorkers(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const v = env["TABLEWARDEN_WORKERS"]?.trim();
  return v && /^\d+$/.test(v) ? Number(v) : undefined;
}

/** Claim runs of files from `counter` until none is left, scanning each and handing it to `done`. */
export async function drain(jobs: ScanJob[], scan: WorkerScanner, counter: Int32Array, chunk: number, done: (c: ChunkDone) => Promise<void> | void): Promise<void> {
  for (;;) {
    const start = claim(counter, jobs.length, chunk);
    if (start === null) return;
    const results: ChunkDone["results"] = [];
    for (let i = start.from; i < start.to; i++) results.push(await scan(jobs[i]!));
    await done({ start: start.from, results });
    // A turn of the event loop: node-tree-sitter frees a tree's memory (about 20 bytes per byte of source)
    // in a finalizer that Node runs from the event loop, after a GC found the tree dead. A loop of
    // resolved promises alone would keep every tree of the batch until it ends (see docs/performance.md).
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/**
 * Claim the next files of a batch of `total`: `counter` holds the index of the first file nobody has claimed.
 * A claim takes `max` files while many are left, then a shrinking share of what is left (guided
 * self-scheduling), so that the threads finish within a file or two of each other. Null when all are claimed.
 */
export function claim(counter: Int32Array, total: number, max: number): { from: number; to: number } | null {
  for (;;) {
    const from = Atomics.load(counter, 0);
    if (from >= total) return null;
    const to = from + Math.max(1, Math.min(max, Math.ceil((total - from) / TAIL_SPLIT)));
    if (Atomics.compareExchange(counter, 0, from, to) === from) return { from, to };
  }
}

export interface Scanned {
  /** One per job, in job order. */
  results: ScanResult[];
  /** Worker threads that delivered results. */
  workers: number;
}

/**
 * Scan every job, with up to `plan.workers` worker threads besides the main thread.
 * `script`: the worker's entry module (tests give others).
 */
export async function scanAll(jobs: ScanJob[], settings: ScanSettings, plan: WorkerPlan, script?: URL): Promise<Scanned> {
  const pool = openScanPool(settings, plan, script);
  try {
    const results = await pool.scan(jobs);
    return { results, workers: pool.delivered() };
  } finally {
    pool.close();
  }
}

/**
 * The main thread and the worker threads of one run. The first batch decides whether workers start
 * (at once when asked for, else by the main thread's pace); later batches (files that imports lead to,
 * src/lint.ts) go to the same workers, which wait between batches without holding the process open.
 */
export interface ScanPool {
  /** Scan every job; the results in job order. */
  scan(jobs: ScanJob[]): Promise<ScanResult[]>;
  /** Start the workers now, before any batch (see PREWARM_FILES); nothing if they are started, or none is planned. */
  prewarm(): void;
  /** Worker threads started and not gone: later batches are shared with them. */
  live(): number;
  /** Worker threads that delivered results. */
  delivered(): number;
  /** Stop the workers (a run must call this when done). */
  close(): void;
}

export function openScanPool(settings: ScanSettings, plan: WorkerPlan, script: URL = workerEntry()): ScanPool {
  // The PostgreSQL parser loads in the background from the first file that wants it; such files wait until it is loaded.
  const pg = pgLoader();
  const scan = createScanner(settings, pg);
  const threads: Thread[] = [];
  /**
   * Results of the batch in progress (one at a time), how many are still missing, and the files left to the main
   * thread for the PostgreSQL parser (index and the file as read): by the workers, and by this thread while the
   * parser loads. It scans them between two of its own chunks once the parser is loaded, and at the end.
   */
  let current = { id: -1, results: [] as Array<ScanResult | undefined>, missing: 0, left: [] as Array<[number, LeftToMain]> };
  let batches = 0;
  const store = ({ batch = 0, start, results: got }: ChunkDone) => {
    if (batch !== current.id) return; // a late chunk of a batch already finished by the main thread
    got.forEach((r, i) => {
      if ("left" in r) {
        current.left.push([start + i, r]);
        void pg.start();
      } else {
        if (current.results[start + i] === undefined) current.missing--;
        current.results[start + i] = r;
      }
    });
  };
  /** Scan the files left to this thread (batch `jobs`): once the PostgreSQL parser is loaded, or `wait`ing for it. */
  const scanLeft = async (jobs: ScanJob[], wait: boolean) => {
    const batch = current;
    if (batch.left.length === 0) return;
    if (pg.get() === undefined) {
      if (!wait) return;
      await pg.start();
    }
    while (batch.left.length > 0) {
      const [i, l] = batch.left.shift()!;
      if (batch.results[i] !== undefined) continue;
      const r = await scan({ ...jobs[i]!, text: l.text });
      if ("left" in r) throw new Error("a file was left again with the PostgreSQL parser loaded"); // cannot happen: it is loaded (or failed)
      batch.results[i] = { ...r, diagnostics: [...l.diagnostics, ...r.diagnostics], readMs: l.readMs + r.readMs };
      batch.missing--;
    }
  };
  const live = () => threads.filter((t) => !t.gone);

  return {
    async scan(jobs) {
      const id = batches++;
      current = { id, results: new Array<ScanResult | undefined>(jobs.length), missing: jobs.length, left: [] };
      const results = current.results;
      if (jobs.length === 0) return [];
      const shared = new SharedArrayBuffer(4);
      const counter = new Int32Array(shared);
      const start = () => threads.push(...Array.from({ length: plan.workers }, () => startWorker(script, { jobs, settings, counter: shared, chunk: CHUNK, batch: id, more: true }, store)));
      if (threads.length > 0) for (const t of live()) t.post({ batch: id, jobs, counter: shared, chunk: CHUNK });
      else if (plan.workers > 0 && plan.eager && id === 0) start();
      const probing = threads.length === 0 && plan.workers > 0 && id === 0;
      const t0 = performance.now();
      let alone = 0; // files the main thread scanned before deciding
      // The main thread takes chunks too, letting the workers' results in between two chunks.
      await drain(jobs, scan, counter, CHUNK, async (c) => {
        store({ ...c, batch: id });
        if (threads.length === 0) {
          if (!probing) return;
          alone += c.results.length;
          const elapsed = performance.now() - t0;
          const left = jobs.length - Math.min(jobs.length, Atomics.load(counter, 0));
          if (elapsed >= PROBE_MS && (elapsed / alone) * left >= WORKER_THRESHOLD_MS) start();
          return;
        }
        // The workers' results come in when drain lets the event loop turn, after this.
        await scanLeft(jobs, false);
      });
      // Every chunk is claimed: wait for the workers' last results (scanning what they leave to this thread), or for the workers to be gone.
      const busy = live();
      for (const t of busy) t.worker.ref();
      for (;;) {
        await scanLeft(jobs, true);
        if (current.missing === 0 || threads.every((t) => t.gone)) break;
        await new Promise<void>((resolve) => {
          const check = () => {
            if (current.missing === 0 || threads.every((t) => t.gone) || current.left.length > 0) resolve();
          };
          for (const t of threads) t.onChange = check;
          check();
        });
      }
      // Idle workers wait for the next batch without keeping the process alive.
      for (const t of live()) t.worker.unref();
      // Chunks a failed worker had claimed: scanned here (and what that leaves for the PostgreSQL parser).
      for (let i = 0; i < jobs.length; i++) {
        if (results[i] !== undefined) continue;
        const r = await scan(jobs[i]!);
        if ("left" in r) store({ batch: id, start: i, results: [r] });
        else results[i] = r;
      }
      await scanLeft(jobs, true);
      current = { id: -1, results: [], missing: 0, left: [] };
      return results as ScanResult[];
    },
    prewarm() {
      if (threads.length > 0 || plan.workers === 0) return;
      const counter = new SharedArrayBuffer(4);
      const id = batches++;
      // An empty first batch: the workers boot and wait for the first real one, without holding the process open.
      for (let i = 0; i < plan.workers; i++) threads.push(startWorker(script, { jobs: [], settings, counter, chunk: CHUNK, batch: id, more: true }, store));
      for (const t of live()) t.worker.unref();
    },
    live: () => live().length,
    delivered: () => threads.filter((t) => t.delivered).length,
    close() {
      for (const t of threads) if (!t.gone) void t.worker.terminate();
    },
  };
}

/** The worker's entry: next to the CLI bundle when this runs from it (scripts/bundle.mjs), else the compiled module. */
function workerEntry(): URL {
  return new URL(import.meta.url.endsWith(".cjs") ? "./parse-worker.cjs" : "./parse-worker.js", import.meta.url);
}

interface Thread {
  worker: Worker;
  /** Exited, or failed to start. */
  gone: boolean;
  delivered: boolean;
  onChange: () => void;
  /** Give it a later batch (nothing when it is gone). */
  post: (b: Batch) => void;
}

function startWorker(script: URL, input: WorkerInput, store: (c: ChunkDone) => void): Thread {
  const thread: Thread = { worker: undefined as unknown as Worker, gone: false, delivered: false, onChange: () => {}, post: () => {} };
  const gone = () => {
    thread.gone = true;
    thread.onChange();
  };
  try {
    // Loaded here, not at start-up: most runs (a small project, an editor save) never start a worker.
    const { Worker: WorkerThread } = createRequire(import.meta.url)("node:worker_threads") as typeof import("node:worker_threads");
    thread.worker = new WorkerThread(script, { workerData: input });
  } catch {
    thread.gone = true;
    return thread;
  }
  thread.post = (b) => {
    if (thread.gone) return;
    try {
      thread.worker.postMessage(b);
    } catch {
      gone();
    }
  };
  thread.worker.on("message", (c: ChunkDone) => {
    thread.delivered = true;
    store(c);
    thread.onChange();
  });
  thread.worker.on("error", gone);
  thread.worker.on("exit", gone);
  return thread;
}
