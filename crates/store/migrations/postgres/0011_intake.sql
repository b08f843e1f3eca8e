-- Intake: why an application was declined and how she was told (kept when a coordinator reopens
-- it), and a second application from the same woman, shown to the coordinator instead of to
-- whoever typed her phone number on the public form.
-- Keep in step with the other backend's 0011_intake.sql (a test compares the migrated schemas).

CREATE TABLE residency_declines (
    id TEXT PRIMARY KEY,
    residency_id TEXT NOT NULL REFERENCES residencies(id),
    reason TEXT NOT NULL,
    -- email (a message was queued), in-person (the coordinator told her), not-yet
    told TEXT NOT NULL,
    reason_shared BIGINT NOT NULL DEFAULT 0,
    by_user TEXT REFERENCES users(id),
    at TEXT NOT NULL,
    reopened_at TEXT,
    reopened_by TEXT REFERENCES users(id)
);
CREATE INDEX residency_declines_residency ON residency_declines (residency_id);

CREATE TABLE application_repeats (
    id TEXT PRIMARY KEY,
    residency_id TEXT NOT NULL REFERENCES residencies(id),
    motivation TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE INDEX application_repeats_residency ON application_repeats (residency_id);
