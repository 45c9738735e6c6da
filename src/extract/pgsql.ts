/**
 * Table effects of raw SQL read with the real PostgreSQL parser (libpg-query, WebAssembly).
 * Loaded lazily — only when a file contains raw SQL — so runs without any pay nothing.
 * Text the parser rejects (templated SQL with `%s`, fragments) falls back to the tokenizer.
 */
import { createRequire } from "node:module";
import type { SqlTableEffect, TableRef } from "./facts.js";
import { mayHaveDdl, scanSql } from "./sql.js";
import { measuredV8, nodeChose } from "../tune.js";
import type { SqlAnalyzer, SqlScan } from "./sql.js";

type Node = Record<string, unknown>;

interface PgModule {
  loadModule(): Promise<void>;
  parseSync(query: string): { stmts?: Array<{ stmt?: Node }> };
}

/**
 * V8's budget before a WebAssembly function is recompiled with TurboFan ("dynamic tiering"), as `node` sets it, and the
 * one libpg-query's module is instantiated with. Its parser is one huge function (bison's), and recompiling it took
 * 0.2–0.4 s of CPU on V8's background threads, which a run on two busy cores paid for, and which the process waited
 * for before it could exit (a fixture with one `RunSQL`: 0.58 s through the CLI, of which Node alone is 0.13 s).
 * A lint run parses little SQL, so the baseline (Liftoff) code is kept until it has run about 500 times as long.
 * Each instance takes its budget when it is created, so the flag is raised for that moment only. Both figures are
 * those of Node 20's V8 (11.3), the one measured: on another, nothing is changed.
 */
const DEFAULT_TIERING_BUDGET = 1_800_000;
const PG_TIERING_BUDGET = 1_000_000_000;

export async function loadPgAnalyzer(): Promise<SqlAnalyzer> {
  const pg = (await import("libpg-query")) as unknown as PgModule;
  // Left alone when whoever started Node chose a budget, and on a V8 other than the one measured (src/tune.ts).
  const v8 = nodeChose("wasm-tiering-budget") || !measuredV8() ? null : (createRequire(import.meta.url)("node:v8") as typeof import("node:v8"));
  v8?.setFlagsFromString(`--wasm-tiering-budget=${PG_TIERING_BUDGET}`);
  try {
    await pg.loadModule();
  } finally {
    v8?.setFlagsFromString(`--wasm-tiering-budget=${DEFAULT_TIERING_BUDGET}`);
  }
  return {
    scan(sql: string): SqlScan {
      if (!mayHaveDdl(sql)) return { effects: [], unparsed: false }; // what both readers say, without the parse
      let tree: ReturnType<PgModule["parseSync"]>;
      try {
        tree = pg.parseSync(sql);
      } catch {
        return scanSql(sql);
      }
      const out: SqlScan = { effects: [], unparsed: false };
      for (const s of tree.stmts ?? []) if (s.stmt) statement(s.stmt, out);
      return out;
    },
  };
}

/** Renamed things that belong to a table (see RenameStmt below). */
const TABLE_PARTS = new Set(["OBJECT_TABCONSTRAINT", "OBJECT_TRIGGER", "OBJECT_POLICY", "OBJECT_RULE"]);

function rangeVar(v: unknown): TableRef | null {
  const r = v as { relname?: string; schemaname?: string } | undefined;
  return r?.relname ? { schema: r.schemaname ?? null, name: r.relname } : null;
}

function statement(stmt: Node, out: SqlScan): void {
  const [kind, body] = Object.entries(stmt)[0] ?? [];
  const b = (body ?? {}) as Node;
  const push = (action: SqlTableEffect["action"], table: TableRef | null, newName?: string, view = false) => {
    if (!table) return;
    const e: SqlTableEffect = { action, table };
    if (view) e.view = true;
    if (newName) e.newName = newName;
    out.effects.push(e);
  };
  switch (kind) {
    case "CreateStmt":
      push("creates", rangeVar(b["relation"]));
      break;
    case "CreateTableAsStmt": {
      const into = b["into"] as { rel?: unknown } | undefined;
      if (b["objtype"] === "OBJECT_TABLE") push("creates", rangeVar(into?.rel));
      else if (b["objtype"] === "OBJECT_MATVIEW") push("creates", rangeVar(into?.rel), undefined, true);
      break;
    }
    case "ViewStmt":
      push("creates", rangeVar(b["view"]), undefined, true);
      break;
    case "DropStmt": {
      const view = b["removeType"] === "OBJECT_VIEW" || b["removeType"] === "OBJECT_MATVIEW";
      if (b["removeType"] !== "OBJECT_TABLE" && !view) break;
      for (const o of (b["objects"] as Array<{ List?: { items?: Array<{ String?: { sval?: string } }> } }>) ?? []) {
        const parts = (o.List?.items ?? []).map((i) => i.String?.sval ?? "");
        const name = parts.at(-1);
        if (name) push("drops", { schema: parts.length > 1 ? parts.at(-2)! : null, name }, undefined, view);
      }
      break;
    }
    case "RenameStmt": {
      // ALTER TABLE ... RENAME TO renames a table; renaming a column (of a table, not a view), a constraint, a trigger,
      // a policy or a rule alters the table it belongs to. Renaming an index, a sequence or a view changes no table.
      const type = b["renameType"];
      if (type === "OBJECT_TABLE") push("renames", rangeVar(b["relation"]), b["newname"] as string | undefined);
      else if (type === "OBJECT_COLUMN" ? b["relationType"] === "OBJECT_TABLE" : TABLE_PARTS.has(type as string)) push("alters", rangeVar(b["relation"]));
      break;
    }
    case "AlterTableStmt":
      if (b["objtype"] === "OBJECT_TABLE") push("alters", rangeVar(b["relation"]));
      break;
    case "IndexStmt":
      push("alters", rangeVar(b["relation"]));
      break;
    case "DoStmt": {
      // A PL/pgSQL block: read its body with the tokenizer.
      const args = (b["args"] as Array<{ DefElem?: { defname?: string; arg?: { String?: { sval?: string } } } }>) ?? [];
      const code = args.find((a) => a.DefElem?.defname === "as")?.DefElem?.arg?.String?.sval;
      if (code) {
        const inner = scanSql(code.replace(/\b(?:BEGIN|END|EXECUTE|THEN|ELSE|LOOP)\b/gi, ";"));
        out.effects.push(...inner.effects);
        if (inner.unparsed) out.unparsed = true;
      }
      break;
    }
    default:
      break;
  }
}
