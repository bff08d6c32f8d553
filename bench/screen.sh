#!/bin/sh
# Screening speed and memory (called by bench/run.sh, or alone). Prints
# "name: value unit" lines:
#  - with $PENHOLDER_REF_DATA: bulk screening of the 50,680 development
#    queries against OFAC SDN 2021-07, OFAC consolidated 2025-12, UN 2026,
#    US CSL 2023-11 and BIS DPL 2023-11 on one thread, the brute-force
#    baseline on a sample of 1,000, and the same bulk run through the
#    command line (CSV in, JSON lines out);
#  - always: a generated list of SCREEN_BENCH_NAMES names (default
#    1,000,000): build time, memory, query latency.
set -eu
cd "$(dirname "$0")/.."
make -s build/penholder build/libpenholder.a

PKGS="sqlite3 jansson libsodium libutf8proc icu-uc icu-i18n expat libmicrohttpd libpq libcurl"
# shellcheck disable=SC2046
${CC:-gcc} -std=c17 -D_GNU_SOURCE -O2 -Isrc -Ibuild/gen $(pkg-config --cflags $PKGS) \
    -o build/screen_bench bench/screen.c build/libpenholder.a $(pkg-config --libs $PKGS) -lm -lpthread

echo "# screening benchmark, $(date -u +%Y-%m-%d), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1 /proc/loadavg)"
if [ -n "${PENHOLDER_REF_DATA:-}" ] && [ -d "$PENHOLDER_REF_DATA/screening-eval" ]; then
    R="$PENHOLDER_REF_DATA/sanctions"
    E="$PENHOLDER_REF_DATA/screening-eval"
    TMP=$(mktemp -d "${TMPDIR:-/tmp}/penholder-bench.XXXXXX")
    trap 'rm -rf "$TMP"' EXIT
    export PENHOLDER_DB="$TMP/bench.db"
    P=build/penholder
    $P init >/dev/null
    $P lists import --format ofac-csv "$R/ofac/2021-07_sdn.csv" "$R/ofac/2021-07_alt.csv" \
        "$R/ofac/2021-07_add.csv" >/dev/null
    $P lists import --format ofac-csv "$R/ofac/2025-12_cons_prim.csv" "$R/ofac/2025-12_cons_alt.csv" \
        "$R/ofac/2025-12_cons_add.csv" "$R/ofac/2025-12_cons_comments.csv" >/dev/null
    $P lists import --format un-xml "$R/un/UN_consolidated_2026-02-27.xml" >/dev/null
    $P lists import --format csl-csv --skip-bad "$R/us_csl/csl_2023-11.csv" >/dev/null 2>&1
    $P lists import --format bis-dpl "$R/bis_dpl/dpl_2023-11.txt" >/dev/null
    build/screen_bench dev "$PENHOLDER_DB" "$E/negatives_us_dev.csv" "$E/un_positives_dev.csv"
    # End to end: the command reads the lists, builds the index, reads CSV,
    # writes JSON lines; the two files one after the other.
    start=$(date +%s.%N)
    $P screen --file "$E/negatives_us_dev.csv" --column full_name --format jsonl >"$TMP/neg.jsonl"
    $P screen --file "$E/un_positives_dev.csv" --format jsonl >"$TMP/pos.jsonl"
    end=$(date +%s.%N)
    rows=$(cat "$TMP/neg.jsonl" "$TMP/pos.jsonl" | wc -l | tr -d ' ')
    awk -v s="$start" -v e="$end" -v n="$rows" 'BEGIN {
        printf "screen_cli_bulk_rows: %d rows\nscreen_cli_bulk_seconds: %.2f s\nscreen_cli_bulk_throughput: %.0f rows/s\n", n, e - s, n / (e - s) }'
else
    echo "SKIP screening bulk benchmark: PENHOLDER_REF_DATA is not set (development queries and lists)"
fi
build/screen_bench synthetic "${SCREEN_BENCH_NAMES:-1000000}"
