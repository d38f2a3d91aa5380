"""The embedded store: DuckDB in process, in memory or in one file.

Reads run on a cursor of their own (DuckDB connections are not shared between threads, and
Streamlit serves each session on its own thread); writes hold a lock and run in one
transaction. H3 cells are plain integer columns filled at load and import time, so the map's
aggregation is a GROUP BY (DuckDB's own h3 and spatial extensions need the network to
install, and are not used).
"""

from __future__ import annotations

import tempfile
import threading
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from geo.store import sql
from geo.store.base import (
    BUNDLE_ORIGIN,
    DROP_DUPLICATES_SQL,
    DUPLICATES_FETCH,
    DUPLICATES_SQL,
    IMPORT_ROW_BASE,
    SITE_EXTRA_COLUMNS,
    STAGED_IDS_SQL,
    SUPERSEDED_SQL,
    Duplicate,
    ImportCounts,
    Staged,
    StoreError,
    StoreFileError,
    frames_of,
    sql_type,
    to_arrow,
    with_cells,
)
from geo.store.reads import EVENT_TABLE_COLUMNS, SITE_TABLE_COLUMNS, SqlReads
from geo.store.reads import names as _names
from geo.view import ViewState

if TYPE_CHECKING:
    from geo.bundle import Bundle


# What a store file that is damaged, unreadable or unwritable raises (beside a query's own
# errors): every read and write turns them into a StoreFileError naming the file.
_FILE_FAULTS = (
    duckdb.IOException,
    duckdb.PermissionException,
    duckdb.SerializationException,
    duckdb.InternalException,
    duckdb.FatalException,
    duckdb.ConnectionException,
)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _create(name: str, columns: Sequence[str], *, temporary: bool = False) -> str:
    body = ", ".join(f'"{c}" {sql_type(c)}' for c in columns)
    kind = "TEMP TABLE" if temporary else "TABLE"
    return f"CREATE {kind} IF NOT EXISTS {name} ({body})"


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: pa.Table) -> None:
    """Append an Arrow table's rows (columns by name) to ``table``."""
    con.register("_incoming", rows)
    try:
        con.execute(f"INSERT INTO {table} ({_names(rows.column_names)}) FROM _incoming")
    finally:
        con.unregister("_incoming")


# DuckDB's memory during an import into a store file: past it, its work (the staged rows,
# the merge's sorts and joins) spills to a folder beside the file, so an import's memory
# stays bounded whatever the file's size. On one thread the merge of a million rows fits in
# 100 MB (on two it needs more than 100 MB: each thread keeps buffers of its own).
IMPORT_MEMORY = "128MB"
IMPORT_THREADS = 1


def _insert_copied(
    con: duckdb.DuckDBPyConnection, table: str, rows: pa.Table, folder: Path
) -> None:
    """Append an Arrow table's rows to ``table`` through a Parquet file in ``folder``: a
    table scanned from Arrow keeps the Arrow buffers of its strings alive until it is
    dropped (a staged import held a copy of every row outside DuckDB's memory limit); one
    read from Parquet is DuckDB's own, and can spill."""
    chunk = folder / "chunk.parquet"
    pq.write_table(rows, chunk)
    names = _names(rows.column_names)
    path = str(chunk).replace("'", "''")
    try:
        con.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM read_parquet('{path}')")
    finally:
        chunk.unlink(missing_ok=True)


class DuckStore(SqlReads):
    """A :class:`~geo.store.base.Store` on DuckDB. ``path`` None: in memory."""

    MARK = sql.DUCK

    def __init__(self, path: str | Path | None = None, *, read_only: bool = False) -> None:
        self.path = str(path) if path else None
        try:
            self._con = duckdb.connect(self.path or ":memory:", read_only=read_only)
        except duckdb.Error as exc:
            raise self._fault(exc) from None
        self._lock = threading.RLock()
        self._closed = False
        try:
            with self._file_faults():
                self._prepare(read_only)
        except BaseException:
            self.close()  # let go of the file
            raise

    def _fault(self, exc: BaseException) -> StoreError:
        """A file fault as the store's error: naming the file, or the in-memory store."""
        if self.path is None:
            return StoreError(f"the in-memory store failed: {_first_line(exc)}")
        return StoreFileError(self.path, _first_line(exc))

    @contextmanager
    def _file_faults(self) -> Iterator[None]:
        """Turn a damaged, unreadable or unwritable file's errors into a StoreFileError
        (a file cut short fails on the first read, not when it is opened)."""
        try:
            yield
        except duckdb.Error as exc:
            if not isinstance(exc, _FILE_FAULTS):
                raise
            raise self._fault(exc) from None

    def _prepare(self, read_only: bool) -> None:
        if not read_only:
            with self._lock:
                self._con.execute(_create("events", EVENT_TABLE_COLUMNS))
                self._con.execute(_create("sites", SITE_TABLE_COLUMNS))
                for column in SITE_EXTRA_COLUMNS:  # a store made before sites were imported
                    self._con.execute(
                        f'ALTER TABLE sites ADD COLUMN IF NOT EXISTS "{column}" {sql_type(column)}'
                    )
                self._con.execute(
                    "CREATE TABLE IF NOT EXISTS imports (file VARCHAR, kind VARCHAR, "
                    "provenance VARCHAR, licence VARCHAR, rows BIGINT, imported VARCHAR)"
                )
                self._con.execute("CREATE TABLE IF NOT EXISTS meta (key VARCHAR, value VARCHAR)")
        self._version = self._meta("version") or "empty"
        found = self._rows(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'sites'"
        )
        self._site_columns = {str(r[0]) for r in found}

    # ---- plumbing ----

    def _site_names(self, columns: Sequence[str]) -> str:
        """A select list of site columns; one a store file opened read-only does not have yet
        (it was made before the column existed) reads as empty."""
        return ", ".join(
            f'"{c}"'
            if c in self._site_columns or not self._site_columns
            else f'CAST(NULL AS {sql_type(c)}) AS "{c}"'
            for c in columns
        )

    @contextmanager
    def _cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        if self._closed:
            raise StoreError("the store is closed")
        with self._file_faults():
            cursor = self._con.cursor()
            try:
                yield cursor
            finally:
                cursor.close()

    def _rows(self, query: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        with self._cursor() as cur:
            return cur.execute(query, list(params)).fetchall()

    def _arrow(self, query: str, params: Sequence[object] = ()) -> pa.Table:
        with self._cursor() as cur:
            return cur.sql(query, params=list(params)).to_arrow_table()

    def _set_meta(self, con: duckdb.DuckDBPyConnection, key: str, value: str) -> None:
        con.execute("DELETE FROM meta WHERE key = ?", [key])
        con.execute("INSERT INTO meta VALUES (?, ?)", [key, value])

    def _bump(self, con: duckdb.DuckDBPyConnection) -> str:
        version = uuid.uuid4().hex[:12]
        self._set_meta(con, "version", version)
        return version

    @property
    def version(self) -> str:
        return self._version

    def close(self) -> None:
        with self._lock:
            if not self._closed:
                self._closed = True
                self._con.close()

    # ---- loading the bundle ----

    def load_bundle(self, bundle: Bundle) -> None:
        """Replace the curated rows (events and sites from the bundle) with the bundle's;
        imported events and sites stay."""
        events = with_cells(bundle.events) if len(bundle.events) else bundle.events.copy()
        events["origin"] = BUNDLE_ORIGIN
        events["row_no"] = bundle.events.index.to_numpy()
        sites = bundle.sites.copy()
        sites["row_no"] = bundle.sites.index.to_numpy()
        sites["origin"] = BUNDLE_ORIGIN
        with self._lock, self._transaction() as con:
            con.execute("DELETE FROM events WHERE origin = ?", [BUNDLE_ORIGIN])
            con.execute(
                "DELETE FROM sites WHERE origin IS NULL OR origin IN ('', ?)", [BUNDLE_ORIGIN]
            )
            _insert(con, "events", to_arrow(events, EVENT_TABLE_COLUMNS))
            _insert(con, "sites", to_arrow(sites, SITE_TABLE_COLUMNS))
            self._set_meta(con, "bundle_version", bundle.version)
            self._version = self._bump(con)

    def sync_bundle(self, bundle: Bundle) -> None:
        """Load the bundle unless this version of it is already in the store."""
        if self._meta("bundle_version") != bundle.version or not bundle.version:
            self.load_bundle(bundle)

    @classmethod
    def from_bundle(cls, bundle: Bundle) -> DuckStore:
        store = cls()
        store.load_bundle(bundle)
        return store

    @contextmanager
    def _transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        if self._closed:
            raise StoreError("the store is closed")
        con = self._con
        with self._file_faults():
            con.execute("BEGIN TRANSACTION")
            try:
                yield con
            except BaseException:
                with suppress(duckdb.Error):  # a file that failed may refuse this too
                    con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")

    # ---- reads ----

    def merge_sites(
        self,
        rows: pd.DataFrame | Iterable[pd.DataFrame],
        *,
        file: str = "",
        kind: str = "",
        provenance: str = "",
        licence: str = "",
    ) -> ImportCounts:
        """Merge imported sites in one transaction, by ``site_id``: a new id is appended, a
        known one replaced in place (same row number) when any value changed; the curated
        sites are never touched. The file's provenance and licence are recorded. ``rows``
        may come as chunks, staged one at a time."""
        columns = [c for c in SITE_TABLE_COLUMNS if c != "row_no"]
        with (
            self._lock,
            self._bounded_memory(),
            tempfile.TemporaryDirectory(prefix="geo-import-") as folder,
            self._transaction() as con,
        ):
            con.execute("DROP TABLE IF EXISTS site_staging")
            con.execute(_create("site_staging", columns, temporary=True))
            for chunk in frames_of(rows):
                if len(chunk):
                    _insert_copied(con, "site_staging", to_arrow(chunk, columns), Path(folder))
            con.execute(
                "CREATE OR REPLACE TEMP TABLE site_fresh AS SELECT * FROM site_staging "
                "QUALIFY row_number() OVER (PARTITION BY site_id ORDER BY line DESC) = 1"
            )
            same = " AND ".join(f'f."{c}" IS NOT DISTINCT FROM s."{c}"' for c in columns)
            con.execute(
                "CREATE OR REPLACE TEMP TABLE site_matched AS SELECT f.site_id, s.row_no, "
                f"NOT ({same}) AS changed FROM site_fresh f JOIN sites s USING (site_id) "
                "WHERE s.origin IS NOT NULL AND s.origin NOT IN ('', ?)",
                [BUNDLE_ORIGIN],
            )
            (matched,) = con.execute("SELECT count(*) FROM site_matched").fetchone() or (0,)
            (updated,) = con.execute(
                "SELECT count(*) FROM site_matched WHERE changed"
            ).fetchone() or (0,)
            (total,) = con.execute("SELECT count(*) FROM site_fresh").fetchone() or (0,)
            con.execute(
                "DELETE FROM sites WHERE site_id IN "
                "(SELECT site_id FROM site_matched WHERE changed)"
            )
            (top,) = con.execute("SELECT max(row_no) FROM sites").fetchone() or (None,)
            base = max(int(top) + 1 if top is not None else 0, IMPORT_ROW_BASE)
            con.execute(
                f"INSERT INTO sites ({_names(columns)}, row_no) "
                f"SELECT {_names(columns, 'f.')}, coalesce(m.row_no, ? + row_number() OVER "
                "(ORDER BY f.line, f.site_id)) FROM site_fresh f "
                "LEFT JOIN site_matched m USING (site_id) "
                "WHERE m.site_id IS NULL OR m.changed",
                [base],
            )
            for name in ("site_staging", "site_fresh", "site_matched"):
                con.execute(f"DROP TABLE IF EXISTS {name}")
            if file:
                con.execute("DELETE FROM imports WHERE file = ?", [file])
                con.execute(
                    "INSERT INTO imports VALUES (?, ?, ?, ?, ?, current_date::VARCHAR)",
                    [file, kind, provenance, licence, int(total)],
                )
            if int(total) - int(matched) or int(updated):
                self._version = self._bump(con)
        return ImportCounts(
            new=int(total) - int(matched),
            updated=int(updated),
            unchanged=int(matched) - int(updated),
        )

    def actor_counts(self, state: ViewState, limit: int) -> tuple[list[tuple[str, int]], int]:
        """The ``limit`` actors in the most events in view (ties by name, as the chart
        ranks them), and how many distinct actors there are."""
        where, params = sql.event_filter(state)
        rows = self._rows(
            # Split each distinct actor pair once (there are far fewer pairs than events).
            "WITH pairs AS (SELECT actor1, assoc_actor_1, count(*) AS n FROM events "
            f"WHERE {where} GROUP BY 1, 2), "
            "names AS (SELECT unnest(list_distinct(string_split("
            f"{sql.ACTOR_LIST}, ';'))) AS name, n FROM pairs), "
            "counted AS (SELECT name, sum(n) AS n FROM names WHERE name <> '' GROUP BY 1) "
            "SELECT name, n, count(*) OVER () FROM counted "
            "ORDER BY n DESC, lower(name), name LIMIT ?",
            [*params, int(limit)],
        )
        ranked = [(str(name), int(n)) for name, n, _ in rows]
        return ranked, int(rows[0][2]) if rows else 0

    # ---- writes ----

    @contextmanager
    def importing(self) -> Iterator[_DuckBatch]:
        """One import: stage rows and deletions, then merge them in a single transaction
        (nothing changes if anything fails before the end)."""
        with (
            self._lock,
            self._bounded_memory(),
            tempfile.TemporaryDirectory(prefix="geo-import-") as folder,
            self._transaction() as con,
        ):
            batch = _DuckBatch(con, Path(folder))
            yield batch
            batch.merge()
            self._version = self._bump(con)

    @contextmanager
    def _bounded_memory(self) -> Iterator[None]:
        """Hold DuckDB to :data:`IMPORT_MEMORY` and :data:`IMPORT_THREADS` for the while (a
        store file only: an in-memory store has nowhere to spill, and holds all its rows in
        memory anyway)."""
        if self.path is None:
            yield
            return
        bounds = {"memory_limit": IMPORT_MEMORY, "threads": str(IMPORT_THREADS)}
        before: dict[str, str] = {}
        with self._file_faults():
            for name, value in bounds.items():
                (now,) = self._con.execute("SELECT current_setting(?)", [name]).fetchone() or (
                    None,
                )
                if now is not None:
                    before[name] = str(now)
                self._con.execute(f"SET {name} = '{value}'")
        try:
            yield
        finally:
            for name, value in before.items():
                with suppress(duckdb.Error):
                    self._con.execute(f"SET {name} = ?", [value])


class _DuckBatch:
    def __init__(self, con: duckdb.DuckDBPyConnection, folder: Path) -> None:
        self._con = con
        self._folder = folder
        con.execute("DROP TABLE IF EXISTS staging")
        con.execute("DROP TABLE IF EXISTS deletions")
        con.execute(_create("staging", EVENT_TABLE_COLUMNS, temporary=True))
        con.execute("CREATE TEMP TABLE deletions (event_id VARCHAR)")
        self._counts = ImportCounts()

    def add(self, rows: pd.DataFrame) -> None:
        if not len(rows):
            return
        prepared = rows if "h3_3" in rows else with_cells(rows)
        _insert_copied(self._con, "staging", to_arrow(prepared, EVENT_TABLE_COLUMNS), self._folder)

    def delete(self, event_ids: Sequence[str]) -> None:
        if event_ids:
            ids = pa.table({"event_id": pa.array([str(i) for i in event_ids], pa.string())})
            _insert(self._con, "deletions", ids)

    def settle(self, duplicate: Duplicate) -> Staged:
        con = self._con
        found = con.execute(DUPLICATES_SQL)
        duplicates = 0
        # Read to the end (a result left unfinished would block the next statement).
        while chunk := found.fetchmany(DUPLICATES_FETCH):
            duplicates += len(chunk)
            for line, event_id, first in chunk:
                duplicate(int(line), str(event_id), int(first))
        if duplicates:
            con.execute(DROP_DUPLICATES_SQL)
        # fetchall: a result left unfinished would block the connection's next statement.
        ((superseded,),) = con.execute(SUPERSEDED_SQL).fetchall()
        ((ids,),) = con.execute(STAGED_IDS_SQL).fetchall()
        return Staged(duplicates, int(superseded), int(ids))

    @property
    def counts(self) -> ImportCounts:
        return self._counts

    def merge(self) -> None:
        con = self._con
        # One row per id: the newest timestamp, and of equal ones the last line. Only the
        # keys are sorted and kept (a staged row is found again by its rowid), so the
        # merge holds no second copy of the staged rows.
        con.execute(
            "CREATE OR REPLACE TEMP TABLE fresh AS SELECT rowid AS staged_no, event_id, "
            "updated, line FROM staging QUALIFY row_number() OVER (PARTITION BY event_id "
            "ORDER BY updated DESC NULLS LAST, line DESC) = 1"
        )
        con.execute(
            "CREATE OR REPLACE TEMP TABLE matched AS SELECT f.event_id, e.row_no, "
            "coalesce(f.updated, 0) > coalesce(e.updated, 0) AS newer, e.origin "
            "FROM fresh f JOIN events e USING (event_id)"
        )
        (new,) = con.execute(
            "SELECT count(*) FROM fresh WHERE event_id NOT IN (SELECT event_id FROM matched)"
        ).fetchone() or (0,)
        (updated,) = con.execute(
            "SELECT count(*) FROM matched WHERE newer AND origin <> ?", [BUNDLE_ORIGIN]
        ).fetchone() or (0,)
        (matched,) = con.execute("SELECT count(*) FROM matched").fetchone() or (0,)
        con.execute(
            "DELETE FROM events WHERE event_id IN "
            "(SELECT event_id FROM matched WHERE newer AND origin <> ?)",
            [BUNDLE_ORIGIN],
        )
        (top,) = con.execute("SELECT max(row_no) FROM events").fetchone() or (None,)
        base = max(int(top) + 1 if top is not None else 0, IMPORT_ROW_BASE)
        # Each row to write, with its place: a replaced row keeps its own, a new one follows
        # the store's last in file order.
        con.execute(
            "CREATE OR REPLACE TEMP TABLE placed AS SELECT f.staged_no, coalesce(m.row_no, "
            "? + row_number() OVER (ORDER BY f.line, f.event_id)) AS placed_no "
            "FROM fresh f LEFT JOIN matched m USING (event_id) "
            "WHERE m.event_id IS NULL OR (m.newer AND m.origin <> ?)",
            [base, BUNDLE_ORIGIN],
        )
        columns = [c for c in EVENT_TABLE_COLUMNS if c != "row_no"]
        con.execute(
            f"INSERT INTO events ({_names(columns)}, row_no) "
            f"SELECT {_names(columns, 's.')}, p.placed_no FROM placed p "
            "JOIN staging s ON s.rowid = p.staged_no"
        )
        (deleted,) = con.execute(
            "SELECT count(*) FROM events WHERE origin <> ? AND event_id IN "
            "(SELECT event_id FROM deletions)",
            [BUNDLE_ORIGIN],
        ).fetchone() or (0,)
        con.execute(
            "DELETE FROM events WHERE origin <> ? AND event_id IN (SELECT event_id FROM deletions)",
            [BUNDLE_ORIGIN],
        )
        for name in ("staging", "deletions", "fresh", "matched", "placed"):
            con.execute(f"DROP TABLE IF EXISTS {name}")
        self._counts = ImportCounts(
            new=int(new),
            updated=int(updated),
            unchanged=int(matched) - int(updated),
            deleted=int(deleted),
        )
