# Helpers for CLI tests: source it, then call the checks. Each test script
# runs the real binary ($PENHOLDER_BIN, the sanitizer build) on temporary
# databases and exits non-zero when any check failed.
set -u
PH="${PENHOLDER_BIN:-$(cd "$(dirname "$0")/../.." && pwd)/build/san/penholder}"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/penholder-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
export PENHOLDER_DB="$TMP/test.db"
FAILS=0
CHECKS=0
OUT="$TMP/out"
ERR="$TMP/err"

pass() { CHECKS=$((CHECKS + 1)); echo "ok - $1"; }
fail() {
    CHECKS=$((CHECKS + 1)); FAILS=$((FAILS + 1)); echo "not ok - $1"
    [ -s "$OUT" ] && sed 's/^/    stdout: /' "$OUT" | head -20
    [ -s "$ERR" ] && sed 's/^/    stderr: /' "$ERR" | head -20
    return 0
}

# run CMD...: runs penholder with arguments; sets $STATUS, output in $OUT/$ERR.
run() { "$PH" "$@" >"$OUT" 2>"$ERR"; STATUS=$?; }

# expect_status N DESCRIPTION CMD...
expect_status() {
    want=$1 desc=$2
    shift 2
    run "$@"
    if [ "$STATUS" -eq "$want" ]; then pass "$desc"; else fail "$desc (exit $STATUS, wanted $want)"; fi
}
# expect_ok DESCRIPTION CMD...
expect_ok() { d=$1; shift; expect_status 0 "$d" "$@"; }
# expect_out TEXT DESCRIPTION: the last run's stdout contains TEXT.
expect_out() { if grep -qF -- "$1" "$OUT"; then pass "$2"; else fail "$2 (stdout lacks '$1')"; fi; }
expect_err() { if grep -qF -- "$1" "$ERR"; then pass "$2"; else fail "$2 (stderr lacks '$1')"; fi; }
expect_no_out() { if grep -qF -- "$1" "$OUT"; then fail "$2 (stdout has '$1')"; else pass "$2"; fi; }
# expect_eq GOT WANT DESCRIPTION
expect_eq() { if [ "$1" = "$2" ]; then pass "$3"; else fail "$3 (got '$1', wanted '$2')"; fi; }

# Reference data: tests that need it call need_ref_data and stop with a
# SKIP line when PENHOLDER_REF_DATA is unset.
need_ref_data() {
    if [ -z "${PENHOLDER_REF_DATA:-}" ] || [ ! -d "${PENHOLDER_REF_DATA}" ]; then
        echo "SKIP $(basename "$0"): PENHOLDER_REF_DATA is not set ($1)"
        finish
    fi
}

# sql QUERY: runs a query on the test database with sqlite3 (for checks
# that look behind penholder's back).
sql() { sqlite3 "$PENHOLDER_DB" "$1"; }

finish() {
    echo "$CHECKS checks, $FAILS failed"
    [ "$FAILS" -eq 0 ] && exit 0
    exit 1
}
