"""H3 cell ids for points, at the resolutions the store keeps (one column each).

Each point's cell is looked up at every kept resolution with the ``h3`` package (under a
microsecond a lookup). Not derived from the finest cell's parents: H3 cells do not nest
exactly, and a point near an edge can lie outside its finer cell's parent, so a clicked
hexagon would list events drawn outside it.
"""

from __future__ import annotations

import numpy as np
from h3.api import basic_int as h3i

# Resolution 3 cells are about 60 km across, 7 about 1.2 km: from the whole region at
# zoom 4 down to a town at zoom 11.
RESOLUTIONS: tuple[int, ...] = (3, 4, 5, 6, 7)


def column(resolution: int) -> str:
    """The store column holding each event's cell at ``resolution``."""
    if resolution not in RESOLUTIONS:
        raise ValueError(f"no cell column at resolution {resolution}")
    return f"h3_{resolution}"


def cells_for(latitude: np.ndarray, longitude: np.ndarray) -> dict[int, np.ndarray]:
    """Each point's cell at every kept resolution, as int64 arrays keyed by resolution
    (H3 ids use 63 bits, so they fit a signed 64-bit column)."""
    lats, lons = latitude.tolist(), longitude.tolist()
    lookup = h3i.latlng_to_cell
    return {
        r: np.fromiter(
            (lookup(lat, lon, r) for lat, lon in zip(lats, lons, strict=True)),
            dtype=np.int64,
            count=len(lats),
        )
        for r in RESOLUTIONS
    }


def to_text(cell: int) -> str:
    """The usual hexadecimal form of a cell id (as in ``[cell:872a1072bffffff]``)."""
    return h3i.int_to_str(int(cell))


def from_text(text: str) -> int | None:
    """A cell id from its hexadecimal form; None when it is not a valid H3 cell."""
    try:
        value = int(text, 16)
    except (TypeError, ValueError):
        return None
    return value if h3i.is_valid_cell(value) else None


def resolution_of(cell: int) -> int:
    return int(h3i.get_resolution(cell))


def boundary(cell: int) -> list[tuple[float, float]]:
    """The cell's outline as (longitude, latitude) pairs, closed, for GeoJSON."""
    ring = [(round(lon, 4), round(lat, 4)) for lat, lon in h3i.cell_to_boundary(cell)]
    return [*ring, ring[0]]


def centre(cell: int) -> tuple[float, float]:
    lat, lon = h3i.cell_to_latlng(cell)
    return float(lat), float(lon)
