# Accounts and API tokens from the command line.
. "$(dirname "$0")/lib.sh"

PW="correct horse battery"
printf '%s\n' "$PW" >"$TMP/pw"
printf 'short\n' >"$TMP/short"
printf 'another long password\n' >"$TMP/pw2"
expect_ok "init" init
run users add ada --role admin --password-stdin <"$TMP/pw"
expect_eq "$STATUS" 0 "add an admin"
expect_out "ada: added as admin" "says what was added"
run users add fay --role adviser --team fcdo --password-stdin <"$TMP/pw"
expect_out "team fcdo" "adviser with a team"
run users add exa --role exporter --org "Acme Ltd" --password-stdin --json <"$TMP/pw"
expect_eq "$(jq -r .organisation "$OUT")" "Acme Ltd" "exporter with an organisation (JSON)"
expect_eq "$(sql "SELECT password_hash LIKE '\$argon2id\$%' FROM account WHERE name = 'ada'")" "1" "Argon2id hash stored"
expect_eq "$(sql "SELECT count(*) FROM account WHERE password_hash LIKE '%horse%'")" "0" "never the password"

run users add bad --role exporter --password-stdin <"$TMP/pw"
expect_eq "$STATUS" 2 "an exporter without --org"
expect_err "needs an organisation" "says so"
run users add bad --role adviser --password-stdin <"$TMP/pw"
expect_err "needs a team" "an adviser without --team"
run users add bad --role adviser --team mi6 --password-stdin <"$TMP/pw"
expect_err "unknown team 'mi6'" "an unknown team"
run users add bad --role pilot --password-stdin <"$TMP/pw"
expect_err "unknown role 'pilot'" "an unknown role"
run users add Bad --role admin --password-stdin <"$TMP/pw"
expect_err "lower-case" "a bad name"
run users add bad --role admin --password-stdin <"$TMP/short"
expect_err "at least 12" "a short password"
run users add bad --role admin </dev/null
expect_eq "$STATUS" 2 "no --password-stdin"
expect_err "--password-stdin" "says how to give the password"
run users add ada --role admin --password-stdin <"$TMP/pw"
expect_err "already exists" "a name taken"
expect_eq "$(sql "SELECT count(*) FROM account")" "3" "nothing added by the failures"

expect_ok "list" users list
expect_out "Acme Ltd" "table lists the exporter's organisation"
expect_ok "disable" users disable fay
expect_ok "list without disabled" users list
expect_no_out "fay" "disabled accounts hidden"
expect_ok "list --all" users list --all --json
expect_eq "$(jq -r '.[] | select(.name == "fay") | .disabled' "$OUT")" "true" "shown with --all"
expect_ok "enable" users enable fay
expect_eq "$(sql "SELECT disabled FROM account WHERE name = 'fay'")" "0" "enabled"
run users password fay --password-stdin <"$TMP/pw2"
expect_eq "$STATUS" 0 "change a password"
expect_status 1 "disable an unknown account" users disable nobody
expect_err "no account named 'nobody'" "names it"

expect_ok "create a token" tokens create exa --expires 30 --label "ci"
TOKEN=$(tail -n 1 "$OUT")
expect_eq "$(echo "$TOKEN" | grep -c '^ph_[A-Za-z0-9_-]\{43\}$')" "1" "the token alone on the last line"
expect_eq "$(sql "SELECT count(*) FROM api_token WHERE token_hash = '$TOKEN'")" "0" "not stored as such"
expect_ok "list tokens" tokens list exa --json
expect_eq "$(jq -r '.[0].label' "$OUT")" "ci" "label listed"
expect_eq "$(jq -r '.[0].expires_at != null' "$OUT")" "true" "expiry listed"
grep -q "$TOKEN" "$OUT" && fail "the list shows the token" || pass "the list never shows the token"
ID=$(jq -r '.[0].id' "$OUT")
expect_ok "revoke" tokens revoke "$ID"
expect_ok "list after revoke" tokens list --json
expect_eq "$(jq -r '.[0].revoked_at != null' "$OUT")" "true" "revoked"
expect_status 1 "revoke an unknown token" tokens revoke 999
expect_status 2 "revoke needs a number" tokens revoke abc
expect_status 2 "expiry beyond ten years" tokens create exa --expires 4000
expect_ok "disable exa" users disable exa
run tokens create exa
[ "$STATUS" -ne 0 ] && pass "no token for a disabled account" || fail "token made for a disabled account"

expect_ok "the audit log verifies" audit verify
expect_ok "audit log" audit log --json
for a in account.create account.disable account.enable account.password token.create token.revoke organisation.create; do
    [ "$(jq --arg a $a '[.[] | select(.action == $a)] | length' "$OUT")" -ge 1 ] && pass "audited: $a" || fail "not audited: $a"
done
finish
