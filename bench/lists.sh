#!/bin/sh
# Lists: time to import each list used by the screening evaluation, and to
# load them all for screening (against parsing the files again, same run).
# Needs $PENHOLDER_REF_DATA. Prints "name: value unit" lines.
set -eu
cd "$(dirname "$0")/.."
if [ -z "${PENHOLDER_REF_DATA:-}" ]; then
    echo "SKIP bench/lists.sh: PENHOLDER_REF_DATA is not set"
    exit 0
fi
S="$PENHOLDER_REF_DATA/sanctions"
make -s build/penholder build/libpenholder.a
PKGS="sqlite3 jansson libsodium libutf8proc icu-uc icu-i18n expat libmicrohttpd libpq libcurl"
mkdir -p build/bench
gcc -std=c17 -D_GNU_SOURCE -O2 -Isrc -Ibuild/gen $(pkg-config --cflags $PKGS) -o build/bench/lists_load \
    bench/lists_load.c build/libpenholder.a $(pkg-config --libs $PKGS) -lm -lpthread
TMP=$(mktemp -d "${TMPDIR:-/tmp}/penholder-bench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
export PENHOLDER_DB="$TMP/bench.db"
PH=build/penholder
$PH init >/dev/null

ms() { echo $(($(date +%s%N) / 1000000)); }
timed() { # NAME ARGS...
    name=$1
    shift
    t0=$(ms)
    $PH lists import "$@" >/dev/null 2>&1
    t1=$(ms)
    echo "lists_import_$name: $((t1 - t0)) ms"
    total=$((total + t1 - t0))
}
total=0
timed ofac_sdn_2021_07 --format ofac-csv "$S/ofac/2021-07_sdn.csv" "$S/ofac/2021-07_alt.csv" "$S/ofac/2021-07_add.csv"
timed ofac_cons_2025_12 --format ofac-csv "$S/ofac/2025-12_cons_prim.csv" "$S/ofac/2025-12_cons_alt.csv" "$S/ofac/2025-12_cons_add.csv"
timed un_2026 --format un-xml "$S/un/UN_consolidated_2026-02-27.xml"
timed us_csl_2023_11 --format csl-csv --skip-bad "$S/us_csl/csl_2023-11.csv"
timed bis_dpl_2023_11 --format bis-dpl "$S/bis_dpl/dpl_2023-11.txt"
echo "lists_import_all: $total ms"
# A daily update: the next day of the SDN list, mostly unchanged.
timed ofac_sdn_day1 --format ofac-csv --list ofac-daily "$S/ofac/sdn_2024-05-02.csv"
timed ofac_sdn_day2_update --format ofac-csv --list ofac-daily "$S/ofac/sdn_2024-05-03.csv"
$PH lists import --format ofac-csv --list ofac-daily "$S/ofac/sdn_2024-05-03.csv" >/dev/null
t0=$(ms)
$PH lists diff ofac-daily >/dev/null
echo "lists_diff_ofac_days: $(($(ms) - t0)) ms"

build/bench/lists_load "$PENHOLDER_DB" 7 \
    "ofac-csv=$S/ofac/2021-07_sdn.csv,$S/ofac/2021-07_alt.csv,$S/ofac/2021-07_add.csv" \
    "ofac-csv=$S/ofac/2025-12_cons_prim.csv,$S/ofac/2025-12_cons_alt.csv,$S/ofac/2025-12_cons_add.csv" \
    "un-xml=$S/un/UN_consolidated_2026-02-27.xml" \
    "csl-csv=$S/us_csl/csl_2023-11.csv" \
    "bis-dpl=$S/bis_dpl/dpl_2023-11.txt" \
    "ofac-csv=$S/ofac/sdn_2024-05-03.csv"
echo "lists_db_size: $(($(wc -c < "$PENHOLDER_DB") / 1024)) KiB"
