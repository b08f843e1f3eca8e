-- Impact and learning: what happened to a woman after the lab, and the targets indicators are
-- measured against. Indicators themselves are computed from the records, never stored.

CREATE TABLE outcomes (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES people(id),
    lab_id TEXT NOT NULL REFERENCES labs(id),
    kind TEXT NOT NULL,
    occurred_on TEXT NOT NULL,
    amount INTEGER,
    source TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    recorded_by TEXT REFERENCES users(id),
    verified_by TEXT REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX outcomes_lab ON outcomes (lab_id, occurred_on);
CREATE INDEX outcomes_person ON outcomes (person_id, occurred_on);

CREATE TABLE indicator_targets (
    id TEXT PRIMARY KEY,
    lab_id TEXT REFERENCES labs(id),
    indicator TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    target INTEGER NOT NULL,
    created_by TEXT REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX indicator_targets_lab ON indicator_targets (lab_id, starts_on);
