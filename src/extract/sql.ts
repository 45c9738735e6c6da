/**
 * Table-level DDL effects of raw SQL (Django `RunSQL`, Alembic `op.execute`).
 *
 * A tokenizer, not a full PostgreSQL grammar: it strips comments and string literals, splits
 * statements on `;` and recognises CREATE/DROP/ALTER TABLE, CREATE INDEX … ON and ALTER TABLE …
 * RENAME TO. Statements it does not understand are ignored; `unparsed` is set when the text
 * contains table DDL keywords it could not attribute, so callers can say so.
 */
import type { SqlTableEffect, TableRef } from "./facts.js";

const IDENT = String.raw`(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)`;
const QUALIFIED = String.raw`(${IDENT}(?:\s*\.\s*${IDENT})?)`;

const PATTERNS: Array<{ re: RegExp; action: SqlTableEffect["action"]; multi?: boolean; rename?: boolean; view?: boolean }> = [
  {
    re: new RegExp(String.raw`^create\s+(?:or\s+replace\s+)?(?:(?:temporary|temp)\s+)?(?:recursive\s+)?(?:materialized\s+)?view\s+(?:if\s+not\s+exists\s+)?${QUALIFIED}`, "i"),
    action: "creates",
    view: true,
  },
  { re: new RegExp(String.raw`^drop\s+(?:materialized\s+)?view\s+(?:if\s+exists\s+)?(.+?)(?:\s+(?:cascade|restrict))?$`, "is"), action: "drops", multi: true, view: true },
  {
    re: new RegExp(String.raw`^create\s+(?:(?:global|local)\s+)?(?:(?:temporary|temp|unlogged)\s+)?table\s+(?:if\s+not\s+exists\s+)?${QUALIFIED}`, "i"),
    action: "creates",
  },
  { re: new RegExp(String.raw`^drop\s+table\s+(?:if\s+exists\s+)?(.+?)(?:\s+(?:cascade|restrict))?$`, "is"), action: "drops", multi: true },
  {
    re: new RegExp(String.raw`^alter\s+table\s+(?:if\s+exists\s+)?(?:only\s+)?${QUALIFIED}\s+rename\s+to\s+(${IDENT})`, "i"),
    action: "renames",
    rename: true,
  },
  { re: new RegExp(String.raw`^alter\s+table\s+(?:if\s+exists\s+)?(?:only\s+)?${QUALIFIED}`, "i"), action: "alters" },
  {
    re: new RegExp(String.raw`^create\s+(?:unique\s+)?index\s+(?:concurrently\s+)?(?:if\s+not\s+exists\s+)?(?:${IDENT}\s+)?on\s+(?:only\s+)?${QUALIFIED}`, "i"),
    action: "alters",
  },
];

export interface SqlScan {
  effects: SqlTableEffect[];
  unparsed: boolean;
}

/** Reads raw SQL for table effects: the real PostgreSQL parser when loaded, else the tokenizer. */
export interface SqlAnalyzer {
  scan(sql: string): SqlScan;
}

export const tokenizerAnalyzer: SqlAnalyzer = { scan: scanSql };

/**
 * Cheap test: could this file contain raw SQL worth the real parser? Raw SQL (`RunSQL`, `.execute(`) with a word
 * that starts table DDL somewhere in the file (see `mayHaveDdl`).
 */
export function mentionsRawSql(text: string): boolean {
  return /\bRunSQL\b|\.execute\s*\(/.test(text) && mayHaveDdl(text);
}

/**
 * Whether SQL can have a table effect at all: every statement either reader turns into one (CREATE/DROP/ALTER
 * TABLE, VIEW or INDEX, ALTER ... RENAME, and those inside a DO block) has CREATE, DROP or ALTER in it. SQL
 * without any gives no effects and nothing unparsed with both readers, so the PostgreSQL parser is not needed.
 */
export function mayHaveDdl(sql: string): boolean {
  return /\b(?:create|drop|alter)\b/i.test(sql);
}

export function scanSql(sql: string): SqlScan {
  const effects: SqlTableEffect[] = [];
  let unparsed = false;
  for (const stmt of splitStatements(stripCommentsAndStrings(sql))) {
    let matched = false;
    for (const p of PATTERNS) {
      const m = p.re.exec(stmt);
      if (!m) continue;
      matched = true;
      if (p.multi) {
        for (const part of m[1]!.split(",")) {
          const t = parseQualified(part.trim());
          if (t) effects.push({ action: p.action, table: t, ...(p.view ? { view: true as const } : {}) });
        }
      } else {
        const t = parseQualified(m[1]!);
        if (!t) continue;
        const effect: SqlTableEffect = { action: p.action, table: t, ...(p.view ? { view: true as const } : {}) };
        if (p.rename && m[2]) effect.newName = unquote(m[2]);
        effects.push(effect);
      }
      break;
    }
    if (!matched && /\b(create|drop|alter)\s+table\b/i.test(stmt)) unparsed = true;
  }
  return { effects, unparsed };
}

function stripCommentsAndStrings(sql: string): string {
  let out = "";
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (c === "-" && next === "-") {
      while (i < sql.length && sql[i] !== "\n") i++;
    } else if (c === "/" && next === "*") {
      const end = sql.indexOf("*/", i + 2);
      i = end < 0 ? sql.length : end + 2;
      out += " ";
    } else if (c === "'") {
      i++;
      while (i < sql.length && !(sql[i] === "'" && sql[i + 1] !== "'")) i += sql[i] === "'" ? 2 : 1;
      i++;
      out += "''";
    } else if (c === "$") {
      const tag = /^\$[A-Za-z_0-9]*\$/.exec(sql.slice(i));
      if (tag) {
        const end = sql.indexOf(tag[0], i + tag[0].length);
        i = end < 0 ? sql.length : end + tag[0].length;
        out += "''";
      } else {
        out += c;
        i++;
      }
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

function splitStatements(sql: string): string[] {
  return sql
    .split(";")
    .map((s) => s.replace(/\s+/g, " ").trim())
    .filter((s) => s.length > 0);
}

function unquote(ident: string): string {
  const t = ident.trim();
  return t.startsWith('"') ? t.slice(1, -1).replace(/""/g, '"') : t.toLowerCase();
}

function parseQualified(text: string): TableRef | null {
  const m = new RegExp(String.raw`^(${IDENT})(?:\s*\.\s*(${IDENT}))?`).exec(text.trim());
  if (!m) return null;
  if (m[2]) return { schema: unquote(m[1]!), name: unquote(m[2]) };
  return { schema: null, name: unquote(m[1]!) };
}
