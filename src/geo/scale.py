"""The map at scale: markers while the filtered set is small, H3 hexagons with counts past
:data:`geo.query.THRESHOLD`, computed in the store and never shipping every point to the browser.

The hexagons are one ``folium.GeoJson`` in a ``FeatureGroup``, so they go through
``st_folium(feature_group_to_add=)`` like the markers and the map is not remounted. Their
resolution follows the view's zoom, and only cells near the view's extent are sent. A cell's
tooltip ends in ``[cell:H3ID]`` (read back by :func:`clicked_cell`, as
:func:`geo.maps.clicked_id` reads ``[ID]``); clicking a cell zooms the map to it, which
reruns the page at the finer resolution, and :func:`cell_events` pages through its events.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass

import folium
import pandas as pd
import plotly.graph_objects as go

from geo import charts, query, safe_html
from geo.assets import AssetLinks
from geo.bundle import Bundle
from geo.maps import data_layers
from geo.query import Filtered
from geo.regions import SHADES
from geo.store import EVENT_FRAME_COLUMNS, StoreReader, cells, store_for
from geo.view import DEFAULT_CENTER, DEFAULT_ZOOM, ViewState

MAX_CELLS = 3_000  # past this many cells in view, a coarser resolution
CELL_LAYER = "Events per hexagon (click to zoom in)"
# The map's size in pixels, roughly (the page gives it 600 px height and ~2/3 of the width).
MAP_PIXELS = (1000, 600)
_CELL_TAG = re.compile(r"\[cell:([0-9a-f]{15,16})\]\s*$")

# Binds each cell's tooltip, and zooms to the cell when it is clicked.
_CELL_FEATURE = folium.JsCode(
    """
function (feature, layer) {
    layer.bindTooltip(feature.properties.tip, {sticky: true});
    layer.on('click', function () {
        if (layer._map) { layer._map.fitBounds(layer.getBounds(), {maxZoom: 13}); }
    });
}
"""
)


def at_scale(count: int) -> bool:
    """Whether ``count`` items are drawn as cells rather than markers (past
    :data:`geo.query.THRESHOLD`; at or under it, one marker per event)."""
    return count > query.THRESHOLD


def resolution_for(zoom: float | None) -> int:
    """The H3 resolution for a zoom level: cells a few dozen pixels across."""
    z = DEFAULT_ZOOM if zoom is None else zoom
    for top, resolution in ((4.75, 3), (6.0, 4), (7.5, 5), (9.0, 6)):
        if z <= top:
            return resolution
    return 7


def view_bbox(
    center: tuple[float, float] | None, zoom: float | None, margin: float = 0.5
) -> tuple[float, float, float, float]:
    """(south, west, north, east) the map shows at ``center`` and ``zoom``, widened by
    ``margin`` of its size on every side (so a small pan still finds cells drawn)."""
    lat, lon = center or DEFAULT_CENTER
    z = DEFAULT_ZOOM if zoom is None else zoom
    world = 256 * 2**z  # pixels around the world at this zoom
    half_w = MAP_PIXELS[0] / 2 * (1 + 2 * margin)
    half_h = MAP_PIXELS[1] / 2 * (1 + 2 * margin)
    x = (lon + 180) / 360 * world
    y = 1 - math.log(math.tan(math.radians(lat)) + 1 / math.cos(math.radians(lat))) / math.pi
    y *= world / 2

    def lat_of(py: float) -> float:
        n = math.pi - 2 * math.pi * py / world
        return math.degrees(math.atan(math.sinh(n)))

    west = max(-180.0, (x - half_w) / world * 360 - 180)
    east = min(180.0, (x + half_w) / world * 360 - 180)
    north = lat_of(max(0.0, y - half_h))
    south = lat_of(min(world, y + half_h))
    return south, west, north, east


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
        counts = query.aggregate(
            store,
            view,
            f"cells {resolution} {bbox}",
            lambda v, r=resolution: store.cell_counts(v, r, bbox),
        )
        if len(counts) <= MAX_CELLS or resolution == min(cells.RESOLUTIONS):
            return Cells(resolution, counts)
        resolution -= 1


def cell_tooltip(events: int, cell: int) -> str:
    """Tooltip of a cell; ends in [cell:H3ID] so a click can be read back."""
    return f"{events:,} event(s) here; click to zoom in [cell:{cells.to_text(cell)}]"


def clicked_cell(tooltip: object) -> int | None:
    """The H3 cell id in a clicked cell's tooltip text, or None."""
    if not isinstance(tooltip, str):
        return None
    match = _CELL_TAG.search(tooltip.strip())
    return cells.from_text(match.group(1)) if match else None


def shade(events: int, top: int) -> str:
    """Light to dark purple on a log scale (counts span orders of magnitude)."""
    if events <= 0 or top <= 0:
        return SHADES[0]
    share = math.log1p(events) / math.log1p(top)
    return SHADES[min(len(SHADES) - 1, max(1, int(share * (len(SHADES) - 1) + 0.5)))]


def cells_geojson(found: Cells) -> str:
    """The cells as a compact GeoJSON FeatureCollection (sorted by cell id: deterministic)."""
    top = int(found.counts["events"].max()) if len(found.counts) else 0
    features = []
    for cell, events in zip(found.counts["cell"], found.counts["events"], strict=True):
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [cells.boundary(int(cell))]},
                "properties": {
                    "n": int(events),
                    "fill": shade(int(events), top),
                    "tip": safe_html.text(cell_tooltip(int(events), int(cell))),
                },
            }
        )
    return json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":"))


def _cell_style(feature: dict) -> dict:
    return {
        "className": "atlas-cell",
        "color": "#3f007d",
        "weight": 0.5,
        "fillColor": feature["properties"]["fill"],
        "fillOpacity": 0.7,
    }


def cell_layer(found: Cells) -> folium.FeatureGroup:
    """The hexagons with their counts, as one GeoJSON layer in a feature group."""
    group = folium.FeatureGroup(name=f"{CELL_LAYER} ({found.total:,})", show=True)
    folium.GeoJson(
        cells_geojson(found),
        name=CELL_LAYER,
        style_function=_cell_style,
        highlight_function=lambda _: {"weight": 2, "fillOpacity": 0.85},
        on_each_feature=_CELL_FEATURE,
        control=False,
        smooth_factor=1.0,
    ).add_to(group)
    return group


def layers(
    data: Bundle,
    filtered: Filtered,
    view: ViewState,
    assets: AssetLinks,
    choropleth_geojson: str | None = None,
) -> list[folium.FeatureGroup]:
    """The map's data layers: exactly :func:`geo.maps.data_layers` at or under the threshold;
    past it, the hexagons of the events, with the sites (few) still as markers."""
    if not at_scale(filtered.count):
        return data_layers(filtered, data.sources, assets, view.selected, choropleth_geojson)
    found = cell_counts(filtered.store or store_for(data), view)
    no_events = pd.DataFrame({c: [] for c in EVENT_FRAME_COLUMNS})
    sites_only = Filtered(no_events, filtered.sites)
    groups = data_layers(sites_only, data.sources, assets, view.selected, choropleth_geojson)
    groups.insert(1 if choropleth_geojson is not None else 0, cell_layer(found))
    return groups


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


# ---- the linked charts ----

# Past the threshold, the participants and arrests chart draws at most this many events (only
# events with a reported figure are read; imported event files seldom carry any).
FIGURE_EVENTS = 5_000


def chart(
    name: str, filtered: Filtered, view: ViewState, *, in_store: bool | None = None
) -> go.Figure:
    """The linked chart ``name`` (month, category, actor, figures) over the view's events
    before any chart selection: counted from the rows while they are few, from the store's
    aggregates past the threshold (``in_store`` forces either way). Both give the same
    figure for the same events."""
    in_store = filtered.charts_in_store if in_store is None else in_store
    if not in_store or filtered.store is None:
        events = filtered.unpicked if filtered.unpicked is not None else filtered.events
        builders: dict[str, Callable[[pd.DataFrame, ViewState], go.Figure]] = {
            "month": charts.events_per_month,
            "category": charts.events_by_category,
            "actor": charts.top_actors,
            "figures": charts.participants_and_arrests,
        }
        return builders[name](events, view)
    store, before = filtered.store, query.unpicked(view)
    if name == "month":
        table, undated = query.aggregate(store, before, "month", store.monthly_counts)
        return charts.month_figure(table, undated)
    if name == "category":
        return charts.category_figure(
            query.aggregate(store, before, name, store.category_counts), view
        )
    if name == "actor":
        ranked, distinct = query.aggregate(
            store, before, name, lambda v: store.actor_counts(v, query.TOP_ACTORS)
        )
        return charts.actor_figure(ranked, distinct)
    if name == "figures":
        events = query.aggregate(
            store, before, name, lambda v: store.events_page(v, FIGURE_EVENTS, with_figures=True)
        )
        return charts.participants_and_arrests(events, view)
    raise ValueError(f"no chart named {name!r}")
