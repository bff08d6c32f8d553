# Reviews of extant licences, from a fresh database: the September 2024
# scenario (the register, the IHL evidence of 2 September 2024, a review
# under 2c with the F-35 global programme exception), the dry run and its
# impact, who may approve and apply, the application through the licence
# workflow with the customs outbox and the work queue, applying twice, the
# reports (the HTML one checked in Chromium), the audit log, and a
# reinstatement review later.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
export PENHOLDER_AUDIT_TIME=2024-09-02T10:00:00Z
jqo() { jq -r "$1" "$OUT"; }

expect_ok "init" init
for a in "officer case_officer" "dm decision_maker" "dm2 decision_maker" "adv adviser --team fcdo"; do
    set -- $a
    n=$1 r=$2
    shift 2
    echo "correct horse battery" | "$PH" users add "$n" --role "$r" --password-stdin "$@" >/dev/null
done

# ---- the scenario register ----
expect_ok "the scenario register" review scenario --out "$TMP/register.csv"
expect_eq "$(head -1 "$TMP/register.csv")" \
    "reference,type,issued_on,expires_on,destination,end_user,end_user_type,end_use,rating,goods_summary,quantity,value_gbp,status,tags" \
    "written as penholder-csv"
"$PH" review scenario --out "$TMP/again.csv"
cmp -s "$TMP/register.csv" "$TMP/again.csv" && pass "the same register every time" || fail "the scenario is not deterministic"
"$PH" review scenario --out "$TMP/other.csv" --seed 9
cmp -s "$TMP/register.csv" "$TMP/other.csv" && fail "another seed gives the same register" || pass "another seed, another register"
expect_ok "import it" import licences "$TMP/register.csv" --format penholder-csv
expect_out "375 licences" "350 extant licences to Israel and 25 others"
expect_ok "the extant ones" licences list --destination IL --status issued --limit 0 --json
expect_eq "$(jqo 'length')" 350 "350 extant licences to Israel"
expect_eq "$(sql "SELECT count(*) FROM licence WHERE tags = 'f35-global-programme'")" 8 "F-35 global programme components are tagged"
expect_ok "the rating mix" review scenario --mix
expect_out "5A002,138," "the commonest rating of the 2008-2015 Israel rows"
expect_ok "IHL evidence of 2 September 2024" evidence add --destination IL --topic ihl --severity serious \
    --summary "Possible breaches of IHL on humanitarian access and the treatment of detainees; Israel not committed to compliance in those areas" \
    --source "FCDO summary of the IHL process; HCWS64" --date 2024-09-02 --reliability high
expect_eq "$(cat "$OUT")" "EV-0001" "the evidence id"

# ---- creating the review ----
REVIEW="$ROOT/tests/review/israel-2024.json"
expect_status 1 "an adviser may not create a review" review create "$REVIEW" --actor adv
expect_err "only a case officer or a decision maker may create a review" "says who may"
expect_status 1 "the actor must be an account" review create "$REVIEW" --actor nobody
expect_err "no account named 'nobody'" "names the missing account"
sed 's/"statuses": \["issued", "reinstated"\]/"statuses": ["issued", "expired"]/' "$REVIEW" >"$TMP/bad.json"
expect_status 2 "a status a suspension cannot leave" review create "$TMP/bad.json" --actor dm
expect_err "bad.json: scope.statuses[1]: a suspension review covers licences that can be suspended" "names the JSON path"
expect_ok "create" review create "$REVIEW" --actor dm
expect_eq "$(head -1 "$OUT")" "RV-0001" "the id alone on the first line"
expect_status 1 "no report before a run" review report RV-0001 --format html
expect_err "has not been run" "says why"

# ---- the dry run ----
expect_ok "dry run" review run RV-0001 --actor officer --json
expect_eq "$(jqo '.review')" "RV-0001" "names the review"
expect_eq "$(jqo '.summary | "\(.suspend) \(.exception) \(.refer) \(.continue)"')" "30 8 24 288" \
    "30 suspended, 8 excepted, 24 referred, 288 continue"
expect_eq "$(jqo '.licences | length')" 350 "every extant licence to Israel has a result"
expect_eq "$(jqo '[.licences[] | select(.action == "suspend") | .criteria == ["2c"] and (.reason | startswith("2c: Clear risk"))] | all')" \
    true "each suspension cites 2c with its reason"
expect_eq "$(jqo '[.licences[] | select(.action == "suspend") | .goods | test("F-16|F-35 combat|helicopter|unmanned aerial|target|naval")] | all')" \
    true "suspended: F-16, direct F-35, helicopter, UAV, targeting and naval components"
expect_eq "$(jqo '[.licences[] | select(.action == "exception") | .exception.authority == "HCWS64" and .proposed == "suspend"] | "\(length) \(all)"')" \
    "8 true" "the F-35 global programme components are the exception, under HCWS64"
expect_eq "$(jqo '[.licences[] | select(.goods | test("training aircraft")) | .action] | unique | join(",")')" "refer" \
    "trainer-aircraft components are referred, not suspended"
expect_eq "$(jqo '[.licences[] | select(.action == "continue") | .end_user_type] | unique | index("armed_forces")')" "null" \
    "nothing for the armed forces continues without a person deciding"
expect_eq "$(jqo '[.summary.by_capability[] | select(.key == "uav") | .licences.suspend][0]')" 6 "impact by capability"
expect_eq "$(jqo '[.summary.by_end_user_type[] | select(.key == "armed_forces") | .total][0]')" 62 "impact by end-user type"
expect_eq "$(jqo '.summary.value_gbp.suspend > 0')" true "impact with values"
expect_eq "$(sql "SELECT count(*) FROM licence WHERE status = 'suspended'")" 0 "a dry run changes no licence"
expect_ok "the dry run as text" review run RV-0001
expect_out "suspend        30" "the text summary"
expect_out "exception 1 (HCWS64)" "the exception in the table"

# ---- approval ----
expect_status 1 "not applied before approval" review apply RV-0001 --actor dm2
expect_err "is not approved" "says it must be approved"
expect_status 1 "a case officer may not approve" review approve RV-0001 --actor officer
expect_err "only a decision maker may approve a review" "says who may"
expect_status 1 "the creator may not approve" review approve RV-0001 --actor dm
expect_err "dm created review RV-0001: another decision maker must approve it" "says why"
expect_status 1 "approving a run that is not the newest" review approve RV-0001 --actor dm2 --run 1
expect_ok "approved by another decision maker" review approve RV-0001 --actor dm2 --note "Suspend as recommended; F-35 global programme excepted (HCWS64)."
expect_out "run 2 approved by dm2" "the approved run"
expect_status 1 "an approved review is not run again" review run RV-0001 --actor officer

# ---- application ----
expect_status 1 "a case officer may not apply" review apply RV-0001 --actor officer
expect_ok "apply" review apply RV-0001 --actor dm2 --batch 8 --json
expect_eq "$(jqo '"\(.changed) \(.skipped) \(.referred) \(.customs_notifications) \(.batches)"')" "30 0 24 30 4" \
    "30 suspended, 24 referred, 30 customs notifications, in 4 batches"
expect_ok "suspended licences" licences list --destination IL --status suspended --limit 0 --json
expect_eq "$(jqo 'length')" 30 "30 licences suspended"
expect_eq "$(sql "SELECT count(*) FROM licence_status_change WHERE event = 'suspend' AND criteria = '2c' AND reason LIKE 'Review RV-0001 (Israel: compliance with international humanitarian law, September 2024), run 2 approved by dm2: 2c: Clear risk%'")" \
    30 "each suspension through the licence workflow, with the review, its criteria and its own reason"
expect_eq "$(sql "SELECT count(*) FROM licence_status_change c JOIN licence_line l ON l.licence_id = c.licence_id AND l.line_no = 1 WHERE instr(c.reason, l.goods_summary) > 0")" \
    30 "each reason names the licence's own goods"
expect_eq "$(sql "SELECT count(*) FROM licence WHERE tags = 'f35-global-programme' AND status = 'issued'")" 8 \
    "the F-35 global programme licences are not suspended"
expect_ok "apply again" review apply RV-0001 --actor dm2
expect_out "already applied; nothing to do" "applying twice does nothing the second time"
expect_eq "$(sql "SELECT count(*) FROM licence_status_change")" 30 "no second suspension"
expect_ok "the outbox" review outbox --json
expect_eq "$(jqo '[.[] | select(.event == "suspend" and .state == "pending" and .review == "RV-0001")] | length')" 30 \
    "a customs notification for each suspension"
expect_ok "the work queue" review queue RV-0001 --json
expect_eq "$(jqo 'length')" 24 "the referred licences wait for a decision"
REFERRED=$(jqo '.[0].reference')
expect_status 1 "a case officer may not resolve a referral" review resolve RV-0001 "$REFERRED" --decision continue \
    --reason "Trainer components" --actor officer
expect_ok "a decision maker resolves it" review resolve RV-0001 "$REFERRED" --decision continue \
    --reason "Training aircraft parts: not for use in military operations in Gaza." --actor dm
expect_ok "the queue after" review queue --json
expect_eq "$(jqo 'length')" 23 "one fewer referral open"
expect_ok "show" review show RV-0001
expect_out "30 suspended, 0 skipped, 30 customs notifications; referrals 23 open, 1 resolved" "show sums up the action"
expect_ok "audit log of the review" audit log --object review:RV-0001 --json
expect_eq "$(jqo '[.[].action] | unique | join(" ")')" \
    "review.apply review.apply_batch review.approve review.create review.resolve review.run" "every step of the review is audited"
expect_ok "audit verify" audit verify

# ---- the reports ----
expect_ok "CSV report" review report RV-0001 --format csv --out "$TMP/report.csv"
expect_eq "$(wc -l <"$TMP/report.csv" | tr -d ' ')" 351 "a row per licence and a header"
expect_eq "$(grep -c ',exception,suspend,2c,2c-combat-capability,1,HCWS64,' "$TMP/report.csv")" 8 "exceptions with their authority"
expect_ok "JSON report" review report RV-0001 --format json --out "$TMP/report.json"
expect_eq "$(jq -r '.results_sha256.matches' "$TMP/report.json")" true "the results are as recorded"
expect_eq "$(jq -r '.evidence[0].source_date' "$TMP/report.json")" 2024-09-02 "on what evidence"
expect_eq "$(jq -r '.exceptions[0].licences | length' "$TMP/report.json")" 8 "which licences each exception covered"
expect_eq "$(jq -r '.review.approval.by' "$TMP/report.json")" dm2 "who approved"
expect_ok "HTML report" review report RV-0001 --format html --out "$TMP/report.html"
grep -q 'href="/govuk/govuk-frontend.min.css"' "$TMP/report.html" && pass "links the GOV.UK stylesheet" || fail "no GOV.UK stylesheet"
grep -q '<svg class="review-chart" id="chart-actions"' "$TMP/report.html" && pass "an impact chart" || fail "no chart"
grep -q 'id="figure-suspend"><span class="review-figure__number">30<' "$TMP/report.html" && pass "the headline figure" \
    || fail "no headline figure"
grep -q '<script' "$TMP/report.html" && fail "the report runs a script" || pass "no script"
CHROMIUM=${PENHOLDER_CHROMIUM:-/usr/bin/chromium}
if command -v node >/dev/null 2>&1 && [ -x "$CHROMIUM" ] && [ -d "$ROOT/web/node_modules/playwright-core" ]; then
    mkdir -p "$ROOT/build/test-logs"
    if node "$ROOT/tests/e2e/review-report.mjs" "$TMP/report.html" "$ROOT/build/test-logs/review-report.png" \
        suspend=30 exception=8 refer=24 continue=288 >"$TMP/e2e.log" 2>&1; then
        pass "the HTML report in Chromium (screenshot: build/test-logs/review-report.png)"
    else
        fail "the HTML report in Chromium"
        sed 's/^/    /' "$TMP/e2e.log"
    fi
else
    echo "SKIP review report in Chromium: needs node, $CHROMIUM and web/node_modules (make web-assets)"
fi

# ---- reinstatement, later ----
export PENHOLDER_AUDIT_TIME=2025-03-10T09:00:00Z
expect_ok "later evidence supersedes" evidence add --destination IL --topic ihl --severity medium \
    --summary "Improvements in humanitarian access and in the treatment of detainees" --source "FCDO" \
    --date 2025-03-01 --reliability high --supersedes EV-0001
expect_ok "a reinstatement review" review create "$ROOT/tests/review/israel-2025-reinstatement.json" --actor officer
expect_eq "$(head -1 "$OUT")" "RV-0002" "its id"
expect_ok "its dry run" review run RV-0002 --json
expect_eq "$(jqo '.summary | "\(.reinstate) \(.continue) \(.licences)"')" "30 0 30" "the 30 suspended licences would be reinstated"
expect_eq "$(jqo '.evidence_in_force | join(",")')" "EV-0002" "on the evidence now in force"
expect_ok "approved" review approve RV-0002 --actor dm
expect_ok "applied" review apply RV-0002 --actor dm2
expect_eq "$(sql "SELECT count(*) FROM licence WHERE status = 'reinstated'")" 30 "reinstated through the licence workflow"
expect_eq "$(sql "SELECT count(*) FROM customs_notification WHERE event = 'reinstate'")" 30 "customs are told"
expect_ok "audit verify after both reviews" audit verify

# ---- a report is safe to open in a spreadsheet ----
cat >"$TMP/fr.csv" <<'CSV'
reference,type,issued_on,expires_on,destination,end_user,end_user_type,end_use,rating,goods_summary,quantity,value_gbp,status,tags
GBSIEL/2025/0900001/P,SIEL,2025-01-10,2027-01-10,FR,"=HYPERLINK(""http://x"")",commercial,Testing,ML22,=1+1,1,100,issued,
CSV
expect_ok "a licence with formula-like text" import licences "$TMP/fr.csv" --format penholder-csv
expect_ok "evidence about France" evidence add --destination FR --topic diversion --severity low --summary s --source s --date 2025-03-01
jq '.scope.destinations = ["FR"] | .evidence = ["EV-0003"] | .exceptions = [] | .as_of = null' \
    "$ROOT/tests/review/israel-2024.json" >"$TMP/fr.json"
expect_ok "a review of it" review create "$TMP/fr.json" --actor officer
expect_ok "run" review run RV-0003 --actor officer
expect_ok "its CSV report" review report RV-0003 --format csv
expect_out ",\"'=HYPERLINK(\"\"http://x\"\")\",commercial," "a formula-like end user is written as text"
expect_out ",\"'=1+1\"," "so are formula-like goods"

# ---- the built-in rating mix against the published register ----
CAAT="${PENHOLDER_REF_DATA:-}/register/caat_values_2008_2015.csv"
if [ -n "${PENHOLDER_REF_DATA:-}" ] && [ -f "$CAAT" ]; then
    tr -d '\r' <"$CAAT" | grep ',Israel,0$' | cut -d, -f3 | sort | uniq -c | sort -rn >"$TMP/caat-mix"
    total=$(awk '{n += $1} END {print n}' "$TMP/caat-mix")
    "$PH" review scenario --mix | tail -n +2 | head -10 >"$TMP/baked-mix"
    off=0
    while IFS=, read -r rating per_mille goods; do
        top=${rating%%.*}
        real=$(awk -v r="$top" -v t="$total" '$2 == r {printf "%d", ($1 * 1000 / t) + 0.5}' "$TMP/caat-mix")
        diff=$((${real:-0} - per_mille))
        [ "${diff#-}" -le 1 ] || { off=$((off + 1)); echo "    $rating: built in $per_mille, published ${real:-0} per mille"; }
    done <"$TMP/baked-mix"
    expect_eq "$off" 0 "the built-in mix is the published 2008-2015 Israel mix (ten commonest ratings, within 1 per mille)"
else
    echo "SKIP test_review.sh rating mix: PENHOLDER_REF_DATA is not set (CAAT register)"
fi
finish
