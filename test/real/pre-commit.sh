#!/usr/bin/env bash
# The pre-commit hook (.pre-commit-hooks.yaml) with the real pre-commit from Debian's packages:
# `pre-commit try-repo <this repository> tablewarden` (when the tree has uncommitted changes), then `pre-commit run` with a .pre-commit-config.yaml
# naming this repository at HEAD, on throw-away git repositories made from fixtures.
# Called by run.sh (npm run test:real); runs alone too: bash test/real/pre-commit.sh
# Needs the npm registry (pre-commit's node language runs `npm install` in the hook repository).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

if ! command -v pre-commit >/dev/null 2>&1; then
  if [ "${CI:-}" = "true" ]; then
    echo "pre-commit hook test: pre-commit is missing (run.sh installs it with apt-get in CI)" >&2
    exit 1
  fi
  echo "skipped: pre-commit hook test (install: apt-get install -y pre-commit)"
  exit 0
fi

tmp="$(mktemp -d "${TMPDIR:-/tmp}/tablewarden-pre-commit.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
export PRE_COMMIT_HOME="$tmp/cache"  # a fresh hook environment: the install itself is under test
fail=0
passed=0
failed=0
start=$SECONDS

make_repo() {  # make_repo <fixture> <dir>: a git repository whose .pre-commit-config.yaml uses this hook
  cp -r "$repo/fixtures/$1" "$2"
  rm -f "$2/expected.json" "$2/fixture.json"
  printf '# notes\n' >"$2/README.md"
  printf 'repos:\n  - repo: %s\n    rev: %s\n    hooks: [{ id: tablewarden }]\n' "$repo" "$rev" >"$2/.pre-commit-config.yaml"
  git -C "$2" init -q
  git -C "$2" add -A
  git -C "$2" -c user.name=t -c user.email=t@example.invalid commit -qm fixture
}

# expect <name> <dir> <status> <text the output must contain> -- <pre-commit arguments>
expect() {
  local name="$1" dir="$2" want="$3" text="$4"
  shift 5
  local out rc=0
  out="$(cd "$dir" && pre-commit "$@" 2>&1)" || rc=$?
  if [ "$rc" -ne "$want" ] || ! grep -qF -- "$text" <<<"$out"; then
    echo "FAIL pre-commit: $name (exit $rc, expected $want; expected output to contain: $text)"
    echo "$out" | tail -n 40
    fail=1
    failed=$((failed + 1))
  else
    echo "ok   pre-commit: $name"
    passed=$((passed + 1))
  fi
}

# The hook as committed (pre-commit installs a hook repository at a revision); try-repo below also
# takes uncommitted changes.
rev="$(git -C "$repo" rev-parse HEAD)"
[ -z "$(git -C "$repo" status --porcelain)" ] || echo "note: uncommitted changes: pre-commit run tests $rev, try-repo tests the working tree"
make_repo example-shop "$tmp/shop"
make_repo clean-pure-django "$tmp/clean"

# try-repo installs a fresh environment in a throw-away store on every call (about two minutes of CPU:
# npm install and the build). It is what tests uncommitted changes to the hook, so it runs when the tree
# has any (or with TABLEWARDEN_TRY_REPO=1); on a clean tree, as in CI, `pre-commit run` below installs the
# same hook at HEAD and checks the same failure.
if [ -n "$(git -C "$repo" status --porcelain)" ] || [ "${TABLEWARDEN_TRY_REPO:-}" = "1" ]; then
  expect "try-repo --all-files: findings fail the hook" "$tmp/shop" 1 "double-ownership" -- try-repo "$repo" tablewarden --all-files
else
  echo "skipped: pre-commit try-repo (clean tree; TABLEWARDEN_TRY_REPO=1 runs it)"
fi
# pre-commit run shares PRE_COMMIT_HOME: one environment for the rest.
# Findings anywhere fail the hook, even when only one file is staged: the whole project is analysed.
expect "one Python file staged, the whole project analysed" "$tmp/shop" 1 "double-ownership" -- run --files manage.py
# Files that cannot change ownership do not trigger it.
expect "README.md alone skips the hook" "$tmp/shop" 0 "(no files to check)Skipped" -- run --files README.md
expect "a clean project passes" "$tmp/clean" 0 "Passed" -- run --all-files

# language_version: system → nodeenv links the system node instead of downloading one (offline-safe).
node_env="$(find "$PRE_COMMIT_HOME" -maxdepth 2 -type d -name 'node_env-*' | head -n 1)"
if [ -z "$node_env" ]; then
  echo "FAIL pre-commit: no node_env-* environment under $PRE_COMMIT_HOME"
  fail=1
  failed=$((failed + 1))
else
  sys_node="$(readlink -f "$(command -v node)")"
  shim="$node_env/bin/node"
  if [ "$(basename "$node_env")" = "node_env-system" ] && { [ "$(readlink -f "$shim")" = "$sys_node" ] || grep -qF "$(command -v node)" "$shim" 2>/dev/null; }; then
    echo "ok   pre-commit: $(basename "$node_env") runs the system node ($sys_node, $("$shim" --version))"
    passed=$((passed + 1))
  else
    echo "FAIL pre-commit: $node_env does not run the system node ($sys_node):"
    ls -l "$node_env/bin" | head
    head -c 300 "$shim" 2>/dev/null | cat -v
    fail=1
    failed=$((failed + 1))
  fi
fi

echo "pre-commit hook test took $((SECONDS - start)) s"
echo "pre-commit: $passed passed, $failed failed"
exit "$fail"
