# The HTTP framework against a real server: health, the API description and
# its coverage of the route table, static files, problem+json, caps.
. "$(dirname "$0")/lib.sh"

expect_ok "init" init
user root admin
ADMIN=$(token root)
start_server --body-max 2048

req GET /api/v1/health
expect_code 200 "health answers without credentials"
jq_is '.status' ok "health says ok"
expect_eq "$(header Cache-Control)" "no-store" "API replies are not cached"
expect_eq "$(header X-Content-Type-Options)" "nosniff" "nosniff on every reply"
grep -q "GET /api/v1/health 200" "$TMP/server.log" && pass "access log line" || fail "access log line"

# ---- the API description covers the route table, both ways ----
req GET /api/v1/openapi.yaml
expect_code 200 "the API description is served"
expect_eq "$(header Content-Type)" "application/yaml" "as YAML"
cmp -s "$OUT" "$ROOT/docs/openapi.yaml" && pass "it is docs/openapi.yaml" || fail "served description differs from docs/openapi.yaml"
norm_roles() { tr ',' '\n' | sort | paste -sd, -; }
"$PH" serve --routes >"$TMP/routes.tsv"
while IFS="$(printf '\t')" read -r m p r s; do
    echo "$m $p $(echo "$r" | norm_roles)"
done <"$TMP/routes.tsv" | sort >"$TMP/from_server"
awk '
    /^  \/api\// { path = $1; sub(/:$/, "", path); next }
    /^  [^ ]/ { path = "" }
    path != "" && /^    (get|post|put|patch|delete):/ { m = toupper($1); sub(/:$/, "", m); next }
    path != "" && m != "" && /^      x-penholder-roles:/ { print m, path, $2; m = "" }
' "$ROOT/docs/openapi.yaml" | while read -r m p r; do echo "$m $p $(echo "$r" | norm_roles)"; done | sort >"$TMP/from_doc"
expect_eq "$(wc -l <"$TMP/from_server" | tr -d ' ')" "$(wc -l <"$TMP/routes.tsv" | tr -d ' ')" "route table read"
[ "$(wc -l <"$TMP/from_server")" -ge 9 ] && pass "at least the core and account routes" || fail "too few routes"
if diff "$TMP/from_server" "$TMP/from_doc" >"$TMP/route_diff"; then
    pass "every route is in docs/openapi.yaml with its roles, and every documented operation is served"
else
    fail "route table and docs/openapi.yaml differ (< server, > document)"
    sed 's/^/    /' "$TMP/route_diff"
fi
"$PH" serve --routes --json >"$OUT"
jq_is 'map(select(.path == "/api/v1/me"))[0].exporters' true "--routes --json says which routes exporters may call"

# ---- static files ----
req GET /
expect_code 200 "/ serves index.html"
expect_eq "$(header Content-Type)" "text/html; charset=utf-8" "HTML content type"
grep -q "penholder" "$OUT" && pass "index.html content" || fail "index.html content"
req GET /style.css
expect_eq "$(header Content-Type)" "text/css; charset=utf-8" "CSS content type"
req HEAD /index.html
expect_code 200 "HEAD on a file"
for p in "/../Makefile" "/%2e%2e/Makefile" "/%2e%2e%2fMakefile" "/..%2fMakefile" "/./index.html" \
         "/.git/config" "//etc/passwd" "/%2e%2e/%2e%2e/%2e%2e/etc/passwd" "/index.html%00.css" \
         "/..\\Makefile"; do
    CODE=$(curl -s --path-as-is -o "$OUT" -w '%{http_code}' "$URL$p")
    case "$CODE" in
        400 | 404) pass "traversal $p refused ($CODE)" ;;
        *) fail "traversal $p gave $CODE" ;;
    esac
    grep -q "root:" "$OUT" && fail "traversal $p leaked a file"
done
req GET /missing.html
expect_problem 404 not-found "a missing file"
req POST /index.html
expect_code 405 "static files are read-only"

# ---- routing and problems ----
req GET /api/v1/nothing-here
expect_problem 404 not-found "unknown API path"
jq_is '.instance' "/api/v1/nothing-here" "problem names the instance"
as "$ADMIN" DELETE /api/v1/users
expect_problem 405 method "wrong method"
expect_eq "$(header Allow)" "GET, HEAD, POST" "Allow lists the methods"
req GET /api/v1/me
expect_problem 401 unauthenticated "no credentials"
expect_eq "$(header WWW-Authenticate)" 'Bearer realm="penholder"' "401 says how to authenticate"

# ---- bodies ----
J="Content-Type: application/json"
as "$ADMIN" POST /api/v1/users -H "$J" --data '{"name": "x1", "role": "auditor", "password": "long enough pw", "colour": "red"}'
expect_problem 422 validation "unknown field refused"
jq_is '.errors[0].path' colour "the unknown field is named"
jq_is '.errors[0].detail' "unknown field" "and said to be unknown"
as "$ADMIN" POST /api/v1/users -H "$J" --data '{"name": "x1", "role": "pilot", "password": 12}'
expect_problem 422 validation "bad values"
jq_is '[.errors[].path] | join(",")' "role,password" "each bad field named in order"
jq_is '.errors[1].detail' "expected a string, found an integer" "what was expected"
as "$ADMIN" POST /api/v1/users -H "$J" --data '{"name": "x1", "role": "adviser", "password": "long enough pw"}'
expect_problem 422 validation "an adviser needs a team"
jq_is '.errors[0].path' team "the team is named"
as "$ADMIN" POST /api/v1/users -H "$J" --data '{"name": "x1", '
expect_problem 400 json "malformed JSON"
jq -r .detail "$OUT" | grep -q "line 1" && pass "the JSON error has a position" || fail "JSON error position"
as "$ADMIN" POST /api/v1/users -H "$J" --data '{"name": "x1", "name": "x2"}'
expect_problem 400 json "duplicate keys refused"
as "$ADMIN" POST /api/v1/users -H "Content-Type: text/plain" --data '{}'
expect_problem 415 media-type "a body that is not JSON"
as "$ADMIN" POST /api/v1/users -H "$J"
expect_problem 400 body-required "no body"
head -c 3000 /dev/zero | tr '\0' 'a' >"$TMP/big"
as "$ADMIN" POST /api/v1/users -H "$J" --data-binary @"$TMP/big"
expect_problem 413 too-large "a body over --body-max (Content-Length)"
as "$ADMIN" POST /api/v1/users -H "$J" -H "Transfer-Encoding: chunked" --data-binary @"$TMP/big"
expect_code 413 "a chunked body over --body-max"
expect_eq "$(sql "SELECT count(*) FROM account")" "1" "nothing was created by the refused requests"

# ---- query strings ----
as "$ADMIN" GET "/api/v1/users?colour=red"
expect_problem 400 query "unknown query parameter"
as "$ADMIN" GET "/api/v1/users?limit=0"
expect_problem 400 query "limit out of range"
as "$ADMIN" GET "/api/v1/users?role=auditor&role=admin"
expect_problem 400 query "repeated parameter"
as "$ADMIN" GET "/api/v1/users?role=%ZZ"
expect_problem 400 query "bad escape"
Q=$(i=0; while [ $i -lt 40 ]; do printf 'p%d=1&' $i; i=$((i + 1)); done)
as "$ADMIN" GET "/api/v1/users?$Q"
expect_problem 400 query "too many parameters"
LONG=$(head -c 5000 /dev/zero | tr '\0' 'a')
as "$ADMIN" GET "/api/v1/users?role=$LONG"
expect_problem 414 target "a request target over 4096 bytes"
as "$ADMIN" GET "/api/v1/users?role=admin&limit=5"
expect_code 200 "a good query"
jq_is '.users[0].name' root "filtered by role"
jq_is '.limit' 5 "limit applied"
grep -q "role=admin" "$TMP/server.log" && fail "the access log shows a query" || pass "the access log never shows queries"
grep -q "ph_" "$TMP/server.log" && fail "a token reached the log" || pass "no token in the log"

stop_server
expect_eq "$STATUS" 0 "clean exit on SIGTERM"
grep -q "stopped after" "$TMP/server.log" && pass "says it stopped" || fail "stop message"

# A database busy with another writer: reads go on (WAL), a write waits for
# the busy timeout, then gets 503 with Retry-After and writes nothing.
export PENHOLDER_BUSY_TIMEOUT_MS=300
start_server
unset PENHOLDER_BUSY_TIMEOUT_MS
(echo "BEGIN IMMEDIATE;"; sleep 3) | sqlite3 "$PENHOLDER_DB" &
LOCKER=$!
sleep 0.5
as "$ADMIN" GET /api/v1/users
expect_code 200 "reads go on while another process writes"
as "$ADMIN" POST /api/v1/users -H "$J" --data '{"name": "busy1", "role": "auditor", "password": "long enough pw"}'
expect_problem 503 busy "a write on a locked database"
expect_eq "$(header Retry-After)" "1" "says when to retry"
wait $LOCKER
as "$ADMIN" POST /api/v1/users -H "$J" --data '{"name": "busy1", "role": "auditor", "password": "long enough pw"}'
expect_code 201 "the same write once the lock is gone"
expect_eq "$(sql "SELECT count(*) FROM account WHERE name = 'busy1'")" "1" "stored once"
stop_server

# A symbolic link out of the web root is not followed.
mkdir -p "$TMP/web" && cp "$ROOT/web/index.html" "$TMP/web/" && ln -s /etc/passwd "$TMP/web/passwd.txt"
start_server --web "$TMP/web"
req GET /passwd.txt
expect_code 404 "a link out of the web root is not served"
grep -q "root:" "$OUT" && fail "the linked file leaked"
stop_server
finish
