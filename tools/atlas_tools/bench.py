"""``geo bench``: the atlas at 10k to 1M events against the naive map.

Datasets are synthetic ACLED exports, deterministic (fixed seed), clustered around the
region's real towns (``data/geo/gazetteer.csv``, weighted by population). For each size:

- ``import_s``: ``geo import acled`` into a fresh store file;
- ``query_p50_s`` / ``query_p95_s``: a filter change (count, timeline and map cells in SQL;
  naive: the pandas filters over the whole frame);
- ``payload_bytes``: the map the browser receives (st_folium's arguments; naive: the map's
  HTML with one Marker and popup per event in a MarkerCluster);
- ``rerun_s``: server time of a whole map-page rerun after a filter change (AppTest, with
  GEO_STORE on the store); naive: building and rendering its map;
- ``map_ready_s``: from navigation to the map drawn, in headless Chromium on loopback;
- ``peak_rss_mb``: the peak resident memory of the server process serving that page.

The naive approach is measured at every size until one of its steps takes longer than the
time bound; past it its numbers are null.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

import folium
import pandas as pd

from atlas_tools import REPO
from atlas_tools.localserver import CHROMIUM_ARGS, LocalServer, chromium_path
from atlas_tools.workload import Log, filter_changes, synthetic_acled, time_rerun
from geo.bundle import load_bundle
from geo.importers.acled import import_acled
from geo.model import AREAS
from geo.store import STORE_ENV, DuckStore
from geo.view import ViewState, months_between


@dataclass
class Record:
    approach: str  # "atlas" or "naive"
    size: int
    import_s: float | None = None
    query_p50_s: float | None = None
    query_p95_s: float | None = None
    payload_bytes: int | None = None
    rerun_s: float | None = None
    map_ready_s: float | None = None
    peak_rss_mb: float | None = None


# ---- measurements ----


def _percentiles(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def time_atlas_queries(store: DuckStore) -> tuple[float, float]:
    from geo import query

    times = []
    for view in filter_changes():
        started = time.perf_counter()
        store.count_events(view)
        store.monthly_counts(view)
        query.cell_counts(store, view)
        times.append(time.perf_counter() - started)
    return _percentiles(times)


def naive_monthly_counts(events: pd.DataFrame, view: ViewState) -> pd.DataFrame:
    """Events per month and country over the view's months, counted in pandas from every
    event row: deliberately the naive approach the benchmark measures the store's SQL
    against, so it stays here rather than in the product (which counts in the store only).
    An event counts in the month it started, or in the view's first month when it started
    earlier, as the atlas counts it."""
    dated = events[events["start"].notna()]
    month = dated["start"].map(lambda d: max(f"{d:%Y-%m}", view.start))
    table = (
        pd.crosstab(month, dated["iso"])
        if len(dated)
        else pd.DataFrame(index=pd.Index([], name="start"))
    )
    table = table.reindex(
        index=months_between(view.start, view.end), columns=list(AREAS), fill_value=0
    )
    table.index.name = "month"
    return table.astype("int64")


def time_naive_queries(events: pd.DataFrame) -> tuple[float, float]:
    times = []
    for view in filter_changes():
        started = time.perf_counter()
        first, last = date.fromisoformat(f"{view.start}-01"), date.fromisoformat(f"{view.end}-28")
        keep = events["start"].notna() & (events["start"] <= last) & (events["stop"] >= first)
        if view.countries:
            keep &= events["iso"].isin(view.countries)
        if view.categories:
            keep &= events["category"].isin(view.categories)
        if view.query:
            keep &= events["search_text"].str.contains(view.query, regex=False)
        shown = events[keep]
        naive_monthly_counts(shown, view)
        times.append(time.perf_counter() - started)
    return _percentiles(times)


def naive_map(events: pd.DataFrame) -> folium.Map:
    """The naive map: one folium Marker with a popup per event, in one MarkerCluster, on the
    atlas's own offline base tile (a cluster needs the map to know its maximum zoom)."""
    from folium.plugins import MarkerCluster

    from geo import assets
    from geo.maps import PLAIN_TILE, popup_html
    from geo.render import item_facts

    links = assets.links()
    m = folium.Map(location=(43.5, 71.5), zoom_start=4, tiles=None, max_zoom=18)
    m.default_js, m.default_css = list(links.js), list(links.css)
    folium.TileLayer(PLAIN_TILE, name="Plain", attr="Natural Earth", max_zoom=18).add_to(m)
    cluster = MarkerCluster().add_to(m)
    cluster.default_js, cluster.default_css = list(links.js), list(links.css)
    for record in events.to_dict("records"):
        folium.Marker(
            (float(record["latitude"]), float(record["longitude"])),
            popup=folium.Popup(popup_html(item_facts(record, "event")), max_width=320),
        ).add_to(cluster)
    return m


def naive_map_html(events: pd.DataFrame) -> str:
    """The naive map's whole page, as the browser receives it."""
    return naive_map(events).get_root().render()


# ---- the browser ----

# The map is drawn when Leaflet holds its data: hexagons (or markers) for the atlas, marker
# clusters for the naive map.
MAP_READY = """(selector) => {
  const h = document.querySelector("iframe[title='streamlit_folium.st_folium']");
  const d = h && h.contentDocument;
  if (!d || !h.contentWindow.map) return false;
  return d.querySelectorAll(selector).length > 0;
}"""
ATLAS_DRAWN = "path.atlas-cell, .leaflet-marker-icon"
NAIVE_DRAWN = ".leaflet-marker-icon"

NAIVE_APP = """
import os
import streamlit as st
from streamlit_folium import st_folium
from atlas_tools.bench import naive_map
from geo.store import DuckStore
from geo.view import ViewState

st.set_page_config(layout="wide")

@st.cache_resource
def events():
    store = DuckStore(os.environ["GEO_STORE"], read_only=True)
    frame = store.events(ViewState("2013-01", "2025-12"))
    store.close()
    return frame

st_folium(
    naive_map(events()), key="naive", height=600, use_container_width=True, returned_objects=[]
)
"""


def _peak_rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def time_browser(
    script: Path, cwd: Path, env: dict[str, str], limit_s: float, drawn: str
) -> tuple[float | None, float | None]:
    """Seconds from navigation to the map drawn, and the server's peak RSS (MB)."""
    from playwright.sync_api import sync_playwright

    log_file = tempfile.NamedTemporaryFile("w", suffix=".log", delete=False)  # noqa: SIM115
    server = LocalServer(env=env, log=log_file, script=script, cwd=cwd)
    try:
        url = server.url
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium_path(), args=list(CHROMIUM_ARGS))
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            ready: float | None = None
            # A first visit warms the server's caches (data loaded, store opened): the
            # timed one is what a visitor sees on a running server.
            for attempt in range(2):
                started = time.perf_counter()
                page.goto(url)
                try:
                    page.wait_for_function(MAP_READY, arg=drawn, timeout=limit_s * 1000, polling=50)
                    ready = time.perf_counter() - started
                except Exception:  # the time bound passed
                    ready = None
                    break
                if attempt == 0:
                    page.goto("about:blank")
            browser.close()
        return ready, _peak_rss_mb(server.pid)
    finally:
        server.close()
        log_file.close()


# ---- the run ----


def run(
    sizes: list[int],
    *,
    work_dir: Path | None = None,
    naive: bool = True,
    naive_limit_s: float = 120.0,
    browser: bool = True,
    rerun: bool = True,
    log: Log = print,
) -> list[Record]:
    """Measure the atlas, and the naive map beside it, at each size."""
    folder = Path(work_dir or tempfile.mkdtemp(prefix="geo-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    records: list[Record] = []
    naive_alive = naive
    bundle = load_bundle()
    for size in sizes:
        data = folder / f"acled-{size}.csv"
        if not data.exists():
            log(f"[{size}] writing the synthetic export")
            synthetic_acled(size, data)
        store_path = folder / f"atlas-{size}.duckdb"
        for stale in (store_path, store_path.with_suffix(".duckdb.wal")):
            stale.unlink(missing_ok=True)
        atlas = Record("atlas", size)
        log(f"[{size}] importing")
        started = time.perf_counter()
        store = DuckStore(store_path)
        store.sync_bundle(bundle)
        result = import_acled(data, store)
        atlas.import_s = round(time.perf_counter() - started, 3)
        log(f"[{size}] {result.summary()} in {atlas.import_s}s")
        p50, p95 = time_atlas_queries(store)
        atlas.query_p50_s, atlas.query_p95_s = round(p50, 4), round(p95, 4)
        frame = store.events(ViewState("2013-01", "2025-12")) if naive_alive else None
        store.close()
        if rerun:
            log(f"[{size}] page reruns (AppTest)")
            rerun_s, payload = time_rerun({STORE_ENV: str(store_path)}, log)
            atlas.rerun_s, atlas.payload_bytes = round(rerun_s, 3), payload
        if browser:
            log(f"[{size}] map in Chromium")
            ready, rss = time_browser(
                REPO / "app.py", REPO, {"GEO_STORE": str(store_path)}, 120, ATLAS_DRAWN
            )
            atlas.map_ready_s = round(ready, 3) if ready is not None else None
            atlas.peak_rss_mb = rss
        records.append(atlas)
        log(f"[{size}] atlas: {asdict(atlas)}")
        if naive_alive and frame is not None:
            record, naive_alive = _naive(
                size, frame, store_path, folder, naive_limit_s, browser, log
            )
            records.append(record)
    return records


def _naive(
    size: int,
    frame: pd.DataFrame,
    store_path: Path,
    folder: Path,
    limit_s: float,
    browser: bool,
    log: Log,
) -> tuple[Record, bool]:
    record = Record("naive", size, import_s=None)
    p50, p95 = time_naive_queries(frame)
    record.query_p50_s, record.query_p95_s = round(p50, 4), round(p95, 4)
    log(f"[{size}] naive map html")
    started = time.perf_counter()
    html = naive_map_html(frame)
    record.rerun_s = round(time.perf_counter() - started, 3)
    record.payload_bytes = len(html.encode())
    alive = record.rerun_s <= limit_s
    if browser and alive:
        app = folder / "naive_app.py"
        app.write_text(NAIVE_APP)
        (folder / ".streamlit").mkdir(exist_ok=True)
        shutil.copy(REPO / ".streamlit" / "config.toml", folder / ".streamlit" / "config.toml")
        if not (folder / "static").exists():
            (folder / "static").symlink_to(REPO / "static")
        ready, rss = time_browser(app, folder, {"GEO_STORE": str(store_path)}, limit_s, NAIVE_DRAWN)
        record.map_ready_s = round(ready, 3) if ready is not None else None
        record.peak_rss_mb = rss
        alive = ready is not None
    log(f"[{size}] naive: {asdict(record)}")
    return record, alive


def write_json(records: list[Record], path: Path) -> None:
    path.write_text(json.dumps([asdict(r) for r in records], indent=2) + "\n")


def _fmt(value: float | int | None, unit: str = "") -> str:
    if value is None:
        return "—"
    if isinstance(value, int) and not unit:
        return f"{value:,}"
    return f"{value:,.3g}{unit}" if value < 100 else f"{value:,.0f}{unit}"


def table(records: list[Record], naive_limit_s: float | None = None) -> str:
    """A Markdown table of the records, with naive/atlas ratios where both were measured; where
    the naive map was tried in the browser but not drawn within ``naive_limit_s``, the least
    its ratio can be."""
    fields = [
        "import_s",
        "query_p50_s",
        "query_p95_s",
        "payload_bytes",
        "rerun_s",
        "map_ready_s",
        "peak_rss_mb",
    ]
    lines = [
        "| approach | size | " + " | ".join(fields) + " |",
        "|---|---:|" + "---:|" * len(fields),
    ]
    by_key = {(r.approach, r.size): r for r in records}
    for r in records:
        cells = [_fmt(getattr(r, f)) for f in fields]
        lines.append(f"| {r.approach} | {r.size:,} | " + " | ".join(cells) + " |")
    ratios = []
    for size in sorted({r.size for r in records}):
        atlas, slow = by_key.get(("atlas", size)), by_key.get(("naive", size))
        if atlas is None or slow is None:
            continue
        parts = []
        for name in ("payload_bytes", "rerun_s", "map_ready_s", "query_p50_s"):
            a, n = getattr(atlas, name), getattr(slow, name)
            if a and n:
                parts.append(f"{name} {n / a:,.1f}×")
            elif name == "map_ready_s" and a and naive_limit_s and slow.peak_rss_mb is not None:
                parts.append(
                    f"{name} ≥ {naive_limit_s / a:,.0f}× (naive not drawn in {naive_limit_s:g} s)"
                )
        if parts:
            ratios.append(f"- {size:,}: naive/atlas " + ", ".join(parts))
    return "\n".join(lines + (["", *ratios] if ratios else []))


# ---- the command ----


def _log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def command(args: argparse.Namespace) -> int:
    """Run ``geo bench`` with the arguments :mod:`geo.cli_data` parsed; the exit status."""
    if args.first_visit:
        from atlas_tools import firstvisit

        return firstvisit.command(args.servers, args.visits, args.json, _log)
    if getattr(args, "first_draw", False):
        from atlas_tools import bench_firstdraw

        draw_sizes = [int(s) for s in (args.draw_sizes or "").split(",") if s.strip()]
        work = Path(args.work_dir) if args.work_dir else None
        try:
            found = bench_firstdraw.run(args.views, draw_sizes, args.rounds, work, _log)
        except ValueError as exc:
            print(f"geo bench: {exc}", file=sys.stderr)
            return 2
        print(bench_firstdraw.table(found))
        return 0 if all(alike == len(naive.seconds) for naive, _, alike in found) else 1
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    work_dir = Path(args.work_dir) if args.work_dir else None
    if getattr(args, "search", False):
        from atlas_tools import bench_search

        engines = [e.strip() for e in (args.engines or "duckdb").split(",") if e.strip()]
        try:
            print(bench_search.run(sizes, engines, work_dir, log=_log))
        except ValueError as exc:
            print(f"geo bench: {exc}", file=sys.stderr)
            return 2
        return 0
    if args.import_memory:
        from atlas_tools import bench_memory

        measured = bench_memory.run(
            args.csv_rows,
            args.acled_rows,
            work_dir,
            _log,
            geojson_rows=args.geojson_rows,
            aiddata_rows=args.aiddata_rows,
            site_rows=args.site_rows,
            bad_rows=args.bad_rows,
            duplicate_rows=args.duplicate_rows,
        )
        uploaded = (
            None if args.no_browser else bench_memory.upload_run(args.upload_rows, work_dir, _log)
        )
        if args.json:
            bench_memory.write_json(measured, uploaded, Path(args.json))
        print(bench_memory.table(measured, uploaded))
        return 0
    if args.engines:
        from atlas_tools import bench_engines

        engines = [e.strip() for e in args.engines.split(",") if e.strip()]
        try:
            found = bench_engines.run(
                sizes, engines, work_dir=work_dir, rerun=not args.no_rerun, log=_log
            )
        except ValueError as exc:
            print(f"geo bench: {exc}", file=sys.stderr)
            return 2
        if args.json:
            bench_engines.write_json(found, Path(args.json))
        print(bench_engines.table(found))
        return 0
    records = run(
        sizes,
        work_dir=work_dir,
        naive=not args.no_naive,
        naive_limit_s=args.naive_limit,
        browser=not args.no_browser,
        rerun=not args.no_rerun,
        log=_log,
    )
    if args.json:
        write_json(records, Path(args.json))
    print(table(records, naive_limit_s=None if args.no_browser else args.naive_limit))
    return 0
