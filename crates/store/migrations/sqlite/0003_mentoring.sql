-- Mentoring: mentor profiles, residents' wishes, matches (accepted proposals), mentoring sessions.
-- Keep in step with the other backend's tree (a test compares the two migrated schemas).

-- A mentor's offer; the labs she serves are her mentor grants (user_lab_roles).
CREATE TABLE mentor_profiles (
    user_id TEXT PRIMARY KEY REFERENCES users(id),
    expertise TEXT NOT NULL DEFAULT '',
    languages TEXT NOT NULL DEFAULT '',
    capacity INTEGER NOT NULL DEFAULT 0,
    availability TEXT NOT NULL DEFAULT '',
    in_person INTEGER NOT NULL DEFAULT 1,
    remote INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL
);

-- What a resident asks for: a preferred mentor, whether remote suits her, what she wants to learn.
CREATE TABLE mentoring_wishes (
    person_id TEXT PRIMARY KEY REFERENCES people(id),
    preferred_mentor_id TEXT REFERENCES users(id),
    remote_ok INTEGER NOT NULL DEFAULT 0,
    skills TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL
);

CREATE TABLE mentoring_matches (
    id TEXT PRIMARY KEY,
    lab_id TEXT NOT NULL REFERENCES labs(id),
    person_id TEXT NOT NULL REFERENCES people(id),
    mentor_id TEXT NOT NULL REFERENCES users(id),
    status TEXT NOT NULL,
    score INTEGER NOT NULL,
    explanation TEXT NOT NULL DEFAULT '',
    created_by TEXT,
    created_at TEXT NOT NULL,
    ended_at TEXT
);
CREATE INDEX mentoring_matches_lab ON mentoring_matches (lab_id, status);
CREATE INDEX mentoring_matches_mentor ON mentoring_matches (mentor_id, status);
-- One active mentor per resident.
CREATE UNIQUE INDEX mentoring_matches_one_active ON mentoring_matches (person_id) WHERE status = 'active';

CREATE TABLE mentoring_sessions (
    id TEXT PRIMARY KEY,
    match_id TEXT NOT NULL REFERENCES mentoring_matches(id),
    held_on TEXT NOT NULL,
    minutes INTEGER NOT NULL,
    topic TEXT NOT NULL,
    goals_set TEXT NOT NULL DEFAULT '',
    goals_reached TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    rating INTEGER,
    created_by TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX mentoring_sessions_match ON mentoring_sessions (match_id, held_on);
