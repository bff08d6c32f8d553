# The audit log: the key made at init, audited licence status changes,
# proofs, and `audit verify` catching each way of tampering with the database.
. "$(dirname "$0")/lib.sh"

export PENHOLDER_AUDIT_TIME=2026-03-02T09:00:00Z
KEY="$PENHOLDER_DB.audit-key"

expect_ok "init" init
expect_out "signing key" "init reports the audit key"
expect_eq "$(stat -c %a "$KEY")" "600" "the key file is readable by its owner only"
expect_ok "audit key" audit key
PUB=$(cat "$OUT")
expect_eq "$(printf %s "$PUB" | grep -cE '^[0-9a-f]{64}$')" "1" "the public key is 64 hex digits"
expect_eq "$(sql "SELECT lower(hex(public_key)) FROM audit_key")" "$PUB" "the database holds the public key"
SEED=$(grep -v '^#' "$KEY")
expect_eq "$(sqlite3 "$PENHOLDER_DB" .dump | grep -ci "$SEED")" "0" "the private key is not in the database"
expect_ok "audit head of the empty log" audit head --json
expect_out '"tree_size": 0' "an empty log has a signed head of size 0"
expect_out '"root_hash": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"' "the empty root"
expect_ok "init again keeps the key" init
expect_out "present" "second init finds the key"
expect_eq "$(sql "SELECT count(*) FROM audit_key")" "1" "still one key"

# A small register with live licences (dated today, so that they are not expired).
TODAY=$(date -u +%Y-%m-%d)
cat > "$TMP/reg.csv" <<CSV
licence_group,date,rating,count,value,country,refused
1,$TODAY,ML10,1,1000,Israel,0
2,$TODAY,ML4,1,500,Israel,0
3,$TODAY,ML1,1,250,Saudi Arabia,1
4,$TODAY,ML5,1,90,Israel,0
CSV
expect_ok "import" import licences "$TMP/reg.csv" --format caat-values
# Status changes are made by accounts whose roles the licence workflow
# allows; each account is itself an audited write (entries 1 to 4, after the
# import's entry 0).
for who in alice:case_officer bob:decision_maker carol:decision_maker dave:case_officer; do
    echo "correct horse battery" | "$PH" users add "${who%%:*}" --role "${who#*:}" --password-stdin >/dev/null \
        || fail "add the account ${who%%:*}"
done

expect_ok "suspend" licences suspend CAAT-000001 --reason "clear risk of use in Gaza" --criteria 2c --actor alice
expect_out "CAAT-000001: issued -> suspended (criteria 2c" "suspension reported"
expect_out "audit entry 5, tree size 6" "the first licence entry follows the import's and the four accounts'"
expect_ok "reinstate" licences reinstate CAAT-000001 --reason "review concluded" --criteria 2c --actor bob
expect_ok "suspend another" licences suspend CAAT-000002 --reason "F-16 components" --criteria "2C, 7" --actor alice --json
expect_out '"criteria": "2c, 7"' "criteria normalised"
expect_out '"sequence": 7' "json gives the audit entry"
expect_ok "revoke" licences revoke CAAT-000002 --reason "revoked after review" --criteria 2c --actor carol
PENHOLDER_ACTOR=dave expect_ok "actor from the environment" licences suspend CAAT-000004 --reason "x" --criteria 1a
expect_ok "revoke the reinstated" licences revoke CAAT-000001 --reason "final" --criteria 2c --actor carol
expect_eq "$(sql "SELECT status FROM licence WHERE reference = 'CAAT-000002'")" "revoked" "status stored"
expect_eq "$(sql "SELECT actor FROM audit_entry WHERE seq = 9")" "dave" "actor recorded"

# Transitions the table forbids change nothing.
expect_status 1 "revoked is final" licences reinstate CAAT-000002 --reason x --criteria 2c --actor bob
expect_err "allowed from revoked: none" "the refusal lists what is allowed"
expect_status 1 "a refused application is not a licence" licences suspend CAAT-000003 --reason x --criteria 2c --actor carol
expect_status 1 "suspended cannot be suspended again" licences suspend CAAT-000004 --reason x --criteria 2c --actor carol
expect_err "reinstate, revoke" "the allowed events are named"
expect_status 2 "a reason is required" licences suspend CAAT-000001 --criteria 2c --actor carol
expect_status 2 "criteria are required" licences suspend CAAT-000001 --reason x --actor carol
expect_err "the criteria must be cited" "and says so"
expect_status 2 "an unknown criterion is refused" licences revoke CAAT-000004 --reason x --criteria 9 --actor carol
expect_err "criterion '9' is not one of the Strategic Export Licensing Criteria (2021)" "the error names the criteria version"
expect_status 1 "an unknown licence" licences suspend NOPE --reason x --criteria 2c --actor carol
expect_status 2 "options of suspend are not for list" licences list --reason x
expect_eq "$(sql "SELECT count(*) FROM audit_entry")" "11" "refused changes left no entry"
expect_eq "$(sql "SELECT count(*) FROM licence_status_change")" "6" "and no status change"

expect_ok "log" audit log
expect_out "licence.revoke" "log lists actions"
expect_ok "log of one object" audit log --object licence:CAAT-000001 --json
expect_eq "$(grep -c '"sequence"' "$OUT")" "3" "three entries for CAAT-000001"
expect_ok "log --limit" audit log --limit 2
expect_eq "$(wc -l < "$OUT")" "3" "header and the two newest"
expect_out "licence:CAAT-000001" "the newest is listed"
expect_status 2 "bad --object" audit log --object CAAT-000001

expect_ok "verify the intact log" audit verify
expect_out "audit log verified: 11 entries, 12 signed tree heads" "verify counts entries and heads"
expect_out "objects: 8 checked" "the import, four accounts and three licences checked against their state"
expect_ok "verify with the published key" audit verify --public-key "$PUB"

expect_ok "inclusion proof" audit proof --index 2 --json
expect_out '"leaf_index": 2' "proof names the leaf"
expect_out '"tree_size": 11' "proof defaults to the newest head"
expect_ok "consistency proof" audit proof --from 2 --to 5 --json
expect_out '"first": 2' "consistency names the sizes"
expect_status 2 "no entry 11 in a tree of 11" audit proof --index 11
expect_status 2 "no tree of size 12" audit proof --index 1 --size 12
expect_status 2 "--from after --to" audit proof --from 5 --to 2
expect_status 2 "proof needs a question" audit proof
expect_status 2 "inclusion or consistency, not both" audit proof --index 1 --from 1 --to 2
expect_status 2 "--index must be a number" audit proof --index x
expect_status 2 "unknown subcommand" audit frobnicate

"$PH" audit head --json > "$TMP/head11.json"

# ---- tampering: each case on a copy of the database, with the triggers
# that protect the log dropped as someone with the file could ----
tamper() { # name SQL
    rm -f "$TMP/$1.db"*
    sqlite3 "$PENHOLDER_DB" ".backup '$TMP/$1.db'"
    sqlite3 "$TMP/$1.db" "
        DROP TRIGGER audit_entry_no_update; DROP TRIGGER audit_entry_no_delete;
        DROP TRIGGER audit_tree_head_no_delete; DROP TRIGGER audit_node_no_delete;
        DROP TRIGGER audit_key_no_update; DROP TRIGGER licence_status_change_no_delete;
        $2"
    run audit verify --db "$TMP/$1.db"
}

tamper object "UPDATE licence SET status = 'issued' WHERE reference = 'CAAT-000002'"
expect_eq "$STATUS" "1" "an edited licence fails verification"
expect_out "licence CAAT-000002 was changed without an audit entry" "the object is named"
expect_out "newest audit entry 8 (licence.revoke)" "and the entry it contradicts"

tamper line "UPDATE licence_line SET value_pence = 1 WHERE licence_id = (SELECT id FROM licence WHERE reference = 'CAAT-000004')"
expect_eq "$STATUS" "1" "an edited goods line fails verification"
expect_out "licence CAAT-000004 was changed" "its licence is named"

tamper history "DELETE FROM licence_status_change WHERE id = 1"
expect_eq "$STATUS" "1" "a removed status change fails verification"
expect_out "licence CAAT-000001 was changed" "the licence whose history lost a row"

tamper delete "DELETE FROM audit_entry WHERE seq = 7"
expect_eq "$STATUS" "1" "a deleted entry fails verification"
expect_out "entry 7 is missing" "the missing entry is named"

tamper swap "UPDATE audit_entry SET seq = -1 WHERE seq = 6;
             UPDATE audit_entry SET seq = 6 WHERE seq = 7;
             UPDATE audit_entry SET seq = 7 WHERE seq = -1;"
expect_eq "$STATUS" "1" "reordered entries fail verification"
expect_out "entry 6 (licence.suspend, licence CAAT-000002" "the first swapped entry is named with its contents"
expect_out "entry 7 (licence.reinstate, licence CAAT-000001" "the second one too"

tamper action "UPDATE audit_entry SET action = 'licence.reinstate' WHERE seq = 8"
expect_eq "$STATUS" "1" "an edited action fails verification"
expect_out "entry 8 (licence.reinstate, licence CAAT-000002, by carol" "the edited entry is named"
expect_out "entry 8 is not the entry that was signed" "the signed heads name it too"

tamper rewritten "UPDATE audit_entry SET actor = 'mallory' WHERE seq = 9; DELETE FROM audit_node;"
expect_eq "$STATUS" "1" "an edit with the tree rebuilt around it fails"
expect_out "entry 9 is not the entry that was signed" "the signed heads still name the entry"

tamper head "DELETE FROM audit_tree_head WHERE tree_size = 9"
expect_eq "$STATUS" "1" "a deleted tree head fails verification"
expect_out "the signed tree head of size 9 is missing" "the missing head is named"

tamper key "UPDATE audit_key SET public_key = randomblob(32)"
expect_eq "$STATUS" "1" "a replaced public key fails verification"
expect_out "tree_head_signature" "signatures no longer verify"

tamper json "UPDATE audit_entry SET actor = 'x' WHERE seq = 10"
run audit verify --db "$TMP/json.db" --json
expect_eq "$STATUS" "1" "verify --json fails too"
expect_out '"ok": false' "json verdict"
expect_out '"entry": 10' "json names the entry"

# Cutting the tail off cleanly leaves a consistent log; a head saved
# earlier shows it.
tamper truncate "DELETE FROM audit_entry WHERE seq = 10; DELETE FROM audit_tree_head WHERE tree_size = 11;
                 DELETE FROM audit_node WHERE (idx + 1) * (1 << level) > 10;"
expect_eq "$STATUS" "1" "a truncated log fails: CAAT-000001's revocation is gone"
run audit verify --db "$TMP/truncate.db" --head "$TMP/head11.json"
expect_out "fewer than the tree head of size 11 you hold" "the saved head shows the truncation"
run audit verify --head "$TMP/head11.json"
expect_eq "$STATUS" "0" "the intact log extends the saved head"
expect_status 1 "a wrong pinned key fails" audit verify --public-key "$(printf '%064d' 7)"
expect_out "is not the key given" "the key mismatch is named"
printf '{"tree_size": 1}' > "$TMP/bad-head.json"
expect_status 2 "a malformed saved head is refused" audit verify --head "$TMP/bad-head.json"
expect_err "bad-head.json: tree head: field 'timestamp'" "the error names the file and field"

# ---- the signing key ----
mv "$KEY" "$TMP/key.moved"
before=$(sql "SELECT count(*) FROM audit_entry")
expect_status 1 "no write without the key" licences suspend CAAT-000004 --reason x --criteria 2c --actor alice
expect_status 1 "no write without the key" licences revoke CAAT-000004 --reason x --criteria 2c --actor carol
expect_err "the audit signing key file is missing" "the error says why"
expect_err "nothing was written" "and that nothing was written"
expect_eq "$(sql "SELECT status FROM licence WHERE reference = 'CAAT-000004'")" "suspended" "the licence is unchanged"
expect_eq "$(sql "SELECT count(*) FROM audit_entry")" "$before" "no entry"
expect_status 1 "init reports the missing key" init
expect_err "$KEY" "init names the key file"
PENHOLDER_AUDIT_KEY="$TMP/key.moved" expect_ok "the key found through PENHOLDER_AUDIT_KEY" licences revoke CAAT-000004 --reason "x" --criteria 2c --actor carol
mv "$TMP/key.moved" "$KEY"
chmod 644 "$KEY"
expect_status 0 "reading needs no key" licences list --status revoked
expect_status 1 "a key readable by others is refused" init
expect_err "chmod 600" "the fix is named"
chmod 600 "$KEY"
expect_ok "verify after the key was restored" audit verify

# A second database never takes over the first one's key file.
expect_ok "a second database" init --db "$TMP/other.db"
expect_out "created" "it gets its own key"
if cmp -s "$KEY" "$TMP/other.db.audit-key"; then fail "the keys differ"; else pass "the keys differ"; fi
other_id=$("$PH" audit key --json --db "$TMP/other.db" | grep key_id)
rm -f "$TMP/other.db" "$TMP/other.db-wal" "$TMP/other.db-shm"
expect_ok "a new database next to an existing key file" init --db "$TMP/other.db"
expect_out "taken from" "init takes the existing key rather than replacing it"
expect_eq "$("$PH" audit key --json --db "$TMP/other.db" | grep key_id)" "$other_id" "same key id"
cp "$TMP/other.db.audit-key" "$TMP/foreign-key"
PENHOLDER_AUDIT_KEY="$TMP/foreign-key" expect_status 1 "a key from another database is refused" init
expect_err "does not belong" "the mismatch is named"
finish
