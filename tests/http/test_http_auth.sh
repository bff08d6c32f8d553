# Accounts over HTTP: login and logout, the session cookie and CSRF, bearer
# tokens, lockout, 401/403, and changes to accounts with ETag/If-Match.
. "$(dirname "$0")/lib.sh"

expect_ok "init" init
user root admin
user ann case_officer
user exa exporter --org "Acme Ltd"
ADMIN=$(token root)
start_server --login-delay 0 --lockout-after 3 --lockout 8
J="Content-Type: application/json"

# ---- login with a session cookie ----
req POST /api/v1/login -H "$J" --data "{\"name\": \"ann\", \"password\": \"$PASSWORD\"}" -c "$TMP/jar"
expect_code 200 "login"
COOKIE=$(header Set-Cookie)
case "$COOKIE" in penholder_session=ph_*) pass "session cookie set" ;; *) fail "session cookie: $COOKIE" ;; esac
for flag in HttpOnly "SameSite=Strict" "Path=/" "Max-Age=43200"; do
    case "$COOKIE" in *"; $flag"*) pass "cookie has $flag" ;; *) fail "cookie lacks $flag: $COOKIE" ;; esac
done
case "$COOKIE" in *Secure*) fail "Secure without --secure-cookies" ;; *) pass "no Secure without TLS in front" ;; esac
CSRF=$(jq -r .csrf_token "$OUT")
jq_is '.user.role' case_officer "login returns the account"
SESSION=$(echo "$COOKIE" | sed 's/^penholder_session=\([^;]*\);.*/\1/')
expect_eq "$(sql "SELECT count(*) FROM session WHERE token_hash = '$SESSION'")" "0" "the session token is not stored"
expect_eq "$(sql "SELECT count(*) FROM session")" "1" "its hash is"
grep -q "$SESSION" "$TMP/server.log" && fail "the session token reached the log" || pass "no session token in the log"
grep -q "$CSRF" "$TMP/server.log" && fail "the CSRF token reached the log" || pass "no CSRF token in the log"

req GET /api/v1/me -b "$TMP/jar"
expect_code 200 "the cookie authenticates reads"
jq_is '.authenticated_by' session "by session"
jq_is '.csrf_token' "$CSRF" "/me gives the CSRF token back to a reloaded page"

# Writes with the cookie need the CSRF header.
req POST /api/v1/logout -b "$TMP/jar"
expect_problem 403 csrf "a cookie write without X-CSRF-Token"
req POST /api/v1/logout -b "$TMP/jar" -H "X-CSRF-Token: ${CSRF}x"
expect_problem 403 csrf "a cookie write with a wrong X-CSRF-Token"
req POST /api/v1/logout -b "$TMP/jar" -H "X-CSRF-Token: $CSRF"
expect_code 204 "logout with the CSRF token"
case "$(header Set-Cookie)" in *"Max-Age=0"*) pass "logout clears the cookie" ;; *) fail "cookie not cleared" ;; esac
req GET /api/v1/me -b "$TMP/jar"
expect_problem 401 unauthenticated "the session has ended"
expect_eq "$(sql "SELECT count(*) FROM session")" "0" "and is gone from the database"

# An admin logged in with a cookie: CSRF guards account changes too.
req POST /api/v1/login -H "$J" --data "{\"name\": \"root\", \"password\": \"$PASSWORD\"}" -c "$TMP/rootjar"
RCSRF=$(jq -r .csrf_token "$OUT")
req POST /api/v1/users -b "$TMP/rootjar" -H "$J" --data '{"name": "csrf1", "role": "auditor", "password": "long enough pw"}'
expect_problem 403 csrf "account creation by cookie without CSRF"
req POST /api/v1/users -b "$TMP/rootjar" -H "$J" -H "X-CSRF-Token: $RCSRF" \
    --data '{"name": "csrf1", "role": "auditor", "password": "long enough pw"}'
expect_code 201 "account creation by cookie with CSRF"

# ---- bearer tokens ----
TOK=$(token ann)
as "$TOK" GET /api/v1/me
expect_code 200 "bearer token"
jq_is '.authenticated_by' token "by token"
jq_is 'has("csrf_token")' false "no CSRF token for token clients"
as "$TOK" POST /api/v1/logout
expect_problem 400 not-a-session "logout is for sessions"
as "${TOK}x" GET /api/v1/me
expect_problem 401 unauthenticated "a wrong token"
req GET /api/v1/me -H "Authorization: Basic YW5uOnB3"
expect_problem 401 unauthenticated "another scheme"
ID=$("$PH" tokens list ann --json | jq -r '.[0].id')
expect_ok "revoke the token" tokens revoke "$ID"
as "$TOK" GET /api/v1/me
expect_problem 401 unauthenticated "a revoked token"
"$PH" tokens create ann >"$TMP/token_out"
expect_eq "$(tail -n 1 "$TMP/token_out" | grep -c '^ph_[A-Za-z0-9_-]\{43\}$')" "1" "the token is alone on the last line"
expect_eq "$(sql "SELECT count(*) FROM api_token WHERE token_hash = '$(tail -n 1 "$TMP/token_out")'")" "0" "only its hash is stored"

# ---- roles ----
EXA=$(token exa)
as "$EXA" GET /api/v1/me
expect_code 200 "an exporter reads their own account"
jq_is '.user.organisation' "Acme Ltd" "exporters see their organisation"
jq_is '.user | has("team")' false "the exporter reply is its own type"
as "$EXA" GET /api/v1/users
expect_problem 403 forbidden "an exporter may not list accounts"
ANN=$(token ann)
as "$ANN" GET /api/v1/users/root
expect_problem 403 forbidden "a case officer may not read accounts"
jq -r .detail "$OUT" | grep -q "case_officer" && pass "403 names the role" || fail "403 detail"

# ---- lockout ----
for i in 1 2; do
    req POST /api/v1/login -H "$J" --data '{"name": "ann", "password": "not the password"}'
    expect_problem 401 login-failed "failed login $i"
done
req POST /api/v1/login -H "$J" --data '{"name": "nobody", "password": "not the password"}'
UNKNOWN=$(jq -r .detail "$OUT")
req POST /api/v1/login -H "$J" --data '{"name": "ann", "password": "not the password"}'
expect_eq "$(jq -r .detail "$OUT")" "$UNKNOWN" "a wrong password and an unknown name read the same"
expect_eq "$(sql "SELECT locked_until IS NOT NULL FROM account WHERE name = 'ann'")" "1" "locked after 3 failures"
req POST /api/v1/login -H "$J" --data "{\"name\": \"ann\", \"password\": \"$PASSWORD\"}"
expect_problem 401 login-failed "locked: the right password fails too"
as "$ADMIN" GET /api/v1/users/ann
jq_is '.locked_until != null' true "the admin sees the lock"
sleep 8.5
req POST /api/v1/login -H "$J" --data "{\"name\": \"ann\", \"password\": \"$PASSWORD\"}"
expect_code 200 "the lock runs out"
expect_eq "$(sql "SELECT failed_logins FROM account WHERE name = 'ann'")" "0" "a good login resets the count"
grep -q "$PASSWORD" "$TMP/server.log" && fail "a password reached the log" || pass "no password in the log"

# ---- accounts: ETag and If-Match ----
as "$ADMIN" POST /api/v1/users -H "$J" \
    --data '{"name": "fay", "role": "adviser", "team": "fcdo", "password": "long enough pw"}'
expect_code 201 "create an adviser"
expect_eq "$(header Location)" "/api/v1/users/fay" "Location of the new account"
E1=$(header ETag)
case "$E1" in \"*\") pass "strong ETag" ;; *) fail "ETag: $E1" ;; esac
as "$ADMIN" GET /api/v1/users/fay
expect_eq "$(header ETag)" "$E1" "the same ETag on read"
as "$ADMIN" PATCH /api/v1/users/fay -H "$J" --data '{"team": "mod"}'
expect_problem 428 precondition-required "a change without If-Match"
as "$ADMIN" PATCH /api/v1/users/fay -H "$J" -H "If-Match: $E1" --data '{"team": "mod"}'
expect_code 200 "a change with the current ETag"
jq_is '.team' mod "changed"
E2=$(header ETag)
[ "$E2" != "$E1" ] && pass "a new ETag" || fail "ETag unchanged"
as "$ADMIN" PATCH /api/v1/users/fay -H "$J" -H "If-Match: $E1" --data '{"team": "ncsc"}'
expect_problem 412 stale "a change with a stale ETag"
expect_eq "$(sql "SELECT team FROM account WHERE name = 'fay'")" "mod" "the stale change changed nothing"
as "$ADMIN" PATCH /api/v1/users/fay -H "$J" -H "If-Match: nonsense" --data '{"team": "ncsc"}'
expect_problem 400 bad-header "a malformed If-Match"
as "$ADMIN" PATCH /api/v1/users/fay -H "$J" -H "If-Match: $E2" --data '{"team": null}'
expect_problem 422 validation "an adviser cannot lose their team"
jq_is '.errors[0].path' team "the team is named"
as "$ADMIN" PATCH /api/v1/users/fay -H "$J" -H "If-Match: $E2" --data '{}'
expect_problem 422 validation "nothing to change"
as "$ADMIN" PATCH /api/v1/users/fay -H "$J" -H "If-Match: $E2" --data '{"role": "countersigner", "disabled": true}'
expect_code 200 "role change and disable in one"
jq_is '.disabled' true "disabled"
as "$ADMIN" PATCH /api/v1/users/root -H "$J" -H "If-Match: *" --data '{"disabled": true}'
expect_problem 409 conflict "an admin cannot disable themselves"
as "$ADMIN" GET /api/v1/users/nobody
expect_problem 404 not-found "an unknown account"
as "$ADMIN" GET "/api/v1/users?disabled=include"
jq_is '[.users[].name] | index("fay") != null' true "disabled accounts on request"
as "$ADMIN" GET "/api/v1/users"
jq_is '[.users[].name] | index("fay")' null "and not by default"

# A disabled account's tokens stop working; enabling brings them back.
"$PH" users disable exa >/dev/null
as "$EXA" GET /api/v1/me
expect_problem 401 unauthenticated "a disabled account's token"
"$PH" users enable exa >/dev/null
as "$EXA" GET /api/v1/me
expect_code 200 "enabled again"

stop_server
expect_eq "$STATUS" 0 "clean exit"

# Every account write is on the audit log, in the same transaction.
expect_ok "the audit log verifies" audit verify
"$PH" audit log --json >"$OUT"
for a in "account.create root account:fay" "login.failure anonymous account:ann" \
         "account.lockout system account:ann" "account.role root account:fay" \
         "account.disable root account:fay" "token.revoke cli account:ann"; do
    set -- $a
    n=$(jq --arg a "$1" --arg who "$2" '[.[] | select(.action == $a and (.actor | startswith($who)))] | length' "$OUT")
    [ "$n" -ge 1 ] && pass "audited: $1 by $2" || fail "no $1 by $2 in the audit log"
done
expect_eq "$(jq '[.[] | select(.action == "login.failure")] | length' "$OUT")" "3" "one entry per counted failure"

# Secure cookies when configured.
start_server --secure-cookies --login-delay 0
req POST /api/v1/login -H "$J" --data "{\"name\": \"root\", \"password\": \"$PASSWORD\"}"
case "$(header Set-Cookie)" in *"; Secure"*) pass "--secure-cookies marks the cookie Secure" ;; *) fail "no Secure" ;; esac
stop_server
finish
