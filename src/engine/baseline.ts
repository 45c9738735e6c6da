/**
 * Baseline: adopt tablewarden on a legacy project by recording today's findings
 * (`--write-baseline FILE`) and reporting only new ones (`--baseline FILE`).
 *
 * A finding's fingerprint must survive edits that do not touch it: it hashes the rule, the table, the
 * file, the message with every `:line` / `:line:column` / `line N` taken out (messages name the other
 * side's file:line), and the text of the reported line with its whitespace normalised. It does not hash
 * line numbers, so moving code up or down keeps it; editing the reported line or renaming the file
 * makes the finding new. Equal fingerprints are counted: a baseline of two lets two such findings pass,
 * and a third is reported.
 */
import { createHash } from "node:crypto";
import type { Finding } from "../types.js";

export const BASELINE_VERSION = 1;

export interface BaselineEntry {
  fingerprint: string;
  /** How many findings with this fingerprint were recorded. */
  count: number;
  /** For people reading the file in review; matching uses the fingerprint only. */
  ruleId: string;
  table?: string;
  file: string;
  message: string;
}

export interface Baseline {
  version: typeof BASELINE_VERSION;
  tool: "tablewarden";
  entries: BaselineEntry[];
}

/** The message without the line numbers it quotes. */
export function normaliseMessage(message: string): string {
  return message
    .replace(/:\d+(?::\d+)?(?!\d)/g, "")
    .replace(/\blines? \d+(?:[-\u2013]\d+)?/g, "line")
    .replace(/\s+/g, " ")
    .trim();
}

export function normaliseLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

export function fingerprint(f: Finding, lineText: string): string {
  const parts = [f.ruleId, f.table ?? "", f.loc.file, normaliseMessage(f.message), normaliseLine(lineText)];
  return createHash("sha256").update(JSON.stringify(parts)).digest("hex").slice(0, 32);
}

/** Findings must carry fingerprints (lint() sets them). */
export function buildBaseline(findings: Finding[]): Baseline {
  const byPrint = new Map<string, BaselineEntry>();
  for (const f of findings) {
    const fp = f.fingerprint!;
    const entry = byPrint.get(fp);
    if (entry) entry.count++;
    else byPrint.set(fp, { fingerprint: fp, count: 1, ruleId: f.ruleId, ...(f.table !== undefined ? { table: f.table } : {}), file: f.loc.file, message: f.message });
  }
  const entries = [...byPrint.values()].sort((a, b) => cmp(a.file, b.file) || cmp(a.ruleId, b.ruleId) || cmp(a.fingerprint, b.fingerprint));
  return { version: BASELINE_VERSION, tool: "tablewarden", entries };
}

export function serializeBaseline(b: Baseline): string {
  return `${JSON.stringify(b, null, 2)}\n`;
}

/** Parse a baseline file's text; a message naming what is wrong, or the baseline. */
export function parseBaseline(text: string): Baseline | string {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return `not valid JSON (${e instanceof Error ? e.message : String(e)})`;
  }
  const doc = raw as Partial<Baseline> | null;
  if (typeof doc !== "object" || doc === null || doc.tool !== "tablewarden" || !Array.isArray(doc.entries))
    return 'not a tablewarden baseline (expected {"tool": "tablewarden", "version": 1, "entries": [...]}; write one with --write-baseline)';
  if (doc.version !== BASELINE_VERSION) return `baseline version ${String(doc.version)} is not supported (this tablewarden reads version ${BASELINE_VERSION})`;
  for (const [i, e] of doc.entries.entries()) {
    if (typeof e?.fingerprint !== "string" || !Number.isInteger(e.count) || e.count < 1) return `entries[${i}]: expected {"fingerprint": "<hex>", "count": <n ≥ 1>, ...}`;
  }
  return doc as Baseline;
}

/** Drop the findings the baseline accounts for (up to its count per fingerprint, in report order). */
export function applyBaseline(findings: Finding[], baseline: Baseline): { findings: Finding[]; baselined: number } {
  const left = new Map<string, number>();
  for (const e of baseline.entries) left.set(e.fingerprint, (left.get(e.fingerprint) ?? 0) + e.count);
  let baselined = 0;
  const kept = findings.filter((f) => {
    const n = f.fingerprint ? (left.get(f.fingerprint) ?? 0) : 0;
    if (n === 0) return true;
    left.set(f.fingerprint!, n - 1);
    baselined++;
    return false;
  });
  return { findings: kept, baselined };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
