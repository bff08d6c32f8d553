#!/bin/sh
# `make run`: initialise var/penholder.db with the reference data (and the
# real licence register and demonstration data when available), then start
# penholder on http://127.0.0.1:8080 (PENHOLDER_LISTEN overrides).
set -eu
cd "$(dirname "$0")/.."
PH=build/penholder
DB="${PENHOLDER_DB:-var/penholder.db}"
export PENHOLDER_DB="$DB"
if [ -z "${PENHOLDER_REF_DATA:-}" ] && [ -d ../shared/data ]; then
    PENHOLDER_REF_DATA="$(cd ../shared/data && pwd)"
fi

"$PH" init
if [ -n "${PENHOLDER_REF_DATA:-}" ] && [ -f "$PENHOLDER_REF_DATA/register/caat_values_2008_2015.csv" ]; then
    "$PH" import licences "$PENHOLDER_REF_DATA/register/caat_values_2008_2015.csv" --format caat-values \
        --criteria "$PENHOLDER_REF_DATA/register/caat_refusal_criteria_2008_2015.csv" 2>/dev/null ||
        echo "run: the licence register could not be imported (see penholder import --help)" >&2
else
    echo "run: PENHOLDER_REF_DATA is not set; the published licence register is not loaded" >&2
fi
if "$PH" demo --help >/dev/null 2>&1; then
    "$PH" demo
fi
# The real sanctions lists, after the demonstration (whose cases were screened
# against its own watch list): new applications are screened against them too.
# Importing a file already imported changes nothing.
import_list() { # FORMAT NAME FILE
    [ -f "$3" ] || return 0
    "$PH" lists import --format "$1" --list "$2" "$3" ||
        echo "run: the list $2 could not be imported from $3" >&2
}
if [ -n "${PENHOLDER_REF_DATA:-}" ]; then
    S="$PENHOLDER_REF_DATA/sanctions"
    import_list un-xml un "$S/un/UN_consolidated_2026-02-27.xml"
    import_list ofac-csv ofac-sdn "$S/ofac/sdn_2024-05-03.csv"
    import_list bis-dpl bis-dpl "$S/bis_dpl/dpl_2023-11.txt"
fi
echo
"$PH" status
if "$PH" serve --help >/dev/null 2>&1; then
    echo
    exec "$PH" serve --listen "${PENHOLDER_LISTEN:-127.0.0.1:8080}"
fi
