#!/bin/sh
# Browser tests of the web pages: the real server over a temporary database
# prepared with the command line, and Debian's Chromium driven headless by
# playwright-core (tests/e2e/flow.mjs) through one application's whole life,
# each person at their step. Screenshots of the key pages go to
# build/test-logs/e2e/. tests/e2e/areas.mjs then works the pages whose API
# routes are still to come (licences, audit, reviews, concerns) against
# those routes answered in the browser. Also checks the in-browser audit
# verifier (web/js/audit-verify.js) against the command line's proofs.
#
# Prints a SKIP line and succeeds when Chromium, Node.js or playwright-core
# is missing.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# The release build: these tests are about the pages, and the sanitizer
# build already serves every route in tests/http (E2E_BIN overrides).
PH="${E2E_BIN:-${PENHOLDER_RELEASE_BIN:-$ROOT/build/penholder}}"
[ -x "$PH" ] || PH="${PENHOLDER_BIN:-$ROOT/build/san/penholder}"
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
OUT_DIR="$ROOT/build/test-logs/e2e"

if ! command -v node >/dev/null 2>&1; then
    echo "SKIP e2e: node is not installed"
    exit 0
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/penholder-e2e.XXXXXX")
SERVER_PID=""
cleanup() {
    if [ -n "$SERVER_PID" ]; then
        kill -TERM "$SERVER_PID" 2>/dev/null
        wait "$SERVER_PID" 2>/dev/null
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT INT TERM
export PENHOLDER_DB="$TMP/e2e.db"
status=0

# The database: reference data, one account per role, evidence on Israel
# for the assessment to rest on.
"$PH" init >/dev/null || { echo "penholder init failed"; exit 1; }
# A watch list of fictional entities, so that submissions are screened and the
# case shows what it was screened against.
"$PH" lists import --format ftm-json --list demo-watchlist --actor e2e "$ROOT/data/demo/watchlist.ftm.json" >/dev/null ||
    { echo "lists import failed"; exit 1; }
PASSWORD="correct horse battery"
user() {
    n=$1 r=$2
    shift 2
    echo "$PASSWORD" | "$PH" users add "$n" --role "$r" --password-stdin "$@" >/dev/null || { echo "users add $n failed"; exit 1; }
}
user acme exporter --org "Acme Aerospace Ltd"
user officer case_officer
user tau technical_assessor
user fcdo adviser --team fcdo
user mod adviser --team mod
user signer countersigner
user dm decision_maker
user auditor1 auditor
user no1 nominated_officer
"$PH" evidence add --destination IL --topic ihl --severity serious --reliability high \
    --summary "UN Commission of Inquiry report on the conduct of hostilities" \
    --source "UN Human Rights Council A/HRC/56/26" --date 2024-06-12 >/dev/null ||
    { echo "evidence add failed"; exit 1; }
# API tokens, to set up a second case (refused, for the appeal) without the pages.
printf '{' >"$TMP/tokens.json"
sep=""
for n in acme officer tau fcdo signer dm; do
    t=$("$PH" tokens create "$n" | tail -n 1) || { echo "tokens create $n failed"; exit 1; }
    printf '%s"%s": "%s"' "$sep" "$n" "$t" >>"$TMP/tokens.json"
    sep=", "
done
printf '}\n' >>"$TMP/tokens.json"

# The in-browser audit verifier against the command line's own proofs
# (needs only Node.js).
mkdir -p "$TMP/audit"
"$PH" audit key --json >"$TMP/audit/key.json" &&
    "$PH" audit log --json --limit 0 >"$TMP/audit/log.json" &&
    "$PH" audit head --json >"$TMP/audit/head.json" &&
    "$PH" audit proof --index 3 --json >"$TMP/audit/inclusion.json" &&
    "$PH" audit proof --from 2 --to 7 --json >"$TMP/audit/consistency.json" ||
    { echo "the audit commands failed"; exit 1; }
node "$ROOT/tests/e2e/audit_verify.mjs" "$TMP/audit" || status=1

if [ ! -x "$CHROMIUM" ]; then
    echo "SKIP e2e browser: $CHROMIUM is not installed"
    exit $status
fi
if [ ! -d "$ROOT/web/node_modules/playwright-core" ]; then
    echo "SKIP e2e browser: web/node_modules/playwright-core is missing (make web-assets)"
    exit $status
fi
if [ ! -f "$ROOT/web/govuk/govuk-frontend.min.css" ]; then
    echo "SKIP e2e browser: web/govuk/ is missing (make web-assets)"
    exit $status
fi

"$PH" serve --listen 127.0.0.1:0 --web "$ROOT/web" --threads 2 2>"$TMP/server.log" &
SERVER_PID=$!
URL=""
i=0
while [ $i -lt 200 ]; do
    URL=$(sed -n 's/^penholder: serving \(http:[^ ]*\)\/ .*/\1/p' "$TMP/server.log")
    [ -n "$URL" ] && break
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.05
    i=$((i + 1))
done
if [ -z "$URL" ]; then
    echo "the server did not start:"
    sed 's/^/    /' "$TMP/server.log"
    exit 1
fi

rm -rf "$OUT_DIR"
mkdir -p "$OUT_DIR"
flow=0
node "$ROOT/tests/e2e/flow.mjs" --url "$URL" --db "$PENHOLDER_DB" --out "$OUT_DIR" --profile "$TMP/profile" \
    --chromium "$CHROMIUM" --tokens "$TMP/tokens.json" --password "$PASSWORD" --bin "$PH" || flow=1
[ $flow -eq 0 ] || status=1
node "$ROOT/tests/e2e/areas.mjs" --url "$URL" --db "$PENHOLDER_DB" --out "$OUT_DIR" --profile "$TMP/profile-areas" \
    --chromium "$CHROMIUM" --password "$PASSWORD" --bin "$PH" || status=1

kill -TERM "$SERVER_PID"
wait "$SERVER_PID"
server_status=$?
SERVER_PID=""
if [ $server_status -ne 0 ]; then
    echo "not ok - the server stopped with status $server_status"
    tail -n 20 "$TMP/server.log" | sed 's/^/    /'
    status=1
fi
cp "$TMP/server.log" "$OUT_DIR/server.log"

# Every step taken through the pages is on the audit log, and it verifies
# (a walk that stopped half-way may leave the screening hit it recorded
# without the disposition that puts it on the log).
if [ $flow -ne 0 ]; then
    echo "audit verify not run: the walk through the pages did not finish"
elif "$PH" audit verify >"$TMP/verify.out" 2>&1; then
    echo "ok - audit verify passes after the whole case was worked through the pages"
else
    echo "not ok - audit verify"
    sed 's/^/    /' "$TMP/verify.out"
    status=1
fi
exit $status
