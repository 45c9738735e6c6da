/**
 * Which database each tool points at, when the code says so with literals: Django's
 * DATABASES["default"] (ENGINE/NAME, or a dj-database-url default) and Alembic's sqlalchemy.url
 * (alembic.ini, or set in env.py). Two tools share a schema only when these could be the same database.
 */
import type { Expr } from "../python/ast.js";
import { calleeName, keyword, stringValue } from "../python/ast.js";
import type { FileFacts } from "../extract/facts.js";
import type { IniFacts } from "../extract/alembic/ini.js";
import { iniGet } from "../extract/alembic/ini.js";
import type { Loc } from "../types.js";
import { locOf } from "../types.js";
import type { ModuleIndex } from "./modules.js";
import { stringOf } from "./values.js";
import type { DatabaseRef } from "./types.js";

function engineOfDjango(engine: string): DatabaseRef["engine"] {
  if (/sqlite/.test(engine)) return "sqlite";
  if (/postg|psycopg|cockroach/.test(engine)) return "postgresql";
  if (/mysql/.test(engine)) return "mysql";
  if (/oracle/.test(engine)) return "oracle";
  return "other";
}

/** `postgresql+psycopg2://u@h/db`, `sqlite:///app.db` → engine and database name. */
export function parseUrl(url: string, loc: Loc): DatabaseRef | null {
  const m = /^([a-z0-9]+)(?:\+[a-z0-9_]+)?:\/\/(.*)$/i.exec(url.trim());
  if (!m) return null;
  const scheme = m[1]!.toLowerCase();
  const rest = m[2]!;
  if (scheme === "sqlite") return { engine: "sqlite", name: rest.replace(/^\//, "") || ":memory:", loc, source: url };
  // Alembic's template ships `driver://user:pass@localhost/dbname`: a placeholder, not a database.
  if (!/^(?:postgres|postgresql|mysql|mariadb|oracle|mssql|cockroachdb)$/.test(scheme)) return null;
  const engine = scheme.startsWith("postgres") || scheme === "cockroachdb" ? "postgresql" : scheme === "mysql" || scheme === "mariadb" ? "mysql" : scheme === "oracle" ? "oracle" : "other";
  const name = /\/([^/?#]+)(?:[?#]|$)/.exec(rest.replace(/^[^/]*/, ""))?.[1] ?? null;
  return { engine, name: name && !/[{$%]/.test(name) ? decodeURIComponent(name) : null, loc, source: url };
}

export function djangoDatabase(index: ModuleIndex, settings: FileFacts[]): DatabaseRef | null {
  for (const f of settings) {
    for (const b of [...f.bindings].reverse()) {
      if (b.name !== "DATABASES" || b.op !== "=" || b.conditional) continue;
      const ref = fromDatabases(index, f.file, b.value);
      if (ref) return ref;
    }
  }
  return null;
}

function fromDatabases(index: ModuleIndex, file: string, v: Expr): DatabaseRef | null {
  if (v.kind !== "dict") return null;
  const def = v.items.find((i) => stringValue(i.key) === "default")?.value;
  if (!def) return null;
  if (def.kind === "call") return fromDjDatabaseUrl(index, file, def);
  if (def.kind !== "dict") return null;
  const get = (k: string) => def.items.find((i) => stringValue(i.key) === k)?.value;
  const engine = stringOf(index, file, get("ENGINE"));
  if (!engine) return null;
  const name = stringOf(index, file, get("NAME"));
  return { engine: engineOfDjango(engine), name, loc: locOf(file, def.span), source: engine };
}

/** `dj_database_url.config(default="postgres://...")` / `.parse("...")`: the literal URL, if any. */
function fromDjDatabaseUrl(index: ModuleIndex, file: string, call: Extract<Expr, { kind: "call" }>): DatabaseRef | null {
  const fn = calleeName(call);
  const url = fn === "parse" ? stringOf(index, file, call.args[0]) : fn === "config" ? stringOf(index, file, keyword(call, "default")) : null;
  // config() reads DATABASE_URL first: the default is only a fallback, so the engine is all we may trust.
  const ref = url ? parseUrl(url, locOf(file, call.span)) : null;
  return ref && fn === "config" ? { ...ref, name: null } : ref;
}

/** The database an Alembic environment migrates, from env.py's set_main_option or the ini file. */
export function alembicDatabase(index: ModuleIndex, env: FileFacts, inis: IniFacts[], scriptDir: string): DatabaseRef | null | "runtime" {
  for (const site of env.calls) {
    const c = site.call;
    if (calleeName(c) !== "set_main_option" || stringValue(c.args[0]) !== "sqlalchemy.url") continue;
    const url = stringOf(index, env.file, c.args[1]);
    return url ? parseUrl(url, locOf(env.file, c.span)) : "runtime";
  }
  // The ini's URL matters only when env.py builds its engine from the config.
  const fromConfig = env.calls.some((c) => /^(?:async_)?engine_from_config$/.test(calleeName(c.call) ?? ""));
  if (!fromConfig) return null;
  for (const ini of inis) {
    const here = ini.file.includes("/") ? ini.file.slice(0, ini.file.lastIndexOf("/")) : "";
    const loc = iniGet(ini, "alembic", "script_location", here);
    if (!loc) continue;
    const dir = loc.value.replace(/^\.?\//, "");
    const full = here ? `${here}/${dir}` : dir;
    if (full.replace(/\/$/, "") !== scriptDir) continue;
    const url = iniGet(ini, "alembic", "sqlalchemy.url", here);
    if (url && !/\$\{|%\(/.test(url.value)) return parseUrl(url.value, { file: ini.file, line: url.line, column: 1, endLine: url.line, endColumn: 1 });
  }
  return null;
}

/** Could these two refer to the same database? Unknown counts as yes (the setup this tool exists for). */
export function mayShare(a: DatabaseRef | null, b: DatabaseRef | null): boolean {
  if (!a || !b) return true;
  if (a.engine !== b.engine) return false;
  if (a.name && b.name && a.name !== b.name) return false;
  return true;
}
