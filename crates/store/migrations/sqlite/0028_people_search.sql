-- People search served by an index (issue 14): every three letters of each woman's search key
-- (the forgiving key of domain::names::search_key), so that a word of the query found anywhere in
-- her names is looked up, not scanned for over the whole network. Kept by triggers; a copy of the
-- key with her id (no name in any other form). Not a table of the network's data: `wcl db copy`
-- and backups leave it out, and the target's triggers build it again.
-- The other backend indexes the same key with pg_trgm (0028_people_search.sql).
CREATE VIRTUAL TABLE people_search USING fts5(person_id UNINDEXED, search_key, tokenize = 'trigram');
INSERT INTO people_search (person_id, search_key) SELECT id, search_key FROM people;

CREATE TRIGGER people_search_insert AFTER INSERT ON people
BEGIN
    INSERT INTO people_search (person_id, search_key) VALUES (new.id, new.search_key);
END;

CREATE TRIGGER people_search_update AFTER UPDATE OF search_key ON people
WHEN old.search_key IS NOT new.search_key
BEGIN
    DELETE FROM people_search WHERE person_id = old.id;
    INSERT INTO people_search (person_id, search_key) VALUES (new.id, new.search_key);
END;

CREATE TRIGGER people_search_delete AFTER DELETE ON people
BEGIN
    DELETE FROM people_search WHERE person_id = old.id;
END;
