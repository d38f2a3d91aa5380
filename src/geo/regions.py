"""Admin-1 regions: which region each point lies in (point in polygon, never by code), and
the choropleth of a view's counts per region (counted by :mod:`geo.query`)."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import safe_html

# A point this close to a region (in degrees, ~5 km) but outside every polygon, e.g. on a
# simplified border, is given to the nearest region.
NEAR = 0.05


def assign_regions(frame: pd.DataFrame, admin1: gpd.GeoDataFrame) -> pd.Series:
    """The admin-1 region name under each row's point ("" when none is near)."""
    if frame.empty:
        return pd.Series([], dtype="object", index=frame.index)
    points = shapely.points(frame["longitude"].to_numpy(), frame["latitude"].to_numpy())
    names = admin1["name"].to_numpy()
    shapes = admin1.geometry.to_numpy()
    tree = shapely.STRtree(shapes)
    result = np.full(len(points), "", dtype=object)
    point_idx, shape_idx = tree.query(points, predicate="intersects")
    # A point on a shared border intersects two regions: keep the first in file order.
    for p, s in sorted(zip(point_idx.tolist(), shape_idx.tolist(), strict=True), reverse=True):
        result[p] = names[s]
    missing = np.flatnonzero(result == "")
    if len(missing):
        nearest_p, nearest_s = tree.query_nearest(
            points[missing], max_distance=NEAR, return_distance=False, all_matches=False
        )
        for p, s in zip(nearest_p.tolist(), nearest_s.tolist(), strict=True):
            result[missing[p]] = names[s]
    return pd.Series(result, index=frame.index, dtype="object")


def region_names(admin1: gpd.GeoDataFrame) -> tuple[str, ...]:
    """Region names grouped by country (Kazakhstan, Kyrgyzstan, Xinjiang), then by name."""
    order = {"KAZ": 0, "KGZ": 1, "CHN": 2}
    rows = sorted(
        zip(admin1["adm0_a3"], admin1["name"], strict=True),
        key=lambda r: (order.get(r[0], 9), r[1]),
    )
    return tuple(name for _, name in rows)


FILTER_TAG = "filter-region:"


def region_tooltip(name: str, n_events: int, n_sites: int, label: str = "") -> str:
    """What hovering a region says: its shown name (``label``, else ``name``) and what is in
    view there."""
    return (
        f"{safe_html.text(label or name)}: {_count(n_events, 'event')}, "
        f"{_count(n_sites, 'site')} in view. Click for a filter to this region."
    )


def region_action(name: str, n_events: int, n_sites: int, label: str = "") -> str:
    """The popup a click on a region opens: its shown name (``label``, else ``name``), its
    counts and a button that filters the view to it. The button's text ends in
    [filter-region:NAME] (hidden from readers), which is what the map reports when it is
    pressed (:func:`region_to_filter`)."""
    shown = safe_html.text(label or name)
    tag = safe_html.hidden_tag(f"[{FILTER_TAG}{safe_html.text(name)}]")
    return (
        f"<div class='atlas-popup'><b>{shown}</b><br>"
        f"{_count(n_events, 'event')}, {_count(n_sites, 'site')} in view<br>"
        f"<button type='button' class='atlas-region-filter'>Filter to {shown}{tag}</button>"
        "</div>"
    )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def region_to_filter(reported: object, known: tuple[str, ...]) -> str | None:
    """The region whose "Filter to" button the map reported (its text ends in the
    region's tag), if it is a known region; None for anything else, such as a click on
    the region itself."""
    if not isinstance(reported, str):
        return None
    text = reported.strip()
    start = text.rfind("[" + FILTER_TAG)
    if start < 0 or not text.endswith("]"):
        return None
    name = text[start + 1 + len(FILTER_TAG) : -1]
    return name if name in known else None


@dataclass(frozen=True)
class RegionShapes:
    """The regions' outlines as the choropleth draws them (simplified, rounded), each one's
    GeoJSON geometry written once: they do not change with the view, only the counts do."""

    names: tuple[str, ...]  # in name order
    countries: tuple[str, ...]  # adm0_a3
    geometries: tuple[str, ...]  # compact GeoJSON, keys sorted


def region_shapes(admin1: gpd.GeoDataFrame, tolerance: float = 0.02) -> RegionShapes:
    """``admin1``'s regions as :func:`choropleth_geojson` draws them."""
    frame = admin1[["name", "adm0_a3", "geometry"]].copy()
    frame["geometry"] = shapely.set_precision(
        frame.geometry.simplify(tolerance, preserve_topology=True).values, 0.001
    )
    frame = frame.sort_values("name")
    features = json.loads(frame.to_json(drop_id=True))["features"]
    return RegionShapes(
        names=tuple(f["properties"]["name"] for f in features),
        countries=tuple(f["properties"]["adm0_a3"] for f in features),
        geometries=tuple(
            json.dumps(f["geometry"], separators=(",", ":"), sort_keys=True) for f in features
        ),
    )


def _properties(
    shapes: RegionShapes, counts: dict[str, tuple[int, int]], labels: Mapping[str, str]
) -> list[dict[str, Any]]:
    top = max((e for e, _ in counts.values()), default=0)
    found = []
    for name, country in zip(shapes.names, shapes.countries, strict=True):
        events, sites = (int(n) for n in counts.get(name, (0, 0)))
        label = labels.get(name, "")
        found.append(
            {
                "action": region_action(name, events, sites, label),
                "adm0_a3": country,
                "events": events,
                "fill": fill_colour(events, top),
                "name": name,
                "sites": sites,
                "tip": region_tooltip(name, events, sites, label),
            }
        )
    return found


def choropleth_geojson(
    shapes: RegionShapes,
    counts: dict[str, tuple[int, int]],
    labels: Mapping[str, str] | None = None,
) -> str:
    """The regions (their shapes from :func:`region_shapes`, made once) as GeoJSON with
    their counts, a fill colour, an escaped tooltip and the popup a click opens
    (:func:`region_action`), each region under its shown name (``labels``: Natural Earth
    name -> shown name)."""
    features = [
        f'{{"geometry":{geometry},"properties":'
        f'{json.dumps(properties, separators=(",", ":"), sort_keys=True)},"type":"Feature"}}'
        for geometry, properties in zip(
            shapes.geometries, _properties(shapes, counts, labels or {}), strict=True
        )
    ]
    return f'{{"features":[{",".join(features)}],"type":"FeatureCollection"}}'


# Sequential light-to-dark purple, five classes.
SHADES = ("#f2f0f7", "#cbc9e2", "#9e9ac8", "#756bb1", "#54278f")


def fill_colour(n: int, top: int) -> str:
    if n <= 0 or top <= 0:
        return "#ffffff"
    step = min(len(SHADES) - 1, int((len(SHADES) - 1) * n / top + 0.5))
    return SHADES[max(step, 1)]


def region_viewport(
    admin1: gpd.GeoDataFrame, name: str, size: tuple[int, int] = (480, 560)
) -> tuple[tuple[float, float], float] | None:
    """The centre and zoom at which region ``name`` fills a map of ``size`` pixels (width,
    height; a little under the map's own, so the region clears the map's controls), in the
    map's quarter-zoom steps; None for an unknown region."""
    rows = admin1[admin1["name"] == name]
    if rows.empty:
        return None
    west, south, east, north = (float(v) for v in rows.total_bounds)

    def mercator_y(lat: float) -> float:
        lat = max(min(lat, 85.0), -85.0)
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    width, height = size
    span_x = max(east - west, 1e-6) / 360.0
    span_y = max(mercator_y(north) - mercator_y(south), 1e-6) / (2 * math.pi)
    zoom = min(math.log2(width / 256 / span_x), math.log2(height / 256 / span_y))
    zoom = min(max(math.floor(zoom * 4) / 4, 3.0), 12.0)
    centre_y = (mercator_y(north) + mercator_y(south)) / 2
    centre_lat = math.degrees(2 * math.atan(math.exp(centre_y)) - math.pi / 2)
    return (round(centre_lat, 4), round((west + east) / 2, 4)), zoom
