/**
 * V8 settings for a process tablewarden owns: the CLI's (and the benchmark's, which times what the CLI does).
 * bin/tablewarden.js sets the same flags by hand before it compiles the bundle (V8's code cache is tied to them).
 * The API never calls this: V8's flags belong to the whole process, and its host's are its own.
 *
 * `--no-turbo-inlining`: a cold run spends much of its CPU in V8 optimising the same hot functions on each
 * thread (the parser's conversion, the extractors), on background threads that share the two cores with the
 * main thread and the worker (`perf`: TurboFan ~15 % of all CPU of a saleor run). Without inlining those
 * compilations are cheaper, and the code they make was no slower here: `lint()` 5.4 % faster on saleor and 7.1 %
 * on the generated large case (6 and 5 interleaved runs), no different warm or on an editor save.
 */
import { setFlagsFromString } from "node:v8";

/** Flags whoever started Node chose are left alone. */
export function tuneV8(execArgv: readonly string[] = process.execArgv, nodeOptions: string = process.env["NODE_OPTIONS"] ?? ""): string[] {
  const chosen = [...execArgv, nodeOptions].join(" ");
  const flags = chosen.includes("turbo-inlining") ? [] : ["--no-turbo-inlining"];
  for (const f of flags) setFlagsFromString(f);
  return flags;
}
