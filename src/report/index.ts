/** Reporters: pure formatting of findings. */
import type { Finding } from "../types.js";
import { formatJson } from "./json.js";
import { formatStylish } from "./stylish.js";
import { formatGithub } from "./github.js";
import { formatSarif, DIAGNOSTIC_SUMMARIES } from "./sarif.js";
import { formatCompact } from "./compact.js";
import type { SarifRuleInfo } from "./sarif.js";
import type { Rule } from "../rule.js";
import type { DiagnosticCode } from "../types.js";
import { docsPageUrl } from "../rule.js";

export const FORMATS = ["stylish", "json", "github", "sarif", "compact"] as const;
export type Format = (typeof FORMATS)[number];

/** What some formats need besides the findings (SARIF lists every rule; the summaries count the baseline). */
export interface ReportContext {
  rules?: Rule[];
  toolVersion?: string;
  /** Absolute folder finding paths are relative to. */
  root?: string;
  /**
   * Absolute folder the `github` format's paths are relative to: the repository's checkout ($GITHUB_WORKSPACE),
   * which GitHub resolves annotations against, else the working directory.
   */
  workspace?: string;
  baselined?: number;
}

export function format(name: Format, findings: Finding[], filesScanned: number, color: boolean, ctx: ReportContext = {}): string {
  const baselined = ctx.baselined ?? 0;
  switch (name) {
    case "json":
      return formatJson({ findings, filesScanned, baselined });
    case "stylish":
      return formatStylish(findings, filesScanned, { color, baselined });
    case "github":
      return formatGithub(findings, ctx.root && ctx.workspace ? { root: ctx.root, workspace: ctx.workspace } : undefined);
    case "compact":
      return formatCompact(findings);
    case "sarif":
      return formatSarif(findings, { rules: sarifRules(ctx.rules ?? []), toolVersion: ctx.toolVersion ?? "0.0.0", root: ctx.root ?? process.cwd(), baselined });
  }
}

function sarifRules(rules: Rule[]): SarifRuleInfo[] {
  const diagnostics = Object.entries(DIAGNOSTIC_SUMMARIES) as Array<[DiagnosticCode, { summary: string; severity: Finding["severity"] }]>;
  return [
    ...[...rules].sort((a, b) => (a.id < b.id ? -1 : 1)).map((r) => ({ id: r.id, summary: r.summary, help: r.help, docsUrl: r.docsUrl, severity: r.severity })),
    ...diagnostics.map(([id, d]) => ({ id, summary: d.summary, docsUrl: docsPageUrl("diagnostics.md"), severity: d.severity })),
  ];
}
