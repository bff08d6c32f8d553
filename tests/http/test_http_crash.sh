# kill -9 of the server in the middle of a burst of writes: many clients
# add notes and advice revisions to cases at once, each recording on its
# side every write the server acknowledged (2xx). After the crash every
# acknowledged write is in the database, nothing is half-written (`audit
# verify` checks every object against the log), and the server starts
# again on the same database.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/flow.sh"

# The server is killed once this many writes were acknowledged (or after
# BURST_MAX_SECONDS), so the burst is the same size on a fast or a loaded machine.
BURST_ACKS=${HTTP_CRASH_BURST_ACKS:-60}
BURST_MAX_SECONDS=30
expect_ok "init" init
flow_users
start_server --threads 4
CASES=""
for n in 1 2 3; do
    flow_draft
    flow_to_advice "$P"
    CASES="$CASES $P"
done
set -- $CASES
C1=$1 C2=$2 C3=$3

# client NAME TOKEN CASE KIND: writes until the server stops answering.
# Acknowledged ids go to $TMP/acked.NAME, attempts to $TMP/sent.NAME.
client() {
    name=$1 tok=$2 case_ref=$3 kind=$4
    i=1
    : >"$TMP/acked.$name"
    : >"$TMP/sent.$name"
    while :; do
        id="$name-$i"
        if [ "$kind" = notes ]; then
            body="{\"text\": \"$id\"}"
        else
            body="{\"advice\": \"approve\", \"text\": \"$id\", \"change_reason\": \"revision $id\"}"
        fi
        echo "$id" >>"$TMP/sent.$name"
        code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -X POST -H "Authorization: Bearer $tok" \
            -H "Content-Type: application/json" --data "$body" "$URL/api/v1/applications/$case_ref/$kind")
        case $code in
            2??) echo "$id" >>"$TMP/acked.$name" ;;
            000) break ;; # the server is gone
        esac
        i=$((i + 1))
    done
}

client officer1 "$OFFICER" "$C1" notes &
P1=$!
client officer2 "$OFFICER" "$C2" notes &
P2=$!
client dm3 "$DM" "$C3" notes &
P3=$!
client fcdo1 "$FCDO" "$C1" advice &
P4=$!
client mod2 "$MOD" "$C2" advice &
P5=$!
client signer1 "$SIGNER" "$C1" notes &
P6=$!
waited=0
while [ "$(cat "$TMP"/acked.* 2>/dev/null | wc -l)" -lt "$BURST_ACKS" ] && [ $waited -lt $((BURST_MAX_SECONDS * 10)) ]; do
    sleep 0.1
    waited=$((waited + 1))
done
kill -9 "$SERVER_PID"
wait "$SERVER_PID" 2>/dev/null
SERVER_PID=""
wait $P1 $P2 $P3 $P4 $P5 $P6

sent=$(cat "$TMP"/sent.* | wc -l | tr -d ' ')
acked=$(cat "$TMP"/acked.* | wc -l | tr -d ' ')
[ "$acked" -ge "$BURST_ACKS" ] && pass "a burst of writes: $acked acknowledged of $sent sent" || fail "too few writes acknowledged ($acked of $sent)"
echo "# $((sent - acked)) writes were in flight when the server died, or refused (busy)"

# Every acknowledged write is there, once.
missing=0
for kind in notes advice; do
    table=case_note
    [ $kind = advice ] && table=advice
    for f in "$TMP"/acked.*; do
        name=${f##*.}
        case "$name:$kind" in officer*:notes | dm*:notes | signer*:notes | fcdo*:advice | mod*:advice) ;; *) continue ;; esac
        sql "SELECT text FROM $table WHERE text LIKE '$name-%'" | sort >"$TMP/stored.$name"
        sort "$f" >"$TMP/acked.sorted"
        lost=$(comm -23 "$TMP/acked.sorted" "$TMP/stored.$name" | wc -l | tr -d ' ')
        [ "$lost" -eq 0 ] || { missing=$((missing + lost)); fail "$name: $lost acknowledged writes are missing"; }
        dupes=$(uniq -d "$TMP/stored.$name" | wc -l | tr -d ' ')
        [ "$dupes" -eq 0 ] || fail "$name: $dupes writes stored twice"
    done
done
[ "$missing" -eq 0 ] && pass "every acknowledged write survived kill -9"
expect_eq "$(sql "PRAGMA integrity_check")" "ok" "the database is intact"
expect_ok "audit verify after the crash" audit verify
expect_out "audit log verified" "nothing half-written"

start_server
as "$OFFICER" POST "/api/v1/applications/$C1/notes" $J --data '{"text": "after the crash"}'
expect_code 201 "the server starts again and takes writes"
stop_server
expect_ok "audit verify after the restart" audit verify
finish
