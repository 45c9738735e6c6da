/**
 * `alembic.ini` and friends, read the way Python's configparser reads them: sections, `key = value`
 * or `key: value`, indented continuation lines, full-line `#`/`;` comments, `[DEFAULT]` values
 * inherited by every section, and `%(name)s` interpolation (`%(here)s` is the file's folder).
 */
import type { Diagnostic } from "../../types.js";

export interface IniValue {
  value: string;
  line: number;
}

export interface IniFacts {
  file: string;
  sections: Record<string, Record<string, IniValue>>;
}

export function parseIni(file: string, text: string): IniFacts {
  const sections: Record<string, Record<string, IniValue>> = {};
  let current: Record<string, IniValue> | null = null;
  let lastKey: string | null = null;
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = i + 1;
    if (/^\s*[#;]/.test(raw) || raw.trim() === "") {
      if (raw.trim() === "") lastKey = null;
      return;
    }
    const section = /^\[([^\]]+)\]\s*$/.exec(raw);
    if (section) {
      current = sections[section[1]!] ??= {};
      lastKey = null;
      return;
    }
    if (/^\s/.test(raw) && current && lastKey) {
      const v = current[lastKey]!;
      v.value = v.value ? `${v.value}\n${raw.trim()}` : raw.trim();
      return;
    }
    const kv = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(raw);
    if (kv && current) {
      lastKey = kv[1]!.trim().toLowerCase();
      current[lastKey] = { value: kv[2]!.trim(), line };
    }
  });
  return { file, sections };
}

/** A section's option with [DEFAULT] fallback and `%(x)s` interpolation; `here` is the ini's folder. */
export function iniGet(ini: IniFacts, section: string, key: string, here: string): IniValue | null {
  const own = ini.sections[section]?.[key] ?? ini.sections["DEFAULT"]?.[key];
  if (!own) return null;
  const vars = { ...lower(ini.sections["DEFAULT"]), ...lower(ini.sections[section]) };
  let value = own.value;
  for (let depth = 0; depth < 10 && value.includes("%("); depth++) {
    value = value.replace(/%\(([^)]+)\)s/g, (m, name: string) => {
      const n = name.toLowerCase();
      if (n === "here") return here;
      return vars[n] ?? m;
    });
  }
  return { value: value.replace(/%%/g, "%"), line: own.line };
}

function lower(section: Record<string, IniValue> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(section ?? {})) out[k] = v.value;
  return out;
}

/**
 * Alembic 1.16+ reads `[tool.alembic]` from pyproject.toml: the same options as alembic.ini's
 * [alembic] section (lists for version_locations). Returned as an ini-shaped section.
 */
export async function pyprojectAlembic(file: string, text: string): Promise<{ ini: IniFacts | null; diagnostic: Diagnostic | null }> {
  if (!/^\s*\[tool\.alembic\b/m.test(text)) return { ini: null, diagnostic: null };
  const { parse } = await import("smol-toml");
  let doc: Record<string, unknown>;
  try {
    doc = parse(text) as Record<string, unknown>;
  } catch (e) {
    return { ini: null, diagnostic: { code: "unreadable-file", severity: "warning", message: `not valid TOML: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`, loc: { file, line: 1, column: 1, endLine: 1, endColumn: 1 } } };
  }
  const tool = (doc["tool"] as Record<string, unknown> | undefined)?.["alembic"];
  if (!tool || typeof tool !== "object") return { ini: null, diagnostic: null };
  const lines = text.split(/\r?\n/);
  const lineOf = (key: string) => Math.max(1, lines.findIndex((l) => new RegExp(`^\\s*${key}\\s*=`).test(l)) + 1);
  const section: Record<string, IniValue> = {};
  for (const [k, v] of Object.entries(tool as Record<string, unknown>)) {
    if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") section[k.toLowerCase()] = { value: String(v), line: lineOf(k) };
    else if (Array.isArray(v) && v.every((x) => typeof x === "string")) section[k.toLowerCase()] = { value: v.join("\n"), line: lineOf(k) };
  }
  if (section["version_locations"] && !section["version_path_separator"]) section["version_path_separator"] = { value: "newline", line: 1 };
  return { ini: { file, sections: { alembic: section } }, diagnostic: null };
}
