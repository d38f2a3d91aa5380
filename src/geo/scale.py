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
from collections.abc import MutableMapping

import folium
import pandas as pd
import plotly.graph_objects as go
from folium.map import Layer

from geo import cells, charts, query, safe_html
from geo.assets import AssetLinks
from geo.maps import Marker, data_layers, selected_point
from geo.query import Cells, ViewResult
from geo.regions import SHADES

CELL_LAYER = "Events per hexagon (click to zoom in)"
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


def cell_tooltip(events: int, cell: int) -> str:
    """Tooltip of a cell; its text ends in [cell:H3ID] (hidden from readers) so a click can
    be read back."""
    tag = safe_html.hidden_tag(f"[cell:{cells.to_text(cell)}]")
    return f"{events:,} event(s) here; click to zoom in {tag}"


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
                    "tip": cell_tooltip(int(events), int(cell)),  # escaped there
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
    result: ViewResult,
    sources: pd.DataFrame,
    assets: AssetLinks,
    choropleth_geojson: str | None = None,
    memo: MutableMapping[tuple[str, object], Marker] | None = None,
) -> list[Layer]:
    """The map's data layers: exactly :func:`geo.maps.data_layers` at or under the threshold;
    past it, the hexagons of the events, with the sites (few) still as markers (``memo``:
    the markers made from the same data, see :func:`geo.maps.data_layers`)."""
    filtered, selected = result.filtered, result.view.selected
    if not at_scale(filtered.count):
        return data_layers(filtered, sources, assets, selected, choropleth_geojson, memo)
    groups = data_layers(filtered.sites_only(), sources, assets, selected, choropleth_geojson, memo)
    groups.insert(1 if choropleth_geojson is not None else 0, cell_layer(result.cells()))
    return groups


def selected_at(result: ViewResult) -> tuple[float, float] | None:
    """Where :func:`layers` rings the view's selected item, if it draws its marker."""
    filtered = result.filtered
    drawn = filtered if not at_scale(filtered.count) else filtered.sites_only()
    return selected_point(drawn, result.view.selected)


def chart(name: str, result: ViewResult) -> go.Figure:
    """The linked chart ``name`` (month, category, actor, figures) over the view's events
    before any chart selection, from the store's aggregates."""
    view = result.view
    if name == "month":
        return charts.month_figure(*result.month_counts())
    if name == "category":
        return charts.category_figure(result.category_counts(), view)
    if name == "actor":
        return charts.actor_figure(*result.actor_counts())
    if name == "figures":
        return charts.participants_and_arrests(result.figure_events(), view)
    raise ValueError(f"no chart named {name!r}")
