-- The audit log (src/audit/audit.h, docs/audit.md) and licence status changes.

-- Public keys that sign tree heads. The private key is never stored here.
CREATE TABLE audit_key (
    key_id TEXT PRIMARY KEY,          -- first 8 bytes of SHA-256(public_key), hex
    public_key BLOB NOT NULL,         -- Ed25519, 32 bytes
    created_at TEXT NOT NULL
);

-- One entry per write: the leaves of the Merkle tree, in order.
CREATE TABLE audit_entry (
    seq INTEGER PRIMARY KEY,          -- leaf index, from 0
    at TEXT NOT NULL,                 -- UTC, 2026-11-29T14:08:40Z
    actor TEXT NOT NULL,
    action TEXT NOT NULL,             -- licence.suspend, case.submit, ...
    object_type TEXT NOT NULL,
    object_id TEXT NOT NULL,
    state_sha256 BLOB NOT NULL        -- SHA-256 of the object's canonical state after the write
);
CREATE INDEX audit_entry_by_object ON audit_entry(object_type, object_id, seq);

-- Every perfect subtree of the tree: level 0 holds the leaf hashes, level L
-- the roots of the 2^L leaves from idx * 2^L. The nodes on the right edge
-- make an append O(log n); the others make any proof O(log n).
CREATE TABLE audit_node (
    level INTEGER NOT NULL,
    idx INTEGER NOT NULL,
    hash BLOB NOT NULL,
    PRIMARY KEY (level, idx)
) WITHOUT ROWID;

-- A signed tree head after every append (and one for the empty tree).
CREATE TABLE audit_tree_head (
    tree_size INTEGER PRIMARY KEY,
    root_hash BLOB NOT NULL,
    signed_at TEXT NOT NULL,
    signature BLOB NOT NULL,          -- Ed25519 over the message in docs/audit.md
    key_id TEXT NOT NULL REFERENCES audit_key(key_id)
);

-- A licence's status changes (suspension, reinstatement, revocation), with
-- the reason and the criteria cited. Part of the licence's audited state.
CREATE TABLE licence_status_change (
    id INTEGER PRIMARY KEY,
    licence_id INTEGER NOT NULL REFERENCES licence(id),
    event TEXT NOT NULL,              -- suspend, reinstate, revoke
    from_status TEXT NOT NULL,
    to_status TEXT NOT NULL,
    reason TEXT NOT NULL,
    criteria TEXT NOT NULL,           -- "2c" or "1a, 2c"
    criteria_version TEXT NOT NULL REFERENCES criteria_version(id),
    actor TEXT NOT NULL,
    changed_at TEXT NOT NULL
);
CREATE INDEX licence_status_change_by_licence ON licence_status_change(licence_id, id);

-- Nothing in these tables is ever changed or removed by penholder. The
-- triggers stop a program error from doing it; someone with the database
-- file can drop them, which is what `penholder audit verify` is for.
CREATE TRIGGER audit_key_no_update BEFORE UPDATE ON audit_key
BEGIN SELECT RAISE(ABORT, 'audit keys are never changed'); END;
CREATE TRIGGER audit_key_no_delete BEFORE DELETE ON audit_key
BEGIN SELECT RAISE(ABORT, 'audit keys are never removed'); END;
CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry
BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;
CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry
BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;
CREATE TRIGGER audit_node_no_update BEFORE UPDATE ON audit_node
BEGIN SELECT RAISE(ABORT, 'the audit tree is append-only'); END;
CREATE TRIGGER audit_node_no_delete BEFORE DELETE ON audit_node
BEGIN SELECT RAISE(ABORT, 'the audit tree is append-only'); END;
CREATE TRIGGER audit_tree_head_no_update BEFORE UPDATE ON audit_tree_head
BEGIN SELECT RAISE(ABORT, 'signed tree heads are append-only'); END;
CREATE TRIGGER audit_tree_head_no_delete BEFORE DELETE ON audit_tree_head
BEGIN SELECT RAISE(ABORT, 'signed tree heads are append-only'); END;
CREATE TRIGGER licence_status_change_no_update BEFORE UPDATE ON licence_status_change
BEGIN SELECT RAISE(ABORT, 'licence status changes are never edited'); END;
CREATE TRIGGER licence_status_change_no_delete BEFORE DELETE ON licence_status_change
BEGIN SELECT RAISE(ABORT, 'licence status changes are never removed'); END;
