/**
 * Text scans of Python and config files for the deploy rules (regular expressions over the text,
 * pure in (path, text)): PostgreSQL advisory locks, migrations started from Python
 * (`call_command("migrate")`, Alembic's `command.upgrade`), and test settings that hide a broken
 * from-scratch migration.
 */
import type { Loc } from "../../types.js";
import type { DeployCommand } from "./facts.js";

export interface AdvisoryLock {
  /** Normalised key (`42`, `1,2`, `hashtext('migrations')`, `name:MIGRATION_LOCK`), or null when it cannot be read. */
  key: string | null;
  /** The call as written. */
  text: string;
  loc: Loc;
}

export function advisoryLocks(file: string, text: string): AdvisoryLock[] {
  const out: AdvisoryLock[] = [];
  for (const m of text.matchAll(/pg_(?:try_)?advisory_(?:xact_)?lock\s*\(([^)]*\)?)\)/g)) {
    const raw = m[1]!.trim();
    out.push({ key: lockKey(raw, text, m.index! + m[0].length), text: m[0], loc: locAt(file, text, m.index!, m[0].length) });
  }
  return out;
}

function lockKey(raw: string, text: string, after: number): string | null {
  const norm = raw.replace(/\s+/g, "");
  if (/^-?\d+(?:,-?\d+)?$/.test(norm) || /^hashtext\(['"][^'"]*['"]\)$/i.test(norm)) return norm.replace(/"/g, "'");
  const ident = /^\{?([A-Za-z_][\w.]*)\}?$/.exec(norm);
  if (ident) return resolveName(ident[1]!, text);
  // A placeholder (%s, %(name)s, :name, $1, ?): the parameters follow the SQL string.
  if (/^(?:%s|%\(\w+\)s|:\w+|\$1|\?)$/.test(norm)) {
    const params = text.slice(after, after + 200);
    const num = /^[^)]*?[[({,]\s*(?:["']?\w+["']?\s*:\s*)?(-?\d+)\b/.exec(params);
    if (num) return num[1]!;
    const name = /^[^)]*?[[({,]\s*(?:["']?\w+["']?\s*:\s*)?([A-Za-z_][\w.]*)/.exec(params);
    if (name) return resolveName(name[1]!, text);
  }
  return null;
}

/** A module constant `NAME = 12345` in the same file; else the name itself (`name:NAME`, equal on both sides when both import it). */
function resolveName(name: string, text: string): string {
  const short = name.split(".").pop()!;
  const m = new RegExp(`^\\s*${short}\\s*(?::\\s*\\w+\\s*)?=\\s*(-?\\d+)\\b`, "m").exec(text);
  return m ? m[1]! : `name:${short}`;
}

/** Migrations a Python script starts: `call_command("migrate")`, `command.upgrade(cfg, "head")`, subprocess argument lists. */
export function pythonMigrations(file: string, text: string): DeployCommand[] {
  const out: DeployCommand[] = [];
  const add = (re: RegExp, tool: "django" | "alembic") => {
    for (const m of text.matchAll(re)) out.push({ inv: { kind: "migrate", tool }, text: m[0].replace(/\s+/g, " ").slice(0, 80), loc: locAt(file, text, m.index!, m[0].length), background: false, conditional: false });
  };
  add(/\bcall_command\(\s*["']migrate["'][^)\n]*\)?/g, "django");
  add(/["']manage\.py["']\s*,\s*["']migrate["']/g, "django");
  add(/\b(?:alembic\.)?command\.upgrade\(\s*[^)\n]*\)?/g, "alembic");
  add(/["']alembic["']\s*,\s*(?:["'][^"']*["']\s*,\s*)*["']upgrade["']/g, "alembic");
  return out.sort((a, b) => a.loc.line - b.loc.line || a.loc.column - b.loc.column);
}

export interface TestHider {
  kind: "test-migrate-false" | "nomigrations" | "create-all";
  text: string;
  loc: Loc;
}

/** Django settings: `DATABASES[...]["TEST"]["MIGRATE"] = False` or `"TEST": {"MIGRATE": False}`. */
export function migrateFalse(file: string, text: string): TestHider[] {
  return [...text.matchAll(/["']MIGRATE["']\s*(?::|\]\s*=)\s*False\b/g)].map((m) => ({ kind: "test-migrate-false" as const, text: m[0], loc: locAt(file, text, m.index!, m[0].length) }));
}

/** pytest configuration (pytest.ini, tox.ini, setup.cfg, pyproject.toml) passing `--nomigrations`. */
export function nomigrations(file: string, text: string): TestHider[] {
  return [...text.matchAll(/--no-?migrations\b/g)]
    .filter((m) => /addopts/.test(text.slice(Math.max(0, m.index! - 400), m.index!)))
    .map((m) => ({ kind: "nomigrations" as const, text: m[0], loc: locAt(file, text, m.index!, m[0].length) }));
}

/** A conftest.py that builds the schema with `create_all()` and never runs Alembic's upgrade. */
export function createAllInTests(file: string, text: string): TestHider[] {
  if (/\bcommand\.upgrade\(|alembic\s+upgrade|["']upgrade["']/.test(text)) return [];
  return [...text.matchAll(/\.create_all\(/g)].map((m) => ({ kind: "create-all" as const, text: "metadata.create_all()", loc: locAt(file, text, m.index! + 1, m[0].length - 1) }));
}

/** Does a test setup file run Alembic's upgrade (so a test run applies Alembic's history from scratch)? */
export function upgradesInTests(text: string): boolean {
  return /\bcommand\.upgrade\(|alembic\s+upgrade|["']alembic["']\s*,\s*["']upgrade["']/.test(text);
}

function locAt(file: string, text: string, index: number, length: number): Loc {
  const before = text.slice(0, index);
  const line = before.split("\n").length;
  const column = index - before.lastIndexOf("\n");
  const inner = text.slice(index, index + length);
  const endLine = line + inner.split("\n").length - 1;
  const endColumn = endLine === line ? column + length : length - inner.lastIndexOf("\n");
  return { file, line, column, endLine, endColumn };
}
