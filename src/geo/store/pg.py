"""The shared store: PostgreSQL with PostGIS, for a team whose analysts import into one
database and whose deployed dashboards all read it.

The same interface and answers as :class:`~geo.store.duck.DuckStore`: the filters come from
the same builder (:mod:`geo.store.sql`, with psycopg's ``%s`` placeholders) and every value
is a bound parameter. Events carry a ``geometry(Point, 4326)`` the database derives from
latitude and longitude (GiST-indexed, used for the map's box), and the H3 cells as integer
columns, so the map's aggregation is an indexed GROUP BY.

Writes are transactions: an import stages its rows with COPY into a temporary table, then
merges them under a transaction-level advisory lock with ``INSERT ... ON CONFLICT`` on the
event id (a newer ``updated`` replaces, a bundle row never). Two imports at once queue at the
lock and neither loses or duplicates a row; a reader sees the store before an import or after
it, never half of it; an import whose process dies leaves nothing behind.
"""

from __future__ import annotations

import io
import json
import threading
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import asdict
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import psycopg
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from geo import cells
from geo.store import sql
from geo.store.base import (
    BUNDLE_ORIGIN,
    DROP_DUPLICATES_SQL,
    DUPLICATES_FETCH,
    DUPLICATES_SQL,
    STAGED_IDS_SQL,
    SUPERSEDED_SQL,
    Duplicate,
    ImportCounts,
    Staged,
    StoreError,
    StoreNotWritable,
    arrow_type,
    frame_from_ipc,
    frame_to_ipc,
    frames_of,
    to_arrow,
    with_cells,
)
from geo.store.reads import EVENT_TABLE_COLUMNS, SITE_TABLE_COLUMNS, SqlReads
from geo.store.reads import names as _names
from geo.store.urls import describe_url, redact
from geo.store.urls import url_from_settings as url_from_settings
from geo.view import ViewState, month_key

if TYPE_CHECKING:
    from geo.bundle import Bundle

# Every write to the atlas's tables holds this transaction-level advisory lock.
WRITE_LOCK = 0x6765_6F01
MIGRATIONS = "migrations"
VACUUM_AFTER = 10_000
M = sql.PG
# The H3 resolutions cell_cube keeps (migration 004): the map's zooms up to 7.5. Finer cells
# are about as many as events, and a zoomed-in map's box narrows the events read anyway.
CUBE_RESOLUTIONS = (3, 4, 5)
# The curated frames a database keeps beside the curated rows (migration 006).
CURATED_FRAMES = ("events", "sites", "sources", "excerpts")

_PG_TYPES = {
    pa.float64(): "double precision",
    pa.date32(): "date",
    pa.int64(): "bigint",
    pa.string(): "text",
}


def _reason(exc: BaseException, url: str) -> str:
    """The driver's message, first line, with the URL's password and user scrubbed from it
    (even from a URL the driver could not read, whose message quotes the unreadable part)."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return redact(text, url)


def _create_temp(name: str, columns: Sequence[str]) -> str:
    body = ", ".join(f'"{c}" {_PG_TYPES[arrow_type(c)]}' for c in columns)
    return f"CREATE TEMP TABLE {name} ({body}) ON COMMIT DROP"


def _csv(rows: pa.Table) -> bytes:
    """Rows as CSV for COPY: strings always quoted (so "" stays an empty string and an
    unquoted empty field is NULL), NUL characters dropped (PostgreSQL text cannot hold them)."""
    columns = []
    for column in rows.columns:
        if pa.types.is_string(column.type):
            column = pc.replace_substring(column, "\x00", "")
        columns.append(column)
    buffer = io.BytesIO()
    pa_csv.write_csv(
        pa.Table.from_arrays(columns, names=rows.column_names),
        buffer,
        pa_csv.WriteOptions(include_header=False),
    )
    return buffer.getvalue()


def _copy(con: psycopg.Connection[Any], table: str, rows: pa.Table) -> None:
    if not rows.num_rows:
        return
    with (
        con.cursor() as cur,
        cur.copy(f"COPY {table} ({_names(rows.column_names)}) FROM STDIN (FORMAT csv)") as copy,
    ):
        copy.write(_csv(rows))


class _Pool:
    """A few open connections shared by threads (Streamlit runs each session on its own)."""

    def __init__(self, url: str, keep: int = 4) -> None:
        self.url = url
        self._keep = keep
        self._idle: list[psycopg.Connection[Any]] = []
        self._lock = threading.Lock()
        self._closed = False

    def _connect(self) -> psycopg.Connection[Any]:
        try:
            con = psycopg.connect(
                self.url, autocommit=True, connect_timeout=5, application_name="geo"
            )
        except psycopg.Error as exc:
            raise StoreError(
                f"cannot reach the database at {describe_url(self.url)}: {_reason(exc, self.url)}"
            ) from None
        # The atlas's reads are short: compiling one with JIT costs more (~30 ms measured on
        # a cell count) than it could save.
        con.execute("SET jit = off")
        return con

    @contextmanager
    def connection(self) -> Iterator[psycopg.Connection[Any]]:
        if self._closed:
            raise StoreError("the store is closed")
        with self._lock:
            con = self._idle.pop() if self._idle else None
        if con is None or con.closed:
            con = self._connect()
        try:
            yield con
        except psycopg.OperationalError as exc:
            con.close()
            raise StoreError(
                f"lost the database at {describe_url(self.url)}: {_reason(exc, self.url)}"
            ) from None
        except psycopg.errors.InsufficientPrivilege as exc:
            if con.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                con.close()
            raise StoreNotWritable(
                f"the database at {describe_url(self.url)} refused a change, as its role may "
                f"not make it ({_reason(exc, self.url)}): use a role that may write to it"
            ) from None
        except BaseException:
            if con.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                con.close()
            raise
        with self._lock:
            if not self._closed and len(self._idle) < self._keep and not con.closed:
                self._idle.append(con)
                con = None
        if con is not None:
            con.close()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for con in idle:
            con.close()


def migrations() -> list[tuple[int, str, str]]:
    """The numbered schema migrations (number, file name, SQL), in order."""
    found = []
    for entry in resources.files("geo.store").joinpath(MIGRATIONS).iterdir():
        name = entry.name
        if name.endswith(".sql") and name[:3].isdigit():
            found.append((int(name[:3]), name, entry.read_text(encoding="utf-8")))
    return sorted(found)


def migrate(url: str) -> list[str]:
    """Bring the database's schema up to date; the names of the migrations applied (none
    when it already was). Safe to run from several processes at once."""
    pool = _Pool(url, keep=0)
    applied: list[str] = []
    with pool.connection() as con, con.transaction():
        con.execute("SELECT pg_advisory_xact_lock(%s)", [WRITE_LOCK])
        con.execute(
            "CREATE TABLE IF NOT EXISTS schema_version (version integer PRIMARY KEY, "
            "name text NOT NULL, applied timestamptz NOT NULL DEFAULT now())"
        )
        done = {r[0] for r in con.execute("SELECT version FROM schema_version").fetchall()}
        for number, name, text in migrations():
            if number in done:
                continue
            con.execute(text)  # no parameters: psycopg sends the file as one script
            con.execute(
                "INSERT INTO schema_version (version, name) VALUES (%s, %s)", [number, name]
            )
            applied.append(name)
    pool.close()
    return applied


def schema_version(url: str) -> int:
    """The newest migration applied (0: none)."""
    pool = _Pool(url, keep=0)
    try:
        with pool.connection() as con:
            exists = con.execute("SELECT to_regclass('schema_version') IS NOT NULL").fetchone()
            if not exists or not exists[0]:
                return 0
            row = con.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()
            return int(row[0]) if row else 0
    finally:
        pool.close()


class PgStore(SqlReads):
    """A :class:`~geo.store.shared.SharedDatabase` on PostgreSQL with PostGIS at ``url``.
    Opening it only reads (a role that may only SELECT opens it): a schema that is behind is
    migrated then, unless ``migrate_schema`` is False (then it must be current)."""

    MARK = sql.PG
    ID_ORDER = 'event_id COLLATE "C"'  # byte order, as DuckDB sorts
    GEOMETRY = "geom"  # the GiST-indexed point

    def __init__(self, url: str, *, migrate_schema: bool = True, rollups: bool = True) -> None:
        self.url = url
        self.where = describe_url(url)
        # Counts from the rollups (migration 004) where they can answer; False: always from
        # the events (the benchmark's baseline, and the tests' second opinion).
        self.rollups = rollups
        self._pool = _Pool(url)
        try:
            if schema_version(url) < migrations()[-1][0]:
                if not migrate_schema:
                    raise StoreError(
                        f"the database at {self.where} has an old schema: run `geo db init`"
                    )
                migrate(url)
        except StoreNotWritable:
            raise StoreNotWritable(
                f"the database at {self.where} has an old schema, and its role may not change "
                "it: run `geo db init` as a role that may"
            ) from None

    # ---- plumbing ----

    def _rows(self, query: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        with self._pool.connection() as con:
            return con.execute(query, list(params)).fetchall()

    def _arrow(self, query: str, params: Sequence[object] = ()) -> pa.Table:
        with self._pool.connection() as con, con.cursor() as cur:
            cur.execute(query, list(params))
            rows = cur.fetchall()
            names = [d.name for d in cur.description or []]
        values = list(zip(*rows, strict=True)) if rows else [() for _ in names]
        return pa.table(
            {n: pa.array(list(v), type=arrow_type(n)) for n, v in zip(names, values, strict=True)}
        )

    @staticmethod
    def _set_meta(con: psycopg.Connection[Any], key: str, value: str) -> None:
        con.execute(
            "INSERT INTO meta VALUES (%s, %s) ON CONFLICT (key) DO UPDATE SET value = "
            "EXCLUDED.value",
            [key, value],
        )

    def _bump(self, con: psycopg.Connection[Any]) -> None:
        self._set_meta(con, "version", uuid.uuid4().hex[:12])

    @contextmanager
    def _writing(self) -> Iterator[psycopg.Connection[Any]]:
        """One write transaction, holding the write lock from its first statement."""
        with self._pool.connection() as con, con.transaction():
            con.execute("SELECT pg_advisory_xact_lock(%s)", [WRITE_LOCK])
            yield con

    @property
    def version(self) -> str:
        """Read from the database: another process's import changes it too."""
        return self._meta("version") or "empty"

    def close(self) -> None:
        self._pool.close()

    # ---- loading the bundle ----

    def load_bundle(self, bundle: Bundle) -> None:
        """Replace the curated rows with the bundle's; imported events and sites stay."""
        self._sync(bundle, force=True)

    def sync_bundle(self, bundle: Bundle) -> None:
        """Load the bundle's curated rows into a database that holds none yet, when this
        role may write (checked again under the write lock: dashboards starting together load
        it once); a role that may only read loads nothing.

        A database that holds curated rows keeps them: a dashboard whose data folder differs
        does not replace them when it opens (copies of the dashboard on other versions of
        the data would otherwise take turns overwriting each other, each turn a new store
        version every reader recounts). Only an explicit load replaces them:
        :meth:`load_bundle` (``geo db load``, or an article accepted on the Ingest page)."""
        if self.curated_version() is None and self.can_write():
            # A role that may write the events but not every table the load writes: nothing.
            with suppress(StoreNotWritable):
                self._sync(bundle, force=False)

    def can_write(self) -> bool:
        """Whether this role may change the atlas's data (a dashboard may read with a role
        that only SELECTs: it then loads nothing into an empty database)."""
        row = self._rows(
            "SELECT bool_and(has_table_privilege(t, p)) FROM unnest(%s::text[]) AS t, "
            "unnest(ARRAY['INSERT', 'UPDATE', 'DELETE']) AS p",
            [["events", "sites", "meta", "curated_frames"]],
        )
        return bool(row and row[0][0])

    def publish_bundle(self, bundle: Bundle, *, replacing: str) -> bool:
        """Replace the curated rows with ``bundle`` (a data folder just changed here) if the
        database holds the curated data of ``replacing`` (what the folder held before), the
        bundle's own, or none: checked under the write lock. False, and nothing changed, when
        it holds another version (another analyst's change came first): their rows are not
        overwritten by a folder that never had them."""
        return self._sync(bundle, force=True, replacing=replacing)

    def curated_version(self) -> str | None:
        """The version of the curated data the database holds; None: none loaded yet."""
        return self._meta("bundle_version")

    def _sync(self, bundle: Bundle, *, force: bool, replacing: str | None = None) -> bool:
        events = with_cells(bundle.events) if len(bundle.events) else bundle.events.copy()
        events["origin"] = BUNDLE_ORIGIN
        events["row_no"] = bundle.events.index.to_numpy()
        sites = bundle.sites.copy()
        sites["row_no"] = bundle.sites.index.to_numpy()
        sites["origin"] = BUNDLE_ORIGIN
        with self._writing() as con:
            found = con.execute("SELECT value FROM meta WHERE key = 'bundle_version'").fetchone()
            if not force and found:
                return False
            if replacing is not None and found and found[0] not in (replacing, bundle.version):
                return False
            con.execute("DELETE FROM events WHERE origin = %s", [BUNDLE_ORIGIN])
            con.execute(
                "DELETE FROM sites WHERE origin IS NULL OR origin IN ('', %s)", [BUNDLE_ORIGIN]
            )
            # A curated id wins over an imported row that took it.
            con.execute(_create_temp("bundle_events", EVENT_TABLE_COLUMNS))
            _copy(con, "bundle_events", to_arrow(events, EVENT_TABLE_COLUMNS))
            con.execute("DELETE FROM events WHERE event_id IN (SELECT event_id FROM bundle_events)")
            con.execute(
                f"INSERT INTO events ({_names(EVENT_TABLE_COLUMNS)}) "
                f"SELECT {_names(EVENT_TABLE_COLUMNS)} FROM bundle_events"
            )
            _copy(con, "sites", to_arrow(sites, SITE_TABLE_COLUMNS))
            con.execute("DELETE FROM curated_frames")
            for name in CURATED_FRAMES:
                con.execute(
                    "INSERT INTO curated_frames VALUES (%s, %s)",
                    [name, frame_to_ipc(getattr(bundle, name))],
                )
            problems = json.dumps([asdict(p) for p in bundle.problems], ensure_ascii=False)
            self._set_meta(con, "bundle_problems", problems)
            self._set_meta(con, "bundle_version", bundle.version)
            self._bump(con)
        return True

    def curated_bundle(self, corpus_dir: Path | None = None) -> Bundle | None:
        """The curated data the database holds, as the dashboard that loaded it had it (its
        validation problems too), with the texts of ``corpus_dir`` read for its sources;
        None when the database holds none (or holds rows loaded before it kept the frames)."""
        from geo.bundle import Bundle, read_corpus
        from geo.validate import Problem

        rows = self._rows(  # one statement: the version and the frames of one commit
            "SELECT m.version, m.problems, f.name, f.frame FROM curated_frames f, "
            "(SELECT (SELECT value FROM meta WHERE key = 'bundle_version') AS version, "
            "(SELECT value FROM meta WHERE key = 'bundle_problems') AS problems) AS m"
        )
        frames = {str(name): frame_from_ipc(bytes(frame)) for _, _, name, frame in rows}
        if not rows or rows[0][0] is None or set(frames) != set(CURATED_FRAMES):
            return None
        problems = [Problem(**p) for p in json.loads(rows[0][1] or "[]")]
        texts, corpus_problems = read_corpus(corpus_dir, frames["sources"])
        return Bundle(
            events=frames["events"],
            sites=frames["sites"],
            sources=frames["sources"],
            excerpts=frames["excerpts"],
            problems=[*problems, *corpus_problems],
            corpus_texts=texts,
            version=str(rows[0][0]),
        )

    # ---- reads ----

    def _rolled_up(self, state: ViewState) -> bool:
        return self.rollups and sql.rollup_answers(state)

    def _counted(self, state: ViewState) -> tuple[str, str]:
        if self._rolled_up(state):
            return "event_cube", "sum(events)::bigint"
        return "events", "count(*)"

    def month_span(self) -> tuple[str, str] | None:
        if not self.rollups:
            return super().month_span()
        first, last = self._rows("SELECT min(start), max(stop) FROM event_cube")[0]
        return None if first is None else (month_key(first), month_key(last))

    def cell_counts(
        self,
        state: ViewState,
        resolution: int,
        bbox: tuple[float, float, float, float] | None = None,
    ) -> pd.DataFrame:
        """As the embedded store counts them; from ``cell_cube`` at its resolutions. With a
        box, a cell whose rolled-up events all lie inside it (their extent does) is counted
        there, and a cell with events on both sides of its edge is counted from the events
        inside the box, so the answer is exact."""
        if not (self._rolled_up(state) and resolution in CUBE_RESOLUTIONS):
            return super().cell_counts(state, resolution, bbox)
        where, params = self._filter(state)
        if bbox is None:
            rows = self._rows(
                "SELECT cell, sum(events)::bigint FROM cell_cube "
                f"WHERE resolution = %s AND {where} GROUP BY 1 ORDER BY 1",
                [resolution, *params],
            )
        else:
            south, west, north, east = (float(v) for v in bbox)
            found = self._rows(
                "SELECT cell, sum(events)::bigint, "
                "bool_and(south >= %s AND north <= %s AND west >= %s AND east <= %s) "
                f"FROM cell_cube WHERE resolution = %s AND {where} "
                "AND north >= %s AND south <= %s AND east >= %s AND west <= %s GROUP BY 1",
                [south, north, west, east, resolution, *params, south, north, west, east],
            )
            rows = [(cell, n) for cell, n, inside in found if inside]
            edge = [int(cell) for cell, _, inside in found if not inside]
            if edge:
                column = cells.column(resolution)  # one of a fixed set of names, not user text
                box, box_params = sql.bbox_filter(bbox, mark=M, geometry=self.GEOMETRY)
                rows += self._rows(
                    f'SELECT "{column}", count(*) FROM events WHERE {where} AND {box} '
                    f'AND "{column}" = ANY(%s) GROUP BY 1',
                    [*params, *box_params, edge],
                )
            rows.sort()
        return pd.DataFrame(rows, columns=["cell", "events"]).astype("int64")

    def actor_counts(self, state: ViewState, limit: int) -> tuple[list[tuple[str, int]], int]:
        """The ``limit`` actors in the most events in view (ties by name, in code-point
        order as the embedded store sorts), and how many distinct actors there are."""
        where, params = sql.event_filter(state, mark=M)
        if self._rolled_up(state):
            counted = f"SELECT name, sum(events) AS n FROM actor_cube WHERE {where} GROUP BY 1"
        else:
            counted = (
                "WITH names AS (SELECT DISTINCT row_no, name FROM events CROSS JOIN LATERAL "
                f"unnest(string_to_array({sql.ACTOR_LIST}, ';')) AS listed(name) "
                f"WHERE {where}) SELECT name, count(*) AS n FROM names WHERE name <> '' "
                "GROUP BY 1"
            )
        rows = self._rows(
            f"WITH counted AS ({counted}) SELECT name, n::bigint, count(*) OVER () FROM counted "
            'ORDER BY n DESC, lower(name) COLLATE "C", name COLLATE "C" LIMIT %s',
            [*params, int(limit)],
        )
        ranked = [(str(name), int(n)) for name, n, _ in rows]
        return ranked, int(rows[0][2]) if rows else 0

    # ---- writes ----

    @contextmanager
    def importing(self) -> Iterator[_PgBatch]:
        """One import: rows are staged as they come (COPY into a temporary table), then
        merged in the same transaction under the write lock; nothing is visible to anyone
        before the commit, and nothing is left if anything fails or the process dies."""
        with self._pool.connection() as con:
            with con.transaction():
                batch = _PgBatch(con)
                yield batch
                con.execute("SELECT pg_advisory_xact_lock(%s)", [WRITE_LOCK])
                batch.merge()
                self._bump(con)
            if batch.counts.new + batch.counts.updated >= VACUUM_AFTER:
                # After a big import, before the next read: the planner's statistics, and the
                # visibility map that lets the covering index answer counts on its own.
                con.execute("VACUUM (ANALYZE) events, event_cube, actor_cube, cell_cube")

    def merge_sites(
        self,
        rows: pd.DataFrame | Iterable[pd.DataFrame],
        *,
        file: str = "",
        kind: str = "",
        provenance: str = "",
        licence: str = "",
    ) -> ImportCounts:
        """Merge imported sites in one transaction, by ``site_id``, as the embedded store
        does: a new id is appended, a known one replaced in place (same row number) when any
        value changed; the curated sites are never touched."""
        columns = [c for c in SITE_TABLE_COLUMNS if c != "row_no"]
        with self._writing() as con:
            con.execute(_create_temp("site_staging", columns))
            for chunk in frames_of(rows):
                if len(chunk):
                    _copy(con, "site_staging", to_arrow(chunk, columns))
            con.execute(
                "CREATE TEMP TABLE site_fresh ON COMMIT DROP AS SELECT DISTINCT ON (site_id) * "
                "FROM site_staging ORDER BY site_id, line DESC NULLS LAST"
            )
            same = " AND ".join(f'f."{c}" IS NOT DISTINCT FROM s."{c}"' for c in columns)
            con.execute(
                "CREATE TEMP TABLE site_matched ON COMMIT DROP AS SELECT f.site_id, s.row_no, "
                f"NOT ({same}) AS changed FROM site_fresh f JOIN sites s USING (site_id) "
                "WHERE s.origin IS NOT NULL AND s.origin NOT IN ('', %s)",
                [BUNDLE_ORIGIN],
            )
            row = con.execute(
                "SELECT (SELECT count(*) FROM site_matched), "
                "(SELECT count(*) FROM site_matched WHERE changed), "
                "(SELECT count(*) FROM site_fresh)"
            ).fetchone()
            matched, updated, total = (int(v) for v in row) if row else (0, 0, 0)
            con.execute(
                "DELETE FROM sites WHERE origin IS NOT NULL AND origin NOT IN ('', %s) AND "
                "site_id IN (SELECT site_id FROM site_matched WHERE changed)",
                [BUNDLE_ORIGIN],
            )
            con.execute(
                f"INSERT INTO sites ({_names(columns)}, row_no) "
                f"SELECT {_names(columns)}, coalesce(old_row, nextval('site_row_no')) FROM "
                f"(SELECT {_names(columns, 'f.')}, m.row_no AS old_row FROM site_fresh f "
                "LEFT JOIN site_matched m USING (site_id) WHERE m.site_id IS NULL OR m.changed "
                "ORDER BY f.line, f.site_id) AS incoming"
            )
            if file:
                con.execute(
                    "INSERT INTO imports VALUES (%s, %s, %s, %s, %s, current_date::text) "
                    "ON CONFLICT (file) DO UPDATE SET kind = EXCLUDED.kind, provenance = "
                    "EXCLUDED.provenance, licence = EXCLUDED.licence, rows = EXCLUDED.rows, "
                    "imported = EXCLUDED.imported",
                    [file, kind, provenance, licence, total],
                )
            if total - matched or updated:
                self._bump(con)
        return ImportCounts(new=total - matched, updated=updated, unchanged=matched - updated)


class _PgBatch:
    def __init__(self, con: psycopg.Connection[Any]) -> None:
        self._con = con
        con.execute(_create_temp("staging", EVENT_TABLE_COLUMNS))
        con.execute("CREATE TEMP TABLE deletions (event_id text) ON COMMIT DROP")
        self._counts = ImportCounts()

    def add(self, rows: pd.DataFrame) -> None:
        if not len(rows):
            return
        prepared = rows if "h3_3" in rows else with_cells(rows)
        _copy(self._con, "staging", to_arrow(prepared, EVENT_TABLE_COLUMNS))

    def delete(self, event_ids: Sequence[str]) -> None:
        if event_ids:
            ids = pa.table({"event_id": pa.array([str(i) for i in event_ids], pa.string())})
            _copy(self._con, "deletions", ids)

    def settle(self, duplicate: Duplicate) -> Staged:
        con = self._con
        duplicates = 0
        # A server-side cursor: the duplicates come a chunk at a time, not all at once.
        with con.cursor(name="geo_duplicates") as found:
            found.execute(DUPLICATES_SQL)
            while chunk := found.fetchmany(DUPLICATES_FETCH):
                duplicates += len(chunk)
                for line, event_id, first in chunk:
                    duplicate(int(line), str(event_id), int(first))
        if duplicates:
            con.execute(DROP_DUPLICATES_SQL)
        (superseded,) = con.execute(SUPERSEDED_SQL).fetchone() or (0,)
        (ids,) = con.execute(STAGED_IDS_SQL).fetchone() or (0,)
        return Staged(duplicates, int(superseded), int(ids))

    @property
    def counts(self) -> ImportCounts:
        return self._counts

    def merge(self) -> None:
        con = self._con
        # One row per id: the newest timestamp, and of equal ones the last line.
        con.execute(
            "CREATE TEMP TABLE fresh ON COMMIT DROP AS SELECT DISTINCT ON (event_id) * "
            "FROM staging ORDER BY event_id, updated DESC NULLS LAST, line DESC NULLS LAST"
        )
        columns = [c for c in EVENT_TABLE_COLUMNS if c != "row_no"]
        assign = ", ".join(f'"{c}" = EXCLUDED."{c}"' for c in columns)
        # New ids are numbered in file order; a newer row for a known id keeps its number.
        row = con.execute(
            "WITH merged AS ("
            f"INSERT INTO events ({_names(columns)}, row_no) "
            f"SELECT {_names(columns)}, nextval('event_row_no') FROM "
            "(SELECT * FROM fresh ORDER BY line, event_id) AS incoming "
            f"ON CONFLICT (event_id) DO UPDATE SET {assign} "
            "WHERE coalesce(EXCLUDED.updated, 0) > coalesce(events.updated, 0) "
            "AND events.origin IS DISTINCT FROM %s "
            "RETURNING (xmax = 0) AS inserted) "
            "SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted), "
            "(SELECT count(*) FROM fresh) FROM merged",
            [BUNDLE_ORIGIN],
        ).fetchone()
        new, updated, total = (int(v) for v in row) if row else (0, 0, 0)
        deleted = con.execute(
            "DELETE FROM events WHERE origin IS DISTINCT FROM %s AND event_id IN "
            "(SELECT event_id FROM deletions)",
            [BUNDLE_ORIGIN],
        ).rowcount
        self._counts = ImportCounts(
            new=new, updated=updated, unchanged=total - new - updated, deleted=max(deleted, 0)
        )
