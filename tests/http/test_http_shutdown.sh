# Graceful shutdown during a burst of writes: SIGTERM stops new connections,
# requests in flight finish, the exit is clean, and every write the server
# acknowledged is stored while nothing it did not acknowledge is.
. "$(dirname "$0")/lib.sh"

expect_ok "init" init
user root admin
ADMIN=$(token root)
start_server --threads 2
J="Content-Type: application/json"

post() { # i: creates account burst-i, writes the status to $TMP/code.i
    curl -s -o /dev/null -w '%{http_code}' --max-time 30 -X POST -H "Authorization: Bearer $ADMIN" \
        -H "$J" --data "{\"name\": \"burst-$1\", \"role\": \"auditor\", \"password\": \"long enough pw\"}" \
        "$URL/api/v1/users" >"$TMP/code.$1" 2>/dev/null
}
# Each creation hashes a password (Argon2id), so 24 of them keep two
# threads busy for a while: SIGTERM lands with requests in flight.
i=1
while [ $i -le 24 ]; do
    post $i &
    i=$((i + 1))
done
sleep 0.4
kill -TERM "$SERVER_PID"
sleep 0.1
# Sent after SIGTERM: must not be served.
while [ $i -le 30 ]; do
    post $i &
    i=$((i + 1))
done
wait "$SERVER_PID"
STATUS=$?
SERVER_PID=""
wait
expect_eq "$STATUS" 0 "clean exit after SIGTERM"
grep -q "SIGTERM received" "$TMP/server.log" && pass "the signal is reported" || fail "no signal line"
awk '/SIGTERM received/ { after = 1; next } after && /POST \/api\/v1\/users 201/ { n++ } END { exit n > 0 ? 0 : 1 }' \
    "$TMP/server.log" && pass "requests in flight finished after SIGTERM" || fail "nothing finished after SIGTERM"

acked=0
refused=0
i=1
while [ $i -le 30 ]; do
    code=$(cat "$TMP/code.$i" 2>/dev/null)
    stored=$(sql "SELECT count(*) FROM account WHERE name = 'burst-$i'")
    if [ "$code" = 201 ]; then
        acked=$((acked + 1))
        [ "$stored" = 1 ] || fail "burst-$i was acknowledged but is not stored"
    else
        refused=$((refused + 1))
        [ "$stored" = 0 ] || fail "burst-$i is stored but was answered $code"
    fi
    i=$((i + 1))
done
[ "$acked" -ge 1 ] && pass "$acked acknowledged writes, all stored" || fail "no write was acknowledged"
[ "$refused" -ge 6 ] && pass "$refused requests after SIGTERM not served, none stored" || fail "only $refused refused"
expect_eq "$(sql "SELECT count(*) FROM account")" "$((acked + 1))" "the database holds exactly the acknowledged writes"
expect_eq "$(sql "PRAGMA integrity_check")" "ok" "the database is intact"
expect_ok "the audit log verifies" audit verify
expect_eq "$(sql "SELECT count(*) FROM audit_entry WHERE action = 'account.create'")" "$((acked + 1))" \
    "one audit entry per stored account"
finish
