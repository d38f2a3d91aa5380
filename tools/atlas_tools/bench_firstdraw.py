"""``geo bench --first-draw``: the server's CPU time for the first map of views nobody has
opened yet, as when each of twenty colleagues filters the atlas their own way.

Views differ by year, country and region (:func:`views`). For each, the map component's
arguments are made once:

- ``naive``: streamlit-folium draws the whole map, base (tiles, borders, legend, place names)
  and region outlines included, with nothing kept from one view to the next
  (:func:`naive_draw`);
- ``atlas``: what the Map page does on a view it has not drawn (:func:`geo.ui.atlas_map.draw`),
  starting, like a server that has just loaded its data, with nothing drawn: the base map once,
  the region outlines once, each marker once per data version.

Both run in the same process on the same views, whose queries are answered beforehand (they
cost the same either way). Each run starts from empty drawing caches; the best of ``rounds``
runs is kept, the machine being shared. Every view's arguments must be the same both ways.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from geo.assets import AssetLinks
from geo.query import ViewResult
from geo.ui.atlas_map import Drawing
from geo.view import ViewState

Log = Callable[[str], None]

YEARS = tuple(range(2014, 2025))
COUNTRIES: tuple[tuple[str, ...], ...] = ((), ("KAZ",), ("KGZ",), ("CHN",), ("KAZ", "KGZ"))
REGIONS: tuple[tuple[str, ...], ...] = (
    ("Almaty City",),
    ("Almaty",),
    ("Bishkek",),
    ("Osh",),
    ("Xinjiang",),
    ("Mangghystau",),
    ("Astana", "Qaraghandy"),
)


def views(count: int) -> list[ViewState]:
    """``count`` distinct views, taken in turn from three kinds: a year in a country (or in
    all), the whole span in one region or two, two years in all countries."""
    by_country = [
        ViewState(f"{year}-01", f"{year}-12", countries=countries)
        for year in YEARS
        for countries in COUNTRIES
    ]
    by_region = [ViewState("2010-01", "2025-12", regions=regions) for regions in REGIONS]
    two_years = [ViewState(f"{year}-01", f"{year + 1}-12") for year in YEARS]
    kinds = (by_country, by_region, two_years)
    found = [kind[i] for i in range(max(len(k) for k in kinds)) for kind in kinds if i < len(kind)]
    if count > len(found):
        raise ValueError(f"at most {len(found)} views (asked for {count})")
    return found[:count]


def naive_draw(result: ViewResult, sources: pd.DataFrame, links: AssetLinks) -> Drawing:
    """The map of ``result``'s view drawn whole by streamlit-folium, base map and region
    outlines included, with nothing reused: deliberately the naive way the Map page's
    (:func:`geo.ui.atlas_map.draw`) is measured against, and must equal, so it stays here."""
    from geo.maps import base_map
    from geo.regions import choropleth_geojson, region_shapes
    from geo.ui import data as loaders
    from geo.ui.atlas_map import component_args, layer_control, view_layers

    regions = choropleth_geojson(
        region_shapes(loaders.admin1()), result.region_counts(), labels=loaders.region_labels()
    )
    layers = view_layers(result, sources, links, regions)
    m = base_map(loaders.borders(), links, loaders.place_labels())
    return Drawing(component_args(m, layers.groups, layer_control()), layers.ring_group)


@dataclass
class Run:
    """One approach's first draws: CPU seconds per view, in view order."""

    approach: str
    data: str
    seconds: list[float]

    @property
    def total(self) -> float:
        return sum(self.seconds)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


def _clear_drawings() -> None:
    from geo.ui import viewcache

    for cache in (viewcache.MAPS, viewcache.BASES, viewcache.MARKERS):
        cache.clear()


def _comparable(args: dict[str, Any]) -> dict[str, Any]:
    # The change handler is a new function per drawing (it does the same).
    return {k: v for k, v in args.items() if k != "on_change"}


def measure(data_name: str, count: int, rounds: int, log: Log) -> tuple[Run, Run, int]:
    """Naive and atlas runs over ``count`` new views of the data the environment names (the
    best round of each by total), and how many views were drawn alike both ways."""
    from streamlit.logger import set_log_level

    from geo import assets
    from geo.bundle import load_bundle
    from geo.query import view_result
    from geo.ui import data as loaders
    from geo.ui.atlas_map import draw

    set_log_level("error")  # no note, per cached loader, that no page is running
    bundle = load_bundle()
    links = assets.links()
    results = [view_result(bundle, view) for view in views(count)]
    for result in results:  # the store's answers, the same either way
        result.region_counts()
        _ = result.filtered.count
    # What the server loads once whatever it draws: borders, regions, names, labels.
    loaders.borders(), loaders.admin1(), loaders.place_labels(), loaders.region_labels()
    naive_draw(results[0], bundle.sources, links)
    sizes = [r.filtered.count for r in results]
    middle = statistics.median(sizes)
    log(f"[{data_name}] {count} views of {min(sizes)}–{max(sizes)} items (median {middle:g})")

    best: dict[str, Run] = {}
    drawn: dict[str, list[dict[str, Any]]] = {}
    for round_ in range(rounds):
        for approach, how in (("naive", naive_draw), ("atlas", draw)):
            _clear_drawings()
            if approach == "atlas":
                loaders.region_shapes.clear()  # type: ignore[attr-defined]
            seconds = []
            args = []
            for result in results:
                started = time.process_time()
                drawing = how(result, bundle.sources, links)
                seconds.append(time.process_time() - started)
                args.append(drawing.args)
            run = Run(approach, data_name, seconds)
            log(f"[{data_name}] round {round_ + 1} {approach}: {run.total:.3f} s CPU")
            if approach not in best or run.total < best[approach].total:
                best[approach] = run
            drawn[approach] = args
    alike = sum(
        _comparable(a) == _comparable(n)
        for a, n in zip(drawn["atlas"], drawn["naive"], strict=True)
    )
    return best["naive"], best["atlas"], alike


@contextmanager
def _store(path: Path | None) -> Iterator[None]:
    """The environment naming ``path`` as the store (None: the bundled data's own)."""
    from geo import store as stores
    from geo.store import STORE_ENV

    before = os.environ.get(STORE_ENV)
    if path is not None:
        os.environ[STORE_ENV] = str(path)
    try:
        yield
    finally:
        stores.close_all()
        if before is None:
            os.environ.pop(STORE_ENV, None)
        else:
            os.environ[STORE_ENV] = before


def _synthetic_store(size: int, folder: Path, log: Log) -> Path:
    from atlas_tools.workload import synthetic_acled
    from geo.bundle import load_bundle
    from geo.importers.acled import import_acled
    from geo.store import DuckStore

    path = folder / f"first-draw-{size}.duckdb"
    for stale in (path, path.with_suffix(".duckdb.wal")):
        stale.unlink(missing_ok=True)
    log(f"[{size:,}] importing a synthetic ACLED export")
    store = DuckStore(path)
    store.sync_bundle(load_bundle())
    import_acled(synthetic_acled(size, folder / f"acled-{size}.csv"), store)
    store.close()
    return path


def run(
    count: int, sizes: list[int], rounds: int, work_dir: Path | None, log: Log
) -> list[tuple[Run, Run, int]]:
    """The bundled data's views, then each synthetic size's."""
    found = []
    with _store(None):
        found.append(measure("bundled", count, rounds, log))
    if sizes:
        folder = Path(work_dir or tempfile.mkdtemp(prefix="geo-bench-"))
        folder.mkdir(parents=True, exist_ok=True)
        for size in sizes:
            path = _synthetic_store(size, folder, log)
            with _store(path):
                found.append(measure(f"{size:,} events", count, rounds, log))
    return found


def table(found: list[tuple[Run, Run, int]]) -> str:
    """A Markdown table: each approach's CPU time for the first draws, and naive/atlas."""
    lines = [
        "| data | approach | views | CPU total | per view (mean) | per view (median) "
        "| first view | same map |",
        "|---|---|---:|---:|---:|---:|---:|---|",
    ]
    ratios = []
    for naive, atlas, alike in found:
        views_ = len(naive.seconds)
        for run in (naive, atlas):
            lines.append(
                f"| {run.data} | {run.approach} | {views_} | {run.total:.3f} s "
                f"| {1000 * run.total / views_:.1f} ms | {1000 * run.median:.1f} ms "
                f"| {1000 * run.seconds[0]:.1f} ms | {alike}/{views_} |"
            )
        ratios.append(
            f"- {naive.data}: naive/atlas {naive.total / atlas.total:.1f}× CPU "
            f"({1000 * (naive.total - atlas.total) / views_:.0f} ms less per new view)"
        )
    return "\n".join([*lines, "", *ratios])
