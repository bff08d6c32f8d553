#!/bin/sh
# Import of the CAAT register (96,311 rows) by `penholder import licences`,
# side by side with sqlite3's own `.import` of the same file into a plain
# table (default rollback journal, and WAL with synchronous=FULL as
# penholder's store uses). Each figure is the median of several runs.
set -eu
cd "$(dirname "$0")/.."
if [ -z "${PENHOLDER_REF_DATA:-}" ]; then echo "SKIP import: PENHOLDER_REF_DATA is not set"; exit 0; fi
CSV="$PENHOLDER_REF_DATA/register/caat_values_2008_2015.csv"
CRIT="$PENHOLDER_REF_DATA/register/caat_refusal_criteria_2008_2015.csv"
PH="$PWD/build/penholder"
RUNS="${BENCH_RUNS:-7}"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
"$PH" init --db "$T/ref.db" >/dev/null

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.4f\n", b - a }'; }

: >"$T/ph" ; : >"$T/sq" ; : >"$T/sqw"
for i in $(seq "$RUNS"); do
    rm -f "$T"/run.db* "$T"/sq.db* "$T"/sqw.db*
    cp "$T/ref.db" "$T/run.db"
    cp -p "$T/ref.db.audit-key" "$T/run.db.audit-key"
    a=$(now); "$PH" import licences "$CSV" --format caat-values --criteria "$CRIT" --db "$T/run.db" >/dev/null 2>&1; b=$(now)
    elapsed "$a" "$b" >>"$T/ph"
    a=$(now); sqlite3 "$T/sq.db" ".import --csv $CSV t"; b=$(now)
    elapsed "$a" "$b" >>"$T/sq"
    a=$(now); sqlite3 "$T/sqw.db" "PRAGMA journal_mode=WAL;" "PRAGMA synchronous=FULL;" ".import --csv $CSV t" >/dev/null; b=$(now)
    elapsed "$a" "$b" >>"$T/sqw"
done
ph=$(median <"$T/ph"); sq=$(median <"$T/sq"); sqw=$(median <"$T/sqw")
rows=$(sqlite3 "$T/run.db" "SELECT count(*) FROM licence_line")
echo "import_rows: $rows rows"
echo "import_penholder: $ph s"
echo "import_sqlite3_dotimport: $sq s"
echo "import_sqlite3_dotimport_wal: $sqw s"
awk -v a="$ph" -v b="$sq" 'BEGIN { printf "import_ratio_vs_sqlite3: %.2f x\n", a / b }'
awk -v a="$ph" -v b="$sqw" 'BEGIN { printf "import_ratio_vs_sqlite3_wal: %.2f x\n", a / b }'
awk -v a="$ph" -v r="$rows" 'BEGIN { printf "import_rate: %.0f rows/s\n", r / a }'
