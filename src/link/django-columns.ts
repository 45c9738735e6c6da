/**
 * Django tables, column by column: each concrete model's columns (its own fields, fields inherited
 * from abstract parents, the implicit `id` typed from DEFAULT_AUTO_FIELD / AppConfig.default_auto_field,
 * multi-table inheritance `<parent>_ptr_id`), the same model at the end of its migration history,
 * auto-created many-to-many tables, and contrib tables from tablewarden's data. Foreign keys are
 * resolved to the target model's table.
 */
import type { Expr } from "../python/ast.js";
import { argument, dottedName, keyword } from "../python/ast.js";
import type { ClassFact } from "../extract/facts.js";
import { literal } from "../extract/literal.js";
import type { Loc, Span, TableKey } from "../types.js";
import { locOf } from "../types.js";
import {
  DJANGO_ABSTRACT_BASE_COLUMNS,
  DJANGO_BUILTIN_COLUMNS,
  DJANGO_BUILTIN_MODELS,
  DJANGO_FIELD_TYPES,
  DJANGO_FK_FIELDS,
  DJANGO_NON_COLUMN_FIELDS,
} from "../data/column-types.js";
import type { DjangoFieldSpec, PgType } from "../data/column-types.js";
import type { ModuleIndex } from "./modules.js";
import { truncateName as truncated } from "./django.js";
import type { ColumnShape, ForeignKeyShape, TableShape } from "./types.js";

/** A Django model class as the linker resolved it (abstract ones too: their fields are inherited). */
export interface ModelView {
  /** `app_label.modelname`, lower case: how migrations and `"app.Model"` strings name it. */
  key: string;
  /** `shop.Order`. */
  display: string;
  file: string;
  cls: ClassFact;
  label: string;
  /** Null for abstract and proxy models. */
  table: TableKey | null;
  abstract: boolean;
  managed: boolean;
  /** Project model parents, nearest first. */
  parents: ModelView[];
  /** Django's abstract bases (`django.contrib.auth.models.AbstractUser`). */
  externalBases: string[];
  /** Other bases from outside the project (their fields are unknown). */
  unknownBases: string[];
  /** The auto field class for an implicit primary key (dotted). */
  autoField: string;
}

/** A model at the end of its app's migration history. */
export interface StateView {
  key: string;
  display: string;
  label: string;
  table: TableKey;
  managed: boolean;
  proxy: boolean;
  fields: Array<{ name: string; call: Extract<Expr, { kind: "call" }>; span: Span; file: string }>;
  /** `bases=` entries (`"shop.place"`), lower case. */
  bases: string[];
  /** Earlier keys of the model (`RenameModel`): old migrations' relations still name them. */
  aliases: string[];
  loc: Loc;
}

export interface DjangoColumnInputs {
  index: ModuleIndex;
  models: ModelView[];
  states: StateView[];
  /** `AUTH_USER_MODEL` and other `*_MODEL` settings. */
  swappable: Record<string, string>;
  /** Contrib tables Django creates (builtin claims), for their known columns. */
  builtins: Array<{ table: TableKey; what: string; loc: Loc }>;
}

type FieldCall = { name: string; call: Extract<Expr, { kind: "call" }>; span: Span; file: string };

interface Target {
  key: string | null;
  raw: string;
}

interface Pk {
  column: string;
  type: PgType | null;
}

export function djangoShapes(inp: DjangoColumnInputs): TableShape[] {
  const r = new Resolver(inp);
  const out: TableShape[] = [];
  for (const m of inp.models) if (m.table && !m.abstract) out.push(...r.modelShapes(m));
  for (const s of inp.states) if (!s.proxy) out.push(r.stateShape(s));
  for (const b of inp.builtins) {
    const cols = DJANGO_BUILTIN_COLUMNS[b.table.name];
    if (!cols || b.table.schema !== null) continue;
    out.push({
      table: b.table,
      source: "django-builtin",
      what: b.what,
      model: null,
      managed: true,
      columns: cols.map((c) => ({ name: c.name, type: c.type, nullable: c.nullable, primaryKey: c.primaryKey === true, attribute: c.name, loc: b.loc })),
      foreignKeys: cols.filter((c) => c.references).map((c) => ({ column: c.name, references: { schema: null, name: c.references! }, referencedColumn: "id", raw: c.references!, loc: b.loc })),
      unresolved: [],
      complete: true,
      loc: b.loc,
    });
  }
  return out;
}

/** What a field call is, for columns. */
type FieldKind =
  | { kind: "column"; cls: string; spec: DjangoFieldSpec }
  | { kind: "fk"; cls: string; custom: boolean }
  | { kind: "none" }
  | { kind: "unknown"; why: string };

class Resolver {
  private readonly byKey = new Map<string, ModelView>();
  private readonly byClass = new Map<string, ModelView>();
  private readonly stateByKey = new Map<string, StateView>();
  private readonly pkMemo = new Map<string, Pk | null>();
  /** modelFields of the models whose primary key is asked for (fields only: they depend on the model alone). */
  private readonly pkFields = new Map<ModelView, FieldCall[]>();
  /**
   * fieldKind by file and dotted callee: it depends on nothing else, and thousands of migrations call
   * the same few field classes (each model's fields are also asked about more than once).
   */
  private readonly kinds = new Map<string, Map<string, FieldKind>>();

  constructor(private readonly inp: DjangoColumnInputs) {
    for (const m of inp.models) {
      if (!m.abstract) this.byKey.set(m.key, m);
      this.byClass.set(`${m.file}#${m.cls.name}#${m.cls.span.line}`, m);
    }
    for (const s of inp.states) {
      this.stateByKey.set(s.key, s);
      for (const a of s.aliases) if (!this.stateByKey.has(a)) this.stateByKey.set(a, s);
    }
  }

  // ------------------------------------------------------------ model classes

  modelShapes(m: ModelView): TableShape[] {
    const shape = this.emptyShape(m.table!, "django-model", `model ${m.display}`, m.display, m.managed, locOf(m.file, m.cls.span));
    const fields = this.modelFields(m, shape);
    let hasPk = false;
    // Multi-table inheritance: a one-to-one `<parent>_ptr` to each concrete parent.
    const explicitParentLink = fields.some((f) => literal(keyword(f.call, "parent_link")) === true);
    for (const p of m.parents) {
      if (p.abstract || explicitParentLink || !p.table) continue;
      const ptr = `${p.cls.name.toLowerCase()}_ptr_id`;
      const pk = this.pkOfModel(p, 0);
      const first = !hasPk;
      shape.columns.push({ name: ptr, type: pk?.type ?? null, nullable: false, primaryKey: first, attribute: `${p.cls.name.toLowerCase()}_ptr`, loc: shape.loc });
      shape.foreignKeys.push({ column: ptr, references: p.table, referencedColumn: pk?.column ?? null, raw: p.display, loc: shape.loc });
      hasPk = true;
    }
    for (const f of fields) {
      const out = this.fieldColumn(f, m.key, m.label);
      if (out === null) continue;
      if ("unresolved" in out) {
        shape.unresolved.push(out.unresolved);
        continue;
      }
      shape.columns.push(out.column);
      if (out.fk) shape.foreignKeys.push(out.fk);
      if (out.column.primaryKey) hasPk = true;
    }
    if (!hasPk && !fields.some((f) => literal(keyword(f.call, "primary_key")) === true)) {
      const spec = DJANGO_FIELD_TYPES[lastPart(m.autoField)];
      shape.columns.unshift({ name: "id", type: spec ? { base: spec.base } : null, nullable: false, primaryKey: true, attribute: "id", loc: shape.loc, ...(spec ? {} : { typeUnresolved: `DEFAULT_AUTO_FIELD ${m.autoField}` }) });
    }
    return [shape, ...this.throughShapes(m, fields)];
  }

  /**
   * Own fields plus those of abstract parents (nearest parent last so the child's win); Django's
   * abstract bases add their columns to `shape` (null: only the fields are wanted).
   */
  private modelFields(m: ModelView, shape: TableShape | null): FieldCall[] {
    const byName = new Map<string, FieldCall>();
    const visit = (v: ModelView, depth: number) => {
      if (depth > 10) return;
      for (const p of [...v.parents].reverse()) if (p.abstract) visit(p, depth + 1);
      if (shape) {
        for (const dotted of v.externalBases) {
          for (const c of DJANGO_ABSTRACT_BASE_COLUMNS[lastPart(dotted)] ?? []) {
            if (!shape.columns.some((x) => x.name === c.name)) shape.columns.push({ name: c.name, type: c.type, nullable: c.nullable, primaryKey: false, attribute: c.name, loc: shape.loc });
          }
        }
        for (const dotted of v.unknownBases) {
          shape.complete = false;
          shape.unresolved.push({ what: `fields of ${dotted}`, columns: [], loc: locOf(v.file, v.cls.span) });
        }
      }
      for (const f of v.cls.fields) byName.set(f.name, { name: f.name, call: f.call, span: f.span, file: v.file });
    };
    visit(m, 0);
    return [...byName.values()];
  }

  /** Auto-created many-to-many tables: `id`, `<model>_id`, `<target>_id` (`from_`/`to_` when self-referential). */
  private throughShapes(m: ModelView, fields: FieldCall[]): TableShape[] {
    const out: TableShape[] = [];
    for (const f of fields) {
      const kind = this.fieldKind(f.file, f.call);
      if (kind.kind !== "none" || !/ManyToManyField$/.test(dottedName(f.call.func) ?? "")) continue;
      if (keyword(f.call, "through") || keyword(f.call, "db_table")) continue; // the through model / named table is declared elsewhere
      const table = { schema: m.table!.schema, name: truncated(`${m.table!.name}_${f.name}`) };
      const target = this.targetOf(argument(f.call, 0, "to"), f.file, m.key, m.label);
      const loc = locOf(f.file, f.span);
      const self = target.key === m.key;
      const own = self ? `from_${m.cls.name.toLowerCase()}_id` : `${m.cls.name.toLowerCase()}_id`;
      const targetName = target.key ? target.key.split(".")[1]! : null;
      const other = self ? `to_${m.cls.name.toLowerCase()}_id` : targetName ? `${targetName}_id` : null;
      const shape = this.emptyShape(table, "django-model", `many-to-many ${m.display}.${f.name}`, null, m.managed, loc);
      const myPk = this.pkOfModel(m, 0);
      const theirs = target.key ? this.pkOf(target.key, 0, "model") : null;
      shape.columns.push({ name: "id", type: { base: lastPart(m.autoField) === "BigAutoField" ? "bigint" : "integer" }, nullable: false, primaryKey: true, attribute: "id", loc });
      shape.columns.push({ name: own, type: myPk?.type ?? null, nullable: false, primaryKey: false, attribute: own, loc });
      shape.foreignKeys.push({ column: own, references: m.table!, referencedColumn: myPk?.column ?? null, raw: m.display, loc });
      if (other) {
        shape.columns.push({ name: other, type: theirs?.type ?? null, nullable: false, primaryKey: false, attribute: other, loc });
        shape.foreignKeys.push({ column: other, references: this.tableOf(target.key), referencedColumn: theirs?.column ?? null, raw: target.raw, loc });
      } else {
        shape.complete = false;
        shape.unresolved.push({ what: `the target of ${f.name} (${target.raw})`, columns: [], loc });
        shape.foreignKeys.push({ column: "?", references: null, referencedColumn: null, raw: target.raw, loc });
      }
      out.push(shape);
    }
    return out;
  }

  // ------------------------------------------------------------ migration state

  stateShape(s: StateView): TableShape {
    const shape = this.emptyShape(s.table, "django-migrations", `migration state of ${s.display}`, s.display, s.managed, s.loc);
    for (const f of s.fields) {
      const out = this.fieldColumn(f, s.key, s.label);
      if (out === null) continue;
      if ("unresolved" in out) shape.unresolved.push(out.unresolved);
      else {
        shape.columns.push(out.column);
        if (out.fk) shape.foreignKeys.push(out.fk);
      }
    }
    return shape;
  }

  // ------------------------------------------------------------ fields

  private fieldColumn(f: FieldCall, selfKey: string, label: string): { column: ColumnShape; fk: ForeignKeyShape | null } | { unresolved: TableShape["unresolved"][number] } | null {
    const kind = this.fieldKind(f.file, f.call);
    if (kind.kind === "none") return null;
    const loc = locOf(f.file, f.span);
    const dbColumn = literal(keyword(f.call, "db_column"));
    const fk = kind.kind === "fk";
    const name = typeof dbColumn === "string" ? dbColumn : fk ? `${f.name}_id` : f.name;
    if (kind.kind === "unknown") {
      return { unresolved: { what: `field \`${f.name}\` (${kind.why})`, columns: typeof dbColumn === "string" ? [dbColumn] : [f.name, `${f.name}_id`], loc } };
    }
    const nullArg = keyword(f.call, "null");
    const nullLit = literal(nullArg);
    const primaryKey = literal(keyword(f.call, "primary_key")) === true;
    const nullable = primaryKey ? false : kind.kind === "column" && kind.spec.alwaysNull ? true : nullArg === null ? false : typeof nullLit === "boolean" ? nullLit : null;
    const column: ColumnShape = { name, type: null, nullable, primaryKey, attribute: f.name, loc };
    if (kind.kind === "column") {
      column.type = fieldType(kind.spec, f.call);
      return { column, fk: null };
    }
    const target = this.targetOf(argument(f.call, 0, "to"), f.file, selfKey, label);
    const toField = literal(keyword(f.call, "to_field"));
    const pk = target.key ? this.pkOf(target.key, 0, f.file.includes("/migrations/") ? "state" : "model") : null;
    if (typeof toField === "string") column.typeUnresolved = `to_field="${toField}"`;
    else if (kind.custom) column.typeUnresolved = `${kind.cls} is not one of Django's fields`;
    else if (pk) column.type = pk.type;
    else column.typeUnresolved = `the primary key of ${target.raw} is unknown`;
    const fkShape: ForeignKeyShape = {
      column: name,
      references: this.tableOf(target.key),
      referencedColumn: typeof toField === "string" ? toField : (pk?.column ?? null),
      raw: target.raw,
      loc,
    };
    if (literal(keyword(f.call, "db_constraint")) === false) fkShape.noConstraint = true;
    return { column, fk: fkShape };
  }

  private fieldKind(file: string, call: Extract<Expr, { kind: "call" }>): FieldKind {
    const callee = dottedName(call.func);
    if (callee === null) return this.computeFieldKind(file, call, "");
    let inFile = this.kinds.get(file);
    if (!inFile) this.kinds.set(file, (inFile = new Map()));
    let kind = inFile.get(callee);
    if (!kind) inFile.set(callee, (kind = this.computeFieldKind(file, call, callee)));
    return kind;
  }

  /** `callee`: the dotted name of `call.func` ("" when it is not a dotted name). */
  private computeFieldKind(file: string, call: Extract<Expr, { kind: "call" }>, callee: string): FieldKind {
    const sym = this.inp.index.resolveExpr(file, call.func);
    const name = lastPart(callee);
    const builtin = (cls: string): FieldKind | null => {
      if (DJANGO_NON_COLUMN_FIELDS.has(cls) || /ManyToManyField$/.test(cls)) return { kind: "none" };
      if (DJANGO_FK_FIELDS.has(cls)) return { kind: "fk", cls, custom: false };
      const spec = DJANGO_FIELD_TYPES[cls];
      return spec ? { kind: "column", cls, spec } : null;
    };
    const byName = (cls: string, origin: string): FieldKind => {
      if (/(?:ForeignKey|OneToOneField)$/.test(cls)) return { kind: "fk", cls, custom: true };
      if (/ManyToMany/.test(cls)) return { kind: "none" };
      if (/Field$/.test(cls)) return { kind: "unknown", why: `${cls} from ${origin}` };
      return { kind: "none" }; // managers and other class attributes
    };
    if (sym.kind === "external") {
      const cls = lastPart(sym.dotted);
      if (/^django\./.test(sym.dotted)) return builtin(cls) ?? byName(cls, sym.dotted.split(".").slice(0, -1).join("."));
      return byName(cls, sym.dotted.split(".")[0]!);
    }
    if (sym.kind === "class") {
      // A project field class: follow its bases to one of Django's, whose column it keeps.
      const base = this.fieldBase(sym.file, sym.cls, 0);
      if (base && DJANGO_FK_FIELDS.has(base)) return { kind: "fk", cls: sym.cls.name, custom: true };
      if (base) return { kind: "unknown", why: `${sym.cls.name}, a project subclass of ${base}` };
      return /Field$/.test(sym.cls.name) ? { kind: "unknown", why: `${sym.cls.name} from the project` } : { kind: "none" };
    }
    if (sym.kind === "function") return { kind: "unknown", why: `built by ${callee}()` };
    if (sym.kind === "unknown" && /^models\./.test(callee)) return builtin(name) ?? byName(name, "django.db.models");
    return { kind: "none" };
  }

  private fieldBase(file: string, cls: ClassFact, depth: number): string | null {
    if (depth > 8) return null;
    for (const b of cls.bases) {
      const sym = this.inp.index.resolveExpr(file, b);
      if (sym.kind === "external" && /^django\./.test(sym.dotted)) {
        const n = lastPart(sym.dotted);
        if (DJANGO_FIELD_TYPES[n] || DJANGO_FK_FIELDS.has(n) || n === "Field") return n;
      }
      if (sym.kind === "class") {
        const up = this.fieldBase(sym.file, sym.cls, depth + 1);
        if (up) return up;
      }
    }
    return null;
  }

  // ------------------------------------------------------------ targets and primary keys

  /** A relation's target: a model class, `"app.Model"`, `"Model"`, `"self"`, `settings.AUTH_USER_MODEL`. */
  private targetOf(e: Expr | null, file: string, selfKey: string, label: string): Target {
    if (!e) return { key: null, raw: "?" };
    if (e.kind === "str") {
      if (e.value === "self") return { key: selfKey, raw: "self" };
      const key = e.value.includes(".") ? e.value.toLowerCase() : `${label}.${e.value.toLowerCase()}`;
      return { key, raw: e.value };
    }
    const dotted = dottedName(e);
    if (dotted) {
      const setting = /(?:^|\.)(\w+_MODEL)$/.exec(dotted)?.[1];
      if (setting) {
        const v = this.inp.swappable[setting] ?? (setting === "AUTH_USER_MODEL" ? "auth.User" : null);
        return v ? { key: v.toLowerCase(), raw: `settings.${setting} (${v})` } : { key: null, raw: dotted };
      }
      const sym = this.inp.index.resolveExpr(file, e);
      if (sym.kind === "class") {
        const m = this.byClass.get(`${sym.file}#${sym.cls.name}#${sym.cls.span.line}`);
        if (m) return { key: m.key, raw: dotted };
      }
      // Contrib models imported by class: `django.contrib.contenttypes.models.ContentType`.
      const contrib = sym.kind === "external" ? /^django\.contrib\.(\w+)\.models\.(\w+)$/.exec(sym.dotted) : null;
      if (contrib) {
        const key = Object.keys(DJANGO_BUILTIN_MODELS).find((k) => k.endsWith(`.${contrib[2]!.toLowerCase()}`));
        if (key) return { key: key === "auth.user" ? (this.inp.swappable["AUTH_USER_MODEL"]?.toLowerCase() ?? key) : key, raw: dotted };
      }
      return { key: null, raw: dotted };
    }
    return { key: null, raw: e.kind === "other" ? e.text : e.kind };
  }

  private tableOf(key: string | null): TableKey | null {
    if (!key) return null;
    const m = this.byKey.get(key) ?? this.byKey.get(this.stateByKey.get(key)?.key ?? "");
    if (m?.table) return m.table;
    const s = this.stateByKey.get(key);
    if (s) return s.table;
    const b = DJANGO_BUILTIN_MODELS[key];
    return b ? { schema: null, name: b } : null;
  }

  /** The primary key of a model: from the class (`model`) or the migration state (`state`), the other as fallback. */
  private pkOf(key: string, depth: number, prefer: "model" | "state"): Pk | null {
    const memo = `${prefer}:${key}`;
    if (this.pkMemo.has(memo)) return this.pkMemo.get(memo)!;
    this.pkMemo.set(memo, null); // cycles resolve to unknown
    const m = this.byKey.get(key);
    const s = this.stateByKey.get(key);
    const fromModel = () => (m ? this.pkOfModel(m, depth) : null);
    const fromState = () => (s ? this.pkOfState(s, depth) : null);
    let pk = prefer === "model" ? (fromModel() ?? fromState()) : (fromState() ?? fromModel());
    if (!pk && DJANGO_BUILTIN_MODELS[key]) pk = key === "sessions.session" ? { column: "session_key", type: { base: "varchar", length: 40 } } : { column: "id", type: { base: "integer" } };
    this.pkMemo.set(memo, pk);
    return pk;
  }

  private pkOfModel(m: ModelView, depth: number): Pk | null {
    if (depth > 10) return null;
    let fields = this.pkFields.get(m);
    if (!fields) this.pkFields.set(m, (fields = this.modelFields(m, null)));
    for (const f of fields) {
      if (literal(keyword(f.call, "primary_key")) !== true) continue;
      return this.pkFromField(f, m.key, m.label, depth);
    }
    const parent = m.parents.find((p) => !p.abstract && p.table);
    if (parent) {
      const pp = this.pkOfModel(parent, depth + 1);
      return { column: `${parent.cls.name.toLowerCase()}_ptr_id`, type: pp?.type ?? null };
    }
    const spec = DJANGO_FIELD_TYPES[lastPart(m.autoField)];
    return { column: "id", type: spec ? { base: spec.base } : null };
  }

  private pkOfState(s: StateView, depth: number): Pk | null {
    if (depth > 10) return null;
    const f = s.fields.find((x) => literal(keyword(x.call, "primary_key")) === true);
    return f ? this.pkFromField(f, s.key, s.label, depth) : null;
  }

  private pkFromField(f: FieldCall, selfKey: string, label: string, depth: number): Pk | null {
    const kind = this.fieldKind(f.file, f.call);
    const dbColumn = literal(keyword(f.call, "db_column"));
    if (kind.kind === "column") return { column: typeof dbColumn === "string" ? dbColumn : f.name, type: fieldType(kind.spec, f.call) };
    if (kind.kind === "fk") {
      const t = this.targetOf(argument(f.call, 0, "to"), f.file, selfKey, label);
      const up = t.key && t.key !== selfKey ? this.pkOf(t.key, depth + 1, "model") : null;
      return { column: typeof dbColumn === "string" ? dbColumn : `${f.name}_id`, type: up?.type ?? null };
    }
    return null;
  }

  private emptyShape(table: TableKey, source: TableShape["source"], what: string, model: string | null, managed: boolean, loc: Loc): TableShape {
    return { table, source, what, model, managed, columns: [], foreignKeys: [], unresolved: [], complete: true, loc };
  }
}

/** The column type of a Django field with a fixed mapping. */
export function fieldType(spec: DjangoFieldSpec, call: Extract<Expr, { kind: "call" }>): PgType {
  const t: PgType = { base: spec.base };
  if (spec.length) {
    const v = literal(keyword(call, spec.length.kw));
    t.length = typeof v === "number" ? v : keyword(call, spec.length.kw) ? null : spec.length.default;
  }
  if (spec.numeric) {
    const p = literal(keyword(call, "max_digits"));
    const s = literal(keyword(call, "decimal_places"));
    t.precision = typeof p === "number" ? p : null;
    t.scale = typeof s === "number" ? s : null;
  }
  return t;
}

function lastPart(dotted: string): string {
  return dotted.slice(dotted.lastIndexOf(".") + 1);
}
