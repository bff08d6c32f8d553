-- Assessment against the licensing criteria: evidence on the record,
-- installed policy versions, and assessments kept on the record.

-- Evidence about a destination. Never edited or deleted: a correction is a
-- new entry that supersedes the old one.
CREATE TABLE evidence (
    id INTEGER PRIMARY KEY,
    destination TEXT NOT NULL REFERENCES destination(code),
    topic TEXT NOT NULL CHECK (topic IN ('ihl', 'internal-repression', 'human-rights',
        'armed-conflict', 'aggression', 'diversion', 'terrorism', 'proliferation')),
    severity TEXT NOT NULL CHECK (severity IN ('low', 'medium', 'serious', 'grave')),
    summary TEXT NOT NULL,
    source TEXT NOT NULL,
    source_date TEXT NOT NULL,        -- YYYY-MM-DD
    reliability TEXT NOT NULL CHECK (reliability IN ('low', 'medium', 'high')),
    classification TEXT NOT NULL CHECK (classification IN ('OFFICIAL', 'OFFICIAL-SENSITIVE', 'SECRET')),
    valid_from TEXT NOT NULL,         -- YYYY-MM-DD
    valid_to TEXT,                    -- YYYY-MM-DD, NULL when open-ended
    supersedes INTEGER UNIQUE REFERENCES evidence(id),
    recorded_at TEXT NOT NULL,        -- UTC, ISO 8601
    CHECK (valid_to IS NULL OR valid_to >= valid_from)
);
CREATE INDEX evidence_by_destination ON evidence(destination, valid_from);

CREATE TRIGGER evidence_never_updated BEFORE UPDATE ON evidence
BEGIN
    SELECT RAISE(ABORT, 'evidence is never edited in place: add an entry that supersedes it');
END;
CREATE TRIGGER evidence_never_deleted BEFORE DELETE ON evidence
BEGIN
    SELECT RAISE(ABORT, 'evidence is never deleted: add an entry that supersedes it');
END;

-- Policy versions installed besides the ones built into penholder.
CREATE TABLE policy_version (
    id INTEGER PRIMARY KEY,
    policy_id TEXT NOT NULL,
    version TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_to TEXT,
    sha256 TEXT NOT NULL UNIQUE,
    file_name TEXT NOT NULL,
    text TEXT NOT NULL,
    installed_at TEXT NOT NULL,
    UNIQUE (policy_id, version)
);

CREATE TRIGGER policy_version_never_updated BEFORE UPDATE ON policy_version
BEGIN
    SELECT RAISE(ABORT, 'an installed policy is never edited: install a new version');
END;
CREATE TRIGGER policy_version_never_deleted BEFORE DELETE ON policy_version
BEGIN
    SELECT RAISE(ABORT, 'an installed policy is never deleted');
END;

-- Assessments kept on the record, with what they were made under.
CREATE TABLE assessment (
    id INTEGER PRIMARY KEY,
    reference TEXT,
    destination TEXT,
    recommendation TEXT NOT NULL,
    policy_id TEXT NOT NULL,
    policy_version TEXT NOT NULL,
    policy_sha256 TEXT NOT NULL,
    evidence_sha256 TEXT NOT NULL,
    as_of TEXT,
    result TEXT NOT NULL,             -- the result as JSON
    recorded_at TEXT NOT NULL
);
CREATE INDEX assessment_by_reference ON assessment(reference);

CREATE TRIGGER assessment_never_updated BEFORE UPDATE ON assessment
BEGIN
    SELECT RAISE(ABORT, 'an assessment on the record is never edited');
END;
