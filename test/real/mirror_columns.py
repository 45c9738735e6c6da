"""Mirror columns against the real tables (for fixtures with "mirror_columns": true in fixture.json).

After `migrate` and `alembic upgrade head`, a child process inside the fixture lists the columns its
mirrors declare — SQLAlchemy tables on every MetaData the fixture's modules build (imported by
`import`, so SQLAlchemy 2.0-only modules are skipped), and Django `managed = False` models
(`django.setup()`) — and they are compared with the columns PostgreSQL really has
(pg_catalog: name, format_type, NOT NULL, primary key). Effects:

  mirror_missing T.C    the mirror declares C, the table has no such column
  mirror_type T.C       the declared type differs (base type; length/precision only when declared)
  mirror_nullable T.C   the declared nullability differs
  mirror_pk T.C         the mirror's primary key differs

A mirror-model-drift finding is satisfied by an effect on its table whose column is named on the
finding's source line (`Column("ref", ...)`, `name = ...`, `db_column="x"`, `<field>_id`, the implicit
`id` on a `class` line).
"""

import gc
import json
import os
import re
import subprocess
import sys

SKIP_DIRS = {"migrations", "alembic", "__pycache__", "versions"}


def child(fixture_dir):
    """Print {"tables": {table: {"source": str, "columns": [...]}}} for the fixture's mirrors."""
    os.chdir(fixture_dir)
    sys.path.insert(0, fixture_dir)
    out = {}
    try:
        _django_mirrors(fixture_dir, out)
        _sqla_mirrors(fixture_dir, out)
        print(json.dumps({"tables": out}))
    except BaseException as exc:  # report, never crash silently
        print(json.dumps({"error": "%s: %s" % (type(exc).__name__, exc)}))


def _django_mirrors(fixture_dir, out):
    manage = os.path.join(fixture_dir, "manage.py")
    if not os.path.exists(manage):
        return
    m = re.search(r'DJANGO_SETTINGS_MODULE["\']\s*,\s*["\']([\w.]+)', open(manage).read())
    if not m:
        return
    os.environ["DJANGO_SETTINGS_MODULE"] = m.group(1)
    import django
    from django.apps import apps
    from django.db import connection

    django.setup()
    for model in apps.get_models():
        meta = model._meta
        if meta.managed or meta.proxy:
            continue
        cols = []
        for f in meta.local_concrete_fields:
            cols.append({
                "name": f.column,
                "type": _norm(f.db_type(connection) or ""),
                "nullable": bool(f.null),
                "pk": bool(f.primary_key),
            })
        out[meta.db_table] = {"source": "django %s" % meta.label, "columns": cols}


def _sqla_mirrors(fixture_dir, out):
    try:
        import sqlalchemy
        from sqlalchemy.dialects import postgresql
    except ImportError:
        return
    for dirpath, dirnames, filenames in os.walk(fixture_dir):
        dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS]
        for fn in sorted(filenames):
            if not fn.endswith(".py") or fn in ("manage.py", "settings.py"):
                continue
            path = os.path.join(dirpath, fn)
            if "sqlalchemy" not in open(path).read():
                continue
            mod = os.path.relpath(path, fixture_dir)[:-3].replace(os.sep, ".")
            if mod.endswith(".__init__"):
                mod = mod[: -len(".__init__")]
            try:
                __import__(mod)
            except Exception:  # e.g. a SQLAlchemy 2.0-only module under 1.4
                continue
    dialect = postgresql.dialect()
    for md in [o for o in gc.get_objects() if isinstance(o, sqlalchemy.MetaData)]:
        for table in md.tables.values():
            if table.name in out:
                continue
            cols = []
            for c in table.columns:
                try:
                    t = c.type.compile(dialect=dialect)
                except Exception:
                    t = ""
                if isinstance(c.type, sqlalchemy.Enum) and c.type.native_enum:
                    t = "enum:" + (c.type.name or "")
                cols.append({"name": c.name, "type": _norm(t), "nullable": bool(c.nullable), "pk": bool(c.primary_key)})
            out[table.name] = {"source": "sqlalchemy %s" % table.name, "columns": cols}


def _norm(t):
    """One spelling for a PostgreSQL type: `character varying(40)`, `timestamp with time zone`…"""
    t = t.strip().lower().replace(", ", ",")
    t = re.sub(r"^varchar", "character varying", t)
    t = re.sub(r"^timestamp(\(\d+\))?$", "timestamp without time zone", t)
    t = re.sub(r"^float$", "double precision", t)
    return {"serial": "integer", "bigserial": "bigint", "smallserial": "smallint"}.get(t, t)


def db_columns(url):
    """{table: {column: {"type", "nullable", "pk"}}} for every table in the public schema."""
    import psycopg2

    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute(
                """
                SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), NOT a.attnotnull,
                       EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary
                               AND a.attnum = ANY (i.indkey)),
                       t.typtype = 'e'
                FROM pg_attribute a
                JOIN pg_class c ON c.oid = a.attrelid
                JOIN pg_namespace n ON n.oid = c.relnamespace
                JOIN pg_type t ON t.oid = a.atttypid
                WHERE n.nspname = 'public' AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
                """
            )
            out = {}
            for table, col, typ, nullable, pk, is_enum in cur.fetchall():
                out.setdefault(table, {})[col] = {"type": ("enum:" + typ) if is_enum else _norm(typ), "nullable": nullable, "pk": pk}
            return out
    finally:
        conn.close()


def _same_type(declared, real):
    if declared == real or not declared:
        return True
    base = lambda t: t.split("(")[0]
    # A declaration without length/precision matches any (as Alembic's comparison does).
    return "(" not in declared and base(declared) == base(real)


def effects(fixture_dir, env, url, python):
    """Run the child in the fixture and compare with the database: a list of effect dicts."""
    res = subprocess.run([python, os.path.abspath(__file__), fixture_dir], cwd=fixture_dir, env=env,
                         capture_output=True, text=True, timeout=120)
    try:
        payload = json.loads(res.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        payload = {"error": (res.stderr.strip().splitlines() or ["no output"])[-1]}
    if "error" in payload:
        return [{"effect": "mirror_columns_failed", "table": None, "detail": payload["error"]}]
    real = db_columns(url)
    out = []
    for table, mirror in sorted(payload["tables"].items()):
        cols = real.get(table)
        if cols is None:
            continue  # the table does not exist at all: other rules' business
        for c in mirror["columns"]:
            r = cols.get(c["name"])
            key = "%s.%s" % (table, c["name"])
            if r is None:
                out.append({"effect": "mirror_missing " + key, "table": table, "column": c["name"]})
                continue
            if not _same_type(c["type"], r["type"]):
                out.append({"effect": "mirror_type " + key, "table": table, "column": c["name"],
                            "detail": "%s over %s" % (c["type"], r["type"])})
            if c["nullable"] != r["nullable"] and not c["pk"]:
                out.append({"effect": "mirror_nullable " + key, "table": table, "column": c["name"]})
            if c["pk"] != r["pk"] and any(x["pk"] for x in cols.values()):
                out.append({"effect": "mirror_pk " + key, "table": table, "column": c["name"]})
    return out


def columns_named_at(fixture_dir, file, line):
    """Column names a mirror declaration on this source line can stand for."""
    try:
        with open(os.path.join(fixture_dir, file)) as fh:
            text = fh.read().splitlines()[line - 1]
    except (OSError, IndexError):
        return set()
    names = set(re.findall(r'(?:Column|mapped_column)\(\s*["\'](\w+)["\']', text))
    names |= set(re.findall(r'db_column\s*=\s*["\'](\w+)["\']', text))
    m = re.match(r"\s*(\w+)\s*[:=]", text)
    if m:
        names |= {m.group(1), m.group(1) + "_id"}
    if re.match(r"\s*class\s", text):
        names.add("id")
    return names


if __name__ == "__main__":
    child(os.path.abspath(sys.argv[1]))
