/**
 * `--format github`: GitHub Actions workflow commands, one annotation per finding
 * (`::error file=...,line=...::message`), shown on the pull request's diff.
 */
import type { Finding } from "../types.js";

const LEVEL: Record<Finding["severity"], string> = { error: "error", warning: "warning", info: "notice" };

/** Data of a workflow command: %, CR and LF are escaped. */
function escapeData(s: string): string {
  return s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

/** Property values escape `:` and `,` too. */
function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

export function formatGithub(findings: Finding[]): string {
  return findings
    .map((f) => {
      const props = [
        `file=${escapeProperty(f.loc.file)}`,
        `line=${f.loc.line}`,
        `col=${f.loc.column}`,
        `endLine=${f.loc.endLine}`,
        `endColumn=${f.loc.endColumn}`,
        `title=${escapeProperty(`tablewarden (${f.ruleId})`)}`,
      ].join(",");
      const related = f.related.map((r) => `\n  ${r.loc.file}:${r.loc.line}: ${r.message}`).join("");
      const help = f.help && f.severity !== "info" ? `\nFix: ${f.help}` : "";
      return `::${LEVEL[f.severity]} ${props}::${escapeData(f.message + related + help)}\n`;
    })
    .join("");
}
