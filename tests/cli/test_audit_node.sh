# The audit log checked by an independent implementation: a Node.js script
# using only node:crypto recomputes the leaves, roots, proofs and signatures
# from penholder's JSON output (tests/audit/verify-proof.mjs).
. "$(dirname "$0")/lib.sh"

if ! command -v node >/dev/null 2>&1; then
    echo "SKIP $(basename "$0"): node is not installed"
    finish
fi
SCRIPT="$(cd "$(dirname "$0")/../audit" && pwd)/verify-proof.mjs"
export PENHOLDER_AUDIT_TIME=2026-03-02T09:00:00Z

expect_ok "init" init
TODAY=$(date -u +%Y-%m-%d)
{
    echo "licence_group,date,rating,count,value,country,refused"
    for g in 1 2 3; do echo "$g,$TODAY,ML10,1,1000,Israel,0"; done
} > "$TMP/reg.csv"
expect_ok "import" import licences "$TMP/reg.csv" --format caat-values
# Licence status changes are made by accounts (decision makers may suspend
# and reinstate). Each account is an audited write; the last is added from
# a login whose name is not ASCII, so that an actor on the log ("cli:" and
# the login) is UTF-8 for the independent verifier.
for g in 1 2 3; do
    echo "correct horse battery" | "$PH" users add "officer.$g" --role decision_maker --password-stdin >/dev/null
done
echo "correct horse battery" | USER="décideur" "$PH" users add decideur --role decision_maker --password-stdin >/dev/null
expect_eq "$(sql "SELECT actor FROM audit_entry WHERE seq = 4")" "cli:décideur" "an actor that is not ASCII"
# 17 entries, so that the tree is ragged (17 = 16 + 1): the import, the four
# accounts, 11 status changes here and the revocation below.
for round in 1 2; do
    for g in 1 2 3; do
        run licences suspend "CAAT-00000$g" --reason "round $round" --criteria 2c --actor "officer.$g"
        [ "$round$g" = 23 ] ||
            run licences reinstate "CAAT-00000$g" --reason "round $round: résumé" --criteria "2c 7" --actor "officer.$g"
    done
done
expect_ok "a seventeenth entry" licences revoke CAAT-000002 --reason final --criteria 2c --actor decideur
expect_eq "$(sql "SELECT count(*) FROM audit_entry")" "17" "17 audited writes"

"$PH" audit log --json --limit 0 > "$TMP/log.json"
"$PH" audit head --json > "$TMP/head.json"
"$PH" audit proof --index 6 --size 11 --json > "$TMP/inclusion.json"
"$PH" audit proof --from 5 --to 13 --json > "$TMP/consistency.json"
PUB=$("$PH" audit key)

check_node() { # description [files...]: runs the script, sets STATUS
    node "$SCRIPT" --log "${2:-$TMP/log.json}" --head "${3:-$TMP/head.json}" \
        --inclusion "${4:-$TMP/inclusion.json}" --consistency "${5:-$TMP/consistency.json}" \
        --public-key "${6:-$PUB}" >"$OUT" 2>"$ERR"
    STATUS=$?
}

check_node
expect_eq "$STATUS" "0" "the independent verifier accepts penholder's log, proofs and signatures"
expect_out "all 17 leaf hashes recompute from the entries" "leaves recomputed"
expect_out "inclusion proof of entry 6 in the tree of 11 verifies" "inclusion checked"
expect_out "consistency proof from 5 to 13 verifies" "consistency checked"
expect_out "the newest tree head signature verifies" "signature checked"

# Other sizes and indexes too, to cover each shape of proof (the first,
# middle and last leaf of perfect and ragged trees). The output is the same
# from either build; the release build keeps this loop quick.
FAST="${PENHOLDER_RELEASE_BIN:-$PH}"
[ -x "$FAST" ] || FAST="$PH"
all_ok=1
for size in 1 2 3 5 8 12 13 16 17; do
    for i in $(printf '%s\n' 0 $((size / 2)) $((size - 1)) | sort -un); do
        "$FAST" audit proof --index "$i" --size "$size" --json > "$TMP/inc.json"
        "$FAST" audit proof --from "$i" --to "$size" --json > "$TMP/con.json"
        check_node x "$TMP/log.json" "$TMP/head.json" "$TMP/inc.json" "$TMP/con.json"
        [ "$STATUS" -eq 0 ] || { all_ok=0; fail "proofs at index $i, size $size"; }
    done
done
[ "$all_ok" -eq 1 ] && pass "inclusion and consistency proofs of every shape verify independently"

# The script is not easy to please.
flip_first_path_hash() { sed '/"path": \[/{n;s/"0/"1/;t;s/"[0-9a-f]/"0/}' "$1"; }
flip_first_path_hash "$TMP/inclusion.json" > "$TMP/bad-inclusion.json"
check_node x "$TMP/log.json" "$TMP/head.json" "$TMP/bad-inclusion.json"
expect_eq "$STATUS" "1" "a damaged inclusion path is rejected"
flip_first_path_hash "$TMP/consistency.json" > "$TMP/bad-consistency.json"
check_node x "$TMP/log.json" "$TMP/head.json" "$TMP/inclusion.json" "$TMP/bad-consistency.json"
expect_eq "$STATUS" "1" "a damaged consistency path is rejected"
sed 's/"signature": "0/"signature": "1/;t;s/"signature": "[0-9a-f]/"signature": "0/' "$TMP/head.json" > "$TMP/bad-head.json"
check_node x "$TMP/log.json" "$TMP/bad-head.json"
expect_eq "$STATUS" "1" "a damaged signature is rejected"
expect_out "FAIL - the newest tree head signature verifies" "the signature is what failed"
sed '0,/"actor": "officer.2"/s//"actor": "officer.9"/' "$TMP/log.json" > "$TMP/bad-log.json"
check_node x "$TMP/bad-log.json"
expect_eq "$STATUS" "1" "an edited entry is rejected"
check_node x "$TMP/log.json" "$TMP/head.json" "$TMP/inclusion.json" "$TMP/consistency.json" "$(printf '%064d' 0)"
expect_eq "$STATUS" "1" "another public key is rejected"
finish
