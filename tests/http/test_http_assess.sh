# Assessment, evidence and sanctions lists over HTTP, for staff only: the
# same JSON as the command line (assess --json, evidence list --json, lists
# --json, lists diff --json), errors naming the field path, evidence never
# edited (a correction supersedes) and imported all or nothing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/flow.sh"

A="$ROOT/tests/assess"
FIX="$ROOT/tests/fixtures/lists"
J="-H Content-Type:application/json"
expect_ok "init" init
setup_user officer case_officer
setup_user fcdo adviser --team fcdo
setup_user tau technical_assessor
setup_user aud auditor
setup_user acme exporter --org "Acme Aerospace Ltd"
OFFICER=$(setup_token officer); FCDO=$(setup_token fcdo); TAU=$(setup_token tau); AUD=$(setup_token aud); ACME=$(setup_token acme)
start_server

# ---- evidence ----
as "$FCDO" POST /api/v1/evidence/import $J --data @"$A/evidence.json"
expect_code 201 "an adviser imports evidence"
jq_is '[.added, .first, .last] | join(" ")' "3 EV-0001 EV-0003" "three entries"
expect_eq "$(sql "SELECT group_concat(actor || ' ' || action || ' ' || object_id, ', ') FROM audit_entry WHERE object_type = 'evidence'")" \
    "fcdo evidence.add EV-0001, fcdo evidence.add EV-0002, fcdo evidence.add EV-0003" \
    "each entry is audited under the adviser's account"
as "$OFFICER" GET /api/v1/evidence
expect_code 200 "staff read evidence"
"$PH" evidence list --json >"$TMP/cli.json"
jq -S . "$OUT" >"$TMP/http.s"; jq -S . "$TMP/cli.json" >"$TMP/cli.s"
cmp -s "$TMP/http.s" "$TMP/cli.s" && pass "the list is evidence list --json" || fail "HTTP and CLI evidence lists differ"
as "$OFFICER" GET "/api/v1/evidence?destination=Israel"
jq_is '[.[].id] | join(" ")' "EV-0001" "filtered by destination name"
as "$OFFICER" GET "/api/v1/evidence?destination=Narnia"
expect_problem 400 query "an unknown destination"
as "$ACME" GET /api/v1/evidence
expect_problem 403 forbidden "evidence is never shown to exporters"
as "$AUD" GET /api/v1/evidence
expect_code 200 "an auditor reads evidence"

ENTRY='{"destination": "IL", "topic": "ihl", "severity": "grave", "summary": "Reports of strikes on aid convoys.", "source": "UN OCHA", "date": "2024-10-01"}'
as "$OFFICER" POST /api/v1/evidence $J --data "$ENTRY"
expect_code 201 "a case officer adds an entry"
jq_is '.id' EV-0004 "its id"
jq_is '.reliability + " " + .classification + " " + .valid_from' "medium OFFICIAL 2024-10-01" "defaults as on the command line"
as "$FCDO" POST /api/v1/evidence $J --data "$(echo "$ENTRY" | jq '.severity = "serious" | .supersedes = "EV-0004" | .summary = "Corrected: one convoy."')"
expect_code 201 "a correction supersedes"
jq_is '.supersedes' EV-0004 "naming the entry it corrects"
as "$FCDO" POST /api/v1/evidence $J --data "$(echo "$ENTRY" | jq '.supersedes = "EV-0004"')"
expect_problem 409 conflict "an entry already superseded cannot be superseded again"
jq_is '.detail | test("EV-0005")' true "the newer entry is named"
as "$FCDO" POST /api/v1/evidence $J --data "$(echo "$ENTRY" | jq '.supersedes = "EV-0099"')"
expect_problem 422 validation "superseding nothing"
jq_is '.errors[0].path' supersedes "names supersedes"
as "$FCDO" POST /api/v1/evidence $J --data "$(echo "$ENTRY" | jq '.topic = "weather"')"
expect_problem 422 validation "an unknown topic"
jq_is '.errors[0].path' topic "names the topic"
jq_is '.errors[0].detail | test("expected ihl")' true "and what is expected"
as "$FCDO" POST /api/v1/evidence $J --data "$(echo "$ENTRY" | jq '.destination = "Narnia"')"
jq_is '.errors[0].path' destination "an unknown destination names the destination"
as "$FCDO" POST /api/v1/evidence $J --data "$(echo "$ENTRY" | jq '.date = "1 Oct"')"
jq_is '.errors[0].path' date "a bad date names the date"
as "$FCDO" POST /api/v1/evidence $J --data "$(echo "$ENTRY" | jq 'del(.summary) | .mood = "grim"')"
expect_problem 422 validation "a missing and an unknown field"
jq_is '[.errors[].path] | sort | join(",")' "mood,summary" "both named"
as "$TAU" POST /api/v1/evidence $J --data "$ENTRY"
expect_problem 403 forbidden "a technical assessor does not add evidence"
as "$ACME" POST /api/v1/evidence $J --data "$ENTRY"
expect_problem 403 forbidden "nor does an exporter"
BEFORE=$(sql "SELECT count(*) FROM evidence")
jq '. + [.[0] | .severity = "catastrophic"]' "$A/evidence.json" >"$TMP/bad.json"
as "$FCDO" POST /api/v1/evidence/import $J --data @"$TMP/bad.json"
expect_problem 422 validation "an import with a bad entry"
jq_is '.errors[0].path' "[3].severity" "names the entry and the field"
expect_eq "$(sql "SELECT count(*) FROM evidence")" "$BEFORE" "and adds nothing"
as "$FCDO" POST /api/v1/evidence/import $J --data '{"destination": "IL"}'
expect_problem 422 validation "an import is an array"
as "$FCDO" POST /api/v1/evidence/import $J --data '[]'
expect_code 200 "an empty import"
jq_is '.added' 0 "adds nothing"

# ---- assess ----
for f in ihl-combat-aircraft.json ordinary-approve.json full-embargo.json; do
    as "$OFFICER" POST /api/v1/assess $J --data @"$A/$f"
    expect_code 200 "$f assessed over HTTP"
    "$PH" assess "$A/$f" --json >"$TMP/cli.json"
    jq -S . "$OUT" >"$TMP/http.s"; jq -S . "$TMP/cli.json" >"$TMP/cli.s"
    cmp -s "$TMP/http.s" "$TMP/cli.s" && pass "$f: the result is penholder assess --json" || fail "$f: HTTP and CLI results differ"
done
as "$OFFICER" POST "/api/v1/assess?as_of=2025-01-01" $J --data @"$A/ihl-combat-aircraft.json"
expect_code 200 "replayed as of a date"
"$PH" assess "$A/ihl-combat-aircraft.json" --as-of 2025-01-01 --json >"$TMP/cli.json"
jq -S . "$OUT" >"$TMP/http.s"; jq -S . "$TMP/cli.json" >"$TMP/cli.s"
cmp -s "$TMP/http.s" "$TMP/cli.s" && pass "as assess --as-of" || fail "HTTP and CLI replays differ"
jq_is '.recommendation' refuse "the evidence then engages 2c"
as "$OFFICER" POST "/api/v1/assess?as_of=1999-01-01" $J --data @"$A/ihl-combat-aircraft.json"
expect_problem 400 query "no policy in force then"
as "$OFFICER" POST "/api/v1/assess?as_of=yesterday" $J --data @"$A/ihl-combat-aircraft.json"
expect_problem 400 query "a bad date"
as "$OFFICER" POST /api/v1/assess $J --data "$(jq '.parties[1].country = "Narnia"' "$A/ihl-combat-aircraft.json")"
expect_problem 422 validation "an unknown country"
jq_is '.errors[0].path' "parties[1].country" "names the field path"
as "$OFFICER" POST /api/v1/assess $J --data "$(jq '.goods[0].colour = "green"' "$A/ihl-combat-aircraft.json")"
jq_is '.errors[0].path' "goods[0].colour" "an unknown field is named"
as "$OFFICER" POST /api/v1/assess $J --data "$(jq '.goods = []' "$A/ihl-combat-aircraft.json")"
jq_is '.errors[0].path' "goods" "no goods"
as "$OFFICER" POST /api/v1/assess $J --data '[1, 2]'
expect_problem 422 validation "an array is not an application"
as "$OFFICER" POST /api/v1/assess $J --data '{"type": '
expect_problem 400 json "malformed JSON"
as "$ACME" POST /api/v1/assess $J --data @"$A/ordinary-approve.json"
expect_problem 403 forbidden "exporters never see an assessment"
expect_eq "$(sql "SELECT count(*) FROM assessment")" "0" "assessing writes nothing"

# ---- lists ----
"$PH" lists import --format ofac-csv "$FIX/ofac_sdn.csv" "$FIX/ofac_alt.csv" "$FIX/ofac_add.csv" >/dev/null
"$PH" lists import --format ofac-csv "$FIX/ofac_sdn_v2.csv" "$FIX/ofac_alt.csv" "$FIX/ofac_add.csv" >/dev/null
"$PH" lists import --format un-xml "$FIX/un_small.xml" >/dev/null
as "$TAU" GET /api/v1/lists
expect_code 200 "staff read the list versions"
"$PH" lists --json >"$TMP/cli.json"
jq -S . "$OUT" >"$TMP/http.s"; jq -S . "$TMP/cli.json" >"$TMP/cli.s"
cmp -s "$TMP/http.s" "$TMP/cli.s" && pass "as penholder lists --json" || fail "HTTP and CLI versions differ"
jq_is '[.[] | .list + ":" + (.version | tostring)] | join(" ")' "ofac-sdn:2 ofac-sdn:1 un:1" "newest first"
as "$TAU" GET "/api/v1/lists?list=un"
jq_is 'length' 1 "filtered by list"
as "$TAU" GET /api/v1/lists/ofac-sdn/diff
expect_code 200 "the newest changes"
"$PH" lists diff ofac-sdn --json >"$TMP/cli.json"
jq -S 'del(.counts, .limit)' "$OUT" >"$TMP/http.s"; jq -S . "$TMP/cli.json" >"$TMP/cli.s"
cmp -s "$TMP/http.s" "$TMP/cli.s" && pass "as lists diff --json" || fail "HTTP and CLI diffs differ"
jq_is '[.counts.added, .counts.removed, .counts.changed] | join(" ")' "1 1 1" "with the counts"
as "$TAU" GET "/api/v1/lists/ofac-sdn/diff?limit=0"
jq_is '.added[0].name' "NEW TRADING LLC" "limit 0 gives everything"
as "$TAU" GET /api/v1/lists/un/diff
expect_problem 409 conflict "a list with one version has no diff"
as "$TAU" GET /api/v1/lists/nothing/diff
expect_problem 404 not-found "an unknown list"
as "$ACME" GET /api/v1/lists
expect_problem 403 forbidden "exporters do not read the lists"
stop_server
finish
