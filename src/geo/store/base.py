"""The store's interface, the columns it keeps, and turning frames into its rows.

Two interfaces, so the app runs the same on the embedded engine (DuckDB in process,
:mod:`geo.store.duck`) and on the server engine (PostgreSQL with PostGIS, :mod:`geo.store.pg`):
:class:`StoreReader`, what the pages read to show a view, and :class:`StoreWriter`, what the
importers and loaders write; :class:`Store` is both. Reads take a
:class:`~geo.view.ViewState` and return pandas frames shaped like the bundle's (same columns,
dtypes and index: each row's ``row_no``), or small aggregates; writes go through an import
batch that commits whole or not at all. What only a shared database does (its curated data,
publishing a data folder to it) is in :mod:`geo.store.shared`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np
import pandas as pd
import pyarrow as pa

from geo import cells
from geo.model import (
    AREAS,
    DATE_COLUMNS,
    EVENT_COLUMNS,
    NUMBER_COLUMNS,
    SITE_COLUMNS,
    WHOLE_NUMBER_COLUMNS,
    blank_missing_text,
)
from geo.view import ViewState, month_key, months_between

if TYPE_CHECKING:
    from geo.bundle import Bundle

# Columns of the bundle's frames, in their order: what reads return.
EVENT_FRAME_COLUMNS: list[str] = [*EVENT_COLUMNS, "start", "stop", "line", "region", "search_text"]
SITE_FRAME_COLUMNS: list[str] = [*SITE_COLUMNS, "start", "stop", "line", "region", "search_text"]
# Kept beside them: where a row came from, ACLED's timestamp and precision codes, more
# ACLED fields, the H3 cells, and the row's place in the data (bundle rows first).
EVENT_EXTRA_COLUMNS: list[str] = [
    "origin",
    "updated",
    "geo_precision_code",
    "time_precision_code",
    "actor2",
    "admin2",
    "source_name",
    *(cells.column(r) for r in cells.RESOLUTIONS),
    "row_no",
]
# Kept beside a site: what imported sites (AidData projects, facility lists) carry besides the
# bundle's columns, where the row came from, and its place in the data.
SITE_EXTRA_COLUMNS: list[str] = [
    "geometry_wkt",
    "completed",
    "amount",
    "for_aggregates",
    "currency_year",
    "sector",
    "status",
    "funder",
    "flags",
    "provenance",
    "licence",
    "origin",
]
BUNDLE_ORIGIN = "bundle"
# Imported rows are numbered after every possible bundle row.
IMPORT_ROW_BASE = 1 << 32

# Every other column is text (geo.model says which columns are not).
_FLOATS = NUMBER_COLUMNS
_DATES = DATE_COLUMNS
_INTS = WHOLE_NUMBER_COLUMNS | {cells.column(r) for r in cells.RESOLUTIONS}


def arrow_type(column: str) -> pa.DataType:
    if column in _FLOATS:
        return pa.float64()
    if column in _DATES:
        return pa.date32()
    if column in _INTS:
        return pa.int64()
    return pa.string()


def sql_type(column: str) -> str:
    return {pa.float64(): "DOUBLE", pa.date32(): "DATE", pa.int64(): "BIGINT"}.get(
        arrow_type(column), "VARCHAR"
    )


def _array(column: str, values: pd.Series) -> pa.Array:
    kind = arrow_type(column)
    if kind == pa.string():
        return pa.array(values.fillna("").astype(str).tolist(), type=kind)
    if kind == pa.date32():
        return pa.array([v if isinstance(v, date) else None for v in values], type=kind)
    if kind == pa.int64():
        return pa.array(pd.to_numeric(values, errors="coerce"), type=kind, from_pandas=True)
    return pa.array(values.astype("float64"), type=kind, from_pandas=True)


def frames_of(rows: pd.DataFrame | Iterable[pd.DataFrame]) -> Iterator[pd.DataFrame]:
    """A frame, or chunks of one, as chunks."""
    if isinstance(rows, pd.DataFrame):
        yield rows
    else:
        yield from rows


def to_arrow(frame: pd.DataFrame, columns: Sequence[str]) -> pa.Table:
    """The frame's ``columns`` as an Arrow table with the store's types; missing columns are
    empty ("" or null)."""
    arrays = []
    for column in columns:
        if column in frame:
            arrays.append(_array(column, frame[column]))
        else:
            empty = "" if arrow_type(column) == pa.string() else None
            arrays.append(pa.array([empty] * len(frame), type=arrow_type(column)))
    return pa.Table.from_arrays(arrays, names=list(columns))


def with_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with its H3 cell columns (computed from latitude and longitude)."""
    out = frame.copy()
    found = cells.cells_for(
        out["latitude"].to_numpy(dtype="float64"), out["longitude"].to_numpy(dtype="float64")
    )
    for resolution, values in found.items():
        out[cells.column(resolution)] = values
    return out


def to_frame(table: pa.Table, columns: Sequence[str]) -> pd.DataFrame:
    """Rows read from the store as the bundle shapes them: dates as ``date`` objects (None
    when unknown), a missing text value as "" (a column a store file lacks, a NULL),
    ``region`` as plain objects, indexed by ``row_no``."""
    frame = blank_missing_text(table.to_pandas(date_as_object=True))
    index = pd.Index(frame.pop("row_no").to_numpy(dtype="int64")) if "row_no" in frame else None
    if "region" in frame:
        frame["region"] = frame["region"].astype(object)
    for column in _DATES & set(frame.columns):
        frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    if index is not None:
        frame.index = index
    return frame[[c for c in columns if c in frame]]


class StoreError(RuntimeError):
    """The store cannot be opened, reached or written."""


class StoreNotWritable(StoreError):
    """The store answers, but refuses a change: its database role may only read it."""


class StoreFileError(StoreError):
    """A store file that cannot be used: in a missing folder, a folder itself, unreadable,
    read-only or damaged. ``str()`` names the file as it was given (for the commands);
    :attr:`public` names only the file's name, never the server's folders (for a page)."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"cannot open the store {path}: {reason}")
        self.path = path
        self.reason = reason

    @property
    def public(self) -> str:
        """The problem in words for a visitor: the file's name and the reason, with every
        folder left out."""
        return (
            f"the store file {Path(self.path).name} cannot be used: {without_folders(self.reason)}"
        )


# An absolute path in a message, quoted or bare: its folders are dropped, its name kept.
_ABSOLUTE_PATH = re.compile(r"(?<![\w.])/(?:[^\s\"'/:]+/)*([^\s\"'/:]*)")


def without_folders(text: str) -> str:
    """``text`` with every absolute path in it shortened to its last part (a file's name)."""
    return _ABSOLUTE_PATH.sub(lambda m: m.group(1) or "/", text)


@dataclass(frozen=True)
class ImportCounts:
    """What an import batch changed in the store."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0


# Rows of one id within an imported file, read in file order (``row_no`` is the row's
# ordinal among the staged rows): a row whose timestamp equals the newest one before it is a
# duplicate, rejected (``first_line``: the line that has that timestamp first); any other
# row after the first supersedes, or is superseded by, the newest before it. Asked of the
# staged rows in the store, so an import keeps no per-row state of its own.
_STAGED_ORDER = (
    "SELECT row_no, line, event_id, updated, "
    "max(updated) OVER (PARTITION BY event_id ORDER BY row_no "
    "ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS newest_before, "
    "min(line) OVER (PARTITION BY event_id, updated) AS first_line FROM staging"
)
DUPLICATES_SQL = (
    f"SELECT line, event_id, first_line FROM ({_STAGED_ORDER}) AS s "
    "WHERE updated = newest_before ORDER BY row_no"
)
DROP_DUPLICATES_SQL = (
    f"DELETE FROM staging WHERE row_no IN (SELECT row_no FROM ({_STAGED_ORDER}) AS s "
    "WHERE updated = newest_before)"
)
SUPERSEDED_SQL = (
    f"SELECT count(*) FROM ({_STAGED_ORDER}) AS s "
    "WHERE newest_before IS NOT NULL AND updated <> newest_before"
)
STAGED_IDS_SQL = "SELECT count(DISTINCT event_id) FROM staging"


@dataclass(frozen=True)
class Staged:
    """What the staged rows of an import hold: how many duplicates were dropped, how many
    rows another row of the file supersedes, how many ids."""

    duplicates: int
    superseded: int
    ids: int


# A duplicate's line, its id and the line it repeats.
Duplicate = Callable[[int, str, int], None]
# Duplicates fetched from the store at a time (a file may hold millions).
DUPLICATES_FETCH = 10_000


class ImportBatch(Protocol):
    """Rows staged for one import; merged into the store when the batch closes cleanly."""

    def add(self, rows: pd.DataFrame) -> None: ...

    def settle(self, duplicate: Duplicate) -> Staged:
        """Drop the staged rows that repeat an id with the same timestamp, telling
        ``duplicate`` of each in file order, and say what the staged rows hold (see
        :class:`Staged`)."""
        ...

    def delete(self, event_ids: Sequence[str]) -> None: ...

    @property
    def counts(self) -> ImportCounts: ...


class StoreReader(Protocol):
    """What the atlas asks of a store to show a view: the rows and counts in view, one event
    or site, and what the store holds (its size, months, imported files). Every filter value
    is a bound parameter."""

    @property
    def version(self) -> str:
        """Changes whenever the store's rows change (a cache key)."""
        ...

    def events(self, state: ViewState, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """Events in view, in data order, indexed by row number."""
        ...

    def sites(self, state: ViewState) -> pd.DataFrame: ...

    def count_events(self, state: ViewState) -> int: ...

    def monthly_counts(self, state: ViewState) -> tuple[pd.DataFrame, int]:
        """Events per month (rows) and country (columns), and the undated ones in view."""
        ...

    def region_counts(self, state: ViewState) -> dict[str, int]: ...

    def category_counts(self, state: ViewState) -> dict[str, int]: ...

    def actor_counts(self, state: ViewState, limit: int) -> tuple[list[tuple[str, int]], int]:
        """The ``limit`` actors in the most events (ties by name), and how many there are."""
        ...

    def events_page(
        self, state: ViewState, limit: int, offset: int = 0, *, with_figures: bool = False
    ) -> pd.DataFrame:
        """A page of the events in view by date; ``with_figures``: those with figures."""
        ...

    def in_view(self, state: ViewState, event_id: str) -> bool: ...

    def cell_counts(
        self,
        state: ViewState,
        resolution: int,
        bbox: tuple[float, float, float, float] | None = None,
    ) -> pd.DataFrame:
        """Events in view per H3 cell (``cell``, ``events``), optionally inside a box."""
        ...

    def events_in_cell(
        self, state: ViewState, resolution: int, cell: int, limit: int = 50, offset: int = 0
    ) -> pd.DataFrame: ...

    def count_in_cell(self, state: ViewState, resolution: int, cell: int) -> int: ...

    def event(self, event_id: str) -> pd.Series | None: ...

    def has_event(self, event_id: str) -> bool: ...

    def site(self, site_id: str) -> pd.Series | None: ...

    def site_details(self, state: ViewState, columns: Sequence[str]) -> pd.DataFrame:
        """``site_id`` and the named store columns of the sites the filters keep."""
        ...

    def size(self) -> int: ...

    def month_span(self) -> tuple[str, str] | None: ...

    def imports(self) -> pd.DataFrame:
        """The imported files, with their provenance and licence."""
        ...

    def table(self, name: str = "events", columns: Sequence[str] | None = None) -> pd.DataFrame:
        """A whole table, in data order."""
        ...


class StoreWriter(Protocol):
    """What the importers and the loaders ask of a store: the curated data loaded, imported
    events merged through a batch that commits whole or not at all, imported sites merged,
    and the curated ids an import must leave alone."""

    def importing(self) -> AbstractContextManager[ImportBatch]: ...

    def merge_sites(
        self,
        rows: pd.DataFrame | Iterable[pd.DataFrame],
        *,
        file: str = "",
        kind: str = "",
        provenance: str = "",
        licence: str = "",
    ) -> ImportCounts: ...

    def load_bundle(self, bundle: Bundle) -> None:
        """Replace the curated rows with the bundle's; imported rows stay."""
        ...

    def sync_bundle(self, bundle: Bundle) -> None:
        """Load the bundle's curated rows when the store does not hold them yet."""
        ...

    def bundle_ids(self) -> set[str]:
        """The curated events' ids (an import does not replace them)."""
        ...

    def bundle_site_ids(self) -> set[str]:
        """The curated sites' ids (an import does not replace them)."""
        ...

    def close(self) -> None: ...


class Store(StoreReader, StoreWriter, Protocol):
    """A store read and written by the same code: the app's (its import page writes into the
    store it shows), a benchmark's."""


def monthly_table(
    state: ViewState, rows: Sequence[tuple[object, object, object]]
) -> tuple[pd.DataFrame, int]:
    """Events per month (rows, "YYYY-MM") and country (columns) over the view's months, and
    the undated ones, from ``(first day of month or None, iso, count)`` rows."""
    months = months_between(state.start, state.end)
    counts: dict[str, dict[str, int]] = {iso: dict.fromkeys(months, 0) for iso in AREAS}
    undated = 0
    for month, iso, n in rows:
        if month is None:
            undated += int(str(n))
            continue
        label = month_key(month) if isinstance(month, date) else str(month)[:7]
        column = counts.get(str(iso))
        if column is not None and label in column:
            column[label] += int(str(n))
    table = pd.DataFrame(counts, index=pd.Index(months, name="month"), columns=list(AREAS))
    return table.astype("int64"), undated


def chunks(frame: pd.DataFrame, size: int) -> Iterator[pd.DataFrame]:
    for start in range(0, len(frame), size):
        yield frame.iloc[start : start + size]


def as_int64(values: object) -> np.ndarray:
    return np.asarray(values, dtype=np.int64)


# A frame's columns held as Python objects (pandas reads them back as its string type).
_OBJECT_COLUMNS = b"geo_object_columns"


def frame_to_ipc(frame: pd.DataFrame) -> bytes:
    """A frame as an Arrow IPC stream: its index, columns and dtypes, read back exactly by
    :func:`frame_from_ipc` (dates stay ``date`` objects, object columns stay objects)."""
    table = pa.Table.from_pandas(frame, preserve_index=True)
    objects = [str(c) for c in frame.columns if frame[c].dtype == object]
    table = table.replace_schema_metadata(
        {**(table.schema.metadata or {}), _OBJECT_COLUMNS: json.dumps(objects).encode()}
    )
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return bytes(sink.getvalue())


def frame_from_ipc(data: bytes) -> pd.DataFrame:
    """A frame written by :func:`frame_to_ipc`, with a missing text value as ""."""
    table = pa.ipc.open_stream(pa.py_buffer(data)).read_all()
    frame = table.to_pandas(date_as_object=True)
    objects = json.loads((table.schema.metadata or {}).get(_OBJECT_COLUMNS, b"[]"))
    for column in objects:
        frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    return blank_missing_text(frame)
