/**
 * A worker thread's entry module (started by src/project/parallel.ts): claims chunks of files from
 * the shared counter, scans them (src/project/scan.ts) and posts each chunk's results back. Started
 * with `more`, it then waits for later batches until it is terminated; otherwise it ends when no chunk
 * is left. Anything it could not finish, the main thread scans itself.
 */
import { parentPort, workerData } from "node:worker_threads";
import { drain } from "./parallel.js";
import type { Batch, WorkerInput } from "./parallel.js";
import { createScanner } from "./scan.js";

const input = workerData as WorkerInput;
if (parentPort) {
  const port = parentPort;
  // The PostgreSQL parser is the main thread's alone: files that need it are handed back (LeftToMain).
  const scanner = createScanner(input.settings, "leave");
  const run = (b: Batch) => drain(b.jobs, scanner, new Int32Array(b.counter), b.chunk, (c) => port.postMessage({ batch: b.batch, ...c }));
  // Batches run one after the other, in the order they came.
  let queue = run({ batch: input.batch ?? 0, jobs: input.jobs, counter: input.counter, chunk: input.chunk });
  if (input.more) port.on("message", (b: Batch) => (queue = queue.then(() => run(b))));
}
