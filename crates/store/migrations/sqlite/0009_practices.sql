-- Positive deviance, its second half: what a woman whose outcome is far better than expected does
-- differently, as a coordinator of her lab noted it, so that the labs can spread what works. One
-- note per woman (saved again, it replaces the last); the list across labs shows the lab and the
-- practice, never her name.

CREATE TABLE practices (
    person_id TEXT PRIMARY KEY REFERENCES people(id),
    lab_id TEXT NOT NULL REFERENCES labs(id),
    practice TEXT NOT NULL,
    found TEXT NOT NULL DEFAULT '',
    teachable TEXT NOT NULL,
    recorded_by TEXT REFERENCES users(id),
    updated_at TEXT NOT NULL
);
CREATE INDEX practices_lab ON practices (lab_id, updated_at);
