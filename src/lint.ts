/**
 * The pipeline: discover → read → parse/extract → link → graph → rules. One call is one lint run;
 * everything it caches lives in this call (no module-level state), so runs never interfere.
 */
import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import type { Finding, Diagnostic, SeverityOrOff } from "./types.js";
import { discover } from "./project/discover.js";
import type { SourceFile } from "./project/discover.js";
import { createReader, DEFAULT_MAX_FILE_BYTES } from "./project/read.js";
import type { ReadResult } from "./project/read.js";
import { PythonParser } from "./python/parse.js";
import { tokenizerAnalyzer } from "./extract/sql.js";
import type { FileFacts } from "./extract/facts.js";
import { defaultCacheDir, factsKey, fingerprints, openCache, type Fingerprints } from "./project/cache.js";
import type { FactsCache, FileStamp } from "./project/cache.js";
import { createScanner, extractionFailed, extractSafely } from "./project/scan.js";
import type { ScanJob, ScanResult } from "./project/scan.js";
import { PREWARM_FILES, openScanPool, workerPlan } from "./project/parallel.js";
import { modelsModules, prefetchClosure } from "./project/prefetch.js";
import { ModuleIndex } from "./link/modules.js";
import type { FactsLoader } from "./link/modules.js";
import { packageRoot } from "./data/catalog.js";
import { parseIni, pyprojectAlembic } from "./extract/alembic/ini.js";
import type { IniFacts } from "./extract/alembic/ini.js";
import { link } from "./link/index.js";
import type { ProjectFacts } from "./link/types.js";
import { OwnershipGraph } from "./graph/index.js";
import { readDeploy } from "./project/deploy.js";
import { deployReadsPython } from "./project/deploy-files.js";
import { loadRules } from "./engine/rules.js";
import { runRules } from "./engine/index.js";
import type { Rule } from "./rule.js";
import { emptyConfig, loadConfig } from "./config/index.js";
import type { Config } from "./config/index.js";
import { findProjectRoot, inRequested } from "./project/root.js";
import { toPosix } from "./project/discover.js";
import picomatch from "picomatch";
import { applyBaseline, fingerprint } from "./engine/baseline.js";
import type { Baseline } from "./engine/baseline.js";

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
  /**
   * The folder the whole project is read from. Default: detected from each path (src/project/root.ts),
   * and findings are reported for the requested paths only. `false`: read only the given paths.
   */
  projectRoot?: string | false;
  /**
   * Unsaved contents by path (relative to `cwd` or absolute): these files are read from here instead of
   * the disk, and need not exist there (an editor's buffer, `--stdin --stdin-filename`).
   */
  contents?: Record<string, string>;
  /** Report only findings this baseline does not account for (see src/engine/baseline.ts). */
  baseline?: Baseline;
  /**
   * Worker threads for reading and parsing Python files, started at once (0: none). Default:
   * $TABLEWARDEN_WORKERS, else one per extra core, started only when the scan proves long enough to pay
   * for them (src/project/parallel.ts). The result is the same either way.
   */
  workers?: number;
}

export interface LintResult {
  findings: Finding[];
  /** Files read (Python, ini and deploy files). */
  filesScanned: number;
  /** The folder finding paths are relative to: the project root. */
  base: string;
  /** The requested paths relative to `base` ("" for the root itself): findings are reported for these. */
  requested: string[];
  /** Findings the baseline accounted for, and left out of `findings`. */
  baselined: number;
  /** The configuration that applied (file null when none was found). */
  config: Config;
  /** Milliseconds spent per phase (read, parse and extract summed over files). */
  timings: Timings;
  project: ProjectFacts;
  graph: OwnershipGraph;
  rules: Rule[];
}

export interface Timings {
  /** Walking the folders for the files to read. */
  discover: number;
  /** Reading and decoding files, the prefilter and content hashes (with a warm cache: stat-ing files). */
  read: number;
  /** tree-sitter's parse of the Python files parsed. */
  parse: number;
  /** Converting those trees and extracting their facts (raw SQL included). */
  extract: number;
  /** Linking the facts into tables and owners, files parsed on demand, deploy files. */
  link: number;
  rules: number;
  total: number;
  /** Python files parsed (the prefilter's choice plus those imports led to). */
  parsedFiles: number;
  parsedBytes: number;
  /** Python files whose facts came from the persistent cache (not parsed). */
  cachedFiles: number;
  /** Worker threads that read and parsed files besides the main thread (read and parse times add up all threads). */
  workers: number;
  /** Files parsed ahead of linking on the worker threads because model modules import them (src/project/prefetch.ts). */
  ahead: number;
  /** Nothing linking reads had changed since the last run: its linking was reused (`link` is then only reading it). */
  linkReused: boolean;
}

/** A run's linking, kept in the facts cache for the next run. */
interface Linked {
  /** Diagnostics of reading and parsing the files linking used, in order. */
  diagnostics: Diagnostic[];
  project: ProjectFacts;
  /** Files whose facts it used. */
  files: number;
}

function toolVersion(): string {
  return (JSON.parse(readFileSync(path.join(packageRoot(), "package.json"), "utf8")) as { version: string }).version;
}

function openFactsCache(dir: string | true | undefined, base: string, tool: string): FactsCache {
  return openCache(typeof dir === "string" ? dir : defaultCacheDir(packageRoot()), base, tool);
}

/**
 * Everything linking reads, as one hash: the settings it takes, every ini/pyproject text, every Python file's
 * name and prefilter verdict, the content (facts key) of every file the prefilter keeps, and of the passed-over
 * files the linker loaded last time (`loaded`: the same inputs make it load the same files). Linking is a
 * function of these, so an equal signature means an equal result. null when a file could not be read or
 * parsed (its diagnostics would not be covered).
 */
function linkSignature(steps: Array<{ s: SourceFile; known?: FileStamp | undefined; result?: ScanResult; read?: ReadResult }>, loaded: Record<string, string>, config: Config): string | null {
  // One string hashed at once: an update per file costs more than the hashing.
  const parts: string[] = [JSON.stringify([config.djangoAppTables, config.settingsModule])];
  for (const { s, known, result, read } of steps) {
    parts.push(`${s.kind}:${s.rel}`);
    if (read) {
      if (read.text === null || read.diagnostics.length > 0) return null;
      parts.push(read.text);
      continue;
    }
    let stamp = known;
    if (!stamp && result) {
      const o = result.outcome;
      if (result.diagnostics.length > 0 || (o.kind !== "passed" && o.kind !== "parsed" && o.kind !== "cached")) return null;
      stamp = { key: o.key, worth: o.kind !== "passed" };
    }
    if (!stamp) return null;
    parts.push(stamp.worth ? `W${stamp.key}` : Object.hasOwn(loaded, s.rel) ? `L${stamp.key}` : "P");
  }
  return createHash("sha1").update(parts.join("\0")).digest("base64url");
}

/** A problem with the invocation itself (exit code 2). */
export class UsageError extends Error {
  override name = "UsageError";
}

export async function lint(options: LintOptions = {}): Promise<LintResult> {
  const cwd = options.cwd ?? process.cwd();
  const given = options.paths && options.paths.length > 0 ? options.paths : ["."];
  const contents = new Map(Object.entries(options.contents ?? {}).map(([p, text]) => [path.resolve(cwd, p), text]));
  for (const p of given) {
    if (contents.has(path.resolve(cwd, p))) continue;
    try {
      statSync(path.resolve(cwd, p));
    } catch {
      throw new UsageError(`path does not exist: ${p}`);
    }
  }
  const targets = given.map((p) => path.resolve(cwd, p));
  const roots =
    options.projectRoot === false ? targets : typeof options.projectRoot === "string" ? [path.resolve(cwd, options.projectRoot)] : [...new Set(targets.map((t) => findProjectRoot(t).root))];
  const base = commonBase(roots);
  const requested = targets.map((t) => toPosix(path.relative(base, t)));
  const outside = given.find((_, i) => requested[i]!.startsWith("../") || requested[i] === ".." || path.isAbsolute(requested[i]!));
  if (outside !== undefined) throw new UsageError(`${outside} is outside the project root ${base}`);
  const rules = await loadRules();
  const config = options.config === false ? emptyConfig() : (options.config ?? (await loadConfig(base, rules)));
  const t0 = performance.now();
  const timings: Timings = { discover: 0, read: 0, parse: 0, extract: 0, link: 0, rules: 0, total: 0, parsedFiles: 0, parsedBytes: 0, cachedFiles: 0, workers: 0, ahead: 0, linkReused: false };
  const maxBytes = options.maxFileBytes ?? (config.maxFileSize ? parseSize(config.maxFileSize) : DEFAULT_MAX_FILE_BYTES);
  const stamps: Fingerprints | null = options.cache === false ? null : fingerprints(toolVersion());
  const facts = options.cache === false || stamps === null ? null : openFactsCache(options.cache, base, stamps.tool);
  const cachedKeys = facts ? facts.keys() : null;
  const pool = openScanPool({ maxBytes, cachedKeys }, workerPlan(options.workers));
  // With nothing cached, a large tree starts the workers while discovery goes on.
  const onFound = cachedKeys === null || cachedKeys.length === 0 ? (n: number) => void (n === PREWARM_FILES && pool.prewarm()) : undefined;
  const td = performance.now();
  let sources: SourceFile[];
  try {
    sources = withUnsaved(await discover({ roots, base, ignore: [...config.exclude, ...(options.ignore ?? [])], found: onFound }), contents, roots, base);
    if (config.include.length > 0) {
      // `include` globs are relative to the project root; unsaved buffers are always read.
      const included = picomatch(config.include, { dot: false });
      for (let i = sources.length - 1; i >= 0; i--) if (!included(sources[i]!.rel) && !contents.has(sources[i]!.abs)) sources.splice(i, 1);
    }
  } catch (e) {
    pool.close();
    throw e;
  }
  timings.discover = performance.now() - td;

  const parser = new PythonParser();
  const reader = createReader(maxBytes);
  const diagnostics: Diagnostic[] = [];
  const byRel = new Map<string, SourceFile>(sources.map((s) => [s.rel, s]));
  const memo = new Map<string, FileFacts | null>();
  /** Text of the files the prefilter passed over: parsed from memory if an import leads to them. */
  const deferred = new Map<string, string>();
  /** Texts the deploy side will want (ini and pyproject files, `deployReadsPython`), kept as read so it need not read them again. */
  const heldTexts = new Map<string, string>();
  let filesScanned = 0;

  /** Facts found (parsed or cached) for a file: recorded in the order files come. */
  const found = (rel: string, f: FileFacts | null): void => {
    if (f) diagnostics.push(...f.diagnostics);
    memo.set(rel, f);
  };
  /** Extract one file (or take its facts from the cache); a crash becomes a diagnostic on the file. */
  const extract = (rel: string, text: string, key: string): FileFacts | null => {
    let f = facts?.get(key) ?? null;
    if (!f) {
      const tp = performance.now();
      const ts = parser.treeSitterMs;
      timings.parsedFiles++;
      timings.parsedBytes += text.length;
      const r = extractSafely(rel, text, parser, tokenizerAnalyzer);
      if ("facts" in r) {
        f = r.facts;
        facts?.set(key, f);
      } else diagnostics.push(extractionFailed(rel, r.error));
      const parseMs = parser.treeSitterMs - ts;
      timings.parse += parseMs;
      timings.extract += performance.now() - tp - parseMs;
    }
    found(rel, f);
    return f;
  };

  // First the cache answers what it can (by size and time, without reading); the Python files left are
  // scanned (read, prefiltered, parsed), on worker threads when there are many. If every input of linking is
  // what it was when the last run linked, its result is reused; otherwise every file's outcome is recorded in
  // the order of `sources` (so the threads change nothing but the time) and the project is linked.
  interface Step {
    s: SourceFile;
    st: { mtimeMs: number; size: number } | null;
    /** Unchanged since the last run: its facts key and prefilter verdict. */
    known?: FileStamp | undefined;
    /** Scanned this run. */
    result?: ScanResult;
    /** An ini or pyproject.toml file, as read. */
    read?: ReadResult;
  }
  const steps: Step[] = [];
  const tr = performance.now();
  for (const s of sources) {
    if (s.kind === "deploy") continue; // read after linking, by readDeploy
    filesScanned++;
    if (s.kind !== "python") {
      steps.push({ s, st: null, read: contents.has(s.abs) ? { text: contents.get(s.abs)!, diagnostics: [] } : reader.read(s.abs, s.rel) });
      continue;
    }
    // Stat before reading: a change made while this run reads the file is seen by the next run.
    // An editor's unsaved buffer is read from memory; the disk file's size and time say nothing about it.
    const st = facts && !contents.has(s.abs) ? statOrNull(s.abs) : null;
    // Unchanged since the last run (same size and time): what the file holds is known without reading it.
    steps.push({ s, st, known: st && facts ? facts.known(s.rel, st.mtimeMs, st.size) : undefined });
  }
  timings.read += performance.now() - tr;
  const jobOf = (s: SourceFile): ScanJob => (contents.has(s.abs) ? { abs: s.abs, rel: s.rel, text: contents.get(s.abs)! } : { abs: s.abs, rel: s.rel });

  /** Facts keys of the files the prefilter passed over (known from the last run, or read now). */
  const passedKeys = new Map<string, string>();
  const parsed: FileFacts[] = [];
  const inis: IniFacts[] = [];
  /** Files an import leads to, parsed ahead on the workers (src/project/prefetch.ts): recorded when the linker loads them. */
  const prefetched = new Map<string, ScanResult>();
  /** A file's facts if they are known without parsing it (scanned, cached, parsed ahead); undefined if it must be parsed. */
  const knownFacts = (rel: string): FileFacts | null | undefined => {
    if (memo.has(rel)) return memo.get(rel)!;
    const ahead = prefetched.get(rel)?.outcome;
    if (ahead) return ahead.kind === "parsed" ? ahead.facts : ahead.kind === "cached" ? (facts?.peek(ahead.key) ?? null) : null;
    if (deferred.has(rel)) return undefined;
    const key = passedKeys.get(rel);
    return key === undefined ? null : facts?.peek(key);
  };
  // Until linking starts, the module index sees only what is known (prefetching must not parse on this thread).
  let linkerLoad: FactsLoader = (rel) => knownFacts(rel) ?? null;
  const pythonFiles = sources.filter((s) => s.kind === "python").map((s) => s.rel);
  let moduleIndex: ModuleIndex | undefined; // built when prefetching or linking needs it
  const index = () => (moduleIndex ??= new ModuleIndex(pythonFiles, (rel) => linkerLoad(rel)));
  const build = stamps === null ? "" : stamps.build;
  let reused: Linked | null = null;
  try {
    const todo = steps.filter((st) => st.s.kind === "python" && !st.known);
    const results = await pool.scan(todo.map((st) => jobOf(st.s)));
    todo.forEach((st, i) => (st.result = results[i]));
    const record = facts?.linkRecord();
    if (facts && record && record.build === build) {
      const signature = linkSignature(steps, record.loaded, config);
      reused = signature === null ? null : (facts.linked(signature) as Linked | null);
    }
    if (!reused && facts) {
      // Facts the pack's key list promised but its entries do not hold (usable): read and parsed after all.
      const lost = steps.filter((st) => (st.known?.worth && !facts.peek(st.known.key)) || (st.result?.outcome.kind === "cached" && !facts.peek(st.result.outcome.key)));
      if (lost.length > 0) {
        const scan = createScanner({ maxBytes, cachedKeys: [] });
        for (const st of lost) {
          st.known = undefined;
          st.result = await scan(jobOf(st.s));
        }
      }
    }
    for (const { s, st, known, result: r, read } of steps) {
      if (read) {
        diagnostics.push(...read.diagnostics);
        const text = read.text;
        if (reused || text === null || !/script_location/.test(text)) continue;
        if (s.kind === "ini") inis.push(parseIni(s.rel, text));
        else {
          const section = await pyprojectAlembic(s.rel, text);
          if (section.ini) inis.push(section.ini);
          if (section.diagnostic) diagnostics.push(section.diagnostic);
        }
        continue;
      }
      if (known) {
        if (reused) continue;
        if (!known.worth) passedKeys.set(s.rel, known.key);
        else {
          const f = facts!.get(known.key)!;
          found(s.rel, f);
          parsed.push(f);
        }
        continue;
      }
      timings.read += r!.readMs;
      diagnostics.push(...r!.diagnostics);
      const o = r!.outcome;
      const settled = st && r!.diagnostics.length === 0 ? st : null;
      if (o.kind === "unreadable") memo.set(s.rel, null);
      else if (o.kind === "passed") {
        if (settled) facts?.remember(s.rel, settled.mtimeMs, settled.size, { key: o.key, worth: false });
        if (deployReadsPython(s.rel)) heldTexts.set(s.rel, o.text);
        if (reused) continue;
        deferred.set(s.rel, o.text);
        passedKeys.set(s.rel, o.key);
      } else if (o.kind === "failed") {
        timings.parsedFiles++;
        timings.parsedBytes += o.chars;
        timings.parse += r!.parseMs;
        timings.extract += r!.extractMs;
        diagnostics.push(extractionFailed(s.rel, o.error));
        memo.set(s.rel, null);
      } else {
        if (o.text !== undefined) heldTexts.set(s.rel, o.text);
        let f: FileFacts | null | undefined;
        if (o.kind === "cached") f = reused ? undefined : facts?.get(o.key);
        else {
          timings.parsedFiles++;
          timings.parsedBytes += o.chars;
          timings.parse += r!.parseMs;
          timings.extract += r!.extractMs;
          f = o.facts;
          facts?.set(o.key, f);
        }
        if (settled) facts?.remember(s.rel, settled.mtimeMs, settled.size, { key: o.key, worth: true });
        if (reused) continue;
        found(s.rel, f ?? null);
        if (f) parsed.push(f);
      }
    }
    // Workers running: the files model modules import, which the linker will load, are parsed on them now.
    if (!reused && pool.live() > 0) {
      await prefetchClosure(
        modelsModules(pythonFiles),
        (rel) => (knownFacts(rel) === undefined ? null : index().importedFiles(rel)),
        async (files) => {
          const results = await pool.scan(files.map((rel) => ({ abs: byRel.get(rel)!.abs, rel, text: deferred.get(rel), force: true })));
          timings.ahead += files.length;
          results.forEach((r, i) => {
            prefetched.set(files[i]!, r);
            timings.read += r.readMs;
            if (r.outcome.kind !== "parsed" && r.outcome.kind !== "failed") return;
            timings.parsedFiles++;
            timings.parsedBytes += r.outcome.chars;
            timings.parse += r.parseMs;
            timings.extract += r.extractMs;
          });
        },
      );
    }
  } finally {
    timings.workers = pool.delivered();
    pool.close();
  }

  /** What a file parsed ahead turned out to be, recorded as if it were parsed now. */
  const takeAhead = (rel: string, r: ScanResult): FileFacts | null => {
    prefetched.delete(rel);
    deferred.delete(rel);
    const o = r.outcome;
    if ((o.kind === "parsed" || o.kind === "cached") && o.text !== undefined) heldTexts.set(rel, o.text);
    if (o.kind === "parsed") facts?.set(o.key, o.facts);
    else if (o.kind === "failed") diagnostics.push(extractionFailed(rel, o.error));
    else if (o.kind !== "cached") return null;
    const f = o.kind === "parsed" ? o.facts : o.kind === "cached" ? (facts?.get(o.key) ?? null) : null;
    found(rel, f);
    return f;
  };

  const load = (rel: string): FileFacts | null => {
    if (memo.has(rel)) return memo.get(rel)!;
    const ahead = prefetched.get(rel);
    if (ahead) return takeAhead(rel, ahead);
    const src = byRel.get(rel);
    if (src?.kind !== "python") return null;
    let text = deferred.get(rel);
    if (text === undefined) {
      const key = passedKeys.get(rel);
      const f = key ? facts?.get(key) : undefined;
      if (f) {
        memo.set(rel, f);
        diagnostics.push(...f.diagnostics);
        return f;
      }
      if (key === undefined) return null;
      const read = reader.read(src.abs, rel); // passed over last time, never parsed: read now
      if (read.text === null) return null;
      text = read.text;
    }
    deferred.delete(rel);
    if (deployReadsPython(rel)) heldTexts.set(rel, text);
    return extract(rel, text, facts ? factsKey(rel, text, "tokenizer") : "");
  };
  linkerLoad = load;

  const tLink = performance.now();
  let project: ProjectFacts;
  if (reused) {
    // Nothing linking reads has changed: the last run's result, and the diagnostics its files gave.
    project = reused.project;
    diagnostics.push(...reused.diagnostics);
    timings.cachedFiles = reused.files;
    timings.linkReused = true;
  } else {
    project = link({ index: index(), pythonFiles, parsed, inis, load, djangoAppTables: config.djangoAppTables, djangoSettingsModule: config.settingsModule });
    // Kept for the next run, unless a file could not be read (its diagnostics are not part of the signature).
    const loaded: Record<string, string> = {};
    for (const [rel, key] of passedKeys) if (memo.has(rel)) loaded[rel] = key;
    const signature = facts ? linkSignature(steps, loaded, config) : null;
    if (facts && signature !== null) {
      facts.setLinked({ build, signature, loaded }, { diagnostics, project, files: memo.size - [...memo.values()].filter((f) => f === null).length } satisfies Linked);
    }
  }
  // Deploy files (and the scripts, env.py locks and test settings they lead to): parsers load only when there are any.
  // The texts this run holds: editor buffers, the ini and pyproject files, the Python files the deploy side
  // reads, and passed-over files nobody parsed.
  for (const { s, read } of steps) if (read?.text) heldTexts.set(s.rel, read.text);
  const held = (rel: string): string | undefined => contents.get(path.join(base, rel)) ?? heldTexts.get(rel) ?? deferred.get(rel);
  const deploy = await readDeploy({ sources, base, maxBytes, project, held });
  project.deploy = deploy.facts;
  filesScanned += deploy.filesScanned;
  diagnostics.push(...deploy.diagnostics);
  const graph = new OwnershipGraph(project, config.ownership);
  const tRules = performance.now();
  timings.link = tRules - tLink;
  const all = runRules(rules, graph, project, [...diagnostics, ...project.diagnostics], {
    ruleSeverities: { ...config.rules, ...(options.rules ?? {}) },
    ruleOptions: withMigrationOrder(rules, config, { ...config.ruleOptions, ...(options.ruleOptions ?? {}) }),
    quiet: options.quiet ?? false,
  });
  timings.rules = performance.now() - tRules;
  // Reported: findings in the requested paths, or whose other side (a related location) is there.
  const wanted = requested.some((r) => r === "") ? all : all.filter((f) => inRequested(f.loc.file, requested) || f.related.some((r) => inRequested(r.loc.file, requested)));
  const lines = fileLines(base, (rel) => held(rel) ?? deploy.texts.get(rel) ?? undefined);
  for (const f of wanted) f.fingerprint = fingerprint(f, lines(f.loc.file)[f.loc.line - 1] ?? "");
  const { findings, baselined } = options.baseline ? applyBaseline(wanted, options.baseline) : { findings: wanted, baselined: 0 };
  if (!timings.linkReused) timings.cachedFiles = facts?.hits ?? 0;
  facts?.save();
  timings.total = performance.now() - t0;
  return { findings, filesScanned, base, requested, baselined, config, project, graph, rules, timings };
}

/** Files given only as unsaved contents (a new buffer not yet on disk) join the discovered ones. */
function withUnsaved(sources: SourceFile[], contents: Map<string, string>, roots: string[], base: string): SourceFile[] {
  if (contents.size === 0) return sources;
  const known = new Set(sources.map((s) => s.abs));
  const added: SourceFile[] = [];
  for (const abs of contents.keys()) {
    if (known.has(abs) || !roots.some((r) => abs === r || abs.startsWith(r + path.sep))) continue;
    const kind = abs.endsWith(".py") ? "python" : abs.endsWith(".ini") ? "ini" : path.basename(abs) === "pyproject.toml" ? "pyproject" : null;
    if (kind) added.push({ abs, rel: toPosix(path.relative(base, abs)), kind });
  }
  if (added.length === 0) return sources;
  return [...sources, ...added].sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
}

/** The lines of a project file (for fingerprints): the run's text of it, else read once; unreadable files have none. */
function fileLines(base: string, held: (rel: string) => string | undefined): (rel: string) => string[] {
  const cache = new Map<string, string[]>();
  return (rel) => {
    let lines = cache.get(rel);
    if (!lines) {
      const abs = path.join(base, rel);
      let text = held(rel);
      if (text === undefined) {
        try {
          text = readFileSync(abs, "utf8");
        } catch {
          text = "";
        }
      }
      lines = text.split(/\r?\n/);
      cache.set(rel, lines);
    }
    return lines;
  };
}

/** The top-level `migration-order` is the default of every rule option named `order` (a rule's own setting wins). */
function withMigrationOrder(rules: Rule[], config: Config, ruleOptions: Record<string, Record<string, unknown>>): Record<string, Record<string, unknown>> {
  if (config.migrationOrder === null) return ruleOptions;
  const out = { ...ruleOptions };
  for (const r of rules) if ("order" in r.options && out[r.id]?.["order"] === undefined) out[r.id] = { ...out[r.id], order: config.migrationOrder };
  return out;
}

/** "4MB", "500KB", "1048576" → bytes. */
export function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(b|kb|k|kib|mb|m|mib)?$/i.exec(text.trim());
  if (!m) throw new UsageError(`a size such as 4MB or 500KB was expected, got "${text}"`);
  const n = Number(m[1]);
  const unit = (m[2] ?? "b").toLowerCase();
  return Math.round(unit.startsWith("k") ? n * 1024 : unit.startsWith("m") ? n * 1024 * 1024 : n);
}

/** A file's time and size: two numbers kept, not the Stats object and its four Dates (20,000 of them survive a run). */
function statOrNull(abs: string): { mtimeMs: number; size: number } | null {
  const st = statSync(abs, { throwIfNoEntry: false });
  return st ? { mtimeMs: st.mtimeMs, size: st.size } : null;
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
