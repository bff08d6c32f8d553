#!/bin/sh
# Reviews of extant licences (issue 6): the dry run over a million generated
# extant licences (loaded once, then timed; target under 2 s on one core)
# against a plain SQL scan of the same rows, and applying about 10,000
# suspensions through the licence workflow against a plain SQL update of
# the same licences. Prints "name: value unit" lines.
#   bench/review.sh [LICENCES] [APPLY_LICENCES]
# (defaults 1000000 and 116667, which gives about 10,000 suspensions)
set -eu
cd "$(dirname "$0")/.."
LICENCES=${1:-1000000}
APPLY_LICENCES=${2:-116667}
make -s build/penholder build/libpenholder.a >/dev/null
PKGS="sqlite3 jansson libsodium libutf8proc icu-uc icu-i18n expat libmicrohttpd libpq libcurl"
mkdir -p build/bench
# shellcheck disable=SC2046
${CC:-gcc} -std=c17 -D_GNU_SOURCE -O2 -g -Isrc -Ibuild/gen $(pkg-config --cflags $PKGS) \
    -o build/bench/review bench/review.c build/libpenholder.a $(pkg-config --libs $PKGS) -lm -lpthread

TMP=$(mktemp -d "${TMPDIR:-/tmp}/penholder-bench-review.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
P=build/penholder
export PENHOLDER_AUDIT_TIME=2024-09-02T10:00:00Z
now() { date +%s.%N; }
elapsed() { echo "$2 - $1" | bc; }
# timed NAME CMD...: runs CMD, prints "NAME: WALL s (CPU s cpu)"; the CPU time
# (user + system) is what one core spent, whatever else the machine ran.
timed() {
    name=$1
    shift
    /usr/bin/time -f "%e %U %S" -o "$TMP/time" "$@" >/dev/null
    read -r wall user sys <"$TMP/time"
    echo "$name: $wall s ($(echo "$user + $sys" | bc) s cpu)"
    LAST_WALL=$wall
    LAST_CPU=$(echo "$user + $sys" | bc)
}
setup() { # DB LICENCES: a register of LICENCES extant licences to Israel, the evidence, accounts
    $P init --db "$1" >/dev/null
    $P review scenario --licences "$2" --out "$TMP/register.csv"
    t0=$(now)
    $P import licences "$TMP/register.csv" --format penholder-csv --db "$1" >/dev/null
    t1=$(now)
    echo "review_import_$2: $(elapsed "$t0" "$t1") s"
    $P evidence add --db "$1" --destination IL --topic ihl --severity serious --summary "IHL" \
        --source "FCDO" --date 2024-09-02 --reliability high >/dev/null
    for u in "officer case_officer" "dm decision_maker" "dm2 decision_maker"; do
        set -- $u
        echo "correct horse battery" | $P users add "$1" --role "$2" --password-stdin --db "$DB" >/dev/null
    done
}

# ---- the dry run over a million licences ----
DB="$TMP/million.db"
setup "$DB" "$LICENCES"
build/bench/review "$DB" tests/review/israel-2024.json 3

# ---- applying about 10,000 suspensions ----
DB="$TMP/apply.db"
setup "$DB" "$APPLY_LICENCES"
$P review create tests/review/israel-2024.json --actor dm --db "$DB" >/dev/null
timed "review_run_stored_${APPLY_LICENCES}" $P review run RV-0001 --actor officer --db "$DB" --json
$P review report RV-0001 --format json --db "$DB" --out "$TMP/report.json"
SUSPEND=$(jq '.run.summary.suspend' "$TMP/report.json")
$P review approve RV-0001 --actor dm2 --db "$DB" >/dev/null
cp "$DB" "$TMP/baseline.db"
cp "$DB" "$TMP/workflow.db"
cp "$DB.audit-key" "$TMP/workflow.db.audit-key"
timed review_apply $P review apply RV-0001 --actor dm2 --db "$DB"
APPLY=$LAST_WALL
APPLY_CPU=$LAST_CPU
# Baseline: the same licences suspended by one SQL statement in one
# transaction, without reasons, audit entries, notifications or checks.
timed review_apply_sql_update_baseline sqlite3 "$TMP/baseline.db" "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; BEGIN;
  UPDATE licence SET status = 'suspended' WHERE id IN
    (SELECT licence_id FROM review_result WHERE action = 'suspend');
  COMMIT;"
BASE=$LAST_WALL
BASE_CPU=$LAST_CPU
# Second baseline: the same suspensions through the licence workflow alone
# (reason, criteria, audit entry each), in one transaction.
build/bench/review workflow "$TMP/workflow.db" 1 >"$TMP/workflow.txt"
cat "$TMP/workflow.txt"
WORKFLOW=$(sed -n 's/^review_apply_workflow_baseline: \([0-9.]*\) s.*/\1/p' "$TMP/workflow.txt")
WORKFLOW_CPU=$(sed -n 's/.*, \([0-9.]*\) s cpu.*/\1/p' "$TMP/workflow.txt")
DONE=$(sqlite3 "$DB" "SELECT count(*) FROM licence WHERE status = 'suspended'")
echo "review_apply_suspensions: $DONE licences ($SUSPEND in the run)"
echo "review_apply_rate: $(echo "$DONE / $APPLY" | bc) suspensions/s ($(echo "$DONE / $APPLY_CPU" | bc) per cpu second)"
echo "review_ratio_apply_over_sql_update: $(echo "scale=1; $APPLY / $BASE" | bc) x ($(echo "scale=1; $APPLY_CPU / $BASE_CPU" | bc) x in cpu)"
echo "review_ratio_apply_over_workflow_alone: $(echo "scale=2; $APPLY / $WORKFLOW" | bc) x ($(echo "scale=2; $APPLY_CPU / $WORKFLOW_CPU" | bc) x in cpu)"
timed review_audit_verify_after_apply $P audit verify --db "$DB"
