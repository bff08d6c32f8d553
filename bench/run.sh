#!/bin/sh
# Runs every benchmark (bench/*.sh) and prints their figures as
# "name: value unit" lines. Benchmarks that need the reference data skip
# themselves when PENHOLDER_REF_DATA is unset.
set -u
cd "$(dirname "$0")/.."
if [ -z "${PENHOLDER_REF_DATA:-}" ] && [ -d ../shared/data ]; then
    PENHOLDER_REF_DATA="$(cd ../shared/data && pwd)"
    export PENHOLDER_REF_DATA
fi
echo "machine: $(uname -m), $(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
echo "date: $(date -u +%Y-%m-%d)"
status=0
for b in bench/*.sh; do
    [ "$(basename "$b")" = run.sh ] && continue
    echo
    echo "== $(basename "$b" .sh)"
    sh "$b" || status=1
done
exit $status
