-- People search served by an index (issue 14): trigrams of each woman's search key (the
-- forgiving key of domain::names::search_key), so that `search_key LIKE '%word%'` is looked up,
-- not scanned for over the whole network. pg_trgm is a trusted extension: the database's owner
-- may create it.
-- The other backend indexes the same key with FTS5's trigram tokenizer (0028_people_search.sql).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX people_search_key_trgm ON people USING gin (search_key gin_trgm_ops);
