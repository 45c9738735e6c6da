/**
 * A worker thread's entry module (started by src/project/parallel.ts): claims chunks of files from
 * the shared counter, scans them (src/project/scan.ts) and posts each chunk's results back. It ends
 * when no chunk is left; anything it could not finish, the main thread scans itself.
 */
import { parentPort, workerData } from "node:worker_threads";
import { drain } from "./parallel.js";
import type { WorkerInput } from "./parallel.js";
import { createScanner } from "./scan.js";

const input = workerData as WorkerInput;
if (parentPort) {
  const port = parentPort;
  await drain(input.jobs, createScanner(input.settings), new Int32Array(input.counter), input.chunk, (c) => port.postMessage(c));
}
