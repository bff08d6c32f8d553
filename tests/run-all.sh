#!/bin/sh
# Runs every test: cmocka unit tests, CLI tests against the real binary,
# and each fuzz target over its corpus. Ends with "N passed, N failed".
# Run through `make test`, which builds everything first.
set -u
cd "$(dirname "$0")/.."

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
export PENHOLDER_BIN="$PWD/build/san/penholder"
export PENHOLDER_RELEASE_BIN="$PWD/build/penholder"
unset PENHOLDER_DB

passed=0
failed=0
failures=""
log_dir="build/test-logs"
mkdir -p "$log_dir"

run() { # name command...
    name=$1
    shift
    log="$log_dir/$(echo "$name" | tr '/ ' '__').log"
    start=$(date +%s)
    if "$@" >"$log" 2>&1; then
        passed=$((passed + 1))
        printf 'ok    %-44s %3ss\n' "$name" "$(($(date +%s) - start))"
    else
        failed=$((failed + 1))
        failures="$failures $name"
        printf 'FAIL  %-44s (log: %s)\n' "$name" "$log"
        tail -n 30 "$log" | sed 's/^/      /'
    fi
    grep -h '^SKIP' "$log" 2>/dev/null | sed 's/^/      /'
}

for t in build/san/tests/test_*; do
    [ -x "$t" ] || continue
    run "unit/$(basename "$t")" "$t"
done

for t in tests/cli/test_*.sh; do
    [ -f "$t" ] || continue
    run "cli/$(basename "$t" .sh)" sh "$t"
done

for t in tests/http/test_*.sh; do
    [ -f "$t" ] || continue
    run "http/$(basename "$t" .sh)" sh "$t"
done

for t in build/san/replay/fuzz_*; do
    [ -x "$t" ] || continue
    name=$(basename "$t")
    run "fuzz-replay/$name" "$t" "tests/fuzz/corpus/$name"
done

if [ -d tests/e2e ] && [ -f tests/e2e/run.sh ]; then
    run "e2e/browser" sh tests/e2e/run.sh
fi

echo
[ -n "$failures" ] && echo "failed:$failures"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
