#!/bin/sh
# Formal concerns (issue 7): the overdue list, statistics and the sweep over
# many concerns, each against the same command on an empty database (the
# cost of starting penholder and loading the settings and calendar).
# Prints "name: value unit" lines. BENCH_CONCERNS sets the number (20000).
set -eu
cd "$(dirname "$0")/.."
N="${BENCH_CONCERNS:-20000}"
make -s build/penholder >/dev/null
TMP=$(mktemp -d "${TMPDIR:-/tmp}/penholder-bench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
PH=build/penholder
EMPTY="$TMP/empty.db"
DB="$TMP/bench.db"
$PH init --db "$EMPTY" >/dev/null
$PH init --db "$DB" >/dev/null
# N concerns raised over two years from 2025-01-01, half acknowledged the next
# day, written straight into the tables (the figures are about reading them).
sqlite3 "$DB" <<SQL
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $N)
INSERT INTO concern(id, about_kind, about_id, category, criteria, text, confidential, reporter, raised_on)
SELECT i, 'licence', 'GBSIEL/2025/' || i || '/P',
       CASE i % 4 WHEN 0 THEN 'legal_risk' WHEN 1 THEN 'policy_dissent' WHEN 2 THEN 'implementation_dissent' ELSE 'conduct' END,
       '2c', 'Concern number ' || i, 0, 'reporter' || (i % 50), date('2025-01-01', '+' || (i % 730) || ' days') FROM n;
INSERT INTO concern_event(concern_id, event, to_state, actor, actor_role, on_date, level)
SELECT id, 'raise', 'raised', reporter, 'reporter', raised_on, 'line_manager' FROM concern;
INSERT INTO concern_event(concern_id, event, to_state, actor, actor_role, on_date)
SELECT id, 'acknowledge', 'acknowledged', 'no1', 'nominated_officer', date(raised_on, '+1 day') FROM concern WHERE id % 2 = 0;
SQL

ms() { # command...: wall-clock milliseconds of one run
    start=$(date +%s%N)
    "$@" >/dev/null
    echo $((($(date +%s%N) - start) / 1000000))
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b > 0 ? a / b : 0) }'; }

base_list=$(ms $PH concern list --overdue --as-of 2027-06-01 --json --db "$EMPTY")
list=$(ms $PH concern list --overdue --as-of 2027-06-01 --json --db "$DB")
echo "concern_list_overdue_${N}: $list ms"
echo "concern_list_overdue_per_concern: $(awk -v t="$list" -v b="$base_list" -v n="$N" 'BEGIN { printf "%.1f", (t - b) * 1000 / n }') us"
echo "concern_list_overdue_vs_empty: $(ratio "$list" "$base_list") x"
base_stats=$(ms $PH concern stats --format csv --db "$EMPTY")
stats=$(ms $PH concern stats --format csv --db "$DB")
echo "concern_stats_${N}: $stats ms"
echo "concern_stats_vs_empty: $(ratio "$stats" "$base_stats") x"
base_sweep=$(ms $PH concern sweep --as-of 2027-06-01 --db "$EMPTY")
sweep=$(ms $PH concern sweep --as-of 2027-06-01 --db "$DB")
escalated=$(sqlite3 "$DB" "SELECT count(*) FROM concern_event WHERE event = 'escalate'")
echo "concern_sweep_escalations: $escalated"
echo "concern_sweep_${N}: $sweep ms"
echo "concern_sweep_per_escalation: $(awk -v t="$sweep" -v b="$base_sweep" -v n="$escalated" 'BEGIN { printf "%.1f", (n > 0 ? (t - b) * 1000 / n : 0) }') us (one event and one signed audit entry each)"
again=$(ms $PH concern sweep --as-of 2027-06-01 --db "$DB")
echo "concern_sweep_again_${N}: $again ms (nothing to do)"
