# The README's walkthrough ("Taking an application from draft to licence
# with curl") is run exactly as written: its commands are read from
# README.md, run in order in one shell, and what each prints must show
# the lines the README shows under it (in order; "…" stands for anything
# and a line of "…" for lines left out,
# and dates and the reference's year may differ). So the README cannot
# drift from what penholder does.
#
# WALKTHROUGH_SHOW=1 prints what each command printed (to write the README).
. "$(dirname "$0")/lib.sh"

SECTION="## Taking an application from draft to licence with curl"
README="$ROOT/README.md"
W="$TMP/walk"
mkdir -p "$W" "$TMP/bin" "$TMP/tmp"
ln -s "$PH" "$TMP/bin/penholder"

# ---- the commands and the output shown under each ----
awk -v section="$SECTION" -v dir="$W" '
    $0 == section { in_section = 1; next }
    in_section && /^## / { in_section = 0 }
    !in_section { next }
    /^```/ { in_fence = !in_fence; next }
    !in_fence { next }
    cont { print > (dir "/cmd." n); cont = /\\$/; next }
    /^\$ / { n++; print substr($0, 3) > (dir "/cmd." n); printf "" > (dir "/want." n); cont = /\\$/; next }
    n { print > (dir "/want." n) }
    END { print n > (dir "/count") }
' "$README"
COUNT=$(cat "$W/count")
[ "$COUNT" -ge 30 ] && pass "the README walkthrough has $COUNT commands" || { fail "walkthrough not found in README.md ($COUNT commands)"; finish; }
for step in "penholder init" "users add" "tokens create" "penholder serve" "/submit" "start_checks" "send_to_technical" \
    "/rating" "complete_technical" "/advice" "consolidate" "/countersign" "/decision" "licences show" "audit verify" \
    "audit log --object case:"; do
    cat "$W"/cmd.* | grep -qF -- "$step" && pass "the walkthrough shows $step" || fail "the walkthrough lacks $step"
done

# ---- a free port for the server instead of 8080 ----
PORT=$((20000 + $$ % 20000))
while curl -s -o /dev/null "http://127.0.0.1:$PORT/"; [ $? -ne 7 ]; do PORT=$((PORT + 1)); done

# ---- one shell runs them all, each command's output kept apart ----
{
    echo "set -u"
    echo "cd '$ROOT'"
    echo "export TMPDIR='$TMP/tmp'"
    i=1
    while [ $i -le "$COUNT" ]; do
        # The README's PATH puts build/ first; the test's binary (the
        # sanitizer build) goes before it again after every command.
        echo "export PATH='$TMP/bin':\$PATH"
        printf '{\n%s\n} >"%s/got.%d" 2>"%s/err.%d"\n' "$(sed "s/127\.0\.0\.1:8080/127.0.0.1:$PORT/g" "$W/cmd.$i")" \
            "$W" $i "$W" $i
        echo "status=\$?; echo \$status >'$W/status.$i'"
        if grep -q '&$' "$W/cmd.$i"; then
            echo "echo \$! >'$W/server.pid'"
            echo "n=0; until curl -sf http://127.0.0.1:$PORT/api/v1/health >/dev/null 2>&1 || [ \$n -gt 200 ]; do sleep 0.05; n=\$((n + 1)); done"
        fi
        i=$((i + 1))
    done
} >"$W/run.sh"
sh "$W/run.sh" >"$W/run.out" 2>&1; [ -n "${WALKTHROUGH_KEEP:-}" ] && cp -r "$W" "$WALKTHROUGH_KEEP"
# The last command stops the server (SIGTERM: it finishes what is in flight).
SERVER=$(cat "$W/server.pid" 2>/dev/null)
n=0
while [ -n "$SERVER" ] && kill -0 "$SERVER" 2>/dev/null && [ $n -lt 100 ]; do sleep 0.05; n=$((n + 1)); done
if [ -n "$SERVER" ] && kill -0 "$SERVER" 2>/dev/null; then
    fail "the walkthrough's last command did not stop the server"
    kill -9 "$SERVER"
fi

# normalise FILE: dates and times, and the year of case references, are
# those of the day the test runs; the server listens on the test's port.
normalise() {
    sed -E -e "s/127\.0\.0\.1:$PORT/127.0.0.1:8080/g" \
        -e 's/[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}:[0-9]{2}Z)?/DATE/g' \
        -e 's#(GB[A-Z0-9]+)/[0-9]{4}/#\1/YEAR/#g' -e 's#(GB[A-Z0-9]+)-[0-9]{4}-#\1-YEAR-#g' "$1"
}

# shows WANT GOT: every line of WANT (but "…" lines) is a line of GOT, in
# order, "…" in a line matching anything. The first line missing is in $MISSING.
# GOT is what the command wrote to its standard output, then its standard
# error (where the server says where it serves).
shows() {
    normalise "$1" >"$TMP/want.n"
    normalise "$2" >"$TMP/got.n"
    MISSING=$(awk '
        function pattern(s,   out, parts, k, m) {
            m = split(s, parts, "…")
            out = ""
            for (k = 1; k <= m; k++) {
                gsub(/[][\\^$.|?*+(){}]/, "\\\\&", parts[k])
                out = out (k > 1 ? ".*" : "") parts[k]
            }
            return "^" out "$"
        }
        FILENAME == ARGV[1] { got[++ng] = $0; next }
        $0 == "…" || $0 == "" { next }
        {
            re = pattern($0)
            while (++at <= ng) if (got[at] ~ re) next
            print; exit
        }
    ' "$TMP/got.n" "$TMP/want.n")
    [ -z "$MISSING" ]
}

i=1
while [ $i -le "$COUNT" ]; do
    cmd=$(head -n 1 "$W/cmd.$i")
    st=$(cat "$W/status.$i" 2>/dev/null || echo "not run")
    if [ "$st" != 0 ]; then
        fail "README command $i ($cmd) exited with $st"
        sed 's/^/    stderr: /' "$W/err.$i" 2>/dev/null | head -5
    elif [ -s "$W/want.$i" ]; then
        cat "$W/got.$i" "$W/err.$i" >"$W/all.$i"
        if shows "$W/want.$i" "$W/all.$i"; then
            pass "README command $i prints what the README shows ($cmd)"
        else
            fail "README command $i ($cmd) does not print: $MISSING"
            sed 's/^/    got: /' "$W/got.$i" | head -8
        fi
    else
        pass "README command $i runs ($cmd)"
    fi
    if [ -n "${WALKTHROUGH_SHOW:-}" ]; then
        echo "--- $i: $cmd"
        cat "$W/got.$i"
    fi
    i=$((i + 1))
done

# ---- and it did what the README says ----
DB=$(ls "$TMP"/tmp/*/walkthrough.db 2>/dev/null | head -n 1)
if [ -n "$DB" ]; then
    REF=$(sqlite3 "$DB" "SELECT reference FROM application")
    expect_eq "$(sqlite3 "$DB" "SELECT status FROM licence WHERE reference = '$REF'")" "issued" "the walkthrough issued licence $REF"
    expect_eq "$(sqlite3 "$DB" "SELECT count(*) FROM audit_entry WHERE object_type = 'case' AND object_id = '$REF'")" "11" \
        "every step of the case is on the audit log"
else
    fail "the walkthrough made no database under TMPDIR"
fi
finish
