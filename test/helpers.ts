/** Shared test helpers: run the real CLI, normalise findings for expected.json comparisons. */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const FIXTURES = path.join(ROOT, "fixtures");
export const BIN = path.join(ROOT, "bin", "tablewarden.js");

export interface CliRun {
  status: number;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], cwd = ROOT, input?: string, env: Record<string, string> = {}): CliRun {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0", ...env },
    input,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export interface JsonFinding {
  ruleId: string;
  severity: string;
  message: string;
  table?: string;
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  related: Array<{ file: string; line: number; column: number; message: string }>;
}

export interface JsonReport {
  version: number;
  findings: JsonFinding[];
  summary: { errors: number; warnings: number; infos: number; filesScanned: number };
}

/** The part of a finding that expected.json pins: everything but the wording. */
export function pin(f: JsonFinding) {
  return {
    ruleId: f.ruleId,
    severity: f.severity,
    ...(f.table !== undefined ? { table: f.table } : {}),
    file: f.file,
    line: f.line,
    column: f.column,
    endLine: f.endLine,
    endColumn: f.endColumn,
    related: f.related.map((r) => ({ file: r.file, line: r.line })),
  };
}

export function writeFile(root: string, rel: string, content: string | Buffer = ""): void {
  const file = path.join(root, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content);
}

export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), `tablewarden-${prefix}-`));
}
