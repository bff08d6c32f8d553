# Helpers that take an application through its life with curl, for tests
# that need a case in a given state (source after lib.sh). Every step is
# the real route called by the right person; a step that fails stops the
# test with the reply.
APP="$ROOT/tests/cases/application.json"
J="-H Content-Type:application/json"

# Accounts are set up with the release build when there is one: hashing a
# password (Argon2id) under the sanitizers takes a second, and accounts are
# not what these tests are about. The server under test is still $PH.
SETUP_BIN="${PENHOLDER_RELEASE_BIN:-$PH}"
[ -x "$SETUP_BIN" ] || SETUP_BIN="$PH"
setup_user() {
    n=$1 r=$2
    shift 2
    echo "$PASSWORD" | "$SETUP_BIN" users add "$n" --role "$r" --password-stdin "$@" >/dev/null
}
setup_token() { "$SETUP_BIN" tokens create "$1" | tail -n 1; }

# flow_users: the accounts of one case's life and their tokens in
# $ACME $OFFICER $TAU $FCDO $MOD $SIGNER $DM $AUD.
flow_users() {
    setup_user acme exporter --org "Acme Aerospace Ltd"
    setup_user officer case_officer
    setup_user tau technical_assessor
    setup_user fcdo adviser --team fcdo
    setup_user mod adviser --team mod
    setup_user signer countersigner
    setup_user dm decision_maker
    setup_user auditor1 auditor
    ACME=$(setup_token acme); OFFICER=$(setup_token officer); TAU=$(setup_token tau)
    FCDO=$(setup_token fcdo); MOD=$(setup_token mod); SIGNER=$(setup_token signer)
    DM=$(setup_token dm); AUD=$(setup_token auditor1)
}

# step WANT DESCRIPTION TOKEN METHOD PATH [curl options]: a request that must
# give WANT; anything else ends the test.
step() {
    want=$1 what=$2
    shift 2
    as "$@"
    if [ "$CODE" != "$want" ]; then
        fail "$what (HTTP $CODE, wanted $want)"
        finish
    fi
}

# flow_draft: a new draft by the exporter; its path reference in $P and
# its reference in $REF.
flow_draft() {
    step 201 "draft" "$ACME" POST /api/v1/applications $J --data @"$APP"
    REF=$(jq -r .reference "$OUT")
    P=$(echo "$REF" | tr / -)
}

# flow_to_advice P: submitted, checked, rated, and under advice.
flow_to_advice() {
    step 200 "submit $1" "$ACME" POST "/api/v1/applications/$1/submit"
    step 200 "start_checks $1" "$OFFICER" POST "/api/v1/applications/$1/events" $J --data '{"event": "start_checks"}'
    step 200 "send_to_technical $1" "$OFFICER" POST "/api/v1/applications/$1/events" $J --data '{"event": "send_to_technical"}'
    step 200 "rate line 1 of $1" "$TAU" POST "/api/v1/applications/$1/goods/1/rating" $J --data '{"rating": "ML10.a"}'
    step 200 "rate line 2 of $1" "$TAU" POST "/api/v1/applications/$1/goods/2/rating" $J --data '{"rating": "ML5.b"}'
    step 200 "complete_technical $1" "$TAU" POST "/api/v1/applications/$1/events" $J --data '{"event": "complete_technical"}'
}

# flow_issue P: advised by the FCDO, consolidated, countersigned, issued.
flow_issue() {
    step 201 "advice on $1" "$FCDO" POST "/api/v1/applications/$1/advice" $J --data '{"advice": "approve", "text": "Consistent with the criteria."}'
    advice=$(jq -r '[.advice[] | select(.current)][0].id' "$OUT")
    step 200 "consolidate $1" "$OFFICER" POST "/api/v1/applications/$1/events" $J --data '{"event": "consolidate"}'
    step 201 "countersign $1" "$SIGNER" POST "/api/v1/applications/$1/countersign" $J --data "{\"advice\": $advice, \"accepted\": true, \"reasons\": \"Agreed.\"}"
    step 200 "issue $1" "$DM" POST "/api/v1/applications/$1/decision" $J --data '{"decision": "issue", "reason": "Advice accepted."}'
}
