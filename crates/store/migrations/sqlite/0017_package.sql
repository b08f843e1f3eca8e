-- The package: versions of packages in the network library (the document as exported), what
-- each lab imported (which package and version, when), and per imported item the hash of what
-- was imported, so a later import sees whether the lab edited it since. Templates and texts
-- only: never a person. A lab's district, asked by the new-lab wizard.
-- Keep in step with the other backend's 0017_package.sql (a test compares the migrated schemas).

CREATE TABLE package_versions (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    version TEXT NOT NULL,
    source_lab_id TEXT REFERENCES labs(id),
    sha256 TEXT NOT NULL,
    document TEXT NOT NULL,
    created_by TEXT REFERENCES users(id),
    created_at TEXT NOT NULL,
    UNIQUE (name, version)
);

CREATE TABLE package_imports (
    id TEXT PRIMARY KEY,
    lab_id TEXT NOT NULL REFERENCES labs(id),
    name TEXT NOT NULL,
    version TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    created INTEGER NOT NULL,
    changed INTEGER NOT NULL,
    unchanged INTEGER NOT NULL,
    kept INTEGER NOT NULL,
    by_user TEXT REFERENCES users(id),
    at TEXT NOT NULL
);
CREATE INDEX package_imports_lab ON package_imports (lab_id, at);

-- entity_id: the lab's record made from the item (a programme, instrument, call or target);
-- NULL for a text kept here only (consent and certificate texts, the module library).
CREATE TABLE package_items (
    lab_id TEXT NOT NULL REFERENCES labs(id),
    part TEXT NOT NULL,
    code TEXT NOT NULL,
    entity_id TEXT,
    imported_hash TEXT NOT NULL,
    content TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL,
    PRIMARY KEY (lab_id, part, code)
);

ALTER TABLE labs ADD COLUMN district TEXT NOT NULL DEFAULT '';
