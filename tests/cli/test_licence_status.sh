# Licence status changes from the command line: the actor must be an
# enabled account whose role the licence workflow allows (an unknown name
# exits 2, a role the workflow leaves out is forbidden and exits 1, and
# nothing is written either way); surrender by the exporter of its own
# organisation's licence and exhaustion by a case officer; and
# `licences expire`, which moves every extant licence past its end date to
# expired, each through the workflow with its own reason and audit entry.
. "$(dirname "$0")/lib.sh"

# The audit clock fixes "today" for expiry: 2 March 2026.
export PENHOLDER_AUDIT_TIME=2026-03-02T09:00:00Z
unset PENHOLDER_ACTOR
# Accounts are added with the release build when there is one (Argon2id is
# slow under the sanitizers); the commands under test run on $PH.
SETUP="${PENHOLDER_RELEASE_BIN:-$PH}"
[ -x "$SETUP" ] || SETUP="$PH"
account() { # NAME ROLE [users add options]
    n=$1 r=$2
    shift 2
    echo "correct horse battery" | "$SETUP" users add "$n" --role "$r" --password-stdin "$@" >/dev/null \
        || fail "add the account $n"
}
status_of() { sql "SELECT status FROM licence WHERE reference = '$1'"; }
entries() { sql "SELECT count(*) FROM audit_entry"; }

# ---- the help names every change ----
expect_ok "help" licences --help
expect_out "licences suspend|revoke REF" "suspend and revoke in the usage"
expect_out "licences reinstate|surrender|exhaust REF" "reinstate, surrender and exhaust in the usage"
expect_out "licences expire [--as-of DATE] [--actor NAME]" "expire in the usage"
expect_status 2 "an unknown subcommand" licences frobnicate
expect_err "surrender, exhaust or expire" "the error lists every subcommand"

expect_ok "init" init
cat >"$TMP/reg.csv" <<'CSV'
reference,type,issued_on,expires_on,destination,end_user,end_user_type,end_use,rating,goods_summary,quantity,value_gbp,status,tags
GBSIEL/2023/0000001/P,SIEL,2023-01-10,2025-01-10,IL,Elbit Systems Ltd,commercial,Incorporation,ML10,aircraft components,10,1000,issued,
GBSIEL/2023/0000002/P,SIEL,2023-02-10,2026-03-01,IL,Israeli Air Force,armed_forces,Use by the armed forces,ML10,aircraft components,5,2000,suspended,
GBSIEL/2023/0000003/P,SIEL,2023-03-10,2026-03-02,IL,Israeli Navy,armed_forces,Use by the armed forces,ML9,naval components,2,3000,reinstated,
GBSIEL/2023/0000004/P,SIEL,2023-04-10,2025-06-30,SA,Saudi Arabian National Guard,armed_forces,Use by the armed forces,ML1,rifle parts,4,4000,revoked,
GBSIEL/2023/0000005/P,SIEL,2023-05-10,2028-05-10,SA,Saudi Arabian National Guard,armed_forces,Use by the armed forces,ML1,rifle parts,4,5000,issued,
GBOIEL/2023/0000006/P,OIEL,2023-06-10,,US,Various,commercial,Incorporation,ML10,aircraft components,,6000,issued,
GBSIEL/2023/0000007/P,SIEL,2023-07-10,2024-07-10,US,Lockheed Martin,commercial,Incorporation,ML10,aircraft components,1,7000,reinstated,
GBSIEL/2023/0000008/P,SIEL,2023-08-10,2028-08-10,US,Lockheed Martin,commercial,Incorporation,ML10,aircraft components,1,8000,issued,
GBSIEL/2023/0000009/P,SIEL,2023-09-10,2028-09-10,US,Lockheed Martin,commercial,Incorporation,ML10,aircraft components,1,9000,issued,
CSV
expect_ok "import a register" import licences "$TMP/reg.csv" --format penholder-csv
account officer case_officer
account dm decision_maker
account fiona.fcdo adviser --team fcdo
account acme exporter --org "Acme Aerospace Ltd"
account gone decision_maker
"$SETUP" users disable gone >/dev/null || fail "disable gone"
BEFORE=$(entries)

# ---- the actor: an existing, enabled account with a role the workflow allows ----
L8=GBSIEL/2023/0000008/P
expect_status 2 "a name with no account is refused" licences suspend "$L8" --reason x --criteria 2c --actor nobody.here
expect_err "no account named 'nobody.here'" "the error names it"
PENHOLDER_ACTOR=nobody.here expect_status 2 "so is a default actor with no account" licences suspend "$L8" --reason x --criteria 2c
expect_err "no account named 'nobody.here'" "the default actor is checked too"
expect_status 1 "an adviser cannot suspend" licences suspend "$L8" --reason x --criteria 2c --actor fiona.fcdo
expect_err "forbidden: fiona.fcdo (adviser) may not suspend a licence" "forbidden, naming the account and its role"
expect_err "case_officer, decision_maker" "and the roles the workflow allows"
expect_status 1 "an exporter cannot revoke" licences revoke "$L8" --reason x --criteria 2c --actor acme
expect_err "forbidden: acme (exporter) may not revoke" "forbidden"
expect_status 1 "a case officer cannot revoke" licences revoke "$L8" --reason x --criteria 2c --actor officer
expect_err "forbidden" "the role column of the workflow decides"
expect_status 1 "a case officer cannot reinstate" licences reinstate GBSIEL/2023/0000002/P --reason x --actor officer
expect_status 1 "a decision maker cannot record exhaustion" licences exhaust "$L8" --reason x --actor dm
expect_status 1 "a disabled account cannot act" licences suspend "$L8" --reason x --criteria 2c --actor gone
expect_err "disabled" "the error says why"
expect_eq "$(status_of "$L8")" issued "the licence is unchanged"
expect_eq "$(entries)" "$BEFORE" "refused changes wrote no audit entry"
expect_eq "$(sql "SELECT count(*) FROM licence_status_change")" 0 "and no status change"
PENHOLDER_ACTOR=officer expect_ok "the default actor, an account that may suspend" licences suspend "$L8" --reason "Pending enquiries" --criteria 7
expect_eq "$(sql "SELECT actor FROM licence_status_change ORDER BY id DESC LIMIT 1")" officer "recorded as that account"
expect_ok "a decision maker reinstates" licences reinstate "$L8" --reason "Enquiries closed" --actor dm
expect_out "suspended -> reinstated; audit entry" "without criteria, none are printed"

# ---- exhaustion (a case officer) and surrender (the exporter, its own licences only) ----
expect_ok "a case officer records exhaustion" licences exhaust "$L8" --reason "The licensed quantity has been shipped" --actor officer --json
expect_out '"to": "exhausted"' "exhausted"
expect_out '"from": "reinstated"' "from reinstated"
expect_status 1 "exhausted is final" licences suspend "$L8" --reason x --criteria 2c --actor officer
expect_err "allowed from exhausted: none" "nothing is allowed after it"
expect_status 2 "exhaustion needs a reason" licences exhaust GBSIEL/2023/0000009/P --actor officer
expect_status 1 "an exporter cannot surrender a licence not issued to it" licences surrender GBSIEL/2023/0000009/P --reason x --actor acme
expect_err "is not in the register" "it is not found, as over HTTP"
expect_eq "$(status_of GBSIEL/2023/0000009/P)" issued "unchanged"

# ---- expiry ----
L1=GBSIEL/2023/0000001/P
L2=GBSIEL/2023/0000002/P
L3=GBSIEL/2023/0000003/P
L7=GBSIEL/2023/0000007/P
BEFORE=$(entries)
expect_status 2 "expire takes no reference" licences expire "$L1" --actor officer
expect_status 2 "expire takes no reason" licences expire --reason x --actor officer
expect_status 2 "--as-of belongs to expire" licences list --as-of 2026-01-01
expect_status 2 "a bad date" licences expire --as-of 2026-02-30 --actor officer
expect_status 2 "an unknown account" licences expire --actor nobody.here
expect_status 1 "an adviser cannot expire licences" licences expire --actor fiona.fcdo
expect_err "forbidden" "forbidden"
expect_status 1 "nor can an exporter" licences expire --actor acme
expect_status 2 "no date after today: a licence expires once its end date has passed" licences expire --as-of 2026-03-03 --actor officer
expect_err "after today (2026-03-02)" "the error names today"
expect_eq "$(entries)" "$BEFORE" "refused runs wrote nothing"

expect_ok "expire as of an earlier date" licences expire --as-of 2025-01-01 --actor officer --json
expect_eq "$(jq -r '[.licences[].reference] | join(" ")' "$OUT")" "$L7" "only the licence whose end date is before it"
expect_eq "$(jq -r '.expired' "$OUT")" 1 "counted"
# A failure half-way (the trigger stands for a full disk or a kill) keeps
# the batches done before it; running again carries on.
sql "CREATE TRIGGER fail_once BEFORE INSERT ON licence_status_change WHEN NEW.from_status = 'suspended'
     BEGIN SELECT RAISE(ABORT, 'the disk is full'); END"
expect_status 1 "a run that fails half-way" licences expire --actor officer --batch 1
expect_err "1 licence expired before the failure" "says how far it got"
expect_eq "$(status_of "$L1")" expired "the first batch is kept"
expect_eq "$(status_of "$L2")" suspended "the failed one is as it was"
sql "DROP TRIGGER fail_once"
expect_ok "running again carries on" licences expire --actor officer --batch 1
expect_out "1 licence expired (end date before 2026-03-02)" "the count is printed"
expect_eq "$(status_of "$L1")" expired "an issued licence past its end date expired"
expect_eq "$(status_of "$L2")" expired "so did a suspended one"
expect_eq "$(status_of "$L7")" expired "and a reinstated one"
expect_eq "$(status_of "$L3")" reinstated "a licence whose end date is today is still valid"
expect_eq "$(status_of GBSIEL/2023/0000004/P)" revoked "a revoked licence stays revoked"
expect_eq "$(status_of GBSIEL/2023/0000005/P)" issued "a licence with years to run is untouched"
expect_eq "$(status_of GBOIEL/2023/0000006/P)" issued "one without an end date never expires"
expect_eq "$(sql "SELECT group_concat(x, '; ') FROM (SELECT event || ' ' || from_status || ' ' || actor AS x FROM licence_status_change WHERE event = 'expire' ORDER BY id)")" \
    "expire reinstated officer; expire issued officer; expire suspended officer" "each through the workflow, on the account's instruction"
expect_eq "$(sql "SELECT reason FROM licence_status_change l JOIN licence c ON c.id = l.licence_id WHERE c.reference = '$L1'")" \
    "the licence reached its end date: it expires on 2025-01-10, before 2026-03-02" "each with its own reason"
expect_eq "$(($(entries) - BEFORE))" 3 "and its own audit entry"
expect_ok "the audit log of one" audit log --object "licence:$L2" --json
expect_eq "$(jq -r '.[-1].action + " by " + .[-1].actor' "$OUT")" "licence.expire by officer" "on the log under the account"
AFTER=$(entries)
expect_ok "running it again" licences expire --actor dm
expect_out "0 licences expired" "changes nothing"
expect_eq "$(entries)" "$AFTER" "and writes nothing"
expect_status 1 "an expired licence cannot be reinstated" licences reinstate "$L2" --reason x --actor dm
expect_err "allowed from expired: none" "expired is final"
expect_ok "the audit log verifies" audit verify

# ---- surrender of the exporter's own licence (a licence issued on its
# application: the demonstration has them) ----
DEMO="$TMP/demo.db"
expect_ok "a demonstration database" init --db "$DEMO"
expect_ok "the demonstration" demo --db "$DEMO"
ACME_LICENCE=$(sqlite3 "$DEMO" "SELECT l.reference FROM licence l JOIN application a ON a.id = l.application_id
    WHERE a.organisation = 'Acme Aerospace Ltd' AND l.status = 'issued' ORDER BY l.reference LIMIT 1")
[ -n "$ACME_LICENCE" ] && pass "an issued licence of Acme's ($ACME_LICENCE)" || fail "no issued licence of Acme's"
expect_status 1 "another exporter cannot surrender it" licences surrender "$ACME_LICENCE" --reason x --actor northbridge --db "$DEMO"
expect_err "is not in the register" "it is not found"
expect_status 1 "nor can staff" licences surrender "$ACME_LICENCE" --reason x --actor dana.decides --db "$DEMO"
expect_err "forbidden" "forbidden"
expect_ok "the exporter surrenders its own licence" licences surrender "$ACME_LICENCE" --reason "The contract was cancelled" --actor acme --db "$DEMO"
expect_out "issued -> surrendered" "surrendered"
expect_eq "$(sqlite3 "$DEMO" "SELECT actor FROM audit_entry WHERE action = 'licence.surrender'")" acme "on the log under the exporter"
expect_ok "the demonstration's log verifies" audit verify --db "$DEMO"
finish
