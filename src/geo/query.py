"""Apply a ViewState to the data: what is in view, and what supports it.

The filters, the chart selection and every count run in SQL with bound parameters
(:mod:`geo.store.sql`) on the store behind a bundle (:func:`geo.store.store_for`): each
aggregate has that one implementation. Rows come back as the bundle shapes them, in data
order with their original index.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Container, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

import pandas as pd

from geo import cells, funding, placenames
from geo.bundle import Bundle, load_admin1
from geo.model import blank_missing_text
from geo.regions import region_names
from geo.sharedcache import SharedCache
from geo.store import EVENT_FRAME_COLUMNS, StoreReader, sql, store_for
from geo.store.base import monthly_table
from geo.validate import split_ids
from geo.view import Bounds, ViewState, plausible_span
from geo.viewport import resolution_for, view_bbox

T = TypeVar("T")

# At or under this many events and sites in view, the page reads them (one marker each, charts
# counted from the rows); past it, everything is counted in the store and nothing reads every
# event (the map draws H3 hexagons, the charts draw SQL aggregates).
THRESHOLD = 2_000
MAX_CELLS = 3_000  # past this many hexagons in view, a coarser resolution
# Past the threshold, the participants and arrests chart draws at most this many events (only
# events with a reported figure are read; imported event files seldom carry any).
FIGURE_EVENTS = 5_000


class Filtered:
    """What the view shows: ``events`` and ``sites`` on the map, and ``unpicked`` (the events
    before any chart selection), which the charts draw so the selection stays in context.

    Made by :func:`apply` from a store: a small view's events are read (as the store picks
    them), a view past :data:`THRESHOLD` reads them only when asked for; either way its
    counts and aggregates are the store's. Only :meth:`sites_only` makes one without a store,
    which holds no events (so there is nothing to count).
    """

    def __init__(
        self,
        events: pd.DataFrame | None,
        sites: pd.DataFrame,
        unpicked: pd.DataFrame | None = None,
        *,
        store: StoreReader | None = None,
        state: ViewState | None = None,
        event_count: int | None = None,
        unpicked_count: int | None = None,
    ) -> None:
        if events is None and (store is None or state is None or event_count is None):
            raise ValueError("lazy events need a store, a state and their count")
        if store is not None and state is None:
            raise ValueError("a store's events need the view they were read for")
        if store is None and events is not None and len(events):
            raise ValueError("events are counted in the store: give the store they came from")
        self._events = events
        self.sites = sites
        self._unpicked = unpicked
        self.store = store
        self.state = state
        self.event_count = len(events) if events is not None else int(event_count or 0)
        if unpicked_count is not None:
            self.unpicked_count = int(unpicked_count)
        else:
            self.unpicked_count = len(unpicked) if unpicked is not None else self.event_count

    @property
    def events(self) -> pd.DataFrame:
        if self._events is None:
            assert self.store is not None and self.state is not None
            self._events = self.store.events(self.state)
        return self._events

    @property
    def unpicked(self) -> pd.DataFrame | None:
        if self._unpicked is None and self.store is not None and self.state is not None:
            if not self.state.picks:
                return self.events
            self._unpicked = self.store.events(unpicked(self.state))
        return self._unpicked

    @property
    def count(self) -> int:
        return self.event_count + len(self.sites)

    @property
    def at_scale(self) -> bool:
        """Past :data:`THRESHOLD`: hexagons and SQL aggregates, not rows."""
        return self.count > THRESHOLD

    @property
    def charts_in_store(self) -> bool:
        """The charts' events (before any chart selection) are past :data:`THRESHOLD`: the
        charts draw the store's aggregates."""
        return self.unpicked_count > THRESHOLD and self.store is not None

    @property
    def lazy(self) -> bool:
        """The events have not been read (and need not be for counts and charts)."""
        return self._events is None

    def month_counts(self) -> tuple[pd.DataFrame, int]:
        """Events in view (the chart selection's, if any) per month and country, and the
        undated ones, counted in the store (see :meth:`geo.store.StoreReader.monthly_counts`)."""
        if self.state is None:
            raise ValueError("no view to count the months of")
        if self.store is None:
            return monthly_table(self.state, [])  # no events (sites_only): every month at zero
        return aggregate(self.store, self.state, "month", self.store.monthly_counts)

    def undated_count(self) -> int:
        """How many events in view have no date (counted in the store)."""
        return self.month_counts()[1] if self.store is not None else 0

    def region_counts(self) -> dict[str, tuple[int, int]]:
        """(events, sites) in view per region name: the events counted in the store, the
        sites (which the store does not count per region) from the sites in view."""
        events: dict[str, int] = {}
        if self.store is not None and self.state is not None:
            events = aggregate(self.store, self.state, "regions", self.store.region_counts)
        sites = self.sites["region"].value_counts() if len(self.sites) else pd.Series()
        names = set(events) | {str(n) for n in sites.index if n}
        return {n: (int(events.get(n, 0)), int(sites.get(n, 0))) for n in names}

    def first_events(self, limit: int) -> tuple[pd.DataFrame, int]:
        """Up to ``limit`` events in view by date (undated last), and how many there are."""
        if self.lazy and self.store is not None and self.state is not None:
            return self.store.events_page(self.state, limit), self.event_count
        ordered = self.events.sort_values(["start", "event_id"], na_position="last")
        return ordered.head(limit), len(self.events)

    def sites_only(self) -> Filtered:
        """The same sites with no events (the map's markers past the threshold)."""
        return Filtered(
            pd.DataFrame({c: [] for c in EVENT_FRAME_COLUMNS}), self.sites, state=self.state
        )

    def shows_event(self, event_id: str) -> bool:
        """Whether the event is among those in view."""
        if self.lazy and self.store is not None and self.state is not None:
            return self.store.in_view(self.state, event_id)
        return bool((self.events["event_id"] == event_id).any())


# The store's answers for a view (its counts), and its rows while few, for every session.
_AGGREGATES = SharedCache(128)
_ROWS = SharedCache(32, keep=lambda frame: len(frame) <= THRESHOLD)
# Runs a large view's aggregates side by side while the page goes on (a server engine answers
# them on separate connections; DuckDB on separate cursors).
_PREFETCH = ThreadPoolExecutor(max_workers=4, thread_name_prefix="geo-aggregate")
TOP_ACTORS = 12


def _filters(view: ViewState) -> tuple[object, ...]:
    """What of a view decides its counts (not the selection, centre or zoom)."""
    return (
        view.start,
        view.end,
        view.countries,
        view.categories,
        view.regions,
        view.query,
        view.undated,
        view.picks,
    )


def aggregate(store: StoreReader, view: ViewState, name: str, count: Callable[[ViewState], T]) -> T:
    """``count(view)``, remembered per store version and the view's filters: a rerun that
    changes no filter (a marker click, a pan, a zoom) asks the store nothing again, and a
    caller asking while another computes the same answer waits for it."""
    key = (id(store), store.version, name, _filters(view))
    return _AGGREGATES.get(key, lambda: count(view))


def rows(
    store: StoreReader, view: ViewState, name: str, read: Callable[[ViewState], pd.DataFrame]
) -> pd.DataFrame:
    """``read(view)``: rows of the view, kept as :func:`aggregate` keeps its answers (per
    store version and the view's filters) when there are at most :data:`THRESHOLD` of them,
    so the page of a small view reads them once for every session. Shared: read-only."""
    key = (id(store), store.version, name, _filters(view))
    return _ROWS.get(key, lambda: read(view))


def prefetch(store: StoreReader, view: ViewState) -> None:
    """Start the aggregates a large view's page will ask for (its timeline, categories,
    top actors and regions), so they run side by side rather than one after another."""
    before = unpicked(view)
    jobs: list[tuple[ViewState, str, Callable[[ViewState], object]]] = [
        (before, "month", store.monthly_counts),
        (before, "category", store.category_counts),
        (before, "actor", lambda v: store.actor_counts(v, TOP_ACTORS)),
        (view, "regions", store.region_counts),
    ]
    for state, name, count in jobs:
        _PREFETCH.submit(_quietly, store, state, name, count)


def _quietly(
    store: StoreReader, view: ViewState, name: str, count: Callable[[ViewState], object]
) -> None:
    # A failure is kept in the cache entry's future and raised to the page that asks.
    with contextlib.suppress(Exception):
        aggregate(store, view, name, count)


def unpicked(state: ViewState) -> ViewState:
    """The view without its chart selection (what the charts draw)."""
    return state.with_picks(()) if state.picks else state


def month_range(state: ViewState) -> tuple[date, date]:
    """First and last day of the view's month range."""
    return sql.month_range(state)


def apply(bundle: Bundle, state: ViewState) -> Filtered:
    """The filters (run in the bundle's store), then the chart selection: selected bars or
    points keep their events only, and sites step aside while a selection is active, but
    for the projects a site chart's bars select (:mod:`geo.funding`). Past
    :data:`THRESHOLD` the events are counted, not read."""
    store = store_for(bundle)
    # A small view's rows are read once per store version and filters for every session
    # (the frames are shared: read-only, as the bundle's).
    sites = rows(store, state, "sites", store.sites)
    picked_sites = sites
    if state.picks:
        picked_sites = sites.iloc[0:0]  # an empty frame of an Arrow-backed one is not free
    if any(funding.is_site_pick(k) for k in state.picks):  # a site chart's bars: projects
        details = store.site_details(state, funding.DETAIL_COLUMNS)
        picked_sites = funding.sites_matching(sites, details, state.picks)
    before = unpicked(state)
    total = aggregate(store, before, "count", store.count_events)
    if total + len(sites) > THRESHOLD:
        prefetch(store, state)
        shown = aggregate(store, state, "count", store.count_events) if state.picks else total
        if state.picks:
            sites = picked_sites
        return Filtered(
            None, sites, store=store, state=state, event_count=shown, unpicked_count=total
        )
    events = rows(store, before, "events", store.events)
    if not state.picks:
        return Filtered(events, sites, events, store=store, state=state)
    # The store's SQL reads the picks (geo.store.sql.pick_filter).
    picked = rows(store, state, "events", store.events)
    return Filtered(picked, picked_sites, events, store=store, state=state)


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
    blank_missing_text(excerpts)  # an excerpt whose source is not known has no citation text
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
    store = store_for(data)
    key = (id(data), data.version, id(store), store.version)

    def found() -> tuple[Bundle, Bounds]:
        first, last = data.month_span()
        span = store.month_span()
        if span is not None:
            first, last = min(first, span[0]), max(last, span[1])
        # A store written before dates were checked may hold a 0001-01-01 or a 9999-12-31.
        first, last = plausible_span(first, last)
        ids = KnownIds(data)
        return data, Bounds(first, last, ids, region_names(load_admin1()), placenames.region_key)

    kept = _BOUNDS.get(key, found)
    if kept[0] is not data:  # another bundle since freed, under the same id
        _BOUNDS.forget(key)
        kept = _BOUNDS.get(key, found)
    return kept[1]


# The bounds of the last few (bundle, store version) pairs: every run of every session asks.
_BOUNDS = SharedCache(4)


# ---- hexagons ----


@dataclass(frozen=True)
class Cells:
    """Events per cell at one resolution, for the view."""

    resolution: int
    counts: pd.DataFrame  # cell (int), events (int)

    @property
    def total(self) -> int:
        return int(self.counts["events"].sum()) if len(self.counts) else 0


def cell_counts(store: StoreReader, view: ViewState) -> Cells:
    """The view's events per H3 cell near its extent, at the zoom's resolution (coarser
    while there would be more than MAX_CELLS), counted in the store (a chart selection
    too: the store reads the view's picks)."""
    bbox = view_bbox(view.center, view.zoom)
    resolution = resolution_for(view.zoom)
    while True:
        counts = aggregate(
            store,
            view,
            f"cells {resolution} {bbox}",
            # mypy cannot infer a lambda with a default argument (which binds this resolution).
            lambda v, r=resolution: store.cell_counts(v, r, bbox),  # type: ignore[misc]
        )
        if len(counts) <= MAX_CELLS or resolution == min(cells.RESOLUTIONS):
            return Cells(resolution, counts)
        resolution -= 1


@dataclass(frozen=True)
class CellPage:
    """One page of a cell's events, and how many it holds in view."""

    cell: int
    events: pd.DataFrame
    total: int
    page: int
    pages: int


def cell_events(
    store: StoreReader, view: ViewState, cell: int, page: int = 0, page_size: int = 25
) -> CellPage:
    """A page (from 0) of the events of ``cell`` that the view's filters keep, by date."""
    resolution = cells.resolution_of(cell)
    total = store.count_in_cell(view, resolution, cell)
    pages = max(1, math.ceil(total / page_size))
    page = min(max(page, 0), pages - 1)
    frame = store.events_in_cell(view, resolution, cell, limit=page_size, offset=page * page_size)
    return CellPage(cell, frame, total, page, pages)


# ---- one result per view ----


class ViewResult:
    """Everything a page shows of one view, asked of the store through this module only:
    the events and sites in view (:class:`Filtered`), their counts per region, hexagon and
    chart, the selected item, the projects' details. Each answer is computed when first asked
    for and remembered per store version and view filters (:func:`aggregate`), so a rerun
    that changes no filter (a marker click, a pan) asks the store nothing again."""

    def __init__(self, bundle: Bundle, view: ViewState) -> None:
        self.bundle = bundle
        self.view = view
        self.filtered = apply(bundle, view)
        self._store = store_for(bundle)

    @property
    def data_version(self) -> tuple[int, str]:
        """Which data this result was computed on: its store and the store's version (a
        change to the data, an import, a reload, gives a new one)."""
        return id(self._store), self._store.version

    def region_counts(self) -> dict[str, tuple[int, int]]:
        """(events, sites) in view per region name."""
        return self.filtered.region_counts()

    def cells(self) -> Cells:
        """The events per hexagon near the view's extent (past :data:`THRESHOLD`)."""
        return cell_counts(self._store, self.view)

    def cell_page(self, cell: int, page: int) -> CellPage:
        return cell_events(self._store, self.view, cell, page)

    def month_counts(self) -> tuple[pd.DataFrame, int]:
        """Events per month and country before any chart selection, and the undated ones."""
        return aggregate(self._store, unpicked(self.view), "month", self._store.monthly_counts)

    def category_counts(self) -> dict[str, int]:
        before = unpicked(self.view)
        return aggregate(self._store, before, "category", self._store.category_counts)

    def actor_counts(self) -> tuple[list[tuple[str, int]], int]:
        """The top actors before any chart selection, and how many there are in all."""
        store = self._store
        return aggregate(
            store, unpicked(self.view), "actor", lambda v: store.actor_counts(v, TOP_ACTORS)
        )

    def figure_events(self) -> pd.DataFrame:
        """The events before any chart selection that the participants and arrests chart
        draws (past the threshold, those with a reported figure, up to FIGURE_EVENTS)."""
        if not self.filtered.charts_in_store and self.filtered.unpicked is not None:
            return self.filtered.unpicked
        store = self._store
        return aggregate(
            store,
            unpicked(self.view),
            "figures",
            lambda v: store.events_page(v, FIGURE_EVENTS, with_figures=True),
        )

    def site_details(self, columns: Sequence[str] = funding.DETAIL_COLUMNS) -> pd.DataFrame:
        """The columns an import adds to sites (funding, footprint, provenance) for the
        sites the view's filters keep, before any chart selection; by ``site_id``."""
        store, wanted = self._store, tuple(columns)
        return aggregate(
            store, self.view, f"site details {wanted}", lambda v: store.site_details(v, wanted)
        )

    def projects(self) -> pd.DataFrame:
        """The BRI projects with an amount that the view's filters keep (before any chart
        selection, so a selection stays in its context); shared by every session, so
        read-only."""
        store = self._store
        return aggregate(
            store, self.view, "projects", lambda v: funding.projects(self.site_details())
        )

    def selection(self) -> Selection | None:
        """The selected item with its excerpts (asked of the store once per result: the map
        and the panel both want it)."""
        if not hasattr(self, "_selection"):
            self._selection = selection(self.bundle, self.view.selected)
        return self._selection

    def shows(self, item_id: str) -> bool:
        """Whether the event or site is among those in view."""
        if (self.filtered.sites["site_id"] == item_id).any():
            return True
        return self.filtered.shows_event(item_id)

    def imports(self) -> pd.DataFrame:
        """The files imported into the store, with their provenance and licence."""
        return imports(self.bundle)


def view_result(bundle: Bundle, view: ViewState) -> ViewResult:
    """What ``view`` of ``bundle`` shows (see :class:`ViewResult`)."""
    return ViewResult(bundle, view)


def imports(bundle: Bundle) -> pd.DataFrame:
    """The files imported into the bundle's store, with their provenance and licence."""
    return store_for(bundle).imports()


def site_table(bundle: Bundle, columns: Sequence[str]) -> pd.DataFrame:
    """``columns`` of every site in the bundle's store (bundled and imported)."""
    return store_for(bundle).table("sites", list(columns))


def store_summary(bundle: Bundle) -> tuple[int, int]:
    """How many events the bundle's store holds, and how many imported sites."""
    store = store_for(bundle)
    return store.size(), int(store.imports()["rows"].sum())
