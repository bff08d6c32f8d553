#!/bin/sh
# HTTP API throughput and latency with wrk (Debian package wrk):
#   - an authenticated read, GET /api/v1/me with a bearer token (token hash
#     lookup, account join, JSON reply, access log line),
#   - the baseline in the same run: GET /api/v1/health (no authentication),
#   - login latency (Argon2id password check), measured with curl.
# Prints `name: value unit` lines. Knobs: BENCH_SECONDS (10), BENCH_CONNECTIONS
# (32), BENCH_THREADS (server worker threads, 4: the default of serve), BENCH_LOGINS (10).
set -eu
cd "$(dirname "$0")/.."
SECONDS_EACH=${BENCH_SECONDS:-10}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
THREADS=${BENCH_THREADS:-4}
LOGINS=${BENCH_LOGINS:-10}
BIN="$PWD/build/penholder"
[ -x "$BIN" ] || make -s build/penholder
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

"$BIN" serve --listen 127.0.0.1:0 --threads "$THREADS" --web "" 2>"$TMP/server.log" &
PID=$!
URL=""
while [ -z "$URL" ]; do
    sleep 0.1
    URL=$(sed -n 's/^penholder: serving \(http:[^ ]*\)\/ .*/\1/p' "$TMP/server.log")
    kill -0 "$PID" 2>/dev/null || { cat "$TMP/server.log" >&2; exit 1; }
done
until curl -sf "$URL/api/v1/health" >/dev/null; do sleep 0.1; done

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
    wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_EACH}s" --latency "$@" "$URL$path" >"$TMP/wrk.$name"
    rps=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$TMP/wrk.$name")
    p50=$(awk '$1 == "50%" { print $2 }' "$TMP/wrk.$name")
    p99=$(awk '$1 == "99%" { print $2 }' "$TMP/wrk.$name")
    bad=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$TMP/wrk.$name")
    if [ -n "$bad" ]; then
        echo "bench/http.sh: $name: $bad responses were not 2xx" >&2
        exit 1
    fi
    echo "http_${name}_reads: $rps req/s"
    echo "http_${name}_p50: $(to_ms "$p50") ms"
    echo "http_${name}_p99: $(to_ms "$p99") ms"
    eval "rps_$name=$rps"
}

run health /api/v1/health
run me /api/v1/me -H "Authorization: Bearer $TOKEN"
awk -v a="$rps_me" -v b="$rps_health" 'BEGIN { printf "http_me_vs_health: %.2f ratio\n", a / b }'

: >"$TMP/logins"
i=0
while [ $i -lt "$LOGINS" ]; do
    curl -s -o /dev/null -w '%{time_total}\n' -H "Content-Type: application/json" \
        --data '{"name": "bench", "password": "correct horse battery"}' "$URL/api/v1/login" >>"$TMP/logins"
    i=$((i + 1))
done
sort -n "$TMP/logins" | awk '{ v[NR] = $1 } END { printf "http_login_p50: %.1f ms\n", v[int((NR + 1) / 2)] * 1000 }'
echo "http_threads: $THREADS threads"
