#!/usr/bin/env bash
# Real-tools harness entry point (npm run test:real).
# Starts a throw-away PostgreSQL cluster on a loopback port, runs test/real/harness.py against it
# (real Django, Alembic and SQLAlchemy from Debian's packages) and always stops the cluster.
# Arguments are passed to harness.py (e.g. fixture names to run only those). Without arguments it then
# tests the pre-commit hook with the real pre-commit (pre-commit.sh beside this file).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PY=/usr/bin/python3  # Debian's Python: the one that sees python3-django & co. (not a pyenv one)
APT_PACKAGES=(postgresql python3-django python3-alembic python3-sqlalchemy python3-psycopg2 python3-sqlmodel python3-flask-sqlalchemy chromium graphviz pre-commit)

pg_bindir() {
  local d
  d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  if [ -n "$d" ] && [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then echo "$d"; fi
}

what_is_missing() {
  local m=() mod
  if [ -x "$PY" ]; then
    for mod in django alembic sqlalchemy psycopg2; do
      "$PY" -c "import $mod" >/dev/null 2>&1 || m+=("python3-$mod")
    done
  else
    m+=("$PY")
  fi
  [ -n "$(pg_bindir)" ] || m+=("postgresql (initdb, pg_ctl)")
  command -v chromium >/dev/null 2>&1 || m+=("chromium (renders the Mermaid diagrams)")
  command -v dot >/dev/null 2>&1 || m+=("graphviz")
  # Outside CI a missing pre-commit only skips the hook test (pre-commit.sh says so), not the harness.
  if [ "${CI:-}" = "true" ]; then command -v pre-commit >/dev/null 2>&1 || m+=("pre-commit"); fi
  local IFS=","
  echo "${m[*]-}" | sed 's/,/, /g'
}

missing="$(what_is_missing)"
if [ -n "$missing" ]; then
  if [ "${CI:-}" = "true" ]; then
    echo "installing: ${APT_PACKAGES[*]} (missing: $missing)"
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo -n"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq "${APT_PACKAGES[@]}" >/dev/null
    missing="$(what_is_missing)"
    if [ -n "$missing" ]; then
      echo "real-tools harness: still missing after apt-get install: $missing" >&2
      exit 1
    fi
  else
    echo "skipped: $missing (install: apt-get install -y ${APT_PACKAGES[*]})"
    exit 0
  fi
fi

bindir="$(pg_bindir)"
harness_pid=""
tmp="$(mktemp -d "${TMPDIR:-/tmp}/tablewarden-real.XXXXXX")"
chmod 755 "$tmp"

# initdb refuses to run as root: use an unprivileged account for the cluster.
if [ "$(id -u)" -eq 0 ]; then
  pguser=postgres  # created by Debian's postgresql-common
  if ! id "$pguser" >/dev/null 2>&1; then
    pguser=twpg
    id "$pguser" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$pguser"
  fi
  chown "$pguser" "$tmp"
  as_pg() { (cd "$tmp" && runuser -u "$pguser" -- "$@"); }
else
  as_pg() { (cd "$tmp" && "$@"); }
fi

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "${harness_pid:-}" ] && kill -0 "$harness_pid" 2>/dev/null; then
    kill -TERM "$harness_pid" 2>/dev/null || true
    wait "$harness_pid" 2>/dev/null || true
  fi
  if [ -f "$tmp/pg/postmaster.pid" ]; then
    if ! as_pg "$bindir/pg_ctl" -D "$tmp/pg" -m fast -w -t 30 stop >/dev/null 2>&1; then
      pid="$(head -n 1 "$tmp/pg/postmaster.pid" 2>/dev/null || true)"
      if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null || true; fi
    fi
  fi
  rm -rf "$tmp"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port="${TW_PG_PORT:-}"
if [ -z "$port" ]; then
  port="$("$PY" - <<'EOF'
import socket
for candidate in (54329, 0):
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", candidate))
        print(s.getsockname()[1])
        break
    except OSError:
        pass
    finally:
        s.close()
EOF
)"
fi

as_pg "$bindir/initdb" -D "$tmp/pg" -U postgres --auth=trust -E UTF8 --no-locale --no-sync >"$tmp/initdb.log" 2>&1 \
  || { echo "initdb failed:" >&2; cat "$tmp/initdb.log" >&2; exit 1; }
if ! as_pg "$bindir/pg_ctl" -D "$tmp/pg" -l "$tmp/pg.log" -w -t 60 \
  -o "-p $port -k $tmp -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  start >/dev/null; then
  echo "PostgreSQL did not start:" >&2
  cat "$tmp/pg.log" >&2 || true
  exit 1
fi

export PYTHONDONTWRITEBYTECODE=1
# In the background + wait, so that a signal runs the cleanup trap at once.
"$PY" "$here/harness.py" --pg-url "postgresql://postgres@127.0.0.1:$port" "$@" &
harness_pid=$!
wait "$harness_pid"
harness_pid=""

if [ "$#" -eq 0 ]; then
  # Diagrams of `tablewarden tables` rendered by the real renderers, then the pre-commit hook.
  node "$here/diagrams.mjs"
  bash "$here/pre-commit.sh"
else
  echo "diagrams and pre-commit hook test: skipped (fixture names given; run them with: node test/real/diagrams.mjs; bash test/real/pre-commit.sh)"
fi
