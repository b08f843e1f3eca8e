-- Training sessions can be cancelled: kept on the schedule, marked, and left out of completion.
-- Further private links to a registration's ticket: the first link's token is kept only as a
-- hash, so a message written later (a seat from the waiting list, a moved event) carries a new
-- link of its own, and every link she was sent keeps working.
-- Keep in step with the other backend's tree (a test compares the two migrated schemas).

ALTER TABLE training_sessions ADD COLUMN cancelled_at TEXT;

CREATE TABLE ticket_links (
    token_hash TEXT PRIMARY KEY,
    registration_id TEXT NOT NULL REFERENCES registrations(id),
    created_at TEXT NOT NULL
);
CREATE INDEX ticket_links_registration ON ticket_links (registration_id);
