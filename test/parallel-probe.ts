/**
 * Runs lint() and scanAll() in a fresh process for test/parallel.test.ts (jest cannot load
 * tree-sitter's native binding in two test files of one worker). Prints JSON.
 * `node parallel-probe.js lint <dir> <workers> [cache dir]`: findings, project facts and counts.
 * `node parallel-probe.js fail <dir>`: the files of <dir> scanned alone, and with workers that cannot
 * start, die holding chunks or throw (scripts in <dir>), as JSON texts without the per-file times.
 */
import { readdirSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { lint } from "../src/lint.js";
import { scanAll } from "../src/project/parallel.js";
import { DEFAULT_MAX_FILE_BYTES } from "../src/project/read.js";

const [mode, dir, arg, cache] = process.argv.slice(2) as [string, string, string, string | undefined];
if (mode === "lint") {
  const r = await lint({ paths: [dir], cache: cache ?? false, workers: Number(arg) });
  const t = r.timings;
  process.stdout.write(JSON.stringify({ findings: r.findings, project: r.project, scanned: r.filesScanned, parsed: t.parsedFiles, bytes: t.parsedBytes, workers: t.workers }));
} else {
  const jobs = readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".py"))
    .sort()
    .map((rel) => ({ abs: path.join(dir, rel), rel }));
  const settings = { maxBytes: DEFAULT_MAX_FILE_BYTES, cachedKeys: null };
  const scanned = async (workers: number, script?: string) => {
    const r = await scanAll(jobs, settings, { workers, eager: true }, script ? pathToFileURL(path.join(dir, script)) : undefined);
    return JSON.stringify(r.results, (k, v: unknown) => (k === "readMs" || k === "parseMs" ? undefined : v));
  };
  process.stdout.write(
    JSON.stringify({
      files: jobs.length,
      alone: await scanned(0),
      missing: await scanned(2, "no-such-worker.js"),
      dying: await scanned(1, "dying-worker.mjs"),
      throwing: await scanned(1, "throwing-worker.mjs"),
    }),
  );
}
