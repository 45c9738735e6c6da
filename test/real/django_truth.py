"""Django ground truth for tablewarden's table inventory.

For every fixture with a Django project (a manage.py), real Django 3.2 is asked which tables exist and
the answer is compared with `tablewarden tables <fixture> --format json`:

1. models: in a child process (fixture as cwd, DJANGO_SETTINGS_MODULE from its manage.py) `django.setup()`,
   then every model of `apps.get_models(include_auto_created=True, include_swapped=True)` is recorded
   (db_table, managed, proxy, abstract, swapped, auto-created owner). Django creates a model's table when
   it is managed, not proxy, not swapped (an auto-created M2M table: when its owning model's table is
   created and the through model is managed). That set plus `django_migrations` must equal the inventory
   tables that have a Django claim of kind django-model/django-m2m/builtin with action "creates"; the
   table of every managed = False model must carry a django-model claim with action "maps".
2. database (when a PostgreSQL URL is given): `manage.py migrate` on a fresh database; the tables it
   leaves (every schema but PostgreSQL's own) must equal the inventory tables tablewarden says Django
   leaves in the database (owner "django" or "both"), migration-only tables (RunSQL, state-only
   DeleteModel) included.

Known, documented differences: fixture.json `"truth_ok": [{"table": "...", "reason": "..."}]` (a mismatch on
such a table is a note, not a failure; an entry that matches no mismatch is a failure). `"django_truth":
false` skips a fixture. Fixtures with `"real": false` are tried too, but skipped when Django cannot load
them (their Django side may need a newer Django).

Run by harness.py (results counted in its `N passed, N failed` line), or alone:
    /usr/bin/python3 test/real/django_truth.py [--pg-url URL] [cases...]
Without --pg-url only the model comparison runs.
"""

import argparse
import concurrent.futures
import json
import os
import re
import subprocess
import sys
import time
from urllib.parse import urlsplit, urlunsplit

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
FIXTURES = os.path.join(ROOT, "fixtures")
PY = sys.executable
STEP_TIMEOUT = 120
PG_MAX_IDENTIFIER = 63  # NAMEDATALEN - 1: PostgreSQL truncates longer identifiers (in bytes)
DJANGO_CREATE_KINDS = ("django-model", "django-m2m", "builtin")
SETTINGS_RE = re.compile(r"""["']DJANGO_SETTINGS_MODULE["']\s*,\s*["']([\w.]+)["']""")
QUOTED_SCHEMA_TABLE = re.compile(r'^"([^"]+)"\."([^"]+)"$')

# ---------------------------------------------------------------------------------------------
# Child process: real Django's view of the models (one interpreter per fixture).
# ---------------------------------------------------------------------------------------------


def model_child(fixture_dir, settings_module):
    os.chdir(fixture_dir)
    sys.path.insert(0, fixture_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    try:
        import django

        django.setup()
        from django.apps import apps
        from django.db.migrations.loader import MigrationLoader

        try:
            migrated = set(MigrationLoader(None, ignore_no_migrations=True).migrated_apps)
        except Exception as exc:  # a broken history is reported by migrate itself
            migrated = None
            migrated_error = "%s: %s" % (type(exc).__name__, exc)
        else:
            migrated_error = None

        def creates(model):
            o = model._meta
            if o.abstract or o.proxy or o.swapped or not o.managed:
                return False
            if o.auto_created:  # an auto-created M2M table is made by its owner's CreateModel/AddField
                return creates(o.auto_created)
            return True

        out = []
        for model in apps.get_models(include_auto_created=True, include_swapped=True):
            o = model._meta
            out.append({
                "label": o.label,
                "module": model.__module__,
                "app_label": o.app_label,
                "app": o.app_config.name if o.app_config else None,
                "db_table": o.db_table,
                "managed": bool(o.managed),
                "proxy": bool(o.proxy),
                "abstract": bool(o.abstract),
                "swapped": o.swapped or None,
                "auto_created": o.auto_created._meta.label if o.auto_created else None,
                "concrete": o.concrete_model._meta.label if o.concrete_model else None,
                "migrated_app": None if migrated is None else o.app_label in migrated,
                "creates": creates(model),
            })
        from django.conf import settings

        print(json.dumps({
            "settings": settings_module,
            "installed_apps": list(settings.INSTALLED_APPS),
            "app_labels": {c.label: c.name for c in apps.get_app_configs()},
            "auth_user_model": getattr(settings, "AUTH_USER_MODEL", None),
            "migrated_error": migrated_error,
            "models": out,
        }))
    except BaseException as exc:
        print(json.dumps({"error": "%s: %s" % (type(exc).__name__, exc)}))


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def table_key(db_table):
    """`schema.table` for a quoted `"schema"."table"`, else the table; as PostgreSQL stores the name."""
    schema = None
    m = QUOTED_SCHEMA_TABLE.match(db_table)
    if m:
        schema, db_table = m.group(1), m.group(2)
    name = pg_identifier(db_table)
    return "%s.%s" % (schema, name) if schema and schema != "public" else name


def pg_identifier(name):
    raw = name.encode("utf-8")
    if len(raw) <= PG_MAX_IDENTIFIER:
        return name
    return raw[:PG_MAX_IDENTIFIER].decode("utf-8", "ignore")


def inv_key(row):
    return "%s.%s" % (row["schema"], row["name"]) if row.get("schema") and row["schema"] != "public" else row["name"]


def settings_module_of(fixture_dir):
    with open(os.path.join(fixture_dir, "manage.py")) as fh:
        m = SETTINGS_RE.search(fh.read())
    return m.group(1) if m else None


def db_url(base_url, dbname):
    parts = urlsplit(base_url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + dbname, "", ""))


def run(cmd, cwd, env):
    started = time.time()
    try:
        p = subprocess.run(
            cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, universal_newlines=True, timeout=STEP_TIMEOUT,
        )
        rc, out, err = p.returncode, p.stdout, p.stderr
    except (subprocess.TimeoutExpired, OSError) as exc:
        rc, out, err = -1, "", "%s: %s" % (type(exc).__name__, exc)
    return {"rc": rc, "stdout": out, "stderr": err, "seconds": round(time.time() - started, 2)}


def last_json(result):
    for line in reversed(result["stdout"].strip().splitlines()):
        try:
            return json.loads(line)
        except ValueError:
            continue
    return None


def last_error_line(result):
    lines = [l.strip() for l in (result["stderr"] + "\n" + result["stdout"]).splitlines() if l.strip()]
    for line in reversed(lines):
        if re.match(r"^[\w.]+(Error|Exception)\b", line):
            return line
    return lines[-1] if lines else "exit code %s" % result["rc"]


def tablewarden_inventory(fixture_dir):
    node = os.environ.get("TW_NODE", "node")
    r = run([node, os.path.join(ROOT, "bin", "tablewarden.js"), "tables", fixture_dir, "--format", "json"], ROOT,
            dict(os.environ, NO_COLOR="1"))
    try:
        return json.loads(r["stdout"])
    except ValueError:
        raise RuntimeError("tablewarden tables failed (rc %s): %s" % (r["rc"], last_error_line(r)))


def migrated_tables(fixture_dir, env, base_url, dbname):
    """Fresh database, `manage.py migrate`, then {schema-qualified name: relkind} of what is left."""
    import psycopg2

    admin = psycopg2.connect(db_url(base_url, "postgres"))
    admin.autocommit = True
    try:
        with admin.cursor() as cur:
            cur.execute('DROP DATABASE IF EXISTS "%s"' % dbname)
            cur.execute('CREATE DATABASE "%s"' % dbname)
    finally:
        admin.close()
    env = dict(env, DATABASE_URL=db_url(base_url, dbname))
    r = run([PY, "manage.py", "migrate", "--noinput"], fixture_dir, env)
    if r["rc"] != 0:
        return None, last_error_line(r), r["seconds"]
    conn = psycopg2.connect(env["DATABASE_URL"])
    try:
        with conn.cursor() as cur:
            cur.execute(
                "SELECT n.nspname, c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')"
                " AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%%'"
            )
            rows = cur.fetchall()
    finally:
        conn.close()
    out = {}
    for schema, name, kind in rows:
        out[name if schema == "public" else "%s.%s" % (schema, name)] = kind
    return out, None, r["seconds"]


def describe_inv(row):
    if row is None:
        return "absent from the inventory"
    claims = ["%s %s (%s:%s)" % (c["kind"], c["action"], c["file"], c["line"]) for c in row["claims"]]
    return "owner %s; claims: %s" % (row["owner"], "; ".join(claims) or "none")


def describe_models(models):
    parts = []
    for m in models:
        flags = []
        if not m["managed"]:
            flags.append("managed=False")
        if m["proxy"]:
            flags.append("proxy of %s" % m["concrete"])
        if m["swapped"]:
            flags.append("swapped for %s" % m["swapped"])
        if m["auto_created"]:
            flags.append("M2M of %s" % m["auto_created"])
        if m["migrated_app"] is False:
            flags.append("app without migrations")
        parts.append("%s%s" % (m["label"], " [%s]" % ", ".join(flags) if flags else ""))
    return ", ".join(parts)


# ---------------------------------------------------------------------------------------------
# Comparisons
# ---------------------------------------------------------------------------------------------


def compare_models(truth, inventory):
    """Mismatches between real Django's models and the inventory: [{table, kind, django, tablewarden}]."""
    by_table = {}
    for m in truth["models"]:
        by_table.setdefault(table_key(m["db_table"]), []).append(m)
    rows = {inv_key(r): r for r in inventory["tables"]}

    django_creates = {t for t, ms in by_table.items() if any(m["creates"] for m in ms)} | {"django_migrations"}
    tw_creates = {
        k for k, r in rows.items()
        if any(c["tool"] == "django" and c["kind"] in DJANGO_CREATE_KINDS and c["action"] == "creates" for c in r["claims"])
    }
    out = []
    for t in sorted(django_creates - tw_creates):
        ms = by_table.get(t, [])
        row = rows.get(t)
        wrong_managed = row is not None and any(c["kind"] == "django-model" and c["action"] == "maps" for c in row["claims"])
        out.append({
            "table": t, "kind": "wrong managed" if wrong_managed else "missing in tablewarden",
            "django": "created by migrate (%s)" % (describe_models(ms) if ms else "migration recorder"),
            "tablewarden": describe_inv(row),
        })
    for t in sorted(tw_creates - django_creates):
        ms = by_table.get(t, [])
        unmanaged = any(not m["managed"] and not m["proxy"] and not m["swapped"] for m in ms)
        if ms:
            django = "not created: " + describe_models(ms)
        else:
            long_names = [m for m in truth["models"] if m["db_table"] == t and table_key(t) != t]
            django = (
                "no such table: %s has db_table %s (%d characters), which PostgreSQL stores as %s"
                % (long_names[0]["label"], t, len(t), table_key(t)) if long_names else "no model has this table"
            )
        out.append({
            "table": t, "kind": "wrong managed" if unmanaged else "extra in tablewarden",
            "django": django,
            "tablewarden": describe_inv(rows.get(t)),
        })
    # Tables of managed = False models must be mapped by a django-model claim.
    for t, ms in sorted(by_table.items()):
        if t in django_creates:
            continue
        if not any(not m["managed"] and not m["proxy"] and not m["swapped"] and not m["auto_created"] for m in ms):
            continue
        row = rows.get(t)
        if row is None or not any(c["kind"] == "django-model" and c["action"] == "maps" for c in row["claims"]):
            if any(o["table"] == t for o in out):
                continue
            out.append({
                "table": t, "kind": "missing in tablewarden",
                "django": "managed=False: %s" % describe_models(ms),
                "tablewarden": describe_inv(row) + " (no django-model claim with action maps)",
            })
    return out


def compare_database(db_tables, inventory, truth):
    rows = {inv_key(r): r for r in inventory["tables"]}
    tw_django = {k for k, r in rows.items() if r["owner"] in ("django", "both")}
    real = {k for k, kind in db_tables.items() if kind in ("r", "p")}
    by_table = {}
    for m in (truth or {}).get("models", []):
        by_table.setdefault(table_key(m["db_table"]), []).append(m)
    out = []
    for t in sorted(real - tw_django):
        out.append({"table": t, "kind": "missing in tablewarden (migrated db)",
                    "django": "exists after manage.py migrate" + (" (%s)" % describe_models(by_table[t]) if t in by_table else " (no model)"),
                    "tablewarden": describe_inv(rows.get(t))})
    for t in sorted(tw_django - real):
        kind = db_tables.get(t)
        out.append({"table": t, "kind": "extra in tablewarden (migrated db)",
                    "django": ("a view after manage.py migrate" if kind in ("v", "m") else "does not exist after manage.py migrate")
                    + (" (%s)" % describe_models(by_table[t]) if t in by_table else ""),
                    "tablewarden": describe_inv(rows.get(t))})
    return out


# ---------------------------------------------------------------------------------------------
# Driver
# ---------------------------------------------------------------------------------------------


def load_json(path):
    if not os.path.exists(path):
        return None
    with open(path) as fh:
        return json.load(fh)


def candidates(cases):
    """(case, fixture.json) pairs this check applies to."""
    out = []
    for c in cases:
        fdir = os.path.join(FIXTURES, c)
        meta = load_json(os.path.join(fdir, "fixture.json")) or {}
        if os.path.exists(os.path.join(fdir, "manage.py")) and meta.get("django_truth", True) is not False:
            out.append((c, meta))
    return out


def run_truth(case, meta, base_url=None):
    """The ground-truth record of one fixture: {"status": pass|fail|skip, "problems", "notes", ...}."""
    fdir = os.path.join(FIXTURES, case)
    res = {"case": case, "problems": [], "notes": [], "mismatches": []}
    started = time.time()
    settings_module = settings_module_of(fdir)
    if not settings_module:
        res.update(status="fail", problems=["no DJANGO_SETTINGS_MODULE default in manage.py"])
        return res
    dbname = "twt_" + re.sub(r"[^a-z0-9]+", "_", case.lower())[:55]
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1",
               DATABASE_URL=db_url(base_url or "postgresql://postgres@127.0.0.1:54329", dbname))
    for var in ("DJANGO_SETTINGS_MODULE", "PYTHONPATH", "PYTHONHOME"):
        env.pop(var, None)
    child = run([PY, os.path.abspath(__file__), "--model-child", fdir, settings_module], fdir, env)
    truth = last_json(child) or {"error": last_error_line(child)}
    res["settings"] = settings_module
    if "error" in truth:
        if meta.get("real") is not True:
            res.update(status="skip", reason="Django 3.2 cannot load it (%s)" % truth["error"])
        else:
            res.update(status="fail", problems=["django.setup() failed: %s" % truth["error"]])
        return res
    res["models"] = truth["models"]
    try:
        inventory = tablewarden_inventory(fdir)
    except RuntimeError as exc:
        res.update(status="fail", problems=[str(exc)])
        return res
    res["tablewarden_settings"] = inventory.get("settings")
    mismatches = compare_models(truth, inventory)
    if base_url:
        db_tables, err, secs = migrated_tables(fdir, env, base_url, dbname)
        res["migrate_seconds"] = secs
        if db_tables is None:
            res["notes"].append("manage.py migrate failed (%s): database comparison skipped" % err)
        else:
            res["migrated_tables"] = db_tables
            mismatches += compare_database(db_tables, inventory, truth)
    res["mismatches"] = mismatches

    allow = meta.get("truth_ok", [])
    used = set()
    for mm in mismatches:
        text = "%s %s: Django: %s; tablewarden: %s" % (mm["kind"], mm["table"], mm["django"], mm["tablewarden"])
        hit = [i for i, a in enumerate(allow) if a.get("table") == mm["table"]]
        if hit:
            used.update(hit)
            res["notes"].append("known (%s): %s" % (allow[hit[0]].get("reason", "truth_ok"), text))
        else:
            res["problems"].append(text)
    for i, a in enumerate(allow):
        if i not in used:
            res["problems"].append("truth_ok entry matches no mismatch: %s" % a.get("table"))
    n_created = len({table_key(m["db_table"]) for m in truth["models"] if m["creates"]}) + 1
    res["summary"] = "%d tables Django creates, %d models" % (n_created, len(truth["models"]))
    res["status"] = "fail" if res["problems"] else "pass"
    res["seconds"] = round(time.time() - started, 2)
    return res


def report_line(res):
    """The PASS/FAIL/SKIP line (and indented detail lines) for one fixture's ground truth."""
    name = "django-truth %s" % res["case"]
    lines = []
    if res["status"] == "skip":
        lines.append("SKIP %s: %s" % (name, res.get("reason", "")))
    elif res["status"] == "pass":
        lines.append("PASS %s" % name)
    else:
        lines.append("FAIL %s: %d problem%s" % (name, len(res["problems"]), "" if len(res["problems"]) == 1 else "s"))
        lines.extend("    %s" % p for p in res["problems"])
    lines.extend("    %s" % n for n in res["notes"])
    return lines


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pg-url", default=os.environ.get("TW_PG_URL"), help="PostgreSQL server for the migrate check")
    ap.add_argument("--jobs", type=int, default=3)
    ap.add_argument("--out", help="write the records as JSON here")
    ap.add_argument("--model-child", nargs=2, metavar=("FIXTURE_DIR", "SETTINGS"), help=argparse.SUPPRESS)
    ap.add_argument("cases", nargs="*")
    args = ap.parse_args(argv)
    if args.model_child:
        model_child(os.path.abspath(args.model_child[0]), args.model_child[1])
        return 0
    cases = args.cases or sorted(d for d in os.listdir(FIXTURES) if os.path.exists(os.path.join(FIXTURES, d, "fixture.json")))
    results = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futs = {pool.submit(run_truth, c, meta, args.pg_url): c for c, meta in candidates(cases)}
        for fut in concurrent.futures.as_completed(futs):
            c = futs[fut]
            try:
                results[c] = fut.result()
            except Exception as exc:
                results[c] = {"case": c, "status": "fail", "problems": ["harness error: %s: %s" % (type(exc).__name__, exc)], "notes": []}
    passed = failed = 0
    for c in sorted(results):
        for line in report_line(results[c]):
            print(line)
        passed += results[c]["status"] == "pass"
        failed += results[c]["status"] == "fail"
    if args.out:
        with open(args.out, "w") as fh:
            json.dump([results[c] for c in sorted(results)], fh, indent=2, sort_keys=True)
            fh.write("\n")
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
