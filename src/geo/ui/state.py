"""The one place where the link, the session and the widgets meet.

Every page starts with :func:`page_view`: the view is decoded from the URL on a session's
first run and kept in the session after that; what the visitor did since the last run (a map
click, a pan, a chart selection, a filter widget) is folded into it; the store is asked for
what the view shows (:func:`geo.query.view_result`); and the view is written back to the
URL. Widgets are seeded from the view, never the other way round, so a page that does not
draw a widget cannot lose its value.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from geo import placenames, scale
from geo.bundle import Bundle
from geo.maps import clicked_id
from geo.model import AREAS, Category
from geo.picks import pick_keys_from_selection
from geo.query import ViewResult, view_result
from geo.regions import region_to_filter, region_viewport
from geo.ui import data as loaders
from geo.ui import held
from geo.ui.deferred import first_map_pending
from geo.ui.keys import (
    MAP_KEY,
    PLAYING,
    RANGE_GENERATION,
    W_CAT,
    W_COUNTRY,
    W_PLAY_MODE,
    W_PLAY_WINDOW,
    W_QUERY,
    W_REGION,
    W_UNDATED,
    range_key,
)
from geo.ui.navigation import current_page, entry_guard
from geo.ui.sidebar import sidebar_filters
from geo.view import DEFAULT_CENTER, DEFAULT_ZOOM, Bounds, ViewState, clean_query, decode, encode
from geo.viewport import surely_in_view

VIEW_KEY = "view"
NOTICES_KEY = "url_notices"
CELL_KEY = "_clicked_cell"
CELL_PAGE_KEY = "_cell_page"
_RESEED = "_reseed_widgets"
_SEEN = "_seen_inputs"
_PENDING = "_pending_inputs"
_MAP_ARGS = "_map_args"
_RESTORING = "_restoring_view"
_BROUGHT = "_map_brought"  # the selection the map's arguments last considered
_LAST_TOOLTIP = "_last_clicked_tooltip"
_CHART_GENERATION = "_chart_generation"
_LAST_PICKS = "_last_chart_picks"
_DRAWN = "_chart_drawn"
_LAST_PAGE = "_last_page"
_TABLE_ROWS = "_table_rows"
_TABLE_KEY = "items_table"
_FILTERS_SHOWN = "_filters_shown"
_LAST_ROWS = "_last_table_rows"
# Link parameters of one page, kept beside the view's (the Sources page's article).
PAGE_KEYS = ("src",)


@dataclass(frozen=True)
class PageView:
    """What a page lays out: the data, what a view of it may hold, the view, and what the
    store answered for it (None on pages without filters)."""

    data: Bundle
    bounds: Bounds
    view: ViewState
    result: ViewResult | None


def page_view(charts: Sequence[str] = (), *, map_events: bool = False) -> PageView:
    """The view of this run, with the visitor's inputs since the last run folded in, the
    sidebar's filters drawn, the store asked and the URL written. ``charts`` names the
    linked charts the page draws (their selections filter the view); ``map_events`` folds
    the map's clicks and viewport in (the map page)."""
    entry_guard()
    data = loaders.bundle()
    bounds = loaders.bounds_of(data)
    view = current_view(bounds)
    _arrive(view)
    if map_events:
        view = _apply_map_events(view, bounds)  # before the widgets: a region click sets one
    view = _apply_chart_selections(view, charts)
    view = _apply_table_selection(view)
    if not (map_events and first_map_pending() and _FILTERS_SHOWN not in st.session_state):
        # On a visit's first page the map comes first: the filters follow with its first
        # report. Once shown they stay, from page to page.
        sidebar_filters(view, bounds, on_reset=lambda: reset_view(bounds))
        st.session_state[_FILTERS_SHOWN] = True
    view = _view_from_widgets(view, bounds)
    result = view_result(data, view)
    commit_view(view, bounds)
    _history_script()
    return PageView(data, bounds, view, result)


def page_data() -> PageView:
    """For pages without filters (Sources, About, Ingest, Import): the data and the
    session's view, which the link keeps while the visitor is here, so coming back to the
    map or sharing the link loses nothing."""
    entry_guard()
    data = loaders.bundle()
    bounds = loaders.bounds_of(data)
    view = current_view(bounds)
    _arrive(view)
    commit_view(view, bounds)
    _history_script()
    return PageView(data, bounds, view, None)


def _arrive(view: ViewState) -> None:
    """On the first run of a page the visitor has just come to, give its widgets the view's
    values. Streamlit treats a widget on another page as another widget, even under the same
    key: without this, the filters would open empty and the charts' empty selections would
    read as the visitor clearing theirs."""
    page = current_page()
    if st.session_state.get(_LAST_PAGE, page) != page:
        st.session_state[RANGE_GENERATION] = st.session_state.get(RANGE_GENERATION, 0) + 1
        _seed_widgets(view, force=True)
        st.session_state[_CHART_GENERATION] = st.session_state.get(_CHART_GENERATION, 0) + 1
        for name in [k for k in st.session_state.get(_SEEN, {}) if k.startswith(_LAST_PICKS)]:
            st.session_state[_SEEN].pop(name)
        # A map on this page is drawn anew: it opens where the view has it.
        st.session_state[_MAP_ARGS] = (view.center, view.zoom)
    st.session_state[_LAST_PAGE] = page


def _query_params() -> dict[str, list[str]]:
    return {key: st.query_params.get_all(key) for key in st.query_params}


def current_view(bounds: Bounds) -> ViewState:
    """The session's ViewState: decoded from the URL on the first run, then kept in the
    session; widget keys are seeded from it whenever they are missing (first run, or coming
    back from another page)."""
    if VIEW_KEY not in st.session_state:
        decoded = decode(_query_params(), bounds)
        st.session_state[VIEW_KEY] = decoded.state
        st.session_state[NOTICES_KEY] = decoded.notices
    elif _history_navigation():
        _restore(decode(_query_params(), bounds).state)
    else:
        held.keep_held()
    state: ViewState = st.session_state[VIEW_KEY]
    reseed = bool(st.session_state.pop(_RESEED, False))
    _seed_widgets(state, force=reseed or bool(st.session_state.get(_RESTORING)))
    return state


def _history_navigation() -> bool:
    """Whether this run follows the browser's Back or Forward: the link is then the view to
    show, not what the session holds."""
    ctx = get_script_run_ctx()
    return bool(getattr(ctx, "is_history_navigation", False))


def _restore(state: ViewState) -> None:
    """Show the view of the history entry the visitor went back (or forward) to: filters,
    selection, chart selections and the map's position."""
    if state == st.session_state.get(VIEW_KEY):
        return
    st.session_state[VIEW_KEY] = state
    st.session_state[RANGE_GENERATION] = st.session_state.get(RANGE_GENERATION, 0) + 1
    st.session_state[_CHART_GENERATION] = st.session_state.get(_CHART_GENERATION, 0) + 1
    for name in [k for k in st.session_state.get(_SEEN, {}) if k.startswith(_LAST_PICKS)]:
        st.session_state[_SEEN].pop(name)
    place = (state.center or DEFAULT_CENTER, state.zoom or DEFAULT_ZOOM)
    if place == st.session_state.get(_MAP_ARGS):
        # The map moves only when its arguments change: the map may have been moved since
        # it was given these, so give the same place a hair apart (far under a pixel).
        place = ((place[0][0] + 1e-6, place[0][1]), place[1])
    st.session_state[_MAP_ARGS] = place
    # Until a run has committed it, every run gives the widgets the restored values again:
    # a run stopped half-way would otherwise let the browser's older values back in.
    st.session_state[_RESTORING] = True


def _seed_widgets(state: ViewState, force: bool) -> None:
    """Give the filter widgets the view's values: all of them (force), or those missing."""
    seeds = {
        W_COUNTRY: list(state.countries),
        W_CAT: list(state.categories),
        W_QUERY: state.query,
        W_UNDATED: state.undated,
        W_REGION: list(state.regions),
        W_PLAY_MODE: state.play_mode,
        W_PLAY_WINDOW: state.window,
    }
    for key, value in seeds.items():
        if force or key not in st.session_state:
            held.set_widget(key, value)


def _view_from_widgets(previous: ViewState, bounds: Bounds) -> ViewState:
    chosen = st.session_state.get(range_key(), (previous.start, previous.end))
    # A one-month range can come back from the slider as a single value.
    start, end = (chosen, chosen) if isinstance(chosen, str) else tuple(chosen)
    mode = st.session_state.get(W_PLAY_MODE) or "window"
    return replace(
        previous,
        start=start,
        end=end,
        countries=tuple(c for c in AREAS if c in st.session_state[W_COUNTRY]),
        categories=tuple(c.value for c in Category if c.value in st.session_state[W_CAT]),
        query=clean_query(str(st.session_state[W_QUERY])),
        undated=bool(st.session_state[W_UNDATED]),
        regions=_regions_named(st.session_state[W_REGION], bounds.regions),
        play_mode=str(mode),
        window=int(st.session_state.get(W_PLAY_WINDOW) or previous.window),
    )


def _regions_named(chosen: Sequence[str], order: Sequence[str]) -> tuple[str, ...]:
    """The regions the filter names, each by its key, whichever of its names was typed
    (a name of no region is left out, and said so), in ``order`` (the link's, as the
    countries and categories are: one view, one order, whatever order they were picked in)."""
    found: list[str] = []
    for name in chosen:
        key = placenames.region_key(name) if name else None
        if key is None:
            shown = st.session_state.setdefault(NOTICES_KEY, [])
            notice = f"No region is called “{name}”; left it out of the region filter."
            if name and notice not in shown:
                shown.append(notice)
            continue
        if key not in found:
            found.append(key)
    rank = {key: i for i, key in enumerate(order)}
    return tuple(sorted(found, key=lambda key: rank.get(key, len(rank))))


def _seen(name: str) -> object:
    """The last map click or chart selection that a committed view took in."""
    return st.session_state.get(_SEEN, {}).get(name)


def _mark_seen(name: str, value: object) -> None:
    """Note an input as taken in once this run's view is committed. A run that Streamlit
    stops half-way (a newer event arrived) never commits, so its inputs are read again."""
    st.session_state.setdefault(_PENDING, {})[name] = value


def commit_view(state: ViewState, bounds: Bounds) -> None:
    """Remember the view and write it to the URL (only when it changed), keeping the page's
    own parameters (:data:`PAGE_KEYS`). Playback's frames are not written: the link follows
    once playback stops, as one step of the browser's history."""
    st.session_state[VIEW_KEY] = state
    st.session_state.setdefault(_SEEN, {}).update(st.session_state.pop(_PENDING, {}))
    st.session_state.pop(_RESTORING, None)
    held.run_done()
    if st.session_state.get(PLAYING):
        return
    given = {k: v for k, v in _query_params().items() if k not in PAGE_KEYS}
    wanted = encode(state, bounds)
    if given != {k: [v] for k, v in wanted.items()}:
        kept = {k: v[-1] for k, v in _query_params().items() if k in PAGE_KEYS and v}
        st.query_params.from_dict({**wanted, **kept})


# Streamlit writes each change of the link as a new entry of the browser's history, and
# follows Back and Forward by running the page with the entry's link. This script, run in
# the app's page, makes a change that only moves the map (its ``map`` parameter) replace the
# current entry instead, and a change of page carry the view's link from the start: Back then
# undoes filter changes, selections, chart selections and page changes, one at a time, while
# each entry keeps where the map was.
_HISTORY_JS = """
<script>
(function (w) {
    if (w.atlasHistory) { return; }
    var h = w.history;
    var push = h.pushState.bind(h);
    w.atlasHistory = true;
    function withoutMap(search) {
        var params = new URLSearchParams(search);
        params.delete("map");
        params.sort();
        return params.toString();
    }
    h.pushState = function (state, title, url) {
        try {
            var target = new URL(url, w.location.href);
            if (target.pathname !== w.location.pathname && !target.search) {
                // Another page: it shows the same view, and its entry holds the view's
                // link from the start (the page writes it once its run is done).
                target.search = w.location.search;
                return push(state, title, target.toString());
            }
            if (target.pathname === w.location.pathname &&
                    withoutMap(target.search) === withoutMap(w.location.search)) {
                return h.replaceState(state, title, url);
            }
        } catch (e) {}
        return push(state, title, url);
    };
})(window);
</script>
"""


def _history_script() -> None:
    """Hand the browser :data:`_HISTORY_JS` (it installs itself once per page load)."""
    with st.sidebar:
        st.html(_HISTORY_JS, unsafe_allow_javascript=True)


def set_view(state: ViewState, *, before_widgets: bool = False) -> None:
    """Replace the session's view from code. The filter widgets take its values at once when
    they have not been drawn yet in this run (``before_widgets``), else on the next run."""
    st.session_state[VIEW_KEY] = state
    st.session_state[RANGE_GENERATION] = st.session_state.get(RANGE_GENERATION, 0) + 1
    if before_widgets:
        _seed_widgets(state, force=True)
    else:
        st.session_state[_RESEED] = True


def reset_view(bounds: Bounds) -> None:
    default = ViewState.default(bounds)
    set_view(default)
    st.session_state[_MAP_ARGS] = (default.center, default.zoom)


def map_viewport_args(
    view: ViewState, selected_at: tuple[float, float] | None = None
) -> tuple[tuple[float, float] | None, float | None]:
    """Centre and zoom to hand to st_folium: the link's viewport, fixed for the session.

    The map reports every pan and zoom back (and the view keeps it for the URL); feeding
    those reports back as arguments would make the map chase its own earlier positions, so
    the arguments change only when the session starts, the view is reset, or an item
    selected elsewhere than on the map (a link, a table row, the Sources page) lies outside
    the map's view: then the map centres on it (``selected_at``), once for that selection."""
    if _MAP_ARGS not in st.session_state:
        st.session_state[_MAP_ARGS] = (view.center, view.zoom)
    if view.selected != st.session_state.get(_BROUGHT):
        st.session_state[_BROUGHT] = view.selected
        if (
            selected_at is not None
            and not _clicked_on_map(view.selected)
            and not surely_in_view(view.center, view.zoom, selected_at)
        ):
            st.session_state[_MAP_ARGS] = (selected_at, view.zoom)
    center, zoom = st.session_state[_MAP_ARGS]
    return center, zoom


def _clicked_on_map(item_id: str | None) -> bool:
    """Whether the map's last reported click was on this item's marker."""
    reported = st.session_state.get(MAP_KEY) or {}
    tooltip = reported.get("last_object_clicked_tooltip") if isinstance(reported, dict) else None
    return item_id is not None and clicked_id(tooltip) == item_id


def notices() -> list[str]:
    """What was wrong with the link this session opened on (until dismissed)."""
    return list(st.session_state.get(NOTICES_KEY, []))


def dismiss_notices() -> None:
    st.session_state[NOTICES_KEY] = []


def _apply_map_events(view: ViewState, bounds: Bounds) -> ViewState:
    """Fold what the map reported since the last run into the view: a clicked marker selects
    its item, a region's "Filter to" button filters to it (a click on the region itself only
    opens that button), a pan or zoom moves the view's viewport."""
    reported = st.session_state.get(MAP_KEY) or {}
    if not isinstance(reported, dict):
        return view
    tooltip = reported.get("last_object_clicked_tooltip")
    if tooltip != _seen(_LAST_TOOLTIP):
        _mark_seen(_LAST_TOOLTIP, tooltip)
        region = region_to_filter(tooltip, bounds.regions)
        item = clicked_id(tooltip)
        cell = scale.clicked_cell(tooltip)
        if cell is not None:
            st.session_state[CELL_KEY] = cell  # listed beside the map; the map zooms in
            view = view.with_selected(None)
        elif region is not None:
            return filter_to_region(view, region, before_widgets=True)
        elif item in bounds.ids:
            view = view.with_selected(item)
    center, zoom = reported.get("center"), reported.get("zoom")
    if _history_navigation() or st.session_state.get(_RESTORING):
        return view  # the map is about to move to the restored view's place
    if isinstance(center, dict) and isinstance(zoom, int | float):
        try:
            lat, lng = round(float(center["lat"]), 4), round(float(center["lng"]), 4)
        except (KeyError, TypeError, ValueError):
            return view
        given = st.session_state.get(_MAP_ARGS, (None, None))[0]
        if (
            _at_opening((lat, lng), float(zoom))
            and given is not None
            and not _at_opening(given, DEFAULT_ZOOM)
        ):
            # A map drawn anew reports where its base is drawn before it moves to the place
            # it was given.
            return view
        if round(float(zoom), 2) != view.zoom or not _within_a_pixel((lat, lng), view):
            view = replace(view, center=(lat, lng), zoom=round(float(zoom), 2))
    return view


def _within_a_pixel(center: tuple[float, float], view: ViewState) -> bool:
    """Whether a reported centre is the view's own, give or take a pixel: the map's frame
    grows to its height after Leaflet has placed the map, which moves the centre by part of
    a pixel; the link keeps the place the reader gave, not that rounding."""
    if view.center is None or view.zoom is None:
        return False
    pixel = 360.0 / (256 * 2**view.zoom)  # degrees of longitude per pixel at this zoom
    return abs(center[0] - view.center[0]) < pixel and abs(center[1] - view.center[1]) < pixel


def _at_opening(center: tuple[float, float], zoom: float) -> bool:
    """Whether a map position is the base map's own opening one (to a few pixels)."""
    return (
        abs(center[0] - DEFAULT_CENTER[0]) < 0.1
        and abs(center[1] - DEFAULT_CENTER[1]) < 0.1
        and round(zoom, 2) == DEFAULT_ZOOM
    )


def filter_to_region(view: ViewState, region: str, *, before_widgets: bool) -> ViewState:
    """The view narrowed to one region, with the map moved to show it."""
    view = replace(view, regions=(region,))
    fitted = region_viewport(loaders.admin1(), region)
    if fitted is not None:
        st.session_state[_MAP_ARGS] = fitted
        view = replace(view, center=fitted[0], zoom=fitted[1])
    set_view(view, before_widgets=before_widgets)
    return view


def chart_key(name: str) -> str:
    """A chart's widget key; a new generation clears every chart's own selection."""
    return f"chart_{name}_{st.session_state.get(_CHART_GENERATION, 0)}"


def chart_highlight(name: str, spec: str, picks: tuple[str, ...]) -> tuple[str, ...]:
    """The picks a chart is to draw as selected, for a figure whose JSON is ``spec``.

    The view's picks when the chart is new (a new key or new data), or when they are not
    what the chart's own selection says (they came from a link, another chart or page);
    otherwise the ones it was drawn with, so a chart the visitor is selecting in keeps its
    figure, and with it the selection Plotly shows and lets them change. Streamlit starts a
    chart whose figure changed afresh, with an empty selection: that emptiness is not the
    visitor clearing theirs."""
    key = chart_key(name)
    # Only this generation's charts are drawn again: forget the others'.
    generation = "_" + key.rsplit("_", 1)[1]
    drawn = {k: v for k, v in st.session_state.get(_DRAWN, {}).items() if k.endswith(generation)}
    st.session_state[_DRAWN] = drawn
    digest = hashlib.sha1(spec.encode("utf-8")).hexdigest()
    before = drawn.get(key)
    own = pick_keys_from_selection(st.session_state.get(key))
    shown = before[1] if before and before[0] == digest and own == picks else picks
    if (digest, shown) != before:
        st.session_state.setdefault(_SEEN, {})[f"{_LAST_PICKS}:{name}"] = ()
    drawn[key] = (digest, shown)
    return shown


def _apply_chart_selections(view: ViewState, names: Sequence[str]) -> ViewState:
    """A chart whose selection changed since the last run sets the view's picks to it (an
    emptied selection clears them)."""
    for name in names:
        keys = pick_keys_from_selection(st.session_state.get(chart_key(name)))
        if keys != (_seen(f"{_LAST_PICKS}:{name}") or ()):
            _mark_seen(f"{_LAST_PICKS}:{name}", keys)
            view = view.with_picks(keys)
    return view


def table_key() -> str:
    """The items table's widget key (a new page visit starts a new selection)."""
    return f"{_TABLE_KEY}_{st.session_state.get(_CHART_GENERATION, 0)}"


def remember_table_rows(item_ids: list[str]) -> None:
    """The ids of the table's rows, in the order drawn, for reading a row click back."""
    st.session_state[_TABLE_ROWS] = item_ids


def _apply_table_selection(view: ViewState) -> ViewState:
    """A row clicked in the items table since the last run selects its item."""
    reported = st.session_state.get(table_key())
    rows: tuple[int, ...] = ()
    if isinstance(reported, dict):
        rows = tuple(int(r) for r in reported.get("selection", {}).get("rows", []))
    if rows == (_seen(_LAST_ROWS) or ()):
        return view
    _mark_seen(_LAST_ROWS, rows)
    ids: list[str] = st.session_state.get(_TABLE_ROWS, [])
    if rows and rows[0] < len(ids):
        return view.with_selected(ids[rows[0]])
    return view


def clear_picks(view: ViewState) -> ViewState:
    st.session_state[_CHART_GENERATION] = st.session_state.get(_CHART_GENERATION, 0) + 1
    for name in [k for k in st.session_state.get(_SEEN, {}) if k.startswith(_LAST_PICKS)]:
        st.session_state[_SEEN].pop(name)
    return view.with_picks(())


def open_cell() -> tuple[int, int] | None:
    """The hexagon clicked last and the page of its list shown, or None when none is open."""
    cell = st.session_state.get(CELL_KEY)
    return None if cell is None else (int(cell), int(st.session_state.get(CELL_PAGE_KEY, 0)))


def show_cell_page(page: int | None) -> None:
    """Turn the hexagon list to ``page``; None closes it."""
    if page is None:
        st.session_state.pop(CELL_KEY, None)
        page = 0
    st.session_state[CELL_PAGE_KEY] = page


def select(item_id: str) -> None:
    """Select an item from another page (its panel opens on the map)."""
    current = st.session_state.get(VIEW_KEY)
    if current is None:
        data = loaders.bundle()
        current = current_view(loaders.bounds_of(data))
    set_view(current.with_selected(item_id))
