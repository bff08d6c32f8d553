-- Sanctions and denied-party lists. Each import is a version of a list; an
-- entity is stored once per distinct content (digest) and shared by every
-- version that contains it (list_member), so a daily update of a list
-- writes only the entities that changed.

CREATE TABLE list_version (
    id INTEGER PRIMARY KEY,
    list TEXT NOT NULL,             -- ofac-sdn, un, us-csl, ...
    seq INTEGER NOT NULL,           -- 1, 2, ... within the list
    format TEXT NOT NULL,           -- ofac-csv, un-xml, csl-csv, bis-dpl, ftm-json
    origin TEXT NOT NULL CHECK (origin IN ('import', 'update')),
    sha256 TEXT NOT NULL,           -- over the files' SHA-256s, sorted (see docs/lists.md)
    imported_at TEXT NOT NULL,      -- UTC, ISO 8601
    entities INTEGER NOT NULL,
    names INTEGER NOT NULL,
    skipped INTEGER NOT NULL DEFAULT 0, -- malformed records left out on request
    UNIQUE (list, sha256),
    UNIQUE (list, seq)
);

CREATE TABLE list_version_file (
    version_id INTEGER NOT NULL REFERENCES list_version(id),
    seq INTEGER NOT NULL,
    name TEXT NOT NULL,             -- the file as given, or the URL it came from
    sha256 TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    PRIMARY KEY (version_id, seq)
);

CREATE TABLE list_entity (
    id INTEGER PRIMARY KEY,
    list TEXT NOT NULL,
    entity_id TEXT NOT NULL,        -- the list's own identifier: OFAC ent_num, UN reference number...
    digest TEXT NOT NULL,           -- SHA-256 over every field below and the names and attributes
    -- Comparisons rather than IN (...): an IN list in a CHECK costs a temporary
    -- table on every insert.
    type TEXT NOT NULL CHECK (type = 'person' OR type = 'entity' OR type = 'vessel' OR
                              type = 'aircraft' OR type = 'unknown'),
    alt_id TEXT,                    -- a second identifier (UN DATAID)
    source TEXT,                    -- sub-list of a consolidated list
    remarks TEXT,
    UNIQUE (list, entity_id, digest)
);

CREATE TABLE list_name (
    entity INTEGER NOT NULL REFERENCES list_entity(id),
    seq INTEGER NOT NULL,           -- 0 is the primary name
    text TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind = 'primary' OR kind = 'alias' OR kind = 'original'),
    quality TEXT NOT NULL CHECK (quality = 'strong' OR quality = 'weak' OR quality = ''),
    PRIMARY KEY (entity, seq)
) WITHOUT ROWID; -- stored in key order: an entity's names are read together

-- Dates of birth (dob: YYYY, YYYY-MM or YYYY-MM-DD), countries (ISO alpha-2
-- where resolved, with the text as written in raw), programmes, addresses
-- and other facts (title, gender, place_of_birth, ...).
CREATE TABLE list_attr (
    entity INTEGER NOT NULL REFERENCES list_entity(id),
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    raw TEXT,
    PRIMARY KEY (entity, seq)
) WITHOUT ROWID;

CREATE TABLE list_member (
    version_id INTEGER NOT NULL REFERENCES list_version(id),
    entity INTEGER NOT NULL REFERENCES list_entity(id),
    PRIMARY KEY (version_id, entity)
) WITHOUT ROWID;
