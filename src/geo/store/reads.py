"""Reads both engines answer with the same SQL: only the placeholder differs (``?`` for
DuckDB, ``%s`` for psycopg). A store class sets :attr:`SqlReads.MARK` and provides ``_rows``
and ``_arrow``; every value travels as a bound parameter."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
import pyarrow as pa

from geo import cells
from geo.store import sql
from geo.store.base import (
    BUNDLE_ORIGIN,
    EVENT_EXTRA_COLUMNS,
    EVENT_FRAME_COLUMNS,
    SITE_EXTRA_COLUMNS,
    SITE_FRAME_COLUMNS,
    monthly_table,
    to_frame,
)
from geo.view import ViewState, month_key

EVENT_TABLE_COLUMNS = [*EVENT_FRAME_COLUMNS, *EVENT_EXTRA_COLUMNS]
SITE_TABLE_COLUMNS = [*SITE_FRAME_COLUMNS, *SITE_EXTRA_COLUMNS, "row_no"]


def names(columns: Sequence[str], prefix: str = "") -> str:
    """Quoted column names for a select list (the names are the store's own, never user
    text)."""
    return ", ".join(f'{prefix}"{c}"' for c in columns)


class SqlReads:
    """The store reads whose SQL is the same on every engine. An engine sets its
    placeholder (``MARK``), how event ids sort by byte (``ID_ORDER``), and its point column
    for box tests (``GEOMETRY``, none: latitude and longitude only)."""

    MARK = sql.DUCK
    ID_ORDER = "event_id"
    GEOMETRY = ""

    def _rows(self, query: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    def _arrow(self, query: str, params: Sequence[object] = ()) -> pa.Table:
        raise NotImplementedError

    def _filter(self, state: ViewState) -> tuple[str, sql.Params]:
        return sql.event_filter(state, mark=self.MARK)

    def _counted(self, state: ViewState) -> tuple[str, str]:
        """Where the view's events are counted, and how: the events themselves, or (an
        engine that keeps them) a rollup whose rows carry counts. Either way the view's
        filter (:meth:`_filter`) applies unchanged."""
        return "events", "count(*)"

    def _site_names(self, columns: Sequence[str]) -> str:
        """The select list of site columns (an engine may read missing ones as empty)."""
        return names(columns)

    def _meta(self, key: str) -> str | None:
        rows = self._rows(f"SELECT value FROM meta WHERE key = {self.MARK}", [key])
        return str(rows[0][0]) if rows else None

    def events(self, state: ViewState, columns: Sequence[str] | None = None) -> pd.DataFrame:
        wanted = list(columns or EVENT_FRAME_COLUMNS)
        where, params = self._filter(state)
        table = self._arrow(
            f"SELECT {names([*wanted, 'row_no'])} FROM events WHERE {where} ORDER BY row_no",
            params,
        )
        return to_frame(table, wanted)

    def bundle_site_ids(self) -> set[str]:
        rows = self._rows(
            f"SELECT site_id FROM sites WHERE origin IS NULL OR origin IN ('', {self.MARK})",
            [BUNDLE_ORIGIN],
        )
        return {str(r[0]) for r in rows}

    def count_events(self, state: ViewState) -> int:
        where, params = self._filter(state)
        source, n = self._counted(state)
        return int(self._rows(f"SELECT coalesce({n}, 0) FROM {source} WHERE {where}", params)[0][0])

    def size(self) -> int:
        return int(self._rows("SELECT count(*) FROM events")[0][0])

    def category_counts(self, state: ViewState) -> dict[str, int]:
        where, params = self._filter(state)
        source, n = self._counted(state)
        rows = self._rows(f"SELECT category, {n} FROM {source} WHERE {where} GROUP BY 1", params)
        return {str(category): int(n) for category, n in rows}

    def in_view(self, state: ViewState, event_id: str) -> bool:
        where, params = self._filter(state)
        query = f"SELECT 1 FROM events WHERE {where} AND event_id = {self.MARK} LIMIT 1"
        return bool(self._rows(query, [*params, event_id]))

    def region_counts(self, state: ViewState) -> dict[str, int]:
        where, params = self._filter(state)
        source, n = self._counted(state)
        rows = self._rows(
            f"SELECT region, {n} FROM {source} WHERE {where} AND region <> '' GROUP BY 1",
            params,
        )
        return {str(region): int(n) for region, n in rows}

    def count_in_cell(self, state: ViewState, resolution: int, cell: int) -> int:
        column = cells.column(resolution)  # one of a fixed set of names, never user text
        where, params = self._filter(state)
        query = f'SELECT count(*) FROM events WHERE {where} AND "{column}" = {self.MARK}'
        return int(self._rows(query, [*params, int(cell)])[0][0])

    def event(self, event_id: str) -> pd.Series | None:
        table = self._arrow(
            f"SELECT {names([*EVENT_FRAME_COLUMNS, 'row_no'])} FROM events "
            f"WHERE event_id = {self.MARK} LIMIT 1",
            [event_id],
        )
        frame = to_frame(table, EVENT_FRAME_COLUMNS)
        return frame.iloc[0] if len(frame) else None

    def has_event(self, event_id: str) -> bool:
        query = f"SELECT 1 FROM events WHERE event_id = {self.MARK} LIMIT 1"
        return bool(self._rows(query, [event_id]))

    def bundle_ids(self) -> set[str]:
        query = f"SELECT event_id FROM events WHERE origin = {self.MARK}"
        return {str(r[0]) for r in self._rows(query, [BUNDLE_ORIGIN])}

    def month_span(self) -> tuple[str, str] | None:
        first, last = self._rows("SELECT min(start), max(stop) FROM events")[0]
        if first is None:
            return None
        return month_key(first), month_key(last)

    def table(self, name: str = "events", columns: Sequence[str] | None = None) -> pd.DataFrame:
        """A whole table, in data order (for exports and tests)."""
        if name not in ("events", "sites"):
            raise ValueError(name)
        known = EVENT_TABLE_COLUMNS if name == "events" else SITE_TABLE_COLUMNS
        wanted = [c for c in columns or known if c != "row_no"]
        table = self._arrow(f"SELECT {names([*wanted, 'row_no'])} FROM {name} ORDER BY row_no")
        return to_frame(table, wanted)

    def imports(self) -> pd.DataFrame:
        """The files imported as sites: file, kind, provenance, licence, rows, when."""
        rows = self._rows(
            "SELECT file, kind, provenance, licence, rows, imported FROM imports ORDER BY file"
        )
        return pd.DataFrame(
            rows, columns=["file", "kind", "provenance", "licence", "rows", "imported"]
        )

    def sites(self, state: ViewState) -> pd.DataFrame:
        where, params = sql.site_filter(state, mark=self.MARK)
        table = self._arrow(
            f"SELECT {self._site_names(SITE_TABLE_COLUMNS)} FROM sites WHERE {where} "
            "ORDER BY row_no",
            params,
        )
        return to_frame(table, SITE_FRAME_COLUMNS)

    def site(self, site_id: str) -> pd.Series | None:
        """One site by id, with the columns imported sites carry besides the bundle's."""
        wanted = [c for c in SITE_TABLE_COLUMNS if c != "row_no"]
        table = self._arrow(
            f"SELECT {self._site_names(SITE_TABLE_COLUMNS)} FROM sites "
            f"WHERE site_id = {self.MARK} ORDER BY row_no LIMIT 1",
            [site_id],
        )
        frame = to_frame(table, wanted)
        return frame.iloc[0] if len(frame) else None

    def site_details(self, state: ViewState, columns: Sequence[str]) -> pd.DataFrame:
        """``site_id`` and the named columns (any the store keeps, such as an imported
        site's ``amount`` or ``geometry_wkt``) of the sites the view's filters keep, in data
        order; the chart selection is not applied (callers match on ``site_id``)."""
        unknown = [c for c in columns if c not in SITE_TABLE_COLUMNS]
        if unknown:
            raise ValueError(f"unknown site column(s): {', '.join(unknown)}")
        wanted = ["site_id", *(c for c in columns if c not in ("site_id", "row_no"))]
        where, params = sql.site_filter(state, mark=self.MARK)
        table = self._arrow(
            f"SELECT {self._site_names([*wanted, 'row_no'])} FROM sites WHERE {where} "
            "ORDER BY row_no",
            params,
        )
        return to_frame(table, wanted)

    def monthly_counts(self, state: ViewState) -> tuple[pd.DataFrame, int]:
        where, params = self._filter(state)
        source, n = self._counted(state)
        first = sql.month_range(state)[0]
        rows = self._rows(
            # An event that started before the view counts in its first month (greatest()
            # skips NULLs: an undated event stays NULL only through the CASE).
            "SELECT CASE WHEN start IS NULL THEN NULL "
            f"ELSE greatest(date_trunc('month', start)::date, {self.MARK}::date) END AS month, "
            f"iso, {n} FROM {source} WHERE {where} GROUP BY 1, 2",
            [first, *params],
        )
        return monthly_table(state, rows)

    def events_page(
        self, state: ViewState, limit: int, offset: int = 0, *, with_figures: bool = False
    ) -> pd.DataFrame:
        """Events in view by date (undated last), a page of them; ``with_figures``: only
        those with a reported participants or arrests figure."""
        where, params = self._filter(state)
        if with_figures:
            where += " AND (participants <> '' OR arrests <> '')"
        return self._page(where, params, limit, offset)

    def cell_counts(
        self,
        state: ViewState,
        resolution: int,
        bbox: tuple[float, float, float, float] | None = None,
    ) -> pd.DataFrame:
        """Events in view per H3 cell (``cell``, ``events``), optionally inside a box."""
        column = cells.column(resolution)  # one of a fixed set of names, never user text
        where, params = self._filter(state)
        box, box_params = sql.bbox_filter(bbox, mark=self.MARK, geometry=self.GEOMETRY)
        rows = self._rows(
            f'SELECT "{column}" AS cell, count(*) AS events FROM events '
            f"WHERE {where} AND {box} GROUP BY 1 ORDER BY 1",
            [*params, *box_params],
        )
        return pd.DataFrame(rows, columns=["cell", "events"]).astype("int64")

    def events_in_cell(
        self, state: ViewState, resolution: int, cell: int, limit: int = 50, offset: int = 0
    ) -> pd.DataFrame:
        column = cells.column(resolution)
        where, params = self._filter(state)
        return self._page(
            f'{where} AND "{column}" = {self.MARK}', [*params, int(cell)], limit, offset
        )

    def _page(self, where: str, params: Sequence[object], limit: int, offset: int) -> pd.DataFrame:
        """Events matching ``where`` by date (undated last, then by id), one page."""
        table = self._arrow(
            f"SELECT {names([*EVENT_FRAME_COLUMNS, 'row_no'])} FROM events WHERE {where} "
            f"ORDER BY start NULLS LAST, {self.ID_ORDER} LIMIT {self.MARK} OFFSET {self.MARK}",
            [*params, int(limit), int(offset)],
        )
        return to_frame(table, EVENT_FRAME_COLUMNS)
