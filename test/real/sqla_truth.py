"""SQLAlchemy ground truth for tablewarden's view of Alembic's target metadata.

For every fixture with an Alembic environment (an alembic.ini and an env.py), real Alembic 1.8 /
SQLAlchemy 1.4 are asked which tables `target_metadata` holds, and the answer is compared with
tablewarden's view (`test/real/sqla_view.mjs`, the programmatic API):

1. truth: in a child process (fixture as cwd, sys.path[0] = the fixture root, as for
   `python -m alembic` run there) Alembic's own machinery runs env.py: `Config(<ini>)`,
   `ScriptDirectory.from_config` (which applies `prepend_sys_path`), `EnvironmentContext` in online
   mode, `ScriptDirectory.run_env()`. `EnvironmentContext.configure` is wrapped to record the
   `target_metadata` of every call (then runs as usual), while `begin_transaction` is a no-op context
   and `run_migrations` does nothing: env.py builds its metadata with exactly the modules it imports,
   connects (as it would) and no migration, stamp or version-table DDL runs. The truth is
   `sorted(t.fullname for md in metadatas for t in md.sorted_tables)` (`schema.name` with a schema).
2. tablewarden: the SQLAlchemy tables whose metadataId is in env's target.metadataIds and whose file
   is in env.reachable (every file when env.reachUncertain is set), reflected ones included, keyed
   `schema.name` when a schema is set.

Every env.py tablewarden finds is checked, each with the .ini in the fixture root whose
script_location names its folder (else alembic.ini with script_location overridden).
The database: when the harness passes one (the fixture's database after migrate + upgrade) it is
used as is; otherwise a fresh database is created and `manage.py migrate` and `alembic upgrade head`
are run on it (best effort), so that import-time reflection sees what it would in a deployment.
Without any PostgreSQL URL, env.py runs in offline mode (its offline configure call; noted); so it does
when the online run fails with OperationalError (env.py connects to a URL of its own; noted).

Known, documented differences: fixture.json `"sqla_truth_ok": [{"table": "...", "reason": "..."}]`
(a mismatch on such a table is a note; an entry that matches no mismatch is a failure).
`"sqla_truth": false` skips a fixture. Fixtures with `"real": false` are tried too; an env.py that cannot
run under Alembic 1.8 / SQLAlchemy 1.4 (e.g. 2.0-only syntax) is left out with a note, and the fixture is
skipped when none runs.

Run by harness.py (results counted in its `N passed, N failed` line), or alone:
    /usr/bin/python3 test/real/sqla_truth.py [--pg-url URL] [cases...]
"""

import argparse
import concurrent.futures
import configparser
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

# ---------------------------------------------------------------------------------------------
# Child process: the metadata env.py really builds (one interpreter per env.py).
# ---------------------------------------------------------------------------------------------


def env_child(fixture_dir, ini, script_location, offline):
    os.chdir(fixture_dir)
    # As `python -m alembic` started in the fixture: the fixture root first, not this folder.
    sys.path[0] = fixture_dir
    calls = []
    try:
        import contextlib
        import gc

        from alembic.config import Config
        from alembic.runtime.environment import EnvironmentContext
        from alembic.script import ScriptDirectory
        from sqlalchemy import MetaData, Table

        original_configure = EnvironmentContext.configure

        def configure(self, *args, **kw):
            calls.append({
                "offline": bool(self.is_offline_mode()),
                "given": "target_metadata" in kw,
                "target": kw.get("target_metadata"),
            })
            return original_configure(self, *args, **kw)

        EnvironmentContext.configure = configure
        EnvironmentContext.begin_transaction = lambda self, *a, **kw: contextlib.nullcontext()
        EnvironmentContext.run_migrations = lambda self, *a, **kw: None

        cfg = Config(ini)
        if script_location:
            cfg.set_main_option("script_location", script_location)
        script = ScriptDirectory.from_config(cfg)  # applies prepend_sys_path, like every command
        with EnvironmentContext(cfg, script, fn=lambda rev, context: [], as_sql=offline, dont_mutate=True):
            script.run_env()

        # Which fixture modules ran, and where their module-level Tables / mapped classes live.
        fixture_real = os.path.realpath(fixture_dir)
        modules = {}
        for name, mod in list(sys.modules.items()):
            f = getattr(mod, "__file__", None)
            if f and os.path.realpath(f).startswith(fixture_real + os.sep):
                modules[name] = os.path.relpath(os.path.realpath(f), fixture_real)
        table_sites = {}
        for name, rel in modules.items():
            for attr, value in list(vars(sys.modules[name]).items()):
                if isinstance(value, Table):
                    table_sites.setdefault(id(value), []).append("%s (%s)" % (attr, rel))
        try:
            from sqlalchemy.orm import mapperlib

            for reg in list(mapperlib._mapper_registries):
                for m in list(reg.mappers):
                    cls = m.class_
                    rel = modules.get(cls.__module__, cls.__module__)
                    for t in getattr(m, "tables", []):
                        table_sites.setdefault(id(t), []).append("class %s (%s)" % (cls.__qualname__, rel))
        except Exception:  # diagnostics only
            pass

        def tables_of(md):
            try:
                ts = md.sorted_tables
            except Exception:  # a cycle SQLAlchemy cannot sort: same set
                ts = list(md.tables.values())
            return [{"fullname": t.fullname, "sites": sorted(set(table_sites.get(id(t), [])))} for t in ts]

        targets, seen = [], set()
        for call in calls:
            target = call["target"]
            mds = list(target) if isinstance(target, (list, tuple)) else ([] if target is None else [target])
            for md in mds:
                if id(md) in seen:
                    continue
                seen.add(id(md))
                if not isinstance(md, MetaData):
                    targets.append({"error": "target_metadata holds a %s" % type(md).__name__, "tables": []})
                    continue
                targets.append({"schema": md.schema, "tables": tables_of(md)})
        others = []
        for obj in gc.get_objects():
            if isinstance(obj, MetaData) and id(obj) not in seen and obj.tables:
                others.append({"schema": obj.schema, "tables": tables_of(obj)})
        print(json.dumps({
            "configure_calls": [{"offline": c["offline"], "given": c["given"]} for c in calls],
            "targets": targets,
            "tables": sorted(t["fullname"] for md in targets for t in md["tables"]),
            "other_metadata": others,
            "modules": sorted(set(modules.values())),
        }))
    except BaseException as exc:  # report, never crash silently
        print(json.dumps({"error": "%s: %s" % (type(exc).__name__, str(exc).strip().splitlines()[0] if str(exc).strip() else ""),
                          "configure_calls": len(calls)}))


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


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
        if re.match(r"^[\w.]+(Error|Exception)\b", line) or line.startswith("FAILED:"):
            return line
    return lines[-1] if lines else "exit code %s" % result["rc"]


def load_json(path):
    if not os.path.exists(path):
        return None
    with open(path) as fh:
        return json.load(fh)


def tablewarden_view(fixture_dir):
    node = os.environ.get("TW_NODE", "node")
    r = run([node, os.path.join(HERE, "sqla_view.mjs"), fixture_dir], ROOT, dict(os.environ, NO_COLOR="1"))
    view = last_json(r)
    if r["rc"] != 0 or view is None:
        raise RuntimeError("tablewarden's API failed (rc %s): %s" % (r["rc"], last_error_line(r)))
    return view


def ini_script_locations(fixture_dir):
    """{ini file name: script_location as written} for the .ini files in the fixture root."""
    out = {}
    for name in sorted(os.listdir(fixture_dir)):
        if not name.endswith(".ini"):
            continue
        cp = configparser.ConfigParser(interpolation=None)
        try:
            cp.read(os.path.join(fixture_dir, name))
            loc = cp.get("alembic", "script_location", fallback=None)
        except configparser.Error:
            continue
        if loc:
            out[name] = loc.strip()
    return out


def ini_for(fixture_dir, script_dir):
    """(ini path, script_location override or None) to run the env.py in script_dir (relative)."""
    locs = ini_script_locations(fixture_dir)
    want = os.path.normpath(script_dir)
    for name, loc in locs.items():
        loc = loc.replace("%(here)s", fixture_dir)
        path = os.path.normpath(os.path.relpath(os.path.join(fixture_dir, loc), fixture_dir))
        if path == want:
            return os.path.join(fixture_dir, name), None
    base = "alembic.ini" if "alembic.ini" in locs else (next(iter(locs)) if locs else "alembic.ini")
    return os.path.join(fixture_dir, base), want


def prepare_database(fixture_dir, env, base_url, dbname):
    """Fresh database; `manage.py migrate` and `alembic upgrade head` on it, best effort. They run in a
    throw-away copy of the fixture, so that nothing they write (a SQLite file...) lands in fixtures/."""
    import shutil
    import tempfile

    import psycopg2

    conn = psycopg2.connect(db_url(base_url, "postgres"))
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute('DROP DATABASE IF EXISTS "%s"' % dbname)
            cur.execute('CREATE DATABASE "%s"' % dbname)
    finally:
        conn.close()
    notes = []
    tmp = tempfile.mkdtemp(prefix="tw-sqla-truth-")
    try:
        work = os.path.join(tmp, os.path.basename(fixture_dir))
        shutil.copytree(fixture_dir, work, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        if os.path.exists(os.path.join(work, "manage.py")):
            r = run([PY, "manage.py", "migrate", "--noinput"], work, env)
            if r["rc"] != 0:
                notes.append("database setup: manage.py migrate failed (%s)" % last_error_line(r))
        if os.path.exists(os.path.join(work, "alembic.ini")):
            r = run([PY, "-m", "alembic", "upgrade", "head"], work, env)
            if r["rc"] != 0:
                notes.append("database setup: alembic upgrade head failed (%s)" % last_error_line(r))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return notes


def tw_tables_for(view, env):
    """{key: [table rows]} tablewarden puts on env's target metadata, loaded by env.py."""
    ids = set(env["metadataIds"])
    reach = set(env["reachable"])
    out = {}
    for t in view["tables"]:
        if t["metadataId"] in ids and (env["reachUncertain"] is not None or t["file"] in reach):
            out.setdefault(key_of(t), []).append(t)
    return out


def key_of(t):
    return "%s.%s" % (t["schema"], t["name"]) if t.get("schema") else t["name"]


def describe_tw(rows, env, view):
    """What tablewarden knows about a table: each declaration and why it is (not) on the target."""
    if not rows:
        return "no SQLAlchemy declaration of it"
    labels = {m["id"]: m["label"] for m in view["metadata"]}
    ids, reach = set(env["metadataIds"]), set(env["reachable"])
    parts = []
    for t in rows:
        why = []
        if t["metadataId"] not in ids:
            why.append("metadata not on target")
        if env["reachUncertain"] is None and t["file"] not in reach:
            why.append("module not imported by env.py")
        parts.append("%s at %s:%s on %s%s%s" % (
            t["what"], t["file"], t["line"], labels.get(t["metadataId"], t["metadataId"]),
            " (reflected)" if t["reflected"] else "", " [%s]" % ", ".join(why) if why else ""))
    return "; ".join(parts)


def describe_truth(key, truth):
    for i, md in enumerate(truth.get("targets", [])):
        for t in md["tables"]:
            if t["fullname"] == key:
                return "on target_metadata%s via %s" % (
                    "[%d]" % i if len(truth["targets"]) > 1 else "", ", ".join(t["sites"]) or "an unnamed Table")
    for md in truth.get("other_metadata", []):
        for t in md["tables"]:
            if t["fullname"] == key:
                return "not on target_metadata (on another MetaData, via %s)" % (", ".join(t["sites"]) or "an unnamed Table")
    return "not on target_metadata (no loaded MetaData has it)"


def compare(truth, view, env):
    tw = tw_tables_for(view, env)
    real = set(truth["tables"])
    mine = set(tw)
    all_rows = {}
    for t in view["tables"]:
        all_rows.setdefault(key_of(t), []).append(t)
    out = []
    for k in sorted(real - mine):
        out.append({"table": k, "kind": "missing in tablewarden", "sqlalchemy": describe_truth(k, truth),
                    "tablewarden": describe_tw(all_rows.get(k, []), env, view)})
    for k in sorted(mine - real):
        out.append({"table": k, "kind": "extra in tablewarden", "sqlalchemy": describe_truth(k, truth),
                    "tablewarden": describe_tw(tw[k], env, view)})
    return out


# ---------------------------------------------------------------------------------------------
# Driver
# ---------------------------------------------------------------------------------------------


def candidates(cases):
    """(case, fixture.json) pairs this check applies to: an alembic.ini and an env.py."""
    out = []
    for c in cases:
        fdir = os.path.join(FIXTURES, c)
        meta = load_json(os.path.join(fdir, "fixture.json")) or {}
        if meta.get("sqla_truth", True) is False or not os.path.exists(os.path.join(fdir, "alembic.ini")):
            continue
        has_env = any("env.py" in files for _, _, files in os.walk(fdir))
        if has_env:
            out.append((c, meta))
    return out


def run_truth(case, meta, base_url=None, dbname=None):
    """The ground-truth record of one fixture. With dbname (prepared by the harness) that database is
    used as it is; otherwise a fresh one is prepared when base_url is given."""
    fdir = os.path.join(FIXTURES, case)
    res = {"case": case, "problems": [], "notes": [], "mismatches": [], "envs": []}
    started = time.time()
    try:
        view = tablewarden_view(fdir)
    except RuntimeError as exc:
        res.update(status="fail", problems=[str(exc)])
        return res
    if not view["envs"]:
        res.update(status="fail", problems=["tablewarden found no Alembic env.py"])
        return res
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    for var in ("DJANGO_SETTINGS_MODULE", "PYTHONPATH", "PYTHONHOME"):
        env.pop(var, None)
    offline = not base_url
    if base_url:
        prepared = bool(dbname)
        if not prepared:
            dbname = "tws_" + re.sub(r"[^a-z0-9]+", "_", case.lower())[:55]
        env["DATABASE_URL"] = db_url(base_url, dbname)
        res["database"] = dbname
        if not prepared:
            res["notes"].extend(prepare_database(fdir, env, base_url, dbname))
    else:
        env["DATABASE_URL"] = "postgresql://postgres@127.0.0.1:1/offline"
        res["notes"].append("no PostgreSQL URL: env.py ran in offline mode")

    errors = []
    for e in view["envs"]:
        ini, override = ini_for(fdir, e["scriptDir"])
        cmd = [PY, os.path.abspath(__file__), "--env-child", fdir, ini, override or "", "1" if offline else "0"]
        child = run(cmd, fdir, env)
        truth = last_json(child) or {"error": last_error_line(child)}
        prefix = "%s: " % e["file"] if len(view["envs"]) > 1 else ""
        if not offline and str(truth.get("error", "")).startswith("OperationalError"):
            # env.py connects somewhere this harness cannot reach (its own URL): its offline branch
            # builds the same metadata without a connection.
            cmd[-1] = "1"
            retry = run(cmd, fdir, env)
            again = last_json(retry) or {"error": last_error_line(retry)}
            if "error" not in again:
                res["notes"].append("%sonline env.py could not connect (%s): used the offline configure() call" % (prefix, truth["error"]))
                truth, child = again, retry
        rec = {"env": e["file"], "ini": os.path.relpath(ini, fdir), "script_location": override,
               "seconds": child["seconds"], "tablewarden": {
                   "metadataIds": e["metadataIds"], "unresolved": e["unresolved"],
                   "reachUncertain": e["reachUncertain"], "tables": sorted(tw_tables_for(view, e))}}
        res["envs"].append(rec)
        if "error" in truth:
            rec["error"] = truth["error"]
            errors.append("%s%s" % (prefix, truth["error"]))
            continue
        rec["truth"] = truth
        if not truth["configure_calls"]:
            res["notes"].append("%senv.py never called context.configure()" % prefix)
        if e["unresolved"]:
            res["notes"].append("%stablewarden could not resolve target_metadata: %s" % (prefix, e["unresolved"]))
        if e["reachUncertain"]:
            res["notes"].append("%stablewarden's import graph is uncertain (%s): every module counts" % (prefix, e["reachUncertain"]))
        for mm in compare(truth, view, e):
            mm["env"] = e["file"]
            mm["prefix"] = prefix
            res["mismatches"].append(mm)

    if errors:
        if meta.get("real") is True:
            res["problems"].extend("env.py failed: %s" % err for err in errors)
        elif len(errors) == len(view["envs"]):
            res.update(status="skip", reason="env.py does not run here (Alembic 1.8 / SQLAlchemy 1.4): %s" % "; ".join(errors))
            res["seconds"] = round(time.time() - started, 2)
            return res
        else:  # a linter-only fixture: check the environments that do run
            res["notes"].extend("not checked, env.py does not run here: %s" % err for err in errors)

    allow = meta.get("sqla_truth_ok", [])
    used = set()
    for mm in res["mismatches"]:
        text = "%s%s %s: SQLAlchemy: %s; tablewarden: %s" % (mm.pop("prefix"), mm["kind"], mm["table"], mm["sqlalchemy"], mm["tablewarden"])
        hit = [i for i, a in enumerate(allow) if a.get("table") == mm["table"]]
        if hit:
            used.update(hit)
            res["notes"].append("known (%s): %s" % (allow[hit[0]].get("reason", "sqla_truth_ok"), text))
        else:
            res["problems"].append(text)
    for i, a in enumerate(allow):
        if i not in used:
            res["problems"].append("sqla_truth_ok entry matches no mismatch: %s" % a.get("table"))
    n = sum(len(r.get("truth", {}).get("tables", [])) for r in res["envs"])
    res["summary"] = "%d table%s on target metadata in %d env%s" % (n, "" if n == 1 else "s", len(res["envs"]), "" if len(res["envs"]) == 1 else "s")
    res["status"] = "fail" if res["problems"] else "pass"
    res["seconds"] = round(time.time() - started, 2)
    return res


def report_line(res):
    """The PASS/FAIL/SKIP line (and indented detail lines) for one fixture's ground truth."""
    name = "sqla-truth %s" % res["case"]
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
    ap.add_argument("--pg-url", default=os.environ.get("TW_PG_URL"), help="PostgreSQL server (else env.py runs offline)")
    ap.add_argument("--jobs", type=int, default=3)
    ap.add_argument("--out", help="write the records as JSON here")
    ap.add_argument("--env-child", nargs=4, metavar=("FIXTURE_DIR", "INI", "SCRIPT_LOCATION", "OFFLINE"), help=argparse.SUPPRESS)
    ap.add_argument("cases", nargs="*")
    args = ap.parse_args(argv)
    if args.env_child:
        fdir, ini, loc, offline = args.env_child
        env_child(os.path.abspath(fdir), os.path.abspath(ini), loc or None, offline == "1")
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
