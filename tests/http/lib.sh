# Helpers for HTTP tests: source it after nothing else. Starts the real
# server ($PENHOLDER_BIN, the sanitizer build) on a free port of 127.0.0.1
# over a temporary database, and talks to it with curl.
. "$(dirname "$0")/../cli/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HDR="$TMP/headers"
SERVER_PID=""
URL=""
trap 'stop_quietly; rm -rf "$TMP"' EXIT

stop_quietly() {
    if [ -n "$SERVER_PID" ]; then
        kill -TERM "$SERVER_PID" 2>/dev/null
        wait "$SERVER_PID" 2>/dev/null
        SERVER_PID=""
    fi
}

# start_server [serve options...]: starts on a free port, waits for health.
start_server() {
    : >"$TMP/server.log"
    "$PH" serve --listen 127.0.0.1:0 --web "$ROOT/web" "$@" 2>"$TMP/server.log" &
    SERVER_PID=$!
    URL=""
    i=0
    while [ $i -lt 200 ]; do
        URL=$(sed -n 's/^penholder: serving \(http:[^ ]*\)\/ .*/\1/p' "$TMP/server.log")
        [ -n "$URL" ] && break
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then break; fi
        sleep 0.05
        i=$((i + 1))
    done
    if [ -z "$URL" ]; then
        echo "the server did not start:"
        sed 's/^/    /' "$TMP/server.log"
        SERVER_PID=""
        finish
    fi
    i=0
    until curl -sf "$URL/api/v1/health" >/dev/null 2>&1; do
        i=$((i + 1))
        [ $i -gt 100 ] && { echo "the server does not answer"; finish; }
        sleep 0.05
    done
}

# stop_server: SIGTERM, then the exit status in $STATUS.
stop_server() {
    kill -TERM "$SERVER_PID"
    wait "$SERVER_PID"
    STATUS=$?
    SERVER_PID=""
}

# req METHOD PATH [curl options...]: the status in $CODE, the body in $OUT,
# the headers in $HDR.
req() {
    m=$1 p=$2
    shift 2
    CODE=$(curl -s -o "$OUT" -D "$HDR" -w '%{http_code}' -X "$m" "$@" "$URL$p")
}
# as TOKEN METHOD PATH [curl options...]: req with a bearer token.
as() {
    t=$1
    shift
    m=$1 p=$2
    shift 2
    req "$m" "$p" -H "Authorization: Bearer $t" "$@"
}
# json BODY: the options for a JSON request body.
expect_code() { if [ "$CODE" = "$1" ]; then pass "$2"; else fail "$2 (HTTP $CODE, wanted $1)"; fi; }
# jq_is FILTER WANT DESCRIPTION: a jq filter over the last body gives WANT.
jq_is() { expect_eq "$(jq -r "$1" "$OUT" 2>/dev/null)" "$2" "$3"; }
# header NAME: the value of a response header of the last request.
header() { grep -i "^$1:" "$HDR" | head -1 | sed 's/^[^:]*: *//' | tr -d '\r'; }
# problem STATUS SLUG DESCRIPTION: a problem+json reply of that kind.
expect_problem() {
    expect_code "$1" "$3"
    expect_eq "$(header Content-Type)" "application/problem+json" "$3: problem+json"
    jq_is '.type' "urn:penholder:problem:$2" "$3: type $2"
    jq_is '.status' "$1" "$3: status in the body"
}

# user NAME ROLE [users add options...]: adds an account (password PASSWORD).
PASSWORD="correct horse battery"
user() {
    n=$1 r=$2
    shift 2
    echo "$PASSWORD" | "$PH" users add "$n" --role "$r" --password-stdin "$@" >/dev/null
}
# token NAME: prints a new bearer token for the account.
token() { "$PH" tokens create "$1" | tail -n 1; }
