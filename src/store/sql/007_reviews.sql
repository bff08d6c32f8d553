-- Reviews of extant licences: the review as defined, each run's results,
-- the approval, the actions applied licence by licence, the referral work
-- queue and the outbox of customs notifications (docs/reviews.md).

CREATE TABLE review (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('suspension', 'reinstatement')),
    title TEXT NOT NULL,
    reason TEXT NOT NULL,
    criteria TEXT NOT NULL,           -- "2c", "2a, 2c"
    definition TEXT NOT NULL,         -- the review as JSON, destinations as codes
    definition_sha256 TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'assessed', 'approved', 'applying', 'applied')),
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,         -- UTC, ISO 8601
    approved_run INTEGER,             -- review_run.number of the run approved
    approved_by TEXT,
    approved_at TEXT,
    approval_note TEXT,
    applied_by TEXT,
    applied_at TEXT
);

CREATE TRIGGER review_never_deleted BEFORE DELETE ON review
BEGIN
    SELECT RAISE(ABORT, 'a review is never deleted');
END;

-- The evidence that triggered a review, as named in its definition.
CREATE TABLE review_evidence (
    review_id INTEGER NOT NULL REFERENCES review(id),
    evidence_id INTEGER NOT NULL REFERENCES evidence(id),
    PRIMARY KEY (review_id, evidence_id)
) WITHOUT ROWID;

-- One dry run: every licence in scope re-assessed under the policy and
-- evidence in force on as_of. Kept so that the decision maker approves, and
-- apply carries out, exactly what was shown.
CREATE TABLE review_run (
    id INTEGER PRIMARY KEY,
    review_id INTEGER NOT NULL REFERENCES review(id),
    number INTEGER NOT NULL,          -- 1, 2, ... within the review
    as_of TEXT NOT NULL,              -- YYYY-MM-DD
    policy_id TEXT NOT NULL,
    policy_version TEXT NOT NULL,
    policy_sha256 TEXT NOT NULL,
    capabilities_sha256 TEXT NOT NULL,
    evidence_sha256 TEXT NOT NULL,    -- of the evidence in force for the destinations assessed
    evidence_in_force TEXT NOT NULL,  -- "EV-0001, EV-0004"
    licences_considered INTEGER NOT NULL,
    licences INTEGER NOT NULL,        -- in scope: one result each
    summary TEXT NOT NULL,            -- the impact summary as JSON
    results_sha256 TEXT NOT NULL,     -- over the canonical bytes of its results ('' while writing)
    run_by TEXT NOT NULL,
    run_at TEXT NOT NULL,
    UNIQUE (review_id, number)
);

CREATE TRIGGER review_run_never_updated BEFORE UPDATE ON review_run
WHEN OLD.results_sha256 <> ''
BEGIN
    SELECT RAISE(ABORT, 'a review run on the record is never edited: run the review again');
END;
CREATE TRIGGER review_run_never_deleted BEFORE DELETE ON review_run
BEGIN
    SELECT RAISE(ABORT, 'a review run on the record is never deleted');
END;

-- What a run found for each licence in scope.
CREATE TABLE review_result (
    run_id INTEGER NOT NULL REFERENCES review_run(id),
    position INTEGER NOT NULL,        -- from 1, in reference order
    licence_id INTEGER NOT NULL REFERENCES licence(id),
    reference TEXT NOT NULL,
    status TEXT NOT NULL,             -- the licence's status when assessed
    action TEXT NOT NULL CHECK (action IN ('suspend', 'reinstate', 'refer', 'continue', 'exception')),
    proposed TEXT NOT NULL,           -- the action before exceptions
    criteria TEXT NOT NULL,           -- "2c"
    rules TEXT NOT NULL,              -- "2c-combat-capability"
    reason TEXT NOT NULL,
    exception INTEGER,                -- the exception that applied (from 1), or NULL
    end_user TEXT,
    end_user_type TEXT,
    ratings TEXT NOT NULL,            -- "ML10.a, ML22"
    capabilities TEXT NOT NULL,       -- "combat-aircraft, technology"
    goods TEXT NOT NULL,              -- the goods summaries, "; "-separated
    value_pence INTEGER NOT NULL,
    PRIMARY KEY (run_id, position)
) WITHOUT ROWID;
CREATE INDEX review_result_by_action ON review_result(run_id, action);

CREATE TRIGGER review_result_never_updated BEFORE UPDATE ON review_result
BEGIN
    SELECT RAISE(ABORT, 'a review result on the record is never edited');
END;
CREATE TRIGGER review_result_never_deleted BEFORE DELETE ON review_result
BEGIN
    SELECT RAISE(ABORT, 'a review result on the record is never deleted');
END;

-- Each suspension or reinstatement carried out when an approved review is
-- applied; a licence whose status changed since the run is skipped, with
-- the reason. A row exists once per licence and review: applying again
-- finds nothing left to do.
CREATE TABLE review_action (
    review_id INTEGER NOT NULL REFERENCES review(id),
    licence_id INTEGER NOT NULL REFERENCES licence(id),
    event TEXT NOT NULL CHECK (event IN ('suspend', 'reinstate')),
    outcome TEXT NOT NULL CHECK (outcome IN ('done', 'skipped')),
    note TEXT NOT NULL,
    audit_seq INTEGER,                -- the licence's audit entry when done
    actor TEXT NOT NULL,
    done_at TEXT NOT NULL,
    PRIMARY KEY (review_id, licence_id)
) WITHOUT ROWID;

CREATE TRIGGER review_action_never_updated BEFORE UPDATE ON review_action
BEGIN
    SELECT RAISE(ABORT, 'an action taken is never edited');
END;
CREATE TRIGGER review_action_never_deleted BEFORE DELETE ON review_action
BEGIN
    SELECT RAISE(ABORT, 'an action taken is never deleted');
END;

-- The work queue: licences a review referred to a person, and how each
-- was resolved.
CREATE TABLE review_referral (
    id INTEGER PRIMARY KEY,
    review_id INTEGER NOT NULL REFERENCES review(id),
    licence_id INTEGER NOT NULL REFERENCES licence(id),
    criteria TEXT NOT NULL,
    reason TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('open', 'resolved')),
    created_at TEXT NOT NULL,
    decision TEXT CHECK (decision IN ('continue', 'suspend', 'reinstate')),
    decision_reason TEXT,
    resolved_by TEXT,
    resolved_at TEXT,
    UNIQUE (review_id, licence_id)
);
CREATE INDEX review_referral_open ON review_referral(state, review_id);

-- The outbox: each suspension or reinstatement customs must be told of.
-- A dispatcher sends the pending ones and marks them sent.
CREATE TABLE customs_notification (
    id INTEGER PRIMARY KEY,
    licence_reference TEXT NOT NULL,
    event TEXT NOT NULL CHECK (event IN ('suspend', 'reinstate')),
    review_id INTEGER REFERENCES review(id),
    criteria TEXT NOT NULL,
    reason TEXT NOT NULL,
    effective_at TEXT NOT NULL,       -- UTC, ISO 8601
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent')),
    created_at TEXT NOT NULL,
    sent_at TEXT
);
CREATE INDEX customs_notification_pending ON customs_notification(state, id);
