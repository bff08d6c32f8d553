-- Applications (cases): from the exporter's draft to a decision and a licence.

-- Next number for references GB<TYPE>/<YEAR>/<NNNNNNN>/<P|T>.
CREATE TABLE case_reference_counter (
    type TEXT NOT NULL,
    year INTEGER NOT NULL,
    next INTEGER NOT NULL,
    PRIMARY KEY (type, year)
);

CREATE TABLE application (
    id INTEGER PRIMARY KEY,
    reference TEXT NOT NULL UNIQUE,         -- GBSIEL/2026/0000123/P
    type TEXT NOT NULL,                     -- SIEL, OIEL, SITCL, OITCL, SITL, F680
    temporary INTEGER NOT NULL DEFAULT 0,   -- 1: temporary export (suffix T)
    status TEXT NOT NULL,                   -- a state of the case workflow
    organisation TEXT NOT NULL,             -- the exporter organisation
    exporter TEXT NOT NULL,                 -- the exporter's name as applied
    destination TEXT NOT NULL REFERENCES destination(code),
    end_use TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    submitted_at TEXT,
    sla_due TEXT,                           -- date the service level falls due
    sla_paused_days INTEGER NOT NULL DEFAULT 0, -- working days added by requests for information
    outcome TEXT,                           -- issued, refused, no_licence_required
    decided_at TEXT,
    version INTEGER NOT NULL DEFAULT 1      -- bumped by every write (ETag)
);
CREATE INDEX application_by_status ON application(status);
CREATE INDEX application_by_organisation ON application(organisation);

CREATE TABLE application_party (
    application_id INTEGER NOT NULL REFERENCES application(id),
    party_no INTEGER NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('end_user', 'consignee', 'ultimate_end_user', 'third_party', 'exporter')),
    name TEXT NOT NULL,
    country TEXT NOT NULL REFERENCES destination(code),
    type TEXT NOT NULL,
    address TEXT,
    PRIMARY KEY (application_id, party_no)
) WITHOUT ROWID;

CREATE TABLE application_goods (
    application_id INTEGER NOT NULL REFERENCES application(id),
    line_no INTEGER NOT NULL,
    description TEXT NOT NULL,
    rating TEXT NOT NULL,                   -- as applied for
    assessed_rating TEXT,                   -- as confirmed by a technical assessor
    report_summary TEXT,
    assessed_by TEXT,
    quantity INTEGER,
    value_pence INTEGER,
    PRIMARY KEY (application_id, line_no)
) WITHOUT ROWID;

-- A screening hit on a party, kept until an officer disposes of it.
CREATE TABLE screening_hit (
    id INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES application(id),
    party_no INTEGER NOT NULL,
    list TEXT NOT NULL,
    list_version TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    listed_name TEXT NOT NULL,
    matched_name TEXT NOT NULL,
    score REAL NOT NULL,
    explanation TEXT NOT NULL,              -- JSON
    disposition TEXT CHECK (disposition IN ('true_match', 'false_positive')),
    disposition_reason TEXT,
    disposed_by TEXT,
    disposed_at TEXT
);
CREATE INDEX screening_hit_by_application ON screening_hit(application_id);

-- Each assessment of the application against the policy, as recorded.
CREATE TABLE case_assessment (
    id INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES application(id),
    trigger TEXT NOT NULL,                  -- submit, rating, disposition
    recommendation TEXT NOT NULL,
    result TEXT NOT NULL,                   -- the assessment JSON (policy, findings, evidence)
    created_at TEXT NOT NULL
);

-- Advice is never edited: a change is a new revision that supersedes the last.
CREATE TABLE advice (
    id INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES application(id),
    team TEXT NOT NULL,
    revision INTEGER NOT NULL,              -- 1, 2, ... per application and team
    supersedes INTEGER REFERENCES advice(id),
    author TEXT NOT NULL,
    advice TEXT NOT NULL CHECK (advice IN ('approve', 'approve_with_provisos', 'refuse',
                                           'no_licence_required', 'conflicting')),
    text TEXT NOT NULL,
    provisos TEXT,
    criteria TEXT NOT NULL DEFAULT '',      -- ';'-separated, required for refuse
    change_reason TEXT,                     -- why this revision replaces the last
    created_at TEXT NOT NULL,
    UNIQUE (application_id, team, revision)
);

CREATE TABLE countersignature (
    id INTEGER PRIMARY KEY,
    advice_id INTEGER NOT NULL REFERENCES advice(id),
    signer TEXT NOT NULL,
    accepted INTEGER NOT NULL,
    reasons TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE case_decision (
    id INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES application(id),
    event TEXT NOT NULL,                    -- issue, refuse, no_licence_required, allow_appeal, dismiss_appeal
    criteria TEXT NOT NULL DEFAULT '',
    reason TEXT NOT NULL,
    decided_by TEXT NOT NULL,
    decided_at TEXT NOT NULL,
    licence_reference TEXT
);

-- Requests for information to the exporter; an open one pauses the clock.
CREATE TABLE rfi (
    id INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES application(id),
    question TEXT NOT NULL,
    raised_by TEXT NOT NULL,
    raised_at TEXT NOT NULL,
    response TEXT,
    responded_by TEXT,
    responded_at TEXT
);

CREATE TABLE case_note (
    id INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES application(id),
    text TEXT NOT NULL,
    author TEXT NOT NULL,
    exporter_visible INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);

CREATE TABLE case_document (
    id INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES application(id),
    name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    content_type TEXT NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at TEXT NOT NULL
);

CREATE TABLE appeal (
    id INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES application(id),
    grounds TEXT NOT NULL,
    lodged_by TEXT NOT NULL,
    lodged_at TEXT NOT NULL
);

-- The licence issued on an application.
ALTER TABLE licence ADD COLUMN application_id INTEGER REFERENCES application(id);
