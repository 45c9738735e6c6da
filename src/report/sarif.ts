/**
 * `--format sarif`: one SARIF 2.1.0 log (OASIS), for GitHub code scanning and other SARIF viewers.
 *
 * - `tool.driver.rules`: every rule and diagnostic code, with shortDescription, help, helpUri and the
 *   default severity as `defaultConfiguration.level`; results point at them by `ruleIndex`.
 * - Paths are relative to the `PROJECTROOT` base id (an absolute file URI in `originalUriBaseIds`).
 *   Regions use 1-based lines and UTF-16 columns (`columnKind`), `endColumn` exclusive, as the Loc does.
 * - The other side of a conflict is in `relatedLocations`; the message links to them (`[text](id)`).
 * - `partialFingerprints["tablewarden/v1"]` is the baseline fingerprint (survives line moves).
 * - A suggestion becomes a `fix` only when it names the exact region it replaces; a paste-ready snippet
 *   that is not a replacement goes into the markdown message and `properties.suggestion`.
 */
import { pathToFileURL } from "node:url";
import type { DiagnosticCode, Finding, Loc, Severity } from "../types.js";

export const SARIF_SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

export interface SarifRuleInfo {
  id: string;
  summary: string;
  help?: string;
  docsUrl: string;
  severity: Severity;
}

export interface SarifContext {
  /** Rules and diagnostic codes, in the order they should be listed. */
  rules: SarifRuleInfo[];
  toolVersion: string;
  /** Absolute folder finding paths are relative to. */
  root: string;
  /** Findings left out by a baseline (recorded in the run's properties). */
  baselined?: number;
}

/** Diagnostics are reported like rules; their page is docs/diagnostics.md. */
export const DIAGNOSTIC_SUMMARIES: Record<DiagnosticCode, { summary: string; severity: Severity }> = {
  "syntax-error": { summary: "A Python file has a syntax error; the rest of it is still read", severity: "warning" },
  "unreadable-file": { summary: "A file could not be read", severity: "warning" },
  "skipped-file": { summary: "A binary or over-sized file was skipped", severity: "info" },
  encoding: { summary: "A file is not valid UTF-8 and declares no encoding", severity: "warning" },
  unresolved: { summary: "Something tablewarden could not resolve statically", severity: "info" },
  "separate-databases": { summary: "Django and an Alembic environment use different databases", severity: "info" },
  "unused-suppression": { summary: "A tablewarden suppression comment suppressed nothing", severity: "info" },
};

const LEVEL: Record<Severity, "error" | "warning" | "note"> = { error: "error", warning: "warning", info: "note" };

/** A relative path as a URI reference: each segment percent-encoded, slashes kept. */
function uriOf(file: string): string {
  return file.split("/").map(encodeURIComponent).join("/");
}

function physical(loc: Loc) {
  const region: Record<string, number> = { startLine: loc.line, startColumn: loc.column };
  if (loc.endLine >= loc.line) region["endLine"] = loc.endLine;
  // An empty end (a whole-file location at 1:1) is left out rather than made into an empty region.
  if (loc.endLine > loc.line || loc.endColumn > loc.column) region["endColumn"] = loc.endColumn;
  return { artifactLocation: { uri: uriOf(loc.file), uriBaseId: "PROJECTROOT" }, region };
}

/** Markdown text is escaped where SARIF messages treat brackets as links. */
function plain(text: string): string {
  return text.replace(/[[\]]/g, (c) => `\\${c}`);
}

function message(f: Finding) {
  const links = f.related.map((r, i) => `[${plain(`${r.loc.file}:${r.loc.line}`)}](${i + 1}) ${plain(r.message)}`);
  const text = [plain(f.message), ...links.map((l) => `- ${l}`)].join("\n");
  const md: string[] = [f.message, ...f.related.map((r, i) => `- [${r.loc.file}:${r.loc.line}](${i + 1}): ${r.message}`)];
  if (f.suggestion && !f.suggestion.replaces) md.push("", f.suggestion.message, "", "```python", f.suggestion.snippet, "```");
  return { text, markdown: md.join("\n") };
}

function fixOf(f: Finding) {
  const s = f.suggestion;
  if (!s?.replaces) return undefined;
  const r = physical(s.replaces);
  return [{ description: { text: s.message }, artifactChanges: [{ artifactLocation: r.artifactLocation, replacements: [{ deletedRegion: r.region, insertedContent: { text: s.snippet } }] }] }];
}

export function formatSarif(findings: Finding[], ctx: SarifContext): string {
  const index = new Map(ctx.rules.map((r, i) => [r.id, i]));
  const rules = ctx.rules.map((r) => ({
    id: r.id,
    name: r.id.replace(/(^|-)([a-z])/g, (_m, _d: string, c: string) => c.toUpperCase()),
    shortDescription: { text: r.summary },
    ...(r.help ? { help: { text: r.help, markdown: `${r.help}\n\n[Rule documentation](${r.docsUrl})` } } : {}),
    helpUri: r.docsUrl,
    defaultConfiguration: { level: LEVEL[r.severity] },
  }));
  const results = findings.map((f) => {
    const fix = fixOf(f);
    return {
      ruleId: f.ruleId,
      ...(index.has(f.ruleId) ? { ruleIndex: index.get(f.ruleId)! } : {}),
      level: LEVEL[f.severity],
      message: message(f),
      locations: [{ physicalLocation: physical(f.loc) }],
      ...(f.related.length > 0 ? { relatedLocations: f.related.map((r, i) => ({ id: i + 1, physicalLocation: physical(r.loc), message: { text: r.message } })) } : {}),
      ...(f.fingerprint ? { partialFingerprints: { "tablewarden/v1": f.fingerprint } } : {}),
      ...(fix ? { fixes: fix } : {}),
      ...(f.table !== undefined || (f.suggestion && !f.suggestion.replaces)
        ? {
            properties: {
              ...(f.table !== undefined ? { table: f.table } : {}),
              ...(f.suggestion && !f.suggestion.replaces ? { suggestion: { message: f.suggestion.message, snippet: f.suggestion.snippet } } : {}),
            },
          }
        : {}),
    };
  });
  const root = pathToFileURL(ctx.root).href;
  const log = {
    $schema: SARIF_SCHEMA_URI,
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "tablewarden",
            version: ctx.toolVersion,
            semanticVersion: ctx.toolVersion,
            rules,
          },
        },
        originalUriBaseIds: { PROJECTROOT: { uri: root.endsWith("/") ? root : `${root}/` } },
        columnKind: "utf16CodeUnits",
        results,
        ...(ctx.baselined ? { properties: { baselined: ctx.baselined } } : {}),
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
