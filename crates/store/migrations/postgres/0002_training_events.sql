-- Training (programmes, modules, sessions, enrolment, attendance, certificates), open events
-- (registrations with a waiting list, tickets, check-in), network members, and outgoing messages.
-- Keep in step with the other backend's tree (a test compares the two migrated schemas).

CREATE TABLE programmes (
    id TEXT PRIMARY KEY,
    lab_id TEXT NOT NULL REFERENCES labs(id),
    cohort_id TEXT REFERENCES cohorts(id),
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    min_attendance_pct BIGINT NOT NULL DEFAULT 80,
    final_module_required BIGINT NOT NULL DEFAULT 1,
    created_by TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX programmes_lab ON programmes (lab_id);

CREATE TABLE programme_modules (
    id TEXT PRIMARY KEY,
    programme_id TEXT NOT NULL REFERENCES programmes(id),
    position BIGINT NOT NULL,
    topic TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    is_final BIGINT NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);
CREATE INDEX programme_modules_programme ON programme_modules (programme_id);

CREATE TABLE training_sessions (
    id TEXT PRIMARY KEY,
    programme_id TEXT NOT NULL REFERENCES programmes(id),
    module_id TEXT NOT NULL REFERENCES programme_modules(id),
    lab_id TEXT NOT NULL REFERENCES labs(id),
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    room TEXT NOT NULL DEFAULT '',
    trainer TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE INDEX training_sessions_lab_time ON training_sessions (lab_id, starts_at);
CREATE INDEX training_sessions_programme ON training_sessions (programme_id);

CREATE TABLE enrolments (
    programme_id TEXT NOT NULL REFERENCES programmes(id),
    person_id TEXT NOT NULL REFERENCES people(id),
    enrolled_by TEXT,
    enrolled_at TEXT NOT NULL,
    PRIMARY KEY (programme_id, person_id)
);
CREATE INDEX enrolments_person ON enrolments (person_id);

CREATE TABLE attendance (
    session_id TEXT NOT NULL REFERENCES training_sessions(id),
    person_id TEXT NOT NULL REFERENCES people(id),
    status TEXT NOT NULL,
    recorded_by TEXT,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (session_id, person_id)
);
CREATE INDEX attendance_person ON attendance (person_id);

-- Open Badges assertions; the certificate PDF is drawn from the same row.
CREATE TABLE assertions (
    id TEXT PRIMARY KEY,
    programme_id TEXT NOT NULL REFERENCES programmes(id),
    person_id TEXT NOT NULL REFERENCES people(id),
    recipient_type TEXT NOT NULL,
    recipient_hash TEXT NOT NULL,
    salt TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    revoked_at TEXT,
    revoked_reason TEXT,
    UNIQUE (programme_id, person_id)
);
CREATE INDEX assertions_person ON assertions (person_id);

CREATE TABLE events (
    id TEXT PRIMARY KEY,
    lab_id TEXT NOT NULL REFERENCES labs(id),
    scope TEXT NOT NULL,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    place TEXT NOT NULL DEFAULT '',
    language TEXT NOT NULL,
    capacity BIGINT NOT NULL,
    published BIGINT NOT NULL DEFAULT 0,
    cancelled BIGINT NOT NULL DEFAULT 0,
    sequence BIGINT NOT NULL DEFAULT 0,
    created_by TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX events_lab_time ON events (lab_id, starts_at);
CREATE INDEX events_time ON events (starts_at);

-- Network members: people who came to a lab's events; ambassadors bring others.
CREATE TABLE network_members (
    id TEXT PRIMARY KEY,
    lab_id TEXT NOT NULL REFERENCES labs(id),
    person_id TEXT NOT NULL REFERENCES people(id),
    ambassador BIGINT NOT NULL DEFAULT 0,
    referral_code TEXT UNIQUE,
    referred_by TEXT REFERENCES network_members(id),
    joined_at TEXT NOT NULL,
    UNIQUE (lab_id, person_id)
);

CREATE TABLE registrations (
    id TEXT PRIMARY KEY,
    event_id TEXT NOT NULL REFERENCES events(id),
    name TEXT NOT NULL,
    phone TEXT NOT NULL,
    email TEXT,
    gender TEXT NOT NULL,
    status TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    ticket_code TEXT NOT NULL,
    walk_in BIGINT NOT NULL DEFAULT 0,
    referred_by TEXT REFERENCES network_members(id),
    person_id TEXT REFERENCES people(id),
    language TEXT NOT NULL,
    checked_in_at TEXT,
    checked_in_by TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (event_id, ticket_code)
);
CREATE INDEX registrations_event ON registrations (event_id, status, created_at);
-- One live registration per phone and event: a double tap on a slow link does not take two seats.
CREATE UNIQUE INDEX registrations_one_per_phone ON registrations (event_id, phone) WHERE status <> 'cancelled';

-- Outgoing messages, sent by a worker with retries; a failed send never loses what caused it.
CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    run_at TEXT NOT NULL,
    last_error TEXT NOT NULL DEFAULT '',
    dedupe_key TEXT UNIQUE,
    created_at TEXT NOT NULL,
    done_at TEXT
);
CREATE INDEX jobs_due ON jobs (status, run_at);
