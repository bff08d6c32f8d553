# The penholder-csv licence format: import, grouping, validation, show, status filter.
. "$(dirname "$0")/lib.sh"

expect_ok "init" init
H="reference,type,issued_on,expires_on,destination,end_user,end_user_type,end_use,rating,goods_summary,quantity,value_gbp,status,tags"
cat > "$TMP/own.csv" <<CSV
$H
GBSIEL/2023/0000101/P,SIEL,2023-03-01,2025-03-01,IL,Israel Ministry of Defence,armed_forces,F-16 maintenance,ML10.a,components for military combat aircraft,40,125000,issued,
GBSIEL/2023/0000101/P,SIEL,2023-03-01,2025-03-01,IL,Israel Ministry of Defence,armed_forces,F-16 maintenance,ML5.b,targeting pod components,2,9000.50,issued,
GBSIEL/2023/0000102/P,SIEL,2023-04-12,2025-04-12,Israel,F-35 global spares pool,commercial,F-35 spares,ML10.a,components for F-35 combat aircraft,200,880000,issued,f35-global-programme;parliament
GBSIEL/2022/0000007/P,SIEL,2022-01-10,2024-01-10,DE,Bundeswehr,armed_forces,,ML13,body armour,500,75000,suspended,
CSV
expect_ok "import penholder-csv" import licences "$TMP/own.csv" --format penholder-csv
expect_out "3 licences and 4 goods lines added" "rows grouped by reference"
expect_ok "show" licences show GBSIEL/2023/0000101/P
expect_out "Israel Ministry of Defence (armed_forces)" "show prints the end user and type"
expect_out "ML5.b" "show lists the lines"
expect_out "134,001" "value in pounds, summed"
expect_ok "show json" licences show GBSIEL/2023/0000102/P --json
expect_out '"tags": "f35-global-programme;parliament"' "tags kept"
expect_out '"quantity": 200' "quantity kept"
expect_ok "status filter" licences list --status suspended --json
expect_out "GBSIEL/2022/0000007/P" "suspended licence listed"
expect_no_out "0000101" "issued licence not listed"
expect_status 1 "unknown reference" licences show NOPE
expect_err "no licence with reference 'NOPE'" "says which"
expect_eq "$(sql "SELECT action || ' ' || object_type || ' ' || object_id FROM audit_entry")" \
    "register.import register_import 1" "the import is on the audit log"
expect_ok "the log verifies" audit verify
expect_ok "import again" import licences "$TMP/own.csv" --format penholder-csv --actor rita
expect_out "already imported" "idempotent"

# Each kind of bad row, alone in a file: nothing stored, the line named.
bad() { # DESCRIPTION ROW EXPECTED-ERROR
    printf '%s\n%s\n' "$H" "$2" > "$TMP/bad.csv"
    expect_status 1 "$1" import licences "$TMP/bad.csv" --format penholder-csv
    expect_err "bad.csv:2: $3" "$1: error names line and problem"
}
bad "bad type" "R1,SIELX,2023-01-01,,IL,,,,ML1,,,,issued," "type 'SIELX' is not one of"
bad "bad date" "R1,SIEL,2023-02-30,,IL,,,,ML1,,,,issued," "issued_on '2023-02-30'"
bad "expiry before issue" "R1,SIEL,2023-02-01,2023-01-01,IL,,,,ML1,,,,issued," "expires_on '2023-01-01'"
bad "unknown destination" "R1,SIEL,2023-02-01,,Narnia,,,,ML1,,,,issued," "destination 'Narnia'"
bad "bad end user type" "R1,SIEL,2023-02-01,,IL,X,army,,ML1,,,,issued," "end_user_type 'army'"
bad "bad quantity" "R1,SIEL,2023-02-01,,IL,,,,ML1,,-3,,issued," "quantity '-3'"
bad "bad value" "R1,SIEL,2023-02-01,,IL,,,,ML1,,,12.345,issued," "value_gbp '12.345'"
bad "bad status" "R1,SIEL,2023-02-01,,IL,,,,ML1,,,,approved," "status 'approved'"
bad "empty rating" "R1,SIEL,2023-02-01,,IL,,,,,,,,issued," "rating is empty"
bad "short row" "R1,SIEL,2023-02-01" "expected 14 fields, found 3"
expect_eq "$(sql "SELECT count(*) FROM licence")" "3" "no bad row stored"

cat > "$TMP/disagree.csv" <<CSV
$H
R9,SIEL,2023-01-01,,IL,A,commercial,,ML1,,,,issued,
R9,SIEL,2023-01-01,,IL,B,commercial,,ML2,,,,issued,
CSV
expect_status 1 "rows of a licence disagree" import licences "$TMP/disagree.csv" --format penholder-csv
expect_err "disagree.csv:3: licence R9" "the disagreeing row is named"
cat > "$TMP/twice.csv" <<CSV
$H
R8,SIEL,2023-01-01,,IL,A,commercial,,ML1,,,,issued,
R7,SIEL,2023-01-01,,IL,A,commercial,,ML1,,,,issued,
R8,SIEL,2023-01-01,,IL,A,commercial,,ML2,,,,issued,
CSV
expect_status 1 "a licence split across the file" import licences "$TMP/twice.csv" --format penholder-csv
expect_err "twice.csv:4: licence R8 appears again" "the repeat is named"
expect_ok "--skip-bad keeps the rest" import licences "$TMP/twice.csv" --format penholder-csv --skip-bad
expect_eq "$(sql "SELECT count(*) FROM licence WHERE reference IN ('R7','R8')")" "2" "R7 and the first R8 stored"
expect_eq "$(sql "SELECT count(*) FROM licence_line l JOIN licence x ON x.id = l.licence_id WHERE x.reference = 'R8'")" "1" "the split row is not attached"
expect_status 2 "an unknown outcome is refused, not matched to nothing" licences list --outcome bogus
expect_err "expected issued, refused, revoked or nlr" "the outcomes are named"
expect_status 2 "an unknown status is refused" licences list --status frozen
expect_err "expected issued, suspended" "the statuses are named"
expect_ok "a known status" licences list --status suspended
expect_status 2 "--criteria only with caat-values" import licences "$TMP/own.csv" --format penholder-csv --criteria "$TMP/own.csv"
expect_eq "$(sql "SELECT count(*) FROM audit_entry WHERE object_type = 'register_import'")" \
    "$(sql "SELECT count(*) FROM import_batch")" "one audit entry per stored import, none for the failed ones"
finish
