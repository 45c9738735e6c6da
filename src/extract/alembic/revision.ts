/**
 * Alembic revision files: identifiers, parents, and the table-level effect of each `op.*` call in
 * `upgrade()` (including `batch_alter_table` blocks and `op.execute` SQL).
 */
import { argument, calleeName, dottedName, keyword, stringValue } from "../../python/ast.js";
import type { Expr, Stmt } from "../../python/ast.js";
import type { AlembicOp, AlembicRevisionFacts, FileFacts, TableRef } from "../facts.js";
import { stringList } from "../literal.js";
import type { SqlAnalyzer } from "../sql.js";

type Call = Extract<Expr, { kind: "call" }>;

/** Which positional argument holds the table for each op, and what the op does to it. */
const OPS: Record<string, { index: number; kw: string; action: AlembicOp["action"] }> = {
  create_table: { index: 0, kw: "table_name", action: "creates" },
  drop_table: { index: 0, kw: "table_name", action: "drops" },
  rename_table: { index: 0, kw: "old_table_name", action: "renames" },
  add_column: { index: 0, kw: "table_name", action: "alters" },
  drop_column: { index: 0, kw: "table_name", action: "alters" },
  alter_column: { index: 0, kw: "table_name", action: "alters" },
  create_index: { index: 1, kw: "table_name", action: "alters" },
  drop_index: { index: -1, kw: "table_name", action: "alters" },
  create_unique_constraint: { index: 1, kw: "table_name", action: "alters" },
  create_check_constraint: { index: 1, kw: "table_name", action: "alters" },
  create_primary_key: { index: 1, kw: "table_name", action: "alters" },
  create_foreign_key: { index: 1, kw: "source_table", action: "alters" },
  drop_constraint: { index: 1, kw: "table_name", action: "alters" },
  create_table_comment: { index: 0, kw: "table_name", action: "alters" },
  drop_table_comment: { index: 0, kw: "table_name", action: "alters" },
};

/** Batch operations name their columns/constraints only: the table comes from the block. */
const BATCH_OPS = new Set([
  "add_column",
  "drop_column",
  "alter_column",
  "create_index",
  "drop_index",
  "create_unique_constraint",
  "create_check_constraint",
  "create_primary_key",
  "create_foreign_key",
  "drop_constraint",
]);

/** Ops whose call is kept: the linker replays their columns and foreign keys. */
const COLUMN_OPS = new Set(["create_table", "add_column", "drop_column", "alter_column", "create_foreign_key", "create_primary_key"]);

export function looksLikeRevision(facts: FileFacts): boolean {
  return facts.bindings.some((b) => b.name === "revision") && facts.bindings.some((b) => b.name === "down_revision");
}

export function extractAlembicRevision(facts: FileFacts, sql: SqlAnalyzer): AlembicRevisionFacts | undefined {
  if (!looksLikeRevision(facts)) return undefined;
  const binding = (name: string) => facts.bindings.find((b) => b.name === name && b.op === "=");
  const rev = binding("revision");
  const down = binding("down_revision");
  const constants = new Map<string, string>();
  for (const b of facts.bindings) if (b.op === "=" && b.value.kind === "str") constants.set(b.name, b.value.value);
  const out: AlembicRevisionFacts = {
    revision: stringValue(rev?.value),
    downRevision: down ? stringList(down.value) : null,
    branchLabels: stringList(binding("branch_labels")?.value) ?? [],
    dependsOn: stringList(binding("depends_on")?.value) ?? [],
    span: rev?.span ?? { line: 1, column: 1, endLine: 1, endColumn: 1 },
    upgrade: [],
    unparsedSql: [],
  };
  const upgrade = facts.functions["upgrade"];
  if (upgrade) walk(upgrade.body, null, { out, constants, sql, binds: new Set() });
  return out;
}

interface Ctx {
  out: AlembicRevisionFacts;
  constants: Map<string, string>;
  sql: SqlAnalyzer;
  /** Names bound to `op.get_bind()` in upgrade(): their `.execute(...)` runs SQL like `op.execute`. */
  binds: Set<string>;
}

/** `op.get_bind()`. */
function isGetBind(e: Expr): boolean {
  return e.kind === "call" && e.func.kind === "attr" && e.func.attr === "get_bind" && dottedName(e.func.value) === "op";
}

function walk(body: Stmt[], batch: TableRef | null, ctx: Ctx): void {
  const { out, constants } = ctx;
  for (const s of body) {
    switch (s.kind) {
      case "expr":
        if (s.value.kind === "call") call(s.value, batch, ctx);
        break;
      case "assign":
        if (isGetBind(s.value)) for (const t of s.targets) if (t.kind === "name") ctx.binds.add(t.id);
        if (s.value.kind === "call") call(s.value, batch, ctx);
        break;
      case "with": {
        let inner = batch;
        for (const item of s.items) {
          if (item.kind === "call" && calleeName(item) === "batch_alter_table") {
            inner = tableRef(item, 0, "table_name", constants);
            // The operations inside the block carry the changes; the block alone changes nothing.
          }
        }
        walk(s.body, inner, ctx);
        break;
      }
      case "if":
        walk(s.body, batch, ctx);
        walk(s.orelse, batch, ctx);
        break;
      case "for":
      case "while":
        walk(s.body, batch, ctx);
        break;
      case "try":
        walk(s.body, batch, ctx);
        for (const h of s.handlers) walk(h, batch, ctx);
        walk(s.finalbody, batch, ctx);
        break;
      default:
        break;
    }
  }
}

function call(c: Call, batch: TableRef | null, ctx: Ctx): void {
  const { out, constants } = ctx;
  const name = calleeName(c);
  if (!name || c.func.kind !== "attr") return;
  const receiver = dottedName(c.func.value);
  // `conn = op.get_bind()` then `conn.execute(sa.text("DROP TABLE cookies"))` (fides), or `op.get_bind().execute(...)`.
  if ((name === "execute" || name === "exec_driver_sql") && (isGetBind(c.func.value) || (receiver !== null && ctx.binds.has(receiver)))) {
    sqlCall(c, ctx, true);
    return;
  }
  if (receiver === "op") {
    if (name === "execute") {
      sqlCall(c, ctx);
      return;
    }
    const spec = OPS[name];
    if (!spec) return;
    const table =
      spec.index < 0 ? refFrom(keyword(c, spec.kw), keyword(c, "schema"), constants) : tableRef(c, spec.index, spec.kw, constants);
    const op: AlembicOp = { op: name, action: spec.action, table, via: "op", span: c.span };
    if (COLUMN_OPS.has(name)) op.call = c;
    if (name === "rename_table") {
      const nn = stringValue(argument(c, 1, "new_table_name"));
      if (nn) op.newName = nn;
    }
    out.upgrade.push(op);
  } else if (batch && BATCH_OPS.has(name)) {
    out.upgrade.push({ op: name, action: "alters", table: batch, via: "batch", span: c.span, ...(COLUMN_OPS.has(name) ? { call: c } : {}) });
  } else if (batch && name === "execute") {
    sqlCall(c, ctx);
  }
}

/** `onBind`: a connection's execute, which data migrations also give SQLAlchemy Core statements: only SQL text is read. */
function sqlCall(c: Call, ctx: Ctx, onBind = false): void {
  const { out } = ctx;
  let arg = argument(c, 0, onBind ? "statement" : "sqltext");
  // op.execute(sa.text("...")) / op.execute(text("..."))
  if (arg?.kind === "call" && calleeName(arg) === "text") arg = argument(arg, 0, "text");
  const sql = stringValue(arg);
  if (sql === null) {
    if (!onBind) out.unparsedSql.push(c.span);
    return;
  }
  const scan = ctx.sql.scan(sql);
  for (const e of scan.effects) {
    const op: AlembicOp = { op: "execute", action: e.action, table: e.table, via: "sql", span: c.span };
    if (e.newName) op.newName = e.newName;
    if (e.view) op.view = true;
    out.upgrade.push(op);
  }
  if (scan.unparsed) out.unparsedSql.push(c.span);
}

function tableRef(c: Call, index: number, kw: string, constants: Map<string, string>): TableRef {
  return refFrom(argument(c, index, kw), keyword(c, "schema"), constants);
}

function refFrom(e: Expr | null, schemaExpr: Expr | null, constants: Map<string, string>): TableRef {
  const schema = valueOf(schemaExpr, constants);
  const name = valueOf(e, constants);
  if (name !== null) return { name, schema };
  return { name: null, schema, raw: e ? exprText(e) : "?" };
}

function valueOf(e: Expr | null, constants: Map<string, string>): string | null {
  if (!e) return null;
  if (e.kind === "str") return e.value;
  if (e.kind === "name") return constants.get(e.id) ?? null;
  return null;
}

function exprText(e: Expr): string {
  return dottedName(e) ?? (e.kind === "other" || e.kind === "fstr" ? e.text : e.kind);
}
