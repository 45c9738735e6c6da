/**
 * The type mapping, in one place: which PostgreSQL column type each Django field, SQLAlchemy type
 * and Python annotation stands for, and the columns of Django's own models. mirror-model-drift
 * compares mirrors through these tables; docs/rules/mirror-model-drift.md documents them.
 *
 * Types are compared by `base` (PostgreSQL's name for the type, as `information_schema.columns`
 * reports `udt_name`-like families), then length, precision and scale when both sides state them.
 */

/** A column type as tablewarden compares it. */
export interface PgType {
  /** PostgreSQL's base type: `integer`, `bigint`, `varchar`, `text`, `timestamptz`, `jsonb`, `enum`… */
  base: string;
  /** varchar/char length; null when the code gives none (then any length matches). */
  length?: number | null;
  /** numeric precision and scale; null when the code gives none. */
  precision?: number | null;
  scale?: number | null;
  /** For `enum`: the PostgreSQL type name, when given. */
  enumName?: string | null;
}

/** How a Django field class becomes a column. */
export interface DjangoFieldSpec {
  base: string;
  /** The keyword giving the length (`max_length`) and Django's default when it is omitted. */
  length?: { kw: string; default: number | null };
  /** DecimalField: `max_digits` / `decimal_places`. */
  numeric?: true;
  /** AutoField family: an implicit or explicit auto-incrementing primary key. */
  auto?: true;
  /** NullBooleanField: always nullable. */
  alwaysNull?: true;
}

/**
 * Django's PostgreSQL backend (`django/db/backends/postgresql/base.py` `data_types`), by field class.
 * ForeignKey/OneToOneField take the type of the target's primary key (AutoField → integer,
 * BigAutoField → bigint); ManyToManyField, GenericForeignKey and GenericRelation have no column.
 */
export const DJANGO_FIELD_TYPES: Record<string, DjangoFieldSpec> = {
  AutoField: { base: "integer", auto: true },
  BigAutoField: { base: "bigint", auto: true },
  SmallAutoField: { base: "smallint", auto: true },
  IntegerField: { base: "integer" },
  BigIntegerField: { base: "bigint" },
  SmallIntegerField: { base: "smallint" },
  PositiveIntegerField: { base: "integer" },
  PositiveBigIntegerField: { base: "bigint" },
  PositiveSmallIntegerField: { base: "smallint" },
  BooleanField: { base: "boolean" },
  NullBooleanField: { base: "boolean", alwaysNull: true },
  CharField: { base: "varchar", length: { kw: "max_length", default: null } },
  SlugField: { base: "varchar", length: { kw: "max_length", default: 50 } },
  EmailField: { base: "varchar", length: { kw: "max_length", default: 254 } },
  URLField: { base: "varchar", length: { kw: "max_length", default: 200 } },
  FileField: { base: "varchar", length: { kw: "max_length", default: 100 } },
  ImageField: { base: "varchar", length: { kw: "max_length", default: 100 } },
  FilePathField: { base: "varchar", length: { kw: "max_length", default: 100 } },
  CommaSeparatedIntegerField: { base: "varchar", length: { kw: "max_length", default: null } },
  TextField: { base: "text" },
  BinaryField: { base: "bytea" },
  DateField: { base: "date" },
  DateTimeField: { base: "timestamptz" },
  TimeField: { base: "time" },
  DurationField: { base: "interval" },
  DecimalField: { base: "numeric", numeric: true },
  FloatField: { base: "double precision" },
  UUIDField: { base: "uuid" },
  JSONField: { base: "jsonb" },
  GenericIPAddressField: { base: "inet" },
  IPAddressField: { base: "inet" },
  // django.contrib.postgres
  ArrayField: { base: "array" },
  HStoreField: { base: "hstore" },
  CICharField: { base: "citext" },
  CIEmailField: { base: "citext" },
  CITextField: { base: "citext" },
  IntegerRangeField: { base: "int4range" },
  BigIntegerRangeField: { base: "int8range" },
  DecimalRangeField: { base: "numrange" },
  DateRangeField: { base: "daterange" },
  DateTimeRangeField: { base: "tstzrange" },
  SearchVectorField: { base: "tsvector" },
};

/** Relation fields holding a column that points at another model's primary key. */
export const DJANGO_FK_FIELDS = new Set(["ForeignKey", "OneToOneField"]);

/** Field-like classes that add no column to the model's table. */
export const DJANGO_NON_COLUMN_FIELDS = new Set(["ManyToManyField", "GenericForeignKey", "GenericRelation"]);

/** How an SQLAlchemy type becomes a column type. */
export interface SqlaTypeSpec {
  base: string;
  /** Positional index / keyword of the length (String(150), String(length=150)). */
  length?: true;
  /** Numeric(precision, scale). */
  numeric?: true;
  /** DateTime/TIMESTAMP/Time: `timezone=True` gives this base instead. */
  timezone?: string;
  enum?: true;
}

/**
 * SQLAlchemy's generic and PostgreSQL dialect types (`sqlalchemy.types`, `sqlalchemy.dialects.postgresql`)
 * as PostgreSQL stores them. `Float` is `double precision` (float8) when it has no precision.
 */
export const SQLALCHEMY_TYPES: Record<string, SqlaTypeSpec> = {
  Integer: { base: "integer" },
  INTEGER: { base: "integer" },
  INT: { base: "integer" },
  BigInteger: { base: "bigint" },
  BIGINT: { base: "bigint" },
  SmallInteger: { base: "smallint" },
  SMALLINT: { base: "smallint" },
  String: { base: "varchar", length: true },
  VARCHAR: { base: "varchar", length: true },
  Unicode: { base: "varchar", length: true },
  NVARCHAR: { base: "varchar", length: true },
  AutoString: { base: "varchar", length: true },
  CHAR: { base: "char", length: true },
  NCHAR: { base: "char", length: true },
  Text: { base: "text" },
  TEXT: { base: "text" },
  UnicodeText: { base: "text" },
  Boolean: { base: "boolean" },
  BOOLEAN: { base: "boolean" },
  DateTime: { base: "timestamp", timezone: "timestamptz" },
  DATETIME: { base: "timestamp", timezone: "timestamptz" },
  TIMESTAMP: { base: "timestamp", timezone: "timestamptz" },
  Date: { base: "date" },
  DATE: { base: "date" },
  Time: { base: "time", timezone: "timetz" },
  TIME: { base: "time", timezone: "timetz" },
  Interval: { base: "interval" },
  INTERVAL: { base: "interval" },
  Numeric: { base: "numeric", numeric: true },
  NUMERIC: { base: "numeric", numeric: true },
  DECIMAL: { base: "numeric", numeric: true },
  Float: { base: "double precision" },
  FLOAT: { base: "double precision" },
  Double: { base: "double precision" },
  DOUBLE: { base: "double precision" },
  DOUBLE_PRECISION: { base: "double precision" },
  REAL: { base: "real" },
  JSON: { base: "json" },
  JSONB: { base: "jsonb" },
  UUID: { base: "uuid" },
  Uuid: { base: "uuid" },
  LargeBinary: { base: "bytea" },
  BYTEA: { base: "bytea" },
  Enum: { base: "enum", enum: true },
  ENUM: { base: "enum", enum: true },
  ARRAY: { base: "array" },
  INET: { base: "inet" },
  CIDR: { base: "cidr" },
  MACADDR: { base: "macaddr" },
  HSTORE: { base: "hstore" },
  CITEXT: { base: "citext" },
  TSVECTOR: { base: "tsvector" },
  INT4RANGE: { base: "int4range" },
  INT8RANGE: { base: "int8range" },
  NUMRANGE: { base: "numrange" },
  DATERANGE: { base: "daterange" },
  TSTZRANGE: { base: "tstzrange" },
  TSRANGE: { base: "tsrange" },
};

/**
 * SQLAlchemy 2.0's default `type_annotation_map` (and SQLModel's field types): `Mapped[int]` → Integer.
 * Keys are the annotation as written, with or without its module.
 */
export const PYTHON_ANNOTATION_TYPES: Record<string, PgType> = {
  int: { base: "integer" },
  str: { base: "varchar", length: null },
  bool: { base: "boolean" },
  float: { base: "double precision" },
  Decimal: { base: "numeric", precision: null, scale: null },
  "decimal.Decimal": { base: "numeric", precision: null, scale: null },
  datetime: { base: "timestamp" },
  "datetime.datetime": { base: "timestamp" },
  date: { base: "date" },
  "datetime.date": { base: "date" },
  time: { base: "time" },
  "datetime.time": { base: "time" },
  timedelta: { base: "interval" },
  "datetime.timedelta": { base: "interval" },
  UUID: { base: "uuid" },
  "uuid.UUID": { base: "uuid" },
  bytes: { base: "bytea" },
};

/** One column of a Django model that lives outside the project (contrib). */
export interface BuiltinColumn {
  name: string;
  type: PgType;
  nullable: boolean;
  primaryKey?: true;
  /** A foreign key: the referenced table. */
  references?: string;
}

const col = (name: string, base: string, nullable = false, length?: number): BuiltinColumn => ({
  name,
  type: length !== undefined ? { base, length } : { base },
  nullable,
});
const pk = (name = "id"): BuiltinColumn => ({ name, type: { base: "integer" }, nullable: false, primaryKey: true });
const fk = (name: string, references: string, nullable = false): BuiltinColumn => ({ name, type: { base: "integer" }, nullable, references });

/** Fields Django's abstract auth bases give a custom user model (`AbstractUser`, `AbstractBaseUser`, `PermissionsMixin`). */
export const DJANGO_ABSTRACT_BASE_COLUMNS: Record<string, BuiltinColumn[]> = {
  AbstractBaseUser: [col("password", "varchar", false, 128), col("last_login", "timestamptz", true)],
  PermissionsMixin: [col("is_superuser", "boolean")],
  AbstractUser: [
    col("password", "varchar", false, 128),
    col("last_login", "timestamptz", true),
    col("is_superuser", "boolean"),
    col("username", "varchar", false, 150),
    col("first_name", "varchar", false, 150),
    col("last_name", "varchar", false, 150),
    col("email", "varchar", false, 254),
    col("is_staff", "boolean"),
    col("is_active", "boolean"),
    col("date_joined", "timestamptz"),
  ],
};

/**
 * Columns of contrib models' tables as Django 3.1+ creates them (their apps set
 * `default_auto_field = AutoField`, so primary keys are `integer`). Older Django had shorter
 * `first_name`/`last_name`; only the column names of these tables are version-proof.
 */
export const DJANGO_BUILTIN_COLUMNS: Record<string, BuiltinColumn[]> = {
  auth_user: [pk(), ...DJANGO_ABSTRACT_BASE_COLUMNS["AbstractUser"]!],
  auth_group: [pk(), col("name", "varchar", false, 150)],
  auth_permission: [pk(), col("name", "varchar", false, 255), fk("content_type_id", "django_content_type"), col("codename", "varchar", false, 100)],
  auth_group_permissions: [pk(), fk("group_id", "auth_group"), fk("permission_id", "auth_permission")],
  auth_user_groups: [pk(), fk("user_id", "auth_user"), fk("group_id", "auth_group")],
  auth_user_user_permissions: [pk(), fk("user_id", "auth_user"), fk("permission_id", "auth_permission")],
  django_content_type: [pk(), col("app_label", "varchar", false, 100), col("model", "varchar", false, 100)],
  django_session: [{ ...col("session_key", "varchar", false, 40), primaryKey: true }, col("session_data", "text"), col("expire_date", "timestamptz")],
  django_site: [pk(), col("domain", "varchar", false, 100), col("name", "varchar", false, 50)],
  django_admin_log: [
    pk(),
    col("action_time", "timestamptz"),
    col("object_id", "text", true),
    col("object_repr", "varchar", false, 200),
    { ...col("action_flag", "smallint") },
    col("change_message", "text"),
    fk("content_type_id", "django_content_type", true),
    fk("user_id", "auth_user"),
  ],
};

/** Contrib models by `app_label.model` (lower case), for foreign keys into them. */
export const DJANGO_BUILTIN_MODELS: Record<string, string> = {
  "auth.user": "auth_user",
  "auth.group": "auth_group",
  "auth.permission": "auth_permission",
  "contenttypes.contenttype": "django_content_type",
  "sessions.session": "django_session",
  "sites.site": "django_site",
  "admin.logentry": "django_admin_log",
};

/** The SQLAlchemy type to write for a PostgreSQL type (fix snippets); `{n}` is the length, `{p}`/`{s}` precision and scale. */
export const SQLALCHEMY_FOR_PG: Record<string, string> = {
  integer: "Integer",
  bigint: "BigInteger",
  smallint: "SmallInteger",
  varchar: "String({n})",
  char: "CHAR({n})",
  text: "Text",
  boolean: "Boolean",
  date: "Date",
  time: "Time",
  timestamp: "DateTime",
  timestamptz: "DateTime(timezone=True)",
  interval: "Interval",
  numeric: "Numeric({p}, {s})",
  "double precision": "Float",
  real: "REAL",
  json: "JSON",
  jsonb: "JSONB",
  uuid: "UUID",
  bytea: "LargeBinary",
  inet: "INET",
};

/** The Django field to write for a PostgreSQL type (fix snippets of `managed = False` mirrors). */
export const DJANGO_FOR_PG: Record<string, string> = {
  integer: "models.IntegerField()",
  bigint: "models.BigIntegerField()",
  smallint: "models.SmallIntegerField()",
  varchar: "models.CharField(max_length={n})",
  text: "models.TextField()",
  boolean: "models.BooleanField()",
  date: "models.DateField()",
  time: "models.TimeField()",
  timestamptz: "models.DateTimeField()",
  interval: "models.DurationField()",
  numeric: "models.DecimalField(max_digits={p}, decimal_places={s})",
  "double precision": "models.FloatField()",
  jsonb: "models.JSONField()",
  uuid: "models.UUIDField()",
  bytea: "models.BinaryField()",
  inet: "models.GenericIPAddressField()",
};
