"""AidData's projects in a real browser: the publisher's GCDF 2.0 file imported into the
store the server uses; a link zoomed on a project draws its footprint as a polygon, and a map
opened further out draws none until the user zooms in."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page

from geo.bundle import load_bundle
from geo.importers import import_aiddata
from geo.store import DuckStore
from tests.conftest import EXTERNAL_DIR
from tests.e2e.conftest import ARTIFACTS, Server, corpus_dir, map_frame, wait_for_app

V2 = EXTERNAL_DIR / "aiddata-gcdf-kaz-kgz.small.geojson"
ATYRAU = "aiddata-39556"  # the Atyrau refinery, 47.07 N 51.92 E
FOOTPRINTS_JS = """
() => Array.from(document.querySelectorAll('path.atlas-footprint')).map(p => {
  const box = p.getBoundingClientRect();
  return {width: box.width, height: box.height, d: (p.getAttribute('d') || '').length};
})
"""


@pytest.fixture(scope="module")
def aiddata_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    if not V2.exists():
        pytest.fail(f"the AidData file is missing: {V2}")
    folder: Path = tmp_path_factory.mktemp("aiddata")
    store = DuckStore(folder / "atlas.duckdb")
    store.sync_bundle(load_bundle())
    assert import_aiddata(V2, store).loaded == 54
    store.close()
    server = Server(env={"GEO_STORE": str(folder / "atlas.duckdb"), "GEO_CORPUS_DIR": corpus_dir()})
    yield server
    server.close()


# Each tooltip's text as a click reports it (its textContent, as st_folium reads it).
TIPS_JS = (
    "() => { const out = []; window.map.eachLayer(l => { if (l.feature && "
    "l.feature.properties && l.feature.properties.tip) { const e = "
    "document.createElement('span'); e.innerHTML = l.feature.properties.tip; "
    "out.push(e.textContent.trim()); } }); return out; }"
)


def _footprints(page: Page, at_least: int, timeout: float = 30) -> list[dict[str, float]]:
    deadline = time.monotonic() + timeout
    found: list[dict[str, float]] = []
    while time.monotonic() < deadline:
        try:
            found = list(map_frame(page).evaluate(FOOTPRINTS_JS))
        except Exception:  # the iframe reloading between reruns
            found = []
        if len(found) >= at_least:
            return found
        time.sleep(0.25)
    return found


def test_a_link_zoomed_on_a_project_draws_its_footprint(aiddata_server: Server, page: Page) -> None:
    page.goto(f"{aiddata_server.url}/?cat=bri_site&sel={ATYRAU}&map=47.0718,51.9239,13")
    wait_for_app(page)
    drawn = _footprints(page, 1)
    assert drawn, "no footprint polygon in the map"
    # At zoom 13 the refinery's footprint is a shape you can see, not a dot.
    biggest = max(drawn, key=lambda f: f["width"] * f["height"])
    assert biggest["width"] > 40 and biggest["height"] > 40 and biggest["d"] > 50
    # The polygon's own tooltip names the project (read once the layers have settled: the
    # map's layers are swapped while a rerun after the selection redraws them).
    deadline, tips = time.monotonic() + 20, []
    while time.monotonic() < deadline:
        try:
            tips = list(map_frame(page).evaluate(TIPS_JS))
        except Exception:  # the iframe reloading between reruns
            tips = []
        if any(t.endswith(f"[{ATYRAU}]") and "Eximbank" in t for t in tips):
            break
        time.sleep(0.25)
    assert any(t.endswith(f"[{ATYRAU}]") and "Eximbank" in t for t in tips), tips
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "footprint-zoomed.png"))


def test_footprints_appear_when_the_user_zooms_in(aiddata_server: Server, page: Page) -> None:
    page.goto(f"{aiddata_server.url}/?cat=bri_site&map=47.0718,51.9239,6")
    wait_for_app(page)
    frame = map_frame(page)
    time.sleep(2)  # the page has settled at zoom 6
    assert _footprints(page, 1, timeout=2) == []
    frame.evaluate("() => { window.map.setView([47.0718, 51.9239], 13); }")
    assert _footprints(page, 1), "zooming in drew no footprint"
