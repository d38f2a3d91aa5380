-- Rollups: the events counted by month, country, category and region, so the counts a page
-- shows at a million events read a few thousand rows instead of every event.
--
-- The view's dates are whole months, so an event's month of start and month of stop decide
-- whether it is in a view: each rollup keeps them in columns named `start` and `stop` (the
-- first day of the month), and the very WHERE clauses written for the events table
-- (geo.store.sql) mean the same on a rollup, with `sum(events)` for `count(*)`.
--
-- - event_cube: events per (start, stop, iso, category, region);
-- - actor_cube: the same, per actor name (each event counted once per distinct name, the
--   names split as geo.store.sql.ACTOR_LIST splits them);
-- - cell_cube: the same, per H3 cell at the coarse resolutions 3, 4 and 5, with the extent
--   of the cell's events there (south, north, west, east), so a map box can be answered
--   exactly: a cell whose events all lie inside the box is counted here, one whose extent
--   crosses the box's edge is counted from the events themselves.
--
-- The database keeps them: a statement-level trigger on events adds each statement's
-- inserted rows and subtracts its deleted ones (an update is both), in the writer's own
-- transaction. A reader therefore sees rollups and events from the same commit. Extents only
-- grow (a delete leaves them as they were), so they stay a box around the cell's events.

CREATE TABLE event_cube (
    start date,
    stop date,
    iso text,
    category text,
    region text,
    events bigint NOT NULL,
    UNIQUE NULLS NOT DISTINCT (start, stop, iso, category, region)
);

CREATE TABLE actor_cube (
    start date,
    stop date,
    iso text,
    category text,
    region text,
    name text NOT NULL,
    events bigint NOT NULL,
    UNIQUE NULLS NOT DISTINCT (name, start, stop, iso, category, region)
);

CREATE TABLE cell_cube (
    resolution smallint NOT NULL,
    cell bigint,
    start date,
    stop date,
    iso text,
    category text,
    region text,
    events bigint NOT NULL,
    south double precision,
    north double precision,
    west double precision,
    east double precision,
    UNIQUE NULLS NOT DISTINCT (resolution, start, stop, cell, iso, category, region)
);
CREATE INDEX event_cube_spent ON event_cube (events) WHERE events = 0;
CREATE INDEX actor_cube_spent ON actor_cube (events) WHERE events = 0;
CREATE INDEX cell_cube_spent ON cell_cube (events) WHERE events = 0;

-- The statements that fold a change into the rollups. `delta` is any query giving event rows
-- with a `sign` column (+1 for a row added, -1 for a row removed).
CREATE FUNCTION rollup_sql(delta text) RETURNS text LANGUAGE sql IMMUTABLE AS $f$
SELECT format($q$
WITH delta AS (%1$s),
  keyed AS (
    SELECT date_trunc('month', start)::date AS start, date_trunc('month', stop)::date AS stop,
      iso, category, region, latitude, longitude, actor1, assoc_actor_1, h3_3, h3_4, h3_5, sign
    FROM delta),
  events_in AS (
    INSERT INTO event_cube AS c (start, stop, iso, category, region, events)
    SELECT start, stop, iso, category, region, sum(sign) FROM keyed GROUP BY 1, 2, 3, 4, 5
    ON CONFLICT (start, stop, iso, category, region)
    DO UPDATE SET events = c.events + EXCLUDED.events),
  actors_in AS (
    INSERT INTO actor_cube AS c (start, stop, iso, category, region, name, events)
    SELECT start, stop, iso, category, region, name, sum(sign)
    FROM keyed CROSS JOIN LATERAL (
      SELECT DISTINCT listed.name FROM unnest(string_to_array(
        ';' || regexp_replace(trim(coalesce(actor1, '') || ';' || coalesce(assoc_actor_1, '')),
                              '\s*;\s*', ';', 'g') || ';', ';')) AS listed(name)
      WHERE listed.name <> '') AS names
    GROUP BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (name, start, stop, iso, category, region)
    DO UPDATE SET events = c.events + EXCLUDED.events),
  cells_in AS (
    INSERT INTO cell_cube AS c
      (resolution, cell, start, stop, iso, category, region, events, south, north, west, east)
    SELECT level.resolution, level.cell, start, stop, iso, category, region, sum(sign),
      min(latitude), max(latitude), min(longitude), max(longitude)
    FROM keyed CROSS JOIN LATERAL (VALUES (3, h3_3), (4, h3_4), (5, h3_5))
      AS level(resolution, cell)
    GROUP BY 1, 2, 3, 4, 5, 6, 7
    ON CONFLICT (resolution, start, stop, cell, iso, category, region)
    DO UPDATE SET events = c.events + EXCLUDED.events,
      south = least(c.south, EXCLUDED.south), north = greatest(c.north, EXCLUDED.north),
      west = least(c.west, EXCLUDED.west), east = greatest(c.east, EXCLUDED.east))
SELECT 1  -- the three inserts above run whether or not this reads them
$q$, delta)
$f$;

CREATE FUNCTION rollup_events() RETURNS trigger LANGUAGE plpgsql AS $f$
BEGIN
    IF TG_OP = 'INSERT' THEN
        EXECUTE rollup_sql('SELECT *, 1 AS sign FROM added');
    ELSIF TG_OP = 'DELETE' THEN
        EXECUTE rollup_sql('SELECT *, -1 AS sign FROM removed');
    ELSE
        EXECUTE rollup_sql(
            'SELECT *, 1 AS sign FROM added UNION ALL SELECT *, -1 AS sign FROM removed');
    END IF;
    IF TG_OP <> 'INSERT' THEN
        DELETE FROM event_cube WHERE events = 0;
        DELETE FROM actor_cube WHERE events = 0;
        DELETE FROM cell_cube WHERE events = 0;
    END IF;
    RETURN NULL;
END
$f$;

CREATE TRIGGER events_rollup_insert AFTER INSERT ON events
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION rollup_events();
CREATE TRIGGER events_rollup_delete AFTER DELETE ON events
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION rollup_events();
CREATE TRIGGER events_rollup_update AFTER UPDATE ON events
    REFERENCING OLD TABLE AS removed NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_events();

-- The events already stored.
DO $f$ BEGIN EXECUTE rollup_sql('SELECT *, 1 AS sign FROM events'); END $f$;
