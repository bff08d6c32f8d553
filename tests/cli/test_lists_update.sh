# penholder lists update: downloads from a local HTTP server on 127.0.0.1
# (started and stopped here), imports, and changes nothing when a download
# fails (404, refused connection, timeout, size cap) or a file is malformed.
. "$(dirname "$0")/lib.sh"
FIX="$(cd "$(dirname "$0")/../fixtures/lists" && pwd)"

if ! command -v python3 >/dev/null 2>&1; then
    echo "SKIP $(basename "$0"): python3 is needed for the local HTTP server"
    finish
fi

SRV="$TMP/srv"
mkdir -p "$SRV"
cp "$FIX/ofac_sdn.csv" "$FIX/ofac_alt.csv" "$FIX/un_small.xml" "$SRV/"
head -c 400 "$FIX/un_small.xml" > "$SRV/un_cut.xml"
SERVER=""
SILENT=""
stop_servers() {
    [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null
    [ -n "$SILENT" ] && kill "$SILENT" 2>/dev/null
    rm -rf "$TMP"
}
trap stop_servers EXIT

python3 -u -m http.server 0 --bind 127.0.0.1 --directory "$SRV" > "$TMP/http.log" 2>&1 &
SERVER=$!
PORT=""
for _ in $(seq 1 50); do
    PORT=$(sed -n 's/.*port \([0-9][0-9]*\).*/\1/p' "$TMP/http.log" | head -n 1)
    [ -n "$PORT" ] && break
    sleep 0.1
done
[ -n "$PORT" ] || { echo "not ok - the local HTTP server did not start"; cat "$TMP/http.log"; exit 1; }
BASE="http://127.0.0.1:$PORT"

# A port nobody listens on: bound, then closed.
CLOSED=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
# A server that accepts connections and never answers.
python3 -u -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(8)
print(s.getsockname()[1], flush=True)
conns = []
while True:
    c, _ = s.accept(); conns.append(c)
' > "$TMP/silent.log" 2>&1 &
SILENT=$!
SILENT_PORT=""
for _ in $(seq 1 50); do
    SILENT_PORT=$(head -n 1 "$TMP/silent.log")
    [ -n "$SILENT_PORT" ] && break
    sleep 0.1
done

config() { # FILE LIST FORMAT URL...
    f=$1 list=$2 format=$3
    shift 3
    urls=""
    for u in "$@"; do urls="$urls${urls:+, }\"$u\""; done
    printf '{"sources": [{"list": "%s", "format": "%s", "urls": [%s]}]}\n' "$list" "$format" "$urls" > "$f"
}
versions() { sql "SELECT count(*) FROM list_version"; }

expect_ok "init" init
cat > "$TMP/sources.json" <<JSON
{"timeout_seconds": 20,
 "sources": [
  {"list": "ofac-sdn", "format": "ofac-csv", "urls": ["$BASE/ofac_sdn.csv", "$BASE/ofac_alt.csv"]},
  {"list": "un", "format": "un-xml", "urls": ["$BASE/un_small.xml"]}]}
JSON
PENHOLDER_PROGRESS=1 expect_ok "update from the local server" lists update --config "$TMP/sources.json"
expect_out "ofac-sdn: version 1: 4 entities" "OFAC downloaded and imported"
expect_out "un: version 1: 3 entities" "UN downloaded and imported"
expect_err "downloading ofac_sdn.csv" "progress line on stderr"
expect_eq "$(sql "SELECT origin FROM list_version WHERE list = 'un'")" "update" "origin recorded"
expect_eq "$(sql "SELECT name FROM list_version_file f JOIN list_version v ON v.id = f.version_id WHERE v.list = 'un'")" "$BASE/un_small.xml" "file recorded by its URL"
expect_ok "update again" lists update --config "$TMP/sources.json"
expect_out "imported already as version 1" "same files: nothing changed"
expect_eq "$(versions)" "2" "two versions in all"

expect_ok "one list only" lists update --config "$TMP/sources.json" --list un --json
expect_out '"list": "un"' "only un"
expect_no_out '"list": "ofac-sdn"' "ofac not touched"
expect_status 1 "unknown list in the sources" lists update --config "$TMP/sources.json" --list nope
expect_err "no source for list 'nope'" "explained"

config "$TMP/404.json" un un-xml "$BASE/un_small.xml" "$BASE/missing.xml"
expect_status 1 "HTTP 404" lists update --config "$TMP/404.json"
expect_err "missing.xml: the server answered HTTP 404" "404 named with its URL"
expect_err "nothing imported" "says nothing changed"

config "$TMP/refused.json" un-other un-xml "http://127.0.0.1:$CLOSED/un.xml"
expect_status 1 "connection refused" lists update --config "$TMP/refused.json"
expect_err "cannot connect" "refused connection explained"

config "$TMP/silent.json" un-other un-xml "http://127.0.0.1:$SILENT_PORT/un.xml"
expect_status 1 "no answer" lists update --config "$TMP/silent.json" --timeout 1
expect_err "no complete answer within 1 seconds" "timeout explained"

expect_status 1 "size cap" lists update --config "$TMP/sources.json" --list un --max-bytes 100
expect_err "larger than 100 bytes" "size cap explained"

config "$TMP/cut.json" un-cut un-xml "$BASE/un_cut.xml"
expect_status 1 "malformed download" lists update --config "$TMP/cut.json"
expect_err "$BASE/un_cut.xml:" "parse error names the URL"
expect_eq "$(versions)" "2" "still two versions after every failure"

printf '{"sources": [{"list": "x", "format": "pdf", "urls": ["%s"]}]}' "$BASE/a" > "$TMP/badfmt.json"
expect_status 1 "unknown format in the sources" lists update --config "$TMP/badfmt.json"
expect_err "sources[0].format: unknown format 'pdf'" "JSON path in the error"
printf '{"sources": [{"list": "x", "format": "un-xml", "urls": ["file:///etc/passwd"]}]}' > "$TMP/file.json"
expect_status 1 "file URL refused" lists update --config "$TMP/file.json"
expect_err "sources[0].urls[0]: expected an http:// or https:// URL" "only web URLs"
printf '{"sources": [' > "$TMP/broken.json"
expect_status 1 "broken sources file" lists update --config "$TMP/broken.json"
expect_err "broken.json:1:" "JSON error with its place"

PENHOLDER_LIST_SOURCES="$TMP/404.json" expect_status 1 "sources from the environment" lists update
expect_err "missing.xml" "PENHOLDER_LIST_SOURCES is read"

finish
