# Two clients racing on one case: both read the same ETag, both write with
# If-Match at the same moment. Exactly one wins, the other gets 412 and
# changes nothing; the loser reads again and retries; nothing is lost and
# the audit log verifies. Without If-Match, concurrent writes all land.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/flow.sh"

expect_ok "init" init
flow_users
start_server
flow_draft
flow_to_advice "$P"

ROUNDS=6
# race KIND TOKEN-A BODY-A TOKEN-B BODY-B: both read, then both write at once.
# Codes in $TMP/code.a and $TMP/code.b.
race() {
    path=$1 ta=$2 ba=$3 tb=$4 bb=$5
    as "$ta" GET "/api/v1/applications/$P"
    etag_a=$(header ETag)
    as "$tb" GET "/api/v1/applications/$P"
    etag_b=$(header ETag)
    [ "$etag_a" = "$etag_b" ] || fail "both clients read the same version"
    # Both requests are sent together; the server serialises the writes.
    curl -s -o "$TMP/out.a" -w '%{http_code}' -X POST -H "Authorization: Bearer $ta" \
        -H "Content-Type: application/json" -H "If-Match: $etag_a" --data "$ba" \
        "$URL/api/v1/applications/$P/$path" >"$TMP/code.a" &
    pa=$!
    curl -s -o "$TMP/out.b" -w '%{http_code}' -X POST -H "Authorization: Bearer $tb" \
        -H "Content-Type: application/json" -H "If-Match: $etag_b" --data "$bb" \
        "$URL/api/v1/applications/$P/$path" >"$TMP/code.b" &
    pb=$!
    wait $pa $pb
}

# ---- notes by two officers ----
won=0
exactly_one=1
r=1
while [ $r -le $ROUNDS ]; do
    race notes "$OFFICER" "{\"text\": \"officer note $r\"}" "$DM" "{\"text\": \"decision maker note $r\"}"
    codes="$(cat "$TMP/code.a") $(cat "$TMP/code.b")"
    case "$codes" in
        "201 412") loser=$DM; lbody="{\"text\": \"decision maker note $r\"}"; lout=$TMP/out.b ;;
        "412 201") loser=$OFFICER; lbody="{\"text\": \"officer note $r\"}"; lout=$TMP/out.a ;;
        *) exactly_one=0; fail "round $r: codes $codes, wanted one 201 and one 412"; r=$((r + 1)); continue ;;
    esac
    won=$((won + 1))
    jq -e '.type == "urn:penholder:problem:stale"' "$lout" >/dev/null || fail "round $r: the loser's 412 is a stale problem"
    # The loser reads again and retries with the new ETag.
    as "$loser" GET "/api/v1/applications/$P"
    as "$loser" POST "/api/v1/applications/$P/notes" $J -H "If-Match: $(header ETag)" --data "$lbody"
    [ "$CODE" = 201 ] || fail "round $r: the retry gave $CODE"
    r=$((r + 1))
done
[ "$exactly_one" = 1 ] && pass "$ROUNDS races on notes: exactly one 412 each time"
expect_eq "$(sql "SELECT count(*) FROM case_note WHERE text LIKE 'officer note %'")" "$ROUNDS" "every officer note is there once"
expect_eq "$(sql "SELECT count(*) FROM case_note WHERE text LIKE 'decision maker note %'")" "$ROUNDS" "every decision maker note is there once"

# ---- advice by two teams ----
race advice "$FCDO" '{"advice": "approve", "text": "FCDO: no objection."}' "$MOD" '{"advice": "approve", "text": "MOD: no objection."}'
codes="$(cat "$TMP/code.a") $(cat "$TMP/code.b")"
case "$codes" in
    "201 412") pass "advice from two teams on one version: one 201, one 412"; loser=$MOD; lbody='{"advice": "approve", "text": "MOD: no objection."}' ;;
    "412 201") pass "advice from two teams on one version: one 201, one 412"; loser=$FCDO; lbody='{"advice": "approve", "text": "FCDO: no objection."}' ;;
    *) fail "advice race gave $codes"; loser="" ;;
esac
expect_eq "$(sql "SELECT count(*) FROM advice")" "1" "the stale advice changed nothing"
if [ -n "$loser" ]; then
    as "$loser" GET "/api/v1/applications/$P"
    as "$loser" POST "/api/v1/applications/$P/advice" $J -H "If-Match: $(header ETag)" --data "$lbody"
    expect_code 201 "the losing team advises on the new version"
fi
expect_eq "$(sql "SELECT group_concat(team || ':' || revision, ' ') FROM (SELECT team, revision FROM advice ORDER BY team)")" \
    "fcdo:1 mod:1" "each team's advice once"

# ---- without If-Match, concurrent writes all land ----
i=1
pids=""
while [ $i -le 8 ]; do
    curl -s -o /dev/null -X POST -H "Authorization: Bearer $OFFICER" -H "Content-Type: application/json" \
        --data "{\"text\": \"unconditional $i\"}" "$URL/api/v1/applications/$P/notes" &
    pids="$pids $!"
    i=$((i + 1))
done
wait $pids
expect_eq "$(sql "SELECT count(*) FROM case_note WHERE text LIKE 'unconditional %'")" "8" "eight concurrent notes without If-Match: none lost"
stop_server
expect_ok "audit verify" audit verify
expect_ok "the case's history" audit log --object "case:$REF" --limit 0 --json
expect_eq "$(jq '[.[] | select(.action == "case.note")] | length' "$OUT")" "$((2 * ROUNDS + 8))" "every note on the log, no refused one"
finish
