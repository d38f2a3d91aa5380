"""Apply a ViewState to the data: what is in view, and what supports it.

The filters run in SQL with bound parameters (:mod:`geo.store.sql`): on the store behind a
bundle (:func:`geo.store.store_for`) for :func:`apply`, and on the given frame (through an
in-process DuckDB) for :func:`filter_events` and :func:`filter_sites`. Either way the rows
come back as the bundle shapes them, in data order with their original index.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Container
from dataclasses import dataclass
from datetime import date

import duckdb
import pandas as pd

from geo import funding
from geo.bundle import Bundle, load_admin1
from geo.picks import events_matching
from geo.regions import region_names
from geo.store import sql, store_for
from geo.validate import split_ids
from geo.view import Bounds, ViewState


@dataclass(frozen=True)
class Filtered:
    """What the view shows: ``events`` and ``sites`` on the map, and ``unpicked`` (the events
    before any chart selection), which the charts draw so the selection stays in context."""

    events: pd.DataFrame
    sites: pd.DataFrame
    unpicked: pd.DataFrame | None = None

    @property
    def count(self) -> int:
        return len(self.events) + len(self.sites)


def month_range(state: ViewState) -> tuple[date, date]:
    """First and last day of the view's month range."""
    return sql.month_range(state)


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
    when the view includes them)."""
    if events.empty:
        return events
    return events.iloc[_positions(events, state, sql.event_filter)]


def filter_sites(sites: pd.DataFrame, state: ViewState) -> pd.DataFrame:
    """Sites matching the filters that were open at some time in the month range; a site
    with unknown dates is always shown."""
    if sites.empty:
        return sites
    return sites.iloc[_positions(sites, state, sql.site_filter)]


def apply(bundle: Bundle, state: ViewState) -> Filtered:
    """The filters (run in the bundle's store), then the chart selection: selected bars or
    points keep their events only, and sites step aside while a selection is active, but
    for the projects a site chart's bars select (:mod:`geo.funding`)."""
    store = store_for(bundle)
    events = store.events(state)
    sites = store.sites(state)
    if not state.picks:
        return Filtered(events, sites, events)
    picked_sites = sites.iloc[0:0]
    if any(funding.is_site_pick(k) for k in state.picks):  # a site chart's bars: projects
        details = store.site_details(state, funding.DETAIL_COLUMNS)
        picked_sites = funding.sites_matching(sites, details, state.picks)
    return Filtered(events_matching(events, state.picks, state.start), picked_sites, events)


@dataclass(frozen=True)
class Selection:
    """The selected event or site, its source and the excerpts that support it."""

    kind: str  # "event" or "site"
    record: pd.Series
    source: pd.Series | None
    excerpts: pd.DataFrame  # with the citation columns of each excerpt's source


def selection(bundle: Bundle, selected: str | None) -> Selection | None:
    if not selected:
        return None
    found = [
        (kind, frame[frame[key] == selected])
        for kind, frame, key in (
            ("event", bundle.events, "event_id"),
            ("site", bundle.sites, "site_id"),
        )
    ]
    hits = [(kind, match.iloc[0]) for kind, match in found if len(match)]
    if not hits:
        # An imported event or site lives in the store only.
        store = store_for(bundle)
        event = store.event(selected)
        site = store.site(selected) if event is None else None
        hits = (
            [("event", event)]
            if event is not None
            else [("site", site)]
            if site is not None
            else []
        )
    if not hits:
        return None
    kind, record = hits[0]
    ids = split_ids(str(record["excerpt_ids"]))
    excerpts = bundle.excerpts[bundle.excerpts["excerpt_id"].isin(ids)]
    excerpts = excerpts.merge(
        bundle.sources.drop(columns=["line"]), on="source_id", how="left", suffixes=("", "_src")
    )
    excerpts = excerpts.set_index("excerpt_id").loc[
        [i for i in ids if i in set(excerpts["excerpt_id"])]
    ]
    sources = bundle.sources[bundle.sources["source_id"] == record["source_id"]]
    source = sources.iloc[0] if len(sources) else None
    return Selection(kind, record, source, excerpts.reset_index())


class KnownIds(Container[str]):
    """The ids a view can select: the bundle's events and sites, and whatever the store
    holds (imported events are looked up, not listed: there may be a million)."""

    def __init__(self, data: Bundle) -> None:
        self._bundled = frozenset(data.events["event_id"]) | frozenset(data.sites["site_id"])
        self._data = data

    def __contains__(self, item: object) -> bool:
        if not isinstance(item, str):
            return False
        if item in self._bundled:
            return True
        store = store_for(self._data)
        return store.has_event(item) or store.site(item) is not None


def bounds_for(data: Bundle) -> Bounds:
    """What a view of this data may hold: months from the first event to the last (imported
    ones included), the selectable ids and the regions. The app and ``geo export --url``
    decode links against the same bounds."""
    first, last = data.month_span()
    span = store_for(data).month_span()
    if span is not None:
        first, last = min(first, span[0]), max(last, span[1])
    return Bounds(first, last, KnownIds(data), region_names(load_admin1()))
