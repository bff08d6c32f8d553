# Screening: penholder screen (one name and bulk files) and penholder match,
# on small fixture lists; on the real lists when reference data is set.
. "$(dirname "$0")/lib.sh"
FIX="$(cd "$(dirname "$0")/../fixtures" && pwd)"

expect_ok "init" init
expect_status 1 "no lists yet" screen "Abdul Rahman Nazari"
expect_err "no lists are loaded" "says what to do"

expect_ok "import UN fixture" lists import --format un-xml "$FIX/lists/un_small.xml"
expect_ok "import OFAC fixture" lists import --format ofac-csv "$FIX/lists/ofac_sdn.csv" "$FIX/lists/ofac_alt.csv"
expect_ok "import screening fixture" lists import --format ofac-csv --list ofac-extra \
    "$FIX/screen/sdn.csv" "$FIX/screen/alt.csv"

# ---- one name ----
expect_ok "exact name" screen "Abdul Rahman Nazari"
expect_out "ALERT" "an alert"
expect_out "QDi.900" "the UN reference number"
expect_ok "reordered, typo" screen "NAZARI, Abdul Rahmn" --json
expect_out '"entity_id": "QDi.900"' "found despite order and typo"
expect_out '"alert": true' "still an alert"
first_id=$(grep -m1 '"entity_id"' "$OUT")
expect_eq "$first_id" '      "entity_id": "QDi.900",' "best hit first"
expect_ok "original script" screen "عبد الرحمن نظري" --json
expect_out '"entity_id": "QDi.900"' "Arabic script finds the entry"
expect_ok "transliteration" screen "Владимир Путин"
expect_out "30004" "Cyrillic query finds PUTIN"
expect_ok "French spelling" screen "Vladimir Poutine" --explain
expect_out "30004" "Poutine finds PUTIN"
expect_out "poutine" "explanation shows the query token"
expect_out "putin" "and the list token it matched"
expect_out "similarity" "with similarities"
expect_ok "alias" screen "Melli Bank" --json
expect_out '"matched_name": "MELLI BANK PLC"' "matched name given"

# Qualifiers raise and lower the score.
score() { sed -n 's/.*"score": \([0-9.]*\).*/\1/p' "$OUT" | head -1; }
expect_ok "no dob" screen "Abdul Rahman Nazary Khan" --json
base=$(score)
expect_ok "same dob" screen "Abdul Rahman Nazary Khan" --dob 1965 --json --explain
up=$(score)
expect_out '"dob_year_match"' "qualifier explained in JSON"
expect_ok "other dob" screen "Abdul Rahman Nazary Khan" --dob 1990-01-01 --json
down=$(score)
expect_eq "$(awk -v a="$base" -v b="$up" -v c="$down" 'BEGIN { print (b > a && c < a) ? "yes" : "no" }')" "yes" \
    "dob raises ($up) and lowers ($down) the score ($base)"
expect_ok "country by name" screen "Abdul Rahman Nazary Khan" --country Iran --json --explain
expect_out '"country_match"' "country resolved and matched"
expect_status 2 "unknown country" screen "Nazari" --country Narnia
expect_err "unknown country 'Narnia'" "country named"
expect_status 2 "bad dob" screen "Nazari" --dob 1965-13-01
expect_err "expected YYYY or YYYY-MM-DD" "date format named"

# Filters.
expect_ok "vessel" screen ARTAVIR --type vessel
expect_out "15036" "vessel found"
expect_ok "person only" screen ARTAVIR --type person
expect_out "no hits" "not a person"
expect_ok "one list" screen "Bank Melli Iran" --list un
expect_no_out "25578" "other lists left out"
expect_status 2 "unknown list" screen "Bank Melli Iran" --list nope
expect_err "loaded: " "loaded lists named"
expect_ok "limit" screen "Iran" --limit 1 --min-score 0.1 --json
expect_eq "$(grep -c '"entity_id"' "$OUT")" "1" "one hit"
expect_ok "threshold" screen "Bank Meli Iran" --threshold 0.99
expect_no_out "ALERT" "no alert above 0.99 for a typo"

# Names that cannot be screened.
expect_ok "legal form only" screen "CORP"
expect_out "no hits: the name has only legal forms" "defined answer for CORP"
expect_ok "punctuation only" screen "..."
expect_out "no hits" "defined answer for punctuation"
expect_ok "legal forms vs numbers" screen "BELLETECH CORP"
expect_no_out "30002" "11420 CORP. does not match on CORP"
expect_status 2 "invalid UTF-8" screen "$(printf 'ab\377')"
expect_err "not valid UTF-8" "UTF-8 error"
big=$(head -c 10240 /dev/zero | tr '\0' 'a')
expect_status 2 "10 kB name" screen "$big"
expect_err "at most 1024" "length error"
expect_ok "zero-width and direction marks" screen "$(printf '\342\200\217Abdul\342\200\213 Rahman Nazari\342\200\216')"
expect_out "QDi.900" "invisible characters ignored"
expect_status 2 "name and file" screen X --file "$TMP/x.csv" --format jsonl
expect_status 2 "file without format" screen --file "$TMP/x.csv"

# ---- bulk ----
{
    echo "query_name,date_of_birth"
    echo "Abdul Rahman Nazari,1965"
    echo "Nobody Inparticular,"
    echo "CORP,"
    printf '"Bad \377 name",\n'
    echo "\"$big\","
    echo "\"NAZARI, Abdul Rahman\",1990"
} >"$TMP/bulk.csv"
expect_ok "bulk jsonl" screen --file "$TMP/bulk.csv" --format jsonl
expect_eq "$(wc -l <"$OUT" | tr -d ' ')" "6" "one record per row"
expect_eq "$(sed -n 1p "$OUT" | grep -c '"entity_id":"QDi.900"')" "1" "row 1 found"
expect_eq "$(sed -n 2p "$OUT" | cut -c1-40)" '{"query":"Nobody Inparticular","hits":[]' "row 2 in order, no hits"
expect_eq "$(sed -n 3p "$OUT" | grep -c '"notice"')" "1" "row 3 explains why nothing was screened"
expect_eq "$(sed -n 4p "$OUT" | grep -c '"error":"name is not valid UTF-8')" "1" "row 4 error"
expect_eq "$(sed -n 5p "$OUT" | grep -c '"error":"name is 10240 bytes')" "1" "row 5 error"
expect_eq "$(sed -n 6p "$OUT" | grep -c 'QDi.900')" "1" "row 6 in order"
sorted=$(sed -n 1p "$OUT" | grep -o '"score":[0-9.]*' | cut -d: -f2 | sort -rn | tr '\n' ' ')
unsorted=$(sed -n 1p "$OUT" | grep -o '"score":[0-9.]*' | cut -d: -f2 | tr '\n' ' ')
expect_eq "$unsorted" "$sorted" "hits sorted by score"
expect_ok "bulk with dob column" screen --file "$TMP/bulk.csv" --dob-column date_of_birth --format jsonl
s1=$(sed -n 1p "$OUT" | grep -o '"score":[0-9.]*' | head -1 | cut -d: -f2)
s6=$(sed -n 6p "$OUT" | grep -o '"score":[0-9.]*' | head -1 | cut -d: -f2)
expect_eq "$(awk -v a="$s1" -v b="$s6" 'BEGIN { print (a > b) ? "yes" : "no" }')" "yes" "dob column used"
expect_ok "bulk csv" screen --file "$TMP/bulk.csv" --format csv
expect_eq "$(head -1 "$OUT")" "query,alert,hits,list,entity_id,name,matched_name,score,other_hits,error,line" "csv header"
expect_eq "$(grep -c . "$OUT")" "7" "header and one line per row"
expect_eq "$(sed -n 2p "$OUT" | cut -d, -f1-5)" "Abdul Rahman Nazari,true,1,un,QDi.900" "csv best hit"
printf 'query_name\nAbdul Rahman Nazari\n\nJohn Smith\n' >"$TMP/blank.csv"
expect_ok "bulk with a blank line" screen --file "$TMP/blank.csv" --format jsonl
expect_eq "$(grep -o '"line":[0-9]*' "$OUT" | tr '\n' ' ')" '"line":2 "line":4 ' \
    "each record names its input line, so a skipped blank line cannot misalign them"
expect_status 2 "missing column" screen --file "$TMP/bulk.csv" --column full_name --format csv
expect_err "columns: query_name, date_of_birth" "columns listed"
PENHOLDER_PROGRESS=1 expect_ok "progress" screen --file "$TMP/bulk.csv" --format csv
expect_err "screening" "progress on stderr"

# ---- match ----
expect_ok "match" match "Vladimir Poutine" "PUTIN, Vladimir Vladimirovich"
expect_out "match: yes" "verdict at the threshold"
expect_out "putin" "explanation"
expect_ok "look-alike" match "George Bush" "HABBASH, George" --json
expect_out '"match": false' "not a match"
expect_out '"weights": "rarity across' "weights from the lists"
expect_ok "legal form" match "CORP" "11420 CORP."
expect_out "score: 0.0000" "a legal form alone scores 0"
expect_status 2 "one name" match "only one"
expect_ok "pairs" match --pairs "$FIX/screen/pairs.csv"
expect_eq "$(head -1 "$OUT")" "name1,name2,score,match" "pairs header"
expect_eq "$(cut -d, -f1 "$OUT" | tail -n +2 | tr '\n' '|')" 'Vladimir Poutine|George Bush|ACME Trading LLC|CORP|' "one line per pair, in order"
expect_eq "$(sed 's/.*,//' "$OUT" | tail -n +2 | tr '\n' ' ')" "true false true false " "verdicts"
printf 'a,b\nx,y\n' >"$TMP/nopairs.csv"
expect_status 2 "pairs without columns" match --pairs "$TMP/nopairs.csv"
expect_err "name1,name2" "columns named"
PENHOLDER_DB="$TMP/none.db" expect_ok "match without a database" match "Jon Smith" "John Smith"
expect_out "uniform" "uniform weights said"

# ---- the real lists ----
need_ref_data "real sanctions lists"
R="$PENHOLDER_REF_DATA/sanctions"
E="$PENHOLDER_REF_DATA/screening-eval"
export PENHOLDER_DB="$TMP/real.db"
expect_ok "init real" init
expect_ok "import real UN" lists import --format un-xml "$R/un/UN_consolidated_2026-02-27.xml"
expect_ok "import real OFAC" lists import --format ofac-csv "$R/ofac/2021-07_sdn.csv" "$R/ofac/2021-07_alt.csv"
expect_ok "real query" screen "ABDULHAI SALEK" --list un --json
expect_out '"entity_id": "TAi.108"' "UN reference number as entity id"
head -101 "$E/un_positives_dev.csv" >"$TMP/pos.csv"
expect_ok "real bulk" screen --file "$TMP/pos.csv" --list un --format csv
found=$(awk -F, 'NR > 1 { n++ } END { print n }' "$OUT")
expect_eq "$found" "100" "100 rows screened"
expect_eq "$(awk -F, 'NR > 1 && $2 == "true" { a++ } END { print (a >= 97) ? "yes" : "no" }' "$OUT")" "yes" \
    "97 or more of 100 listed names give an alert"
expect_ok "real match" match "Osama bin Laden" "BIN LADIN, Usama bin Muhammad bin Awad"
expect_out "match: yes" "real weights"
finish
