# Formal concerns from the command line: the whole life of a concern, the
# refusal to close without a substantive response, deadlines, overdue
# concerns escalating (by hand and by the sweep), confidential concerns
# whose reporter nobody but a nominated officer can find, append-only
# history, settings and statistics.
. "$(dirname "$0")/lib.sh"

PW="correct horse battery"
# Accounts are made with the release build: hashing their passwords is not under test here.
REL="${PENHOLDER_RELEASE_BIN:-$PH}"
adduser() { echo "$PW" | "$REL" users add "$@" --password-stdin >/dev/null; }
expect_ok "init" init
adduser quiet.penholder --role adviser --team fcdo
adduser dave --role adviser --team fcdo
adduser bob --role case_officer
adduser carol --role adviser --team mod
adduser no1 --role nominated_officer
adduser no2 --role nominated_officer
adduser aud --role auditor
adduser root --role admin
adduser acme --role exporter --org "Acme Ltd"
cat >"$TMP/own.csv" <<'CSV'
reference,type,issued_on,expires_on,destination,end_user,end_user_type,end_use,rating,goods_summary,quantity,value_gbp,status,tags
GBSIEL/2023/0000101/P,SIEL,2023-03-01,2025-03-01,IL,Israel Ministry of Defence,armed_forces,F-16 maintenance,ML10.a,components for military combat aircraft,40,125000,issued,
CSV
expect_ok "a licence in the register" import licences "$TMP/own.csv" --format penholder-csv
LIC=GBSIEL/2023/0000101/P
# A substantive response in its three parts: what was decided, what was done
# or not done, and why.
DECISION="The F-16 components line is suspended pending the review of the licence."
ACTIONS="The licence was referred to the review; no shipment leaves until it reports."
REASONS="The latest evidence meets the clear-risk test of Criterion 2c for that end use."
respond_ok() { # DESCRIPTION ID OUTCOME [more options...]
    d=$1 id=$2 outcome=$3
    shift 3
    expect_ok "$d" concern respond "$id" --actor no1 --outcome "$outcome" --decision "$DECISION" --actions "$ACTIONS" --reasons "$REASONS" "$@"
}
expect_no_err() { if grep -qF -- "$1" "$ERR"; then fail "$2 (stderr has '$1')"; else pass "$2"; fi; }

# ---- the whole life of an open concern ----
export PENHOLDER_TODAY=2026-03-02
expect_ok "raise" concern raise --actor bob --about "licence:$LIC" --category legal-risk --criteria "2c, 7" \
    --text "Components may be used in Gaza strikes." --cosign dave
ID=$(head -1 "$OUT")
expect_eq "$ID" 1 "raise prints the id alone on the first line"
expect_eq "$(wc -l <"$OUT" | tr -d ' ')" 1 "and nothing else for an open concern"
expect_status 1 "an exporter cannot raise one" concern raise --actor acme --about "licence:$LIC" --category conduct --text x
expect_status 2 "an unknown licence is refused" concern raise --actor bob --about licence:GBSIEL/1999/0000001/P --category conduct --text x
expect_err "no licence GBSIEL/1999/0000001/P" "naming it"
expect_status 2 "an unknown criterion is refused" concern raise --actor bob --about "licence:$LIC" --category legal-risk --criteria 9z --text x
expect_status 2 "an unknown category is refused" concern raise --actor bob --about "licence:$LIC" --category gossip --text x
expect_err "is not one of legal_risk" "listing the categories"
expect_status 2 "a bad id is a usage error" concern show x --actor bob

expect_ok "the reporter reads it" concern show "$ID" --actor bob --json
expect_out '"state": "raised"' "raised"
expect_out '"acknowledge_by": "2026-03-09"' "acknowledge within 7 days"
expect_out '"respond_by": "2026-06-09"' "respond within 3 months of the end of the 7 days until acknowledged"
expect_out '"reporter": "bob"' "an open concern names its reporter"
expect_out '"dave"' "and its co-signatory"
expect_status 1 "an adviser who is not on it cannot read it" concern show "$ID" --actor carol
expect_status 1 "the administrator cannot read it" concern show "$ID" --actor root
expect_err "no concern 1 that you may read" "told there is none to read"

expect_status 1 "closing before any response is refused" concern close "$ID" --actor no1
expect_err "it closes only after a substantive response" "saying why"
expect_err "allowed now: acknowledge, escalate, message, reveal, extend" "listing what the officer may do now"
expect_status 1 "the reporter cannot close it either" concern close "$ID" --actor bob
expect_err "allowed now: escalate, message" "listing what the reporter may do now"
expect_no_err "acknowledge" "not the officer's events"
expect_status 1 "only a nominated officer acknowledges" concern ack "$ID" --actor bob
export PENHOLDER_TODAY=2026-03-04
expect_ok "the nominated officer acknowledges" concern ack "$ID" --actor no1
expect_out "acknowledged" "acknowledged"
expect_status 1 "closing an acknowledged-only concern is refused" concern close "$ID" --actor bob
expect_err "closes only after a substantive response" "an acknowledgement is not an end"
expect_ok "show" concern show "$ID" --actor no1 --json
expect_out '"respond_by": "2026-06-04"' "respond within 3 months of the acknowledgement"
expect_ok "the co-signatory writes" concern message "$ID" --actor dave --text "The targeting pods too."
expect_ok "a correction is a new message" concern message "$ID" --actor dave --text "Targeting pods: see line 2." --corrects 1
expect_status 2 "nobody corrects another's message" concern message "$ID" --actor no1 --text "x" --corrects 1
expect_ok "the officer considers it" concern consider "$ID" --actor no1
expect_status 2 "a reply that only notes is refused" concern respond "$ID" --actor no1 --outcome not-upheld --text "Thank you, we have noted your concerns."
expect_err "decision: required: say what was decided" "naming the missing part"
expect_err "decision, actions and reasons" "and the three parts a response has"
expect_status 2 "a response needs an outcome" concern respond "$ID" --actor no1 --outcome maybe --decision "$DECISION" --actions "$ACTIONS" --reasons "$REASONS"
expect_status 2 "a decision alone is not a response" concern respond "$ID" --actor no1 --outcome upheld --decision "$DECISION"
expect_err "actions: required: say what was done or not done" "naming the first part missing"
expect_status 2 "nor is one without its reasons" concern respond "$ID" --actor no1 --outcome upheld --decision "$DECISION" --actions "$ACTIONS"
expect_err "reasons: required: say why" "reasons named"
expect_status 2 "an empty part is refused" concern respond "$ID" --actor no1 --outcome upheld --decision "" --actions "$ACTIONS" --reasons "$REASONS"
expect_err "decision: required" "the empty part named"
expect_status 2 "a blank part is refused" concern respond "$ID" --actor no1 --outcome upheld --decision "$DECISION" --actions "   " --reasons "$REASONS"
expect_err "actions: required (it is blank)" "the blank part named"
expect_status 2 "a placeholder is refused" concern respond "$ID" --actor no1 --outcome upheld --decision "$DECISION" --actions "n/a" --reasons "$REASONS"
expect_err "actions: 'n/a' does not say what was done or not done" "the placeholder named"
expect_status 2 "a noted-only decision is refused" concern respond "$ID" --actor no1 --outcome not-upheld --decision "Noted." --actions "$ACTIONS" --reasons "$REASONS"
expect_err "an acknowledgement is not a response" "saying what a response is"
expect_status 2 "a part that copies another is refused" concern respond "$ID" --actor no1 --outcome upheld --decision "$DECISION" --actions "$ACTIONS" --reasons "$(echo "$DECISION" | tr a-z A-Z)"
expect_err "reasons: repeats the decision: say why" "naming the part it repeats"
expect_status 2 "the parts belong to a response only" concern escalate "$ID" --actor bob --reason "Slow." --decision "$DECISION"
expect_ok "the refusals wrote nothing" concern show "$ID" --actor no1 --json
expect_out '"state": "under_consideration"' "still under consideration"
respond_ok "the substantive response" "$ID" partly-upheld --text "The desk officer will write to the reporter too."
expect_ok "show it" concern show "$ID" --actor bob --json
expect_eq "$(jq -r '.response.decision' "$OUT")" "$DECISION" "the decision is on the record"
expect_eq "$(jq -r '.response.actions' "$OUT")" "$ACTIONS" "what was done"
expect_eq "$(jq -r '.response.reasons' "$OUT")" "$REASONS" "and why"
expect_eq "$(jq -r '.response.outcome + " " + .response.by' "$OUT")" "partly_upheld no1" "with its outcome and officer"
expect_eq "$(jq -r '.response.text' "$OUT")" "The desk officer will write to the reporter too." "and the note"
expect_eq "$(jq -r '[.events[] | select(.event == "respond")][0].reasons' "$OUT")" "$REASONS" "the parts are in the history too"
expect_eq "$(jq -r '[.events[] | select(.event != "respond") | has("decision")] | any' "$OUT")" false "and on no other event"
expect_ok "show it as text" concern show "$ID" --actor bob
expect_out "decided:" "the decision under its heading"
expect_out "done or not done:" "what was done"
expect_out "why:" "why"
expect_out "The latest evidence meets the clear-risk test" "the reasons in full"
expect_out "note:" "the note"
expect_eq "$(sql "SELECT decision || '|' || actions || '|' || reasons FROM concern_event WHERE concern_id = $ID AND event = 'respond'")" \
    "$DECISION|$ACTIONS|$REASONS" "stored as three columns of the respond event"
expect_ok "the reporter appeals" concern appeal "$ID" --actor bob --reason "The trainer line is also used in strikes."
expect_out "appealed" "appealed"
expect_ok "the appeal is considered" concern consider "$ID" --actor no1
respond_ok "and answered" "$ID" upheld --text "Appeal: the trainer line is also suspended."
expect_ok "show the second response" concern show "$ID" --actor bob --json
expect_eq "$(jq -r '.response.outcome' "$OUT")" upheld "the newest response is the one shown"
expect_eq "$(jq -r '[.events[] | select(.event == "respond")] | length' "$OUT")" 2 "both responses stay in the history"
expect_ok "the reporter closes it" concern close "$ID" --actor bob
expect_out "closed" "closed"
expect_status 1 "nothing happens to a closed concern" concern message "$ID" --actor bob --text "more"
expect_ok "the history" concern show "$ID" --actor aud --json
for e in raise acknowledge consider respond appeal close; do expect_out "\"event\": \"$e\"" "history has $e"; done
expect_out '"outcome": "upheld"' "the latest outcome"
expect_out '"corrects": 1' "the correction names the message"

# ---- append-only ----
sql "UPDATE concern_message SET text = 'rewritten' WHERE id = 1" 2>"$ERR" && fail "a message was edited" || pass "a message cannot be edited"
grep -q "never edited" "$ERR" && pass "the trigger says why" || fail "the trigger says why"
sql "DELETE FROM concern_event WHERE concern_id = 1" 2>/dev/null && fail "history was deleted" || pass "history cannot be deleted"
sql "DELETE FROM concern WHERE id = 1" 2>/dev/null && fail "a concern was deleted" || pass "a concern cannot be deleted"
sql "UPDATE concern SET text = 'x'" 2>/dev/null && fail "a concern was edited" || pass "a concern cannot be edited"
sql "UPDATE concern_event SET reasons = 'Because.' WHERE event = 'respond'" 2>/dev/null && fail "a response was edited" || pass "a response's parts cannot be edited"
sql "INSERT INTO concern_event(concern_id, event, to_state, actor, actor_role, on_date, outcome, text) VALUES (1, 'respond', 'responded', 'no1', 'nominated_officer', '2026-03-05', 'upheld', 'Noted.')" 2>"$ERR" \
    && fail "a response without its parts was stored" || pass "the schema refuses a response without its parts"
grep -q "what was decided, what was done or not done, and why" "$ERR" && pass "the trigger says why" || fail "the trigger says why"

# ---- deadlines: an acknowledged-only concern becomes overdue and escalates ----
export PENHOLDER_TODAY=2026-01-05
expect_ok "a second concern" concern raise --actor bob --about "licence:$LIC" --category implementation-dissent --text "Reviews are too slow."
ID2=$(head -1 "$OUT")
expect_ok "a third, never acknowledged" concern raise --actor bob --about "licence:$LIC" --category conduct --text "Findings were rebalanced."
ID3=$(head -1 "$OUT")
export PENHOLDER_TODAY=2026-01-06
expect_ok "acknowledged the next day" concern ack "$ID2" --actor no1
expect_ok "list as of the acknowledgement deadline" concern list --overdue --as-of 2026-01-12 --json
expect_out '"total": 0' "nothing overdue on the last day"
expect_ok "list a day later" concern list --overdue --as-of 2026-01-13 --json
expect_out "\"id\": $ID3" "the unacknowledged concern is overdue"
expect_no_out "\"id\": $ID2," "the acknowledged one is not"
expect_ok "list past the response deadline" concern list --overdue --as-of 2026-04-07 --json
expect_out "\"id\": $ID2," "the acknowledged-only concern is overdue after 3 months"
expect_out '"due": "2026-04-06"' "its response was due 3 months after acknowledgement"
expect_ok "the overdue list as a table" concern list --overdue --as-of 2026-04-07
expect_out "OVERDUE" "marked overdue"
expect_ok "the sweep" concern sweep --as-of 2026-04-07
expect_out "concern $ID2 escalated to nominated_officer" "escalated one level"
expect_out "concern $ID3 escalated to nominated_officer" "the unacknowledged one too"
expect_ok "the sweep again" concern sweep --as-of 2026-04-07
expect_out "0 escalated" "the sweep is idempotent"
expect_ok "show the escalated concern" concern show "$ID2" --actor no1 --json
expect_out '"state": "escalated"' "escalated"
expect_out '"level": "nominated_officer"' "at the next level"
expect_out '"by": "system"' "by the system"
expect_out '"due_for": "taking up at nominated_officer"' "the next level must take it up"
expect_ok "by hand, one level more" concern escalate "$ID2" --actor bob --reason "No answer after four months."
expect_out "escalated" "escalated again"
expect_status 1 "no level above the top" concern escalate "$ID2" --actor bob --reason "again"
expect_err "top of the escalation chain (civil_service_commission)" "naming the top"
expect_ok "still overdue at the top" concern sweep --as-of 2026-06-01
expect_out "overdue at the top of the chain" "reported, not escalated"
expect_ok "audit log" audit log --object "concern:$ID2" --json
expect_out '"actor": "system"' "the sweep is on the audit log"
expect_out '"action": "concern.escalate"' "as an escalation"

# ---- confidential concerns ----
expect_status 1 "no key yet: a confidential concern is refused" concern raise --actor quiet.penholder \
    --about "licence:$LIC" --category legal-risk --text "x" --confidential
expect_err "concern keys init" "saying how to set up a key"
echo "short" | "$PH" concern keys init --actor no1 >"$OUT" 2>"$ERR" && fail "a short key password" || pass "a short key password is refused"
echo "$PW" | "$PH" concern keys init --actor bob >"$OUT" 2>"$ERR" && fail "keys for a case officer" || pass "only nominated officers have keys"
echo "$PW" | "$PH" concern keys init --actor no1 >"$OUT" 2>"$ERR" && pass "no1 makes a key" || fail "no1 makes a key"
echo "$PW" | "$PH" concern keys init --actor no1 >"$OUT" 2>"$ERR" && fail "a second key" || pass "one key per officer"
sql "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
count_name() { sql "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null; grep -a -o "quiet.penholder" "$PENHOLDER_DB" | wc -l | tr -d ' '; }
BEFORE=$(count_name)
export PENHOLDER_TODAY=2026-03-10
expect_ok "a confidential concern" concern raise --actor quiet.penholder --about "licence:$LIC" --category legal-risk \
    --criteria 2c --text "Instructed to rebalance findings on civilian harm." --confidential --cosign bob
CID=$(sed -n 1p "$OUT")
RECEIPT=$(sed -n 2p "$OUT")
case "$RECEIPT" in pcr-????-????-????-????-????-????-????-????) pass "a receipt code on the second line";; *) fail "receipt '$RECEIPT'";; esac
expect_err "shown once" "the reporter is told to keep it"
expect_eq "$(sql "SELECT count(*) FROM concern WHERE receipt_sha256 = '$(printf '%s' "$RECEIPT" | sha256sum | cut -c1-64)'")" 0 \
    "the code itself is not what is stored (its bytes are hashed)"
expect_eq "$(sql "SELECT reporter IS NULL, length(receipt_sha256), raised_on FROM concern WHERE id = $CID")" "1|64|2026-03-10" \
    "no reporter column, the receipt as a hash, the day but no time"
expect_eq "$(count_name)" "$BEFORE" "the database file holds the reporter's name no more often than before"
UID_=$(sql "SELECT id FROM account WHERE name = 'quiet.penholder'")
for t in concern concern_cosignatory concern_event concern_message concern_seal concern_key concern_setting; do
    if sqlite3 "$PENHOLDER_DB" ".dump $t" | grep -q -e "quiet" -e "\"account_id\":$UID_"; then
        fail "table $t names the reporter"
    else
        pass "table $t does not name the reporter"
    fi
done
expect_eq "$(sql "SELECT count(*) FROM concern_cosignatory WHERE concern_id = $CID")" 0 "co-signatories of a confidential concern are sealed too"
expect_eq "$(sql "SELECT count(*) FROM concern_event WHERE concern_id = $CID AND actor NOT LIKE 'reporter-%'")" 0 \
    "the reporter's events carry the pseudonym"
expect_eq "$(sql "SELECT count(*) FROM audit_entry WHERE object_type = 'concern' AND object_id = '$CID' AND actor = '$UID_'")" 0 \
    "no audit entry of the concern carries the account's id"
expect_eq "$(sql "SELECT count(*) FROM audit_entry WHERE object_type = 'concern' AND object_id = '$CID' AND actor LIKE '%quiet%'")" 0 \
    "no audit entry of the concern names the reporter"
expect_eq "$(sql "SELECT count(*) FROM audit_entry WHERE object_type <> 'account' AND (actor LIKE '%quiet%' OR object_id LIKE '%quiet%')")" 0 \
    "nor any other audit entry but the account's own creation"
expect_ok "the audit log of the concern" audit log --object "concern:$CID" --json
expect_no_out "quiet" "its audit log does not name the reporter"
expect_out '"actor": "reporter-' "the actor is a pseudonym"
expect_ok "the auditor reads it" concern show "$CID" --actor aud --json
expect_out '"reporter": null' "without the reporter"
expect_out '"reporter_sealed": true' "sealed"
expect_no_out "quiet" "nowhere in the auditor's view"
expect_no_out '"bob"' "nor the sealed co-signatory"
expect_status 1 "the administrator cannot read it" concern show "$CID" --actor root
expect_ok "the list of everything" concern list --json
expect_no_out "quiet" "no list names the reporter"
expect_ok "the reporter's own account does not see it as theirs" concern list --actor quiet.penholder --json
expect_no_out "\"id\": $CID," "the account cannot be linked to it"
expect_status 1 "nor read it by account" concern show "$CID" --actor quiet.penholder

# Following by receipt.
expect_ok "the receipt holder reads it" concern show "$CID" --receipt "$RECEIPT"
expect_out "sealed; on the record as reporter-" "as the pseudonym"
echo "$RECEIPT" | "$PH" concern show "$CID" --receipt - >"$OUT" 2>"$ERR" && pass "the receipt from standard input" || fail "the receipt from standard input"
UPPER=$(echo "$RECEIPT" | tr a-z A-Z | tr -d -)
expect_ok "case and dashes do not matter" concern show "$CID" --receipt "$UPPER"
case "$RECEIPT" in *a) BAD=$(echo "$RECEIPT" | sed 's/.$/b/') ;; *) BAD=$(echo "$RECEIPT" | sed 's/.$/a/') ;; esac
expect_status 1 "a wrong receipt reads nothing" concern show "$CID" --receipt "$BAD"
expect_err "no concern $CID with that receipt code" "one answer for every wrong code"
expect_status 1 "nor another concern's" concern show "$ID2" --receipt "$RECEIPT"
expect_status 1 "a malformed receipt" concern show "$CID" --receipt "pcr-1234"
expect_ok "the reporter writes by receipt" concern message "$CID" --receipt "$RECEIPT" --text "Emails of 3 March attached."
expect_ok "the officer acknowledges" concern ack "$CID" --actor no1
expect_status 1 "the receipt holder cannot close before a response" concern close "$CID" --receipt "$RECEIPT"
expect_err "concern $CID is acknowledged: it closes only after a substantive response" "saying why"
expect_err "allowed now: escalate, message" "listing only what the reporter may do"
expect_no_err "consider" "never the officer's events"
expect_no_err "reveal" "not even revealing"
expect_status 1 "nor appeal before a response" concern appeal "$CID" --receipt "$RECEIPT" --reason "No answer."
expect_err "'appeal' is not allowed (allowed: escalate, message)" "the reporter's events only"
expect_ok "and answers the thread" concern message "$CID" --actor no1 --text "Received; who else saw them?"
expect_ok "the thread by receipt" concern show "$CID" --receipt "$RECEIPT" --json
expect_out "Received; who else saw them?" "the reporter sees the answer"
expect_out "Emails of 3 March attached." "and their own message"
expect_no_out "quiet" "still without their name"

# Revealing: only a nominated officer, with their key's password, on the record.
echo "wrong password here" | "$PH" concern reveal "$CID" --actor no1 --reason "Tribunal order" >"$OUT" 2>"$ERR" \
    && fail "a wrong password reveals" || pass "a wrong password reveals nothing"
grep -q "does not open key" "$ERR" && pass "the key does not open" || fail "the key does not open"
echo "$PW" | "$PH" concern reveal "$CID" --actor aud --reason "curious" >"$OUT" 2>"$ERR" && fail "an auditor reveals" || pass "an auditor cannot reveal"
echo "$PW" | "$PH" concern reveal "$CID" --actor root --reason "curious" >"$OUT" 2>"$ERR" && fail "an admin reveals" || pass "an administrator cannot reveal"
echo "$PW" | "$PH" concern reveal "$CID" --actor no1 >"$OUT" 2>"$ERR" && fail "a reveal without reason" || pass "a reveal needs a reason"
echo "$PW" | "$PH" concern reveal "$CID" --actor no1 --reason "Employment tribunal order ET/2026/17" >"$OUT" 2>"$ERR" \
    && pass "the nominated officer reveals" || fail "the nominated officer reveals"
expect_out "raised by quiet.penholder" "the identity"
expect_out "co-signed by bob" "and the sealed co-signatory"
expect_ok "the opening is on the concern" concern show "$CID" --actor aud --json
expect_out '"event": "reveal"' "a reveal event"
expect_out "Employment tribunal order ET/2026/17" "with its reason"
expect_no_out "quiet" "which does not name who was revealed"
expect_ok "and on the audit log" audit log --object "concern:$CID" --json
expect_out '"action": "concern.reveal"' "concern.reveal"
expect_out '"actor": "no1"' "by the officer"

# A nominated officer who joins later.
echo "$PW" | "$PH" concern keys init --actor no2 >/dev/null 2>&1 && pass "no2 makes a key" || fail "no2 makes a key"
echo "$PW" | "$PH" concern reveal "$CID" --actor no2 --reason "check" >"$OUT" 2>"$ERR" && fail "no2 opens an older seal" || pass "an older seal was not made for no2"
grep -q "concern keys grant" "$ERR" && pass "told how to get it" || fail "told how to get it"
echo "$PW" | "$PH" concern keys grant --actor no1 --to no2 >"$OUT" 2>"$ERR" && pass "no1 grants the seals to no2" || fail "grant"
expect_out "1 sealed identity granted to no2" "one seal granted"
echo "$PW" | "$PH" concern keys grant --actor no1 --to no2 >"$OUT" 2>"$ERR"
expect_out "0 sealed identities granted" "granting again adds nothing"
echo "$PW" | "$PH" concern reveal "$CID" --actor no2 --reason "Second officer's review" >"$OUT" 2>"$ERR" \
    && pass "no2 opens it now" || fail "no2 opens it now"
expect_out "quiet.penholder" "the same identity"
export PENHOLDER_TODAY=2026-03-12
expect_ok "a new confidential concern is sealed to both" concern raise --actor quiet.penholder --about "licence:$LIC" \
    --category conduct --text "Second concern." --confidential
CID2=$(head -1 "$OUT")
expect_eq "$(sql "SELECT count(*) FROM concern_seal WHERE concern_id = $CID2")" 2 "one seal per officer"
expect_eq "$(sql "SELECT count(DISTINCT length(sealed)) FROM concern_seal")" 1 "every seal has the same length, whatever the names"
"$PH" users disable no2 >/dev/null
expect_ok "a disabled officer gets no new seals" concern raise --actor quiet.penholder --about "licence:$LIC" \
    --category conduct --text "Third concern." --confidential
expect_eq "$(sql "SELECT count(*) FROM concern_seal WHERE concern_id = $(head -1 "$OUT")")" 1 "sealed to no1 only"
"$PH" users enable no2 >/dev/null
printf '%s\n%s\n' "$PW" "a new long password" | "$PH" concern keys rewrap --actor no1 >/dev/null 2>&1 && pass "rewrap" || fail "rewrap"
echo "$PW" | "$PH" concern reveal "$CID" --actor no1 --reason "old password" >/dev/null 2>&1 && fail "the old password still opens" || pass "the old password no longer opens the key"
echo "a new long password" | "$PH" concern reveal "$CID" --actor no1 --reason "after rewrap" >"$OUT" 2>"$ERR" && pass "the new one does" || fail "the new one does"

# The receipt holder closes after the response.
respond_ok "respond to the confidential concern" "$CID" upheld
expect_ok "the receipt holder closes it" concern close "$CID" --receipt "$RECEIPT"
expect_ok "audit log of the close" audit log --object "concern:$CID" --json
expect_no_out "quiet" "the close names no one"

# ---- policy pins ----
expect_ok "policy list" policy list --json
POLICY_SHA=$(grep -o '"sha256": "[0-9a-f]*"' "$OUT" | head -1 | cut -d'"' -f4)
expect_ok "a concern about a policy" concern raise --actor bob --about policy:uk-selc-2021 --category policy-dissent --text "Criterion 2c is applied with a higher bar than the text."
PID=$(head -1 "$OUT")
expect_ok "show it" concern show "$PID" --actor bob --json
expect_out "\"sha256\": \"$POLICY_SHA\"" "the policy is pinned by its SHA-256"
expect_status 2 "an unknown policy version" concern raise --actor bob --about policy:uk-selc-2021@1999 --category policy-dissent --text x
expect_status 2 "a review id that is not a number" concern raise --actor bob --about review:abc --category conduct --text x
expect_err "a review is named by its reference (RV-0001) or its number" "saying how a review is named"
expect_status 2 "a review that does not exist" concern raise --actor bob --about review:RV-0001 --category conduct --text x
expect_err "no review RV-0001" "named as RV-0001"
expect_ok "evidence for a review" evidence add --destination IL --topic ihl --severity serious --summary "IHL findings" \
    --source "HCWS64" --date 2024-09-02 --reliability high
cat >"$TMP/review.json" <<'JSON'
{"title": "Israel: IHL", "reason": "New evidence on the conduct of hostilities.", "criteria": ["2c"],
 "evidence": ["EV-0001"], "as_of": "2024-09-02", "exceptions": [],
 "scope": {"destinations": ["IL"], "statuses": ["issued"], "ratings": [], "end_user_types": []}}
JSON
expect_ok "a review" review create "$TMP/review.json" --actor bob
expect_out "RV-0001" "RV-0001"
expect_ok "a concern about review RV-0001" concern raise --actor bob --about review:RV-0001 --category policy-dissent --text "The review leaves out the trainer line."
RID=$(head -1 "$OUT")
expect_ok "a concern about review 1" concern raise --actor bob --about review:1 --category policy-dissent --text "Same review, by number."
RID2=$(head -1 "$OUT")
expect_ok "a concern about review rv-1" concern raise --actor bob --about review:rv-0001 --category conduct --text "Same review, lower case."
RID3=$(head -1 "$OUT")
expect_eq "$(sql "SELECT group_concat(about_id, ',') FROM concern WHERE id IN ($RID, $RID2, $RID3)")" "RV-0001,RV-0001,RV-0001" \
    "each is stored as the review's reference"
expect_ok "show it" concern show "$RID2" --actor bob
expect_out "about review RV-0001" "shown as RV-0001"
expect_ok "in the list" concern list --actor bob
expect_out "review:RV-0001" "listed as review:RV-0001"
expect_status 2 "an advice revision that does not exist" concern raise --actor bob --about advice:999 --category conduct --text x

# ---- statistics ----
expect_ok "stats" concern stats --format json
expect_out '"min_count": 3' "the suppression threshold"
expect_no_out "quiet" "statistics name no one"
expect_ok "stats as CSV" concern stats --format csv
expect_out "quarter,category,raised,acknowledged,acknowledged_on_time" "a CSV header"
expect_out "2026-Q1,implementation_dissent,<3" "a count of 1 or 2 is suppressed"
expect_ok "stats as a table" concern stats
expect_out "<3" "suppressed in the table too"

# ---- settings ----
expect_status 1 "only an administrator changes settings" concern settings set block_finalising yes --actor no1
expect_status 2 "a bad value is refused" concern settings set acknowledge_within soon --actor root
expect_err "acknowledge_within" "naming the setting"
expect_ok "the Dissent Channel preset" concern settings preset us-dissent-channel --actor root
expect_ok "settings" concern settings --json
expect_out '"acknowledge_within": "2wd"' "2 working days"
expect_out '"calendar": "united-states-federal"' "the US federal calendar"
export PENHOLDER_TODAY=2026-07-02
expect_ok "raised the day before Independence Day (observed Friday 3 July 2026)" concern raise --actor bob \
    --about "licence:$LIC" --category policy-dissent --text "Dissent."
DID=$(head -1 "$OUT")
expect_ok "show" concern show "$DID" --actor bob --json
expect_out '"acknowledge_by": "2026-07-07"' "2 working days skip the holiday and the weekend"
expect_out '"level": "policy_planning_staff"' "the chain of the preset"
expect_ok "an extension is allowed here" concern ack "$DID" --actor no1
expect_ok "extend" concern extend "$DID" --actor no1 --reason "Consultation with the desk."
expect_status 1 "only once" concern extend "$DID" --actor no1 --reason "again"
expect_ok "settings by key" concern settings set respond_within 45wd --actor root
expect_ok "audit log of settings" audit log --object concern_setting:respond_within --json
expect_out '"actor": "root"' "settings changes are audited"

# ---- the audit log verifies, and catches history rewritten behind its back ----
expect_ok "audit verify" audit verify
sql "DROP TRIGGER concern_event_no_update; UPDATE concern_event SET reasons = 'Because we said so, that is all.' WHERE event = 'respond' AND concern_id = $CID"
expect_status 1 "a response's reasons rewritten are caught" audit verify
expect_out "concern $CID was changed without an audit entry" "naming the concern"
sql "UPDATE concern_event SET text = 'Nothing to see' WHERE event = 'respond' AND concern_id = $ID"
expect_status 1 "a rewritten response is caught" audit verify
expect_out "concern $ID was changed" "naming the concern"
finish
