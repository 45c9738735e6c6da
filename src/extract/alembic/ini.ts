/**
 * `alembic.ini` and friends, read the way Python's configparser reads them: sections, `key = value`
 * or `key: value`, indented continuation lines, full-line `#`/`;` comments, `[DEFAULT]` values
 * inherited by every section, and `%(name)s` interpolation (`%(here)s` is the file's folder).
 */
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
