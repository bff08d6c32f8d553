-- Foundation: reference data and the licence register.

-- Which version of each reference table is loaded (SHA-256 of its file).
CREATE TABLE refdata_version (
    name TEXT PRIMARY KEY,
    sha256 TEXT NOT NULL,
    rows INTEGER NOT NULL,
    loaded_at TEXT NOT NULL
);

-- Licensing destinations: ISO 3166 alpha-2 plus UK-specific codes.
CREATE TABLE destination (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    report_name TEXT NOT NULL, -- the name used in official statistics
    iso3 TEXT,
    region TEXT,
    kind TEXT NOT NULL
);

-- Every name or code a destination is known by, folded for lookup.
CREATE TABLE destination_alias (
    alias_key TEXT PRIMARY KEY,
    alias TEXT NOT NULL,
    code TEXT NOT NULL REFERENCES destination(code)
);

CREATE TABLE embargo (
    id INTEGER PRIMARY KEY,
    destination TEXT NOT NULL REFERENCES destination(code),
    source TEXT NOT NULL CHECK (source IN ('UN', 'UK', 'EU', 'OSCE')),
    scope TEXT NOT NULL CHECK (scope IN ('full', 'partial')),
    description TEXT NOT NULL,
    since TEXT,
    authority TEXT,
    UNIQUE (destination, source)
);

CREATE TABLE criteria_version (
    id TEXT PRIMARY KEY,
    instrument TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_to TEXT,
    title TEXT NOT NULL
);

CREATE TABLE criterion (
    version TEXT NOT NULL REFERENCES criteria_version(id),
    id TEXT NOT NULL,
    parent TEXT,
    title TEXT NOT NULL,
    test TEXT NOT NULL,
    PRIMARY KEY (version, id)
);

-- The control list as a tree.
CREATE TABLE control_entry (
    id INTEGER PRIMARY KEY,
    rating TEXT NOT NULL UNIQUE,     -- display form: ML10.a, 5A002.a.1
    rating_key TEXT NOT NULL UNIQUE, -- lookup form: ML10A, 5A002A1
    parent TEXT,                     -- the parent's rating
    kind TEXT NOT NULL,              -- military, dual-use, national-military, ...
    title TEXT NOT NULL,
    regimes TEXT NOT NULL DEFAULT '', -- ';'-separated
    keywords TEXT NOT NULL DEFAULT ''
);

CREATE VIRTUAL TABLE control_fts USING fts5(
    rating, title, keywords,
    content = 'control_entry', content_rowid = 'id',
    tokenize = 'porter unicode61'
);

-- One import of a register file.
CREATE TABLE import_batch (
    id INTEGER PRIMARY KEY,
    format TEXT NOT NULL,
    file_name TEXT NOT NULL,
    sha256 TEXT NOT NULL UNIQUE,
    rows INTEGER NOT NULL,
    licences INTEGER NOT NULL,
    imported_at TEXT NOT NULL
);

-- A licence (or refused application) in the register.
CREATE TABLE licence (
    id INTEGER PRIMARY KEY,
    reference TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL,
    issued_on TEXT NOT NULL,          -- date of the decision, YYYY-MM-DD
    expires_on TEXT,
    destination TEXT REFERENCES destination(code),
    destination_name TEXT,            -- as written in the source, when it is not a known name
    end_user TEXT,
    end_user_type TEXT,
    end_use TEXT,
    outcome TEXT NOT NULL,            -- issued, refused, revoked, nlr
    status TEXT NOT NULL,             -- issued, suspended, reinstated, revoked, ...
    tags TEXT NOT NULL DEFAULT '',
    batch_id INTEGER REFERENCES import_batch(id)
);
CREATE INDEX licence_by_destination ON licence(destination, issued_on);

CREATE TABLE licence_line (
    licence_id INTEGER NOT NULL REFERENCES licence(id),
    line_no INTEGER NOT NULL,
    rating TEXT NOT NULL,
    known_rating INTEGER NOT NULL DEFAULT 1, -- 0 when the rating is not in the control list
    goods_summary TEXT,
    quantity INTEGER,
    value_pence INTEGER,                     -- NULL when the source gives no value
    published_count INTEGER,                 -- CAAT 'count': licences the published row stands for
    PRIMARY KEY (licence_id, line_no)
) WITHOUT ROWID;
CREATE INDEX licence_line_by_rating ON licence_line(rating);

-- Criteria cited on refusals and revocations.
CREATE TABLE licence_criterion (
    licence_id INTEGER NOT NULL REFERENCES licence(id),
    criterion TEXT NOT NULL,
    PRIMARY KEY (licence_id, criterion)
) WITHOUT ROWID;
