/**
 * Configuration: `.tablewarden.json` or `[tool.tablewarden]` in `pyproject.toml`, the nearest one found
 * walking up from the linted folder (stopping at the repository root). Every key is validated; a
 * mistake is a ConfigError naming the file, the key, what was found and what is allowed.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { SeverityOrOff } from "../types.js";
import { DIAGNOSTIC_CODES } from "../types.js";
import { nearest } from "../util/nearest.js";
import { isTableGlob } from "../util/table-glob.js";

export interface Config {
  /** The file the settings came from, or null when there is none. */
  file: string | null;
  rules: Record<string, SeverityOrOff>;
  ruleOptions: Record<string, Record<string, unknown>>;
  /** Extra ignore globs, relative to each linted root. */
  exclude: string[];
  /** When not empty, only files matching one of these globs (relative to each linted root) are read. */
  include: string[];
  /** Dotted Django settings module to read instead of detecting settings files. */
  settingsModule: string | null;
  /** Tables of installed apps tablewarden's catalogue does not know: module → table names. */
  djangoAppTables: Record<string, string[]>;
  maxFileSize: string | null;
  /** Which migrator deploys run first: the default of every rule option named `order`; null when not set. */
  migrationOrder: "django-first" | "alembic-first" | null;
  /** Declared ownership: the manifest, tables owned outside the repository, hand-offs. */
  ownership: OwnershipConfig;
}

export type DeclaredOwner = "django" | "alembic" | "external";

/** What the team says about who owns which tables (globs over table names, see src/util/table-glob.ts). */
export interface OwnershipConfig {
  /** `owners = { "auth_*" = "django" }`, in the order written. */
  owners: Array<{ pattern: string; owner: DeclaredOwner }>;
  /** Tables created outside this repository (another service, a DBA script). */
  external: string[];
  /** A history frozen after handing these tables over: its claims on them no longer make it an owner. */
  handoffs: Array<{ tables: string[]; from: "django" | "alembic"; to: DeclaredOwner }>;
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Every key a configuration may hold; schema/tablewarden.schema.json must list the same (test/schema.test.ts). */
export const KEYS = ["rules", "exclude", "include", "django-app-tables", "max-file-size", "settings-module", "owners", "external-tables", "handoffs", "migration-order"] as const;
const OWNERS: readonly DeclaredOwner[] = ["django", "alembic", "external"];
const SEVERITIES = ["off", "info", "warning", "error"];

export function emptyConfig(): Config {
  return {
    file: null,
    rules: {},
    ruleOptions: {},
    exclude: [],
    include: [],
    settingsModule: null,
    djangoAppTables: {},
    maxFileSize: null,
    migrationOrder: null,
    ownership: { owners: [], external: [], handoffs: [] },
  };
}

/** Find and read the configuration for a lint run rooted at `dir`. */
export async function loadConfig(dir: string, knownRules: Array<{ id: string; options: Record<string, { type: string }> }>): Promise<Config> {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    const json = path.join(d, ".tablewarden.json");
    if (existsSync(json)) return validate(parseJson(json), json, knownRules);
    const toml = path.join(d, "pyproject.toml");
    if (existsSync(toml)) {
      const section = await parsePyproject(toml);
      if (section !== null) return validate(section, `${toml} [tool.tablewarden]`, knownRules);
    }
    if (existsSync(path.join(d, ".git")) || path.dirname(d) === d) return emptyConfig();
  }
}

function parseJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new ConfigError(`${file}: not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
}

async function parsePyproject(file: string): Promise<unknown> {
  const text = readFileSync(file, "utf8");
  if (!/^\s*\[tool\.tablewarden\b/m.test(text)) return null;
  const { parse } = await import("smol-toml");
  let doc: Record<string, unknown>;
  try {
    doc = parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new ConfigError(`${file}: not valid TOML (${e instanceof Error ? e.message.split("\n")[0] : String(e)})`);
  }
  const tool = doc["tool"] as Record<string, unknown> | undefined;
  return tool?.["tablewarden"] ?? null;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function nearestHint(word: string, choices: readonly string[]): string {
  const near = nearest(word, choices);
  return near ? ` (did you mean "${near}"?)` : "";
}

function checkGlob(key: string, pattern: string, fail: (key: string, msg: string) => never): void {
  if (!isTableGlob(pattern)) fail(key, `"${pattern}" is not a table name or glob: use letters, digits, _, $, one optional "schema." prefix, and * or ? as wildcards`);
}

function describe(v: unknown): string {
  return Array.isArray(v) ? "an array" : v === null ? "null" : typeof v === "object" ? "a table/object" : `${typeof v} ${JSON.stringify(v)}`;
}

function validate(raw: unknown, where: string, knownRules: Array<{ id: string; options: Record<string, { type: string }> }>): Config {
  const fail = (key: string, msg: string): never => {
    throw new ConfigError(`${where}: ${key}: ${msg}`);
  };
  if (!isRecord(raw)) fail("(top level)", `expected a table/object, found ${describe(raw)}`);
  const cfg = emptyConfig();
  cfg.file = where;
  const obj = raw as Record<string, unknown>;
  const ids = [...knownRules.map((r) => r.id), ...DIAGNOSTIC_CODES];
  for (const [key, value] of Object.entries(obj)) {
    if (key === "$schema" && typeof value === "string") continue; // editors' pointer to schema/tablewarden.schema.json
    if (!(KEYS as readonly string[]).includes(key)) fail(key, `unknown key${nearestHint(key, KEYS)}; allowed: ${KEYS.join(", ")}`);
    switch (key) {
      case "rules":
        if (!isRecord(value)) fail(key, `expected a table of <rule-id> = "<severity>", found ${describe(value)}`);
        for (const [id, setting] of Object.entries(value as Record<string, unknown>)) {
          if (id === "unresolved") fail(`rules.${id}`, `"unresolved" is now the rule "unknown-ownership"; use that id`);
          if (!ids.includes(id)) fail(`rules.${id}`, `unknown rule${nearestHint(id, ids)}`);
          const [sev, opts] = Array.isArray(setting) ? setting : [setting, undefined];
          if (typeof sev !== "string" || !SEVERITIES.includes(sev)) fail(`rules.${id}`, `expected one of ${SEVERITIES.join(", ")} (or [severity, {options}]), found ${describe(sev)}`);
          cfg.rules[id] = sev as SeverityOrOff;
          if (opts !== undefined) {
            if (!isRecord(opts)) fail(`rules.${id}`, `options must be a table/object, found ${describe(opts)}`);
            const spec = knownRules.find((r) => r.id === id)?.options ?? {};
            for (const [name, v] of Object.entries(opts as Record<string, unknown>)) {
              const s = spec[name];
              if (!s) fail(`rules.${id}.${name}`, `unknown option${nearestHint(name, Object.keys(spec))}; allowed: ${Object.keys(spec).join(", ") || "none"}`);
              const ok = s!.type === "string[]" ? Array.isArray(v) && v.every((x) => typeof x === "string") : typeof v === s!.type;
              if (!ok) fail(`rules.${id}.${name}`, `expected ${s!.type}, found ${describe(v)}`);
              const allowed = (s as { values?: string[] }).values;
              if (allowed && !allowed.includes(v as string)) fail(`rules.${id}.${name}`, `expected one of ${allowed.join(", ")}, found ${describe(v)}${nearestHint(String(v), allowed)}`);
            }
            cfg.ruleOptions[id] = opts as Record<string, unknown>;
          }
        }
        break;
      case "exclude":
      case "include":
        if (!Array.isArray(value) || !value.every((x) => typeof x === "string")) fail(key, `expected an array of glob strings, found ${describe(value)}`);
        cfg[key] = value as string[];
        break;
      case "settings-module":
        if (typeof value !== "string" || !/^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*$/.test(value)) fail(key, `expected a dotted Python module such as "mysite.settings.production", found ${describe(value)}`);
        cfg.settingsModule = value as string;
        break;
      case "django-app-tables":
        if (!isRecord(value)) fail(key, `expected a table of "<app module>" = ["table", ...], found ${describe(value)}`);
        for (const [app, tables] of Object.entries(value as Record<string, unknown>)) {
          if (!Array.isArray(tables) || !tables.every((x) => typeof x === "string")) fail(`${key}.${app}`, `expected an array of table names, found ${describe(tables)}`);
          cfg.djangoAppTables[app] = tables as string[];
        }
        break;
      case "max-file-size":
        if ((typeof value !== "string" && typeof value !== "number") || !/^\d+(?:\.\d+)?\s*(?:b|kb|k|kib|mb|m|mib)?$/i.test(String(value)))
          fail(key, `expected a size such as "4MB" or "500KB", found ${describe(value)}`);
        cfg.maxFileSize = String(value);
        break;
      case "migration-order":
        if (value !== "django-first" && value !== "alembic-first")
          fail(key, `expected "django-first" or "alembic-first"${typeof value === "string" ? nearestHint(value, ["django-first", "alembic-first"]) : ""}, found ${describe(value)}`);
        cfg.migrationOrder = value as "django-first" | "alembic-first";
        break;
      case "owners":
        if (!isRecord(value)) fail(key, `expected a table of "<table glob>" = "django" | "alembic" | "external", found ${describe(value)}`);
        for (const [pattern, owner] of Object.entries(value as Record<string, unknown>)) {
          checkGlob(`${key}."${pattern}"`, pattern, fail);
          if (typeof owner !== "string" || !OWNERS.includes(owner as DeclaredOwner))
            fail(`${key}."${pattern}"`, `expected one of ${OWNERS.join(", ")}${typeof owner === "string" ? nearestHint(owner, OWNERS) : ""}, found ${describe(owner)}`);
          cfg.ownership.owners.push({ pattern, owner: owner as DeclaredOwner });
        }
        break;
      case "external-tables":
        if (!Array.isArray(value) || !value.every((x) => typeof x === "string")) fail(key, `expected an array of table names or globs, found ${describe(value)}`);
        for (const pattern of value as string[]) checkGlob(key, pattern, fail);
        cfg.ownership.external = value as string[];
        break;
      case "handoffs":
        if (!Array.isArray(value)) fail(key, `expected an array of { tables = [...], from = "django" | "alembic", to = "alembic" | "django" | "external" }, found ${describe(value)}`);
        (value as unknown[]).forEach((h, i) => {
          const at = `${key}[${i}]`;
          if (!isRecord(h)) fail(at, `expected a table/object with tables, from and to, found ${describe(h)}`);
          const rec = h as Record<string, unknown>;
          for (const k of Object.keys(rec)) if (!["tables", "from", "to"].includes(k)) fail(`${at}.${k}`, `unknown key${nearestHint(k, ["tables", "from", "to"])}; allowed: tables, from, to`);
          const tables = rec["tables"];
          if (!Array.isArray(tables) || tables.length === 0 || !tables.every((x) => typeof x === "string")) fail(`${at}.tables`, `expected a non-empty array of table names or globs, found ${describe(tables)}`);
          for (const pattern of tables as string[]) checkGlob(`${at}.tables`, pattern, fail);
          const from = rec["from"];
          if (from !== "django" && from !== "alembic") fail(`${at}.from`, `expected "django" or "alembic" (the side whose history is frozen), found ${describe(from)}`);
          const to = rec["to"];
          if (typeof to !== "string" || !OWNERS.includes(to as DeclaredOwner) || to === from) fail(`${at}.to`, `expected the new owner, one of ${OWNERS.filter((o) => o !== from).join(", ")}, found ${describe(to)}`);
          cfg.ownership.handoffs.push({ tables: tables as string[], from: from as "django" | "alembic", to: to as DeclaredOwner });
        });
        break;
    }
  }
  return cfg;
}
