/**
 * The engine: runs every enabled rule over the graph, turns diagnostics into findings, applies
 * severity overrides and --quiet, and sorts the result. Knows no rule by name.
 */
import type { Diagnostic, Finding, Severity, SeverityOrOff } from "../types.js";
import { DIAGNOSTIC_CODES } from "../types.js";
import type { Rule } from "../rule.js";
import type { OwnershipGraph } from "../graph/index.js";
import type { ProjectFacts } from "../link/types.js";
import { docsPageUrl } from "../rule.js";

export interface EngineOptions {
  /** ruleId (or diagnostic code) → severity or "off". */
  ruleSeverities: Record<string, SeverityOrOff>;
  ruleOptions: Record<string, Record<string, unknown>>;
  quiet: boolean;
}

export function runRules(rules: Rule[], graph: OwnershipGraph, project: ProjectFacts, diagnostics: Diagnostic[], opts: EngineOptions): Finding[] {
  const findings: Finding[] = [];
  for (const rule of rules) {
    const configured = opts.ruleSeverities[rule.id] ?? rule.severity;
    if (configured === "off") continue;
    for (const f of rule.run(graph, project, configured, opts.ruleOptions[rule.id])) findings.push(f);
  }
  const diagnosticsUrl = docsPageUrl("diagnostics.md");
  for (const d of diagnostics) {
    const configured = opts.ruleSeverities[d.code];
    if (configured === "off") continue;
    findings.push({
      ruleId: d.code,
      severity: configured ?? d.severity,
      message: d.message,
      loc: d.loc,
      related: [],
      docsUrl: diagnosticsUrl,
    });
  }
  const unsuppressed = applySuppressions(findings, project.suppressions, opts.ruleSeverities["unused-suppression"], diagnosticsUrl);
  const kept = opts.quiet ? unsuppressed.filter((f) => f.severity === "error") : unsuppressed;
  return sortFindings(dedupe(kept));
}

/**
 * Drop findings an inline comment suppresses (`# tablewarden: ignore[id]` on the finding's line,
 * `ignore-file[id]` anywhere in its file), and report suppressions that matched nothing, like ruff's RUF100.
 */
function applySuppressions(findings: Finding[], suppressions: ProjectFacts["suppressions"], unusedLevel: SeverityOrOff | undefined, docsUrl: string): Finding[] {
  const used = new Set<string>();
  const key = (file: string, line: number, rule: string) => `${file}\0${line}\0${rule}`;
  const kept = findings.filter((f) => {
    for (const s of suppressions[f.loc.file] ?? []) {
      if ((s.scope === "file" || s.line === f.loc.line) && s.rules.includes(f.ruleId)) {
        used.add(key(f.loc.file, s.line, f.ruleId));
        return false;
      }
    }
    return true;
  });
  if (unusedLevel === "off") return kept;
  for (const [file, list] of Object.entries(suppressions)) {
    for (const s of list) {
      const unused = s.rules.filter((r) => !used.has(key(file, s.line, r)));
      if (unused.length === 0 && s.rules.length > 0) continue;
      kept.push({
        ruleId: "unused-suppression",
        severity: unusedLevel ?? "info",
        message:
          s.rules.length === 0
            ? "this tablewarden suppression names no rule; write the ids to ignore: # tablewarden: ignore[rule-id]"
            : `unused suppression: no ${unused.map((r) => `\`${r}\``).join(", ")} finding ${s.scope === "file" ? "in this file" : "on this line"}; remove it`,
        loc: { file, line: s.line, column: s.column, endLine: s.line, endColumn: s.column },
        related: [],
        docsUrl,
      });
    }
  }
  return kept;
}

/** Every id a --rule flag may name. */
export function knownIds(rules: Rule[]): string[] {
  return [...rules.map((r) => r.id), ...DIAGNOSTIC_CODES].sort();
}

function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const k = `${f.ruleId}\0${f.loc.file}\0${f.loc.line}\0${f.loc.column}\0${f.table ?? ""}\0${f.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

export function sortFindings(findings: Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      cmp(a.loc.file, b.loc.file) ||
      a.loc.line - b.loc.line ||
      a.loc.column - b.loc.column ||
      cmp(a.ruleId, b.ruleId) ||
      cmp(a.table ?? "", b.table ?? "") ||
      SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
      cmp(a.message, b.message),
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
