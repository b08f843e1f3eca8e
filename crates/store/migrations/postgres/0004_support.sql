-- Psychosocial support: cases, encrypted notes, a directory of outside services, referrals.
-- Notes and override reasons are stored only as ciphertext (`key_id:base64(nonce||ct)`); the key
-- lives outside the database. Keep in step with the other backend's tree.

CREATE TABLE support_services (
    id TEXT PRIMARY KEY,
    region TEXT NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    phone TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT '',
    created_by TEXT REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX support_services_region ON support_services (region, kind);

CREATE TABLE support_cases (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES people(id),
    lab_id TEXT NOT NULL REFERENCES labs(id),
    case_worker_id TEXT NOT NULL REFERENCES users(id),
    reason TEXT NOT NULL,
    urgency TEXT NOT NULL,
    status TEXT NOT NULL,
    next_contact_on TEXT,
    shared_with_coordinator BIGINT NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    closed_at TEXT
);
CREATE INDEX support_cases_worker ON support_cases (case_worker_id);
CREATE INDEX support_cases_person ON support_cases (person_id);

CREATE TABLE case_notes (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES support_cases(id),
    author_id TEXT NOT NULL REFERENCES users(id),
    ciphertext TEXT NOT NULL,
    key_id TEXT NOT NULL,
    shared_with_resident BIGINT NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);
CREATE INDEX case_notes_case ON case_notes (case_id);

CREATE TABLE referrals (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES support_cases(id),
    service_id TEXT NOT NULL REFERENCES support_services(id),
    consent_recorded BIGINT NOT NULL DEFAULT 0,
    override_reason TEXT,
    key_id TEXT,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX referrals_case ON referrals (case_id);
