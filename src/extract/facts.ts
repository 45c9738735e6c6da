/**
 * FileFacts: everything tablewarden keeps from one Python file. Plain JSON-able data, a pure
 * function of (path, text), so it can be cached by content hash and built in worker threads.
 */
import type { Expr, Param, Span, Stmt } from "../python/ast.js";
import type { Diagnostic } from "../types.js";

/** `import a.b as c` / `from a import b as c`, resolved later by the linker. */
export interface ImportFact {
  /** The name bound in this module. */
  local: string;
  /** Absolute dotted module for `level == 0`; the relative tail otherwise. */
  module: string;
  level: number;
  /** Imported attribute (`from m import name`), or null when the module itself is bound. */
  name: string | null;
  span: Span;
}

export interface StarImportFact {
  module: string;
  level: number;
  span: Span;
}

/** A module-level binding, in source order. `conditional` when under if/try/for/with. */
export interface BindingFact {
  name: string;
  op: "=" | "+=" | "call";
  value: Expr;
  span: Span;
  conditional: boolean;
}

export interface FieldFact {
  name: string;
  /** Dotted callee as written (`models.ForeignKey`). */
  callee: string;
  call: Extract<Expr, { kind: "call" }>;
  /** `name: Mapped[int] = mapped_column(...)`: the annotation, when there is one. */
  annotation?: Expr;
  span: Span;
}

/** A class-level annotation without a value (`name: Mapped[str]`, SQLModel `name: str`). */
export interface AnnotatedFact {
  name: string;
  annotation: Expr;
  span: Span;
}

export interface ClassFact {
  name: string;
  span: Span;
  bases: Expr[];
  keywords: Record<string, Expr>;
  decorators: Expr[];
  /** Class-level assignments other than fields (`__tablename__`, `name`, `label`…). */
  attrs: Record<string, { value: Expr; span: Span }>;
  /** Class-level `name = Call(...)` assignments, i.e. candidate model fields/columns. */
  fields: FieldFact[];
  /** Class-level annotations without a value, in source order (SQLAlchemy 2.0 / SQLModel columns). */
  annotated?: AnnotatedFact[];
  /** Options of an inner `class Meta`, or null when there is none. */
  meta: { bases: Expr[]; options: Record<string, { value: Expr; span: Span }>; span: Span } | null;
  /** Methods by name (bodies kept: `@declared_attr def __tablename__` is evaluated). */
  methods: Record<string, FunctionFact>;
}

export interface FunctionFact {
  name: string;
  params: Param[];
  decorators: Expr[];
  body: Stmt[];
  /** The body was not read (only some files keep function bodies): calling it is unknown. */
  bodySkipped?: boolean;
  span: Span;
}

/** A call found anywhere in the file (outside class bodies), with the function it sits in. */
export interface CallSite {
  call: Extract<Expr, { kind: "call" }>;
  /** Enclosing function names, outermost first; empty at module level. */
  scope: string[];
  /** Inside a module-level `if __name__ == "__main__":` block: runs only when the file is executed as a script. */
  scriptOnly?: true;
}

/** `# tablewarden: ignore[rule-a, rule-b]` on a line, or `ignore-file[...]` anywhere in the file. */
export interface SuppressionFact {
  line: number;
  column: number;
  scope: "line" | "file";
  rules: string[];
}

export interface FileFacts {
  file: string;
  suppressions: SuppressionFact[];
  diagnostics: Diagnostic[];
  imports: ImportFact[];
  starImports: StarImportFact[];
  /** Imports inside function bodies (`def run_migrations_online(): from app import models`). */
  lazyImports: ImportFact[];
  /**
   * Module-level names whose value changes after it is bound: mutated in place (`X.append(...)`,
   * `X[k] = v`, `X += ...`) or rebound through `global X`, anywhere in the file. Their literal value
   * is not what code sees at run time (ckan's `_PLUGINS = []`, filled when plugins load).
   */
  mutated: string[];
  /** Assignments to attributes anywhere (`context.script.version_locations = [...]`). */
  attrAssignments: Array<{ target: string; span: Span; scope: string[] }>;
  bindings: BindingFact[];
  classes: ClassFact[];
  /** Every function definition in the file (nested ones too), last definition of a name wins. */
  functions: Record<string, FunctionFact>;
  /** Calls of interest anywhere in the file (context.configure, op.*, create_all…). */
  calls: CallSite[];
  djangoMigration?: DjangoMigrationFacts;
  alembicRevision?: AlembicRevisionFacts;
  alembicEnv?: AlembicEnvFacts;
}

// ------------------------------------------------------------ framework-specific facts

/** A table reference as written: the name when it is a literal (or a same-file constant). */
export interface TableRef {
  name: string | null;
  schema: string | null;
  /** Source text when the name is not a literal we could read. */
  raw?: string;
}

export interface SqlTableEffect {
  action: "creates" | "drops" | "alters" | "renames";
  table: TableRef;
  newName?: string;
  /** A view (or materialized view), not a table: autogenerate does not reflect it. */
  view?: true;
}

/** One Django migration operation, flattened from `operations = [...]`. */
export type DjangoOp =
  | { op: "CreateModel"; name: string; options: Record<string, unknown>; m2m: M2MFieldFact[]; fields?: MigrationFieldFact[]; bases?: string[]; span: Span }
  | { op: "DeleteModel"; name: string; span: Span }
  | { op: "RenameModel"; oldName: string; newName: string; span: Span }
  | { op: "AlterModelTable"; name: string; table: string | null; span: Span }
  | { op: "AlterModelOptions"; name: string; options: Record<string, unknown>; span: Span }
  | { op: "AddField"; model: string; m2m: M2MFieldFact | null; field?: MigrationFieldFact; span: Span }
  | { op: "RemoveField"; model: string; field: string; span: Span }
  | { op: "AlterField"; model: string; field: string; definition?: MigrationFieldFact; span: Span }
  | { op: "RenameField"; model: string; oldName: string; newName: string; span: Span }
  | { op: "RunSQL"; effects: SqlTableEffect[]; unparsed: boolean; span: Span }
  | { op: "SeparateDatabaseAndState"; database: DjangoOp[]; state: DjangoOp[]; span: Span }
  | { op: "Other"; name: string; span: Span };

/** A field as a migration writes it: `("title", models.CharField(max_length=200))`. */
export interface MigrationFieldFact {
  name: string;
  call: Extract<Expr, { kind: "call" }>;
  span: Span;
}

export interface M2MFieldFact {
  field: string;
  through: string | null;
  dbTable: string | null;
  span: Span;
}

export interface DjangoMigrationFacts {
  span: Span;
  dependencies: Array<{ app: string | null; name: string | null; swappable: string | null }>;
  replaces: Array<{ app: string; name: string }>;
  initial: boolean;
  operations: DjangoOp[];
}

export interface AlembicOp {
  op: string;
  action: "creates" | "drops" | "alters" | "renames";
  table: TableRef;
  newName?: string;
  /** "op" for op.* calls, "batch" inside batch_alter_table, "sql" for op.execute SQL. */
  via: "op" | "batch" | "sql";
  span: Span;
  view?: true;
  /** The op call itself, for ops that shape columns (create_table, add_column, alter_column…). */
  call?: Extract<Expr, { kind: "call" }>;
}

export interface AlembicRevisionFacts {
  revision: string | null;
  downRevision: string[] | null;
  branchLabels: string[];
  dependsOn: string[];
  span: Span;
  upgrade: AlembicOp[];
  unparsedSql: Span[];
}

export interface ConfigureCall {
  span: Span;
  scope: string[];
  kwargs: Record<string, Expr>;
  /** `**configure_args` style keywords make the call's real keywords unknowable. */
  hasSplat: boolean;
  online: boolean;
}

export interface AlembicEnvFacts {
  configureCalls: ConfigureCall[];
  /** Where env.py changes where revisions are read from at run time, if it does. */
  runtimeVersionLocations: Span | null;
  /** The module-level `target_metadata = ...` binding, if any. */
  targetMetadata: { value: Expr; span: Span } | null;
}
