-- Accounts and roles: who may do what, and how they prove who they are.
-- Accounts are never deleted (decisions and advice name their authors);
-- they are disabled. Secrets are stored only as hashes: passwords as
-- Argon2id strings, sessions and API tokens as SHA-256 of a random value.

-- Exporting organisations (an exporter account belongs to one and sees only
-- its organisation's objects).
CREATE TABLE organisation (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);

-- Adviser teams: the departments whose advice a case is routed to.
CREATE TABLE team (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL
);
INSERT INTO team (code, name) VALUES
    ('fcdo', 'Foreign, Commonwealth and Development Office (the penholder on the criteria)'),
    ('mod', 'Ministry of Defence'),
    ('ncsc', 'National Cyber Security Centre'),
    ('desnz', 'Department for Energy Security and Net Zero (nuclear, chemical and biological)');

CREATE TABLE account (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL CHECK (role IN ('exporter', 'case_officer', 'technical_assessor', 'adviser',
                                       'countersigner', 'decision_maker', 'nominated_officer',
                                       'auditor', 'admin')),
    team TEXT REFERENCES team(code),
    organisation_id INTEGER REFERENCES organisation(id),
    password_hash TEXT NOT NULL,       -- Argon2id, libsodium crypto_pwhash_str format
    disabled INTEGER NOT NULL DEFAULT 0,
    failed_logins INTEGER NOT NULL DEFAULT 0, -- consecutive, reset by a good login or a lockout
    locked_until TEXT,                 -- UTC ISO 8601; NULL when not locked
    version INTEGER NOT NULL DEFAULT 1, -- bumped by every change (ETag)
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK ((role = 'exporter') = (organisation_id IS NOT NULL)),
    CHECK (role <> 'adviser' OR team IS NOT NULL),
    CHECK (role <> 'exporter' OR team IS NULL)
);

-- Browser sessions (cookie). Idle expiry from last_seen_at, absolute expiry
-- at expires_at.
CREATE TABLE session (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    account_id INTEGER NOT NULL REFERENCES account(id),
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX session_by_account ON session(account_id);

-- Bearer tokens for API clients.
CREATE TABLE api_token (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    account_id INTEGER NOT NULL REFERENCES account(id),
    label TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    expires_at TEXT,                   -- NULL: does not expire
    revoked_at TEXT
);
CREATE INDEX api_token_by_account ON api_token(account_id);
