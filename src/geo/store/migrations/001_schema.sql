-- The atlas's tables on PostgreSQL with PostGIS: the same columns as the embedded store,
-- plus a point geometry (kept from latitude and longitude by the database itself) with a
-- GiST index, and indexes on what the filters and the map's aggregation read.

CREATE EXTENSION IF NOT EXISTS postgis;

CREATE TABLE events (
    event_id text PRIMARY KEY,
    event_date text,
    date_end text,
    time_precision text,
    category text,
    event_type text,
    sub_event_type text,
    title text,
    actor1 text,
    assoc_actor_1 text,
    country text,
    iso text,
    admin1 text,
    location text,
    latitude double precision,
    longitude double precision,
    geo_precision text,
    participants text,
    arrests text,
    fatalities text,
    confidence text,
    site_id text,
    source_id text,
    excerpt_ids text,
    tags text,
    notes text,
    start date,
    stop date,
    line bigint,
    region text,
    search_text text,
    origin text,
    updated bigint,
    geo_precision_code bigint,
    time_precision_code bigint,
    actor2 text,
    admin2 text,
    source_name text,
    h3_3 bigint,
    h3_4 bigint,
    h3_5 bigint,
    h3_6 bigint,
    h3_7 bigint,
    row_no bigint NOT NULL,
    geom geometry(Point, 4326)
        GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(longitude, latitude), 4326)) STORED
);
CREATE UNIQUE INDEX events_row_no ON events (row_no);
CREATE INDEX events_geom ON events USING gist (geom);
CREATE INDEX events_dates ON events (start, stop);
CREATE INDEX events_category ON events (category);
CREATE INDEX events_iso ON events (iso);
CREATE INDEX events_region ON events (region);
CREATE INDEX events_origin ON events (origin);
CREATE INDEX events_h3_3 ON events (h3_3);
CREATE INDEX events_h3_4 ON events (h3_4);
CREATE INDEX events_h3_5 ON events (h3_5);
CREATE INDEX events_h3_6 ON events (h3_6);
CREATE INDEX events_h3_7 ON events (h3_7);

CREATE TABLE sites (
    site_id text,
    category text,
    site_type text,
    name text,
    country text,
    iso text,
    admin1 text,
    location text,
    latitude double precision,
    longitude double precision,
    geo_precision text,
    date_open text,
    open_precision text,
    date_close text,
    close_precision text,
    dates_basis text,
    actor1 text,
    confidence text,
    source_id text,
    excerpt_ids text,
    notes text,
    start date,
    stop date,
    line bigint,
    region text,
    search_text text,
    geometry_wkt text,
    amount double precision,
    currency_year text,
    sector text,
    status text,
    funder text,
    flags text,
    provenance text,
    licence text,
    origin text,
    row_no bigint NOT NULL
);
CREATE INDEX sites_site_id ON sites (site_id);
CREATE INDEX sites_row_no ON sites (row_no);

-- Imported rows are numbered after every possible bundle row (geo.store.base.IMPORT_ROW_BASE),
-- in the order their files list them.
CREATE SEQUENCE event_row_no START 4294967296;
CREATE SEQUENCE site_row_no START 4294967296;

CREATE TABLE imports (
    file text PRIMARY KEY,
    kind text,
    provenance text,
    licence text,
    rows bigint,
    imported text
);

CREATE TABLE meta (
    key text PRIMARY KEY,
    value text
);
INSERT INTO meta VALUES ('version', 'empty');
