-- Which makers take part in a fair (an event of kind fair): she says so from her showcase, or a
-- coordinator of her lab for her; the fair's page lists them, her card in the catalogue names
-- her next fairs.
-- Keep in step with the other backend's 0025_fair_makers.sql (a test compares the schemas).
CREATE TABLE fair_makers (
    event_id TEXT NOT NULL REFERENCES events(id),
    person_id TEXT NOT NULL REFERENCES maker_profiles(person_id),
    added_by TEXT REFERENCES users(id),
    added_at TEXT NOT NULL,
    PRIMARY KEY (event_id, person_id)
);
CREATE INDEX fair_makers_person ON fair_makers (person_id);
