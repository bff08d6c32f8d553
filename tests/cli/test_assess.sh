# Assessment scenarios: each application in tests/assess/ gets the expected
# recommendation and findings; the output is the same byte for byte; --as-of
# replays with the evidence in force then; bad input names the JSON path.
. "$(dirname "$0")/lib.sh"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
A="$ROOT/tests/assess"
DATE=2025-01-01

expect_ok "init" init
expect_ok "import evidence" evidence import "$A/evidence.json"
expect_out "3 evidence entries added (EV-0001 to EV-0003)" "three entries added"

# scenario FILE RECOMMENDATION [CRITERION OUTCOME RULE]...
scenario() {
    f=$1 want=$2
    shift 2
    run assess "$A/$f" --as-of $DATE
    if [ "$STATUS" -ne 0 ]; then
        fail "$f: exit $STATUS"
        return
    fi
    expect_out "recommendation: $want" "$f: recommends $want"
    while [ $# -ge 3 ]; do
        if grep -Eq "^  $1 +$2 +$3\$" "$OUT"; then
            pass "$f: $1 is $2 by $3"
        else
            fail "$f: $1 should be $2 by rule $3"
        fi
        shift 3
    done
}
# The number of criteria found clear in the last run.
clear_count() { grep -Ec '^  [0-9][a-z]? +clear +' "$OUT"; }

# Criterion 1: embargoes (full, and partial with their scope), proliferation.
scenario full-embargo.json refuse 1a refuse 1a-full-embargo-military
scenario full-embargo-dual-use.json refer 1a refer 1a-full-embargo-other-goods
scenario partial-embargo-non-government.json refuse 1a refuse 1a-non-government-embargo
expect_out 'end user "Example Private Security LLC" (commercial, IQ)' "the reason names the end user"
scenario partial-embargo-government.json refer 1a refer 1a-non-government-embargo-state-user
scenario proliferation.json refer 1b refer 1b-treaty-goods 1d refer 1d-regime-goods
expect_out "line 2 9A120" "the MTCR line is named under 1d"
# Criterion 2a: repression-capable goods, and goods that are not.
scenario repression.json refuse 2a refuse 2a-repression-goods
expect_out "EV-0002 (internal-repression, serious" "the reason names its evidence"
scenario repression-other-goods.json approve 2a clear 2a-clear
# Criterion 2c: combat capability to armed forces with serious IHL evidence...
scenario ihl-combat-aircraft.json refuse 2c refuse 2c-combat-capability 7 clear 7-clear
expect_out 'goods with combat capability (combat-aircraft) for end user "Israel Defense Forces"' \
    "2c reason names capability and end user"
expect_out 'line 1 ML10.a "components for F-16 combat aircraft"' "2c reason names the line"
expect_no_out 'line 2 ML13.c' "helmets have no combat capability"
# ...and no combat capability there is referred, not refused.
scenario ihl-trainer-aircraft.json refer 2c refer 2c-no-combat-capability
# Criterion 7: diversion from evidence and from end-user facts.
scenario diversion-evidence.json refer 7 refer 7-diversion-evidence
scenario diversion-end-user-abroad.json refer 7 refer 7-end-user-abroad
# A likely screening match engages 1 and 7 until an officer disposes of it.
scenario screening-possible-match.json refer 1a refer 1a-possible-sanctions-match \
    7 refer 7-possible-sanctions-match
# The ordinary case: every criterion recorded as clear.
scenario ordinary-approve.json approve 1a clear 1a-clear 2c clear 2c-clear 8 clear 8-clear
expect_eq "$(clear_count)" "18" "ordinary case: all 18 criteria clear"

# JSON: the findings, the policy and the evidence used; same bytes each time.
expect_ok "assess --json" assess "$A/ihl-combat-aircraft.json" --as-of $DATE --json
cp "$OUT" "$TMP/first.json"
expect_out '"recommendation": "refuse"' "json recommendation"
expect_out '"rule": "2c-combat-capability"' "json names the rule"
expect_out '"as_of": "2025-01-01"' "json names the date given"
sha=$(sha256sum "$ROOT/data/policy/uk-selc-2021.policy" | cut -d' ' -f1)
expect_out "\"sha256\": \"$sha\"" "json records the policy file's SHA-256"
expect_out '"version": "2021.1"' "json records the policy version"
expect_out '"id": "EV-0001"' "json lists the evidence snapshot"
tr -d ' \n' <"$OUT" >"$TMP/flat.json"
if grep -q '"criterion":"2c","outcome":"refuse","rule":"2c-combat-capability","reason":".*","evidence":\["EV-0001"\],"lines":\[1\]},{"criterion":"3"' "$TMP/flat.json"; then
    pass "the 2c finding cites EV-0001 and line 1"
else
    fail "the 2c finding cites EV-0001 and line 1"
fi
expect_ok "assess --json again" assess "$A/ihl-combat-aircraft.json" --as-of $DATE --json
if cmp -s "$OUT" "$TMP/first.json"; then pass "same inputs, same bytes"; else fail "output differs between runs"; fi
expect_ok "assess without --as-of" assess "$A/ordinary-approve.json" --json
expect_no_out '"as_of"' "no date in the result unless one is given"

# --as-of replays with the evidence in force then.
scenario_date() { run assess "$A/$1" --as-of "$2"; }
scenario_date ihl-combat-aircraft.json 2024-06-01
expect_out "recommendation: approve" "before the IHL evidence, no 2c finding"
expect_ok "a correction supersedes EV-0001" evidence add --destination IL --topic ihl \
    --severity medium --summary "Correction after further review" --source "FCDO" \
    --date 2025-02-01 --supersedes EV-0001
expect_out "EV-0004" "the correction gets a new id"
scenario_date ihl-combat-aircraft.json 2025-03-01
expect_out "recommendation: approve" "after the correction, 2c is clear"
expect_out "evidence: EV-0004" "the snapshot holds the correction only"
scenario_date ihl-combat-aircraft.json 2025-01-01
expect_out "recommendation: refuse" "replaying 2025-01-01 still refuses"
expect_ok "replay gives the same bytes" assess "$A/ihl-combat-aircraft.json" --as-of $DATE --json
if cmp -s "$OUT" "$TMP/first.json"; then pass "replay matches the first result"; else fail "replay differs"; fi
expect_status 1 "no policy before 2021-12-08" assess "$A/ordinary-approve.json" --as-of 2020-01-01
expect_err "no policy is in force on 2020-01-01" "the missing policy is explained"
expect_status 2 "bad --as-of" assess "$A/ordinary-approve.json" --as-of 2025-02-30

# --record keeps the result on the record.
expect_ok "assess --record" assess "$A/repression.json" --as-of $DATE --record
expect_err "assessment 1 recorded" "the record id is reported"
expect_eq "$(sql "SELECT reference || ' ' || recommendation || ' ' || policy_version FROM assessment")" \
    "TEST/REPRESSION/1 refuse 2021.1" "the recorded assessment"
if sqlite3 "$PENHOLDER_DB" "UPDATE assessment SET recommendation = 'approve'" 2>/dev/null; then
    fail "a recorded assessment cannot be edited"
else
    pass "a recorded assessment cannot be edited"
fi

# Bad input: a clear error naming the file and JSON path; nothing else.
printf '{"type": "SIEL", "destination": "FR",\n "parties": [' >"$TMP/malformed.json"
expect_status 1 "malformed JSON" assess "$TMP/malformed.json"
expect_err "malformed.json:2:" "malformed JSON names the line"
cat >"$TMP/narnia.json" <<'JSON'
{"type": "SIEL", "destination": "FR", "parties": [
  {"role": "end_user", "name": "A", "country": "FR", "type": "commercial"},
  {"role": "consignee", "name": "B", "country": "Narnia", "type": "commercial"}],
 "goods": [{"rating": "ML1"}]}
JSON
expect_status 1 "unknown destination" assess "$TMP/narnia.json"
expect_err "narnia.json: parties[1].country: unknown destination 'Narnia'" "the path is named"
if [ -s "$OUT" ]; then fail "nothing on stdout after an error"; else pass "nothing on stdout after an error"; fi
sed 's/"ML1"/"ML1.zz"/; s/Narnia/FR/' "$TMP/narnia.json" >"$TMP/rating.json"
expect_status 1 "unknown rating" assess "$TMP/rating.json"
expect_err "goods[0].rating: unknown rating 'ML1.zz'" "the rating path is named"
sed 's/"ML1"/"5A002.a.1"/; s/Narnia/FR/' "$TMP/narnia.json" >"$TMP/sub.json"
expect_ok "a sub-entry the control list does not break down is assessed as its entry" assess "$TMP/sub.json"
sed 's/"type": "SIEL", //; s/Narnia/FR/' "$TMP/narnia.json" >"$TMP/missing.json"
expect_status 1 "missing field" assess "$TMP/missing.json"
expect_err "missing.json: type: missing" "the missing field is named"
expect_status 1 "missing file" assess "$TMP/nope.json"
expect_status 2 "two files" assess "$A/ordinary-approve.json" "$A/repression.json"
sed 's/"ML1"/"ml1a"/; s/Narnia/FR/; s/"A", "country": "FR", "type": "commercial"/"A", "country": "FR", "type": "individual"/' \
    "$TMP/narnia.json" >"$TMP/nodots.json"
expect_ok "ratings without dots" assess "$TMP/nodots.json" --as-of $DATE
expect_out 'Military goods ML1.a to end user "A" (individual, FR)' "ml1a is read as ML1.a"
finish
