/**
 * SQLAlchemy, statically: declarative bases and the MetaData each one carries, mapped classes and
 * their tables, imperative `Table(...)` objects, and metadata expressions (`Base.metadata`,
 * `[a.metadata, b]`) resolved to MetaData identities.
 */
import type { Expr, Param, Stmt } from "../python/ast.js";
import { FilterEvaluator } from "./evaluate.js";
import { argument, calleeName, dottedName, keyword, statementExprs, stringValue, walkExpr, walkStatements } from "../python/ast.js";
import type { ClassFact, FileFacts } from "../extract/facts.js";
import { literal } from "../extract/literal.js";
import type { Diagnostic, Loc, TableKey } from "../types.js";
import { locOf } from "../types.js";
import type { ModuleIndex, Symbol } from "./modules.js";
import { stringOf } from "./values.js";
import type { ProjectFacts, SqlaMetadata, SqlaTable } from "./types.js";

const SQLMODEL_METADATA = "sqlmodel:SQLModel.metadata";

/** A resolved declarative base: its metadata, and how tables of its classes are named. */
interface BaseInfo {
  metadataId: string | null;
  /** An inherited `@declared_attr __tablename__` (on the base or a mixin), applied to each subclass. */
  tablename?: { body: Stmt[]; params: Param[]; file: string } | undefined;
  /** "sqlmodel": only `table=True` classes map; "flask": snake_case automatic names. */
  flavour: "plain" | "sqlmodel" | "flask";
  schema: string | null;
}

/** What one class is, for SQLAlchemy. */
type ClassKind =
  | { kind: "base"; base: BaseInfo }
  | { kind: "mapped"; base: BaseInfo; table: TableKey | null; hasOwnTable: boolean; tablenameUnknown: string | null }
  | { kind: "none" };

export interface SqlaContext {
  index: ModuleIndex;
  metadata: Map<string, SqlaMetadata>;
  classCache: Map<string, ClassKind>;
  /** `MetaData(schema=...)` defaults, by metadata id. */
  schemas: Map<string, string>;
  /** Classes already searched for a `type(..., {"__tablename__": ...})` call: where it is, or null. */
  typeCalls: Map<ClassFact, Expr["span"] | null>;
}

export function newSqlaContext(index: ModuleIndex): SqlaContext {
  return { index, metadata: new Map(), classCache: new Map(), schemas: new Map(), typeCalls: new Map() };
}

export function linkSqlalchemy(ctx: SqlaContext, files: FileFacts[], diagnostics: Diagnostic[]): ProjectFacts["sqlalchemy"] {
  const tables: SqlaTable[] = [];
  const incomplete = new Set<string>();
  const unnamed = new Map<string, Array<{ name: string; why: string; loc: Loc }>>();
  const builders = new Set<string>();
  for (const f of files) {
    for (const cls of f.classes) {
      const k = classKind(ctx, f.file, cls, new Set());
      if (k.kind !== "mapped" || k.base.metadataId === null) continue;
      // A mixin that builds more models at run time (warehouse's HasEvents: `type(..., {"__tablename__": ...})`).
      const builder = modelBuilder(ctx, f.file, cls, 0);
      if (builder && !builders.has(`${k.base.metadataId}#${builder.name}`)) {
        builders.add(`${k.base.metadataId}#${builder.name}`);
        incomplete.add(k.base.metadataId);
        const list = unnamed.get(k.base.metadataId) ?? [];
        list.push({ name: `models built by ${builder.name}`, why: `${builder.name} creates model classes at run time with type()`, loc: builder.loc });
        unnamed.set(k.base.metadataId, list);
      }
      if (!k.hasOwnTable) continue;
      if (k.table === null) {
        if (k.tablenameUnknown) {
          incomplete.add(k.base.metadataId);
          const list = unnamed.get(k.base.metadataId) ?? [];
          list.push({ name: cls.name, why: k.tablenameUnknown, loc: locOf(f.file, cls.span) });
          unnamed.set(k.base.metadataId, list);
        }
        continue;
      }
      const info = tableInfo(cls);
      tables.push({
        table: k.table,
        metadataId: k.base.metadataId,
        what: `class ${cls.name}`,
        className: cls.name,
        reflected: isReflectedTable(cls),
        loc: locOf(f.file, cls.span),
        ...(info ? { info } : {}),
      });
    }
    // Imperative tables: `users = Table("users", metadata, ...)`.
    for (const b of f.bindings) {
      if (b.op !== "=" || b.value.kind !== "call") continue;
      const t = tableCall(ctx, f.file, b.value);
      if (t) {
        const infoExpr = keyword(b.value, "info");
        const info = infoExpr ? literal(infoExpr) : undefined;
        tables.push({
          ...t,
          what: `Table("${t.table.name}") bound to \`${b.name}\``,
          className: null,
          loc: locOf(f.file, b.span),
          ...(infoExpr ? { info: info !== null && typeof info === "object" && !Array.isArray(info) ? (info as Record<string, unknown>) : ("unknown" as const) } : {}),
        });
      }
    }
  }
  // One finding per MetaData, not one per class (prefect has dozens sharing one computed name).
  for (const [id, list] of [...unnamed.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const names = list.map((c) => `\`${c.name}\``);
    const shown = names.slice(0, 5).join(", ") + (names.length > 5 ? `, … ${names.length - 5} more` : "");
    diagnostics.push({
      code: "unresolved",
      severity: "info",
      message:
        `cannot tell the table name of ${list.length === 1 ? "" : `${list.length} classes on ${ctx.metadata.get(id)?.label ?? id}: `}${shown} statically ` +
        `(${list[0]!.why}); give them a literal __tablename__ or declare the tables in config`,
      loc: list[0]!.loc,
    });
  }
  return {
    metadata: [...ctx.metadata.values()].sort((a, b) => (a.id < b.id ? -1 : 1)),
    tables,
    incompleteMetadata: [...incomplete].sort(),
    createAll: [],
  };
}

/** A keyword of `__table_args__`, given as a dict or as a tuple ending in one. */
function tableArg(cls: ClassFact, key: string): Expr | undefined {
  const ta = cls.attrs["__table_args__"]?.value;
  const dict = ta?.kind === "dict" ? ta : ta?.kind === "tuple" ? ta.elts.at(-1) : undefined;
  return dict?.kind === "dict" ? dict.items.find((i) => stringValue(i.key) === key)?.value : undefined;
}

/** `info={...}` from `__table_args__` or from `__table__ = Table(..., info=...)`. */
function tableInfo(cls: ClassFact): Record<string, unknown> | "unknown" | undefined {
  const fromArgs = tableArg(cls, "info");
  const t = cls.attrs["__table__"]?.value;
  const expr = fromArgs ?? (t?.kind === "call" ? keyword(t, "info") : null);
  if (!expr) return undefined;
  const v = literal(expr);
  return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : "unknown";
}

function isReflectedTable(cls: ClassFact): boolean {
  const t = cls.attrs["__table__"]?.value;
  return t?.kind === "call" && (keyword(t, "autoload_with") !== null || literal(keyword(t, "autoload")) === true);
}

/** `Table("name", metadata, ..., schema=..., autoload_with=...)`, if `e` is one. */
function tableCall(ctx: SqlaContext, file: string, e: Extract<Expr, { kind: "call" }>): Omit<SqlaTable, "what" | "className" | "loc"> | null {
  if (calleeName(e) !== "Table") return null;
  const sym = ctx.index.resolveExpr(file, e.func);
  if (sym.kind === "external" && !/^sqlalchemy\b/.test(sym.dotted)) return null;
  const name = stringOf(ctx.index, file, e.args[0]);
  const md = e.args[1] ? resolveMetadata(ctx, file, e.args[1]) : null;
  if (name === null || !md || md.ids.length !== 1) return null;
  const schemaArg = stringOf(ctx.index, file, keyword(e, "schema"));
  const schema = schemaArg ?? metadataSchema(ctx, md.ids[0]!);
  const reflected = keyword(e, "autoload_with") !== null || literal(keyword(e, "autoload")) === true;
  return { table: { schema, name }, metadataId: md.ids[0]!, reflected };
}

function metadataSchema(ctx: SqlaContext, id: string): string | null {
  return ctx.schemas.get(id) ?? null;
}

function registerMetadata(ctx: SqlaContext, id: string, label: string, loc: Loc, schema: string | null = null): string {
  if (!ctx.metadata.has(id)) ctx.metadata.set(id, { id, label, loc });
  if (schema) ctx.schemas.set(id, schema);
  return id;
}

// ---------------------------------------------------------------- metadata expressions

export interface MetadataRefs {
  ids: string[];
  /** Why some part could not be resolved, or null. */
  unresolved: string | null;
}

/** Resolve an expression naming one or more MetaData objects. */
export function resolveMetadata(ctx: SqlaContext, file: string, e: Expr, depth = 0): MetadataRefs {
  if (depth > 10) return { ids: [], unresolved: "too many indirections" };
  switch (e.kind) {
    case "const":
      return e.value === null ? { ids: [], unresolved: null } : { ids: [], unresolved: "not a MetaData" };
    case "list":
    case "tuple": {
      const out: MetadataRefs = { ids: [], unresolved: null };
      for (const x of e.elts) {
        const r = resolveMetadata(ctx, file, x, depth + 1);
        out.ids.push(...r.ids);
        out.unresolved ??= r.unresolved;
      }
      return out;
    }
    case "name":
    case "attr": {
      // `X.metadata`: the metadata of a declarative base (or Flask-SQLAlchemy `db`).
      if (e.kind === "attr" && e.attr === "metadata") {
        const owner = ctx.index.resolveExpr(file, e.value);
        const id = metadataOfOwner(ctx, owner);
        if (id) return { ids: [id], unresolved: null };
      }
      const sym = ctx.index.resolveExpr(file, e);
      return metadataOfSymbol(ctx, sym, dottedName(e) ?? "?", depth);
    }
    case "call":
      return { ids: [], unresolved: `\`${dottedName(e.func) ?? "a call"}(...)\` is computed at run time` };
    default:
      return { ids: [], unresolved: "not a name" };
  }
}

function metadataOfSymbol(ctx: SqlaContext, sym: Symbol, label: string, depth: number): MetadataRefs {
  if (sym.kind === "value") {
    const v = sym.value;
    if (v.kind === "call" && calleeName(v) === "MetaData") {
      const schema = stringOf(ctx.index, sym.file, keyword(v, "schema"));
      return { ids: [registerMetadata(ctx, `${sym.file}#${sym.name}`, sym.name, locOf(sym.file, v.span), schema)], unresolved: null };
    }
    return resolveMetadata(ctx, sym.file, v, depth + 1);
  }
  if (sym.kind === "external") {
    if (/^sqlmodel\.(?:main\.)?SQLModel\.metadata$/.test(sym.dotted)) return { ids: [sqlmodelMetadata(ctx)], unresolved: null };
    return { ids: [], unresolved: `\`${label}\` comes from outside the project (${sym.dotted})` };
  }
  if (sym.kind === "unknown") return { ids: [], unresolved: sym.reason };
  return { ids: [], unresolved: `\`${label}\` is not a MetaData` };
}

function sqlmodelMetadata(ctx: SqlaContext): string {
  return registerMetadata(ctx, SQLMODEL_METADATA, "SQLModel.metadata", { file: "sqlmodel", line: 1, column: 1, endLine: 1, endColumn: 1 });
}

function metadataOfOwner(ctx: SqlaContext, owner: Symbol): string | null {
  if (owner.kind === "class") {
    const k = classKind(ctx, owner.file, owner.cls, new Set());
    if (k.kind === "base" || k.kind === "mapped") return k.base.metadataId;
    return null;
  }
  if (owner.kind === "value") {
    const b = baseFromValue(ctx, owner.file, owner.name, owner.value);
    if (b) return b.metadataId;
    // `reg = registry(...)`: `reg.metadata`
    if (owner.value.kind === "call" && calleeOf(ctx, owner.file, owner.value) === "registry") {
      // By name, so the id matches the one `@reg.mapped` classes get.
      return registryMetadata(ctx, owner.file, { kind: "name", id: owner.name, span: owner.value.span });
    }
  }
  if (owner.kind === "external" && /^sqlmodel\.(?:main\.)?SQLModel$/.test(owner.dotted)) return sqlmodelMetadata(ctx);
  return null;
}

// ---------------------------------------------------------------- bases and mapped classes

/** `Base = declarative_base(...)`, `reg.generate_base()`, `db = SQLAlchemy()` → a base. */
function baseFromValue(ctx: SqlaContext, file: string, name: string, v: Expr, depth = 0): BaseInfo | null {
  if (v.kind !== "call") {
    // Aliases are followed a few steps: `Base = Base`, or two names bound to each other, end here.
    if ((v.kind === "name" || v.kind === "attr") && depth < 8) {
      const sym = ctx.index.resolveExpr(file, v);
      if (sym.kind === "value") return baseFromValue(ctx, sym.file, sym.name, sym.value, depth + 1);
      if (sym.kind === "class") {
        const k = classKind(ctx, sym.file, sym.cls, new Set());
        return k.kind === "base" ? k.base : null;
      }
    }
    return null;
  }
  const callee = calleeOf(ctx, file, v);
  const loc = locOf(file, v.span);
  if (callee === "declarative_base") {
    // `declarative_base(cls=FidesBase)`: the class every mapped class inherits, with its @declared_attr __tablename__.
    const cls = keyword(v, "cls");
    const tablename = cls ? inheritedTablename(ctx, file, cls, 0) : undefined;
    const md = keyword(v, "metadata");
    if (md) {
      const r = resolveMetadata(ctx, file, md);
      return { metadataId: r.ids[0] ?? null, flavour: "plain", schema: null, tablename };
    }
    return { metadataId: registerMetadata(ctx, `${file}#${name}.metadata`, `${name}.metadata`, loc), flavour: "plain", schema: null, tablename };
  }
  if (callee === "generate_base" && v.func.kind === "attr") {
    const reg = registryMetadata(ctx, file, v.func.value);
    return { metadataId: reg, flavour: "plain", schema: null };
  }
  if (isFlaskSqlalchemy(ctx, ctx.index.resolveExpr(file, v.func), 0)) {
    return { metadataId: registerMetadata(ctx, `${file}#${name}.metadata`, `${name}.metadata`, loc), flavour: "flask", schema: null };
  }
  return null;
}

/** `flask_sqlalchemy.SQLAlchemy`, or a project subclass of it (redash's RedashSQLAlchemy). */
function isFlaskSqlalchemy(ctx: SqlaContext, sym: Symbol, depth: number): boolean {
  if (depth > 8) return false;
  if (sym.kind === "external") return /^flask_sqlalchemy(?:\.\w+)*\.SQLAlchemy$/.test(sym.dotted);
  if (sym.kind === "class") return sym.cls.bases.some((b) => isFlaskSqlalchemy(ctx, ctx.index.resolveExpr(sym.file, b), depth + 1));
  return false;
}

/** The name a call's callee really has: `legacy_declarative_base(...)` imported `as` an alias → declarative_base. */
function calleeOf(ctx: SqlaContext, file: string, call: Extract<Expr, { kind: "call" }>): string | null {
  const sym = ctx.index.resolveExpr(file, call.func);
  if (sym.kind === "external") return sym.dotted.slice(sym.dotted.lastIndexOf(".") + 1);
  return calleeName(call);
}

/** The metadata of a `registry(...)` object. */
function registryMetadata(ctx: SqlaContext, file: string, e: Expr): string | null {
  let call: Expr = e;
  let at = file;
  let name = dottedName(e) ?? "registry";
  if (e.kind === "name" || e.kind === "attr") {
    const sym = ctx.index.resolveExpr(file, e);
    if (sym.kind !== "value") return null;
    call = sym.value;
    at = sym.file;
    name = sym.name;
  }
  if (call.kind !== "call" || calleeOf(ctx, at, call) !== "registry") return null;
  const md = keyword(call, "metadata");
  if (md) return resolveMetadata(ctx, at, md).ids[0] ?? null;
  return registerMetadata(ctx, `${at}#${name}.metadata`, `${name}.metadata`, locOf(at, call.span));
}

const DECLARATIVE_BASES = /^sqlalchemy\.orm(?:\.decl_api)?\.(DeclarativeBase|DeclarativeBaseNoMeta)$/;

export function classKind(ctx: SqlaContext, file: string, cls: ClassFact, visiting: Set<string>): ClassKind {
  const key = `${file}#${cls.name}#${cls.span.line}`;
  const cached = ctx.classCache.get(key);
  if (cached) return cached;
  if (visiting.has(key)) return { kind: "none" };
  visiting.add(key);
  const result = computeClassKind(ctx, file, cls, visiting);
  ctx.classCache.set(key, result);
  return result;
}

function computeClassKind(ctx: SqlaContext, file: string, cls: ClassFact, visiting: Set<string>): ClassKind {
  const idx = ctx.index;
  // Declarative base classes.
  const ownMetadata = () => {
    const md = cls.attrs["metadata"]?.value;
    if (md) return resolveMetadataOrNew(ctx, file, cls, md);
    return registerMetadata(ctx, `${file}#${cls.name}.metadata`, `${cls.name}.metadata`, locOf(file, cls.span));
  };
  for (const d of cls.decorators) {
    const callee = d.kind === "call" ? dottedName(d.func) : dottedName(d);
    if (callee && /(?:^|\.)as_declarative$/.test(callee)) return { kind: "base", base: { metadataId: ownMetadata(), flavour: "plain", schema: null } };
    if (callee && /\.(?:mapped|mapped_as_dataclass)$/.test(callee) && d.kind !== "call") {
      const reg = registryMetadata(ctx, file, (d as Extract<Expr, { kind: "attr" }>).value);
      const base: BaseInfo = { metadataId: reg, flavour: "plain", schema: null };
      return mappedKind(ctx, file, cls, base, null);
    }
  }
  const meta = cls.keywords["metaclass"];
  if (meta && /DeclarativeMeta$/.test(dottedName(meta) ?? "")) return { kind: "base", base: { metadataId: ownMetadata(), flavour: "plain", schema: null } };

  let inherited: BaseInfo | null = null;
  let parentMapped: Extract<ClassKind, { kind: "mapped" }> | null = null;
  let mixinTablename: BaseInfo["tablename"];
  for (const b of cls.bases) {
    const sym = idx.resolveExpr(file, b);
    if (sym.kind === "external") {
      if (DECLARATIVE_BASES.test(sym.dotted)) {
        const noMeta = sym.dotted.endsWith("NoMeta");
        const md = cls.attrs["metadata"]?.value;
        const metadataId = md ? resolveMetadataOrNew(ctx, file, cls, md) : noMeta ? null : ownMetadata();
        return { kind: "base", base: { metadataId, flavour: "plain", schema: null, tablename: declaredOn(cls, file) } };
      }
      if (/^sqlmodel\.(?:main\.)?SQLModel$/.test(sym.dotted)) {
        inherited ??= { metadataId: sqlmodelMetadata(ctx), flavour: "sqlmodel", schema: null };
      }
      continue;
    }
    if (sym.kind === "value") {
      // `class X(Base)` where `Base = declarative_base()`, or `db.Model`.
      const base = baseFromValue(ctx, sym.file, sym.name, sym.value);
      if (base) inherited ??= base;
      continue;
    }
    // Flask-SQLAlchemy's `db.Model` on a `db = SQLAlchemy()` object; `db.Model` where `db` is a project module
    // holding a `class Model` (warehouse) is a class like any other, below.
    if (b.kind === "attr" && b.attr === "Model" && sym.kind !== "class") {
      const owner = idx.resolveExpr(file, b.value);
      if (owner.kind === "value") {
        const base = baseFromValue(ctx, owner.file, owner.name, owner.value);
        if (base) inherited ??= base;
      }
      continue;
    }
    if (sym.kind === "class") {
      const k = classKind(ctx, sym.file, sym.cls, visiting);
      if (k.kind === "base") inherited ??= k.base;
      else if (k.kind === "mapped") {
        inherited ??= k.base;
        parentMapped ??= k;
      } else mixinTablename ??= declaredOn(sym.cls, sym.file);
    }
  }
  if (!inherited) return { kind: "none" };
  // A subclass acting as a base for others (abstract or mixin-like) passes its own declared name on.
  const own = declaredOn(cls, file);
  const base: BaseInfo = own || mixinTablename ? { ...inherited, tablename: own ?? mixinTablename } : inherited;
  return mappedKind(ctx, file, cls, base, parentMapped);
}

function resolveMetadataOrNew(ctx: SqlaContext, file: string, cls: ClassFact, md: Expr): string | null {
  if (md.kind === "call" && calleeName(md) === "MetaData") {
    const schema = stringOf(ctx.index, file, keyword(md, "schema"));
    return registerMetadata(ctx, `${file}#${cls.name}.metadata`, `${cls.name}.metadata`, locOf(file, md.span), schema);
  }
  return resolveMetadata(ctx, file, md).ids[0] ?? null;
}

function mappedKind(
  ctx: SqlaContext,
  file: string,
  cls: ClassFact,
  inherited: BaseInfo,
  parentMapped: Extract<ClassKind, { kind: "mapped" }> | null,
): ClassKind {
  let base = inherited;
  const idx = ctx.index;
  if (literal(cls.attrs["__abstract__"]?.value) === true) return { kind: "mapped", base, table: null, hasOwnTable: false, tablenameUnknown: null };
  if (base.flavour === "sqlmodel" && literal(cls.keywords["table"]) !== true) return { kind: "base", base };
  const schema = tableArgsSchema(ctx, file, cls) ?? (base.metadataId ? metadataSchema(ctx, base.metadataId) : null);
  // `__table__ = Table("x", Base.metadata, ...)`
  const tbl = cls.attrs["__table__"]?.value;
  if (tbl && tbl.kind === "call") {
    const name = stringOf(idx, file, argument(tbl, 0, "name"));
    const s = stringOf(idx, file, keyword(tbl, "schema")) ?? schema;
    return { kind: "mapped", base, table: name === null ? null : { schema: s, name }, hasOwnTable: true, tablenameUnknown: name === null ? "__table__ name is not a literal" : null };
  }
  const tn = cls.attrs["__tablename__"];
  if (tn) {
    const name = stringOf(idx, file, tn.value);
    return { kind: "mapped", base, table: name === null ? null : { schema, name }, hasOwnTable: true, tablenameUnknown: name === null ? "__tablename__ is computed" : null };
  }
  // Flask-SQLAlchemy: a subclass that declares its own primary key gets its own table (joined inheritance).
  const ownPrimaryKey = cls.fields.some((f) => f.call.kwargs.some((k) => k.name === "primary_key" && k.value.kind === "const" && k.value.value === true));
  if (base.flavour === "flask") {
    const bind = stringOf(idx, file, cls.attrs["__bind_key__"]?.value);
    if (bind !== null && base.metadataId) {
      const parent = ctx.metadata.get(base.metadataId);
      const id = registerMetadata(ctx, `${base.metadataId}@${bind}`, `${parent?.label.replace(/\.metadata$/, "") ?? "db"}.metadatas["${bind}"]`, locOf(file, cls.span));
      base = { ...base, metadataId: id };
    }
  }
  if (parentMapped && parentMapped.hasOwnTable && !cls.methods["__tablename__"] && !(base.flavour === "flask" && ownPrimaryKey)) {
    // Single-table inheritance: no table of its own.
    return { kind: "mapped", base, table: null, hasOwnTable: false, tablenameUnknown: null };
  }
  const declared = cls.methods["__tablename__"] ? { body: cls.methods["__tablename__"].body, params: cls.methods["__tablename__"].params, file } : base.tablename;
  if (declared) {
    const name = declaredTablename(ctx, declared, cls.name);
    return { kind: "mapped", base, table: name === null ? null : { schema, name }, hasOwnTable: true, tablenameUnknown: name === null ? "a computed @declared_attr __tablename__" : null };
  }
  if (base.flavour === "sqlmodel") return { kind: "mapped", base, table: { schema, name: cls.name.toLowerCase() }, hasOwnTable: true, tablenameUnknown: null };
  if (base.flavour === "flask") return { kind: "mapped", base, table: { schema, name: camelToSnake(cls.name) }, hasOwnTable: true, tablenameUnknown: null };
  // A mixin or intermediate class: no table, mapping happens in subclasses.
  return { kind: "base", base };
}

function declaredOn(cls: ClassFact, file: string): BaseInfo["tablename"] {
  const m = cls.methods["__tablename__"];
  return m ? { body: m.body, params: m.params, file } : undefined;
}

/**
 * A class among `cls`'s project bases (a few levels up) with a method that calls `type(name, bases, {...})` with a
 * `"__tablename__"` key: it makes models at run time, whose tables tablewarden cannot list.
 */
function modelBuilder(ctx: SqlaContext, file: string, cls: ClassFact, depth: number): { name: string; loc: Loc } | null {
  if (depth > 6) return null;
  for (const b of cls.bases) {
    const sym = ctx.index.resolveExpr(file, b);
    if (sym.kind !== "class") continue;
    let at = ctx.typeCalls.get(sym.cls);
    if (at === undefined) ctx.typeCalls.set(sym.cls, (at = typeCallWithTablename(sym.cls)));
    if (at) return { name: sym.cls.name, loc: locOf(sym.file, at) };
    const up = modelBuilder(ctx, sym.file, sym.cls, depth + 1);
    if (up) return up;
  }
  return null;
}

function typeCallWithTablename(cls: ClassFact): Expr["span"] | null {
  for (const m of Object.values(cls.methods)) {
    for (const st of walkStatements(m.body)) {
      for (const e of statementExprs(st)) {
        for (const x of walkExpr(e)) {
          if (x.kind !== "call" || x.func.kind !== "name" || x.func.id !== "type") continue;
          const ns = x.args[2];
          if (ns?.kind === "dict" && ns.items.some((i) => i.key?.kind === "str" && i.key.value === "__tablename__")) return x.span;
        }
      }
    }
  }
  return null;
}

/** The `__tablename__` method a class defines or inherits from its project bases (a few levels up), if any. */
function inheritedTablename(ctx: SqlaContext, file: string, e: Expr, depth: number): BaseInfo["tablename"] {
  if (depth > 8) return undefined;
  const sym = ctx.index.resolveExpr(file, e);
  if (sym.kind !== "class") return undefined;
  return declaredOn(sym.cls, sym.file) ?? sym.cls.bases.map((b) => inheritedTablename(ctx, sym.file, b, depth + 1)).find((t) => t !== undefined);
}

/**
 * A `@declared_attr __tablename__` run for one class: literal returns, `cls.__name__.lower()`, and
 * camel-to-snake rules built from `re.sub`/compiled patterns on `cls.__name__` (prefect's). Null if
 * the name depends on anything else.
 */
function declaredTablename(ctx: SqlaContext, fn: { body: Stmt[]; params: Param[]; file: string }, className: string): string | null {
  const evaluator = new FilterEvaluator({
    index: ctx.index,
    metadataIds: () => null,
    tablesOf: () => ({ keys: new Set<string>(), complete: false }),
    iniOption: () => undefined,
    iniSection: () => undefined,
  });
  const cls = { t: "obj" as const, attrs: { __name__: { t: "py" as const, v: className } } };
  const v = evaluator.callValue({ t: "func", file: fn.file, params: fn.params, body: fn.body }, [cls]);
  return v?.t === "py" && typeof v.v === "string" ? v.v : null;
}

/** Flask-SQLAlchemy's automatic table name. */
export function camelToSnake(name: string): string {
  // flask_sqlalchemy.model.camel_to_snake_case, verbatim.
  return name
    .replace(/((?<=[a-z0-9])[A-Z]|(?!^)[A-Z](?=[a-z]))/g, "_$1")
    .toLowerCase()
    .replace(/^_+/, "");
}

function tableArgsSchema(ctx: SqlaContext, file: string, cls: ClassFact): string | null {
  const schema = tableArg(cls, "schema");
  return schema ? stringOf(ctx.index, file, schema) : null;
}
