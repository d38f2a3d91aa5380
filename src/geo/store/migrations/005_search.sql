-- The text search as a trigram index can answer it: the filter is `search_text LIKE
-- '%...%'` (geo.store.sql), which a GIN index of trigrams narrows to the rows holding every
-- trigram of the searched text, instead of reading every event's text.

CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX events_search ON events USING gin (search_text gin_trgm_ops);
