/**
 * Scanning one Python file: read it, apply the prefilter, and parse + extract it when it is worth it.
 * The unit of work of the main thread and of the worker threads alike (src/project/parallel.ts): its
 * input and its result are plain data, so they cross a thread boundary by structured clone.
 *
 * What the facts cache decides stays on the main thread: a scanner only learns which facts keys the
 * cache holds, and answers "cached" instead of parsing such a file.
 */
import type { Diagnostic } from "../types.js";
import { fileLoc } from "../types.js";
import { createReader } from "./read.js";
import { worthParsing } from "./prefilter.js";
import { deployReadsPython } from "./deploy-files.js";
import { factsKey } from "./cache.js";
import { PythonParser } from "../python/parse.js";
import { extractFile } from "../extract/index.js";
import { mentionsRawSql, tokenizerAnalyzer } from "../extract/sql.js";
import type { SqlAnalyzer } from "../extract/sql.js";
import { loadPgAnalyzer } from "../extract/pgsql.js";
import type { FileFacts } from "../extract/facts.js";

/** A Python file to scan; `text` when it comes from an unsaved buffer instead of the disk. */
export interface ScanJob {
  abs: string;
  rel: string;
  text?: string;
  /**
   * Parse it even though the prefilter passes over it: an import leads to it (src/lint.ts). Its raw SQL
   * is read with the tokenizer, as when the linker loads such a file itself.
   */
  force?: boolean;
}

export interface ScanSettings {
  maxBytes: number;
  /** The facts keys the cache holds (their files are not parsed); null when there is no cache (no keys computed). */
  cachedKeys: string[] | null;
}

/** What became of a file. `key` is its facts key ("" without a cache). */
export type ScanOutcome =
  | { kind: "unreadable" }
  /** The prefilter passed over it: its text, in case an import leads to it. */
  | { kind: "passed"; text: string; key: string }
  /** The cache holds its facts. `text`: a file the deploy side reads (`deployReadsPython`), as read. */
  | { kind: "cached"; key: string; text?: string }
  | { kind: "parsed"; key: string; facts: FileFacts; chars: number; text?: string }
  /** Extraction threw (a bug): reported on the file. */
  | { kind: "failed"; error: string; chars: number };

export interface ScanResult {
  /** Diagnostics of reading the file (binary, encoding, too large, unreadable). */
  diagnostics: Diagnostic[];
  outcome: ScanOutcome;
  readMs: number;
  parseMs: number;
}

export type Scanner = (job: ScanJob) => Promise<ScanResult>;

/**
 * A worker's answer for a file whose raw SQL wants the PostgreSQL parser: only the main thread loads it (its
 * WebAssembly costs ~0.2 s per thread to load and warm up), so the worker hands the file over as it read it.
 */
export interface LeftToMain {
  left: true;
  text: string;
  diagnostics: Diagnostic[];
  readMs: number;
}

/** A worker thread's scanner (`createScanner(settings, true)`). */
export type WorkerScanner = (job: ScanJob) => Promise<ScanResult | LeftToMain>;

/** Folders whose files may hold raw SQL worth the real PostgreSQL parser (Django migrations, Alembic revisions). */
const RAW_SQL_HOME = /(?:^|\/)(?:migrations|versions)\//;

/**
 * A scanner with its own reader, parser and (loaded on the first uncached raw-SQL file) PostgreSQL parser.
 * `leavePg`: never load the PostgreSQL parser; a file that would need it is handed back (LeftToMain).
 */
export function createScanner(settings: ScanSettings): Scanner;
export function createScanner(settings: ScanSettings, leavePg: true): WorkerScanner;
export function createScanner(settings: ScanSettings, leavePg = false): WorkerScanner {
  const reader = createReader(settings.maxBytes);
  const cached = settings.cachedKeys ? new Set(settings.cachedKeys) : null;
  const parser = new PythonParser(); // tree-sitter loads on the first parse
  let pg: SqlAnalyzer | null | undefined;

  /** The raw-SQL reader for a file and its name, or null when it needs the PostgreSQL parser and `leavePg`. */
  const sqlReader = async (rel: string, text: string): Promise<[SqlAnalyzer, string] | null> => {
    if (!RAW_SQL_HOME.test(rel) || !mentionsRawSql(text)) return [tokenizerAnalyzer, "tokenizer"];
    if (pg === undefined && !cached?.has(factsKey(rel, text, "pg"))) {
      if (leavePg) return null;
      try {
        pg = await loadPgAnalyzer();
      } catch {
        pg = null; // the tokenizer still reads the SQL
      }
    }
    return pg === null ? [tokenizerAnalyzer, "tokenizer"] : [pg ?? tokenizerAnalyzer, "pg"];
  };

  return async (job) => {
    const tr = performance.now();
    const read = job.text !== undefined ? { text: job.text, diagnostics: [] } : reader.read(job.abs, job.rel);
    const result: ScanResult = { diagnostics: read.diagnostics, outcome: { kind: "unreadable" }, readMs: performance.now() - tr, parseMs: 0 };
    const text = read.text;
    if (text === null) return result;
    if (!job.force && !worthParsing(job.rel, text)) {
      result.outcome = { kind: "passed", text, key: cached ? factsKey(job.rel, text, "tokenizer") : "" };
      return result;
    }
    const chosen = job.force ? ([tokenizerAnalyzer, "tokenizer"] as const) : await sqlReader(job.rel, text);
    if (chosen === null) return { left: true, text, diagnostics: result.diagnostics, readMs: result.readMs };
    const [sql, sqlName] = chosen;
    const key = cached ? factsKey(job.rel, text, sqlName) : "";
    // The deploy side reads a few of these files again (env.py, settings...): their text goes along.
    const kept = deployReadsPython(job.rel) ? { text } : {};
    if (cached?.has(key)) {
      result.outcome = { kind: "cached", key, ...kept };
      return result;
    }
    const tp = performance.now();
    const extracted = extractSafely(job.rel, text, parser, sql);
    result.outcome = "facts" in extracted ? { kind: "parsed", key, facts: extracted.facts, chars: text.length, ...kept } : { kind: "failed", error: extracted.error, chars: text.length };
    result.parseMs = performance.now() - tp;
    return result;
  };
}

/** Extract one file; a crash (a bug in an extractor) becomes an error message, never an exception. */
export function extractSafely(rel: string, text: string, parser: PythonParser, sql: SqlAnalyzer): { facts: FileFacts } | { error: string } {
  try {
    return { facts: extractFile(rel, text, parser, sql) };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

/** The diagnostic of a file whose extraction crashed. */
export function extractionFailed(rel: string, error: string): Diagnostic {
  return { code: "unreadable-file", severity: "warning", message: `internal error while reading this file: ${error}`, loc: fileLoc(rel) };
}
