/**
 * The pipeline: discover → read → parse/extract → link → graph → rules. One call is one lint run;
 * everything it caches lives in this call (no module-level state), so runs never interfere.
 */
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import type { Finding, Diagnostic, SeverityOrOff } from "./types.js";
import { discover } from "./project/discover.js";
import type { SourceFile } from "./project/discover.js";
import { readSource, DEFAULT_MAX_FILE_BYTES } from "./project/read.js";
import { worthParsing } from "./project/prefilter.js";
import { PythonParser } from "./python/parse.js";
import { extractFile } from "./extract/index.js";
import { mentionsRawSql, tokenizerAnalyzer } from "./extract/sql.js";
import type { SqlAnalyzer } from "./extract/sql.js";
import { loadPgAnalyzer } from "./extract/pgsql.js";
import type { FileFacts } from "./extract/facts.js";
import { defaultCacheDir, factsKey, openCache, toolFingerprint } from "./project/cache.js";
import type { FactsCache } from "./project/cache.js";
import { packageRoot } from "./data/catalog.js";
import { parseIni, pyprojectAlembic } from "./extract/alembic/ini.js";
import type { IniFacts } from "./extract/alembic/ini.js";
import { link } from "./link/index.js";
import type { ProjectFacts } from "./link/types.js";
import { OwnershipGraph } from "./graph/index.js";
import { loadRules } from "./engine/rules.js";
import { runRules } from "./engine/index.js";
import type { Rule } from "./rule.js";
import { emptyConfig, loadConfig } from "./config/index.js";
import type { Config } from "./config/index.js";

export interface LintOptions {
  /** Files or folders to lint; relative ones are taken from `cwd`. Default: ["."]. */
  paths?: string[];
  cwd?: string;
  /** ruleId → severity or "off". */
  rules?: Record<string, SeverityOrOff>;
  ruleOptions?: Record<string, Record<string, unknown>>;
  /** Only error-severity findings. */
  quiet?: boolean;
  /** Extra ignore globs (relative to each root). */
  ignore?: string[];
  maxFileBytes?: number;
  /**
   * The persistent facts cache: a directory, `true`/undefined for the default one
   * (`$TABLEWARDEN_CACHE_DIR`, node_modules/.cache/tablewarden or the OS cache folder), `false` for none.
   */
  cache?: boolean | string;
  /** Settings to use instead of searching for .tablewarden.json / pyproject.toml (`false`: none). */
  config?: Config | false;
}

export interface LintResult {
  findings: Finding[];
  /** Files read (Python and ini). */
  filesScanned: number;
  /** The folder finding paths are relative to. */
  base: string;
  /** The configuration that applied (file null when none was found). */
  config: Config;
  /** Milliseconds spent per phase (read, parse and extract summed over files). */
  timings: Timings;
  project: ProjectFacts;
  graph: OwnershipGraph;
  rules: Rule[];
}

export interface Timings {
  discover: number;
  read: number;
  parse: number;
  link: number;
  rules: number;
  total: number;
  /** Python files parsed (the prefilter's choice plus those imports led to). */
  parsedFiles: number;
  parsedBytes: number;
  /** Python files whose facts came from the persistent cache (not parsed). */
  cachedFiles: number;
}

/** Folders whose files may hold raw SQL worth the real PostgreSQL parser (Django migrations, Alembic revisions). */
const RAW_SQL_HOME = /(?:^|\/)(?:migrations|versions)\//;

function openFactsCache(dir: string | true | undefined, base: string): FactsCache {
  const root = packageRoot();
  const version = (JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { version: string }).version;
  return openCache(typeof dir === "string" ? dir : defaultCacheDir(root), base, toolFingerprint(version));
}

/** A problem with the invocation itself (exit code 2). */
export class UsageError extends Error {
  override name = "UsageError";
}

export async function lint(options: LintOptions = {}): Promise<LintResult> {
  const cwd = options.cwd ?? process.cwd();
  const given = options.paths && options.paths.length > 0 ? options.paths : ["."];
  for (const p of given) {
    try {
      statSync(path.resolve(cwd, p));
    } catch {
      throw new UsageError(`path does not exist: ${p}`);
    }
  }
  const roots = given.map((p) => path.resolve(cwd, p));
  const base = commonBase(roots);
  const rules = await loadRules();
  const config = options.config === false ? emptyConfig() : (options.config ?? (await loadConfig(base, rules)));
  const t0 = performance.now();
  const timings: Timings = { discover: 0, read: 0, parse: 0, link: 0, rules: 0, total: 0, parsedFiles: 0, parsedBytes: 0, cachedFiles: 0 };
  const sources = await discover({ roots, base, ignore: [...config.exclude, ...(options.ignore ?? [])] });
  timings.discover = performance.now() - t0;
  const maxBytes = options.maxFileBytes ?? (config.maxFileSize ? parseSize(config.maxFileSize) : DEFAULT_MAX_FILE_BYTES);

  const parser = new PythonParser();
  const diagnostics: Diagnostic[] = [];
  const byRel = new Map<string, SourceFile>(sources.map((s) => [s.rel, s]));
  const facts = options.cache === false ? null : openFactsCache(options.cache, base);
  const memo = new Map<string, FileFacts | null>();
  /** Text of the files the prefilter passed over: parsed from memory if an import leads to them. */
  const deferred = new Map<string, string>();
  let filesScanned = 0;

  /** Extract one file (or take its facts from the cache); a crash becomes a diagnostic on the file. */
  const extract = (rel: string, text: string, sql: SqlAnalyzer, key: string): FileFacts | null => {
    let f = facts?.get(key) ?? null;
    if (!f) {
      const tp = performance.now();
      timings.parsedFiles++;
      timings.parsedBytes += text.length;
      try {
        f = extractFile(rel, text, parser, sql);
        facts?.set(key, f);
      } catch (e) {
        diagnostics.push({
          code: "unreadable-file",
          severity: "warning",
          message: `internal error while reading this file: ${e instanceof Error ? e.message : String(e)}`,
          loc: { file: rel, line: 1, column: 1, endLine: 1, endColumn: 1 },
        });
      }
      timings.parse += performance.now() - tp;
    }
    if (f) diagnostics.push(...f.diagnostics);
    memo.set(rel, f);
    return f;
  };

  // The real PostgreSQL parser is loaded the first time a migration or revision with raw SQL is not cached.
  let pg: SqlAnalyzer | null | undefined;
  const sqlReader = async (rel: string, text: string): Promise<[SqlAnalyzer, string]> => {
    if (!RAW_SQL_HOME.test(rel) || !mentionsRawSql(text)) return [tokenizerAnalyzer, "tokenizer"];
    if (pg === undefined && !facts?.has(factsKey(rel, text, "pg"))) {
      try {
        pg = await loadPgAnalyzer();
      } catch {
        pg = null; // the tokenizer still reads the SQL
      }
    }
    return pg === null ? [tokenizerAnalyzer, "tokenizer"] : [pg ?? tokenizerAnalyzer, "pg"];
  };

  /** Files the prefilter passed over in an earlier run, unchanged since: their facts key. */
  const deferredKeys = new Map<string, string>();
  const parsed: FileFacts[] = [];
  const inis: IniFacts[] = [];
  for (const s of sources) {
    filesScanned++;
    const tr = performance.now();
    // Stat before reading: a change made while this run reads the file is seen by the next run.
    const st = s.kind === "python" && facts ? statOrNull(s.abs) : null;
    if (st && facts) {
      // Unchanged since the last run (same size and time): what the file holds is known without reading it.
      const known = facts.known(s.rel, st.mtimeMs, st.size);
      if (known && !known.worth) {
        deferredKeys.set(s.rel, known.key);
        timings.read += performance.now() - tr;
        continue;
      }
      const f = known ? facts.get(known.key) : undefined;
      if (f) {
        memo.set(s.rel, f);
        diagnostics.push(...f.diagnostics);
        parsed.push(f);
        timings.read += performance.now() - tr;
        continue;
      }
    }
    const read = readSource(s.abs, s.rel, maxBytes, st?.size);
    timings.read += performance.now() - tr;
    diagnostics.push(...read.diagnostics);
    const text = read.text;
    if (s.kind === "python") {
      if (text === null) memo.set(s.rel, null);
      else if (!worthParsing(s.rel, text)) {
        deferred.set(s.rel, text);
        if (st && read.diagnostics.length === 0) facts?.remember(s.rel, st.mtimeMs, st.size, { key: factsKey(s.rel, text, "tokenizer"), worth: false });
      } else {
        const [sql, sqlName] = await sqlReader(s.rel, text);
        const key = facts ? factsKey(s.rel, text, sqlName) : "";
        const f = extract(s.rel, text, sql, key);
        if (f) parsed.push(f);
        if (f && st && read.diagnostics.length === 0) facts?.remember(s.rel, st.mtimeMs, st.size, { key, worth: true });
      }
    } else {
      if (text === null || !/script_location/.test(text)) continue;
      if (s.kind === "ini") inis.push(parseIni(s.rel, text));
      else {
        const section = await pyprojectAlembic(s.rel, text);
        if (section.ini) inis.push(section.ini);
        if (section.diagnostic) diagnostics.push(section.diagnostic);
      }
    }
  }

  /** A file an import leads to: parsed now if the prefilter passed over it. */
  const load = (rel: string): FileFacts | null => {
    if (memo.has(rel)) return memo.get(rel)!;
    const src = byRel.get(rel);
    if (src?.kind !== "python") return null;
    let text = deferred.get(rel);
    if (text === undefined) {
      const key = deferredKeys.get(rel);
      const f = key ? facts?.get(key) : undefined;
      if (f) {
        memo.set(rel, f);
        diagnostics.push(...f.diagnostics);
        return f;
      }
      if (key === undefined) return null;
      const read = readSource(src.abs, rel, maxBytes); // passed over last time, never parsed: read now
      if (read.text === null) return null;
      text = read.text;
    }
    deferred.delete(rel);
    return extract(rel, text, tokenizerAnalyzer, facts ? factsKey(rel, text, "tokenizer") : "");
  };

  const tLink = performance.now();
  const project = link({
    pythonFiles: sources.filter((s) => s.kind === "python").map((s) => s.rel),
    parsed,
    inis,
    load,
    djangoAppTables: config.djangoAppTables,
  });
  const graph = new OwnershipGraph(project);
  const tRules = performance.now();
  timings.link = tRules - tLink;
  const findings = runRules(rules, graph, project, [...diagnostics, ...project.diagnostics], {
    ruleSeverities: { ...config.rules, ...(options.rules ?? {}) },
    ruleOptions: { ...config.ruleOptions, ...(options.ruleOptions ?? {}) },
    quiet: options.quiet ?? false,
  });
  timings.rules = performance.now() - tRules;
  timings.cachedFiles = facts?.hits ?? 0;
  facts?.save();
  timings.total = performance.now() - t0;
  return { findings, filesScanned, base, config, project, graph, rules, timings };
}

/** "4MB", "500KB", "1048576" → bytes. */
export function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(b|kb|k|kib|mb|m|mib)?$/i.exec(text.trim());
  if (!m) throw new UsageError(`a size such as 4MB or 500KB was expected, got "${text}"`);
  const n = Number(m[1]);
  const unit = (m[2] ?? "b").toLowerCase();
  return Math.round(unit.startsWith("k") ? n * 1024 : unit.startsWith("m") ? n * 1024 * 1024 : n);
}

function statOrNull(abs: string): { mtimeMs: number; size: number } | null {
  try {
    return statSync(abs);
  } catch {
    return null;
  }
}

function commonBase(roots: string[]): string {
  const dirs = roots.map((r) => {
    try {
      return statSync(r).isDirectory() ? r : path.dirname(r);
    } catch {
      return path.dirname(r);
    }
  });
  let base = dirs[0]!;
  for (const d of dirs.slice(1)) {
    while (!(d === base || d.startsWith(base + path.sep))) base = path.dirname(base);
  }
  return base;
}
