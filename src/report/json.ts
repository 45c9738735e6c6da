/** `--format json`: one stable JSON document (shape documented in docs/output.md). */
import type { Finding } from "../types.js";

export interface JsonReportInput {
  findings: Finding[];
  filesScanned: number;
  /** Findings a baseline left out. */
  baselined?: number;
}

export function formatJson(input: JsonReportInput): string {
  const doc = {
    version: 1,
    findings: input.findings.map((f) => ({
      ruleId: f.ruleId,
      severity: f.severity,
      message: f.message,
      ...(f.table !== undefined ? { table: f.table } : {}),
      file: f.loc.file,
      line: f.loc.line,
      column: f.loc.column,
      endLine: f.loc.endLine,
      endColumn: f.loc.endColumn,
      related: f.related.map((r) => ({ file: r.loc.file, line: r.loc.line, column: r.loc.column, message: r.message })),
      ...(f.help ? { help: f.help } : {}),
      ...(f.docsUrl ? { docsUrl: f.docsUrl } : {}),
      ...(f.suggestion ? { suggestion: f.suggestion } : {}),
      ...(f.fingerprint ? { fingerprint: f.fingerprint } : {}),
    })),
    summary: { ...summarize(input.findings, input.filesScanned), ...(input.baselined ? { baselined: input.baselined } : {}) },
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

export function summarize(findings: Finding[], filesScanned: number) {
  return {
    errors: findings.filter((f) => f.severity === "error").length,
    warnings: findings.filter((f) => f.severity === "warning").length,
    infos: findings.filter((f) => f.severity === "info").length,
    filesScanned,
  };
}
