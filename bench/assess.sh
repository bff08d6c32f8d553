#!/bin/sh
# Assessment speed (issue 4): assessments per second for a 5-line
# application with the policy loaded, and re-assessing every licence of the
# real 2008-2015 register as if each were a new application.
# Prints "name: value unit" lines. Needs $PENHOLDER_REF_DATA for the register.
set -eu
cd "$(dirname "$0")/.."
SECONDS_PER_FIGURE="${BENCH_SECONDS:-1}"

make -s build/penholder build/libpenholder.a >/dev/null
PKGS="sqlite3 jansson libsodium libutf8proc icu-uc icu-i18n expat libmicrohttpd libpq libcurl"
mkdir -p build/bench
${CC:-gcc} -std=c17 -D_GNU_SOURCE -O2 -g -Isrc -Ibuild/gen $(pkg-config --cflags $PKGS) \
    -o build/bench/assess bench/assess.c build/libpenholder.a $(pkg-config --libs $PKGS) -lm -lpthread

TMP=$(mktemp -d "${TMPDIR:-/tmp}/penholder-bench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
DB="$TMP/bench.db"
build/penholder init --db "$DB" >/dev/null
build/penholder evidence import tests/assess/evidence.json --db "$DB" >/dev/null
if [ -n "${PENHOLDER_REF_DATA:-}" ] && [ -f "$PENHOLDER_REF_DATA/register/caat_values_2008_2015.csv" ]; then
    build/penholder import licences "$PENHOLDER_REF_DATA/register/caat_values_2008_2015.csv" \
        --format caat-values --db "$DB" >/dev/null 2>&1
else
    echo "SKIP register: PENHOLDER_REF_DATA is not set"
fi
build/bench/assess "$DB" "$SECONDS_PER_FIGURE"
