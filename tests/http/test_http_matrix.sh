# The role x route matrix: every role calls every route the server
# registers (read from `penholder serve --routes`, so new routes are covered
# without editing this test) and gets 403 exactly when the route's roles
# leave it out; without credentials every non-public route gives 401.
# Path parameters are filled with a value that names nothing, and writes
# carry an empty JSON object, so an allowed call fails validation or finds
# nothing instead of changing anything.
. "$(dirname "$0")/lib.sh"

expect_ok "init" init
ROLES="exporter case_officer technical_assessor adviser countersigner decision_maker nominated_officer auditor admin"
for r in $ROLES; do
    case $r in
        exporter) user "m-$r" "$r" --org "Matrix Exports Ltd" ;;
        adviser) user "m-$r" "$r" --team fcdo ;;
        *) user "m-$r" "$r" ;;
    esac
    token "m-$r" >"$TMP/token.$r"
done
start_server --login-delay 0
"$PH" serve --routes >"$TMP/routes.tsv"
ROUTES=$(wc -l <"$TMP/routes.tsv" | tr -d ' ')
[ "$ROUTES" -ge 9 ] && pass "$ROUTES routes to try" || fail "too few routes ($ROUTES)"

allowed=0
forbidden=0
TAB=$(printf '\t')
while IFS="$TAB" read -r method pattern roles summary; do
    path=$(echo "$pattern" | sed 's/{[a-z_]*}/matrix-nothing/g')
    set --
    case $method in POST | PUT | PATCH) set -- -H "Content-Type: application/json" --data '{}' ;; esac
    for r in $ROLES; do
        case ",$roles," in
            ,public,) want=any ;;
            *",$r,"*) want=any ;;
            *) want=403 ;;
        esac
        as "$(cat "$TMP/token.$r")" "$method" "$path" "$@"
        if [ "$want" = 403 ]; then
            forbidden=$((forbidden + 1))
            if [ "$CODE" = 403 ] && jq -e '.type == "urn:penholder:problem:forbidden"' "$OUT" >/dev/null; then
                pass "$r: $method $pattern forbidden"
            else
                fail "$r: $method $pattern gave $CODE, wanted 403 ($summary)"
            fi
        else
            allowed=$((allowed + 1))
            case $CODE in
                401 | 403 | 000 | 5*) fail "$r: $method $pattern gave $CODE, wanted it allowed ($summary)" ;;
                *) pass "$r: $method $pattern allowed ($CODE)" ;;
            esac
        fi
    done
    req "$method" "$path" "$@"
    if [ "$roles" = public ]; then
        case $CODE in 401 | 403 | 5*) fail "anonymous: $method $pattern gave $CODE" ;; *) pass "anonymous: $method $pattern open" ;; esac
    else
        expect_code 401 "anonymous: $method $pattern needs credentials"
    fi
done <"$TMP/routes.tsv"
[ "$allowed" -gt 0 ] && [ "$forbidden" -gt 0 ] && pass "the matrix has both outcomes ($allowed allowed, $forbidden forbidden)" \
    || fail "a one-sided matrix ($allowed allowed, $forbidden forbidden)"
expect_eq "$(sql "SELECT count(*) FROM account")" "9" "no call in the matrix created an account"
stop_server
expect_eq "$STATUS" 0 "clean exit"
finish
