-- The curated data as the dashboard that loaded it had validated it: its events, sites,
-- sources and excerpts frames (Arrow IPC streams), so every dashboard on the database shows
-- the same articles' excerpts and citations, whatever its own data folder holds. Written in
-- the same transaction as the curated rows and their version (meta.bundle_version).

CREATE TABLE curated_frames (
    name text PRIMARY KEY,
    frame bytea NOT NULL
);
