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

finish
