# Policy files: check (errors as FILE:LINE:COLUMN), show, install, list, and
# the newcomer's story: change a rule, check it, see assess explain the change.
. "$(dirname "$0")/lib.sh"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
A="$ROOT/tests/assess"
SHIPPED="$ROOT/data/policy/uk-selc-2021.policy"
DATE=2025-01-01

# check and show need no database.
expect_ok "check the shipped policy" policy check "$SHIPPED"
expect_out "ok: policy uk-selc-2021 version 2021.1" "check reports the policy"
expect_out "over 18 criteria" "check counts the criteria"
expect_ok "show the policy in force" policy show
expect_out "criterion 2c" "show lists the criteria"
expect_out "refuse   2c-combat-capability" "show lists the rules with their outcome"
expect_out "when   any evidence where (topic = ihl and severity >= serious)" "show prints conditions as written"
expect_ok "show --json" policy show --policy "$SHIPPED" --json
expect_out '"id": "2c-combat-capability"' "json rules"
expect_out '"valid_from": "2021-12-08"' "json validity"

# The newcomer's story. Trainer-aircraft components to armed forces with
# serious IHL evidence are referred today...
expect_ok "init" init
expect_ok "evidence" evidence import "$A/evidence.json"
expect_ok "assess with the shipped policy" assess "$A/ihl-trainer-aircraft.json" --as-of $DATE
expect_out "recommendation: refer" "trainer components are referred"
# ...a newcomer decides they count as combat capability and edits the set.
sed 's/^set combat = \[military-aircraft,/set combat = [trainer-aircraft, military-aircraft,/' \
    "$SHIPPED" >"$TMP/mine.policy"
sed -i 's/^version "2021.1"/version "2021.1-draft"/' "$TMP/mine.policy"
if cmp -s "$SHIPPED" "$TMP/mine.policy"; then fail "the edit changed the file"; else pass "the edit changed the file"; fi
expect_ok "policy check accepts the edit" policy check "$TMP/mine.policy"
if grep -q warning "$ERR"; then fail "a warning on the shipped policy"; else pass "every criterion of the shipped policy has a rule"; fi
expect_out "version 2021.1-draft" "the draft version"

# A file cut before its rules does not pass for a policy that clears everything.
sed -n '1,/^consider/p' "$SHIPPED" >"$TMP/cut.policy"
expect_status 1 "a policy without rules is refused" policy check "$TMP/cut.policy"
expect_err "no rule: a policy needs rules" "the refusal says why"
# A criterion left without a rule is named.
awk '/^rule 8-/ { skip = 1 } skip && /^$/ { skip = 0; next } !skip' "$TMP/mine.policy" >"$TMP/no8.policy"
expect_ok "a criterion without rules still parses" policy check "$TMP/no8.policy" --json
expect_err "warning: criterion 8 is considered but has no rule" "and is warned of"
expect_out '"criteria_without_rules": [' "the JSON lists it"
expect_ok "assess with the edited policy" assess "$A/ihl-trainer-aircraft.json" --as-of $DATE --policy "$TMP/mine.policy"
expect_out "recommendation: refuse" "the changed rule changes the outcome"
expect_out "2c  refuse   2c-combat-capability" "the finding names the rule"
expect_out "goods with combat capability (trainer-aircraft)" "the reason explains why"
expect_out "policy: uk-selc-2021 version 2021.1-draft" "the result names the draft"
expect_ok "json names the draft's SHA-256" assess "$A/ihl-trainer-aircraft.json" --as-of $DATE --policy "$TMP/mine.policy" --json
expect_out "\"sha256\": \"$(sha256sum "$TMP/mine.policy" | cut -d' ' -f1)\"" "the draft's SHA-256 is recorded"
# A typo is caught with its line and column, and nothing is assessed with it.
sed 's/^set combat = \[trainer-aircraft,/set combat = [trainer-aircrft,/' "$TMP/mine.policy" >"$TMP/typo.policy"
line=$(grep -n '^set combat' "$TMP/typo.policy" | cut -d: -f1)
expect_status 1 "check rejects the typo" policy check "$TMP/typo.policy"
expect_err "typo.policy:$line:15: unknown capability 'trainer-aircrft' in set 'combat', used as capability values on line" "FILE:LINE:COLUMN and what is wrong"
expect_status 1 "assess refuses a broken policy" assess "$A/ihl-trainer-aircraft.json" --policy "$TMP/typo.policy"
expect_err "typo.policy:$line:15:" "assess reports the same place"
if [ -s "$OUT" ]; then fail "no result from a broken policy"; else pass "no result from a broken policy"; fi
expect_status 1 "check reports every bad file" policy check "$SHIPPED" "$TMP/typo.policy"
expect_out "uk-selc-2021.policy: ok" "the good one is still checked"
printf 'policy x\nversion 1\ncriteria uk-selc-2021\nvalid from 2021-12-08\nconsider 2c\nrule r criterion 2c refuse\n  when any goods where capability in combat reason "x"\n' >"$TMP/noset.policy"
expect_status 1 "a set used before it is defined" policy check "$TMP/noset.policy"
expect_err "noset.policy:7:38: unknown capability 'combat'" "named with its place"
expect_status 2 "check needs a file" policy check
expect_status 2 "unknown subcommand" policy frob

# Installing a version that starts later: --as-of picks the one in force.
sed 's/^valid from 2021-12-08/valid from 2025-06-01/' "$TMP/mine.policy" >"$TMP/later.policy"
sed -i 's/^version "2021.1-draft"/version "2025.1"/' "$TMP/later.policy"
expect_ok "install" policy install "$TMP/later.policy"
expect_out "installed policy uk-selc-2021 version 2025.1, valid from 2025-06-01" "install reports it"
expect_eq "$(sql "SELECT action || ' ' || object_id FROM audit_entry WHERE object_type = 'policy_version'")" \
    "policy.install uk-selc-2021:2025.1" "the installation is on the audit log"
expect_ok "install again" policy install "$TMP/later.policy" --actor pat
expect_out "already installed; nothing changed" "installing twice changes nothing"
expect_eq "$(sql "SELECT count(*) FROM audit_entry WHERE object_type = 'policy_version'")" "1" \
    "nothing new on the log either"
expect_ok "the log verifies" audit verify
echo "# an edit" >>"$TMP/later.policy"
expect_status 1 "other text under the same version is refused" policy install "$TMP/later.policy"
expect_err "already installed with other text" "the conflict is explained"
cp "$SHIPPED" "$TMP/shipped-edit.policy"
echo "# an edit" >>"$TMP/shipped-edit.policy"
expect_status 1 "the built-in version cannot be shadowed" policy install "$TMP/shipped-edit.policy"
expect_err "is built into penholder with other text" "the clash is explained"
expect_ok "list" policy list
expect_out "2025.1   2025-06-01" "list shows the installed version"
expect_out "built-in data/policy/uk-selc-2021.policy" "list shows the built-in one"
expect_ok "assess after it starts" assess "$A/ihl-trainer-aircraft.json" --as-of 2025-07-01
expect_out "policy: uk-selc-2021 version 2025.1" "the installed version is in force"
expect_out "recommendation: refuse" "and it refuses"
expect_ok "assess before it starts" assess "$A/ihl-trainer-aircraft.json" --as-of 2025-05-31
expect_out "policy: uk-selc-2021 version 2021.1" "the shipped version was in force"
expect_out "recommendation: refer" "and it referred"
expect_ok "show as of a date" policy show --as-of 2025-07-01 --json
expect_out '"version": "2025.1"' "show picks by date"
if sqlite3 "$PENHOLDER_DB" "DELETE FROM policy_version" 2>/dev/null; then
    fail "an installed policy cannot be deleted"
else
    pass "an installed policy cannot be deleted"
fi
finish
