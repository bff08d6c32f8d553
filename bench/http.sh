#!/bin/sh
# HTTP API throughput and latency with wrk (Debian package wrk):
#   - an authenticated read, GET /api/v1/me with a bearer token (token hash
#     lookup, account join, JSON reply, access log line),
#   - reading a case, GET /api/v1/applications/{ref} with a bearer token (the
#     staff view: parties, goods, screening, assessment, advice, ...),
#   - giving advice, POST /api/v1/applications/{ref}/advice: a new revision
#     each time (bench/http_advice.lua), round BENCH_CASES cases under advice,
#     each write a transaction with its audit entry and signed tree head,
#     committed to disk (synchronous=FULL), from BENCH_WRITE_CONNECTIONS
#     clients at once (writes queue for one write lock: more clients only
#     lengthen the queue),
#   - the baseline in the same run: GET /api/v1/health (no authentication),
#   - login latency (Argon2id password check), measured with curl.
# Prints `name: value unit` lines. Knobs: BENCH_SECONDS (10), BENCH_CONNECTIONS
# (32), BENCH_THREADS (server worker threads, 4: the default of serve),
# BENCH_LOGINS (10), BENCH_CASES (50), BENCH_WRITE_CONNECTIONS (4).
set -eu
cd "$(dirname "$0")/.."
SECONDS_EACH=${BENCH_SECONDS:-10}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
THREADS=${BENCH_THREADS:-4}
LOGINS=${BENCH_LOGINS:-10}
CASES=${BENCH_CASES:-50}
WRITE_CONNECTIONS=${BENCH_WRITE_CONNECTIONS:-4}
BIN="$PWD/build/penholder"
[ -x "$BIN" ] || make -s build/penholder
command -v jq >/dev/null || { echo "bench/http.sh: jq is not installed" >&2; exit 1; }
command -v wrk >/dev/null || { echo "bench/http.sh: wrk is not installed (apt-get install wrk)" >&2; exit 1; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/penholder-bench.XXXXXX")
PID=""
cleanup() {
    [ -n "$PID" ] && kill -TERM "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT
export PENHOLDER_DB="$TMP/bench.db"
"$BIN" init >/dev/null
echo "correct horse battery" | "$BIN" users add bench --role case_officer --password-stdin >/dev/null
TOKEN=$("$BIN" tokens create bench | tail -n 1)
# The people of a case's life, for the case figures.
add() { echo "correct horse battery" | "$BIN" users add "$@" --password-stdin >/dev/null; }
add acme --role exporter --org "Acme Aerospace Ltd"
add tau --role technical_assessor
add fcdo --role adviser --team fcdo
EXPORTER=$("$BIN" tokens create acme | tail -n 1)
ASSESSOR=$("$BIN" tokens create tau | tail -n 1)
ADVISER=$("$BIN" tokens create fcdo | tail -n 1)

"$BIN" serve --listen 127.0.0.1:0 --threads "$THREADS" --web "" 2>"$TMP/server.log" &
PID=$!
URL=""
while [ -z "$URL" ]; do
    sleep 0.1
    URL=$(sed -n 's/^penholder: serving \(http:[^ ]*\)\/ .*/\1/p' "$TMP/server.log")
    kill -0 "$PID" 2>/dev/null || { cat "$TMP/server.log" >&2; exit 1; }
done
until curl -sf "$URL/api/v1/health" >/dev/null; do sleep 0.1; done

# The server's processor time so far (user + system), in clock ticks.
server_cpu() { awk '{ print $14 + $15 }' "/proc/$PID/stat"; }
# ms from a wrk latency figure: 850.00us, 1.23ms, 1.01s
to_ms() {
    echo "$1" | awk '/us$/ { sub(/us$/, ""); printf "%.3f", $0 / 1000; next }
                     /ms$/ { sub(/ms$/, ""); printf "%.3f", $0; next }
                     /s$/  { sub(/s$/, "");  printf "%.3f", $0 * 1000; next }'
}
# run NAME PATH [wrk options]
run() {
    name=$1 path=$2
    shift 2
    cpu0=$(server_cpu)
    wrk -t2 -c"${RUN_CONNECTIONS:-$CONNECTIONS}" -d"${SECONDS_EACH}s" --latency "$@" "$URL$path" >"$TMP/wrk.$name"
    cpu1=$(server_cpu)
    rps=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$TMP/wrk.$name")
    total=$(awk '/requests in/ { print $1 }' "$TMP/wrk.$name")
    p50=$(awk '$1 == "50%" { print $2 }' "$TMP/wrk.$name")
    p99=$(awk '$1 == "99%" { print $2 }' "$TMP/wrk.$name")
    bad=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$TMP/wrk.$name")
    if [ -n "$bad" ]; then
        echo "bench/http.sh: $name: $bad responses were not 2xx" >&2
        exit 1
    fi
    echo "http_${name}_$( [ "$name" = advice ] && echo writes || echo reads): $rps req/s"
    echo "http_${name}_p50: $(to_ms "$p50") ms"
    echo "http_${name}_p99: $(to_ms "$p99") ms"
    # The server's own processor time per request: what the route costs,
    # whatever else the machine is doing.
    echo "http_${name}_cpu: $(awk -v t="$((cpu1 - cpu0))" -v hz="$(getconf CLK_TCK)" -v n="$total" \
        'BEGIN { printf "%.0f", t / hz * 1e6 / n }') us/request"
    eval "rps_$name=$rps"
}

# post TOKEN PATH [BODY]: a setup request that must succeed; the reply in $TMP/reply.
post() {
    code=$(curl -s -o "$TMP/reply" -w '%{http_code}' -X POST -H "Authorization: Bearer $1" \
        -H "Content-Type: application/json" ${3:+--data "$3"} "$URL$2")
    case $code in 2??) ;; *) echo "bench/http.sh: setup POST $2 gave $code: $(cat "$TMP/reply")" >&2; exit 1 ;; esac
}
# CASES applications taken to "under advice", their paths in $TMP/cases.
: >"$TMP/cases"
i=0
while [ $i -lt "$CASES" ]; do
    curl -s -o "$TMP/reply" -H "Authorization: Bearer $EXPORTER" -H "Content-Type: application/json" \
        --data @tests/cases/application.json "$URL/api/v1/applications"
    P="/api/v1/applications/$(jq -r .reference "$TMP/reply" | tr / -)"
    post "$EXPORTER" "$P/submit"
    post "$TOKEN" "$P/events" '{"event": "start_checks"}'
    post "$TOKEN" "$P/events" '{"event": "send_to_technical"}'
    post "$ASSESSOR" "$P/goods/1/rating" '{"rating": "ML10.a", "report_summary": "components for military combat aircraft"}'
    post "$ASSESSOR" "$P/goods/2/rating" '{"rating": "ML5.b", "report_summary": "targeting equipment components"}'
    post "$ASSESSOR" "$P/events" '{"event": "complete_technical"}'
    post "$TOKEN" "$P/notes" '{"text": "Checked the end-user undertaking."}'
    echo "$P/advice" >>"$TMP/cases"
    i=$((i + 1))
done
READ=$(head -n 1 "$TMP/cases" | sed 's,/advice$,,')
post "$ADVISER" "$(head -n 1 "$TMP/cases")" '{"advice": "approve", "text": "Consistent with the criteria."}'

run health /api/v1/health
run me /api/v1/me -H "Authorization: Bearer $TOKEN"
awk -v a="$rps_me" -v b="$rps_health" 'BEGIN { printf "http_me_vs_health: %.2f ratio\n", a / b }'
run case "$READ" -H "Authorization: Bearer $TOKEN"
awk -v a="$rps_case" -v b="$rps_health" 'BEGIN { printf "http_case_vs_health: %.2f ratio\n", a / b }'
BENCH_TOKEN=$ADVISER BENCH_CASES_FILE="$TMP/cases" RUN_CONNECTIONS=$WRITE_CONNECTIONS \
    run advice /api/v1/health -s bench/http_advice.lua
awk -v a="$rps_advice" -v b="$rps_health" 'BEGIN { printf "http_advice_vs_health: %.3f ratio\n", a / b }'
revisions=$("$BIN" audit log --limit 0 --json | jq '[.[] | select(.action | startswith("case.advice"))] | length')
echo "http_advice_revisions_per_case: $((revisions / CASES)) revisions"
echo "http_advice_connections: $WRITE_CONNECTIONS connections"

: >"$TMP/logins"
i=0
while [ $i -lt "$LOGINS" ]; do
    curl -s -o /dev/null -w '%{time_total}\n' -H "Content-Type: application/json" \
        --data '{"name": "bench", "password": "correct horse battery"}' "$URL/api/v1/login" >>"$TMP/logins"
    i=$((i + 1))
done
sort -n "$TMP/logins" | awk '{ v[NR] = $1 } END { printf "http_login_p50: %.1f ms\n", v[int((NR + 1) / 2)] * 1000 }'
echo "http_threads: $THREADS threads"
