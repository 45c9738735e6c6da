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
import { parseIni, pyprojectAlembic } from "./extract/alembic/ini.js";
import type { IniFacts } from "./extract/alembic/ini.js";
import { link } from "./link/index.js";
import type { ProjectFacts } from "./link/types.js";
import { OwnershipGraph } from "./graph/index.js";
import { readDeploy } from "./project/deploy.js";
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
  /** Settings to use instead of searching for .tablewarden.json / pyproject.toml (`false`: none). */
  config?: Config | false;
}

export interface LintResult {
  findings: Finding[];
  /** Files read (Python, ini and deploy files). */
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
  const timings: Timings = { discover: 0, read: 0, parse: 0, link: 0, rules: 0, total: 0, parsedFiles: 0, parsedBytes: 0 };
  const sources = await discover({ roots, base, ignore: [...config.exclude, ...(options.ignore ?? [])] });
  timings.discover = performance.now() - t0;
  const maxBytes = options.maxFileBytes ?? (config.maxFileSize ? parseSize(config.maxFileSize) : DEFAULT_MAX_FILE_BYTES);

  const parser = new PythonParser();
  const diagnostics: Diagnostic[] = [];
  const byRel = new Map<string, SourceFile>(sources.map((s) => [s.rel, s]));
  const cache = new Map<string, FileFacts | null>();
  let filesScanned = 0;

  let sql: SqlAnalyzer = tokenizerAnalyzer;
  const sqlFor = async (abs: string): Promise<SqlAnalyzer> => {
    try {
      if (!mentionsRawSql(readFileSync(abs, "latin1"))) return tokenizerAnalyzer;
      return await loadPgAnalyzer();
    } catch {
      return tokenizerAnalyzer; // the tokenizer still reads the SQL
    }
  };

  /** Files the prefilter passed over: read again only if an import leads to them. */
  const deferred = new Set<string>();

  const load = (rel: string, force: boolean): FileFacts | null => {
    if (cache.has(rel)) return cache.get(rel)!;
    const src = byRel.get(rel);
    if (!src || src.kind !== "python") return null;
    const tr = performance.now();
    const read = readSource(src.abs, rel, maxBytes);
    timings.read += performance.now() - tr;
    if (!deferred.has(rel)) {
      filesScanned++;
      diagnostics.push(...read.diagnostics);
    }
    if (read.text === null) {
      cache.set(rel, null);
      return null;
    }
    const text = read.text;
    if (!force && !worthParsing(rel, text)) {
      deferred.add(rel);
      return null;
    }
    deferred.delete(rel);
    let facts: FileFacts | null = null;
    const tp = performance.now();
    timings.parsedFiles++;
    timings.parsedBytes += text.length;
    try {
      facts = extractFile(rel, text, parser, sql);
      diagnostics.push(...facts.diagnostics);
    } catch (e) {
      diagnostics.push({
        code: "unreadable-file",
        severity: "warning",
        message: `internal error while reading this file: ${e instanceof Error ? e.message : String(e)}`,
        loc: { file: rel, line: 1, column: 1, endLine: 1, endColumn: 1 },
      });
    }
    timings.parse += performance.now() - tp;
    cache.set(rel, facts);
    return facts;
  };

  const parsed: FileFacts[] = [];
  const inis: IniFacts[] = [];
  for (const s of sources) {
    if (s.kind === "deploy") continue; // read after linking, by readDeploy
    if (s.kind === "python") {
      // The real PostgreSQL parser is loaded the first time a file may hold raw SQL.
      if (sql === tokenizerAnalyzer && /(?:^|\/)(?:migrations|versions)\//.test(s.rel)) sql = await sqlFor(s.abs);
      const f = load(s.rel, false);
      if (f) parsed.push(f);
    } else {
      const read = readSource(s.abs, s.rel, maxBytes);
      filesScanned++;
      diagnostics.push(...read.diagnostics);
      if (read.text === null || !/script_location/.test(read.text)) continue;
      if (s.kind === "ini") inis.push(parseIni(s.rel, read.text));
      else {
        const section = await pyprojectAlembic(s.rel, read.text);
        if (section.ini) inis.push(section.ini);
        if (section.diagnostic) diagnostics.push(section.diagnostic);
      }
    }
  }

  const tLink = performance.now();
  const project = link({
    pythonFiles: sources.filter((s) => s.kind === "python").map((s) => s.rel),
    parsed,
    inis,
    load: (rel) => load(rel, true),
    djangoAppTables: config.djangoAppTables,
  });
  // Deploy files (and the scripts, env.py locks and test settings they lead to): parsers load only when there are any.
  const deploy = await readDeploy({ sources, base, maxBytes, project });
  project.deploy = deploy.facts;
  filesScanned += deploy.filesScanned;
  diagnostics.push(...deploy.diagnostics);
  const graph = new OwnershipGraph(project, config.ownership);
  const tRules = performance.now();
  timings.link = tRules - tLink;
  const findings = runRules(rules, graph, project, [...diagnostics, ...project.diagnostics], {
    ruleSeverities: { ...config.rules, ...(options.rules ?? {}) },
    ruleOptions: { ...config.ruleOptions, ...(options.ruleOptions ?? {}) },
    quiet: options.quiet ?? false,
  });
  timings.rules = performance.now() - tRules;
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
