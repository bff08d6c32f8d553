-- Formal concerns: raised once, answered for certain, never silently closed
-- (docs/concerns.md). Every table here is append-only: triggers refuse
-- UPDATE and DELETE, a concern's state is the newest event that moved it,
-- a correction is a new message, a setting changed is a new row. No row
-- names the reporter of a confidential concern: the identity exists only
-- inside the sealed boxes of concern_seal.

-- A concern and what it is about. `about_sha256` pins the exact content
-- (an advice revision, an assessment, a policy text) as it was when the
-- concern was raised.
CREATE TABLE concern (
    id INTEGER PRIMARY KEY,
    about_kind TEXT NOT NULL CHECK (about_kind IN ('case', 'licence', 'review', 'advice', 'assessment', 'policy')),
    about_id TEXT NOT NULL,            -- case or licence reference, review/advice/assessment id, policy id
    about_version TEXT,                -- advice revision number, policy version
    about_sha256 TEXT,                 -- SHA-256 of the pinned content
    case_reference TEXT,               -- the case concerned (case, advice and assessment concerns)
    category TEXT NOT NULL CHECK (category IN ('legal_risk', 'policy_dissent', 'implementation_dissent', 'conduct')),
    criteria TEXT NOT NULL DEFAULT '', -- ';'-separated criteria concerned, e.g. 2c;7
    text TEXT NOT NULL,
    confidential INTEGER NOT NULL CHECK (confidential IN (0, 1)),
    reporter TEXT,                     -- account name; NULL for a confidential concern
    receipt_sha256 TEXT UNIQUE,        -- SHA-256 of the receipt code (confidential concerns)
    pseudonym TEXT,                    -- the reporter's name on the record (confidential concerns)
    raised_on TEXT NOT NULL,           -- YYYY-MM-DD: no time of day, so the record cannot be matched to a login
    CHECK ((confidential = 1) = (reporter IS NULL)),
    CHECK ((confidential = 1) = (receipt_sha256 IS NOT NULL AND pseudonym IS NOT NULL))
);
CREATE INDEX concern_by_case ON concern(case_reference);
CREATE INDEX concern_by_reporter ON concern(reporter);

-- Accounts that put their name to an open concern beside the reporter's.
-- A confidential concern has none here: its co-signatories are sealed.
CREATE TABLE concern_cosignatory (
    concern_id INTEGER NOT NULL REFERENCES concern(id),
    account TEXT NOT NULL,
    PRIMARY KEY (concern_id, account)
) WITHOUT ROWID;

-- The history: every event, in order. An event with to_state NULL records
-- without moving (message markers, reveals, extensions, decisions noted).
CREATE TABLE concern_event (
    id INTEGER PRIMARY KEY,
    concern_id INTEGER NOT NULL REFERENCES concern(id),
    event TEXT NOT NULL,               -- raise, acknowledge, consider, respond, appeal, escalate, extend, close, reveal, note_decision, grant
    to_state TEXT,                     -- the state after a moving event
    actor TEXT NOT NULL,               -- account name, the concern's pseudonym, or 'system'
    actor_role TEXT NOT NULL,          -- reporter, nominated_officer, decision_maker, system
    on_date TEXT NOT NULL,             -- YYYY-MM-DD
    level TEXT,                        -- escalations: the level of the chain it went to
    outcome TEXT CHECK (outcome IN ('upheld', 'partly_upheld', 'not_upheld')),
    text TEXT,                         -- the substantive response; the reason of an escalation, reveal...
    CHECK (event <> 'respond' OR (outcome IS NOT NULL AND text IS NOT NULL))
);
CREATE INDEX concern_event_by_concern ON concern_event(concern_id, id);

-- The thread between the reporter (or receipt holder) and the nominated
-- officers. A correction is a new message naming the one it corrects.
CREATE TABLE concern_message (
    id INTEGER PRIMARY KEY,
    concern_id INTEGER NOT NULL REFERENCES concern(id),
    author TEXT NOT NULL,              -- account name, or the concern's pseudonym
    author_role TEXT NOT NULL,         -- reporter, nominated_officer
    on_date TEXT NOT NULL,
    text TEXT NOT NULL,
    corrects INTEGER REFERENCES concern_message(id)
);
CREATE INDEX concern_message_by_concern ON concern_message(concern_id, id);

-- Nominated officers' key pairs (X25519, libsodium crypto_box). The secret
-- key is kept only inside a secretbox whose key is derived from the
-- officer's password with Argon2id. A new password is a new row for the
-- same public key (rewrap); the newest row of a key is the one in use.
CREATE TABLE concern_key (
    id INTEGER PRIMARY KEY,
    key_id TEXT NOT NULL,              -- 16 hex digits: the first 8 bytes of SHA-256(public key)
    account TEXT NOT NULL,
    public_key BLOB NOT NULL,
    wrapped_secret BLOB NOT NULL,      -- crypto_secretbox of the secret key
    wrap_nonce BLOB NOT NULL,
    wrap_salt BLOB NOT NULL,
    wrap_opslimit INTEGER NOT NULL,
    wrap_memlimit INTEGER NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX concern_key_by_key_id ON concern_key(key_id, id);
CREATE INDEX concern_key_by_account ON concern_key(account, id);

-- The reporter's identity, sealed (crypto_box_seal) to each nominated
-- officer's public key: one row per key. A key added later is granted the
-- seals by an officer who can open them (a new row, audited).
CREATE TABLE concern_seal (
    concern_id INTEGER NOT NULL REFERENCES concern(id),
    key_id TEXT NOT NULL,
    sealed BLOB NOT NULL,
    PRIMARY KEY (concern_id, key_id)
) WITHOUT ROWID;

-- Deployment settings (deadlines, calendar, escalation chain, whether an
-- open concern blocks a case's decision). The newest row of a key wins.
CREATE TABLE concern_setting (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    set_by TEXT NOT NULL,
    set_at TEXT NOT NULL
);
CREATE INDEX concern_setting_by_key ON concern_setting(key, id);

CREATE TRIGGER concern_no_update BEFORE UPDATE ON concern
BEGIN SELECT RAISE(ABORT, 'a concern is never edited: add a message or an event'); END;
CREATE TRIGGER concern_no_delete BEFORE DELETE ON concern
BEGIN SELECT RAISE(ABORT, 'a concern is never deleted'); END;
CREATE TRIGGER concern_cosignatory_no_update BEFORE UPDATE ON concern_cosignatory
BEGIN SELECT RAISE(ABORT, 'co-signatories are never edited'); END;
CREATE TRIGGER concern_cosignatory_no_delete BEFORE DELETE ON concern_cosignatory
BEGIN SELECT RAISE(ABORT, 'co-signatories are never deleted'); END;
CREATE TRIGGER concern_event_no_update BEFORE UPDATE ON concern_event
BEGIN SELECT RAISE(ABORT, 'a concern''s history is never edited'); END;
CREATE TRIGGER concern_event_no_delete BEFORE DELETE ON concern_event
BEGIN SELECT RAISE(ABORT, 'a concern''s history is never deleted'); END;
CREATE TRIGGER concern_message_no_update BEFORE UPDATE ON concern_message
BEGIN SELECT RAISE(ABORT, 'a message is never edited: send a correction'); END;
CREATE TRIGGER concern_message_no_delete BEFORE DELETE ON concern_message
BEGIN SELECT RAISE(ABORT, 'a message is never deleted: send a correction'); END;
CREATE TRIGGER concern_key_no_update BEFORE UPDATE ON concern_key
BEGIN SELECT RAISE(ABORT, 'a key is never edited: rewrap it as a new row'); END;
CREATE TRIGGER concern_key_no_delete BEFORE DELETE ON concern_key
BEGIN SELECT RAISE(ABORT, 'a key is never deleted'); END;
CREATE TRIGGER concern_seal_no_update BEFORE UPDATE ON concern_seal
BEGIN SELECT RAISE(ABORT, 'a seal is never edited'); END;
CREATE TRIGGER concern_seal_no_delete BEFORE DELETE ON concern_seal
BEGIN SELECT RAISE(ABORT, 'a seal is never deleted'); END;
CREATE TRIGGER concern_setting_no_update BEFORE UPDATE ON concern_setting
BEGIN SELECT RAISE(ABORT, 'a setting is changed by a new row'); END;
CREATE TRIGGER concern_setting_no_delete BEFORE DELETE ON concern_setting
BEGIN SELECT RAISE(ABORT, 'a setting is changed by a new row'); END;
