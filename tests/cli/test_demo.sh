# penholder demo: a working day in a fresh database, through the real rules.
. "$(dirname "$0")/lib.sh"

expect_status 1 "demo needs init first" demo
expect_ok "init" init
expect_ok "demo" demo
expect_out "penholder-demo-2026" "the demonstration password is printed"
expect_out "dana.decides" "with every account"
expect_eq "$(sql "SELECT count(DISTINCT role) FROM account")" "9" "an account for every role"
expect_eq "$(sql "SELECT count(DISTINCT status) FROM application")" "9" "applications in every state"
expect_eq "$(sql "SELECT count(*) FROM licence WHERE outcome = 'issued' AND application_id IS NOT NULL")" "6" "licences issued by decisions"
expect_eq "$(sql "SELECT count(*) FROM application WHERE status <> 'draft' AND id NOT IN (SELECT application_id FROM case_assessment)")" "0" "every submitted application was assessed"
expect_eq "$(sql "SELECT outcome FROM application a JOIN application_party p ON p.application_id = a.id WHERE p.name = 'Rostec'")" "refused" "the embargoed destination is refused"
expect_eq "$(sql "SELECT count(*) FROM concern")" "3" "three formal concerns"
expect_eq "$(sql "SELECT count(*) FROM screening_hit")" "3" "screening hits against the demonstration watch list"
expect_eq "$(sql "SELECT count(*) FROM screening_hit WHERE disposition IS NULL")" "1" "one of them still to dispose of"
expect_ok "the review" review list
expect_out "applied" "the 2024 review is applied"
n=$(sql "SELECT count(*) FROM licence WHERE destination = 'IL' AND status = 'suspended'")
[ "$n" -ge 20 ] && [ "$n" -le 40 ] && pass "about 30 licences to Israel suspended ($n)" || fail "suspended: $n"
expect_ok "an overdue concern" concern list --overdue --actor nora.nominated
expect_out "OVERDUE" "one concern is overdue"
expect_ok "the audit log verifies" audit verify
expect_ok "demo again" demo
expect_out "already here" "running it twice adds nothing"
expect_eq "$(sql "SELECT count(*) FROM application")" "27" "still 27 applications"
finish
