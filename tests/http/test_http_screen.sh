# Screening over HTTP: one name and bulk, staff only, explanations, errors.
. "$(dirname "$0")/lib.sh"

expect_ok "init" init
user officer case_officer
user acme exporter --org "Acme Ltd"
OFFICER=$(token officer); ACME=$(token acme)
start_server
J="-H Content-Type:application/json"
as "$OFFICER" POST /api/v1/screen $J --data '{"name": "Orion Dual Use Trading"}'
expect_problem 409 no-lists "no list loaded: a clear 409"
# Lists imported while the server runs are picked up.
expect_ok "import a list" lists import --format ftm-json --list demo-watchlist "$ROOT/data/demo/watchlist.ftm.json"
as "$OFFICER" POST /api/v1/screen $J --data '{"name": "Orion Dual Use Trading", "explain": true}'
expect_code 200 "screened"
jq_is '.hits[0].entity_id' demo-0001 "the listed entity is the first hit"
jq_is '.hits[0].alert' true "and an alert"
jq_is '.hits[0].explanation.parts | length > 0' true "with its explanation"
as "$OFFICER" POST /api/v1/screen $J --data '{"name": "HALLORAN, Marek", "dob": "1971", "type": "person"}'
jq_is '.hits[0].entity_id' demo-0003 "surname first, with a date of birth"
as "$OFFICER" POST /api/v1/screen $J --data '{"name": "Corp"}'
expect_code 200 "a legal form alone"
jq_is '.hits | length' 0 "gives no hits"
jq_is '.notice | length > 0' true "and says why"
as "$OFFICER" POST /api/v1/screen $J --data '{"name": "x", "colour": "red"}'
expect_problem 422 validation "unknown fields are refused"
as "$OFFICER" POST /api/v1/screen $J --data '{"name": "Orion", "dob": "yesterday"}'
expect_code 422 "a bad date of birth names the field"
as "$OFFICER" POST /api/v1/screen/bulk $J --data '{"queries": [{"name": "Sable Marine Logistics"}, {"name": "Nobody At All"}, {"name": "Kestrel Avionics", "country": "TR"}]}'
expect_code 200 "bulk"
jq_is '.results | length' 3 "one result per query"
jq_is '.results[0].hits[0].entity_id' demo-0004 "in order: first"
jq_is '[.results[1].hits[] | select(.alert)] | length' 0 "second: no alert"
jq_is '.results[2].hits[0].entity_id' demo-0005 "third"
as "$OFFICER" POST /api/v1/screen/bulk $J --data '{"queries": [{"name": "ok"}, {"name": ""}]}'
expect_problem 422 validation "an empty name in bulk"
jq_is '.detail + (.errors | tostring) | test("queries\\[1\\]")' true "names its path"
as "$ACME" POST /api/v1/screen $J --data '{"name": "Orion"}'
expect_code 403 "exporters cannot screen"

# A submitted application is screened against the list versions loaded,
# and the case says which: hits name their list version, and a run records
# every list checked (a clear result is clear against those).
sed 's/"Elbit Systems Ltd"/"Orion Dual Use Trading FZE"/' "$ROOT/tests/cases/application.json" >"$TMP/app.json"
grep -q "Orion Dual Use" "$TMP/app.json" && pass "the application names a listed party" || fail "fixture edit"
as "$ACME" POST /api/v1/applications $J --data @"$TMP/app.json"
P=$(jq -r .reference "$OUT" | tr / -)
as "$ACME" POST /api/v1/applications/$P/submit
expect_code 200 "submitted"
as "$OFFICER" GET /api/v1/applications/$P
jq_is '[.screening[] | .list_version] | unique | join(" ")' "demo-watchlist:1" "a hit names its list version"
jq_is '.screened_against.lists | map(.list + ":" + (.version | tostring)) | join(" ")' "demo-watchlist:1" \
    "the case records the lists it was screened against"
jq_is '.screened_against.alerts >= 1' true "with the count of alerts"
jq_is '.screened_against.parties' 3 "and of parties screened (the exporter too)"
expect_eq "$(sql "SELECT count(*) FROM screening_run")" "1" "one screening run"
if sqlite3 "$PENHOLDER_DB" "DELETE FROM screening_run" 2>/dev/null; then fail "a screening run was deleted"; else pass "a screening run cannot be deleted"; fi
finish
