/**
 * Unit tests of the framework semantics: Django's name truncation (values from Django 3.2's own
 * truncate_name), the SQL scanner, and the filter evaluator on the include_object shapes real
 * projects write.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { truncateName, parseDbTable } from "../src/link/django.js";
import { camelToSnake } from "../src/link/sqlalchemy.js";
import { scanSql } from "../src/extract/sql.js";
import { lint } from "../src/lint.js";
import { tempDir } from "./helpers.js";
import { ownerShape } from "../src/graph/shapes.js";
import type { TableShape } from "../src/link/types.js";

describe("Django names", () => {
  test("truncate_name matches Django (md5 suffix past 63 characters)", () => {
    expect(truncateName("shop_order")).toBe("shop_order");
    expect(truncateName("a".repeat(70))).toBe(`${"a".repeat(59)}0f5c`);
    expect(truncateName("verylongapplabel_averyveryveryverylongmodelnamethatkeepsgoingandgoing")).toBe(
      "verylongapplabel_averyveryveryverylongmodelnamethatkeepsgoi8bde",
    );
    expect(truncateName(`x_${"é".repeat(70)}`)).toBe(`x_${"é".repeat(57)}bfe2`);
  });

  test("schema-qualified db_table", () => {
    expect(parseDbTable('"billing"."invoice"')).toEqual({ schema: "billing", name: "invoice" });
    expect(parseDbTable("invoice")).toEqual({ schema: null, name: "invoice" });
  });

  test("Flask-SQLAlchemy automatic names", () => {
    expect(camelToSnake("OrderLine")).toBe("order_line");
    expect(camelToSnake("HTTPRequestLog")).toBe("http_request_log");
    expect(camelToSnake("User")).toBe("user");
  });
});

describe("SQL scanner", () => {
  test("CREATE/DROP/ALTER/RENAME/INDEX, quoted and schema-qualified names, comments and strings", () => {
    const { effects, unparsed } = scanSql(`
      -- CREATE TABLE commented_out (id int);
      CREATE TABLE IF NOT EXISTS "Events" (id serial, note text default 'DROP TABLE x;');
      create unlogged table audit.log (id int);
      DROP TABLE IF EXISTS a, public.b CASCADE;
      ALTER TABLE ONLY shop_order RENAME TO shop_purchase;
      ALTER TABLE shop_order ADD COLUMN x int;
      CREATE UNIQUE INDEX CONCURRENTLY ix ON auth_user (email);
      /* DROP TABLE hidden; */
      DO $$ BEGIN DROP TABLE inside_dollar; END $$;
    `);
    expect(effects).toEqual([
      { action: "creates", table: { schema: null, name: "Events" } },
      { action: "creates", table: { schema: "audit", name: "log" } },
      { action: "drops", table: { schema: null, name: "a" } },
      { action: "drops", table: { schema: "public", name: "b" } },
      { action: "renames", table: { schema: null, name: "shop_order" }, newName: "shop_purchase" },
      { action: "alters", table: { schema: null, name: "shop_order" } },
      { action: "alters", table: { schema: null, name: "auth_user" } },
    ]);
    expect(unparsed).toBe(false);
  });
});

/** Lint a tiny Django + Alembic project whose env.py has the given filter code. */
async function verdicts(filterCode: string, configureExtra = "include_object=include_object", extraFiles: Record<string, string> = {}) {
  const root = tempDir("eval");
  const files: Record<string, string> = {
    "project/__init__.py": "",
    "project/settings.py": 'INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.sessions", "shop"]\n',
    "shop/__init__.py": "",
    "shop/models.py": "from django.db import models\n\nclass Order(models.Model):\n    total = models.IntegerField()\n",
    "api/__init__.py": "",
    "api/db.py": 'from sqlalchemy.orm import declarative_base\nBase = declarative_base()\n\nclass Key(Base):\n    __tablename__ = "api_keys"\n',
    "alembic.ini": "[alembic]\nscript_location = alembic\n",
    "alembic/env.py":
      "import re\nfrom alembic import context\nfrom api.db import Base\ntarget_metadata = Base.metadata\n\n" +
      filterCode +
      `\n\ndef run_migrations_online():\n    context.configure(connection=None, target_metadata=target_metadata, ${configureExtra})\n`,
    ...extraFiles,
  };
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
  }
  const result = await lint({ paths: [root] });
  const env = result.project.alembic.envs[0]!;
  const out: Record<string, string> = {};
  for (const [t, v] of Object.entries(env.verdicts)) if (t !== "api_keys") out[t] = v.result;
  return out;
}

const ALL_EXCLUDED = { django_content_type: "excluded", django_migrations: "excluded", django_session: "excluded", shop_order: "excluded" };

describe("filter evaluation", () => {
  test("no filter: every Django table is included (would be dropped)", async () => {
    expect(await verdicts("", "")).toEqual({ django_content_type: "included", django_migrations: "included", django_session: "included", shop_order: "included" });
  });

  test("reflected and compare_to is None", async () => {
    const code = `def include_object(object, name, type_, reflected, compare_to):\n    if type_ == "table" and reflected and compare_to is None:\n        return False\n    return True`;
    expect(await verdicts(code)).toEqual(ALL_EXCLUDED);
  });

  test("name in target_metadata.tables", async () => {
    const code = `def include_object(obj, name, type_, reflected, compare_to):\n    if type_ == "table":\n        return name in target_metadata.tables\n    return True`;
    expect(await verdicts(code)).toEqual(ALL_EXCLUDED);
  });

  test("a name list that forgets one table; imported and concatenated constants", async () => {
    const code = `from api.exclusions import DJANGO\nEXCLUDE = DJANGO + ["django_session"]\ndef include_object(obj, name, type_, reflected, compare_to):\n    return not (type_ == "table" and name in EXCLUDE)`;
    expect(await verdicts(code, "include_object=include_object", { "api/exclusions.py": 'DJANGO = ("django_content_type", "django_migrations")\n' })).toEqual({
      ...ALL_EXCLUDED,
      shop_order: "included",
    });
  });

  test("include_name with a prefix tuple, early returns and a loop over prefixes", async () => {
    const code = `PREFIXES = ("django_", "shop_")\ndef include_name(name, type_, parent_names):\n    if type_ != "table":\n        return True\n    for p in PREFIXES:\n        if name.startswith(p):\n            return False\n    return True`;
    expect(await verdicts(code, "include_name=include_name")).toEqual(ALL_EXCLUDED);
  });

  test("any() over a generator, a regex, and a lambda", async () => {
    expect(await verdicts(`P = ["django_", "shop_"]\ninclude_object = lambda o, n, t, r, c: not any(n.startswith(p) for p in P)`)).toEqual(ALL_EXCLUDED);
    expect(await verdicts(`def include_object(o, name, t, r, c):\n    return not re.match(r"(django|shop)_", name)`)).toEqual(ALL_EXCLUDED);
  });

  test("falling off the end returns None, which Alembic treats as False", async () => {
    expect(await verdicts(`def include_object(o, name, type_, r, c):\n    if name == "api_keys":\n        return True`)).toEqual(ALL_EXCLUDED);
  });

  test("reflected tables have an empty info dict", async () => {
    expect(await verdicts(`def include_object(o, name, type_, r, c):\n    return o.info.get("managed_by_alembic", False)`)).toEqual(ALL_EXCLUDED);
  });

  test("run-time conditions are unknown, never guessed", async () => {
    const code = `import os\ndef include_object(o, name, type_, r, c):\n    if os.environ.get("KEEP") == name:\n        return True\n    return name in target_metadata.tables`;
    expect(await verdicts(code)).toEqual({ django_content_type: "unknown", django_migrations: "unknown", django_session: "unknown", shop_order: "unknown" });
  });

  test("a runtime condition that cannot change the answer is still decided", async () => {
    const code = `import os\ndef include_object(o, name, type_, r, c):\n    if os.environ.get("VERBOSE"):\n        print(name)\n    if type_ == "table" and r and c is None:\n        return False\n    return True`;
    expect(await verdicts(code)).toEqual(ALL_EXCLUDED);
  });

  test("filters passed through **kwargs are unknown", async () => {
    expect(await verdicts("ARGS = {}", "**ARGS")).toEqual({ django_content_type: "unknown", django_migrations: "unknown", django_session: "unknown", shop_order: "unknown" });
  });
});

describe("apps outside the project", () => {
  async function tables(settings: string) {
    const root = tempDir("catalog");
    mkdirSync(path.join(root, "project"), { recursive: true });
    writeFileSync(path.join(root, "project", "__init__.py"), "");
    writeFileSync(path.join(root, "project", "settings.py"), settings);
    const result = await lint({ paths: [root] });
    return {
      names: result.graph.inventory().map((r) => r.name),
      unresolved: result.findings.filter((f) => f.ruleId === "unknown-ownership").map((f) => f.message),
    };
  }

  test("explicit AUTH_USER_MODEL = auth.User keeps every auth table", async () => {
    const { names } = await tables('INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes"]\nAUTH_USER_MODEL = "auth.User"\n');
    expect(names).toEqual(["auth_group", "auth_group_permissions", "auth_permission", "auth_user", "auth_user_groups", "auth_user_user_permissions", "django_content_type", "django_migrations"]);
  });

  test("INSTALLED_APPS built on itself (starred, prepended, filtered) and names that refer to each other", async () => {
    // DefectDojo's settings: `INSTALLED_APPS = (*INSTALLED_APPS, "django_prometheus")` overflowed the stack.
    const { names } = await tables(
      [
        "DEBUG = True",
        'BASE_APPS = [*EXTRA_APPS, "django.contrib.contenttypes"]',
        'EXTRA_APPS = [*BASE_APPS, "taggit"]',
        'INSTALLED_APPS = ("django.contrib.auth",)',
        'INSTALLED_APPS = (*INSTALLED_APPS, "django.contrib.contenttypes")',
        'INSTALLED_APPS = ("django.contrib.sessions",) + INSTALLED_APPS',
        "if DEBUG:",
        '    INSTALLED_APPS = tuple(app for app in INSTALLED_APPS if app != "django.contrib.sessions")',
        "INSTALLED_APPS = [*INSTALLED_APPS, *EXTRA_APPS]",
        "",
      ].join("\n"),
    );
    expect(names).toEqual([
      "auth_group",
      "auth_group_permissions",
      "auth_permission",
      "auth_user",
      "auth_user_groups",
      "auth_user_user_permissions",
      "django_content_type",
      "django_migrations",
      "django_session",
      "taggit_tag",
      "taggit_taggeditem",
    ]);
  });

  test("swappable third-party models, AppConfig paths of catalogued apps, version-dependent apps", async () => {
    const { names, unresolved } = await tables(
      'INSTALLED_APPS = ["oauth2_provider.apps.DOTConfig", "taggit", "constance", "some_unknown_app"]\nOAUTH2_PROVIDER_APPLICATION_MODEL = "myauth.Client"\n',
    );
    expect(names).toEqual(["django_migrations", "oauth2_provider_accesstoken", "oauth2_provider_grant", "oauth2_provider_idtoken", "oauth2_provider_refreshtoken", "taggit_tag", "taggit_taggeditem"]);
    expect(unresolved).toHaveLength(2);
    expect(unresolved.join("\n")).toMatch(/constance.*depend on its version/);
    expect(unresolved.join("\n")).toMatch(/some_unknown_app/);
  });
});

describe("SQL with the real PostgreSQL parser", () => {
  test("same effects as the tokenizer on plain DDL, plus what only a parser sees", async () => {
    const { loadPgAnalyzer } = await import("../src/extract/pgsql.js");
    const pg = await loadPgAnalyzer();
    expect(pg.scan(`CREATE TABLE IF NOT EXISTS "Events" (id serial, note text default 'DROP TABLE x;');
      DROP TABLE IF EXISTS a, public.b CASCADE;
      ALTER TABLE ONLY shop_order RENAME TO shop_purchase;
      CREATE TABLE report AS SELECT 1 AS x;
      DO $$ BEGIN CREATE TABLE inside_do (id int); END $$;`).effects).toEqual([
      { action: "creates", table: { schema: null, name: "Events" } },
      { action: "drops", table: { schema: null, name: "a" } },
      { action: "drops", table: { schema: "public", name: "b" } },
      { action: "renames", table: { schema: null, name: "shop_order" }, newName: "shop_purchase" },
      { action: "creates", table: { schema: null, name: "report" } },
      { action: "creates", table: { schema: null, name: "inside_do" } },
    ]);
    // Renaming a column, constraint or trigger alters its table; renaming an index, a sequence or a view (or a view's column) is no table's.
    expect(
      pg.scan(`ALTER INDEX auth_user_pkey RENAME TO users_user_pkey;
      ALTER SEQUENCE s RENAME TO s2;
      ALTER VIEW v RENAME TO w;
      ALTER VIEW v RENAME COLUMN a TO b;
      ALTER TABLE t1 RENAME COLUMN a TO b;
      ALTER TABLE t2 RENAME CONSTRAINT c TO d;
      ALTER TRIGGER x ON t3 RENAME TO y;`).effects,
    ).toEqual([
      { action: "alters", table: { schema: null, name: "t1" } },
      { action: "alters", table: { schema: null, name: "t2" } },
      { action: "alters", table: { schema: null, name: "t3" } },
    ]);
    // SQL without CREATE, DROP or ALTER has no table effect for either reader: the parser is not run for it.
    const { mayHaveDdl, mentionsRawSql, scanSql } = await import("../src/extract/sql.js");
    for (const sql of ["UPDATE shop_order SET status = 'x'", "DO $$ BEGIN UPDATE t SET a = 1; END $$", "SELECT * INTO new_t FROM t", "INSERT INTO t VALUES (1)"]) {
      expect(mayHaveDdl(sql)).toBe(false);
      expect(pg.scan(sql)).toEqual(scanSql(sql));
      expect(pg.scan(sql)).toEqual({ effects: [], unparsed: false });
    }
    expect(mayHaveDdl("alter/**/TABLE t ADD COLUMN x int")).toBe(true);
    expect(mayHaveDdl("UPDATE t SET created = now(), altered_by = 1")).toBe(false);
    // Which files want the parser: raw SQL (RunSQL, .execute) with a DDL word somewhere.
    expect(mentionsRawSql('migrations.RunSQL("CREATE INDEX i ON t (a)")')).toBe(true);
    expect(mentionsRawSql('op.execute("drop table t")')).toBe(true);
    expect(mentionsRawSql('migrations.RunSQL("UPDATE t SET a = 1")')).toBe(false);
    expect(mentionsRawSql("migrations.AlterField(model_name='t', name='a')")).toBe(false);
    // Templated SQL the parser rejects falls back to the tokenizer.
    expect(pg.scan("CREATE TABLE t_%s (id int)").effects).toEqual([{ action: "creates", table: { schema: null, name: "t_" } }]);
  });
});

describe("Django apps resolved the way Django imports them", () => {
  async function inventory(files: Record<string, string>) {
    const root = tempDir("apps");
    for (const [rel, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      writeFileSync(path.join(root, rel), text);
    }
    const result = await lint({ paths: [root] });
    return result.graph.inventory().map((r) => r.name);
  }
  const model = "from django.db import models\n\nclass Order(models.Model):\n    pass\n";

  test("an app name that only matches a deeper module's suffix is not that module", async () => {
    expect(
      await inventory({
        "manage.py": "",
        "proj/__init__.py": "",
        "proj/settings.py": 'INSTALLED_APPS = ["payments", "proj.shop"]\n',
        "proj/shop/__init__.py": "",
        "proj/shop/payments.py": "# payment helpers\n",
        "proj/shop/models.py": model,
      }),
    ).toEqual(["django_migrations", "shop_order"]);
  });

  test("a namespace package (no __init__.py) is an app; its AppConfig label counts", async () => {
    expect(
      await inventory({
        "manage.py": "",
        "site/__init__.py": "",
        "site/settings.py": 'INSTALLED_APPS = ["site.streams"]\n',
        "site/streams/apps.py": 'from django.apps import AppConfig\n\nclass StreamsConfig(AppConfig):\n    name = "site.streams"\n    label = "stream_tests"\n',
        "site/streams/models.py": model,
      }),
    ).toEqual(["django_migrations", "stream_tests_order"]);
  });

  test("an unreadable or conditional reassignment of INSTALLED_APPS keeps the apps listed before", async () => {
    expect(
      await inventory({
        "manage.py": "",
        "proj/__init__.py": "",
        "proj/settings.py":
          'INSTALLED_APPS = ["django.contrib.contenttypes", "shop"]\nfor plugin in PLUGINS:\n    INSTALLED_APPS = list(sorted_apps)\nif DEBUG:\n    INSTALLED_APPS = ["django.contrib.sessions"]\n',
        "shop/__init__.py": "",
        "shop/models.py": model,
      }),
    ).toEqual(["django_content_type", "django_migrations", "django_session", "shop_order"]);
  });
});

async function lintFiles(files: Record<string, string>) {
  const root = tempDir("proj");
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
  }
  return lint({ paths: [root] });
}

describe("SQLAlchemy shapes from real projects", () => {
  test("@registry.mapped_as_dataclass on a registry(metadata=...) (ckan)", async () => {
    const r = await lintFiles({
      "m/__init__.py": "",
      "m/meta.py": "from sqlalchemy import MetaData, orm\nmetadata = MetaData()\nregistry = orm.registry(metadata=metadata)\n",
      "m/file.py": 'from .meta import registry\n\n@registry.mapped_as_dataclass\nclass File:\n    __tablename__ = "file"\n',
    });
    expect(r.project.sqlalchemy.tables.map((t) => [t.table.name, t.metadataId])).toEqual([["file", "m/meta.py#metadata"]]);
  });

  test("aliases bound to themselves or to each other end; a plain base still maps", async () => {
    // `A = B; B = A` made baseFromValue recurse until the stack overflowed.
    const r = await lintFiles({
      "m/__init__.py": "",
      "m/models.py": [
        "from sqlalchemy import Column, Integer",
        "from sqlalchemy.orm import declarative_base",
        "A = B",
        "B = A",
        "Loop = Loop",
        "Real = declarative_base()",
        "Alias = Real",
        'class Lost(A):\n    __tablename__ = "lost"\n    id = Column(Integer, primary_key=True)',
        'class Looped(Loop):\n    __tablename__ = "looped"\n    id = Column(Integer, primary_key=True)',
        'class Kept(Alias):\n    __tablename__ = "kept"\n    id = Column(Integer, primary_key=True)',
        "",
      ].join("\n"),
    });
    expect(r.project.sqlalchemy.tables.map((t) => t.table.name)).toEqual(["kept"]);
  });

  test("a project subclass of Flask-SQLAlchemy (redash) and its automatic names", async () => {
    const r = await lintFiles({
      "app/__init__.py": "",
      "app/base.py": "from flask_sqlalchemy import SQLAlchemy\n\nclass RedashSQLAlchemy(SQLAlchemy):\n    pass\n\ndb = RedashSQLAlchemy()\n",
      "app/models.py": 'from .base import db\n\nclass QueryResult(db.Model):\n    id = db.Column(db.Integer, primary_key=True)\n\nclass User(db.Model):\n    __tablename__ = "users"\n',
    });
    expect(r.project.sqlalchemy.tables.map((t) => t.table.name).sort()).toEqual(["query_result", "users"]);
  });

  test("a @declared_attr __tablename__ on the base applies to subclasses; computed ones are unresolved", async () => {
    const r = await lintFiles({
      "db/__init__.py": "",
      "db/orm.py":
        "import os\nfrom sqlalchemy.orm import DeclarativeBase, declared_attr\n\nclass Base(DeclarativeBase):\n    @declared_attr.directive\n    def __tablename__(cls):\n        return cls.__name__.lower()\n\nclass Flow(Base):\n    pass\n\nclass Other(DeclarativeBase):\n    @declared_attr\n    def __tablename__(cls):\n        return os.environ['TABLE_PREFIX'] + cls.__name__.lower()\n\nclass TaskRun(Other):\n    pass\n",
    });
    expect(r.project.sqlalchemy.tables.map((t) => t.table.name)).toEqual(["flow"]);
    expect(r.project.sqlalchemy.incompleteMetadata).toEqual(["db/orm.py#Other.metadata"]);
    expect(r.findings.some((f) => f.ruleId === "unknown-ownership" && f.message.includes("TaskRun"))).toBe(true);
  });
});

describe("autogenerate needs a target_metadata", () => {
  test("env.py with target_metadata = None: no autogenerate findings", async () => {
    const r = await lintFiles({
      "project/__init__.py": "",
      "project/settings.py": 'INSTALLED_APPS = ["django.contrib.sessions"]\n',
      "alembic.ini": "[alembic]\nscript_location = migration\n",
      "migration/env.py": "from alembic import context\ntarget_metadata = None\n\ndef run_migrations_online():\n    context.configure(connection=None, target_metadata=target_metadata)\n",
      "migration/versions/1_x.py": 'from alembic import op\nrevision = "1"\ndown_revision = None\n\ndef upgrade():\n    op.create_table("x")\n',
    });
    expect(r.findings).toEqual([]);
  });

  test("a table no model is known to map, on a metadata with computed table names: an info, not an error", async () => {
    // Dispatch: 74 classes named by a @declared_attr __tablename__; "no model maps `incident_role`" was 35 false errors.
    const files = (tablename: string) => ({
      "alembic.ini": "[alembic]\nscript_location = migration\n",
      "app/__init__.py": "",
      "app/db.py": [
        "from sqlalchemy import Column, Integer",
        "from sqlalchemy.orm import DeclarativeBase, declared_attr",
        "class Base(DeclarativeBase):",
        "    @declared_attr.directive",
        "    def __tablename__(cls):",
        "        return resolve_table_name(cls.__name__)",
        "class IncidentRole(Base):",
        `    ${tablename}`,
        "    id = Column(Integer, primary_key=True)",
        "",
      ].join("\n"),
      "migration/env.py": "from alembic import context\nfrom app.db import Base\ntarget_metadata = Base.metadata\n\ndef run_migrations_online():\n    context.configure(connection=None, target_metadata=target_metadata)\n",
      "migration/versions/1_x.py": 'from alembic import op\nrevision = "1"\ndown_revision = None\n\ndef upgrade():\n    op.create_table("incident_role")\n    op.create_table("orphan")\n',
    });
    const found = async (tablename: string) =>
      (await lintFiles(files(tablename))).findings.filter((f) => f.ruleId === "alembic-table-not-in-metadata").map((f) => [f.severity, f.table ?? null, f.message.slice(0, 60)]);
    expect(await found("pass")).toEqual([["info", null, "Could not tell statically whether autogenerate in migration/"]]);
    // With every name known, the table no model maps is an error again.
    expect(await found('__tablename__ = "incident_role"')).toEqual([["error", "orphan", "`orphan` is created by Alembic (op.create_table in revision "]]);
  });
});

describe("database identity", () => {
  test("URLs and Django engines", async () => {
    const { parseUrl, mayShare } = await import("../src/link/database.js");
    const loc = { file: "x", line: 1, column: 1, endLine: 1, endColumn: 1 };
    expect(parseUrl("postgresql+psycopg2://u:p@h:5432/app?sslmode=require", loc)).toMatchObject({ engine: "postgresql", name: "app" });
    expect(parseUrl("sqlite:///./admin.sqlite3", loc)).toMatchObject({ engine: "sqlite", name: "./admin.sqlite3" });
    expect(parseUrl("postgres://h/${DB_NAME}", loc)).toMatchObject({ engine: "postgresql", name: null });
    // Alembic's template placeholder names no database.
    expect(parseUrl("driver://user:pass@localhost/dbname", loc)).toBeNull();
    const pg = { engine: "postgresql" as const, name: "app", loc, source: "" };
    expect(mayShare(pg, { ...pg, name: null })).toBe(true);
    expect(mayShare(pg, { ...pg, name: "other" })).toBe(false);
    expect(mayShare(pg, { ...pg, engine: "sqlite" })).toBe(false);
    expect(mayShare(pg, null)).toBe(true);
  });

  test("dj_database_url default vs env.py's literal URL", async () => {
    const r = await lintFiles({
      "project/__init__.py": "",
      "project/settings.py": 'import dj_database_url\nINSTALLED_APPS = ["django.contrib.sessions"]\nDATABASES = {"default": dj_database_url.config(default="sqlite:///db.sqlite3")}\n',
      "alembic/env.py":
        'from alembic import context\nfrom api import Base\nconfig = context.config\nconfig.set_main_option("sqlalchemy.url", "postgresql://api@db/api")\ntarget_metadata = Base.metadata\n\ndef run_migrations_online():\n    context.configure(connection=None, target_metadata=target_metadata)\n',
      "api/__init__.py": "from sqlalchemy.orm import declarative_base\nBase = declarative_base()\n",
    });
    expect(r.findings.map((f) => f.ruleId)).toEqual(["separate-databases"]);
  });
});

describe("shapes of pure-Alembic projects (fides, warehouse)", () => {
  const envPy = (target: string) =>
    `from alembic import context\n${target}\n\ndef run_migrations_online():\n    context.configure(connection=None, target_metadata=target_metadata)\n`;
  const errors = (r: Awaited<ReturnType<typeof lintFiles>>) => r.findings.filter((f) => f.severity === "error").map((f) => `${f.ruleId} ${f.table ?? ""}`);

  test("declarative_base(cls=...) names tables by the class's @declared_attr; op.get_bind().execute(text(...)) runs DDL", async () => {
    const r = await lintFiles({
      "alembic.ini": "[alembic]\nscript_location = migration\n",
      "app/__init__.py": "",
      "app/base.py": [
        "from sqlalchemy.ext.declarative import declarative_base, declared_attr",
        "class FidesBase:",
        "    @declared_attr",
        "    def __tablename__(self):",
        "        return self.__name__.lower()",
        "class Wrapped(FidesBase):",
        "    pass",
        "Base = declarative_base(cls=Wrapped)",
        "",
      ].join("\n"),
      "app/models.py": "from sqlalchemy import Column, String\nfrom app.base import Base\nclass ConnectionConfig(Base):\n    name = Column(String, primary_key=True)\n",
      "migration/env.py": envPy("import app.models\nfrom app.base import Base\ntarget_metadata = Base.metadata"),
      "migration/versions/1_x.py": [
        "import sqlalchemy as sa",
        "from alembic import op",
        'revision = "1"',
        "down_revision = None",
        "def upgrade():",
        '    op.create_table("connectionconfig")',
        '    op.create_table("cookies")',
        "    connection = op.get_bind()",
        '    connection.execute(sa.text("DROP TABLE cookies"))',
        "    connection.execute(sa.select(1))",
        "",
      ].join("\n"),
    });
    expect(r.project.sqlalchemy.tables.map((t) => t.table.name)).toEqual(["connectionconfig"]);
    expect(errors(r)).toEqual([]);
    expect(r.findings.filter((f) => f.ruleId === "unreadable-sql" || /SQL/.test(f.message))).toEqual([]);
  });

  test("Alembic run by the application (script_location set in code, no ini); db.Model from a module; models built by type()", async () => {
    const r = await lintFiles({
      "wh/__init__.py": "",
      "wh/db.py": [
        "import alembic.config",
        "import sqlalchemy",
        "from sqlalchemy.orm import DeclarativeBase",
        "metadata = sqlalchemy.MetaData()",
        "class ModelBase(DeclarativeBase):",
        "    metadata = metadata",
        "class Model(ModelBase):",
        "    __abstract__ = True",
        "def _configure_alembic(config):",
        "    cfg = alembic.config.Config()",
        '    cfg.set_main_option("script_location", "wh:migrations")',
        "    return cfg",
        "",
      ].join("\n"),
      "wh/events.py": [
        "from sqlalchemy.orm import declared_attr",
        "from wh import db",
        "class HasEvents:",
        "    @declared_attr",
        "    def events(cls):",
        '        event_cls = type(f"{cls.__name__}Event", (db.Model,), {"__tablename__": f"{cls.__name__.lower()}_events"})',
        "        return event_cls",
        "",
      ].join("\n"),
      "wh/accounts.py": 'from sqlalchemy.orm import Mapped, mapped_column\nfrom wh import db\nfrom wh.events import HasEvents\nclass User(HasEvents, db.Model):\n    __tablename__ = "users"\n    id: Mapped[int] = mapped_column(primary_key=True)\n',
      "wh/migrations/env.py": envPy("from wh import db\ntarget_metadata = db.metadata"),
      "wh/migrations/versions/1_x.py": 'from alembic import op\nrevision = "1"\ndown_revision = None\ndef upgrade():\n    op.create_table("users")\n    op.create_table("user_events")\n',
    });
    // `users` is mapped (db.Model is a class of wh/db.py); env.py imports no models module, but the application
    // loads them before it runs Alembic; `user_events` may be one of HasEvents' run-time models.
    expect(r.project.sqlalchemy.tables.map((t) => t.table.name)).toEqual(["users"]);
    expect(r.project.alembic.envs[0]!.reachUncertain).toMatch(/^no alembic.ini runs wh\/migrations\/env.py; the application sets script_location \(wh\/db.py:11\)/);
    expect(errors(r)).toEqual([]);
    expect(r.findings.find((f) => f.ruleId === "alembic-table-not-in-metadata")?.message).toMatch(/keeps 1 table\(s\).*\(`user_events`\)/);
  });

  test("an ini beside env.py with script_location = %(here)s runs it (ckan): its imports are followed as they are", async () => {
    const r = await lintFiles({
      "pkg/__init__.py": "",
      "pkg/cli.py": "import alembic.config\ndef generate(cfg, migration_dir):\n    cfg.set_main_option(\"script_location\", migration_dir)\n",
      "pkg/db.py": "from sqlalchemy import MetaData\nmetadata = MetaData()\n",
      "pkg/migration/alembic.ini": "[alembic]\nscript_location = %(here)s\n",
      "pkg/migration/env.py": envPy("from pkg.db import metadata\ntarget_metadata = metadata"),
      "orphan/env.py": envPy("from pkg.db import metadata\ntarget_metadata = metadata"),
    });
    const reach = Object.fromEntries(r.project.alembic.envs.map((e) => [e.file, e.reachUncertain]));
    expect(reach["pkg/migration/env.py"]).toBeNull();
    // No ini runs orphan/env.py, and the application's script_location is computed: it may be that one.
    expect(reach["orphan/env.py"]).toMatch(/^no alembic.ini runs orphan\/env.py; the application sets script_location \(pkg\/cli.py:3\)/);
  });
});

describe("context.configure keywords", () => {
  test("advice Alembic never implemented and near misses are errors; a project's own option (read back from opts) an info", async () => {
    const r = await lintFiles({
      "db.py": "from sqlalchemy.orm import declarative_base\nBase = declarative_base()\n",
      "migration/env.py": [
        "from alembic import context",
        "from db import Base",
        "def run_migrations_online():",
        '    context.configure(connection=None, target_metadata=Base.metadata, exclude_tables=["x"], include_objects=None, table_prefix="fief_")',
        "",
      ].join("\n"),
    });
    const found = r.findings.filter((f) => f.ruleId === "unknown-configure-option").map((f) => [f.severity, f.message.slice(0, f.message.indexOf(":"))]);
    expect(found).toEqual([
      ["error", "`exclude_tables=` is not an Alembic option"],
      ["error", "`include_objects=` is not an Alembic option (did you mean `include_object`?)"],
      ["info", "`table_prefix=` is not an option Alembic reads"],
    ]);
  });
});

describe("version tables and search_path", () => {
  test("an env.py that sets search_path keeps its version table in that schema: no collision claimed, an info instead", async () => {
    // Dispatch's core and tenant histories both use `alembic_version`, each in the schema its search_path names.
    const env = (setPath: string) =>
      [
        "from alembic import context",
        "from sqlalchemy import create_engine, text",
        "from db import Base",
        "target_metadata = Base.metadata",
        "def run_migrations_online(schema):",
        '    with create_engine("postgresql://x").connect() as connection:',
        setPath ? `        connection.execute(text(${setPath}))` : "        pass",
        "        context.configure(connection=connection, target_metadata=target_metadata)",
        "",
      ].join("\n");
    const r = await lintFiles({
      "db.py": "from sqlalchemy.orm import declarative_base\nBase = declarative_base()\n",
      "core/env.py": env(`'set search_path to "dispatch_core"'`),
      "tenant/env.py": env(`f'set search_path to "{schema}"'`),
      "plain_a/env.py": env(""),
      "plain_b/env.py": env(""),
    });
    const found = r.findings.filter((f) => f.ruleId === "version-table-collision").map((f) => [f.loc.file, f.severity, f.message.replace(/ \(.*$/, "")]);
    expect(found).toEqual([
      ["core/env.py", "info", expect.stringMatching(/^Could not tell statically whether this Alembic environment and plain_a\/env.py, plain_b\/env.py, tenant\/env.py share `alembic_version`: this env.py sets the connection's search_path/)],
      ["plain_a/env.py", "error", "This Alembic environment records its revision in `alembic_version`, and so does plain_b/env.py: in one database each history overwrites the other's current revision, and `alembic upgrade` fails with \"Can't locate revision\"."],
      ["plain_b/env.py", "error", "This Alembic environment records its revision in `alembic_version`, and so does plain_a/env.py: in one database each history overwrites the other's current revision, and `alembic upgrade` fails with \"Can't locate revision\"."],
      ["tenant/env.py", "info", expect.stringMatching(/^Could not tell statically whether this Alembic environment and core\/env.py, plain_a\/env.py, plain_b\/env.py share/)],
    ]);
  });
});

describe("alembic.ini layouts", () => {
  const env = 'from alembic import context\nfrom api import Base\ntarget_metadata = Base.metadata\n\ndef run_migrations_online():\n    context.configure(connection=None, target_metadata=target_metadata)\n';
  const rev = (id: string, table: string) => `from alembic import op\nrevision = "${id}"\ndown_revision = None\n\ndef upgrade():\n    op.create_table("${table}")\n`;
  test("%(here)s, version_locations with version_path_separator = os, named sections", async () => {
    const r = await lintFiles({
      "api/__init__.py": "from sqlalchemy.orm import declarative_base\nBase = declarative_base()\n",
      "alembic.ini":
        "[DEFAULT]\nscript_location = %(here)s/migrations\n\n[alembic]\nversion_locations = %(here)s/migrations/core:%(here)s/migrations/extra\nversion_path_separator = os  # Use os.pathsep.\n\n[reports]\nscript_location = reports_db\n",
      "migrations/env.py": env,
      "migrations/core/1_a.py": rev("1", "core_t"),
      "migrations/extra/2_b.py": rev("2", "extra_t"),
      "migrations/versions/3_c.py": rev("3", "ignored_t"),
      "reports_db/env.py": env,
      "reports_db/versions/4_d.py": rev("4", "report_t"),
    });
    const envs = Object.fromEntries(r.project.alembic.envs.map((e) => [e.file, e.claims.map((c) => c.table.name).sort()]));
    expect(envs).toEqual({ "migrations/env.py": ["core_t", "extra_t"], "reports_db/env.py": ["report_t"] });
  });
});

describe("filters that read alembic.ini", () => {
  test("config.get_section('alembic:exclude') and get_main_option", async () => {
    const r = await lintFiles({
      "project/__init__.py": "",
      "project/settings.py": 'INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.sessions"]\n',
      "api/__init__.py": "from sqlalchemy.orm import declarative_base\nBase = declarative_base()\n",
      "alembic.ini": "[alembic]\nscript_location = alembic\nskip_prefix = django_\n\n[alembic:exclude]\ntables = django_migrations,django_content_type\n",
      "alembic/env.py":
        "from alembic import context\nfrom api import Base\nconfig = context.config\ntarget_metadata = Base.metadata\n" +
        'exclude = config.get_section("alembic:exclude").get("tables", "").split(",")\n' +
        "def include_object(obj, name, type_, reflected, compare_to):\n" +
        '    if type_ == "table" and name in exclude:\n        return False\n    return True\n' +
        "def include_name(name, type_, parent_names):\n" +
        '    return not name.startswith(config.get_main_option("skip_prefix", "nothing_"))\n' +
        "def run_migrations_online():\n    context.configure(connection=None, target_metadata=target_metadata, include_object=include_object)\n",
    });
    const v = r.project.alembic.envs[0]!.verdicts;
    expect([v["django_migrations"]!.result, v["django_content_type"]!.result, v["django_session"]!.result]).toEqual(["excluded", "excluded", "included"]);
    expect(r.findings.filter((f) => f.severity !== "info").map((f) => `${f.ruleId} ${f.table}`)).toEqual(["django-table-not-excluded django_session"]);
  });
});

describe("models beyond static reach", () => {
  test("type()-built models and contribute_to_class are reported, not guessed", async () => {
    const r = await lintFiles({
      "project/__init__.py": "",
      "project/settings.py": 'INSTALLED_APPS = ["shop"]\n',
      "shop/__init__.py": "",
      "shop/models.py":
        "from django.db import models\n\nclass Order(models.Model):\n    pass\n\n" +
        'Audit = type("Audit", (models.Model,), {"__module__": __name__})\n\n' +
        'for name in ("a", "b"):\n    models.ManyToManyField(Order).contribute_to_class(Order, name)\n',
    });
    const infos = r.findings.filter((f) => f.ruleId === "unknown-ownership").map((f) => f.message);
    expect(infos).toHaveLength(2);
    expect(infos[0]).toMatch(/`Audit` is a Django model built at run time/);
    expect(infos[1]).toMatch(/contribute_to_class/);
    expect(r.graph.inventory().map((t) => t.name)).toEqual(["django_migrations", "shop_order"]);
  });
});

describe("[tool.alembic] in pyproject.toml", () => {
  test("script_location and a version_locations list", async () => {
    const env = 'from alembic import context\nfrom api import Base\ntarget_metadata = Base.metadata\n\ndef run_migrations_online():\n    context.configure(connection=None, target_metadata=target_metadata)\n';
    const r = await lintFiles({
      "api/__init__.py": "from sqlalchemy.orm import declarative_base\nBase = declarative_base()\n",
      "pyproject.toml": '[project]\nname = "api"\n\n[tool.alembic]\nscript_location = "%(here)s/db"\nversion_locations = ["%(here)s/db/core", "%(here)s/db/extra"]\n',
      "db/env.py": env,
      "db/core/1_a.py": 'from alembic import op\nrevision = "1"\ndown_revision = None\n\ndef upgrade():\n    op.create_table("core_t")\n',
      "db/extra/2_b.py": 'from alembic import op\nrevision = "2"\ndown_revision = None\n\ndef upgrade():\n    op.create_table("extra_t")\n',
    });
    expect(r.project.alembic.envs.map((e) => [e.file, e.versionDirs])).toEqual([["db/env.py", ["db/core", "db/extra"]]]);
  });
});

describe("computed names and paths", () => {
  test("camel-to-snake @declared_attr rules (prefect's compiled pattern, re.sub with groups)", async () => {
    const r = await lintFiles({
      "db/__init__.py": "",
      "db/orm.py":
        'import re\nfrom sqlalchemy.orm import DeclarativeBase, declared_attr\ncamel_to_snake = re.compile(r"(?<!^)(?=[A-Z])")\n\n' +
        'class Base(DeclarativeBase):\n    @declared_attr.directive\n    def __tablename__(cls):\n        return camel_to_snake.sub("_", cls.__name__).lower()\n\n' +
        "class FlowRunState(Base):\n    pass\n\n" +
        'class Other(DeclarativeBase):\n    @declared_attr\n    def __tablename__(cls):\n        return re.sub(r"([a-z])([A-Z])", r"\\1_\\2", cls.__name__).lower() + "s"\n\n' +
        "class TaskRun(Other):\n    pass\n",
    });
    expect(r.project.sqlalchemy.tables.map((t) => t.table.name)).toEqual(["flow_run_state", "task_runs"]);
  });

  test("a filter prefix taken from env.py's own folder name (ckan plugins)", async () => {
    const r = await lintFiles({
      "project/__init__.py": "",
      "project/settings.py": 'INSTALLED_APPS = ["django.contrib.sessions"]\n',
      "api/__init__.py": "from sqlalchemy.orm import declarative_base\nBase = declarative_base()\n",
      "alembic.ini": "[alembic]\nscript_location = plugins/django\n",
      "plugins/django/env.py":
        "import os\nfrom alembic import context\nfrom api import Base\ntarget_metadata = Base.metadata\n" +
        "name = os.path.basename(os.path.dirname(__file__))\n" +
        "def include_object(obj, table, type_, reflected, compare_to):\n    return not table.startswith(name)\n" +
        "def run_migrations_online():\n    context.configure(connection=None, target_metadata=target_metadata, include_object=include_object)\n",
    });
    const v = r.project.alembic.envs[0]!.verdicts;
    expect([v["django_session"]!.result, v["django_migrations"]!.result]).toEqual(["excluded", "excluded"]);
  });
});

describe("registries", () => {
  test("a plain registry(): @reg.mapped classes and reg.metadata in target_metadata are the same MetaData", async () => {
    const r = await lintFiles({
      "m/__init__.py": "",
      "m/reg.py": 'from sqlalchemy.orm import registry\nother_registry = registry()\n\n@other_registry.mapped\nclass Invoice:\n    __tablename__ = "invoices"\n',
      "alembic/env.py": "from alembic import context\nfrom m.reg import other_registry\nimport m.reg\ntarget_metadata = other_registry.metadata\n\ndef run_migrations_online():\n    context.configure(connection=None, target_metadata=target_metadata)\n",
    });
    const env = r.project.alembic.envs[0]!;
    const table = r.project.sqlalchemy.tables.find((t) => t.table.name === "invoices")!;
    expect(env.target.metadataIds).toEqual([table.metadataId]);
  });
});

// ---------------------------------------------------------------- column facts (ProjectFacts.shapes)
// In this file, not its own: a second test file calling lint() in-process gets a broken tree-sitter
// binding from jest's per-file module registry (rootNode undefined).

function columnsProject(files: Record<string, string>): string {
  const root = tempDir("columns");
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
  }
  return root;
}

const cols = (s: TableShape | undefined) => Object.fromEntries((s?.columns ?? []).map((c) => [c.name, `${c.type?.base ?? "?"}${c.type?.length != null ? `(${c.type.length})` : ""}${c.nullable ? "?" : ""}${c.primaryKey ? "*" : ""}`]));
const fks = (s: TableShape | undefined) => Object.fromEntries((s?.foreignKeys ?? []).map((f) => [f.column, f.references ? `${f.references.name}.${f.referencedColumn ?? "?"}` : `null (${f.raw})`]));

const DJANGO = {
  "manage.py": "",
  "project/__init__.py": "",
  "project/settings.py": `INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes", "accounts", "shop"]\nAUTH_USER_MODEL = "accounts.Member"\nDEFAULT_AUTO_FIELD = "django.db.models.AutoField"\n`,
  "accounts/__init__.py": "",
  "accounts/apps.py": `from django.apps import AppConfig\nclass AccountsConfig(AppConfig):\n    name = "accounts"\n    default_auto_field = "django.db.models.BigAutoField"\n`,
  "accounts/models.py": `from django.contrib.auth.models import AbstractUser\nfrom django.db import models\nclass Member(AbstractUser):\n    nickname = models.CharField(max_length=30, null=True)\n`,
  "shop/__init__.py": "",
  "shop/models.py": `from django.conf import settings
from django.db import models
from accounts.models import Member

class Stamped(models.Model):
    created = models.DateTimeField()
    class Meta:
        abstract = True

class Category(Stamped):
    parent = models.ForeignKey("self", null=True, on_delete=models.CASCADE)
    name = models.CharField(max_length=50, db_column="label")

class Product(Stamped):
    category = models.ForeignKey("shop.Category", on_delete=models.CASCADE)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    buyer = models.OneToOneField(Member, on_delete=models.CASCADE, related_name="+")
    tags = models.ManyToManyField(Category, related_name="+")
    price = models.DecimalField(max_digits=8, decimal_places=2)

class Book(Product):
    isbn = models.CharField(max_length=13)
`,
  "shop/migrations/__init__.py": "",
  "shop/migrations/0001_initial.py": `from django.db import migrations, models
class Migration(migrations.Migration):
    initial = True
    operations = [
        migrations.CreateModel(name="Category", fields=[
            ("id", models.AutoField(primary_key=True)),
            ("created", models.DateTimeField()),
            ("name", models.CharField(max_length=50, db_column="label")),
            ("old", models.IntegerField()),
            ("parent", models.ForeignKey(null=True, on_delete=models.CASCADE, to="shop.category")),
        ]),
    ]
`,
  "shop/migrations/0002_later.py": `from django.db import migrations, models
class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [
        migrations.AlterField(model_name="category", name="name", field=models.CharField(max_length=80, db_column="label")),
        migrations.RemoveField(model_name="category", name="old"),
        migrations.AddField(model_name="category", name="slug", field=models.SlugField()),
        migrations.RenameField(model_name="category", old_name="created", new_name="created_at"),
    ]
`,
};

describe("Django columns", () => {
  let shapes: TableShape[];
  let result: Awaited<ReturnType<typeof lint>>;
  beforeAll(async () => {
    result = await lint({ paths: [columnsProject(DJANGO)] });
    shapes = result.project.shapes;
  });
  const model = (t: string) => shapes.find((s) => s.source === "django-model" && s.table.name === t);

  test("implicit ids follow AppConfig.default_auto_field, then DEFAULT_AUTO_FIELD; abstract fields and db_column", () => {
    expect(cols(model("shop_category"))).toEqual({ id: "integer*", created: "timestamptz", parent_id: "integer?", label: "varchar(50)" });
    expect(cols(model("accounts_member"))).toMatchObject({ id: "bigint*", username: "varchar(150)", last_login: "timestamptz?", nickname: "varchar(30)?" });
  });

  test("foreign keys: self, app.Model, AUTH_USER_MODEL, a class; FK columns take the target key's type", () => {
    expect(fks(model("shop_category"))).toEqual({ parent_id: "shop_category.id" });
    expect(fks(model("shop_product"))).toEqual({ category_id: "shop_category.id", owner_id: "accounts_member.id", buyer_id: "accounts_member.id" });
    expect(cols(model("shop_product"))).toMatchObject({ owner_id: "bigint", buyer_id: "bigint", category_id: "integer" });
  });

  test("multi-table inheritance: <parent>_ptr_id is the key; M2M through tables", () => {
    expect(cols(model("shop_book"))).toEqual({ product_ptr_id: "integer*", isbn: "varchar(13)" });
    expect(fks(model("shop_book"))).toEqual({ product_ptr_id: "shop_product.id" });
    expect(fks(model("shop_product_tags"))).toEqual({ product_id: "shop_product.id", category_id: "shop_category.id" });
  });

  test("the migration state replays AlterField, RemoveField, AddField and RenameField", () => {
    const state = shapes.find((s) => s.source === "django-migrations" && s.table.name === "shop_category");
    expect(cols(state)).toEqual({ id: "integer*", created_at: "timestamptz", label: "varchar(80)", parent_id: "integer?", slug: "varchar(50)" });
    expect(fks(state)).toEqual({ parent_id: "shop_category.id" });
  });

  test("the owner's shape merges model and history: the model wins, history-only columns stay, disagreements listed", () => {
    const owner = ownerShape(result.graph, result.graph.table({ schema: null, name: "shop_category" })!)!;
    expect(owner.owner).toBe("django");
    expect(cols(owner.shape)).toEqual({ id: "integer*", created: "timestamptz", parent_id: "integer?", label: "varchar(50)", created_at: "timestamptz", slug: "varchar(50)" });
    expect(owner.disagreements.map((d) => `${d.column}: ${d.detail}`).sort()).toEqual([
      "created: the model declares it but no migration creates it (makemigrations pending?)",
      "created_at: the migration history has it but the model does not declare it",
      "label: the model makes it varchar(50), the migration history varchar(80)",
      "slug: the migration history has it but the model does not declare it",
    ]);
  });
});

const ALEMBIC = {
  "alembic.ini": "[alembic]\nscript_location = alembic\n",
  "alembic/env.py": "from alembic import context\nfrom api.models import Base\ntarget_metadata = Base.metadata\ncontext.configure(target_metadata=target_metadata)\n",
  "api/__init__.py": "",
  "api/models.py": `from typing import Optional
from sqlalchemy import BigInteger, Column, ForeignKey, ForeignKeyConstraint, Integer, MetaData, String, Table
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

class Base(DeclarativeBase):
    pass

mirrors = MetaData()
users = Table("auth_user", mirrors, Column("id", Integer, primary_key=True))

class Team(Base):
    __tablename__ = "teams"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    name: Mapped[Optional[str]] = mapped_column(String(40))

class Member(Base):
    __tablename__ = "members"
    __table_args__ = (ForeignKeyConstraint(["team_id"], ["teams.id"]),)
    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int]
    user_id: Mapped[int] = mapped_column(ForeignKey(users.c.id))
    lead_id: Mapped[Optional[int]] = mapped_column(ForeignKey(Team.id))
`,
  "alembic/versions/a1_first.py": `from alembic import op
import sqlalchemy as sa
revision = "a1"
down_revision = None
def upgrade():
    op.create_table("teams", sa.Column("id", sa.BigInteger(), nullable=False), sa.Column("name", sa.String(20)), sa.PrimaryKeyConstraint("id"))
    op.create_table("members", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("team_id", sa.BigInteger(), sa.ForeignKey("teams.id"), nullable=False))
`,
  "alembic/versions/a2_second.py": `from alembic import op
import sqlalchemy as sa
revision = "a2"
down_revision = "a1"
def upgrade():
    op.add_column("members", sa.Column("user_id", sa.Integer(), sa.ForeignKey("auth_user.id"), nullable=False))
    op.add_column("members", sa.Column("lead_id", sa.BigInteger(), nullable=True))
    op.create_foreign_key("fk_lead", "members", "teams", ["lead_id"], ["id"])
    op.alter_column("teams", "name", type_=sa.String(40), nullable=True)
    with op.batch_alter_table("teams") as batch_op:
        batch_op.alter_column("name", new_column_name="title")
`,
};

describe("SQLAlchemy and Alembic columns", () => {
  let shapes: TableShape[];
  beforeAll(async () => {
    shapes = (await lint({ paths: [columnsProject(ALEMBIC)] })).project.shapes;
  });
  const of = (source: TableShape["source"], t: string) => shapes.find((s) => s.source === source && s.table.name === t);

  test("mapped_column/Mapped: types from annotations, Optional nullability, FK columns typed from their target", () => {
    expect(cols(of("sqlalchemy", "members"))).toEqual({ id: "integer*", team_id: "integer", user_id: "integer", lead_id: "bigint?" });
    expect(fks(of("sqlalchemy", "members"))).toEqual({ team_id: "teams.id", user_id: "auth_user.id", lead_id: "teams.id" });
    expect(cols(of("sqlalchemy", "teams"))).toEqual({ id: "bigint*", name: "varchar(40)?" });
  });

  test("revisions replayed: create_table, add_column, create_foreign_key, alter_column, batch rename", () => {
    expect(cols(of("alembic-revisions", "teams"))).toEqual({ id: "bigint*", title: "varchar(40)?" });
    expect(cols(of("alembic-revisions", "members"))).toEqual({ id: "integer*", team_id: "bigint", user_id: "integer", lead_id: "bigint?" });
    expect(fks(of("alembic-revisions", "members"))).toEqual({ team_id: "teams.id", user_id: "auth_user.id", lead_id: "teams.id" });
  });
});
