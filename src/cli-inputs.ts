/**
 * Command-line inputs beyond paths: an editor's unsaved buffer on stdin, and baseline files.
 * Problems are UsageErrors (exit 2) naming the flag and the file.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { UsageError } from "./lint.js";
import type { Finding } from "./types.js";
import { buildBaseline, parseBaseline, serializeBaseline } from "./engine/baseline.js";
import type { Baseline } from "./engine/baseline.js";

export interface StdinInput {
  paths: string[];
  contents: Record<string, string>;
}

/** `--stdin --stdin-filename PATH`: lint the project with PATH's contents taken from stdin. */
export function stdinInput(stdin: boolean, filename: string | undefined, read: () => string = () => readFileSync(0, "utf8")): StdinInput | null {
  if (!stdin && filename === undefined) return null;
  if (!stdin) throw new UsageError("--stdin-filename is used with --stdin (the file's unsaved contents on standard input)");
  if (!filename) throw new UsageError("--stdin needs --stdin-filename PATH: the path of the file whose contents are on standard input");
  let text: string;
  try {
    text = read();
  } catch (e) {
    throw new UsageError(`--stdin: cannot read standard input (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  return { paths: [filename], contents: { [filename]: text.replace(/^\uFEFF/, "") } };
}

export function loadBaselineFile(file: string): Baseline {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new UsageError(`--baseline: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? String(e)}); create it with --write-baseline ${file}`);
  }
  const parsed = parseBaseline(text);
  if (typeof parsed === "string") throw new UsageError(`--baseline ${file}: ${parsed}`);
  return parsed;
}

/** Writes the baseline; returns the line to print on stderr. */
export function writeBaselineFile(file: string, findings: Finding[]): string {
  const baseline = buildBaseline(findings);
  try {
    writeFileSync(file, serializeBaseline(baseline));
  } catch (e) {
    throw new UsageError(`--write-baseline: cannot write ${file} (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  return `tablewarden: recorded ${findings.length} finding${findings.length === 1 ? "" : "s"} (${baseline.entries.length} fingerprint${baseline.entries.length === 1 ? "" : "s"}) in ${file}; lint with --baseline ${file} to report only new ones\n`;
}
