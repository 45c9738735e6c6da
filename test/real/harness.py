"""Real-tools harness for tablewarden's fixtures.

Runs every fixture whose fixture.json says "real": true against a real PostgreSQL:
fresh database -> `manage.py migrate` -> `alembic upgrade head` (stamped to head if it failed)
-> Alembic autogenerate through the fixture's own env.py (its include_object / include_name /
process_revision_directives apply) -> `manage.py makemigrations --check --dry-run`.
The observed effects are written to results.json and checked against the fixture's claims
(fixture.json "real_effects") and the linter's findings (expected.json), when present.

Effects are strings: `already_exists T` (migrate/upgrade failed with relation "T" already exists;
after such a failure every further conflicting table is found on a scratch database),
`<op> T[.name]` for each autogenerate op (drop_table, drop_column, drop_index, alter_column, ...),
`migrate_failed` / `upgrade_failed` / `autogenerate_failed` and `makemigrations_changes`.
After a failed (rolled back, then stamped) upgrade, autogenerate's create_table/create_index for
the tables that upgrade never created are marked "fallout" and need no finding.

Run with Debian's /usr/bin/python3 (Django, Alembic, SQLAlchemy, psycopg2). Usually started by
run.sh, which also starts a throw-away PostgreSQL cluster and passes its URL in --pg-url.
"""

import argparse
import concurrent.futures
import fnmatch
import json
import os
import re
import subprocess
import sys
import time
from urllib.parse import urlsplit, urlunsplit

import django_truth  # test/real/django_truth.py: real Django's tables vs tablewarden's inventory
import mirror_columns  # test/real/mirror_columns.py: mirrors' declared columns vs the real tables
import sqla_truth  # test/real/sqla_truth.py: the metadata env.py really builds vs tablewarden's view

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PY = sys.executable
STEP_TIMEOUT = 120  # seconds per tool invocation
ALREADY_EXISTS = re.compile(r'relation "([^"]+)" already exists')
MISSING_RELATION = re.compile(r'relation "([^"]+)" does not exist')

# ---------------------------------------------------------------------------------------------
# Autogenerate, run in a child process inside the fixture directory (each fixture has its own
# `api`, `project`... packages, so they cannot share one interpreter).
# ---------------------------------------------------------------------------------------------


def _qualified(schema, table):
    return "%s.%s" % (schema, table) if schema else table


def normalise_ops(upgrade_ops):
    """Flatten Alembic's UpgradeOps into records {op, table, name, detail, text}."""
    from alembic.operations import ops as o

    out = []

    def add(op, table, name=None, detail=None):
        text = "%s %s" % (op, table if name is None else "%s.%s" % (table, name))
        rec = {"op": op, "table": table, "text": text}
        if name is not None:
            rec["name"] = name
        if detail:
            rec["detail"] = detail
        out.append(rec)

    def walk(op, schema=None, table=None):
        if isinstance(op, o.ModifyTableOps):
            for sub in op.ops:
                walk(sub, op.schema, op.table_name)
        elif isinstance(op, o.OpContainer):
            for sub in op.ops:
                walk(sub)
        elif isinstance(op, o.CreateTableOp):
            add("create_table", _qualified(op.schema, op.table_name))
        elif isinstance(op, o.DropTableOp):
            add("drop_table", _qualified(op.schema, op.table_name))
        elif isinstance(op, o.AddColumnOp):
            add("add_column", _qualified(op.schema, op.table_name), op.column.name)
        elif isinstance(op, o.DropColumnOp):
            add("drop_column", _qualified(op.schema, op.table_name), op.column_name)
        elif isinstance(op, o.AlterColumnOp):
            changed = [
                k
                for k in ("type", "nullable", "server_default", "comment", "name")
                if getattr(op, "modify_" + k, False) is not False
            ]
            add("alter_column", _qualified(op.schema, op.table_name), op.column_name, ",".join(changed))
        elif isinstance(op, o.CreateIndexOp):
            add("create_index", _qualified(op.schema, op.table_name), op.index_name)
        elif isinstance(op, o.DropIndexOp):
            add("drop_index", _qualified(op.schema, op.table_name), op.index_name)
        elif isinstance(op, o.CreateForeignKeyOp):
            # Alembic 1.8 keeps the schema in kw; later versions have a source_schema attribute.
            schema = getattr(op, "source_schema", None) or op.kw.get("source_schema")
            add("create_foreign_key", _qualified(schema, op.source_table), op.constraint_name)
        elif isinstance(op, o.CreateUniqueConstraintOp):
            add("create_unique_constraint", _qualified(op.schema, op.table_name), op.constraint_name)
        elif isinstance(op, o.AddConstraintOp):
            add("add_constraint", _qualified(getattr(op, "schema", None), op.table_name), op.constraint_name)
        elif isinstance(op, o.DropConstraintOp):
            add("drop_constraint", _qualified(op.schema, op.table_name), op.constraint_name, op.constraint_type)
        elif isinstance(op, o.AlterTableOp):
            add(type(op).__name__, _qualified(op.schema, op.table_name))
        else:
            add(type(op).__name__, table or "?")

    walk(upgrade_ops)
    return out


def autogenerate_child(fixture_dir):
    """Print {"ops": [...]} (or {"error": ...}) as JSON for the fixture in fixture_dir."""
    os.chdir(fixture_dir)
    sys.path.insert(0, fixture_dir)
    try:
        from alembic import command
        from alembic.config import Config
        from alembic.runtime.environment import EnvironmentContext

        captured = []
        original_configure = EnvironmentContext.configure

        def configure(self, *args, **kw):
            user_hook = kw.get("process_revision_directives")

            def capture(context, revision, directives):
                if user_hook is not None:
                    user_hook(context, revision, directives)
                for script in directives:
                    captured.extend(script.upgrade_ops_list)
                directives[:] = []  # write no revision file

            kw["process_revision_directives"] = capture
            return original_configure(self, *args, **kw)

        EnvironmentContext.configure = configure
        cfg = Config(os.path.join(fixture_dir, "alembic.ini"))
        command.revision(cfg, message="tablewarden real-tools harness", autogenerate=True)
        ops = []
        for upgrade_ops in captured:
            ops.extend(normalise_ops(upgrade_ops))
        print(json.dumps({"ops": ops}))
    except BaseException as exc:  # report, never crash silently
        print(json.dumps({"error": "%s: %s" % (type(exc).__name__, exc)}))


# ---------------------------------------------------------------------------------------------
# Driver
# ---------------------------------------------------------------------------------------------


def db_url(base_url, dbname):
    parts = urlsplit(base_url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + dbname, "", ""))


def fresh_database(base_url, dbname):
    import psycopg2

    conn = psycopg2.connect(db_url(base_url, "postgres"))
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute('DROP DATABASE IF EXISTS "%s"' % dbname)
            cur.execute('CREATE DATABASE "%s"' % dbname)
    finally:
        conn.close()


def run(cmd, cwd, env):
    started = time.time()
    try:
        p = subprocess.run(
            cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, universal_newlines=True, timeout=STEP_TIMEOUT,
        )
        rc, out, err = p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired as exc:
        rc, out, err = -1, exc.stdout or "", "timeout after %ss" % STEP_TIMEOUT
    return {"rc": rc, "stdout": out, "stderr": err, "seconds": round(time.time() - started, 2)}


def error_line(result):
    """The most telling line of a failed command's output (the exception line)."""
    lines = [l.strip() for l in (result["stderr"] + "\n" + result["stdout"]).splitlines() if l.strip()]
    for line in reversed(lines):
        if ALREADY_EXISTS.search(line):
            return line
    for line in reversed(lines):
        if re.match(r"^[\w.]+(Error|Exception)\b", line) or line.startswith("FAILED:"):
            return line
    return lines[-1] if lines else "exit code %s" % result["rc"]


def step_record(result):
    rec = {"ok": result["rc"] == 0, "seconds": result["seconds"]}
    if result["rc"] != 0:
        rec["error"] = error_line(result)
    return rec


def run_fixture(case, base_url):
    fdir = os.path.join(ROOT, "fixtures", case)
    dbname = "tw_" + re.sub(r"[^a-z0-9]+", "_", case.lower())[:55]
    url = db_url(base_url, dbname)
    env = dict(os.environ, DATABASE_URL=url, PYTHONDONTWRITEBYTECODE="1")
    for var in ("DJANGO_SETTINGS_MODULE", "PYTHONPATH", "PYTHONHOME"):
        env.pop(var, None)  # each fixture runs as its own project, from its own directory
    res = {"case": case, "database": dbname}
    fresh_database(base_url, dbname)
    has_django = os.path.exists(os.path.join(fdir, "manage.py"))
    has_alembic = os.path.exists(os.path.join(fdir, "alembic.ini"))

    if has_django:
        res["migrate"] = step_record(run([PY, "manage.py", "migrate", "--noinput"], fdir, env))
    if has_alembic:
        up = run([PY, "-m", "alembic", "upgrade", "head"], fdir, env)
        res["upgrade"] = step_record(up)
        if up["rc"] != 0:
            res["stamp"] = step_record(run([PY, "-m", "alembic", "stamp", "head"], fdir, env))
            if ALREADY_EXISTS.search(res["upgrade"]["error"]) and has_django:
                res["conflicts"] = all_conflicts(fdir, env, base_url, dbname + "_x")
    if has_django or has_alembic:
        res["present_tables"] = present_tables(url)
    if has_alembic:
        ag = run([PY, os.path.abspath(__file__), "--autogenerate-child", fdir], fdir, env)
        try:
            payload = json.loads(ag["stdout"].strip().splitlines()[-1])
        except (ValueError, IndexError):
            payload = {"error": error_line(ag)}
        res["autogenerate"] = payload
    if (load_json(os.path.join(fdir, "fixture.json")) or {}).get("mirror_columns"):
        res["mirror_columns"] = mirror_columns.effects(fdir, env, url, PY)
    if has_django:
        mm = run([PY, "manage.py", "makemigrations", "--check", "--dry-run", "--noinput"], fdir, env)
        res["makemigrations"] = {
            "changes": mm["rc"] != 0,
            "output": (mm["stdout"] + mm["stderr"]).strip()[-2000:],
        }
    res["effects"] = effects_of(res)
    return res


def present_tables(url):
    """Tables (and views) in the database after migrate + upgrade, schema-qualified outside public."""
    import psycopg2

    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute(
                "SELECT table_schema, table_name FROM information_schema.tables"
                " WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
            )
            return sorted(name if schema == "public" else "%s.%s" % (schema, name) for schema, name in cur.fetchall())
    finally:
        conn.close()


def all_conflicts(fdir, env, base_url, dbname, limit=20):
    """The upgrade stops at the first table that already exists. On a scratch database, drop each
    such table and upgrade again, so that every table both tools create gets its own real error."""
    import psycopg2

    fresh_database(base_url, dbname)
    env = dict(env, DATABASE_URL=db_url(base_url, dbname))
    tables = []
    if run([PY, "manage.py", "migrate", "--noinput"], fdir, env)["rc"] != 0:
        return tables
    for _ in range(limit):
        up = run([PY, "-m", "alembic", "upgrade", "head"], fdir, env)
        m = ALREADY_EXISTS.search(error_line(up)) if up["rc"] != 0 else None
        if not m or m.group(1) in tables:
            break
        tables.append(m.group(1))
        conn = psycopg2.connect(env["DATABASE_URL"])
        conn.autocommit = True
        try:
            with conn.cursor() as cur:
                cur.execute('DROP TABLE IF EXISTS "%s" CASCADE' % m.group(1).replace('"', '""'))
        finally:
            conn.close()
    return tables


def effects_of(res):
    """Normalised real effects: [{"effect": str, "table": str|None, "fallout": bool}]."""
    effects = []
    upgrade_failed = False
    for step in ("migrate", "upgrade"):
        rec = res.get(step)
        if rec and not rec["ok"]:
            m = ALREADY_EXISTS.search(rec["error"])
            if m:
                effects.append({"effect": "already_exists %s" % m.group(1), "table": m.group(1), "step": step})
            else:
                missing = MISSING_RELATION.search(rec["error"] or "")
                effects.append({"effect": "%s_failed" % step, "table": missing.group(1) if missing else None, "detail": rec["error"]})
            upgrade_failed = upgrade_failed or step == "upgrade"
    seen = {e["effect"] for e in effects}
    for table in res.get("conflicts", []):
        if "already_exists %s" % table not in seen:
            effects.append({"effect": "already_exists %s" % table, "table": table, "step": "upgrade (scratch)"})
    ag = res.get("autogenerate")
    if ag and "error" in ag:
        effects.append({"effect": "autogenerate_failed", "table": None, "detail": ag["error"]})
    created = set()
    for op in (ag or {}).get("ops", []):
        # After a failed upgrade (rolled back, then stamped) autogenerate wants to create the
        # tables the failed revisions would have created: that is fallout of the failure itself.
        fallout = upgrade_failed and (
            op["op"] == "create_table" or (op["op"] == "create_index" and op["table"] in created)
        )
        if op["op"] == "create_table":
            created.add(op["table"])
        e = {"effect": op["text"], "table": op["table"], "op": op["op"]}
        if fallout:
            e["fallout"] = True
        effects.append(e)
    effects.extend(res.get("mirror_columns", []))
    mm = res.get("makemigrations")
    if mm and mm["changes"]:
        effects.append({"effect": "makemigrations_changes", "table": None, "detail": mm["output"][-300:]})
    return effects


# ---------------------------------------------------------------------------------------------
# Checks
# ---------------------------------------------------------------------------------------------

CHECKED = ("error", "warning")


def finding_satisfied(f, effects, fixture_dir=None, present=None):
    rule, table = f.get("ruleId"), f.get("table")
    texts = {e["effect"] for e in effects}
    if rule == "double-ownership":
        return "already_exists %s" % table in texts
    if rule == "readonly-model-in-target-metadata":
        return any(e["table"] == table and "op" in e for e in effects)
    if rule == "missing-django-migrations-exclusion":
        return "drop_table django_migrations" in texts
    if rule == "django-table-not-excluded":
        return "drop_table %s" % table in texts
    if rule == "alembic-table-not-in-metadata":
        return "drop_table %s" % table in texts
    if rule == "include-name-hides-metadata-table":
        return "create_table %s" % table in texts
    if rule == "view-in-target-metadata":
        return "create_table %s" % table in texts
    if rule == "django-manages-alembic-table":
        # Django-first from scratch: Django's DDL on the Alembic table runs before Alembic created it.
        return any(e["effect"] == "migrate_failed" and e["table"] == table for e in effects)
    if rule == "cross-owner-fk-order":
        # From scratch the first migrator fails on the referenced table (the finding's table), which the second creates.
        return any(e["effect"] in ("migrate_failed", "upgrade_failed") and e.get("table") == table for e in effects)
    if rule == "mirror-model-drift" and fixture_dir is not None:
        # The column the finding is about, named on its source line, must really differ.
        names = mirror_columns.columns_named_at(fixture_dir, f["file"], f["line"])
        kinds = ("mirror_missing",) if f.get("severity") == "error" else ("mirror_type", "mirror_nullable", "mirror_pk")
        return any(e["effect"].split(" ")[0] in kinds and e["table"] == table and e.get("column") in names for e in effects)
    if rule == "unowned-table" and present is not None:
        # Nothing creates the mapped table: after migrate + upgrade from scratch it does not exist.
        return table not in present
    return None  # a rule this harness has no real-world check for


def check(case, fixture, expected, res):
    """Return a list of failure reasons (empty: pass) and a list of notes."""
    problems, notes = [], []
    effects = res["effects"]
    texts = sorted({e["effect"] for e in effects})

    for step in ("stamp",):
        if step in res and not res[step]["ok"]:
            problems.append("alembic stamp head failed: %s" % res[step]["error"])

    claimed = fixture.get("real_effects")
    if claimed is not None:
        missing = sorted(set(claimed) - set(texts))
        extra = sorted(set(texts) - set(claimed))
        if missing or extra:
            problems.append(
                "real effects differ from fixture.json real_effects:%s%s"
                % (" missing " + ", ".join(missing) if missing else "", " new " + ", ".join(extra) if extra else "")
            )

    if expected is None:
        notes.append("no expected.json; effects: %s" % (", ".join(texts) or "none"))
        return problems, notes

    findings = [f for f in expected.get("findings", []) if f.get("severity") in CHECKED]
    for f in findings:
        ok = finding_satisfied(f, effects, os.path.join(ROOT, "fixtures", case) if fixture.get("mirror_columns") else None, res.get("present_tables"))
        label = "%s(%s)" % (f.get("ruleId"), f.get("table") or "")
        if ok is False:
            problems.append("finding %s has no real effect" % label)
        elif ok is None:
            notes.append("finding %s: no real-world check for this rule" % label)

    explained_tables = {f.get("table") for f in findings if f.get("table")}
    if any(f.get("ruleId") == "missing-django-migrations-exclusion" for f in findings):
        explained_tables.add("django_migrations")
    allow = fixture.get("unexplained_ok", [])
    used = set()
    unexplained = {}  # table (or effect, for table-less effects) -> [effect texts]
    for e in effects:
        if e.get("fallout") or (e["table"] is not None and e["table"] in explained_tables):
            continue
        hit = [i for i, a in enumerate(allow) if fnmatch.fnmatchcase(e["effect"], a["effect"])]
        if hit:
            used.update(hit)
            continue
        text = e["effect"] + (" (%s)" % e["detail"] if e.get("detail") else "")
        unexplained.setdefault(e["table"] or e["effect"], []).append(text)
    for key in sorted(unexplained):
        problems.append("unexplained real effect%s on %s: %s" % (
            "s" if len(unexplained[key]) > 1 else "", key, ", ".join(sorted(unexplained[key]))))
    for i, a in enumerate(allow):
        if i not in used:
            problems.append("unexplained_ok entry matches no effect: %s" % a["effect"])
    return problems, notes


def load_json(path):
    if not os.path.exists(path):
        return None
    with open(path) as fh:
        return json.load(fh)


def versions():
    out = {"python": sys.version.split()[0]}
    for mod in ("django", "alembic", "sqlalchemy", "psycopg2"):
        try:
            out[mod] = __import__(mod).__version__.split()[0]
        except Exception as exc:  # pragma: no cover - reported, not fatal here
            out[mod] = "missing (%s)" % exc
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pg-url", default=os.environ.get("TW_PG_URL", "postgresql://postgres@127.0.0.1:54329"))
    ap.add_argument("--out", default=os.path.join(HERE, "results.json"))
    ap.add_argument("--jobs", type=int, default=3)
    ap.add_argument("--no-django-truth", action="store_true", help="skip the Django ground-truth check (django_truth.py)")
    ap.add_argument("--no-sqla-truth", action="store_true", help="skip the SQLAlchemy ground-truth check (sqla_truth.py)")
    ap.add_argument("--autogenerate-child", metavar="FIXTURE_DIR", help=argparse.SUPPRESS)
    ap.add_argument("cases", nargs="*", help="fixture names (default: every fixture)")
    args = ap.parse_args(argv)

    if args.autogenerate_child:
        autogenerate_child(os.path.abspath(args.autogenerate_child))
        return 0

    started = time.time()
    fixtures_dir = os.path.join(ROOT, "fixtures")
    cases = args.cases or sorted(
        d for d in os.listdir(fixtures_dir) if os.path.exists(os.path.join(fixtures_dir, d, "fixture.json"))
    )
    meta = {c: load_json(os.path.join(fixtures_dir, c, "fixture.json")) or {} for c in cases}
    real = [c for c in cases if meta[c].get("real") is True]

    results = {}
    truth = {}  # case -> django_truth record (every fixture with a manage.py)
    truth_cases = [] if args.no_django_truth else django_truth.candidates(cases)
    sqla = {}  # case -> sqla_truth record (every fixture with an Alembic env.py)
    sqla_cases = {} if args.no_sqla_truth else dict(sqla_truth.candidates(cases))
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = {pool.submit(run_fixture, c, args.pg_url): c for c in real}
        truth_futures = {pool.submit(django_truth.run_truth, c, m, args.pg_url): c for c, m in truth_cases}
        # Fixtures the harness does not run get a fresh database of their own; the others reuse the
        # harness's database (migrated and upgraded) once run_fixture is done with it.
        sqla_futures = {pool.submit(sqla_truth.run_truth, c, m, args.pg_url): c for c, m in sqla_cases.items() if c not in real}
        for fut in concurrent.futures.as_completed(futures):
            c = futures[fut]
            try:
                results[c] = fut.result()
            except Exception as exc:
                results[c] = {"case": c, "harness_error": "%s: %s" % (type(exc).__name__, exc), "effects": []}
            if c in sqla_cases:
                prepared = None if "harness_error" in results[c] else results[c].get("database")
                sqla_futures[pool.submit(sqla_truth.run_truth, c, sqla_cases[c], args.pg_url, prepared)] = c
        for fut in concurrent.futures.as_completed(truth_futures):
            c = truth_futures[fut]
            try:
                truth[c] = fut.result()
            except Exception as exc:
                truth[c] = {"case": c, "status": "fail", "notes": [],
                            "problems": ["harness error: %s: %s" % (type(exc).__name__, exc)]}
        for fut in concurrent.futures.as_completed(sqla_futures):
            c = sqla_futures[fut]
            try:
                sqla[c] = fut.result()
            except Exception as exc:
                sqla[c] = {"case": c, "status": "fail", "notes": [],
                           "problems": ["harness error: %s: %s" % (type(exc).__name__, exc)]}

    passed = failed = 0
    for c in cases:
        if c not in results:
            print("SKIP %s: %s" % (c, meta[c].get("reason", "not real")))
            continue
        res = results[c]
        if "harness_error" in res:
            problems, notes = ["harness error: %s" % res["harness_error"]], []
        else:
            expected = load_json(os.path.join(fixtures_dir, c, "expected.json"))
            problems, notes = check(c, meta[c], expected, res)
        res["problems"], res["notes"] = problems, notes
        if problems:
            failed += 1
            print("FAIL %s: %s" % (c, "; ".join(problems)))
        else:
            passed += 1
            print("PASS %s" % c)
        for n in notes:
            print("    %s" % n)

    # Django ground truth: one more PASS/FAIL/SKIP line per fixture with a Django project.
    for c in sorted(truth):
        for line in django_truth.report_line(truth[c]):
            print(line)
        passed += truth[c]["status"] == "pass"
        failed += truth[c]["status"] == "fail"

    # SQLAlchemy ground truth: one more PASS/FAIL/SKIP line per fixture with an Alembic env.py.
    for c in sorted(sqla):
        for line in sqla_truth.report_line(sqla[c]):
            print(line)
        passed += sqla[c]["status"] == "pass"
        failed += sqla[c]["status"] == "fail"

    with open(args.out, "w") as fh:
        json.dump(
            {"versions": versions(), "seconds": round(time.time() - started, 1),
             "fixtures": [results[c] for c in cases if c in results],
             "django_truth": [truth[c] for c in sorted(truth)],
             "sqla_truth": [sqla[c] for c in sorted(sqla)]},
            fh, indent=2, sort_keys=True,
        )
        fh.write("\n")
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
