"""``geo bench --first-visit``: how long a visitor waits for the first map, against the floor.

Two apps are started the same way (``streamlit run`` on loopback, the project's
``.streamlit/config.toml``) and opened in headless Chromium, each visit in a new browser
context (a new session, no browser cache):

- ``atlas``: the atlas's Map page on the bundled data (no store file, no database);
- ``floor``: a bare Streamlit page with a 100-point streamlit-folium map, the least this stack
  can do to show a map.

For each, ``cold`` is the first visit to a freshly started server (its imports, data loading
and caches all paid by that visit) and ``warm`` a later visit by a new session to the same
server. Time runs from navigation to the map drawn (Leaflet holds at least one marker). The
targets: a warm first map within 1.3x of the floor's, a cold one within 2x.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from atlas_tools import REPO
from atlas_tools.localserver import CHROMIUM_ARGS, LocalServer, chromium_path

Log = Callable[[str], None]

WARM_TARGET = 1.3
COLD_TARGET = 2.0

FLOOR_APP = """
import random

import folium
import streamlit as st
from streamlit_folium import st_folium

from geo import assets

st.set_page_config(layout="wide")
st.title("Floor: 100 points")
rng = random.Random(7)
m = folium.Map(location=[45.0, 75.0], zoom_start=4, tiles=None)
# Leaflet from the app's static folder, as the atlas has it (no network here).
links = assets.links()
m.default_js, m.default_css = list(links.js), list(links.css)
for _ in range(100):
    folium.CircleMarker(
        [rng.uniform(38, 52), rng.uniform(55, 90)], radius=6, tooltip="a point"
    ).add_to(m)
st_folium(m, height=600, use_container_width=True, returned_objects=[])
"""

# Drawn: Leaflet is up in the st_folium iframe and holds a marker (the atlas's markers are
# icons, the floor's circle markers are paths).
MAP_DRAWN = """() => {
  const h = document.querySelector("iframe[title='streamlit_folium.st_folium']");
  const d = h && h.contentDocument;
  if (!d || !h.contentWindow.map) return false;
  return d.querySelectorAll(".leaflet-marker-icon, path.leaflet-interactive").length > 0;
}"""


@dataclass
class Visits:
    """The seconds to the first map, per visit, of one app."""

    app: str
    cold: list[float] = field(default_factory=list)
    warm: list[float] = field(default_factory=list)

    @property
    def cold_s(self) -> float:
        return statistics.median(self.cold)

    @property
    def warm_s(self) -> float:
        return statistics.median(self.warm)


def _visit(browser, url: str, timeout_s: float) -> float:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    try:
        started = time.perf_counter()
        page.goto(url)
        page.wait_for_function(MAP_DRAWN, timeout=timeout_s * 1000, polling=25)
        return time.perf_counter() - started
    finally:
        context.close()


def measure(
    app: str,
    script: Path,
    cwd: Path,
    *,
    servers: int,
    warm_visits: int,
    timeout_s: float,
    log: Log,
) -> Visits:
    """``servers`` fresh servers of ``script``: on each, one cold visit, then
    ``warm_visits`` warm ones."""
    from playwright.sync_api import sync_playwright

    found = Visits(app)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=list(CHROMIUM_ARGS))
        try:
            for n in range(servers):
                with tempfile.TemporaryFile("w") as server_log:
                    server = LocalServer(log=server_log, script=script, cwd=cwd)
                    try:
                        found.cold.append(_visit(browser, server.url, timeout_s))
                        for _ in range(warm_visits):
                            found.warm.append(_visit(browser, server.url, timeout_s))
                    finally:
                        server.close()
                log(
                    f"[{app}] server {n + 1}: cold {found.cold[-1]:.2f}s, warm "
                    + ", ".join(f"{t:.2f}s" for t in found.warm[-warm_visits:])
                )
        finally:
            browser.close()
    return found


def floor_app(folder: Path) -> Path:
    """The bare page, in ``folder`` with the project's Streamlit settings and static folder
    (Leaflet's scripts) beside it."""
    (folder / ".streamlit").mkdir(parents=True, exist_ok=True)
    config = REPO / ".streamlit" / "config.toml"
    (folder / ".streamlit" / "config.toml").write_text(config.read_text())
    if not (folder / "static").exists():
        (folder / "static").symlink_to(REPO / "static")
    script = folder / "floor_app.py"
    script.write_text(FLOOR_APP)
    return script


def run(
    *, servers: int = 3, warm_visits: int = 4, timeout_s: float = 120.0, log: Log = print
) -> tuple[Visits, Visits]:
    """The atlas and the floor, measured alternately server by server so that both see the
    same machine load."""
    atlas, floor = Visits("atlas"), Visits("floor")
    with tempfile.TemporaryDirectory(prefix="geo-first-visit-") as tmp:
        script = floor_app(Path(tmp))
        for _ in range(servers):
            for into, app, path, cwd in (
                (floor, "floor", script, Path(tmp)),
                (atlas, "atlas", REPO / "app.py", REPO),
            ):
                got = measure(
                    app,
                    path,
                    cwd,
                    servers=1,
                    warm_visits=warm_visits,
                    timeout_s=timeout_s,
                    log=log,
                )
                into.cold += got.cold
                into.warm += got.warm
    return atlas, floor


def report(atlas: Visits, floor: Visits) -> dict[str, object]:
    """The medians, their ratios to the floor and whether each meets its target."""
    warm_ratio = atlas.warm_s / floor.warm_s
    cold_ratio = atlas.cold_s / floor.cold_s
    return {
        "atlas": {**asdict(atlas), "cold_s": atlas.cold_s, "warm_s": atlas.warm_s},
        "floor": {**asdict(floor), "cold_s": floor.cold_s, "warm_s": floor.warm_s},
        "warm_ratio": round(warm_ratio, 2),
        "cold_ratio": round(cold_ratio, 2),
        "warm_target": WARM_TARGET,
        "cold_target": COLD_TARGET,
        "warm_met": warm_ratio <= WARM_TARGET,
        "cold_met": cold_ratio <= COLD_TARGET,
    }


def table(found: dict[str, object]) -> str:
    """A Markdown table of :func:`report`'s numbers."""
    atlas, floor = found["atlas"], found["floor"]
    assert isinstance(atlas, dict) and isinstance(floor, dict)
    lines = [
        "| first map | atlas (bundled data) | floor (bare 100-point map) | atlas/floor | target |",
        "|---|---:|---:|---:|---:|",
    ]
    for kind in ("cold", "warm"):
        ratio, target, met = found[f"{kind}_ratio"], found[f"{kind}_target"], found[f"{kind}_met"]
        lines.append(
            f"| {kind} (median of {len(atlas[kind])}) | {atlas[f'{kind}_s']:.2f} s "
            f"| {floor[f'{kind}_s']:.2f} s | {ratio}× | ≤ {target}× {'met' if met else 'MISSED'} |"
        )
    return "\n".join(lines)


def command(servers: int, warm_visits: int, json_path: str | None, log: Log) -> int:
    atlas, floor = run(servers=servers, warm_visits=warm_visits, log=log)
    found = report(atlas, floor)
    if json_path:
        Path(json_path).write_text(json.dumps(found, indent=2) + "\n")
    print(table(found))
    return 0
