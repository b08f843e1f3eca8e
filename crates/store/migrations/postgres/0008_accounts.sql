-- One-time links that open an account: invitations (a new account, its role and lab set by the
-- one who invited) and password resets (an existing account). Only a hash of the token is kept.
CREATE TABLE account_links (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    user_id TEXT REFERENCES users(id),
    login TEXT,
    display_name TEXT NOT NULL DEFAULT '',
    role TEXT,
    lab_id TEXT REFERENCES labs(id),
    person_id TEXT REFERENCES people(id),
    created_by TEXT REFERENCES users(id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT,
    revoked_at TEXT
);
CREATE INDEX account_links_lab ON account_links (lab_id, kind);
CREATE INDEX account_links_person ON account_links (person_id);

-- One row rewritten by the health check: a database that cannot write is not healthy.
CREATE TABLE health_probe (
    id BIGINT PRIMARY KEY,
    at TEXT NOT NULL
);

-- A running job is leased to the worker that claimed it: another server starting meanwhile does
-- not take it back; a job whose lease ran out (its worker died) goes back to the queue.
ALTER TABLE jobs ADD COLUMN lease_until TEXT;
