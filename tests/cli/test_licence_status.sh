# Licence status changes from the command line: the actor must be an
# enabled account whose role the licence workflow allows (an unknown name
# exits 2, a role the workflow leaves out is forbidden and exits 1, and
# nothing is written either way); surrender by the exporter of its own
# organisation's licence and exhaustion by a case officer.
. "$(dirname "$0")/lib.sh"

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
expect_status 2 "an unknown subcommand" licences frobnicate
expect_err "surrender or exhaust" "the error lists every subcommand"

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
