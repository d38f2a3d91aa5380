"""What the pages draw for a view, computed once for every session: the map (what its
component is sent), the linked charts and the items table, kept per (data version, view) in
bounded, least-recently-used caches shared by the server's sessions. Twenty people opening the same
link cost about one rerun; a change to the data (a new store version) makes new keys, and
the old entries age out.

A view nobody has drawn yet is made from parts kept for every view: the base map under its
layers (the same for all views) and the markers made from the same data version (a marker
does not depend on the view), so that twenty people each filtering their own way do not each
pay for the whole map."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import replace
from typing import TypeVar

from geo.maps import Marker
from geo.query import ViewResult, unpicked
from geo.sharedcache import SharedCache
from geo.view import ViewState

T = TypeVar("T")

# A map of up to 2,000 markers is about 1.3 MB of script: 48 views stay under ~60 MB.
MAPS_KEPT = 48
CHARTS_KEPT = 256
TABLES_KEPT = 64  # up to 2,000 rows each


MAPS = SharedCache(MAPS_KEPT)
# The base map under every view's layers (one per set of script links and place names).
BASES = SharedCache(4)
# The markers made from each data version, by kind and id (see geo.maps.data_layers): the
# current version's, and the one before while sessions still show it.
MARKERS = SharedCache(2)
CHARTS = SharedCache(CHARTS_KEPT)
TABLES = SharedCache(TABLES_KEPT)


def _key(view: ViewState, result: ViewResult, *extra: Hashable) -> tuple[Hashable, ...]:
    # Playback's mode and window do not change what a view draws.
    return (result.data_version, replace(view, play_mode="", window=0), *extra)


def _in_view(view: ViewState) -> ViewState:
    """What of a view decides which items are in it: not the selection, nor where the map
    is."""
    return replace(view, selected=None, center=None, zoom=None)


def map_drawing(
    result: ViewResult, extra: Hashable, build: Callable[[], T], *, where: bool = True
) -> T:
    """What the map component is sent for ``result``'s view (``extra``: whatever else it
    depends on, the script links); ``where`` False: the map's layers do not depend on where
    the map is (markers, no footprints), so any centre and zoom share one. Shared, not
    copied: it is only read."""
    view = result.view if where else replace(result.view, center=None, zoom=None)
    return MAPS.get(_key(view, result, "map", extra), build)


def base_map(key: Hashable, build: Callable[[], T]) -> T:
    """What the map component is sent for the map under every view's layers (tiles,
    borders, legend), drawn once per ``key`` (what it is drawn from). Shared: only read."""
    return BASES.get(key, build)


def markers(result: ViewResult) -> dict[tuple[str, object], Marker]:
    """The markers made so far from ``result``'s data, by kind and id, for any view of it
    to reuse and add to: a marker (its glyph, tooltip and popup) does not depend on the
    view. A new data version starts afresh."""
    return MARKERS.get((result.data_version, "markers"), dict)


def chart(result: ViewResult, name: str, build: Callable[[], T]) -> T:
    """The chart ``name`` for ``result``'s view. The charts are drawn over the view's events
    before any chart selection, so neither the selection of an item or of bars nor where the
    map is changes them. Shared, not copied: Streamlit only reads a figure to serialise it."""
    return CHARTS.get(_key(_in_view(unpicked(result.view)), result, "chart", name), build)


def table(result: ViewResult, build: Callable[[], T]) -> T:
    """The table of the items in ``result``'s view (its filters and chart selection; not the
    selected item, nor where the map is). Shared: it is only read."""
    return TABLES.get(_key(_in_view(result.view), result, "table"), build)
