# Evidence on the record: add (prints the id), list, import (all or nothing),
# corrections by supersession, and errors that name the option or JSON path.
. "$(dirname "$0")/lib.sh"

expect_ok "init" init
expect_ok "add" evidence add --destination Israel --topic ihl --severity serious \
    --summary "Possible breaches on humanitarian access" --source "FCDO summary" --date 2024-09-02 \
    --reliability high
expect_eq "$(cat "$OUT")" "EV-0001" "add prints the new id"
expect_ok "add with validity and classification" evidence add --destination BH \
    --topic internal-repression --severity medium --summary "Protest policing" --source "NGO" \
    --date 2024-01-10 --classification OFFICIAL-SENSITIVE --valid-from 2024-02-01 --valid-to 2024-12-31 --json
expect_out '"id": "EV-0002"' "json id"
expect_eq "$(sql "SELECT destination || ' ' || reliability || ' ' || classification || ' ' || valid_from FROM evidence WHERE id = 1")" \
    "IL high OFFICIAL 2024-09-02" "defaults: validity from the source date, OFFICIAL"
expect_ok "list" evidence list
expect_out "EV-0001  IL" "list shows the entries"
expect_out "expired 2024-12-31" "list shows an expired entry"
expect_ok "list by destination name" evidence list --destination "Bahrain" --json
expect_out '"id": "EV-0002"' "filtered to Bahrain"
expect_no_out '"id": "EV-0001"' "Israel left out"
expect_out '"valid_to": "2024-12-31"' "json validity"

# Corrections supersede; entries are never edited.
expect_ok "correct EV-0001" evidence add --destination IL --topic ihl --severity grave \
    --summary "Further findings" --source "FCDO" --date 2025-03-01 --supersedes EV-0001
expect_eq "$(cat "$OUT")" "EV-0003" "the correction has its own id"
expect_ok "list after the correction" evidence list --destination IL
expect_out "superseded by EV-0003" "the old entry shows its successor"
expect_status 1 "an entry is superseded once" evidence add --destination IL --topic ihl \
    --severity low --summary s --source s --date 2025-04-01 --supersedes 1
expect_err "EV-0001 is already superseded by EV-0003: supersede EV-0003 instead" "the chain is explained"
expect_status 1 "superseding nothing" evidence add --destination IL --topic ihl --severity low \
    --summary s --source s --date 2025-04-01 --supersedes EV-0099
expect_err "EV-0099: no such evidence" "the missing entry is named"
if sqlite3 "$PENHOLDER_DB" "UPDATE evidence SET severity = 'low' WHERE id = 1" 2>/dev/null; then
    fail "the database refuses edits"
else
    pass "the database refuses edits"
fi
expect_eq "$(sql "SELECT severity FROM evidence WHERE id = 1")" "serious" "EV-0001 unchanged"

# Bad entries: usage errors naming the option; nothing stored.
expect_status 2 "unknown topic" evidence add --destination IL --topic weather --severity low \
    --summary s --source s --date 2025-01-01
expect_err "--topic: unknown value 'weather' (expected ihl, internal-repression" "topic options listed"
expect_status 2 "unknown destination" evidence add --destination Narnia --topic ihl \
    --severity low --summary s --source s --date 2025-01-01
expect_err "--destination:" "the destination option is named"
expect_status 2 "missing summary" evidence add --destination IL --topic ihl --severity low \
    --source s --date 2025-01-01
expect_err "--summary: missing" "the missing option is named"
expect_status 2 "bad date" evidence add --destination IL --topic ihl --severity low \
    --summary s --source s --date 2025-13-01
expect_err "--date: expected a date YYYY-MM-DD" "the date is explained"
expect_status 2 "entry options outside add" evidence list --topic ihl
expect_eq "$(sql "SELECT count(*) FROM evidence")" "3" "nothing stored by bad commands"

# Import: all or nothing, errors naming the JSON path.
cat >"$TMP/ev.json" <<'JSON'
[
  {"destination": "KG", "topic": "diversion", "severity": "serious", "summary": "Re-export",
   "source": "Trade data", "date": "2024-05-15"},
  {"destination": "KG", "topic": "diversion", "severity": "massive", "summary": "Re-export",
   "source": "Trade data", "date": "2024-05-16"}
]
JSON
expect_status 1 "a bad entry stops the import" evidence import "$TMP/ev.json"
expect_err "ev.json: [1].severity: unknown value 'massive'" "the JSON path is named"
expect_err "nothing was imported" "the import says it stored nothing"
expect_eq "$(sql "SELECT count(*) FROM evidence")" "3" "nothing imported"
sed -i 's/massive/medium/' "$TMP/ev.json"
expect_ok "import" evidence import "$TMP/ev.json"
expect_out "2 evidence entries added (EV-0004 to EV-0005)" "import reports the ids"
printf '[{"destination": "KG", "topic": "ihl", "severity": "low", "summary": "s", "source": "s", "date": "2024-01-01", "colour": "red"}]' >"$TMP/extra.json"
expect_status 1 "unknown field" evidence import "$TMP/extra.json"
expect_err "extra.json: [0].colour: unknown field" "the unknown field is named"
printf '{"destination": "KG"}' >"$TMP/object.json"
expect_status 1 "not an array" evidence import "$TMP/object.json"
expect_err "expected a JSON array" "the shape is explained"
printf '[{"destination": "KG", "topic": "ihl", "severity": "low", "summary": "s", "source": "s", "date": "2024-01-01"}]' >"$TMP/one.json"
printf '[{"destination": "KG",' >"$TMP/cut.json"
expect_status 1 "malformed" evidence import "$TMP/cut.json"
expect_err "cut.json:1:" "malformed JSON names the line"
expect_eq "$(sql "SELECT count(*) FROM evidence")" "5" "still five entries"

expect_status 2 "a correction keeps the destination" evidence add --destination IL --topic ihl \
    --severity low --summary s --source s --date 2025-04-01 --supersedes EV-0002
expect_err "EV-0002 is about another destination" "the refusal says why"

# Every entry is on the audit log, under the actor who recorded it; the failed
# imports left nothing there.
expect_ok "audit log of an entry" audit log --object evidence:EV-0003 --json
expect_out '"action": "evidence.supersede"' "a correction is logged as a supersession"
expect_ok "import as an actor" evidence import --actor erin "$TMP/one.json"
expect_ok "audit log of the imported entry" audit log --object evidence:EV-0006 --json
expect_out '"actor": "erin"' "the import's actor is recorded"
expect_out '"action": "evidence.add"' "an entry is logged as added"
expect_eq "$(sql "SELECT count(*) FROM audit_entry WHERE object_type = 'evidence'")" "6" \
    "one audit entry per evidence entry"
expect_ok "the log verifies" audit verify
expect_status 2 "--actor belongs to add and import" evidence list --actor erin
finish
