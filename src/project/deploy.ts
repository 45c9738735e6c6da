/**
 * Reading the deploy side of a project that runs Django and Alembic on one database: deploy files
 * (parsed only when there are some: the YAML, Dockerfile and shell parsers are loaded lazily), the repository's scripts they call (read on
 * demand), Alembic's env.py and Django's management commands for advisory locks, and test settings.
 * Every unreadable or malformed file becomes a diagnostic naming it.
 */
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import type { Diagnostic } from "../types.js";
import type { SourceFile } from "./discover.js";
import { readSource } from "./read.js";
import type { ProjectFacts } from "../link/types.js";
import type { DeployFacts } from "../extract/deploy/facts.js";
import type { DeployParsers } from "../extract/deploy/index.js";
import { extractDeployFile, loadDeployParsers } from "../extract/deploy/index.js";
import { MANAGEMENT_COMMAND, SETTINGS_FILE, deployKindOf } from "./deploy-files.js";
import { advisoryLocks, createAllInTests, migrateFalse, nomigrations, pythonMigrations, upgradesInTests } from "../extract/deploy/text.js";
import type { AdvisoryLock, TestHider } from "../extract/deploy/text.js";
import { commandsOfShell } from "../extract/deploy/command.js";
import { readMakefile } from "../extract/deploy/makefile.js";
import { linkDeploy, sharesOneDatabase } from "../link/deploy.js";
import type { DeployProjectFacts, DeployResolver, ScriptFacts } from "../link/deploy.js";

export interface DeployInputs {
  sources: SourceFile[];
  base: string;
  maxBytes: number;
  project: ProjectFacts;
  /**
   * The text of a project file that the run already holds (an editor's unsaved buffer, or a file it read and
   * kept), else undefined: such a file is not read again, and a buffer counts instead of the disk.
   */
  held?: (rel: string) => string | undefined;
}

export interface DeployResult {
  facts: DeployProjectFacts;
  diagnostics: Diagnostic[];
  filesScanned: number;
  /** The files it read, by path (null: unreadable), for what needs their lines later (finding fingerprints). */
  texts: ReadonlyMap<string, string | null>;
}

export async function readDeploy(inp: DeployInputs): Promise<DeployResult> {
  // The deploy rules speak only when Django and Alembic share a database: a single-migrator project
  // (or one without deploy files) reads nothing here and loads no parser.
  if (!sharesOneDatabase(inp.project)) return { facts: linkDeploy([], NO_RESOLVER), diagnostics: [], filesScanned: 0, texts: new Map() };
  const diagnostics: Diagnostic[] = [];
  let filesScanned = 0;
  const texts = new Map<string, string | null>();
  /** Read a project file once (or take the run's text of it); diagnostics only for files read on their own account. */
  const read = (rel: string, report: boolean): string | null => {
    if (texts.has(rel)) return texts.get(rel)!;
    const held = inp.held?.(rel);
    const r = held !== undefined ? { text: held, diagnostics: [] } : readSource(path.join(inp.base, rel), rel, inp.maxBytes);
    if (report) {
      filesScanned++;
      diagnostics.push(...r.diagnostics);
    }
    texts.set(rel, r.text);
    return r.text;
  };

  const deploySources = inp.sources.filter((s) => s.kind === "deploy");
  let parsers: DeployParsers | null = null;
  const facts: DeployFacts[] = [];
  const extract = async (rel: string, text: string): Promise<DeployFacts | null> => {
    const kind = deployKindOf(rel) ?? "shell";
    try {
      parsers ??= await loadDeployParsers();
      const f = await extractDeployFile(rel, text, kind, parsers);
      diagnostics.push(...f.diagnostics);
      return f;
    } catch (e) {
      diagnostics.push({ code: "unreadable-file", severity: "warning", message: `internal error while reading this deploy file: ${e instanceof Error ? e.message : String(e)}`, loc: { file: rel, line: 1, column: 1, endLine: 1, endColumn: 1 } });
      return null;
    }
  };
  for (const s of deploySources) {
    const text = read(s.rel, true);
    if (text === null) continue;
    const f = await extract(s.rel, text);
    if (f) facts.push(f);
  }

  // The repository's scripts, by path, read on demand (extensionless scripts are not discovered).
  const known = new Set(inp.sources.map((s) => s.rel));
  const scripts = new Map<string, ScriptFacts | null>();
  const loadScript = (rel: string): ScriptFacts | null => {
    if (scripts.has(rel)) return scripts.get(rel)!;
    scripts.set(rel, null);
    const text = read(rel, false);
    if (text === null) return null;
    let result: ScriptFacts | null = null;
    if (rel.endsWith(".py") || /^#!.*python/.test(text)) result = { file: rel, commands: pythonMigrations(rel, text), locks: advisoryLocks(rel, text) };
    else if (parsers) {
      const kind = deployKindOf(rel);
      if (kind === "makefile") result = { file: rel, commands: [], locks: [], targets: readMakefile(parsers.shell, rel, text) };
      else if (!kind || kind === "shell") {
        const fromFacts = facts.find((f) => f.file === rel);
        result = { file: rel, commands: fromFacts?.units[0]?.commands ?? commandsOfShell(parsers.shell, text, { file: rel, line: 1, column: 1, indent: 0 }), locks: [] };
      }
    }
    scripts.set(rel, result);
    return result;
  };
  const exists = (rel: string) => {
    if (known.has(rel)) return true;
    if (rel === "" || rel.startsWith("..") || path.posix.isAbsolute(rel)) return false;
    try {
      return statSync(path.join(inp.base, rel)).isFile();
    } catch {
      return false;
    }
  };
  const candidates = [...known];
  const resolveScript = (raw: string, from: string, copies: Record<string, string>): ScriptFacts | null => {
    const clean = raw.replace(/^["']|["']$/g, "");
    if (clean.includes("$") && !/^\$\{?PWD\}?\//.test(clean)) return null;
    const p = clean.replace(/^\$\{?PWD\}?\//, "./");
    const dir = path.posix.dirname(from);
    const tries: string[] = [];
    const copied = copies[p];
    if (copied) tries.push(path.posix.join(dir, copied), path.posix.normalize(copied));
    if (!p.startsWith("/")) tries.push(path.posix.join(dir, p));
    tries.push(path.posix.normalize(p.replace(/^\/+/, "")));
    for (const t of tries) if (exists(t)) return loadScript(t);
    // A container path (`/app/docker/entrypoint.sh`): the repository file it ends with, when only one does.
    const parts = p.replace(/^\/+/, "").split("/");
    for (let i = 0; i < parts.length; i++) {
      const tail = parts.slice(i).join("/");
      const hits = candidates.filter((c) => c === tail || c.endsWith(`/${tail}`));
      if (hits.length === 1) return loadScript(hits[0]!);
      if (hits.length > 1) return null;
    }
    return null;
  };
  const commandFiles = inp.sources.filter((s) => s.kind === "python" && MANAGEMENT_COMMAND.test(s.rel));
  const managementCommand = (name: string): ScriptFacts | null => {
    const files = commandFiles.filter((s) => s.rel.endsWith(`/commands/${name}.py`));
    if (files.length !== 1) return null;
    const rel = files[0]!.rel;
    const text = read(rel, false);
    if (text === null) return null;
    let commands = pythonMigrations(rel, text);
    const sub = /^class\s+Command\s*\(\s*(?:MigrateCommand|migrate\.Command)\b.*$/m.exec(text) ?? (/django\.core\.management\.commands\.migrate\b/.test(text) ? /^class\s+Command\b.*$/m.exec(text) : null);
    if (commands.length === 0 && sub && name !== "migrate") {
      const line = text.slice(0, sub.index).split("\n").length;
      commands = [{ inv: { kind: "migrate", tool: "django" }, text: `manage.py ${name}`, loc: { file: rel, line, column: 1, endLine: line, endColumn: sub[0].length + 1 }, background: false, conditional: false }];
    }
    return { file: rel, commands, locks: advisoryLocks(rel, text) };
  };
  const envFiles = inp.project.alembic.envs.map((e) => e.file);
  const alembicLocks = (): { locks: AdvisoryLock[]; source: string | null } => {
    const locks = envFiles.flatMap((f) => {
      const t = read(f, false);
      return t === null ? [] : advisoryLocks(f, t);
    });
    return { locks, source: envFiles.length > 0 ? envFiles.join(", ") : null };
  };

  // Test settings that hide from-scratch breakage.
  const hiders: TestHider[] = [];
  let testsUpgradeAlembic = false;
  const both = inp.project.django.detected && envFiles.length > 0;
  if (both) {
    const settings = new Set([...inp.project.django.settingsFiles, ...inp.sources.filter((s) => s.kind === "python" && SETTINGS_FILE.test(s.rel)).map((s) => s.rel)]);
    for (const f of [...settings].sort()) {
      const t = read(f, false);
      if (t) hiders.push(...migrateFalse(f, t));
    }
    for (const s of inp.sources) {
      const name = path.posix.basename(s.rel);
      if (name === "conftest.py") {
        const t = read(s.rel, false);
        if (!t) continue;
        if (upgradesInTests(t)) testsUpgradeAlembic = true;
        hiders.push(...createAllInTests(s.rel, t));
      } else if (name === "pytest.ini" || name === "tox.ini" || name === "pyproject.toml") {
        const t = read(s.rel, false);
        if (t) hiders.push(...nomigrations(s.rel, t));
      }
    }
    if (existsSync(path.join(inp.base, "setup.cfg"))) {
      const t = read("setup.cfg", false);
      if (t) hiders.push(...nomigrations("setup.cfg", t));
    }
  }

  const resolver: DeployResolver = { script: resolveScript, managementCommand, alembicLocks, testsUpgradeAlembic, hiders };
  return { facts: linkDeploy(facts, resolver), diagnostics, filesScanned, texts };
}

const NO_RESOLVER: DeployResolver = { script: () => null, managementCommand: () => null, alembicLocks: () => ({ locks: [], source: null }), testsUpgradeAlembic: false, hiders: [] };
