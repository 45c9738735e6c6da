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
  /** Reading, decoding, the prefilter and the content hash. */
  readMs: number;
  /** tree-sitter's parse. */
  parseMs: number;
  /** Converting the tree and extracting the facts (raw SQL included). */
  extractMs: number;
}

export type Scanner = (job: ScanJob) => Promise<ScanResult>;

/**
 * A scanner's answer for a file whose raw SQL wants the PostgreSQL parser while it is not at hand: a worker's
 * (only the main thread loads it: its WebAssembly costs ~0.2 s per thread to load and warm up), or the main
 * thread's while the parser loads in the background. The file is handed over as it was read, and scanned
 * again with its text once the parser is loaded.
 */
export interface LeftToMain {
  left: true;
  text: string;
  diagnostics: Diagnostic[];
  readMs: number;
}

/** A scanner that may leave files to later (`createScanner(settings, "leave")` or with a PgLoader). */
export type WorkerScanner = (job: ScanJob) => Promise<ScanResult | LeftToMain>;

/** Folders whose files may hold raw SQL worth the real PostgreSQL parser (Django migrations, Alembic revisions). */
const RAW_SQL_HOME = /(?:^|\/)(?:migrations|versions)\//;

/**
 * The PostgreSQL parser of one thread, loaded in the background from the first call of `start`. Loading is
 * mostly compiling 1.7 MB of WebAssembly, which V8 does off the thread: waiting for it inline left the main
 * thread idle for 0.1–0.2 s in the middle of a scan.
 */
export interface PgLoader {
  /** Start loading (once); resolves when it is loaded or failed. */
  start(): Promise<void>;
  /** The parser: undefined while not loaded, null when it failed to load (the tokenizer reads the SQL then). */
  get(): SqlAnalyzer | null | undefined;
}

export function pgLoader(load: () => Promise<SqlAnalyzer> = loadPgAnalyzer): PgLoader {
  let loading: Promise<void> | undefined;
  let pg: SqlAnalyzer | null | undefined;
  return {
    start: () =>
      (loading ??= load().then(
        (a) => void (pg = a),
        () => void (pg = null),
      )),
    get: () => pg,
  };
}

/**
 * A scanner with its own reader and parser. How it gets the PostgreSQL parser:
 * - no `pg`: it loads it on the first uncached raw-SQL file, and waits;
 * - `"leave"` (a worker): never; a file that would need it is handed back (LeftToMain);
 * - a PgLoader (the main thread of a scan): it starts the loader on the first such file and hands back the files
 *   that need it until it is loaded, to be scanned again with their text (`job.text`) once it is.
 */
export function createScanner(settings: ScanSettings): Scanner;
export function createScanner(settings: ScanSettings, pg: "leave" | PgLoader): WorkerScanner;
export function createScanner(settings: ScanSettings, pg?: "leave" | PgLoader): WorkerScanner {
  const reader = createReader(settings.maxBytes);
  const cached = settings.cachedKeys ? new Set(settings.cachedKeys) : null;
  const parser = new PythonParser(); // tree-sitter loads on the first parse
  const loader = pg === undefined || pg === "leave" ? pgLoader() : pg;

  /** The raw-SQL reader for a file and its name, or null when it needs the PostgreSQL parser and must leave it. */
  const sqlReader = async (rel: string, text: string): Promise<[SqlAnalyzer, string] | null> => {
    if (!RAW_SQL_HOME.test(rel) || !mentionsRawSql(text)) return [tokenizerAnalyzer, "tokenizer"];
    let analyzer = loader.get();
    if (analyzer === undefined && !cached?.has(factsKey(rel, text, "pg"))) {
      if (pg === "leave") return null;
      const loading = loader.start();
      if (pg !== undefined) return null; // loading in the background: scanned again once it is loaded
      await loading;
      analyzer = loader.get();
    }
    return analyzer === null ? [tokenizerAnalyzer, "tokenizer"] : [analyzer ?? tokenizerAnalyzer, "pg"];
  };

  return async (job) => {
    const tr = performance.now();
    const read = job.text !== undefined ? { text: job.text, diagnostics: [] } : reader.read(job.abs, job.rel);
    const result: ScanResult = { diagnostics: read.diagnostics, outcome: { kind: "unreadable" }, readMs: 0, parseMs: 0, extractMs: 0 };
    const text = read.text;
    if (text === null) {
      result.readMs = performance.now() - tr;
      return result;
    }
    if (!job.force && !worthParsing(job.rel, text)) {
      result.outcome = { kind: "passed", text, key: cached ? factsKey(job.rel, text, "tokenizer") : "" };
      result.readMs = performance.now() - tr;
      return result;
    }
    result.readMs = performance.now() - tr; // not the wait for the PostgreSQL parser, if any
    const chosen = job.force ? ([tokenizerAnalyzer, "tokenizer"] as const) : await sqlReader(job.rel, text);
    if (chosen === null) return { left: true, text, diagnostics: result.diagnostics, readMs: result.readMs };
    const [sql, sqlName] = chosen;
    const tk = performance.now();
    const key = cached ? factsKey(job.rel, text, sqlName) : "";
    result.readMs += performance.now() - tk;
    // The deploy side reads a few of these files again (env.py, settings...): their text goes along.
    const kept = deployReadsPython(job.rel) ? { text } : {};
    if (cached?.has(key)) {
      result.outcome = { kind: "cached", key, ...kept };
      return result;
    }
    const tp = performance.now();
    const ts = parser.treeSitterMs;
    const extracted = extractSafely(job.rel, text, parser, sql);
    result.outcome = "facts" in extracted ? { kind: "parsed", key, facts: extracted.facts, chars: text.length, ...kept } : { kind: "failed", error: extracted.error, chars: text.length };
    result.parseMs = parser.treeSitterMs - ts;
    result.extractMs = performance.now() - tp - result.parseMs;
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
