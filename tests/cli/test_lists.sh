# Sanctions lists: import of each format (all or nothing, idempotent), versions,
# show, diff between versions, and loading real lists when reference data is set.
. "$(dirname "$0")/lib.sh"
FIX="$(cd "$(dirname "$0")/../fixtures/lists" && pwd)"

expect_ok "init" init

# ---- UN XML ----
expect_ok "import UN fixture" lists import --format un-xml "$FIX/un_small.xml"
expect_out "un: version 1: 3 entities" "default list name and counts"
expect_eq "$(sql "SELECT entities || ' ' || names FROM list_version WHERE list = 'un'")" "3 9" "version row"
expect_ok "show a UN individual" lists show un QDi.900 --json
expect_out '"text": "ABDUL RAHMAN NAZARI"' "primary name from FIRST..THIRD_NAME"
expect_out '"alt_id": "110001"' "DATAID kept"
expect_out '"kind": "original"' "original-script name"
expect_out '"quality": "weak"' "Low quality alias is weak"
expect_out '"1965-03-31"' "exact date of birth"
expect_out '"1966"' "range start"
expect_out '"1968"' "range end"
expect_out '"IR"' "nationality resolved to its code"
expect_out '"Atlantis"' "unknown country kept as written"
expect_ok "import again" lists import --format un-xml "$FIX/un_small.xml"
expect_out "imported already as version 1" "re-import is a no-op"
expect_eq "$(sql "SELECT count(*) FROM list_version")" "1" "still one version"
expect_eq "$(sql "SELECT action || ' ' || object_type || ' ' || object_id FROM audit_entry")" \
    "list.import list_version un:1" "the new version is on the audit log, once"
expect_ok "import as a named actor" lists import --format un-xml --list un-copy --actor lena "$FIX/un_small.xml"
expect_eq "$(sql "SELECT actor FROM audit_entry WHERE object_id = 'un-copy:1'")" "lena" "--actor is recorded"
expect_status 2 "--actor only for import and update" lists diff un --actor lena

printf '<CONSOLIDATED_LIST><INDIVIDUALS>\n<INDIVIDUAL><FIRST_NAME>X</FIRST_NAME>\n' > "$TMP/cut.xml"
expect_status 1 "truncated XML fails" lists import --format un-xml --list un-bad "$TMP/cut.xml"
expect_err "cut.xml:3:" "error names file and line"
expect_eq "$(sql "SELECT count(*) FROM list_version WHERE list = 'un-bad'")" "0" "no partial version"

expect_status 2 "unknown format" lists import --format pdf "$FIX/un_small.xml"
expect_err "expected ofac-csv" "formats are named"
expect_status 2 "bad list name" lists import --format un-xml --list 'Bad Name' "$FIX/un_small.xml"
expect_status 1 "missing file" lists import --format un-xml "$TMP/none.xml"
expect_err "none.xml" "missing file named"

expect_ok "versions" lists
expect_out "un-xml" "versions table"
expect_ok "versions json" lists --json
expect_out '"current": true' "current flag"
expect_status 1 "show unknown entity" lists show un XX.1
expect_status 1 "show unknown list" lists show nope XX.1
expect_err "no list named 'nope'" "unknown list named"

# ---- OFAC legacy CSV: files in any order, joined by ent_num ----
expect_ok "import OFAC fixture" lists import --format ofac-csv --json \
    "$FIX/ofac_alt.csv" "$FIX/ofac_sdn.csv" "$FIX/ofac_add.csv" "$FIX/ofac_sdn_comments.csv"
expect_out '"list": "ofac-sdn"' "default list for sdn.csv"
expect_out '"entities": 4' "four entities"
expect_out '"orphans": 1' "alias of an unknown ent_num counted"
expect_ok "show OFAC individual" lists show ofac-sdn 2674 --json
expect_out '"type": "person"' "individual is a person"
expect_out '"text": "ZAIDAN, Muhammad"' "alias from alt.csv"
expect_out '"quality": "strong"' "alt.csv aliases are strong"
expect_out '"text": "ABU AL-ABBAS"' "a.k.a. from remarks"
expect_out '"quality": "weak"' "remarks aliases are weak"
expect_out '"1948-12-10"' "DOB from remarks"
expect_out '"1950"' "alt. DOB from the comments continuation"
expect_out '"IR"' "nationality from remarks resolved"
expect_out '"TN"' "address country resolved"
expect_out '"IRAN"' "second programme"
expect_out 'ABU AL-ABBAS FACTION; alt. DOB 1950.' "remarks continued from sdn_comments.csv"
expect_ok "show OFAC individual as text" lists show ofac-sdn 2674
expect_out "ABU  (alias, weak)" "alias marked weak in alt_remarks"
expect_out "ABU AL-ABBAS  (alias, weak)" "remarks alias weak"
expect_out "ZAIDAN, Muhammad  (alias, strong)" "alt.csv alias strong"
expect_ok "show vessel" lists show ofac-sdn 15036 --json
expect_out '"type": "vessel"' "vessel type"
expect_out '"call_sign"' "call sign kept"
expect_ok "cons list name" lists import --format ofac-csv "$FIX/ofac_sdn.csv" --list ofac-test
expect_out "ofac-test: version 1" "--list names the list"

# A second day: one added, one removed, one changed.
expect_ok "second OFAC version" lists import --format ofac-csv "$FIX/ofac_sdn_v2.csv" "$FIX/ofac_alt.csv" "$FIX/ofac_add.csv"
expect_out "ofac-sdn: version 2" "new version"
expect_out "against version 1: 1 added, 1 changed, 1 removed" "the import counts what changed"
expect_ok "diff" lists diff ofac-sdn
expect_out "added: 1" "one added"
expect_out "30001        NEW TRADING LLC" "added entity named"
expect_out "removed: 1" "one removed"
expect_out "20001        SKY ONE" "removed entity named"
expect_out "changed: 1" "one changed"
expect_out "+ country: IQ" "new nationality shown"
expect_out "- country: IR" "old nationality shown"
expect_out "- programme: IRAN" "dropped programme shown"
expect_ok "diff json" lists diff ofac-sdn --json
expect_out '"change": "added"' "json changes"
expect_status 1 "diff of a one-version list" lists diff un
expect_err "one version only" "nothing to compare"
expect_status 1 "diff of an unknown list" lists diff nope

bad_sdn="$TMP/sdn.csv"
printf '1,"A",-0-,-0-,-0-,-0-,-0-,-0-,-0-,-0-,-0-,-0-\n2,"B",-0-\n' > "$bad_sdn"
expect_status 1 "malformed OFAC" lists import --format ofac-csv --list ofac-bad "$bad_sdn"
expect_err "sdn.csv:2: expected 12 fields" "OFAC error names file and line"
expect_eq "$(sql "SELECT count(*) FROM list_version WHERE list = 'ofac-bad'")" "0" "no partial OFAC version"
expect_ok "skip bad OFAC records" lists import --format ofac-csv --list ofac-bad --skip-bad "$bad_sdn"
expect_err "sdn.csv:2: expected 12 fields" "skipped record listed"
expect_eq "$(sql "SELECT entities || '/' || skipped FROM list_version WHERE list = 'ofac-bad'")" "1/1" "skipped count recorded"
expect_status 1 "two primary files" lists import --format ofac-csv "$FIX/ofac_sdn.csv" "$FIX/ofac_sdn_v2.csv"
expect_err "both primary OFAC files" "one list at a time"
expect_status 1 "alias file alone" lists import --format ofac-csv "$FIX/ofac_alt.csv"
expect_err "no primary OFAC file" "primary file required"

# ---- CSL ----
expect_ok "import CSL fixture" lists import --format csl-csv "$FIX/csl_small.csv"
expect_out "us-csl: version 1: 3 entities" "duplicated header tolerated, duplicate id merged"
expect_ok "show merged CSL entity" lists show us-csl 17014 --json
expect_out '"text": "RSHB"' "aliases of both records"
expect_out 'Sectoral Sanctions Identifications List' "both sources kept"
expect_ok "show CSL person" lists show us-csl 9659 --json
expect_out '"1961-01-01"' "ISO date of birth"
expect_out '"1963"' "circa year"
expect_out '"EG"' "nationality code"
expect_ok "show CSL Entity List record" lists show us-csl b6e959b59898e975 --json
expect_out '"type": "unknown"' "no type given"
expect_out '"PK"' "country from the address"
head -c 1500 "$FIX/csl_small.csv" > "$TMP/csl_cut.csv"
expect_status 1 "truncated CSL" lists import --format csl-csv --list csl-cut "$TMP/csl_cut.csv"
expect_err "csl_cut.csv:5: quoted field is not closed" "truncation reported with line"
expect_ok "truncated CSL with --skip-bad" lists import --format csl-csv --list csl-cut --skip-bad "$TMP/csl_cut.csv"
expect_out "csl-cut: version 1: 2 entities" "records before the break kept"

# ---- BIS DPL ----
expect_ok "import DPL fixture" lists import --format bis-dpl "$FIX/dpl_small.txt" --json
expect_out '"entities": 2' "two denials"
expect_out '"merged": 1' "second address of the same denial merged"
id=$(sql "SELECT e.entity_id FROM list_entity e JOIN list_name n ON n.entity = e.id WHERE e.list = 'bis-dpl' AND n.text = 'DAQING ZHOU'")
expect_ok "show DPL entity" lists show bis-dpl "$id" --json
expect_out '"denied_from"' "effective date kept"
expect_out '"2006-11-09"' "US date read"
expect_out 'SHANGHAI' "second address"
printf '"Name"\t"Effective_Date"\n"X"\t"13/45/2000"\n' > "$TMP/dpl_bad.txt"
expect_status 1 "bad DPL date" lists import --format bis-dpl --list dpl-bad "$TMP/dpl_bad.txt"
expect_err "dpl_bad.txt:2: Effective_Date '13/45/2000' is not a date" "DPL error names file and line"
printf 'Name,Address\nX,Y\n' > "$TMP/notdpl.txt"
expect_status 1 "not a DPL file" lists import --format bis-dpl --list dpl-bad "$TMP/notdpl.txt"
expect_err "not a Denied Persons List file" "wrong file explained"

# ---- FollowTheMoney ----
expect_ok "import FtM fixture" lists import --format ftm-json "$FIX/ftm_small.json" --json
expect_out '"entities": 3' "persons, organisations, vessels"
expect_ok "show FtM person" lists show ftm NK-person1 --json
expect_out '"text": "Vitaly Yurievich KUZMENKO"' "caption is the primary name"
expect_out '"kind": "original"' "Cyrillic name marked original"
expect_out '"quality": "weak"' "weakAlias is weak"
expect_out '"RU"' "nationality code"
printf '{"id":"a","schema":"Person","properties":{"name":[1]}}\n' > "$TMP/bad.json"
expect_status 1 "bad FtM" lists import --format ftm-json --list ftm-bad "$TMP/bad.json"
expect_err "bad.json:1: properties.name[0]: expected a string" "JSON path in the error"

# ---- the real lists (counts from the files and sanctions/MANIFEST.tsv) ----
need_ref_data "real sanctions lists"
S="$PENHOLDER_REF_DATA/sanctions"
rm -f "$PENHOLDER_DB"*
expect_ok "init for real lists" init
json_field() { sed -n "s/^  \"$1\": \([0-9]*\).*/\1/p" "$OUT" | head -n 1; }

expect_ok "OFAC SDN 2021-07 with aliases and addresses" lists import --format ofac-csv --json \
    "$S/ofac/2021-07_sdn.csv" "$S/ofac/2021-07_alt.csv" "$S/ofac/2021-07_add.csv" "$S/ofac/2021-07_sdn_comments.csv"
expect_eq "$(json_field entities)" "8976" "8,976 SDN entities"
expect_eq "$(json_field orphans)" "0" "a consistent set: every alias and address joins"
expect_eq "$(sql "SELECT group_concat(type || '=' || n, ' ') FROM (SELECT e.type, count(*) n FROM list_entity e WHERE e.list = 'ofac-sdn' GROUP BY e.type ORDER BY e.type)")" \
    "aircraft=277 entity=3673 person=4620 vessel=406" "types as in the MANIFEST"
# Every distinct alt.csv name of an entity is one of its strong aliases.
want=$(python3 -c '
import csv, sys
prim = {r[0]: r[1] for r in csv.reader(open(sys.argv[1], encoding="latin-1")) if len(r) == 12}
alts = {(r[0], " ".join(r[3].split())) for r in csv.reader(open(sys.argv[2], encoding="latin-1"))
        if len(r) == 5 and r[3].strip() != prim.get(r[0])}
print(len(alts))' "$S/ofac/2021-07_sdn.csv" "$S/ofac/2021-07_alt.csv")
expect_eq "$(sql "SELECT count(*) FROM list_name n JOIN list_entity e ON e.id = n.entity WHERE e.list = 'ofac-sdn' AND n.quality = 'strong'")" \
    "$want" "every distinct alt.csv name is a strong alias"

expect_ok "OFAC consolidated" lists import --format ofac-csv --json \
    "$S/ofac/2025-12_cons_prim.csv" "$S/ofac/2025-12_cons_alt.csv" "$S/ofac/2025-12_cons_add.csv" "$S/ofac/2025-12_cons_comments.csv"
expect_out '"list": "ofac-cons"' "cons_prim.csv gives ofac-cons"
expect_eq "$(json_field entities)" "442" "442 consolidated entities"

expect_ok "UN 2026" lists import --format un-xml "$S/un/UN_consolidated_2026-02-27.xml"
expect_out "un: version 1: 1,003 entities" "1,003 UN entries"
expect_eq "$(sql "SELECT group_concat(type || '=' || n, ' ') FROM (SELECT type, count(*) n FROM list_entity WHERE list = 'un' GROUP BY type ORDER BY type)")" \
    "entity=273 person=730" "730 individuals and 273 entities"
expect_ok "show TAi.108" lists show un TAi.108 --json
expect_out '"entity_id": "TAi.108"' "REFERENCE_NUMBER is the id"

expect_status 1 "CSL 2023-11 strictly" lists import --format csl-csv "$S/us_csl/csl_2023-11.csv"
expect_err "csl_2023-11.csv:4233: quoted field is not closed before the end of the file" "the file's last record is cut off"
expect_ok "CSL 2023-11 skipping the cut record" lists import --format csl-csv --skip-bad --json "$S/us_csl/csl_2023-11.csv"
expect_eq "$(json_field records)" "4227" "4,227 records read (the duplicated header is not one)"
expect_eq "$(json_field skipped)" "1" "the cut record skipped"
expect_eq "$(json_field merged)" "7" "seven parties listed by two sub-lists"
expect_eq "$(json_field entities)" "4219" "4,227 - 1 - 7 entities"

expect_ok "BIS DPL 2023-11" lists import --format bis-dpl --json "$S/bis_dpl/dpl_2023-11.txt"
expect_eq "$(json_field records)" "665" "665 lines after the header"
expect_eq "$(( $(json_field entities) + $(json_field merged) ))" "665" "every line an entity or merged into one"

expect_ok "FtM sample" lists import --format ftm-json --json "$S/opensanctions/yente_t1_sample.ftm.json"
expect_eq "$(json_field entities)" "6" "six persons and organisations (the address is not one)"

# Two OFAC days: 8 entries removed (MANIFEST: "delta: 8 removed").
expect_ok "SDN 2024-05-02" lists import --format ofac-csv --list ofac-daily "$S/ofac/sdn_2024-05-02.csv"
expect_out "14,973 entities" "14,973 on the first day"
expect_ok "SDN 2024-05-03" lists import --format ofac-csv --list ofac-daily "$S/ofac/sdn_2024-05-03.csv"
expect_out "14,965 entities" "14,965 on the second"
expect_out "against version 1: 0 added, 0 changed, 8 removed" "the summary counts what the diff shows"
expect_eq "$(sql "SELECT count(*) FROM list_entity WHERE list = 'ofac-daily'")" "14973" \
    "nothing rewritten: entities shared between versions"
expect_ok "diff the two days" lists diff ofac-daily
expect_out "added: 0" "none added"
expect_out "removed: 8" "eight removed"
expect_out "38556        EMPEROR AVIATION LTD" "a removed entry by ent_num and name"
expect_out "changed: 0" "none changed"
expect_ok "UN 2018 then 2026" lists import --format un-xml --list un-history "$S/un/UN_consolidated_2018-10-29.xml"
expect_ok "UN 2026 as the next version" lists import --format un-xml --list un-history "$S/un/UN_consolidated_2026-02-27.xml"
expect_ok "diff UN 2018 -> 2026" lists diff un-history --json
added=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d["added"]) - len(d["removed"]))' "$OUT")
expect_eq "$added" "-90" "added minus removed = 1,003 - 1,093"

finish
