# Licences over HTTP: the register as staff and exporters read it (each
# exporter its own organisation's licences only, through its own view), and
# suspension, reinstatement, revocation, exhaustion by staff and surrender by
# the exporter through the licence workflow, with If-Match, problem+json
# naming fields, 409 naming the allowed events, and every change on the
# audit log.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/flow.sh"

export PENHOLDER_AUDIT_TIME=2026-11-29T10:00:00Z
expect_ok "init" init
TODAY=$(date -u +%Y-%m-%d)
{
    echo "licence_group,date,rating,count,value,country,refused"
    echo "1,2026-01-10,ML10,1,1000,Israel,0"
    echo "2,2026-02-10,ML4,1,2000,Israel,0"
    echo "3,2026-03-10,ML10,1,3000,Saudi Arabia,0"
} >"$TMP/reg.csv"
expect_ok "import three licences" import licences "$TMP/reg.csv" --format caat-values
flow_users
setup_user other exporter --org "Other Exports plc"
OTHER=$(setup_token other)
start_server

# A licence issued on Acme's application.
flow_draft
flow_to_advice "$P"
flow_issue "$P"
expect_eq "$(jq -r .licence "$OUT")" "$REF" "the decision issued licence $REF"

# ---- reading: staff ----
as "$OFFICER" GET /api/v1/licences
expect_code 200 "staff list the register"
jq_is '.licences | length' 4 "every licence, imported or issued here"
jq_is '[.licences[].reference] | join(" ")' "CAAT-000001 CAAT-000002 CAAT-000003 $REF" "in date order"
jq_is '.limit' 50 "the default page"
as "$OFFICER" GET "/api/v1/licences?destination=Israel&rating=ML10&limit=1&offset=1"
jq_is '[.licences[].reference] | join(" ")' "$REF" "filters and pagination as licences list"
"$PH" licences list --destination Israel --rating ML10 --limit 1 --offset 1 --json >"$TMP/cli.json"
jq -S '.licences | map(del(.application))' "$OUT" >"$TMP/http.json"
jq -S . "$TMP/cli.json" >"$TMP/cli.s.json"
cmp -s "$TMP/http.json" "$TMP/cli.s.json" && pass "the list is what penholder licences list --json prints" \
    || fail "HTTP and CLI lists differ"
as "$OFFICER" GET "/api/v1/licences?from=2026-02-01&to=2026-03-31"
jq_is '[.licences[].reference] | join(" ")' "CAAT-000002 CAAT-000003" "from and to"
as "$OFFICER" GET "/api/v1/licences?from=February"
expect_problem 400 query "a bad date is refused"
as "$OFFICER" GET "/api/v1/licences?destination=Narnia"
expect_problem 400 query "an unknown destination is refused"
jq_is '.detail | test("Narnia")' true "naming it"
as "$OFFICER" GET "/api/v1/licences?colour=red"
expect_problem 400 query "an unknown parameter is refused"

as "$OFFICER" GET /api/v1/licences/CAAT-000001
expect_code 200 "a register reference with dashes is read as written"
jq_is '.lines[0].rating' ML10 "with its lines"
jq_is '.allowed_events | join(",")' "suspend,exhaust" "a case officer may suspend it or record it as exhausted"
"$PH" licences show CAAT-000001 --json >"$TMP/cli.json"
jq -S 'del(.application, .allowed_events)' "$OUT" >"$TMP/http.json"
jq -S . "$TMP/cli.json" | cmp -s - "$TMP/http.json" && pass "the staff view is licences show --json, plus application and allowed events" \
    || fail "HTTP and CLI licence views differ"
ETAG1=$(header ETag)
case "$ETAG1" in '"'*'"') pass "a strong ETag" ;; *) fail "ETag '$ETAG1'" ;; esac
as "$DM" GET "/api/v1/licences/$P"
expect_code 200 "a reference with slashes is read with dashes"
jq_is '.reference' "$REF" "the issued licence"
jq_is '.application' "$REF" "names the application it was issued on"
jq_is '.allowed_events | join(",")' "suspend,revoke" "a decision maker may suspend or revoke it"
as "$OFFICER" GET /api/v1/licences/CAAT-999999
expect_problem 404 not-found "an unknown licence"

# ---- reading: exporters ----
as "$ACME" GET /api/v1/licences
expect_code 200 "an exporter lists licences"
jq_is '[.licences[].reference] | join(" ")' "$REF" "only its organisation's"
jq_is '.licences[0] | has("criteria") or has("tags") or has("end_user_type") or has("allowed_events")' false \
    "through the exporter view"
as "$ACME" GET "/api/v1/licences/$P"
expect_code 200 "an exporter reads its licence"
jq_is 'keys | join(",")' "application,destination,destination_name,end_use,end_user,expires_on,issued_on,lines,reference,status,type,value_gbp" \
    "exactly the fields of the exporter view"
jq_is '.lines[0] | keys | join(",")' "goods_summary,line,quantity,rating,value_gbp" "and of its lines"
as "$ACME" GET /api/v1/licences/CAAT-000001
expect_problem 404 not-found "an imported licence is not the exporter's"
as "$OTHER" GET "/api/v1/licences/$P"
expect_problem 404 not-found "another organisation's licence is not found"
as "$OTHER" GET /api/v1/licences
jq_is '.licences | length' 0 "nor listed"
as "$ACME" POST "/api/v1/licences/$P/suspend" $J --data '{"reason": "x", "criteria": ["2c"]}'
expect_problem 403 forbidden "exporters cannot suspend"

# ---- suspension, reinstatement, revocation ----
as "$OFFICER" POST /api/v1/licences/CAAT-000001/suspend $J --data '{"reason": "Clear risk under 2c"}'
expect_problem 422 validation "suspension without criteria"
jq_is '.errors[0].path' criteria "names the criteria"
as "$OFFICER" POST /api/v1/licences/CAAT-000001/suspend $J --data '{"reason": "Clear risk", "criteria": ["9z"]}'
expect_problem 422 validation "an unknown criterion"
jq_is '.errors[0].path' criteria "names the criteria"
jq_is '.errors[0].detail | test("9z")' true "and the criterion"
as "$OFFICER" POST /api/v1/licences/CAAT-000001/suspend $J --data '{"reason": "  ", "criteria": ["2c"]}'
expect_problem 422 validation "a blank reason"
jq_is '.errors[0].path' reason "names the reason"
as "$OFFICER" POST /api/v1/licences/CAAT-000001/suspend $J --data '{"reason": "x", "criteria": ["2c"], "review": 3}'
expect_problem 422 validation "an unknown field"
jq_is '.errors[0].path' review "names it"
as "$OFFICER" POST /api/v1/licences/CAAT-000001/suspend $J -H 'If-Match: "0123456789abcdef0123456789abcdef"' \
    --data '{"reason": "Clear risk under 2c", "criteria": ["2c"]}'
expect_problem 412 stale "a stale If-Match"
expect_eq "$(sql "SELECT count(*) FROM licence_status_change")" "0" "no refused request changed anything"
as "$OFFICER" POST /api/v1/licences/CAAT-000001/suspend $J -H "If-Match: $ETAG1" \
    --data '{"reason": "Clear risk under 2c", "criteria": ["2C", "1a"]}'
expect_code 200 "the case officer suspends with the ETag read"
jq_is '.status' suspended "suspended"
jq_is '.change.criteria' "2c, 1a" "criteria normalised"
jq_is '.change.actor' officer "by the caller"
jq_is '.change.audit.tree_size > 0' true "with its audit entry"
ETAG2=$(header ETag)
[ "$ETAG2" != "$ETAG1" ] && pass "a new ETag" || fail "the ETag did not change"
as "$OFFICER" POST /api/v1/licences/CAAT-000001/suspend $J -H "If-Match: $ETAG2" --data '{"reason": "again", "criteria": ["2c"]}'
expect_problem 409 conflict "suspending a suspended licence"
jq_is '.licence_status' suspended "names the status"
jq_is '.allowed_events | join(",")' "" "and that a case officer may do nothing now"
jq_is '.detail | test("allowed from suspended: reinstate, revoke")' true "the detail lists the workflow's events"
as "$OFFICER" POST /api/v1/licences/CAAT-000001/reinstate $J --data '{"reason": "x"}'
expect_problem 403 forbidden "a case officer cannot reinstate"
as "$DM" POST /api/v1/licences/CAAT-000001/reinstate $J -H "If-Match: $ETAG2" --data '{"reason": "Assurances received"}'
expect_code 200 "the decision maker reinstates without criteria"
jq_is '.status' reinstated "reinstated"
as "$DM" POST /api/v1/licences/CAAT-000001/revoke $J --data '{"reason": "Final", "criteria": ["7"]}'
expect_code 200 "and revokes"
jq_is '.allowed_events | length' 0 "revoked is final"
as "$DM" POST /api/v1/licences/CAAT-000001/reinstate $J --data '{"reason": "x"}'
expect_problem 409 conflict "nothing follows revocation"
jq_is '.licence_status' revoked "revoked"

# suspended -> reinstated -> suspended is a new version, not the old one.
as "$OFFICER" POST /api/v1/licences/CAAT-000002/suspend $J --data '{"reason": "first", "criteria": ["2c"]}'
OLD=$(header ETag)
as "$DM" POST /api/v1/licences/CAAT-000002/reinstate $J --data '{"reason": "lifted"}'
as "$OFFICER" POST /api/v1/licences/CAAT-000002/suspend $J --data '{"reason": "second", "criteria": ["2c"]}'
[ "$(header ETag)" != "$OLD" ] && pass "the second suspension has a new ETag" || fail "ETag reused after suspend/reinstate/suspend"
as "$ACME" GET "/api/v1/licences/$P"
EXP_ETAG=$(header ETag)
as "$DM" GET "/api/v1/licences/$P"
[ "$(header ETag)" != "$EXP_ETAG" ] && pass "the two views have their own ETags" || fail "one ETag for two views"

# ---- surrender (the exporter) and exhaustion (a case officer) ----
as "$OFFICER" POST "/api/v1/licences/$P/surrender" $J --data '{"reason": "x"}'
expect_problem 403 forbidden "staff cannot surrender an exporter's licence"
as "$DM" POST "/api/v1/licences/$P/surrender" $J --data '{"reason": "x"}'
expect_problem 403 forbidden "nor can a decision maker"
as "$ACME" POST "/api/v1/licences/$P/exhaust" $J --data '{"reason": "x"}'
expect_problem 403 forbidden "exporters cannot record a licence as exhausted"
as "$OTHER" POST "/api/v1/licences/$P/surrender" $J --data '{"reason": "x"}'
expect_problem 404 not-found "another organisation cannot surrender it"
as "$ACME" POST /api/v1/licences/CAAT-000003/surrender $J --data '{"reason": "x"}'
expect_problem 404 not-found "nor can an exporter surrender an imported licence"
as "$ACME" POST "/api/v1/licences/$P/surrender" $J --data '{}'
expect_problem 422 validation "a surrender needs a reason"
jq_is '.errors[0].path' reason "names the reason"
as "$OFFICER" POST "/api/v1/licences/$P/suspend" $J --data '{"reason": "Pending enquiries", "criteria": ["7"]}'
expect_code 200 "the exporter's licence is suspended"
as "$ACME" POST "/api/v1/licences/$P/surrender" $J --data '{"reason": "No longer needed"}'
expect_problem 409 conflict "a suspended licence cannot be surrendered"
jq_is '.licence_status' suspended "names the status"
jq_is '.allowed_events | join(",")' "" "and that the exporter may do nothing now"
as "$DM" POST "/api/v1/licences/$P/reinstate" $J --data '{"reason": "Enquiries closed"}'
expect_code 200 "reinstated"
as "$ACME" GET "/api/v1/licences/$P"
ACME_ETAG=$(header ETag)
as "$ACME" POST "/api/v1/licences/$P/surrender" $J -H "If-Match: $ACME_ETAG" --data '{"reason": "The contract was cancelled"}'
expect_code 200 "the exporter surrenders its licence with the ETag it read"
jq_is '.status' surrendered "surrendered"
jq_is 'keys | join(",")' "application,change,destination,destination_name,end_use,end_user,expires_on,issued_on,lines,reference,status,type,value_gbp" \
    "in the exporter view"
jq_is '.change | keys | join(",")' "event,from,reference,time,to" "with the change as the exporter may see it"
jq_is '.change.from + " -> " + .change.to' "reinstated -> surrendered" "from reinstated"
[ "$(header ETag)" != "$ACME_ETAG" ] && pass "a new ETag" || fail "the ETag did not change"
as "$ACME" POST "/api/v1/licences/$P/surrender" $J --data '{"reason": "again"}'
expect_problem 409 conflict "surrendered is final"
jq_is '.licence_status' surrendered "surrendered"
as "$DM" GET "/api/v1/licences/$P"
jq_is '.allowed_events | length' 0 "nothing follows a surrender"

as "$DM" POST /api/v1/licences/CAAT-000003/exhaust $J --data '{"reason": "x"}'
expect_problem 403 forbidden "a decision maker does not record exhaustion"
as "$OFFICER" POST /api/v1/licences/CAAT-000003/exhaust $J --data '{"reason": "The licensed quantity has been shipped", "criteria": ["2c"], "extra": 1}'
expect_problem 422 validation "an unknown field"
as "$OFFICER" GET /api/v1/licences/CAAT-000003
jq_is '.allowed_events | join(",")' "suspend,exhaust" "a case officer may suspend or exhaust an issued licence"
as "$OFFICER" POST /api/v1/licences/CAAT-000003/exhaust $J -H "If-Match: $(header ETag)" --data '{"reason": "The licensed quantity has been shipped"}'
expect_code 200 "the case officer records the licence as exhausted"
jq_is '.status' exhausted "exhausted"
jq_is '.change.criteria' "" "no criteria are needed"
jq_is '.change.actor' officer "by the caller"
as "$OFFICER" POST /api/v1/licences/CAAT-000003/exhaust $J --data '{"reason": "again"}'
expect_problem 409 conflict "exhausted is final"
jq_is '.licence_status' exhausted "names the status"

# The register's workflow decides who may change a status: the routes'
# roles are the workflow's roles (exporters, for their own organisation's
# licences, where it names them).
"$PH" serve --routes >"$TMP/routes.tsv"
for ev in suspend reinstate revoke surrender exhaust; do
    want=$("$PH" workflow licence --json | jq -r --arg e "$ev" \
        '[.[] | select(.event == $e) | .roles | split(" ")[] | select(. != "system")] | unique | join(",")')
    got=$(awk -F '\t' -v p="/api/v1/licences/{ref}/$ev" '$2 == p { print $3 }' "$TMP/routes.tsv" | tr , '\n' | sort | paste -sd, -)
    expect_eq "$got" "$want" "$ev is for the roles of the licence workflow"
done

stop_server
expect_ok "audit verify" audit verify
expect_ok "the licence's history" audit log --object licence:CAAT-000001 --json
jq -r '[.[] | .action + " by " + .actor] | join("; ")' "$OUT" >"$TMP/history"
expect_eq "$(cat "$TMP/history")" "licence.suspend by officer; licence.reinstate by dm; licence.revoke by dm" \
    "every change on the log, by who made it"
expect_ok "the issued licence's history" audit log --object "licence:$REF" --json
expect_eq "$(jq -r '[.[] | .action + " by " + .actor] | join("; ")' "$OUT")" \
    "licence.issue by dm; licence.suspend by officer; licence.reinstate by dm; licence.surrender by acme" \
    "the surrender by the exporter"
expect_ok "the exhausted licence's history" audit log --object licence:CAAT-000003 --json
expect_eq "$(jq -r '[.[] | .action + " by " + .actor] | join("; ")' "$OUT")" "licence.exhaust by officer" "the exhaustion"
finish
