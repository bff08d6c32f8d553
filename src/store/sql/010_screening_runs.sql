-- Each screening of an application's parties on submission: when, and
-- against which list versions, so that a clear result says what it was
-- clear against (a hit names its own list version too).
CREATE TABLE screening_run (
    id INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES application(id),
    screened_at TEXT NOT NULL,              -- UTC, ISO 8601
    lists TEXT NOT NULL,                    -- JSON: [{"list", "version", "sha256"}], by list name
    parties INTEGER NOT NULL,               -- the exporter and every party
    alerts INTEGER NOT NULL
);
CREATE INDEX screening_run_by_application ON screening_run(application_id);

-- Advice revisions, countersignatures, decisions, notes, assessments and
-- screening runs are never edited or deleted: a change is a new row.
CREATE TRIGGER advice_never_updated BEFORE UPDATE ON advice
BEGIN
    SELECT RAISE(ABORT, 'advice is never edited: a change is a new revision');
END;
CREATE TRIGGER advice_never_deleted BEFORE DELETE ON advice
BEGIN
    SELECT RAISE(ABORT, 'advice is never deleted: a change is a new revision');
END;
CREATE TRIGGER countersignature_never_updated BEFORE UPDATE ON countersignature
BEGIN
    SELECT RAISE(ABORT, 'a countersignature is never edited');
END;
CREATE TRIGGER countersignature_never_deleted BEFORE DELETE ON countersignature
BEGIN
    SELECT RAISE(ABORT, 'a countersignature is never deleted');
END;
CREATE TRIGGER case_decision_never_updated BEFORE UPDATE ON case_decision
BEGIN
    SELECT RAISE(ABORT, 'a decision is never edited');
END;
CREATE TRIGGER case_decision_never_deleted BEFORE DELETE ON case_decision
BEGIN
    SELECT RAISE(ABORT, 'a decision is never deleted');
END;
CREATE TRIGGER case_note_never_updated BEFORE UPDATE ON case_note
BEGIN
    SELECT RAISE(ABORT, 'a note is never edited: add another');
END;
CREATE TRIGGER case_note_never_deleted BEFORE DELETE ON case_note
BEGIN
    SELECT RAISE(ABORT, 'a note is never deleted: add another');
END;
CREATE TRIGGER case_assessment_never_updated BEFORE UPDATE ON case_assessment
BEGIN
    SELECT RAISE(ABORT, 'an assessment on the record is never edited');
END;
CREATE TRIGGER case_assessment_never_deleted BEFORE DELETE ON case_assessment
BEGIN
    SELECT RAISE(ABORT, 'an assessment on the record is never deleted');
END;
CREATE TRIGGER screening_run_never_changed BEFORE UPDATE ON screening_run
BEGIN
    SELECT RAISE(ABORT, 'a screening run is never edited');
END;
CREATE TRIGGER screening_run_never_deleted BEFORE DELETE ON screening_run
BEGIN
    SELECT RAISE(ABORT, 'a screening run is never deleted');
END;
