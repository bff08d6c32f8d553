# Formal concerns over HTTP: a concern pinned to an advice revision and a
# confidential one about the same case, both shown on the case; the
# decision blocked by the deployment setting, then needing the explicit
# acknowledgement; the reporter following by receipt code with no account
# and no trace in the access log; roles; the limit on wrong receipt codes.
. "$(dirname "$0")/lib.sh"

export PENHOLDER_AUDIT_TIME=2026-11-29T10:00:00Z
REL="${PENHOLDER_RELEASE_BIN:-$PH}"
mkuser() { n=$1 r=$2; shift 2; echo "$PASSWORD" | "$REL" users add "$n" --role "$r" "$@" --password-stdin >/dev/null; }
expect_ok "init" init
mkuser acme exporter --org "Acme Aerospace Ltd"
mkuser officer case_officer
mkuser tau technical_assessor
mkuser fcdo adviser --team fcdo
mkuser signer countersigner
mkuser dm decision_maker
mkuser no1 nominated_officer
mkuser aud auditor
mkuser root admin
mkuser quiet.reporter adviser --team mod
ACME=$(token acme); OFFICER=$(token officer); TAU=$(token tau); FCDO=$(token fcdo); SIGNER=$(token signer)
DM=$(token dm); NO1=$(token no1); AUD=$(token aud); ADMIN=$(token root); REP=$(token quiet.reporter)
echo "$PASSWORD" | "$REL" concern keys init --actor no1 >/dev/null
expect_ok "evidence for a review" evidence add --destination IL --topic ihl --severity serious --summary "IHL findings" \
    --source "HCWS64" --date 2024-09-02 --reliability high
cat >"$TMP/review.json" <<'JSON'
{"title": "Israel: IHL", "reason": "New evidence on the conduct of hostilities.", "criteria": ["2c"],
 "evidence": ["EV-0001"], "as_of": "2024-09-02", "exceptions": [],
 "scope": {"destinations": ["IL"], "statuses": ["issued"], "ratings": [], "end_user_types": []}}
JSON
expect_ok "a review, RV-0001" review create "$TMP/review.json" --actor officer
expect_ok "block finalising while concerns are open" concern settings set block_finalising yes --actor root
start_server --login-delay 0
APP="$(dirname "$0")/../cases/application.json"
J="-H Content-Type:application/json"

# A case up to its decision.
as "$ACME" POST /api/v1/applications $J --data @"$APP"
REF=$(jq -r .reference "$OUT"); P=$(echo "$REF" | tr / -)
as "$ACME" POST /api/v1/applications/$P/submit
as "$OFFICER" POST /api/v1/applications/$P/events $J --data '{"event": "start_checks"}'
as "$OFFICER" POST /api/v1/applications/$P/events $J --data '{"event": "send_to_technical"}'
as "$TAU" POST /api/v1/applications/$P/goods/1/rating $J --data '{"rating": "ML10.a"}'
as "$TAU" POST /api/v1/applications/$P/goods/2/rating $J --data '{"rating": "ML5b"}'
as "$TAU" POST /api/v1/applications/$P/events $J --data '{"event": "complete_technical"}'
as "$FCDO" POST /api/v1/applications/$P/advice $J --data '{"advice": "approve", "text": "Consistent with the criteria."}'
ADVICE=$(jq -r '[.advice[] | select(.team == "fcdo")][0].id' "$OUT")
as "$OFFICER" POST /api/v1/applications/$P/events $J --data '{"event": "consolidate"}'
as "$SIGNER" POST /api/v1/applications/$P/countersign $J --data "{\"advice\": $ADVICE, \"accepted\": true, \"reasons\": \"ok\"}"
expect_code 201 "a case ready for its decision"

# ---- raising ----
as "$REP" POST /api/v1/concerns $J --data "{\"about\": \"advice:$ADVICE\", \"category\": \"legal_risk\", \"criteria\": [\"2c\"], \"text\": \"The advice ignores the evidence on strikes.\"}"
expect_code 201 "a concern about an advice revision"
C1=$(jq -r .id "$OUT")
jq_is '.receipt' null "an open concern has no receipt"
jq_is '.concern.about.version' 1 "pinned to revision 1"
jq_is '.concern.about.sha256 | length' 64 "by the SHA-256 of its content"
jq_is '.concern.about.case' "$REF" "and tied to its case"
expect_eq "$(header Location)" "/api/v1/concerns/$C1" "Location names it"
as "$ACME" POST /api/v1/concerns $J --data '{"about": "case:x", "category": "conduct", "text": "x"}'
expect_problem 403 forbidden "exporters raise no concerns"
as "$REP" POST /api/v1/concerns $J --data '{"about": "case:NOPE", "category": "conduct", "text": "x"}'
expect_problem 422 validation "an unknown case"
as "$REP" POST /api/v1/concerns $J --data '{"about": "case:x", "category": "gossip", "text": "x"}'
expect_problem 422 validation "an unknown category"
as "$REP" POST /api/v1/concerns $J --data '{"about": "review:RV-0009", "category": "conduct", "text": "x"}'
expect_problem 422 validation "an unknown review"
jq_is '.errors[0].path' about "at the field about"
jq_is '.errors[0].detail' "no review RV-0009" "named as RV-0009"
as "$REP" POST /api/v1/concerns $J --data '{"about": "review:RV-x", "category": "conduct", "text": "x"}'
expect_problem 422 validation "a malformed review reference"
jq_is '.errors[0].detail | test("a review is named by its reference \\(RV-0001\\) or its number")' true "saying how a review is named"
as "$REP" POST /api/v1/concerns $J --data "{\"about\": \"case:$REF\", \"category\": \"conduct\", \"text\": \"Told to rebalance findings.\", \"confidential\": true}"
expect_code 201 "a confidential concern about the case"
C2=$(jq -r .id "$OUT")
RECEIPT=$(jq -r .receipt "$OUT")
case "$RECEIPT" in pcr-*) pass "the receipt code is returned once";; *) fail "receipt '$RECEIPT'";; esac
jq_is '.concern.reporter' null "the reply does not name the reporter"
jq_is '.concern.you_are' reporter "it is read as the receipt holder"
if grep "POST /api/v1/concerns " "$TMP/server.log" | grep -q "quiet.reporter"; then
    fail "the access log names who raised a concern"
else
    pass "the access log shows no account for raising"
fi
grep -q "POST /api/v1/concerns 201 .* -$" "$TMP/server.log" && pass "it shows '-'" || fail "it shows '-'"

# ---- on the case, and the decision ----
as "$DM" GET /api/v1/applications/$P
jq_is '.open_concerns | map(.id) | join(",")' "$C1,$C2" "the case lists its open concerns"
jq_is '.open_concerns[1].confidential' true "the confidential one too, without a name"
grep -q "quiet" "$OUT" && fail "the case view names the reporter" || pass "the case view names no reporter"
as "$ACME" GET /api/v1/applications/$P
jq_is 'has("open_concerns")' false "the exporter does not see them"
as "$DM" POST /api/v1/applications/$P/decision $J --data "{\"decision\": \"issue\", \"reason\": \"Advice accepted.\", \"concerns_acknowledged\": \"$C1,$C2\"}"
expect_code 409 "under the blocking setting an open concern blocks the decision"
jq_is ".detail | test(\"formal concern $C1 is open\")" true "naming it"
stop_server
expect_ok "stop blocking" concern settings set block_finalising no --actor root
start_server --login-delay 0
as "$DM" POST /api/v1/applications/$P/decision $J --data '{"decision": "issue", "reason": "Advice accepted."}'
expect_code 409 "without the acknowledgement the decision is refused"
jq_is ".detail | test(\"formal concern $C2 is open: acknowledge it to decide\")" true "naming each concern"
as "$DM" POST /api/v1/applications/$P/decision $J --data "{\"decision\": \"issue\", \"reason\": \"Advice accepted.\", \"concerns_acknowledged\": \"$C1\"}"
expect_code 409 "acknowledging one of two is not enough"
as "$DM" GET /api/v1/concerns/$C1
expect_code 200 "the decision maker reads a concern about the case"
jq_is 'has("messages")' false "its substance, not the thread"
as "$DM" POST /api/v1/applications/$P/decision $J --data "{\"decision\": \"issue\", \"reason\": \"Advice accepted; concerns read.\", \"concerns_acknowledged\": \"$C1, $C2\"}"
expect_code 200 "with both acknowledged the licence is issued"
as "$NO1" GET /api/v1/concerns/$C2
jq_is '[.events[] | select(.event == "note_decision")][0].by' dm "the concern records that the decision maker read it"
jq_is '.state' raised "without changing its state"

# ---- roles ----
as "$REP" POST /api/v1/concerns/$C1/acknowledge
expect_problem 403 forbidden "only nominated officers acknowledge"
as "$ADMIN" GET /api/v1/concerns/$C1
expect_problem 404 not-found "the administrator cannot read a concern"
as "$AUD" GET /api/v1/concerns/$C2
expect_code 200 "the auditor reads the confidential concern"
jq_is '.reporter' null "without the sealed identity"
jq_is '.sealed_to | length' 1 "and sees which keys hold the seal"
as "$REP" GET /api/v1/concerns/$C2
expect_problem 404 not-found "the reporter's account cannot be linked to the confidential concern"
as "$REP" GET /api/v1/concerns
jq_is '[.concerns[].id] | join(",")' "$C1" "their own list holds only the open concern"
as "$NO1" POST /api/v1/concerns/$C1/acknowledge
expect_code 200 "the nominated officer acknowledges"
as "$NO1" POST /api/v1/concerns/$C1/close
expect_problem 409 conflict "closing before a substantive response is refused"
as "$NO1" POST /api/v1/concerns/$C1/respond $J --data '{"outcome": "not_upheld", "text": "Thank you, we have noted your concerns."}'
expect_problem 422 validation "a response that only notes is refused"
jq_is '[.errors[].path] | join(",")' "decision,actions,reasons" "each missing part is named by its field path"
DECISION="The advice stands: the licence for these components is not refused."
ACTIONS="The adviser re-read the strike reports (evidence 12 and 14); no change was made to the advice."
REASONS="The clear-risk test of Criterion 2c is not met for these components, as the minute of 3 March explains."
respond_body() { # OUTCOME DECISION ACTIONS REASONS: a respond body as JSON
    jq -n --arg o "$1" --arg d "$2" --arg a "$3" --arg r "$4" '{outcome: $o, decision: $d, actions: $a, reasons: $r}'
}
as "$NO1" POST /api/v1/concerns/$C1/respond $J --data "$(respond_body not_upheld "Noted." "$ACTIONS" "$REASONS")"
expect_problem 422 validation "a placeholder decision is refused"
jq_is '.errors[0].path' decision "at the field decision"
jq_is '.errors[0].detail | test("does not say what was decided")' true "saying what the part must say"
as "$NO1" POST /api/v1/concerns/$C1/respond $J --data "$(respond_body not_upheld "$DECISION" "$ACTIONS" "  ")"
expect_problem 422 validation "a blank part is refused"
jq_is '.errors[0].path' reasons "at the field reasons"
as "$NO1" POST /api/v1/concerns/$C1/respond $J --data "$(respond_body not_upheld "$DECISION" "$DECISION" "$REASONS")"
expect_problem 422 validation "a part copying another is refused"
jq_is '.errors[0].path' actions "at the field actions"
jq_is '.errors[0].detail' "repeats the decision: say what was done or not done" "saying which it repeats"
as "$NO1" POST /api/v1/concerns/$C1/respond $J --data "$(respond_body not_upheld "$DECISION" "$ACTIONS" "$REASONS")"
expect_code 200 "a substantive response"
jq_is '.state' responded "responded"
jq_is '.response.decision' "$DECISION" "the reply carries what was decided"
jq_is '.response.actions' "$ACTIONS" "what was done or not done"
jq_is '.response.reasons' "$REASONS" "and why"
jq_is '.response.text' null "and no note when none was given"
jq_is '[.events[] | select(.event == "respond")][0].decision' "$DECISION" "the history holds the parts"
as "$REP" POST /api/v1/concerns/$C1/close
expect_code 200 "the reporter closes it"
jq_is '.state' closed "closed"

# ---- the receipt holder: no account, no trace ----
R="X-Concern-Receipt: $RECEIPT"
req GET /api/v1/concern-receipt -H "$R"
expect_code 200 "the receipt holder reads the concern"
jq_is ".id" "$C2" "the right one"
req POST /api/v1/concern-receipt/messages -H "$R" $J --data '{"text": "I have the minutes of the meeting."}'
expect_code 201 "and writes to the officers"
as "$NO1" POST /api/v1/concerns/$C2/messages $J --data '{"text": "Please send them through this thread."}'
expect_code 201 "the officer answers"
req GET /api/v1/concern-receipt -H "$R"
jq_is '[.messages[].text] | join("|")' "I have the minutes of the meeting.|Please send them through this thread." "the thread"
req GET /api/v1/concern-receipt
expect_problem 400 receipt-required "no code, no concern"
req POST /api/v1/concern-receipt/events -H "$R" $J --data '{"event": "close"}'
expect_problem 409 conflict "the receipt holder cannot close before a response"
jq_is '.detail | test("allowed now: escalate, message$")' true "told only what the reporter may do now"
jq_is '.detail | test("acknowledge|consider|respond,|reveal|extend")' false "never the officer's events"
req POST /api/v1/concern-receipt/events -H "$R" $J --data '{"event": "escalate"}'
expect_problem 422 validation "an escalation by receipt needs a reason"
jq_is '.errors[0].path' reason "at the field reason"
as "$NO1" POST /api/v1/concerns/$C2/close
expect_problem 409 conflict "the officer cannot close it either"
jq_is '.detail | test("allowed now: acknowledge, escalate, message, reveal, extend$")' true "told what the officer may do now"
as "$NO1" POST /api/v1/concerns/$C2/acknowledge
as "$NO1" POST /api/v1/concerns/$C2/respond $J --data "$(jq -n '{outcome: "upheld", decision: "The instruction to rebalance the findings is withdrawn.",
    actions: "The assessment of 3 March is reopened under Criterion 2c and the instruction struck from the file.",
    reasons: "Findings on civilian harm must follow the evidence; no one may rebalance them to fit a result.",
    text: "The reporter may ask for the reopened assessment through this thread."}')"
expect_code 200 "the confidential concern is answered"
jq_is '.response.text' "The reporter may ask for the reopened assessment through this thread." "with its note"
req GET /api/v1/concern-receipt -H "$R"
jq_is '.response.reasons | test("must follow the evidence")' true "the receipt holder reads why"
as "$NO1" POST /api/v1/concerns/$C2/reveal $J --data '{"reason": "check", "password": "not the password"}'
expect_problem 403 forbidden "a wrong key password reveals nothing"
as "$AUD" POST /api/v1/concerns/$C2/reveal $J --data "{\"reason\": \"x\", \"password\": \"$PASSWORD\"}"
expect_problem 403 forbidden "auditors cannot reveal"
as "$NO1" POST /api/v1/concerns/$C2/reveal $J --data "{\"reason\": \"Tribunal order ET/2026/17\", \"password\": \"$PASSWORD\"}"
expect_code 200 "the nominated officer reveals"
jq_is '.identity.reporter' quiet.reporter "the identity"
req POST /api/v1/concern-receipt/events -H "$R" $J --data '{"event": "close"}'
expect_code 200 "the receipt holder closes it"
grep -E "concern-receipt|POST /api/v1/concerns " "$TMP/server.log" >"$TMP/private.log"
[ -s "$TMP/private.log" ] && pass "raising and receipt requests were logged" || fail "raising and receipt requests were logged"
grep -v -- " -$" "$TMP/private.log" >"$TMP/named.log"
[ -s "$TMP/named.log" ] && fail "raising or a receipt request names an account in the access log" || pass "no raising or receipt line names an account"

# ---- lists and statistics ----
as "$NO1" GET "/api/v1/concerns?overdue=true&as_of=2027-12-01"
expect_code 200 "the overdue list"
jq_is '.total' 0 "nothing open is overdue"
as "$AUD" GET "/api/v1/concern-stats?format=csv"
expect_code 200 "statistics as CSV"
grep -q "^all,all,<3" "$OUT" && pass "two concerns are suppressed" || fail "two concerns are suppressed"
as "$AUD" GET /api/v1/concern-stats
jq_is '.rows[-1].suppressed | index("raised") != null' true "JSON says what is suppressed"

# ---- wrong receipt codes are limited per address ----
BAD="X-Concern-Receipt: pcr-aaaa-aaaa-aaaa-aaaa-aaaa-aaaa-aaaa-aaaa"
i=0
while [ $i -lt 10 ]; do req GET /api/v1/concern-receipt -H "$BAD"; i=$((i + 1)); done
expect_problem 404 not-found "a wrong code finds nothing"
req GET /api/v1/concern-receipt -H "$BAD"
expect_problem 429 too-many-attempts "after ten wrong codes the address waits"
[ -n "$(header Retry-After)" ] && pass "told how long" || fail "Retry-After"
req GET /api/v1/concern-receipt -H "$R"
expect_code 429 "even the right code waits (no oracle)"

# ---- a review is named as the review commands name it ----
for about in review:RV-0001 review:1; do
    as "$REP" POST /api/v1/concerns $J --data "{\"about\": \"$about\", \"category\": \"policy_dissent\", \"text\": \"The review leaves out the trainer line.\"}"
    expect_code 201 "a concern about $about"
    jq_is '.concern.about.kind + ":" + .concern.about.id' review:RV-0001 "about the review RV-0001"
done

stop_server
expect_ok "audit verify" audit verify
finish
