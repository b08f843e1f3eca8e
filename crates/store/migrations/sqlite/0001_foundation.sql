-- The foundation: labs, partners, people, consent, residency, accounts, sessions, audit.
-- Keep in step with ../postgres/0001_foundation.sql (a test compares the two migrated schemas).
-- Ids are UUID text; timestamps are UTC RFC 3339 text and dates ISO text on both backends.

CREATE TABLE labs (
    id TEXT PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name_ky TEXT NOT NULL,
    name_ru TEXT NOT NULL,
    name_en TEXT NOT NULL,
    region TEXT NOT NULL,
    locality TEXT NOT NULL,
    address TEXT NOT NULL DEFAULT '',
    latitude REAL,
    longitude REAL,
    hours TEXT NOT NULL DEFAULT '',
    host_org_id TEXT,
    opened_on TEXT,
    accepting_applications INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);

CREATE TABLE organisations (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    website TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);

CREATE TABLE lab_partners (
    lab_id TEXT NOT NULL REFERENCES labs(id),
    org_id TEXT NOT NULL REFERENCES organisations(id),
    role TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (lab_id, org_id, role)
);

CREATE TABLE people (
    id TEXT PRIMARY KEY,
    lab_id TEXT NOT NULL REFERENCES labs(id),
    family_name TEXT NOT NULL,
    given_name TEXT NOT NULL,
    patronymic TEXT NOT NULL DEFAULT '',
    name_latin TEXT NOT NULL,
    search_key TEXT NOT NULL,
    phone TEXT,
    email TEXT,
    birth_year INTEGER,
    gender TEXT NOT NULL,
    region TEXT NOT NULL DEFAULT '',
    district TEXT NOT NULL DEFAULT '',
    locality TEXT NOT NULL DEFAULT '',
    settlement TEXT,
    languages TEXT NOT NULL DEFAULT '',
    occupation TEXT,
    family_support TEXT NOT NULL DEFAULT 'unknown',
    skills TEXT NOT NULL DEFAULT '',
    aims TEXT NOT NULL DEFAULT '',
    monthly_income INTEGER,
    created_by TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX people_lab ON people (lab_id);
CREATE INDEX people_phone ON people (phone);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    login TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    is_admin INTEGER NOT NULL DEFAULT 0,
    person_id TEXT UNIQUE REFERENCES people(id),
    active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    password_changed_at TEXT NOT NULL
);

CREATE TABLE user_lab_roles (
    user_id TEXT NOT NULL REFERENCES users(id),
    lab_id TEXT NOT NULL REFERENCES labs(id),
    role TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (user_id, lab_id, role)
);

CREATE TABLE consents (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES people(id),
    version TEXT NOT NULL,
    legal_basis TEXT NOT NULL,
    language TEXT NOT NULL,
    given_on TEXT NOT NULL,
    recorded_by TEXT REFERENCES users(id),
    created_at TEXT NOT NULL,
    withdrawn_at TEXT,
    withdrawn_by TEXT REFERENCES users(id)
);
CREATE INDEX consents_person ON consents (person_id);

CREATE TABLE cohorts (
    id TEXT PRIMARY KEY,
    lab_id TEXT NOT NULL REFERENCES labs(id),
    name TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (lab_id, name)
);

CREATE TABLE residencies (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES people(id),
    lab_id TEXT NOT NULL REFERENCES labs(id),
    cohort_id TEXT REFERENCES cohorts(id),
    status TEXT NOT NULL,
    motivation TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX residencies_lab ON residencies (lab_id, status);
CREATE UNIQUE INDEX residencies_one_open ON residencies (person_id, lab_id)
    WHERE status IN ('applied', 'accepted', 'active');

CREATE TABLE residency_transitions (
    id TEXT PRIMARY KEY,
    residency_id TEXT NOT NULL REFERENCES residencies(id),
    from_status TEXT,
    to_status TEXT NOT NULL,
    at TEXT NOT NULL,
    by_user TEXT REFERENCES users(id),
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX residency_transitions_residency ON residency_transitions (residency_id);

CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at TEXT
);

CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    data TEXT NOT NULL,
    expires_at INTEGER NOT NULL
);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor_id TEXT,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT,
    lab_id TEXT,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
