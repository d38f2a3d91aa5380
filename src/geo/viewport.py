"""The map's viewport: the H3 resolution a zoom level draws, and the box a view shows."""

from __future__ import annotations

import math

from geo.view import DEFAULT_CENTER, DEFAULT_ZOOM

# The map's size in pixels, roughly (the page gives it 600 px height and ~2/3 of the width).
MAP_PIXELS = (1000, 600)


def resolution_for(zoom: float | None) -> int:
    """The H3 resolution for a zoom level: cells a few dozen pixels across."""
    z = DEFAULT_ZOOM if zoom is None else zoom
    for top, resolution in ((4.75, 3), (6.0, 4), (7.5, 5), (9.0, 6)):
        if z <= top:
            return resolution
    return 7


# A box every map on the page shows at least, whatever the screen: a phone's map is about
# 360 px wide, the map is 600 px high.
SURELY_SHOWN = (340, 560)


def view_bbox(
    center: tuple[float, float] | None,
    zoom: float | None,
    margin: float = 0.5,
    pixels: tuple[int, int] = MAP_PIXELS,
) -> tuple[float, float, float, float]:
    """(south, west, north, east) a map of ``pixels`` shows at ``center`` and ``zoom``,
    widened by ``margin`` of its size on every side (so a small pan still finds cells
    drawn)."""
    lat, lon = center or DEFAULT_CENTER
    z = DEFAULT_ZOOM if zoom is None else zoom
    world = 256 * 2**z  # pixels around the world at this zoom
    half_w = pixels[0] / 2 * (1 + 2 * margin)
    half_h = pixels[1] / 2 * (1 + 2 * margin)
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


def surely_in_view(
    center: tuple[float, float] | None, zoom: float | None, point: tuple[float, float]
) -> bool:
    """Whether ``point`` (lat, lon) is on the map at ``center`` and ``zoom`` on any screen
    (within :data:`SURELY_SHOWN` pixels round the centre)."""
    south, west, north, east = view_bbox(center, zoom, margin=0.0, pixels=SURELY_SHOWN)
    return south <= point[0] <= north and west <= point[1] <= east
