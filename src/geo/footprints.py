"""Project footprints on the map: the polygons of imported sites (AidData's MultiPolygons,
kept as WKT in the store), drawn once the map is zoomed in far enough to see them.

Below :data:`MIN_ZOOM` a footprint is a few pixels, and the marker at its representative
point says all it could; from there on the filtered sites' footprints near the view go to
the browser as one ``folium.GeoJson`` in a feature group (through
``st_folium(feature_group_to_add=)`` like the markers, so the map is not remounted). The map
reports its zoom, so the page reruns and adds or drops the layer as the user zooms. Each
polygon's tooltip ends in ``[site_id]`` like a marker's, so clicking it selects the site;
every string in a tooltip or popup goes through :mod:`geo.safe_html`.
"""

from __future__ import annotations

import json
from collections.abc import Hashable, Mapping
from typing import Any

import folium
import pandas as pd
import shapely
from folium.map import Layer
from shapely import wkt

from geo import safe_html
from geo.maps import tooltip_text
from geo.model import Category
from geo.provenance import site_facts
from geo.query import ViewResult
from geo.render import site_when
from geo.view import DEFAULT_ZOOM
from geo.viewport import view_bbox

MIN_ZOOM = 8.0
MAX_FOOTPRINTS = 500  # the nearest to the view's centre, past this many
LAYER = "Project footprints"
# Simplified to about 10 m: invisible at the zooms the layer is drawn, a fraction the size.
TOLERANCE = 0.0001
DETAIL_COLUMNS = (
    "geometry_wkt",
    "amount",
    "currency_year",
    "sector",
    "status",
    "funder",
    "completed",
    "flags",
    "provenance",
    "licence",
)

_FEATURE = folium.JsCode(
    """
function (feature, layer) {
    layer.bindTooltip(feature.properties.tip, {sticky: true});
    layer.bindPopup(feature.properties.popup, {maxWidth: 320});
}
"""
)


def shown_at(zoom: float | None) -> bool:
    """Whether footprints are drawn at this zoom."""
    return (DEFAULT_ZOOM if zoom is None else zoom) >= MIN_ZOOM


def popup_html(site: Mapping[str, Any] | Mapping[Hashable, Any]) -> str:
    """A footprint's popup: the site's name, dates and imported facts, every string escaped."""
    rows = [("Dates", site_when(pd.Series(site))), *site_facts(site)]
    body = "".join(
        f"<tr><th style='text-align:left;padding-right:6px;vertical-align:top'>"
        f"{safe_html.text(label)}</th><td>{safe_html.text(value, 300)}</td></tr>"
        for label, value in rows
    )
    return (
        "<div class='atlas-popup' style='font:12px/1.4 system-ui,sans-serif;max-width:300px'>"
        f"<b>{safe_html.text(site['name'], 200)}</b><table>{body}</table>"
        "<i>The footprint as published; the marker sits at a point inside it.</i></div>"
    )


def footprints_geojson(
    sites: pd.DataFrame,
    details: pd.DataFrame,
    bbox: tuple[float, float, float, float] | None = None,
    limit: int = MAX_FOOTPRINTS,
) -> str:
    """The footprints of ``sites`` (details by ``site_id``: :data:`DETAIL_COLUMNS`) that meet
    ``bbox`` (south, west, north, east), as a compact GeoJSON FeatureCollection, sorted by
    site id (deterministic)."""
    extra = details.set_index("site_id") if len(details) else details
    box = shapely.box(bbox[1], bbox[0], bbox[3], bbox[2]) if bbox else None
    found: list[tuple[float, str, dict[str, Any]]] = []
    for site in sites.to_dict("records"):
        site_id = str(site["site_id"])
        if site_id not in extra.index:
            continue
        record = {**site, **extra.loc[site_id].to_dict()}
        text = str(record.get("geometry_wkt") or "")
        if not text:
            continue
        try:
            shape = wkt.loads(text)
        except shapely.errors.GEOSException:
            continue
        if shape.is_empty or (box is not None and not shape.intersects(box)):
            continue
        shape = shape.simplify(TOLERANCE, preserve_topology=True)
        distance = box.centroid.distance(shape) if box is not None else 0.0
        try:
            colour = Category(str(record["category"])).colour
        except ValueError:
            colour = Category.OTHER.colour
        feature = {
            "type": "Feature",
            "geometry": shapely.geometry.mapping(shape),
            "properties": {
                "id": safe_html.text(site_id),
                "colour": colour,
                # Escaped by tooltip_text, as a marker's is (and read back the same way).
                "tip": tooltip_text(str(record["name"]), site_when(pd.Series(record)), site_id),
                "popup": popup_html(record),
            },
        }
        found.append((distance, site_id, feature))
    nearest = sorted(found, key=lambda f: (f[0], f[1]))[:limit]
    features = [f for _, _, f in sorted(nearest, key=lambda f: f[1])]
    return json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":"))


def _style(feature: dict) -> dict:
    return {
        "className": "atlas-footprint",
        "color": feature["properties"]["colour"],
        "weight": 2,
        "fillColor": feature["properties"]["colour"],
        "fillOpacity": 0.25,
    }


def footprint_layer(geojson: str) -> folium.FeatureGroup:
    """The footprints as one GeoJSON layer in a feature group (a click selects the site)."""
    count = len(json.loads(geojson)["features"])
    group = folium.FeatureGroup(name=f"{LAYER} ({count})", show=True)
    folium.GeoJson(
        geojson,
        name=LAYER,
        style_function=_style,
        highlight_function=lambda _: {"weight": 3, "fillOpacity": 0.4},
        on_each_feature=_FEATURE,
        control=False,
        smooth_factor=1.0,
    ).add_to(group)
    return group


def layers(result: ViewResult) -> list[Layer]:
    """The footprint layer for the map's feature groups: the view's sites (the filtered and
    picked ones) near the view, when zoomed in to :data:`MIN_ZOOM`; else none."""
    view, sites = result.view, result.filtered.sites
    if not shown_at(view.zoom) or sites.empty:
        return []
    details = result.site_details(DETAIL_COLUMNS)
    details = details[details["geometry_wkt"].fillna("") != ""]
    if details.empty:
        return []
    geojson = footprints_geojson(sites, details, view_bbox(view.center, view.zoom))
    return [footprint_layer(geojson)]
