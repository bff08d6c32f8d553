# Licence register: import (all or nothing, idempotent), list, stats.
. "$(dirname "$0")/lib.sh"

expect_ok "init" init
cat > "$TMP/good.csv" <<'CSV'
licence_group,date,rating,count,value,country,refused
1,2010-01-05,ML10,1,1000,Israel,0
1,2010-01-05,ML4,2,500,Israel,0
2,2011-03-01,ML1,1,250,"United States of America",0
3,2012-06-30,ML10.a,1,,Saudi Arabia,1
4,2013-02-02,XX9,1,100,Narnia,0
CSV
cat > "$TMP/crit.csv" <<'CSV'
licence_group,criteria,description
3,1,text
3,7,text
CSV
expect_ok "import" import licences "$TMP/good.csv" --format caat-values --criteria "$TMP/crit.csv"
expect_out "4 licences and 5 goods lines added" "import counts"
expect_err "Narnia" "unknown destination is reported"
expect_err "XX9" "unknown rating is reported"
expect_eq "$(sql "SELECT count(*) FROM licence")" "4" "four licences stored"
expect_eq "$(sql "SELECT destination_name FROM licence WHERE destination IS NULL")" "Narnia" "unknown destination stored as written"
expect_ok "import again" import licences "$TMP/good.csv" --format caat-values --criteria "$TMP/crit.csv"
expect_out "already imported" "second import adds nothing"
expect_eq "$(sql "SELECT count(*) FROM licence_line")" "5" "still five lines"

expect_ok "stats by destination csv" licences stats --by destination --format csv
expect_eq "$(sed -n 1p "$OUT")" "key,licences,refused,value_gbp" "csv header"
expect_out "Israel,1,0,1500" "Israel: one licence, two lines"
expect_out "Saudi Arabia,1,1,0" "Saudi Arabia refused, no value"
expect_out "United States of America,1,0,250" "US by report name"
expect_out "Narnia,1,0,100" "unresolved destination keeps its name"
expect_ok "stats by rating" licences stats --by rating --format csv
expect_out "ML10,1,0,1000" "ML10 line value"
expect_out "ML10.a,1,1,0" "ML10.a"
expect_ok "stats by criterion" licences stats --by criterion --format csv
expect_out "7,1,1,0" "criterion 7"
expect_ok "stats by year" licences stats --by year --format json
expect_out '"key": "2010"' "json stats"
expect_ok "rating filter includes sub-ratings" licences stats --by destination --rating ML10 --format csv
expect_out "Saudi Arabia,1,1,0" "ML10 covers ML10.a"
expect_no_out "United States" "ML10 excludes ML1"
expect_ok "list by destination name" licences list --destination "USA"
expect_out "CAAT-000002" "list resolves USA"
expect_ok "list json" licences list --from 2012-01-01 --json
expect_out '"reference": "CAAT-000003"' "date filter keeps 2012"
expect_no_out "CAAT-000001" "date filter drops 2010"
expect_status 2 "bad date is a usage error" licences list --from 2012-13-01
expect_status 1 "unknown destination filter" licences list --destination Atlantis
expect_status 2 "stats needs --by" licences stats
expect_status 2 "bad --by" licences stats --by colour

# A malformed row stops the import and stores nothing.
cat > "$TMP/bad.csv" <<'CSV'
licence_group,date,rating,count,value,country,refused
10,2014-01-01,ML1,1,10,France,0
11,2014-02-30,ML1,1,10,France,0
12,2014-03-01,ML1,1,abc,France,0
CSV
expect_status 1 "bad row stops the import" import licences "$TMP/bad.csv" --format caat-values
expect_err "bad.csv:3: date '2014-02-30'" "error names file, line and field"
expect_eq "$(sql "SELECT count(*) FROM licence")" "4" "nothing from the bad file stored"
expect_ok "--skip-bad stores the good rows" import licences "$TMP/bad.csv" --format caat-values --skip-bad
expect_err "bad.csv:3" "skipped line 3 listed"
expect_err "bad.csv:4" "skipped line 4 listed"
expect_eq "$(sql "SELECT count(*) FROM licence")" "5" "the good row stored"

cat > "$TMP/split.csv" <<'CSV'
licence_group,date,rating,count,value,country,refused
20,2014-01-01,ML1,1,10,France,0
21,2014-01-01,ML1,1,10,France,0
20,2014-01-01,ML2,1,10,France,0
CSV
expect_status 1 "a group split across the file is refused" import licences "$TMP/split.csv" --format caat-values
expect_err "split.csv:4" "the repeat is located"

printf 'licence_group,date\n1,2\n' > "$TMP/header.csv"
expect_status 1 "wrong header" import licences "$TMP/header.csv" --format caat-values
expect_err "expected the header" "header error says what is expected"
expect_status 1 "missing file" import licences "$TMP/nope.csv" --format caat-values
expect_err "nope.csv" "missing file named"
expect_status 2 "unknown format" import licences "$TMP/good.csv" --format xml
expect_status 2 "missing format" import licences "$TMP/good.csv"

# A locked database is reported, and nothing half-written.
( echo "BEGIN IMMEDIATE;"; sleep 3 ) | sqlite3 "$PENHOLDER_DB" &
sleep 0.5
PENHOLDER_BUSY_TIMEOUT_MS=200 expect_status 1 "locked database" import licences "$TMP/crit.csv" --format caat-values
expect_err "locked" "says the database is locked"
wait

# Real data: the CAAT register, checked against totals computed from the CSV.
need_ref_data "CAAT register"
R="$PENHOLDER_REF_DATA/register"
rm -f "$PENHOLDER_DB"*
expect_ok "init for real data" init
expect_ok "import the real register" import licences "$R/caat_values_2008_2015.csv" --format caat-values --criteria "$R/caat_refusal_criteria_2008_2015.csv"
expect_out "96,311 rows read" "all rows read"
expect_eq "$(sql "SELECT count(*) FROM licence_line")" "96311" "every row stored"
expect_ok "stats" licences stats --by destination --format csv
for country in "Israel" "Saudi Arabia" "United States of America"; do
    want=$(awk -F, -v c="$country" '
        NR > 1 {
            # fields may be quoted: rebuild country from the 6th field on
            n = split($0, f, ",")
            name = f[6]; for (i = 7; i < n; i++) name = name "," f[i]
            gsub(/"/, "", name)
            sub(/\r$/, "", f[n])
            if (name == c) { g[f[1]] = 1; if (f[n] == "1") r[f[1]] = 1; v += f[5] }
        }
        END { for (k in g) l++; for (k in r) rr++; printf "%d,%d,%.0f", l, rr + 0, v }' "$R/caat_values_2008_2015.csv")
    got=$(grep -F "$country," "$OUT" | grep -v "^\"" | sed "s/^$country,//")
    expect_eq "$got" "$want" "$country totals match the raw CSV"
done
expect_ok "stats by criterion" licences stats --by criterion --format csv
want=$(awk -F, 'NR > 1 { k[$1 "," $2] = 1 } END { for (x in k) { split(x, p, ","); c[p[2]]++ } ; printf "%d", c[1] }' "$R/caat_refusal_criteria_2008_2015.csv")
expect_eq "$(grep '^1,' "$OUT" | cut -d, -f2)" "$want" "criterion 1 licence count matches"
finish
