/** ProjectFacts: what the linker concluded about the whole project. Plain JSON-able data. */
import type { Diagnostic, Loc, TableKey } from "../types.js";
import type { DeployProjectFacts } from "./deploy.js";
import type { PgType } from "../data/column-types.js";

export type { PgType };

export interface DjangoApp {
  /** Python module path of the app (`django.contrib.auth`, `shop`). */
  name: string;
  label: string;
  /** Folder of a project app; null for apps outside the project. */
  dir: string | null;
  origin: "project" | "catalog" | "unresolved";
  /** `AppConfig.default_auto_field` (dotted), when the app's config sets it. */
  defaultAutoField?: string;
  loc: Loc;
}

/** One Django statement about one table (model, M2M, migration operation, contrib app). */
export interface DjangoClaim {
  table: TableKey;
  source: "model" | "m2m" | "migration" | "builtin";
  action: "creates" | "maps" | "drops" | "renames" | "alters";
  /** For renames: the table's new name. */
  newName?: string;
  /** RunSQL created/dropped a view, not a table. */
  view?: true;
  /** False for `managed = False` models (and their migrations' CreateModel): no DDL. */
  managed: boolean;
  /** Human description: "model shop.Order", "CreateModel Order (shop 0001_initial)". */
  what: string;
  app: string;
  loc: Loc;
}

/** A database as the code names it. */
export interface DatabaseRef {
  engine: "postgresql" | "sqlite" | "mysql" | "oracle" | "other";
  /** Database name (or SQLite file); null when computed at run time. */
  name: string | null;
  loc: Loc;
  /** What the code says (ENGINE or URL), for messages. */
  source: string;
}

export interface DjangoMigrationModule {
  label: string;
  module: string | null;
  dir: string | null;
  /** found; missing (its package is in the project, the module is not); external (outside the project); disabled (None). */
  status: "found" | "missing" | "external" | "disabled";
  loc: Loc;
}

/** An app whose migration graph has more than one leaf: `migrate` refuses until they are merged. */
export interface DjangoConflict {
  app: string;
  leaves: Array<{ name: string; loc: Loc }>;
}

export interface SqlaMetadata {
  id: string;
  /** How the code names it: `Base.metadata`, `mirrors`. */
  label: string;
  loc: Loc;
}

export interface SqlaTable {
  table: TableKey;
  metadataId: string;
  /** `class UserMirror` / `Table("auth_user", ...)`. */
  what: string;
  className: string | null;
  /** `autoload_with=` / `autoload=True`: reflection of an existing table, a read. */
  reflected: boolean;
  /** The Table's `info={...}` (from `__table_args__` or the Table call); "unknown" when not a literal. */
  info?: Record<string, unknown> | "unknown";
  loc: Loc;
}

/** A `metadata.create_all(...)` call: it creates every table of its MetaData that does not exist yet. */
export interface CreateAllCall {
  metadataIds: string[];
  /** Why the MetaData could not be resolved, or null. */
  unresolved: string | null;
  /** `Base.metadata.create_all()`, for messages. */
  label: string;
  /** startup: module level, a start-up hook or an app factory; function: any other function; test; migration. */
  context: "startup" | "function" | "test" | "migration";
  /** Where it runs, in words: "start-up hook `startup` (@app.on_event)". */
  where: string;
  loc: Loc;
}

export interface AlembicRevisionClaim {
  table: TableKey;
  action: "creates" | "drops" | "alters" | "renames";
  newName?: string;
  view?: true;
  op: string;
  revision: string | null;
  loc: Loc;
}

export type VerdictResult = "excluded" | "included" | "unknown";

/** What `alembic revision --autogenerate` would do with a table that exists only in the database. */
export interface Verdict {
  result: VerdictResult;
  /** Why, in words: "include_object returns False (env.py:31)". */
  reason: string;
  /** The line that decided it, when one did. */
  decidedAt: Loc | null;
}

export interface AlembicEnv {
  file: string;
  /** The online `context.configure(...)` call findings are reported at. */
  configureLoc: Loc;
  scriptDir: string;
  versionDirs: string[];
  target: { metadataIds: string[]; unresolved: string | null; loc: Loc | null };
  /**
   * False when env.py gives no target_metadata (missing or None): `alembic revision --autogenerate`
   * then refuses to run, so nothing can be dropped by it.
   */
  autogenerate: boolean;
  /** Filters as configured, for messages: "include_object=include_object (env.py:20)". */
  filters: string[];
  /** Project files env.py imports, directly or through other modules (what autogenerate has loaded). */
  reachable: string[];
  /** Why `reachable` may be incomplete (an import of a project package that did not resolve), or null. */
  reachUncertain: string | null;
  /** The database this environment migrates, when the code names it with literals. */
  database: DatabaseRef | null;
  /** False when Django and this environment clearly use different databases: no shared schema. */
  sharesDjangoDatabase: boolean;
  /** Where env.py sets version_locations at run time (revisions may live elsewhere). */
  runtimeVersionLocations: Loc | null;
  /** tableId → verdict for the table existing in the database but not in target_metadata. */
  verdicts: Record<string, Verdict>;
  /**
   * The verdict for a database-only table no code names (a probe name). `excluded` means the filters leave
   * out every such table (`reflected and compare_to is None`), so an exclusion says nothing about one table.
   */
  unnamedTableVerdict?: Verdict;
  revisions: Array<{ file: string; revision: string | null; downRevision: string[] | null; branchLabels: string[]; loc: Loc }>;
  /** Every context.configure(...) call, with its keywords as written. */
  calls: Array<{ loc: Loc; online: boolean; hasSplat: boolean; keywords: Array<{ name: string; loc: Loc; source: string }> }>;
  /** Comparisons of the filter's type argument with a value Alembic never passes (`type_ == "tables"`). */
  deadBranches: Array<{ loc: Loc; value: string; filter: string }>;
  /**
   * The version table this history uses; `name` null when computed at run time. `searchPath`: where env.py sets
   * the connection's search_path (no version_table_schema given), so the unqualified table lands in whichever
   * schema that names at run time.
   */
  versionTable: { name: string | null; schema: string | null; loc: Loc | null; searchPath: Loc | null };
  /** tableId → include_name's verdict for tables that ARE on target_metadata. */
  metadataNameVerdicts: Record<string, Verdict>;
  /** tableId → include_object's verdict for tables on target_metadata (reflected=False, compare_to=None). */
  metadataObjectVerdicts: Record<string, Verdict>;
  claims: AlembicRevisionClaim[];
}

// ------------------------------------------------------------ columns and foreign keys

/** One column as one side of the code declares it. */
export interface ColumnShape {
  /** The column's name in the database (`db_column`, `<field>_id`, `Column("name", …)`). */
  name: string;
  /** Null when the type could not be resolved (a project TypeDecorator, a third-party field class). */
  type: PgType | null;
  /** Why `type` is null, for "could not resolve" infos. */
  typeUnresolved?: string;
  /** Null when unknown (SQLAlchemy types inferred from a foreign key). */
  nullable: boolean | null;
  primaryKey: boolean;
  /** The model attribute / field behind it (`author` for `author_id`). */
  attribute: string;
  loc: Loc;
}

/**
 * A foreign key a table declares. `references` is the target table when it resolved: Django FK /
 * OneToOne / M2M targets (a model class, `"app.Model"`, `"self"`, `settings.AUTH_USER_MODEL`) resolved
 * to the model's table; SQLAlchemy `ForeignKey("table.col")`, `ForeignKey(Model.id)`,
 * `ForeignKey(table.c.id)`, `ForeignKeyConstraint([...], ["table.col"])`, SQLModel `foreign_key=`;
 * Alembic `sa.ForeignKey`/`sa.ForeignKeyConstraint` in `op.create_table`, `op.add_column`,
 * `op.create_foreign_key`. When it did not resolve, `references` is null and `raw` says what the code wrote.
 */
export interface ForeignKeyShape {
  /** The referencing column of this table. */
  column: string;
  references: TableKey | null;
  /** The referenced column, when known (Django: the target's primary key column or `to_field`). */
  referencedColumn: string | null;
  /** The target as written: `"shop.Customer"`, `auth_user.id`, `UserMirror.id`. */
  raw: string;
  /** Django: `db_constraint=False` (no constraint in the database). */
  noConstraint?: true;
  loc: Loc;
}

/**
 * The columns and foreign keys of one table as one source states them.
 * - `django-model`: a concrete model class (inherited abstract fields, implicit `id` typed from
 *   DEFAULT_AUTO_FIELD / AppConfig.default_auto_field, multi-table `<parent>_ptr_id`), or the
 *   auto-created through table of one of its many-to-many fields.
 * - `django-migrations`: the model at the end of its app's migration history (AddField, AlterField,
 *   RemoveField, RenameField replayed).
 * - `django-builtin`: a contrib table (auth_user…) from tablewarden's data.
 * - `sqlalchemy`: a mapped class or `Table(...)` (one per `SqlaTable`, same `metadataId`).
 * - `alembic-revisions`: the table at the head of one env.py's revision history.
 */
export interface TableShape {
  table: TableKey;
  source: "django-model" | "django-migrations" | "django-builtin" | "sqlalchemy" | "alembic-revisions";
  /** "model shop.Order", "class UserMirror", "Table(\"auth_user\") bound to `users`", "revisions of alembic/env.py". */
  what: string;
  /** Django: the model's `app_label.ModelName`; null for through tables and the other sources. */
  model: string | null;
  /** Django: false for `managed = False` models. */
  managed: boolean;
  /** sqlalchemy: the MetaData it is declared on. */
  metadataId?: string;
  /** alembic-revisions: the env.py whose history built it. */
  env?: string;
  columns: ColumnShape[];
  foreignKeys: ForeignKeyShape[];
  /**
   * Parts that could not be read: a field class from a third-party package, a column built by a
   * project function, SQL in op.execute. `columns` lists the names it may add (empty when unknown).
   */
  unresolved: Array<{ what: string; columns: string[]; loc: Loc }>;
  /** False when columns may exist that no statement shows (unknown abstract bases, SQL-created tables). */
  complete: boolean;
  loc: Loc;
}

export interface ProjectFacts {
  django: {
    detected: boolean;
    settingsFiles: string[];
    authUserModel: string | null;
    apps: DjangoApp[];
    claims: DjangoClaim[];
    migrationModules: DjangoMigrationModule[];
    conflicts: DjangoConflict[];
    database: DatabaseRef | null;
  };
  sqlalchemy: {
    metadata: SqlaMetadata[];
    tables: SqlaTable[];
    /** Metadata holding a class whose table name could not be read: its table set is incomplete. */
    incompleteMetadata: string[];
    /** Every `create_all()` call on a MetaData (or Flask-SQLAlchemy `db`). */
    createAll: CreateAllCall[];
  };
  alembic: {
    envs: AlembicEnv[];
  };
  /** Column-level shapes of tables, one per source stating them (see TableShape). */
  shapes: TableShape[];
  diagnostics: Diagnostic[];
  /** What the linker could not resolve statically (a computed table name, an unknown app…): unknown-ownership reports these. */
  unresolved: Array<{ message: string; loc: Loc }>;
  /** Migrator runs of the deploy files and how they are ordered (set after linking; absent in bare link() output). */
  deploy?: DeployProjectFacts;
  /** Inline suppression comments by file. */
  suppressions: Record<string, Array<{ line: number; column: number; scope: "line" | "file"; rules: string[] }>>;
}
