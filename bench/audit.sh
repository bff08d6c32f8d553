#!/bin/sh
# Audit log benchmark: appends at 100,000 entries, audited write vs plain
# insert (ratio, same run), verification and proofs. Prints `name: value unit`.
#   bench/audit.sh [ENTRIES] [COMMITTED]
set -eu
cd "$(dirname "$0")/.."
make -s build/libpenholder.a
PKGS="sqlite3 jansson libsodium libutf8proc icu-uc icu-i18n expat libmicrohttpd libpq libcurl"
mkdir -p build/bench
# shellcheck disable=SC2046
gcc -std=c17 -D_GNU_SOURCE -O2 -Isrc -Ibuild/gen $(pkg-config --cflags $PKGS) \
    -o build/bench/audit bench/audit.c build/libpenholder.a $(pkg-config --libs $PKGS) -lm -lpthread
dir=$(mktemp -d "${TMPDIR:-/tmp}/penholder-bench-audit.XXXXXX")
trap 'rm -rf "$dir"' EXIT
build/bench/audit "$dir" "${1:-100000}" "${2:-300}"
