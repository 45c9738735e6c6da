/** `--format stylish` (default): findings grouped by file, coloured, with a one-line summary. */
import { Chalk } from "chalk";
import type { Finding } from "../types.js";
import { summarize } from "./json.js";

export interface StylishOptions {
  color: boolean;
  /** Findings a baseline left out: said in the summary line. */
  baselined?: number;
}

export function formatStylish(findings: Finding[], filesScanned: number, opts: StylishOptions): string {
  const c = new Chalk({ level: opts.color ? 1 : 0 });
  const sev = (s: Finding["severity"]) => (s === "error" ? c.red("error") : s === "warning" ? c.yellow("warning") : c.blue("info"));
  const byFile = new Map<string, Finding[]>();
  for (const f of findings) {
    const list = byFile.get(f.loc.file) ?? [];
    list.push(f);
    byFile.set(f.loc.file, list);
  }
  const lines: string[] = [];
  for (const [file, list] of byFile) {
    lines.push(c.underline(file));
    for (const f of list) {
      const pos = `${f.loc.line}:${f.loc.column}`;
      lines.push(`  ${c.dim(pos.padEnd(7))} ${sev(f.severity)}  ${f.message}  ${c.dim(f.ruleId)}`);
      for (const r of f.related) lines.push(`  ${" ".repeat(7)}   ${c.dim(`↳ ${r.loc.file}:${r.loc.line}: ${r.message}`)}`);
    }
    lines.push("");
  }
  // How to fix: once per rule, not once per finding.
  const fixes = new Map<string, Finding>();
  for (const f of findings) if (f.help && f.severity !== "info" && !fixes.has(f.ruleId)) fixes.set(f.ruleId, f);
  if (fixes.size > 0) {
    lines.push(c.bold("How to fix"));
    const shown = new Set<string>();
    for (const [id, f] of [...fixes].sort(([a], [b]) => (a < b ? -1 : 1))) {
      lines.push(`  ${c.green(id)}: ${f.help}`);
      if (f.suggestion && !shown.has(f.suggestion.snippet)) {
        shown.add(f.suggestion.snippet);
        for (const l of f.suggestion.snippet.split("\n")) lines.push(`      ${c.cyan(l)}`);
      } else if (f.suggestion) lines.push(`      ${c.dim("(same snippet as above)")}`);
      if (f.docsUrl) lines.push(`      ${c.dim(`docs: ${f.docsUrl}`)}`);
    }
    lines.push("");
  }
  const s = summarize(findings, filesScanned);
  const parts = [
    `${s.errors} error${s.errors === 1 ? "" : "s"}`,
    `${s.warnings} warning${s.warnings === 1 ? "" : "s"}`,
    `${s.infos} info${s.infos === 1 ? "" : "s"}`,
  ];
  const baselined = opts.baselined ? ` (${opts.baselined} more in the baseline)` : "";
  const summary = `${s.errors + s.warnings === 0 ? "✓" : "✖"} ${parts.join(", ")} in ${s.filesScanned} file${s.filesScanned === 1 ? "" : "s"} scanned${baselined}`;
  lines.push(s.errors > 0 ? c.red.bold(summary) : s.warnings > 0 ? c.yellow.bold(summary) : c.green.bold(summary));
  return `${lines.join("\n")}\n`;
}
