# The server sweeps overdue concerns itself: with the clock fixed past a
# deadline ($PENHOLDER_TODAY), `penholder serve` escalates an overdue
# concern at start and again on its timer, with no `concern sweep` run;
# each escalation once, by the system, on the audit log, with one log
# line; --sweep-interval 0 turns it off; SIGTERM stops it at once.
. "$(dirname "$0")/lib.sh"

REL="${PENHOLDER_RELEASE_BIN:-$PH}"
mkuser() { n=$1 r=$2; shift 2; echo "$PASSWORD" | "$REL" users add "$n" --role "$r" "$@" --password-stdin >/dev/null; }
expect_ok "init" init
mkuser bob case_officer
mkuser no1 nominated_officer
NO1=$(token no1)
cat >"$TMP/own.csv" <<'CSV'
reference,type,issued_on,expires_on,destination,end_user,end_user_type,end_use,rating,goods_summary,quantity,value_gbp,status,tags
GBSIEL/2023/0000101/P,SIEL,2023-03-01,2025-03-01,IL,Israel Ministry of Defence,armed_forces,F-16 maintenance,ML10.a,components for military combat aircraft,40,125000,issued,
CSV
expect_ok "a licence in the register" import licences "$TMP/own.csv" --format penholder-csv
LIC=GBSIEL/2023/0000101/P
raise() { # DAY TEXT: raises a concern about the licence on DAY, its id in $ID
    PENHOLDER_TODAY=$1 "$PH" concern raise --actor bob --about "licence:$LIC" --category legal-risk --text "$2" >"$OUT" 2>"$ERR" ||
        fail "raise on $1: $(cat "$ERR")"
    ID=$(head -1 "$OUT")
}
escalations() { sql "SELECT count(*) FROM concern_event WHERE concern_id = $1 AND event = 'escalate'"; }
# wait_escalated ID: up to 10 s for the server to escalate it.
wait_escalated() {
    i=0
    while [ $i -lt 100 ]; do
        [ "$(escalations "$1")" -ge 1 ] && return 0
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}

raise 2026-01-05 "Components may be used in Gaza strikes."
C1=$ID
expect_ok "acknowledge by 2026-01-12" concern show "$C1" --actor no1 --json
expect_out '"acknowledge_by": "2026-01-12"' "the acknowledgement is due on 2026-01-12"

# ---- off: --sweep-interval 0 ----
export PENHOLDER_TODAY=2026-01-20
start_server --sweep-interval 0
sleep 1.5
as "$NO1" GET /api/v1/concerns/$C1
jq_is '.state' raised "with the sweep off the overdue concern stays raised"
jq_is '.deadlines.overdue' true "overdue"
grep -q "swept\|concern sweep" "$TMP/server.log" && fail "the server swept with --sweep-interval 0" || pass "no sweep line with --sweep-interval 0"
stop_server
expect_eq "$STATUS" 0 "clean exit"
expect_eq "$(escalations "$C1")" 0 "nothing escalated"

# ---- on: at start and on the timer ----
start_server --sweep-interval 1
wait_escalated "$C1" && pass "the server escalates the overdue concern by itself" || fail "the overdue concern was not escalated"
grep -q "swept up their escalation chain every 1 s" "$TMP/server.log" && pass "the server says it sweeps" || fail "no line saying the server sweeps"
as "$NO1" GET /api/v1/concerns/$C1
jq_is '.state' escalated "escalated"
jq_is '.level' nominated_officer "one level up the chain"
jq_is '[.events[] | select(.event == "escalate")][0].by' system "by the system"
jq_is '[.events[] | select(.event == "escalate")][0].on' 2026-01-20 "dated with the server's day"
jq_is '[.events[] | select(.event == "escalate")][0].text' "overdue: the acknowledgement was due on 2026-01-12" "naming the missed deadline"
jq_is '.deadlines.due_for' "taking up at nominated_officer" "the next level must take it up"
grep -q "^penholder: concern sweep as of 2026-01-20 escalated 1 overdue concern: concern $C1 to nominated_officer$" "$TMP/server.log" &&
    pass "one log line says what was escalated" || fail "no log line for the escalation"

# A concern that falls overdue while the server runs: the timer's next run
# takes it, not only the run at start.
raise 2026-01-02 "Reviews are too slow."
C2=$ID
wait_escalated "$C2" && pass "a later run escalates a concern raised while the server runs" || fail "the timer did not run again"
sleep 2.5
expect_eq "$(escalations "$C1")" 1 "every run after the first leaves an escalated concern alone"
expect_eq "$(escalations "$C2")" 1 "and the second too"
expect_eq "$(grep -c "concern sweep as of" "$TMP/server.log")" 2 "a log line only for runs that escalate"
grep "concern sweep" "$TMP/server.log" | grep -q "bob" && fail "the sweep's log names a reporter" || pass "the log names no one"
stop_server
expect_eq "$STATUS" 0 "clean exit after SIGTERM with the sweep on"
grep -q "stopped after" "$TMP/server.log" && pass "stopped" || fail "no stop line"

# ---- the default: hourly, and the first run at start ----
raise 2026-01-02 "Findings were rebalanced."
C3=$ID
start_server
wait_escalated "$C3" && pass "by default the server sweeps at start" || fail "no sweep at start by default"
grep -q "every 3600 s" "$TMP/server.log" && pass "then every hour" || fail "the default interval is not an hour"
begin=$(date +%s)
stop_server
took=$(($(date +%s) - begin))
expect_eq "$STATUS" 0 "clean exit"
[ "$took" -le 5 ] && pass "SIGTERM does not wait for the next sweep (${took}s)" || fail "stopping took ${took}s"

# ---- the option ----
expect_status 2 "a negative interval is refused" serve --sweep-interval -1
expect_err "--sweep-interval must be a whole number" "naming the option"
expect_status 2 "so is a word" serve --sweep-interval hourly
expect_ok "the help names it" serve --help
expect_out "--sweep-interval SECONDS" "in the help"

expect_ok "audit log of the concern" audit log --object "concern:$C1" --json
expect_out '"actor": "system"' "the server's escalation is on the audit log"
expect_out '"action": "concern.escalate"' "as an escalation"
expect_ok "audit verify" audit verify
finish
