"""Reads both engines answer with the same SQL: only the placeholder differs (``?`` for
DuckDB, ``%s`` for psycopg). A store class sets :attr:`SqlReads.MARK` and provides ``_rows``
and ``_arrow``; every value travels as a bound parameter."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
import pyarrow as pa

from geo.store import cells, sql
from geo.store.base import (
    BUNDLE_ORIGIN,
    EVENT_EXTRA_COLUMNS,
    EVENT_FRAME_COLUMNS,
    SITE_EXTRA_COLUMNS,
    SITE_FRAME_COLUMNS,
    to_frame,
)
from geo.view import ViewState

EVENT_TABLE_COLUMNS = [*EVENT_FRAME_COLUMNS, *EVENT_EXTRA_COLUMNS]
SITE_TABLE_COLUMNS = [*SITE_FRAME_COLUMNS, *SITE_EXTRA_COLUMNS, "row_no"]


def names(columns: Sequence[str], prefix: str = "") -> str:
    """Quoted column names for a select list (the names are the store's own, never user
    text)."""
    return ", ".join(f'{prefix}"{c}"' for c in columns)


class SqlReads:
    """The store reads whose SQL is the same on every engine."""

    MARK = sql.DUCK

    def _rows(self, query: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    def _arrow(self, query: str, params: Sequence[object] = ()) -> pa.Table:
        raise NotImplementedError

    def _filter(self, state: ViewState) -> tuple[str, sql.Params]:
        return sql.event_filter(state, mark=self.MARK)

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
        return int(self._rows(f"SELECT count(*) FROM events WHERE {where}", params)[0][0])

    def size(self) -> int:
        return int(self._rows("SELECT count(*) FROM events")[0][0])

    def category_counts(self, state: ViewState) -> dict[str, int]:
        where, params = self._filter(state)
        rows = self._rows(f"SELECT category, count(*) FROM events WHERE {where} GROUP BY 1", params)
        return {str(category): int(n) for category, n in rows}

    def in_view(self, state: ViewState, event_id: str) -> bool:
        where, params = self._filter(state)
        query = f"SELECT 1 FROM events WHERE {where} AND event_id = {self.MARK} LIMIT 1"
        return bool(self._rows(query, [*params, event_id]))

    def region_counts(self, state: ViewState) -> dict[str, int]:
        where, params = self._filter(state)
        rows = self._rows(
            f"SELECT region, count(*) FROM events WHERE {where} AND region <> '' GROUP BY 1",
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
        return f"{first:%Y-%m}", f"{last:%Y-%m}"

    def table(self, name: str = "events", columns: Sequence[str] | None = None) -> pd.DataFrame:
        """A whole table, in data order (for exports and tests)."""
        if name not in ("events", "sites"):
            raise ValueError(name)
        known = EVENT_TABLE_COLUMNS if name == "events" else SITE_TABLE_COLUMNS
        wanted = [c for c in columns or known if c != "row_no"]
        table = self._arrow(f"SELECT {names([*wanted, 'row_no'])} FROM {name} ORDER BY row_no")
        return to_frame(table, wanted)
