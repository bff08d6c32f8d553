# The whole life of an application over HTTP, every step by the right
# person, on the audit log: draft, submit, checks, rating, advice,
# countersignature, decision, licence; and the rules that must hold.
. "$(dirname "$0")/lib.sh"

export PENHOLDER_AUDIT_TIME=2026-11-29T10:00:00Z
expect_ok "init" init
user acme exporter --org "Acme Aerospace Ltd"
user other exporter --org "Other Exports plc"
user officer case_officer
user tau technical_assessor
user fcdo adviser --team fcdo
user mod adviser --team mod
user signer countersigner
user dm decision_maker
user auditor1 auditor
ACME=$(token acme); OTHER=$(token other); OFFICER=$(token officer); TAU=$(token tau)
FCDO=$(token fcdo); MOD=$(token mod); SIGNER=$(token signer); DM=$(token dm); AUD=$(token auditor1)
start_server
APP="$(dirname "$0")/../cases/application.json"
J="-H Content-Type:application/json"

# Draft
as "$OFFICER" POST /api/v1/applications $J --data @"$APP"
expect_code 403 "staff cannot create an exporter's application"
as "$ACME" POST /api/v1/applications $J --data @"$APP"
expect_code 201 "the exporter creates a draft"
REF=$(jq -r .reference "$OUT")
case "$REF" in GBSIEL/20[0-9][0-9]/[0-9][0-9][0-9][0-9][0-9][0-9][0-9]/P) pass "reference in the UK format ($REF)";; *) fail "reference $REF";; esac
P=$(echo "$REF" | tr / -)
expect_eq "$(header Location)" "/api/v1/applications/$P" "Location names the new application"
jq_is '.status' draft "it is a draft"
jq_is '.goods[0].rating' ML10.a "ratings are written with dots"
jq_is '.goods[1].value_gbp' 9000.5 "values in pounds"
ETAG=$(header ETag)

as "$OTHER" GET /api/v1/applications/$P
expect_code 404 "another organisation cannot see it"
as "$OTHER" GET /api/v1/applications
jq_is '.total' 0 "nor list it"

# Changing a draft needs If-Match; a stale one changes nothing.
as "$ACME" PUT /api/v1/applications/$P $J --data @"$APP"
expect_code 428 "a change without If-Match is refused"
as "$ACME" PUT /api/v1/applications/$P $J -H "If-Match: $ETAG" --data "$(jq '.end_use = "Maintenance of F-16 aircraft"' "$APP")"
expect_code 200 "the draft is changed"
as "$ACME" PUT /api/v1/applications/$P $J -H "If-Match: $ETAG" --data @"$APP"
expect_code 412 "a stale If-Match gets 412"
as "$ACME" GET /api/v1/applications/$P
jq_is '.end_use' "Maintenance of F-16 aircraft" "and changed nothing"
as "$ACME" PUT /api/v1/applications/$P $J -H "If-Match: $(header ETag)" --data '{"type": "SIEL", "destination": "Narnia", "end_use": "x", "exporter": "y", "parties": [], "goods": []}'
expect_problem 422 validation "a bad destination is refused"
jq_is '.detail | test("destination")' true "naming the field"

# Illegal transitions get 409 with the events allowed: in the detail, and
# as for licences in "allowed_events", the events the caller's role may
# fire from the status in "case_status".
as "$DM" POST /api/v1/applications/$P/decision $J --data '{"decision": "issue", "reason": "fine"}'
expect_problem 409 not-allowed "a draft cannot be decided"
jq_is '.detail | test("allowed: ")' true "409 names what is allowed"
jq_is '.case_status' draft "and the application's status"
jq_is '.allowed_events | type' array "allowed_events is an array"
jq_is '.allowed_events | length' 0 "a decision maker may fire nothing from draft"

as "$ACME" POST /api/v1/applications/$P/submit
expect_code 200 "submitted"
jq_is '.status' submitted "status submitted"
jq_is '.refusal_criteria' null "the exporter sees no internal detail"
jq_is 'has("screening") or has("advice") or has("assessment")' false "no screening, advice or assessment in the exporter view"
as "$OFFICER" GET /api/v1/applications/$P
jq_is '.assessment.recommendation | length > 0' true "staff see the assessment recorded at submission"
jq_is '.assessment.result.policy.id' uk-selc-2021 "with the policy it was made under"
jq_is '.sla.due | length' 10 "and the service-level due date"

as "$OFFICER" POST /api/v1/applications/$P/events $J --data '{"event": "consolidate"}'
expect_problem 409 not-allowed "a submitted case cannot be consolidated"
jq_is '.case_status' submitted "names the status"
jq_is '.allowed_events | join(",")' start_checks "and what a case officer may do from it"
as "$OFFICER" POST /api/v1/applications/$P/events $J --data '{"event": "start_checks"}'
expect_code 200 "the case officer takes the case"
as "$OFFICER" POST /api/v1/applications/$P/rfi $J --data '{"question": "Please provide the end-user undertaking."}'
expect_code 201 "a request for information"
RFI=$(jq -r '.rfis[0].id' "$OUT")
as "$ACME" POST /api/v1/applications/$P/rfi/$RFI/response $J --data '{"response": "Attached."}'
expect_code 200 "the exporter answers"
as "$OFFICER" POST /api/v1/applications/$P/notes $J --data '{"text": "Internal: check the consignee."}'
expect_code 201 "an internal note"
as "$ACME" GET /api/v1/applications/$P
jq_is '.notes | length' 0 "the exporter does not see internal notes"
jq_is '.rfis[0].response' "Attached." "but sees the request and the answer"
# The exporter's supporting documents: metadata on the case, the SHA-256 fixing the file.
DOC_SHA=$(printf 'end-user undertaking' | sha256sum | cut -d' ' -f1)
as "$ACME" POST /api/v1/applications/$P/documents $J --data "{\"name\": \"EUU-IMOD.pdf\", \"sha256\": \"$DOC_SHA\", \"size\": 20, \"content_type\": \"application/pdf\"}"
expect_code 201 "the exporter records a document"
jq_is '.documents[0].sha256' "$DOC_SHA" "the exporter's view lists it"
as "$ACME" POST /api/v1/applications/$P/documents $J --data '{"name": "x.pdf", "sha256": "not a hash but sixty-four characters long, padded out to the end", "size": 1, "content_type": "application/pdf"}'
expect_problem 422 validation "a SHA-256 that is not hex is refused"
as "$OFFICER" GET /api/v1/applications/$P
jq_is '[.documents[] | .name + " " + .uploaded_by] | join(",")' "EUU-IMOD.pdf acme" "staff see the document and who recorded it"
expect_eq "$(sql "SELECT count(*) FROM audit_entry WHERE action = 'case.document'")" "1" "recorded on the audit log"

as "$OFFICER" POST /api/v1/applications/$P/events $J --data '{"event": "send_to_technical"}'
expect_code 200 "goods go to the technical assessors"
as "$TAU" POST /api/v1/applications/$P/events $J --data '{"event": "complete_technical"}'
expect_code 409 "technical assessment cannot end with unrated goods"
jq_is '.case_status + ": " + (.allowed_events | join(","))' "technical_assessment: complete_technical" \
    "a guard that does not hold: the event is allowed from the status, the goods are not rated"
as "$TAU" POST /api/v1/applications/$P/goods/1/rating $J --data '{"rating": "ML10.a", "report_summary": "components for military combat aircraft"}'
expect_code 200 "line 1 rated"
as "$TAU" POST /api/v1/applications/$P/goods/2/rating $J --data '{"rating": "ZZ999"}'
expect_problem 422 validation "an unknown rating is refused"
as "$TAU" POST /api/v1/applications/$P/goods/2/rating $J --data '{"rating": "ML5b", "report_summary": "components for targeting equipment"}'
expect_code 200 "line 2 rated"
as "$TAU" POST /api/v1/applications/$P/events $J --data '{"event": "complete_technical"}'
expect_code 200 "technical assessment complete"
jq_is '.status' under_advice "under advice"

# Advice: revisions, never edits.
as "$FCDO" POST /api/v1/applications/$P/advice $J --data '{"advice": "approve", "text": "Consistent with the criteria."}'
expect_code 201 "the FCDO advises"
as "$FCDO" POST /api/v1/applications/$P/advice $J --data '{"advice": "refuse", "text": "Clear risk under 2c.", "criteria": ["2c"]}'
expect_problem 422 validation "a second revision needs a reason"
as "$FCDO" POST /api/v1/applications/$P/advice $J --data '{"advice": "approve_with_provisos", "text": "Approve.", "provisos": "No use in Gaza.", "change_reason": "New evidence on end use"}'
expect_code 201 "a new revision with its reason"
jq_is '[.advice[] | select(.team == "fcdo")] | length' 2 "both revisions are kept"
jq_is '[.advice[] | select(.team == "fcdo" and .current)][0].revision' 2 "the newest is current"
FCDO_ADVICE=$(jq -r '[.advice[] | select(.team == "fcdo" and .current)][0].id' "$OUT")
FIRST_ADVICE=$(jq -r '[.advice[] | select(.team == "fcdo" and .revision == 1)][0].id' "$OUT")
as "$MOD" POST /api/v1/applications/$P/advice $J --data '{"advice": "approve", "text": "No objection."}'
expect_code 201 "the MOD advises"
MOD_ADVICE=$(jq -r '[.advice[] | select(.team == "mod")][0].id' "$OUT")
as "$OFFICER" POST /api/v1/applications/$P/events $J --data '{"event": "consolidate"}'
expect_code 200 "advice consolidated"

# Countersigning: never by an author; the superseded revision is refused.
as "$SIGNER" POST /api/v1/applications/$P/countersign $J --data "{\"advice\": $FIRST_ADVICE, \"accepted\": true, \"reasons\": \"ok\"}"
expect_code 409 "a superseded revision cannot be countersigned"
as "$SIGNER" POST /api/v1/applications/$P/countersign $J --data "{\"advice\": $FCDO_ADVICE, \"accepted\": true, \"reasons\": \"Proviso is proportionate.\"}"
expect_code 201 "FCDO advice countersigned"
as "$DM" POST /api/v1/applications/$P/decision $J --data '{"decision": "issue", "reason": "Advice accepted."}'
expect_code 409 "not decided while MOD advice is not countersigned"
jq_is '.detail | test("team mod")' true "the refusal names what is missing"
as "$SIGNER" POST /api/v1/applications/$P/countersign $J --data "{\"advice\": $MOD_ADVICE, \"accepted\": true, \"reasons\": \"Agreed.\"}"
expect_code 201 "MOD advice countersigned"

# Decision: a licence is issued.
as "$OFFICER" POST /api/v1/applications/$P/decision $J --data '{"decision": "issue", "reason": "x"}'
expect_code 403 "a case officer cannot decide"
as "$DM" POST /api/v1/applications/$P/decision $J --data '{"decision": "issue", "reason": "Advice accepted; provisos apply."}'
expect_code 200 "issued"
jq_is '.outcome' issued "outcome issued"
jq_is '.licence' "$REF" "a licence in the register"
expect_ok "the licence is in the register" licences show "$REF" --json
expect_out '"status": "issued"' "its status is issued"
expect_out '"rating": "ML10.a"' "with the assessed ratings"

# A second exporter application, refused, then appealed.
as "$ACME" POST /api/v1/applications $J --data @"$APP"
P2=$(jq -r .reference "$OUT" | tr / -)
for step in submit; do as "$ACME" POST /api/v1/applications/$P2/submit; done
as "$OFFICER" POST /api/v1/applications/$P2/events $J --data '{"event": "start_checks"}'
as "$OFFICER" POST /api/v1/applications/$P2/events $J --data '{"event": "send_to_advisers"}'
expect_code 409 "advisers need rated goods"
as "$ACME" POST /api/v1/applications/$P2/events $J --data '{"event": "withdraw", "reason": "changed plans"}'
expect_code 200 "the exporter withdraws"
jq_is '.status' withdrawn "withdrawn"
as "$ACME" POST /api/v1/applications/$P2/events $J --data '{"event": "submit"}'
expect_code 409 "nothing can happen to a withdrawn case"
jq_is '.detail | test("allowed: nothing")' true "and it says so"
jq_is '.case_status + " " + (.allowed_events | length | tostring)' "withdrawn 0" "in allowed_events too"

# The audit log holds every step and verifies.
stop_server
expect_ok "audit verify" audit verify
expect_ok "the case's history" audit log --object "case:$REF" --json
for action in case.create case.update case.submit case.start_checks case.rfi.raise case.rfi.answer case.note case.rate case.advice case.advice.revise case.countersign.accept case.issue; do
    expect_out "\"action\": \"$action\"" "audit log has $action"
done
# Advice is never deleted: the database refuses.
if sqlite3 "$PENHOLDER_DB" "DELETE FROM advice WHERE id = $MOD_ADVICE" 2>/dev/null; then
    fail "an advice revision was deleted"
else
    pass "the database refuses to delete an advice revision"
fi
# Tampering behind penholder's back (the triggers dropped, as someone with
# the file could) is caught.
sql "DROP TRIGGER countersignature_never_deleted; DROP TRIGGER advice_never_deleted;
     DELETE FROM countersignature WHERE advice_id = $MOD_ADVICE; DELETE FROM advice WHERE id = $MOD_ADVICE"
expect_status 1 "a deleted advice revision is caught" audit verify
expect_out "case" "naming the case"
finish
