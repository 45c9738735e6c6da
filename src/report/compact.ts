/**
 * `--format compact`: one line per finding, `file:line:column: severity: message [rule-id]`, for editors'
 * problem matchers and errorformat (VS Code, Vim/Neovim, Emacs compilation mode). Paths are relative to
 * the project root; the other side of a conflict is in the message (as `file:line`).
 */
import type { Finding } from "../types.js";

export function formatCompact(findings: Finding[]): string {
  return findings.map((f) => `${f.loc.file}:${f.loc.line}:${f.loc.column}: ${f.severity}: ${f.message.replace(/\s*\r?\n\s*/g, " ")} [${f.ruleId}]\n`).join("");
}
