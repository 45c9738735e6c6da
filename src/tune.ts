/**
 * V8 settings for a process tablewarden owns: the CLI's (and the benchmark's, which times what the CLI does).
 * bin/tablewarden.js sets the same flags by hand before it compiles the bundle (V8's code cache is tied to them).
 * The API never calls this: V8's flags belong to the whole process, and its host's are its own (the one exception,
 * scoped and undone, is the PostgreSQL parser's WebAssembly tiering budget: src/extract/pgsql.ts).
 *
 * A cold run is CPU-bound on two cores, and much of that CPU went to V8 optimising the same hot functions once
 * per thread (the parser's conversion, the extractors), on background threads that share the cores with the
 * main thread and the worker (`perf`, saleor: V8's platform threads 27 % of ~6 s of CPU, TurboFan ~15 %).
 * - `--no-turbo-inlining`: cheaper compilations, and code no slower here. `lint()` 5.4 % faster on saleor and
 *   7.1 % on the generated large case (6 and 5 interleaved runs).
 * - `--interrupt-budget=500000` (V8's is 67,584 here): a function is optimised after about seven times as much
 *   work in the baseline tiers, so only the really hot ones are. On top of the first: saleor 10 % and the large case
 *   7 % faster (6 and 5 runs; 200,000 gave less, 1,000,000 and 3,000,000 no more); warm runs, editor saves and the
 *   small case no slower.
 *
 * Measured with Node 20's V8 (11.3) only. Another V8 may not know a flag (it then prints an error) or weigh it
 * otherwise, so nothing is set there.
 */
import { createRequire } from "node:module";

export const CLI_V8_FLAGS = ["--no-turbo-inlining", "--interrupt-budget=500000"];

/** V8's version is the one these flags were measured with (Node 20's). */
export function measuredV8(version: string = process.versions.v8): boolean {
  return version.startsWith("11.3.");
}

/** Whether whoever started Node set the V8 flag `name` (`turbo-inlining`), on its command line or in NODE_OPTIONS. */
export function nodeChose(name: string, execArgv: readonly string[] = process.execArgv, nodeOptions: string = process.env["NODE_OPTIONS"] ?? ""): boolean {
  return [...execArgv, nodeOptions].some((a) => a.includes(name));
}

/** Set CLI_V8_FLAGS, except those whoever started Node chose. Returns the flags set. */
export function tuneV8(execArgv: readonly string[] = process.execArgv, nodeOptions: string = process.env["NODE_OPTIONS"] ?? "", version?: string): string[] {
  if (!measuredV8(version)) return [];
  const flags = CLI_V8_FLAGS.filter((f) => !nodeChose(f.replace(/^--(?:no-)?/, "").replace(/=.*/, ""), execArgv, nodeOptions));
  if (flags.length === 0) return flags;
  // node:v8 is loaded here, not at start-up: src/extract/pgsql.ts asks measuredV8 in every run.
  const v8 = createRequire(import.meta.url)("node:v8") as typeof import("node:v8");
  for (const f of flags) v8.setFlagsFromString(f);
  return flags;
}
