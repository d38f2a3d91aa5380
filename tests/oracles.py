"""Test oracles: the view's filters and aggregates computed a second way, on frames with
pandas (or the filters' SQL on a frame), which the store's answers are held to.

The product has one implementation of each, the store's (:mod:`geo.store`); these are
independent enough to catch it going wrong, and small enough to read.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import duckdb
import pandas as pd

from geo.store import sql
from geo.view import ViewState

# ---- the filters' SQL, run on a frame ----

_FRAMES = duckdb.connect()
_FRAMES_LOCK = threading.Lock()
_FILTER_COLUMNS = ("iso", "category", "region", "search_text", "start", "stop")


def _positions(
    frame: pd.DataFrame, state: ViewState, where: Callable[..., tuple[str, list[object]]]
) -> list[int]:
    """Positions of the frame's rows that the WHERE clause keeps, in order."""
    present = [c for c in _FILTER_COLUMNS if c in frame]
    columns = pd.DataFrame({c: frame[c].to_numpy() for c in present})
    columns["position"] = range(len(frame))
    clause, params = where(state, has_region="region" in frame)
    with _FRAMES_LOCK:
        cursor = _FRAMES.cursor()
    try:
        cursor.register("frame", columns)
        rows = cursor.execute(
            f"SELECT position FROM frame WHERE {clause} ORDER BY position", params
        ).fetchall()
    finally:
        cursor.close()
    return [int(r[0]) for r in rows]


def filter_events(events: pd.DataFrame, state: ViewState) -> pd.DataFrame:
    """Events matching the filters whose dates overlap the month range (undated ones too,
    when the view includes them), in the frame's order with its index."""
    if events.empty:
        return events
    return events.iloc[_positions(events, state, sql.event_filter)]


def filter_sites(sites: pd.DataFrame, state: ViewState) -> pd.DataFrame:
    """Sites matching the filters that were open at some time in the month range; a site
    with unknown dates is always shown."""
    if sites.empty:
        return sites
    return sites.iloc[_positions(sites, state, sql.site_filter)]
