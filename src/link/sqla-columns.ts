/**
 * SQLAlchemy and Alembic tables, column by column: mapped classes (own columns and those of mixins
 * and abstract bases; `Column`, `mapped_column`, `Mapped[...]` annotations, SQLModel fields),
 * `Table(...)` objects, and each env.py's revision history replayed (`op.create_table`,
 * `add_column`, `drop_column`, `alter_column`, `create_foreign_key`, batch blocks, renames, drops).
 */
import type { Expr } from "../python/ast.js";
import { argument, calleeName, dottedName, keyword } from "../python/ast.js";
import type { AlembicOp, ClassFact, FileFacts } from "../extract/facts.js";
import { literal } from "../extract/literal.js";
import type { Loc, TableKey } from "../types.js";
import { locOf, normaliseTable, tableId } from "../types.js";
import { PYTHON_ANNOTATION_TYPES, SQLALCHEMY_TYPES } from "../data/column-types.js";
import type { PgType } from "../data/column-types.js";
import type { ModuleIndex } from "./modules.js";
import { classKind } from "./sqlalchemy.js";
import type { SqlaContext } from "./sqlalchemy.js";
import { stringOf } from "./values.js";
import type { AlembicEnv, ColumnShape, ForeignKeyShape, SqlaTable, TableShape } from "./types.js";

type Call = Extract<Expr, { kind: "call" }>;

/** Calls in a class body or Table(...) that are not columns but sit among them. */
const NOT_COLUMN = /^(?:relationship|relation|backref|column_property|synonym|association_proxy|hybrid_property|composite|query_expression|dynamic_loader|Relationship)$/;

export function sqlaShapes(ctx: SqlaContext, tables: SqlaTable[]): TableShape[] {
  const out: TableShape[] = [];
  for (const t of tables) {
    if (t.reflected) continue; // reflection reads the real table: nothing to drift
    const facts = ctx.index.facts(t.loc.file);
    if (!facts) continue;
    const shape: TableShape = { table: t.table, source: "sqlalchemy", what: t.what, model: null, managed: false, metadataId: t.metadataId, columns: [], foreignKeys: [], unresolved: [], complete: true, loc: t.loc };
    if (t.className) {
      const cls = facts.classes.find((c) => c.name === t.className && c.span.line === t.loc.line);
      if (!cls) continue;
      const table = cls.attrs["__table__"]?.value;
      if (table?.kind === "call") tableColumns(ctx.index, t.loc.file, table.args.slice(2), shape, ctx);
      else {
        const k = classKind(ctx, t.loc.file, cls, new Set());
        classColumns(ctx, t.loc.file, cls, shape, k.kind === "mapped" && k.base.flavour === "sqlmodel", 0);
      }
      const args = cls.attrs["__table_args__"]?.value;
      for (const a of args?.kind === "tuple" ? args.elts : []) if (a.kind === "call") constraint(ctx.index, t.loc.file, a, shape, ctx);
    } else {
      const b = facts.bindings.find((x) => x.span.line === t.loc.line && x.value.kind === "call");
      if (b && b.value.kind === "call") tableColumns(ctx.index, t.loc.file, b.value.args.slice(2), shape, ctx);
    }
    out.push(shape);
  }
  typesFromForeignKeys(out);
  return out;
}

/** Columns declared with a ForeignKey and no type get the referenced column's type. */
function typesFromForeignKeys(shapes: TableShape[]): void {
  const byTable = new Map(shapes.map((s) => [tableId(normaliseTable(s.table)), s]));
  for (let pass = 0; pass < 3; pass++) {
    for (const s of shapes) {
      for (const fk of s.foreignKeys) {
        const col = s.columns.find((c) => c.name === fk.column);
        if (!col || col.type || col.typeUnresolved || !fk.references || !fk.referencedColumn) continue;
        const target = byTable.get(tableId(normaliseTable(fk.references)))?.columns.find((c) => c.name === fk.referencedColumn);
        if (target?.type) col.type = { ...target.type };
      }
    }
  }
}

/** The column and constraint arguments of `Table("name", metadata, ...)` / `op.create_table("name", ...)`. */
function tableColumns(index: ModuleIndex, file: string, args: Expr[], shape: TableShape, ctx: SqlaContext | null): void {
  for (const a of args) {
    if (a.kind !== "call") continue;
    const name = calleeName(a);
    if (name === "Column" || name === "mapped_column") addColumn(shape, columnOf(index, file, a, null, null, ctx));
    else constraint(index, file, a, shape, ctx);
  }
}

/** Columns of a mapped class, with those of mixins and abstract bases it inherits. */
function classColumns(ctx: SqlaContext, file: string, cls: ClassFact, shape: TableShape, sqlmodel: boolean, depth: number): void {
  if (depth > 8) return;
  for (const b of [...cls.bases].reverse()) {
    const sym = ctx.index.resolveExpr(file, b);
    if (sym.kind !== "class") continue;
    const k = classKind(ctx, sym.file, sym.cls, new Set());
    // A joined-inheritance parent keeps its columns in its own table.
    if (k.kind === "mapped" && k.hasOwnTable) continue;
    classColumns(ctx, sym.file, sym.cls, shape, sqlmodel, depth + 1);
  }
  for (const f of cls.fields) {
    let call = f.call;
    const callee = calleeName(call) ?? "";
    if (callee === "deferred" && call.args[0]?.kind === "call") call = call.args[0];
    const name = calleeName(call) ?? "";
    if (NOT_COLUMN.test(name)) continue;
    if (name === "Column" || name === "mapped_column") addColumn(shape, columnOf(ctx.index, file, call, f.name, f.annotation ?? null, ctx));
    else if (name === "Field" && sqlmodel) addColumn(shape, sqlmodelField(ctx.index, file, call, f.name, f.annotation ?? null, ctx));
  }
  for (const a of cls.annotated ?? []) {
    if (a.name.startsWith("__")) continue;
    const mapped = mappedInner(a.annotation);
    if (!mapped && !sqlmodel) continue;
    const ann = mapped ?? a.annotation;
    const t = annotationType(ann);
    if (t.kind === "skip") continue;
    addColumn(shape, {
      column: { name: a.name, type: t.type, nullable: t.optional, primaryKey: false, attribute: a.name, loc: locOf(file, a.span), ...(t.type ? {} : { typeUnresolved: t.why }) },
      fk: null,
    });
  }
}

function addColumn(shape: TableShape, c: { column: ColumnShape; fk: ForeignKeyShape | null } | null): void {
  if (!c) return;
  const i = shape.columns.findIndex((x) => x.attribute === c.column.attribute);
  if (i >= 0) shape.columns.splice(i, 1);
  shape.foreignKeys = shape.foreignKeys.filter((f) => f.column !== c.column.name);
  shape.columns.push(c.column);
  if (c.fk) shape.foreignKeys.push(c.fk);
}

/** `Column("name", Type, ForeignKey(...), primary_key=, nullable=)` / `mapped_column(...)` with an optional `Mapped[...]`. */
function columnOf(index: ModuleIndex, file: string, call: Call, attribute: string | null, annotation: Expr | null, ctx: SqlaContext | null): { column: ColumnShape; fk: ForeignKeyShape | null } | null {
  let name: string | null = stringOf(index, file, keyword(call, "name"));
  let typeExpr: Expr | null = keyword(call, "type_");
  let fkExpr: Call | null = null;
  call.args.forEach((a, i) => {
    if (i === 0 && a.kind === "str") name = a.value;
    else if (a.kind === "call" && calleeName(a) === "ForeignKey") fkExpr = a;
    else if (a.kind === "call" && /^(?:Sequence|Identity|Computed|CheckConstraint)$/.test(calleeName(a) ?? "")) return;
    else if (!typeExpr && a.kind !== "str") typeExpr = a;
  });
  name ??= attribute;
  if (name === null) return null;
  const loc = locOf(file, call.span);
  const primaryKey = literal(keyword(call, "primary_key")) === true;
  const mapped = annotation ? mappedInner(annotation) : null;
  const fromAnnotation = mapped ? annotationType(mapped) : null;
  let type: PgType | null = null;
  let typeUnresolved: string | undefined;
  if (typeExpr) {
    const r = sqlaType(index, file, typeExpr);
    type = r.type;
    if (!type) typeUnresolved = r.why;
  } else if (fkExpr) {
    // No type with a ForeignKey: SQLAlchemy takes the referenced column's type (even under
    // `Mapped[int]`); filled in by `typesFromForeignKeys` once every table is known.
  } else if (fromAnnotation && fromAnnotation.kind === "type") {
    type = fromAnnotation.type;
    if (!type) typeUnresolved = fromAnnotation.why;
  } else typeUnresolved = "no type given";
  const nullableArg = keyword(call, "nullable");
  const nullableLit = literal(nullableArg);
  let nullable: boolean | null;
  if (nullableArg) nullable = typeof nullableLit === "boolean" ? nullableLit : null;
  else if (primaryKey) nullable = false;
  else if (mapped) nullable = isOptional(mapped);
  else nullable = true;
  const column: ColumnShape = { name, type, nullable, primaryKey, attribute: attribute ?? name, loc, ...(typeUnresolved ? { typeUnresolved } : {}) };
  const fk = fkExpr ? foreignKey(index, file, name, argument(fkExpr as Call, 0, "column"), locOf(file, (fkExpr as Call).span), ctx) : null;
  return { column, fk };
}

/** SQLModel `name: str = Field(primary_key=True, foreign_key="user.id", max_length=50)`. */
function sqlmodelField(index: ModuleIndex, file: string, call: Call, attribute: string, annotation: Expr | null, ctx: SqlaContext): { column: ColumnShape; fk: ForeignKeyShape | null } | null {
  const saColumn = keyword(call, "sa_column");
  if (saColumn?.kind === "call") return columnOf(index, file, saColumn, attribute, null, ctx);
  const t = annotation ? annotationType(annotation) : null;
  if (t?.kind === "skip") return null;
  const loc = locOf(file, call.span);
  const primaryKey = literal(keyword(call, "primary_key")) === true;
  const nullableLit = literal(keyword(call, "nullable"));
  let type = t?.type ?? null;
  const maxLength = literal(keyword(call, "max_length"));
  if (type?.base === "varchar" && typeof maxLength === "number") type = { ...type, length: maxLength };
  const column: ColumnShape = {
    name: attribute,
    type,
    nullable: typeof nullableLit === "boolean" ? nullableLit : primaryKey ? false : (t?.optional ?? null),
    primaryKey,
    attribute,
    loc,
    ...(type ? {} : { typeUnresolved: t?.why ?? "no annotation" }),
  };
  const fkArg = keyword(call, "foreign_key");
  return { column, fk: fkArg ? foreignKey(index, file, attribute, fkArg, loc, ctx) : null };
}

/** `ForeignKeyConstraint(["user_id"], ["auth_user.id"])` / `PrimaryKeyConstraint("id")`. */
function constraint(index: ModuleIndex, file: string, call: Call, shape: TableShape, ctx: SqlaContext | null): void {
  const name = calleeName(call);
  const strings = (e: Expr | null | undefined): Array<{ s: string | null; e: Expr }> =>
    e && (e.kind === "list" || e.kind === "tuple") ? e.elts.map((x) => ({ s: stringOf(index, file, x), e: x })) : [];
  if (name === "ForeignKeyConstraint") {
    const local = strings(argument(call, 0, "columns"));
    const remote = strings(argument(call, 1, "refcolumns"));
    local.forEach((l, i) => {
      if (l.s === null) return;
      const r = remote[i];
      shape.foreignKeys.push(foreignKey(index, file, l.s, r ? r.e : null, locOf(file, call.span), ctx));
    });
  } else if (name === "PrimaryKeyConstraint") {
    for (const a of call.args) {
      const col = stringOf(index, file, a);
      const c = col ? shape.columns.find((x) => x.name === col) : undefined;
      if (c) {
        c.primaryKey = true;
        c.nullable = false;
      }
    }
  }
}

/** A foreign key target: `"table.col"`, `"schema.table.col"`, `Model.id`, `table.c.id`, `Model.__table__.c.id`. */
function foreignKey(index: ModuleIndex, file: string, column: string, target: Expr | null, loc: Loc, ctx: SqlaContext | null): ForeignKeyShape {
  const fk: ForeignKeyShape = { column, references: null, referencedColumn: null, raw: target ? (dottedName(target) ?? (target.kind === "str" ? target.value : "?")) : "?", loc };
  if (!target) return fk;
  const text = stringOf(index, file, target);
  if (text !== null) {
    fk.raw = text;
    const parts = text.split(".");
    if (parts.length >= 2) {
      fk.referencedColumn = parts[parts.length - 1]!;
      fk.references = { schema: parts.length >= 3 ? parts[parts.length - 3]! : null, name: parts[parts.length - 2]! };
    }
    return fk;
  }
  if (target.kind !== "attr") return fk;
  fk.referencedColumn = target.attr;
  // `x.c.id` / `x.columns.id` / `Model.__table__.c.id` / `Model.id`
  let owner = target.value;
  if (owner.kind === "attr" && (owner.attr === "c" || owner.attr === "columns")) owner = owner.value;
  if (owner.kind === "attr" && owner.attr === "__table__") owner = owner.value;
  const sym = index.resolveExpr(file, owner);
  if (sym.kind === "value" && sym.value.kind === "call" && calleeName(sym.value) === "Table") {
    const name = stringOf(index, sym.file, sym.value.args[0]);
    if (name !== null) fk.references = { schema: stringOf(index, sym.file, keyword(sym.value, "schema")), name };
  } else if (sym.kind === "class" && ctx) {
    const k = classKind(ctx, sym.file, sym.cls, new Set());
    if (k.kind === "mapped" && k.table) fk.references = k.table;
  }
  return fk;
}

/** `Mapped[X]` → X; anything else → null. */
function mappedInner(e: Expr): Expr | null {
  return e.kind === "subscript" && /(?:^|\.)Mapped$/.test(dottedName(e.value) ?? "") ? e.index : null;
}

function isOptional(e: Expr): boolean {
  const none = (x: Expr) => x.kind === "const" && x.value === null;
  if (e.kind === "subscript") return /(?:^|\.)Optional$/.test(dottedName(e.value) ?? "");
  return e.kind === "binop" && e.op === "|" && (none(e.left) || none(e.right));
}

type AnnotationResult = { kind: "type"; type: PgType | null; optional: boolean; why: string } | { kind: "skip" };

/** A Python annotation's column type: `int`, `Optional[str]`, `str | None`, `datetime.datetime`. */
function annotationType(e: Expr): AnnotationResult {
  let optional = false;
  let inner = e;
  if (inner.kind === "subscript" && /(?:^|\.)Optional$/.test(dottedName(inner.value) ?? "")) {
    optional = true;
    inner = inner.index;
  } else if (inner.kind === "binop" && inner.op === "|") {
    const none = (x: Expr) => x.kind === "const" && x.value === null;
    if (none(inner.right)) (optional = true), (inner = inner.left);
    else if (none(inner.left)) (optional = true), (inner = inner.right);
  }
  const name = dottedName(inner);
  if (name === null) {
    // `Mapped[List["Child"]]`, `Mapped["Parent"]`: relationships.
    return { kind: "skip" };
  }
  if (/^(?:List|list|Set|set|Sequence|Dict|dict|ClassVar)$/.test(name) || inner.kind === "subscript") return { kind: "skip" };
  const t = PYTHON_ANNOTATION_TYPES[name];
  if (t) return { kind: "type", type: { ...t }, optional, why: "" };
  // A capitalised name that is not a known type is most likely a related class.
  return /^[A-Z]/.test(name.split(".").pop()!) && !/Enum$/.test(name) ? { kind: "skip" } : { kind: "type", type: null, optional, why: `annotation ${name}` };
}

/** An SQLAlchemy type expression → column type (null with a reason when it is not one tablewarden knows). */
export function sqlaType(index: ModuleIndex, file: string, e: Expr, depth = 0): { type: PgType | null; why: string } {
  let call: Call | null = null;
  let head = e;
  if (e.kind === "call") {
    // `String(50).with_variant(...)`: the receiver is the type.
    if (e.func.kind === "attr" && e.func.attr === "with_variant" && e.func.value.kind === "call") return sqlaType(index, file, e.func.value, depth + 1);
    call = e;
    head = e.func;
  }
  const dotted = dottedName(head);
  if (!dotted) return { type: null, why: "a computed type" };
  const sym = index.resolveExpr(file, head);
  if (sym.kind === "class") return { type: null, why: `${dotted} is a project type` };
  // `status_enum = sa.Enum(..., name="status")` once, then `sa.Column("status", status_enum)`.
  if (sym.kind === "value" && !call && depth < 5 && (sym.value.kind === "call" || sym.value.kind === "name" || sym.value.kind === "attr")) return sqlaType(index, sym.file, sym.value, depth + 1);
  if (sym.kind === "function" || sym.kind === "value") return { type: null, why: `${dotted} is built by project code` };
  if (sym.kind === "external" && !/^(?:sqlalchemy|sqlmodel|flask_sqlalchemy)\b/.test(sym.dotted)) return { type: null, why: `${dotted} comes from ${sym.dotted.split(".")[0]}` };
  const name = dotted.slice(dotted.lastIndexOf(".") + 1);
  const spec = SQLALCHEMY_TYPES[name];
  if (!spec) return { type: null, why: `${dotted} is not a type tablewarden maps` };
  const num = (x: Expr | null) => {
    const v = literal(x);
    return typeof v === "number" ? v : null;
  };
  const t: PgType = { base: spec.base };
  if (spec.timezone && call && literal(keyword(call, "timezone")) === true) t.base = spec.timezone;
  if (spec.length) t.length = call ? num(argument(call, 0, "length")) : null;
  if (spec.numeric) {
    t.precision = call ? num(argument(call, 0, "precision")) : null;
    t.scale = call ? num(argument(call, 1, "scale")) : null;
  }
  if (spec.enum) {
    if (call && literal(keyword(call, "native_enum")) === false) return { type: { base: "varchar", length: null }, why: "" };
    t.enumName = call ? stringOf(index, file, keyword(call, "name")) : null;
  }
  return { type: t, why: "" };
}

// ---------------------------------------------------------------- Alembic revisions

/** Each env.py's tables at head, replayed from its revisions in history order. */
export function alembicShapes(index: ModuleIndex, ctx: SqlaContext, envs: AlembicEnv[]): TableShape[] {
  const out: TableShape[] = [];
  for (const env of envs) {
    const state = new Map<string, TableShape>();
    for (const r of env.revisions) {
      const facts: FileFacts | null = index.facts(r.file);
      for (const op of facts?.alembicRevision?.upgrade ?? []) replayOp(index, ctx, r.file, env, op, state);
    }
    const shapes = [...state.values()].sort((a, b) => (tableId(a.table) < tableId(b.table) ? -1 : 1));
    typesFromForeignKeys(shapes);
    out.push(...shapes);
  }
  return out;
}

function replayOp(index: ModuleIndex, ctx: SqlaContext, file: string, env: AlembicEnv, op: AlembicOp, state: Map<string, TableShape>): void {
  if (op.table.name === null) return;
  const key: TableKey = normaliseTable({ schema: op.table.schema, name: op.table.name });
  const id = tableId(key);
  const loc = locOf(file, op.span);
  const existing = state.get(id);
  const c = op.call;
  const batch = op.via === "batch";
  // Batch ops drop the table argument: `batch_op.add_column(col)` vs `op.add_column("t", col)`.
  const arg = (i: number, kw: string) => (c ? argument(c, batch ? i - 1 : i, kw) : null);
  if (op.via === "sql") {
    if (op.action === "creates" && !op.view) state.set(id, { ...emptyShape(key, env, loc), complete: false, unresolved: [{ what: "CREATE TABLE in op.execute SQL", columns: [], loc }] });
    else if (op.action === "drops") state.delete(id);
    else if (existing) {
      existing.complete = false;
      existing.unresolved.push({ what: "op.execute SQL changes it", columns: [], loc });
    }
    return;
  }
  switch (op.op) {
    case "create_table": {
      const shape = emptyShape(key, env, loc);
      if (c) tableColumns(index, file, c.args.slice(1), shape, ctx);
      state.set(id, shape);
      return;
    }
    case "drop_table":
      state.delete(id);
      return;
    case "rename_table":
      if (existing && op.newName) {
        state.delete(id);
        existing.table = { schema: key.schema, name: op.newName };
        state.set(tableId(existing.table), existing);
      }
      return;
  }
  if (!existing || !c) return;
  switch (op.op) {
    case "add_column": {
      const col = arg(1, "column");
      if (col?.kind === "call") addColumn(existing, columnOf(index, file, col, null, null, ctx));
      return;
    }
    case "drop_column": {
      const name = stringOf(index, file, arg(1, "column_name"));
      if (name !== null) {
        existing.columns = existing.columns.filter((x) => x.name !== name);
        existing.foreignKeys = existing.foreignKeys.filter((x) => x.column !== name);
      }
      return;
    }
    case "alter_column": {
      const name = stringOf(index, file, arg(1, "column_name"));
      const col = existing.columns.find((x) => x.name === name);
      if (!col) return;
      const nullable = literal(keyword(c, "nullable"));
      if (typeof nullable === "boolean") col.nullable = nullable;
      const type = keyword(c, "type_");
      if (type) {
        const r = sqlaType(index, file, type);
        col.type = r.type;
        if (r.type) delete col.typeUnresolved;
        else col.typeUnresolved = r.why;
      }
      const renamed = stringOf(index, file, keyword(c, "new_column_name"));
      if (renamed !== null) {
        for (const f of existing.foreignKeys) if (f.column === col.name) f.column = renamed;
        col.name = renamed;
        col.attribute = renamed;
      }
      col.loc = loc;
      return;
    }
    case "create_foreign_key": {
      // op.create_foreign_key(name, source, referent, local_cols, remote_cols); batch: (name, referent, local, remote)
      const referent = stringOf(index, file, arg(2, "referent_table"));
      const schema = stringOf(index, file, keyword(c, "referent_schema"));
      const locals = arg(3, "local_cols");
      const remotes = arg(4, "remote_cols");
      const list = (e: Expr | null) => (e && (e.kind === "list" || e.kind === "tuple") ? e.elts.map((x) => stringOf(index, file, x)) : []);
      const rs = list(remotes);
      list(locals).forEach((l, i) => {
        if (l === null) return;
        existing.foreignKeys.push({ column: l, references: referent !== null ? { schema, name: referent } : null, referencedColumn: rs[i] ?? null, raw: referent ?? "?", loc });
      });
      return;
    }
    case "create_primary_key": {
      const cols = arg(2, "columns");
      for (const x of cols && (cols.kind === "list" || cols.kind === "tuple") ? cols.elts : []) {
        const col = existing.columns.find((y) => y.name === stringOf(index, file, x));
        if (col) col.primaryKey = true;
      }
      return;
    }
    default:
      return;
  }
}

function emptyShape(table: TableKey, env: AlembicEnv, loc: Loc): TableShape {
  return { table, source: "alembic-revisions", what: `the revisions of ${env.file}`, model: null, managed: true, env: env.file, columns: [], foreignKeys: [], unresolved: [], complete: true, loc };
}
