# The audit log over HTTP, for auditors and nobody else: the head, proofs,
# entries and key are the JSON `penholder audit ... --json` prints, and the
# independent verifier (tests/audit/verify-proof.mjs, node:crypto only)
# accepts what the server hands out.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/flow.sh"

export PENHOLDER_AUDIT_TIME=2026-03-02T09:00:00Z
expect_ok "init" init
{
    echo "licence_group,date,rating,count,value,country,refused"
    for g in 1 2 3; do echo "$g,2026-01-1$g,ML10,1,1000,Israel,0"; done
} >"$TMP/reg.csv"
expect_ok "import" import licences "$TMP/reg.csv" --format caat-values
setup_user aud auditor
setup_user officer case_officer
setup_user dm decision_maker
setup_user root admin
setup_user acme exporter --org "Acme Aerospace Ltd"
AUD=$(setup_token aud); OFFICER=$(setup_token officer); DM=$(setup_token dm); ROOTT=$(setup_token root); ACME=$(setup_token acme)
start_server
J="-H Content-Type:application/json"
for g in 1 2 3; do
    as "$OFFICER" POST "/api/v1/licences/CAAT-00000$g/suspend" $J --data '{"reason": "review", "criteria": ["2c"]}'
    as "$DM" POST "/api/v1/licences/CAAT-00000$g/reinstate" $J --data '{"reason": "lifted: résumé"}'
done
SIZE=$(sql "SELECT count(*) FROM audit_entry")
[ "$SIZE" -ge 13 ] && pass "$SIZE entries on the log" || fail "only $SIZE entries"

# same_as_cli DESCRIPTION CLI-ARGS...: the last reply equals the CLI's JSON.
same_as_cli() {
    d=$1
    shift
    "$PH" audit "$@" --json >"$TMP/cli.json"
    jq -S . "$OUT" >"$TMP/http.s"
    jq -S . "$TMP/cli.json" >"$TMP/cli.s"
    cmp -s "$TMP/http.s" "$TMP/cli.s" && pass "$d" || { fail "$d: HTTP and CLI differ"; diff "$TMP/http.s" "$TMP/cli.s" | head -5; }
}

as "$AUD" GET /api/v1/audit/head
expect_code 200 "an auditor reads the head"
jq_is '.tree_size' "$SIZE" "of the whole log"
same_as_cli "the head is audit head --json" head
cp "$OUT" "$TMP/head.json"
as "$AUD" GET "/api/v1/audit/proof?index=6&size=11"
expect_code 200 "an inclusion proof"
same_as_cli "as audit proof --index --size" proof --index 6 --size 11
cp "$OUT" "$TMP/inclusion.json"
as "$AUD" GET "/api/v1/audit/proof?index=3"
jq_is '.tree_size' "$SIZE" "in the newest tree by default"
as "$AUD" GET "/api/v1/audit/consistency?from=5&to=13"
expect_code 200 "a consistency proof"
same_as_cli "as audit proof --from --to" proof --from 5 --to 13
cp "$OUT" "$TMP/consistency.json"
as "$AUD" GET "/api/v1/audit/consistency?from=5"
jq_is '.second' "$SIZE" "to the newest by default"
as "$AUD" GET "/api/v1/audit/log?limit=0"
expect_code 200 "the whole log"
same_as_cli "as audit log --limit 0" log --limit 0
cp "$OUT" "$TMP/log.json"
as "$AUD" GET "/api/v1/audit/log?object=licence:CAAT-000002"
same_as_cli "one object's history" log --object licence:CAAT-000002
jq_is '[.[].action] | join(",")' "licence.suspend,licence.reinstate" "its changes"
as "$AUD" GET "/api/v1/audit/log?limit=2"
jq_is 'length' 2 "the newest entries"
jq_is '.[1].sequence' "$((SIZE - 1))" "up to the last"
as "$AUD" GET /api/v1/audit/key
same_as_cli "the key is audit key --json" key
PUB=$(jq -r .public_key "$OUT")

if command -v node >/dev/null 2>&1; then
    node "$ROOT/tests/audit/verify-proof.mjs" --log "$TMP/log.json" --head "$TMP/head.json" \
        --inclusion "$TMP/inclusion.json" --consistency "$TMP/consistency.json" --public-key "$PUB" >"$OUT" 2>"$ERR"
    expect_eq "$?" 0 "the independent verifier accepts what the server hands out"
    expect_out "inclusion proof of entry 6 in the tree of 11 verifies" "inclusion checked"
    expect_out "consistency proof from 5 to 13 verifies" "consistency checked"
    expect_out "the newest tree head signature verifies" "signature checked"
else
    echo "SKIP the independent verifier: node is not installed"
fi

# ---- bad queries ----
as "$AUD" GET /api/v1/audit/proof
expect_problem 400 query "a proof needs an index"
as "$AUD" GET "/api/v1/audit/proof?index=$SIZE"
expect_problem 400 query "an index past the log"
jq_is '.detail | test("not in the tree")' true "says so"
as "$AUD" GET "/api/v1/audit/proof?index=1&size=0"
expect_problem 400 query "size 0"
as "$AUD" GET "/api/v1/audit/proof?index=1&size=99999"
expect_problem 400 query "a tree larger than the log"
as "$AUD" GET "/api/v1/audit/proof?index=-1"
expect_problem 400 query "a negative index"
as "$AUD" GET "/api/v1/audit/consistency?from=9&to=3"
expect_problem 400 query "from after to"
as "$AUD" GET "/api/v1/audit/consistency?to=3"
expect_problem 400 query "consistency needs from"
as "$AUD" GET "/api/v1/audit/log?object=licence"
expect_problem 400 query "an object without an id"
as "$AUD" GET "/api/v1/audit/log?limit=lots"
expect_problem 400 query "a limit that is not a number"
as "$AUD" GET "/api/v1/audit/head?size=3"
expect_problem 400 query "the head takes no parameters"

# ---- auditors and nobody else ----
others_refused=1
for who in OFFICER DM ROOTT ACME; do
    eval "t=\$$who"
    for p in /api/v1/audit/head "/api/v1/audit/proof?index=0" "/api/v1/audit/consistency?from=0" /api/v1/audit/log /api/v1/audit/key; do
        as "$t" GET "$p"
        [ "$CODE" = 403 ] || { fail "$who: GET $p gave $CODE"; others_refused=0; }
    done
done
[ "$others_refused" = 1 ] && pass "only auditors read the audit log"
req GET /api/v1/audit/head
expect_problem 401 unauthenticated "not without credentials"
stop_server
expect_ok "audit verify" audit verify
finish
