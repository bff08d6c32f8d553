# init, status, controls, destinations, and the command-line conventions.
. "$(dirname "$0")/lib.sh"

expect_status 2 "no command is a usage error" 
expect_status 2 "unknown command is a usage error" frobnicate
expect_err "unknown command" "unknown command is named"
expect_ok "help prints the commands" --help
expect_out "licences" "help lists licences"

expect_status 1 "status without a database fails" status
expect_err "run \`penholder init\`" "missing database names the fix"

expect_ok "init creates the database" init
expect_out "schema 0 ->" "init reports the migration"
expect_out "tables loaded" "init loads reference data"
before=$(sql "SELECT group_concat(name || sha256 || loaded_at) FROM refdata_version")
expect_ok "init again" init
expect_out "tables current" "second init loads nothing"
after=$(sql "SELECT group_concat(name || sha256 || loaded_at) FROM refdata_version")
expect_eq "$after" "$before" "second init changes nothing"

expect_ok "init --json" init --json
expect_out '"tables_loaded": 0' "init --json reports nothing loaded"

# A newer schema is refused, naming both versions.
cp "$PENHOLDER_DB" "$TMP/newer.db"
sqlite3 "$TMP/newer.db" "PRAGMA user_version=999"
expect_status 1 "a newer schema is refused" status --db "$TMP/newer.db"
expect_err "schema version 999" "refusal names the database's version"
expect_err "newer than this penholder's" "refusal names penholder's version"
expect_status 1 "init refuses a newer schema too" init --db "$TMP/newer.db"

# Not a database at all.
echo "hello" > "$TMP/junk.db"
expect_status 1 "a file that is not a database is refused" status --db "$TMP/junk.db"
expect_err "junk.db" "error names the file"
# A database of some other program.
sqlite3 "$TMP/other.db" "CREATE TABLE t(x)"
expect_status 1 "another program's database is refused" init --db "$TMP/other.db"
expect_err "not a penholder database" "error says why"

expect_ok "status" status
expect_out "control list entries" "status lists the control list"

expect_ok "controls search" controls search night vision goggles
first=$(sed -n 2p "$OUT" | awk '{print $1}')
expect_eq "$first" "ML15.c" "night vision goggles ranks ML15.c first"
expect_ok "controls show accepts a rating without dots" controls show ml10a
expect_out "ML10 > ML10.a" "show prints the path"
expect_ok "controls show --json" controls show ML10.a --json
expect_out '"parent": "ML10"' "json names the parent"
expect_status 1 "unknown rating" controls show ZZ999
expect_err "no control list entry 'ZZ999'" "unknown rating is named"
expect_status 2 "controls without a subcommand" controls
expect_status 2 "unknown option" controls search x --bogus
expect_status 2 "bad --limit" controls search x --limit -1

expect_ok "destinations resolve" destinations resolve US USA "United States of America" "cote d'ivoire"
n=$(grep -c "^.*  US  " "$OUT")
expect_eq "$n" "3" "three spellings resolve to US"
expect_out "CI" "accents and case do not matter"
expect_status 1 "unknown destination" destinations resolve Narnia
expect_err "unknown destination 'Narnia'" "unknown destination is named"
expect_ok "embargoes" destinations embargoes KP
expect_out "UN" "North Korea has a UN embargo"
expect_out "full" "which is full"

# docs/workflow.md is generated from the workflow tables and must match them.
DOCS="$(dirname "$0")/../../docs/workflow.md"
expect_ok "workflow --markdown" workflow --markdown
if cmp -s "$OUT" "$DOCS"; then pass "docs/workflow.md matches the tables"; else fail "docs/workflow.md is stale: run penholder workflow --markdown > docs/workflow.md"; fi
expect_ok "workflow licence --json" workflow licence --json
expect_out '"event": "suspend"' "licence machine has suspend"
expect_status 2 "unknown machine" workflow spaceship
finish
