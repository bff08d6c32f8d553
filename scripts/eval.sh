#!/bin/sh
# Screening quality figures (make eval): imports the reference lists into a
# temporary database, screens the development sets and labelled pairs, and
# prints "name: value unit" lines. Needs $PENHOLDER_REF_DATA.
set -eu
cd "$(dirname "$0")/.."

if [ -z "${PENHOLDER_REF_DATA:-}" ] || [ ! -d "$PENHOLDER_REF_DATA/screening-eval" ]; then
    echo "eval: set PENHOLDER_REF_DATA to the reference data folder (with screening-eval/)" >&2
    exit 2
fi
R="$PENHOLDER_REF_DATA/sanctions"
E="$PENHOLDER_REF_DATA/screening-eval"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/penholder-eval.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
export PENHOLDER_DB="$TMP/eval.db"
P=build/penholder

# The lists of the evaluation: UN 2026 (positives), and for the negatives
# also OFAC SDN 2021-07, OFAC consolidated 2025-12, US CSL 2023-11, BIS DPL 2023-11.
$P init >/dev/null
$P lists import --format ofac-csv "$R/ofac/2021-07_sdn.csv" "$R/ofac/2021-07_alt.csv" \
    "$R/ofac/2021-07_add.csv" >/dev/null
$P lists import --format ofac-csv "$R/ofac/2025-12_cons_prim.csv" "$R/ofac/2025-12_cons_alt.csv" \
    "$R/ofac/2025-12_cons_add.csv" "$R/ofac/2025-12_cons_comments.csv" >/dev/null
$P lists import --format un-xml "$R/un/UN_consolidated_2026-02-27.xml" >/dev/null
# The CSL file ends inside a quoted field: its last record is skipped.
$P lists import --format csl-csv --skip-bad "$R/us_csl/csl_2023-11.csv" >/dev/null 2>&1
$P lists import --format bis-dpl "$R/bis_dpl/dpl_2023-11.txt" >/dev/null

PKGS="sqlite3 jansson libsodium libutf8proc icu-uc icu-i18n expat libmicrohttpd libpq libcurl"
# shellcheck disable=SC2046
${CC:-gcc} -std=c17 -D_GNU_SOURCE -O2 -Isrc -Ibuild/gen $(pkg-config --cflags $PKGS) \
    -o build/eval_screen scripts/eval_screen.c build/libpenholder.a \
    $(pkg-config --libs $PKGS) -lm -lpthread

echo "# screening quality ($(date -u +%Y-%m-%d), threshold = default)"
build/eval_screen "$PENHOLDER_DB" "$E" "$TMP/pairs.csv"

# The same figures through the command line.
$P screen --file "$E/negatives_us_dev.csv" --column full_name --format jsonl >"$TMP/neg.jsonl"
# The best hit is the first object after "hits":[ (hits hold no nested objects).
sed 's/.*"hits":\[//' "$TMP/neg.jsonl" | awk '{ n++; if (match($0, /^\{[^}]*"alert":true/)) a++ } END {
    printf "cli_us_negatives_alert_rate: %.3f %% (%d of %d)\n", 100 * a / n, a, n }'
$P match --pairs "$TMP/pairs.csv" >"$TMP/scored.csv"
sed 's/.*,//' "$TMP/pairs.csv" | tail -n +2 >"$TMP/labels"
sed 's/.*,//' "$TMP/scored.csv" | tail -n +2 >"$TMP/verdicts"
paste -d' ' "$TMP/labels" "$TMP/verdicts" | awk '
    $1 == "match" && $2 == "true" { tp++ } $1 == "match" && $2 == "false" { fn++ }
    $1 == "no-match" && $2 == "true" { fp++ } $1 == "no-match" && $2 == "false" { tn++ }
    END { p = tp / (tp + fp); r = tp / (tp + fn)
          printf "cli_match_pairs_precision: %.4f\ncli_match_pairs_recall: %.4f\ncli_match_pairs_f1: %.4f\n", p, r, 2 * p * r / (p + r) }'
