#!/usr/bin/env bash
# `make test`: install everything the tests need, then run the whole suite twice, side by side:
# on SQLite, and on a real PostgreSQL 15 server started here on a loopback port.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo -n "$@"; fi; }
apt_updated=""
apt_install() {
  [ -n "$apt_updated" ] || { as_root apt-get update -qq >/dev/null; apt_updated=1; }
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# 1. System packages: PostgreSQL 15 (server and client tools) and Chromium for Playwright.
PGBIN=/usr/lib/postgresql/15/bin
if [ ! -x "$PGBIN/initdb" ] || [ ! -x "$PGBIN/pg_dump" ]; then
  echo "installing PostgreSQL 15 (Debian)"; apt_install postgresql-15 postgresql-client-15
fi
if ! command -v chromium >/dev/null 2>&1; then
  echo "installing Chromium (Debian)"; apt_install chromium
fi

# 2. Python packages, pinned in pyproject.toml.
bash scripts/venv.sh test
export PATH="$root/.venv/bin:$PATH"

# 3. Lint and format; then the layers (import-linter's contracts in pyproject.toml: a
# broken contract fails the run here); then the types (mypy, configured in pyproject.toml:
# strict on clinical/ and core/, the default mode on the rest of src/).
# (bench/ may be absent from a fresh clone: an empty folder is not kept by git.)
lint_paths=()
for p in src tests bench scripts conftest.py; do [ -e "$p" ] && lint_paths+=("$p"); done
ruff check "${lint_paths[@]}"
ruff format --check "${lint_paths[@]}"
lint-imports --no-cache --no-logo
mypy

export WAYPOINT_SECRET_KEY="test-only-$(python -c 'import secrets; print(secrets.token_hex(16))')"
# The audit chain's key (docs/AUDIT.md), a throwaway one for the tests.
export WAYPOINT_AUDIT_KEY="test-only-audit-$(python -c 'import secrets; print(secrets.token_hex(24))')"
unset WAYPOINT_AUDIT_KEY_FILE || true
export WAYPOINT_DEBUG=0
unset WAYPOINT_HTTPS || true

# 4. The suite on both databases at once: on SQLite, and on a throwaway PostgreSQL 15
# cluster on a free loopback port. (Tests that start their own servers and CLI processes
# make a throwaway database of the same kind as DATABASE_URL; see tests/test_cli.py.) The
# two runs share nothing but the machine, so they run side by side, each into its own log,
# printed when it ends; WAYPOINT_TEST_SERIAL=1 runs them one after the other instead.
mkdir -p "$root/var/test"
pgdir="$(mktemp -d /tmp/waypoint-pg.XXXXXX)"
port="$(python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
run_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || useradd --system --home-dir "$pgdir" postgres
  chown postgres "$pgdir"
fi
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  run_pg "$PGBIN/pg_ctl" -D "$pgdir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$pgdir"
}
trap cleanup EXIT
pwfile="$pgdir/pw"; echo "waypoint" > "$pwfile"; [ "$(id -u)" = 0 ] && chown postgres "$pwfile"
run_pg "$PGBIN/initdb" -D "$pgdir/data" -U waypoint --pwfile="$pwfile" -A scram-sha-256 -E UTF8 >/dev/null
run_pg "$PGBIN/pg_ctl" -D "$pgdir/data" -l "$pgdir/log" -w start \
  -o "-p $port -c listen_addresses=127.0.0.1 -k $pgdir -c fsync=off -c full_page_writes=off -c max_connections=200" >/dev/null
# The database DATABASE_URL names; pytest-django makes test_waypoint next to it, and the
# server tests make (and drop) waypoint_srv_<random> databases. The user is a superuser.
PGPASSWORD=waypoint "$PGBIN/createdb" -h 127.0.0.1 -p "$port" -U waypoint waypoint

names=("SQLite" "PostgreSQL 15 (127.0.0.1:$port)")
urls=("sqlite:///$root/var/test/waypoint.sqlite3" "postgres://waypoint:waypoint@127.0.0.1:$port/waypoint")
logs=("$root/var/test/suite-sqlite.log" "$root/var/test/suite-postgresql.log")
half() {  # half N: the suite on database N, into its log; prints the log and its time after
  local start=$SECONDS rc=0
  DATABASE_URL="${urls[$1]}" pytest -q --durations=5 "${args[@]}" >"${logs[$1]}" 2>&1 || rc=$?
  { echo "== test suite on ${names[$1]} =="; cat "${logs[$1]}"
    echo "== ${names[$1]} run took $((SECONDS - start)) s (exit $rc) =="; }
  return $rc
}
args=("$@")
status=0
if [ -n "${WAYPOINT_TEST_SERIAL:-}" ]; then
  half 0 || status=1
  half 1 || status=1
else
  echo "== test suite on SQLite and on ${names[1]}, side by side =="
  start=$SECONDS
  half 0 & pids+=($!)
  half 1 & pids+=($!)
  for pid in "${pids[@]}"; do wait "$pid" || status=1; done
  pids=()
  echo "== both runs took $((SECONDS - start)) s =="
fi
exit $status
