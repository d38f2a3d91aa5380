"""Admin-1 regions: which region each point lies in (point in polygon, never by code), and
the choropleth of a view's counts per region (counted by :mod:`geo.query`)."""

from __future__ import annotations

import json
from collections.abc import Mapping

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


REGION_TAG = "region:"


def region_tooltip(name: str, n_events: int, n_sites: int, label: str = "") -> str:
    """Tooltip of a region under its shown name (``label``, else ``name``); its text ends in
    [region:NAME] (hidden from readers) so a click can be read back."""
    tag = safe_html.hidden_tag(f"[{REGION_TAG}{safe_html.text(name)}]")
    return (
        f"{safe_html.text(label or name)}: {n_events} event(s), {n_sites} site(s) in view. "
        f"Click to filter to this region {tag}"
    )


def clicked_region(tooltip: object, known: tuple[str, ...]) -> str | None:
    """The region named at the end of a clicked region's tooltip text, if it is known."""
    if not isinstance(tooltip, str):
        return None
    text = tooltip.strip()
    start = text.rfind("[" + REGION_TAG)
    if start < 0 or not text.endswith("]"):
        return None
    name = text[start + 1 + len(REGION_TAG) : -1]
    return name if name in known else None


def choropleth_geojson(
    admin1: gpd.GeoDataFrame,
    counts: dict[str, tuple[int, int]],
    tolerance: float = 0.02,
    labels: Mapping[str, str] | None = None,
) -> str:
    """Regions as GeoJSON with their counts, a fill colour and an escaped tooltip naming
    each region by its shown name (``labels``: Natural Earth name -> shown name)."""
    labels = labels or {}
    frame = admin1[["name", "adm0_a3", "geometry"]].copy()
    frame["geometry"] = shapely.set_precision(
        frame.geometry.simplify(tolerance, preserve_topology=True).values, 0.001
    )
    top = max((e for e, _ in counts.values()), default=0)
    frame["events"] = [counts.get(n, (0, 0))[0] for n in frame["name"]]
    frame["sites"] = [counts.get(n, (0, 0))[1] for n in frame["name"]]
    frame["fill"] = [fill_colour(e, top) for e in frame["events"]]
    frame["tip"] = [
        region_tooltip(n, e, s, labels.get(n, ""))
        for n, e, s in zip(frame["name"], frame["events"], frame["sites"], strict=True)
    ]
    frame = frame.sort_values("name")
    return json.dumps(
        json.loads(frame.to_json(drop_id=True)), separators=(",", ":"), sort_keys=True
    )


# Sequential light-to-dark purple, five classes.
SHADES = ("#f2f0f7", "#cbc9e2", "#9e9ac8", "#756bb1", "#54278f")


def fill_colour(n: int, top: int) -> str:
    if n <= 0 or top <= 0:
        return "#ffffff"
    step = min(len(SHADES) - 1, int((len(SHADES) - 1) * n / top + 0.5))
    return SHADES[max(step, 1)]
