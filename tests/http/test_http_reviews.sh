# A review of extant licences over HTTP: created, run, approved and applied
# by the right people, with the report as JSON, CSV and HTML; the rules
# that must hold (the creator never approves, nothing is applied before
# approval, exporters see nothing); every step on the audit log.
. "$(dirname "$0")/lib.sh"

export PENHOLDER_AUDIT_TIME=2024-09-02T10:00:00Z
expect_ok "init" init
user officer case_officer
user dm decision_maker
user dm2 decision_maker
user adv adviser --team fcdo
user acme exporter --org "Acme Aerospace Ltd"
OFFICER=$(token officer); DM=$(token dm); DM2=$(token dm2); ADV=$(token adv); ACME=$(token acme)
"$PH" review scenario --out "$TMP/register.csv" >/dev/null
"$PH" import licences "$TMP/register.csv" --format penholder-csv >/dev/null
"$PH" evidence add --destination IL --topic ihl --severity serious --summary "Possible breaches of IHL" \
    --source "FCDO" --date 2024-09-02 --reliability high >/dev/null
start_server
REVIEW="$ROOT/tests/review/israel-2024.json"
J="-H Content-Type:application/json"

# ---- create ----
as "$ADV" POST /api/v1/reviews $J --data @"$REVIEW"
expect_problem 403 forbidden "an adviser cannot create a review"
as "$ACME" GET /api/v1/reviews
expect_problem 403 forbidden "exporters see no reviews"
as "$OFFICER" POST /api/v1/reviews $J --data "$(jq '.scope.destinations = ["Narnia"]' "$REVIEW")"
expect_problem 422 validation "an unknown destination"
jq_is '.errors[0].path' "scope.destinations[0]" "names the field"
as "$OFFICER" POST /api/v1/reviews $J --data "$(jq '.exceptions[0].select = {}' "$REVIEW")"
expect_problem 422 validation "an exception that selects nothing"
jq_is '.errors[0].path' "exceptions[0].select" "names the exception"
as "$DM" POST /api/v1/reviews $J --data @"$REVIEW"
expect_code 201 "a decision maker creates the review"
expect_eq "$(header Location)" "/api/v1/reviews/RV-0001" "Location names it"
jq_is '.status' draft "a draft"
jq_is '.definition.exceptions[0].authority' HCWS64 "with its exception"

# ---- run ----
as "$DM" GET /api/v1/reviews/RV-0001/report
expect_problem 409 conflict "no report before a run"
as "$OFFICER" POST /api/v1/reviews/RV-0001/run
expect_code 201 "the dry run"
jq_is '.summary | "\(.suspend) \(.exception) \(.refer) \(.continue)"' "30 8 24 288" "30 suspend, 8 exception, 24 refer, 288 continue"
jq_is '[.licences[] | select(.action == "exception")][0].exception.authority' HCWS64 "the exception's authority"
as "$DM" POST /api/v1/reviews/RV-0001/run
expect_code 201 "run again"
jq_is '.run' 2 "the second run"
as "$ADV" GET "/api/v1/reviews/RV-0001/results?run=1"
expect_code 200 "any member of staff reads the results"
jq_is '.licences | length' 350 "every licence in scope"

# ---- approve and apply ----
as "$DM2" POST /api/v1/reviews/RV-0001/apply $J --data '{}'
expect_problem 409 conflict "nothing is applied before approval"
as "$OFFICER" POST /api/v1/reviews/RV-0001/approve $J --data '{}'
expect_problem 403 forbidden "a case officer cannot approve"
as "$DM" POST /api/v1/reviews/RV-0001/approve $J --data '{"note": "agreed"}'
expect_problem 403 forbidden "the creator cannot approve"
jq_is '.detail | test("another decision maker must approve it")' true "says why"
as "$DM2" POST /api/v1/reviews/RV-0001/approve $J --data '{"run": 1, "note": "agreed"}'
expect_problem 409 conflict "approval names the run read, which must be the newest"
as "$DM2" POST /api/v1/reviews/RV-0001/approve $J --data '{"run": 1, "note": "agreed", "extra": 1}'
expect_problem 422 validation "unknown fields are refused"
as "$DM2" POST /api/v1/reviews/RV-0001/approve $J --data '{"note": "Suspend as recommended."}'
expect_code 200 "another decision maker approves"
jq_is '.approval.by' dm2 "the approval is recorded"
as "$OFFICER" POST /api/v1/reviews/RV-0001/run
expect_problem 409 conflict "an approved review is not run again"
as "$DM2" POST /api/v1/reviews/RV-0001/apply $J --data '{"batch": 10}'
expect_code 200 "applied"
jq_is '.applied_now | "\(.changed) \(.referred) \(.customs_notifications) \(.batches)"' "30 24 30 3" "30 suspended in 3 batches, 24 referred"
jq_is '.status' applied "the review is applied"
as "$DM2" POST /api/v1/reviews/RV-0001/apply
expect_code 200 "applying again"
jq_is '.applied_now.already_applied' true "does nothing"
expect_eq "$(sql "SELECT count(*) FROM licence WHERE status = 'suspended'")" 30 "30 licences suspended once"
as "$OFFICER" GET /api/v1/customs-notifications
jq_is '.notifications | length' 30 "the customs outbox"

# ---- the work queue ----
as "$OFFICER" GET /api/v1/reviews/RV-0001/referrals
jq_is '.referrals | length' 24 "the work queue"
REF=$(jq -r '.referrals[0].reference' "$OUT" | tr / -)
as "$OFFICER" POST "/api/v1/reviews/RV-0001/referrals/$REF/resolve" $J --data '{"decision": "continue", "reason": "x"}'
expect_problem 403 forbidden "a case officer cannot resolve a referral"
as "$DM" POST "/api/v1/reviews/RV-0001/referrals/$REF/resolve" $J --data '{"decision": "revoke", "reason": "x"}'
expect_problem 422 validation "an unknown decision"
as "$DM" POST "/api/v1/reviews/RV-0001/referrals/$REF/resolve" $J --data '{"decision": "continue", "reason": "Trainer parts."}'
expect_code 200 "a decision maker resolves it"
jq_is '.application.referrals_open' 23 "one fewer open"

# ---- the report ----
as "$ADV" GET /api/v1/reviews/RV-0001/report
expect_code 200 "the report as JSON"
jq_is '.results_sha256.matches' true "the results are as recorded"
jq_is '.review.status' applied "with the review's state"
as "$ADV" GET /api/v1/reviews/RV-0001/report.csv
expect_code 200 "the report as CSV"
expect_eq "$(header Content-Type)" "text/csv; charset=utf-8" "CSV content type"
expect_eq "$(wc -l <"$OUT" | tr -d ' ')" 351 "a row per licence and a header"
as "$ADV" GET /api/v1/reviews/RV-0001/report.html
expect_code 200 "the report as HTML"
expect_eq "$(header Content-Type)" "text/html; charset=utf-8" "HTML content type"
header Content-Security-Policy | grep -q "default-src 'none'" && pass "a strict content security policy" \
    || fail "no content security policy"
grep -q 'review-figure__number">30<' "$OUT" && pass "the headline figure" || fail "no headline figure"
as "$ACME" GET /api/v1/reviews/RV-0001/report.html
expect_problem 403 forbidden "exporters never read a review"
req GET /govuk/govuk-frontend.min.css
case $CODE in 200 | 404) pass "the stylesheet the report links is served from web/ when present ($CODE)" ;;
    *) fail "the stylesheet gave $CODE" ;; esac

# ---- the audit log ----
expect_ok "audit log of the review" audit log --object review:RV-0001 --json
expect_eq "$(jq -r '[.[].action] | unique | join(" ")' "$OUT")" \
    "review.apply review.apply_batch review.approve review.create review.resolve review.run" "every step is audited"
expect_eq "$(jq -r '[.[] | select(.action == "review.approve")][0].actor' "$OUT")" dm2 "with who did it"
expect_ok "audit verify" audit verify
stop_server
expect_eq "$STATUS" 0 "clean exit"
finish
