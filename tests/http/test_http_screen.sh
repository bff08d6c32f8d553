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
finish
