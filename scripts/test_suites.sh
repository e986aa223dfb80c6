#!/usr/bin/env bash
# The test suite on SQLite and, when DATABASE_URL names a PostgreSQL database, on PostgreSQL too. The two runs
# go side by side (a machine has at least two cores and PostgreSQL's own work runs on the other), each with its own
# working directory for exported files and keys, and each line says which database it comes from.
# Extra arguments go to pytest (e.g. `bash scripts/test_suites.sh -x -q`).
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
base="${TMPDIR:-/tmp}/earlyhelp-test-var-$$"

run() {  # run NAME ENV... : pytest with its output prefixed by [NAME]; returns pytest's status
    local name="$1"; shift
    env "$@" EARLYHELP_VAR_DIR="$base-$name" "$PY" -m pytest "${PYTEST_ARGS[@]}" 2>&1 | sed -u "s/^/[$name] /"
    return "${PIPESTATUS[0]}"
}

PYTEST_ARGS=("$@")
status=0
if [ -n "${DATABASE_URL:-}" ]; then
    echo "== Test suite on SQLite and on PostgreSQL (${DATABASE_URL%%@*}@…), side by side =="
    run sqlite -u DATABASE_URL & sqlite_pid=$!
    run postgresql DATABASE_URL="$DATABASE_URL" & pg_pid=$!
    wait "$sqlite_pid" || { echo "== The suite FAILED on SQLite =="; status=1; }
    wait "$pg_pid" || { echo "== The suite FAILED on PostgreSQL =="; status=1; }
else
    echo "== Test suite on SQLite (set DATABASE_URL to run it on PostgreSQL too) =="
    run sqlite -u DATABASE_URL || status=1
fi
rm -rf "$base-sqlite" "$base-postgresql"
[ "$status" -eq 0 ] && echo "== The suite passed on every database =="
exit "$status"
