"""The map at scale in a real browser: past the threshold the events arrive as H3 hexagons
(no event markers), and clicking a hexagon zooms the map into it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from atlas_tools.workload import synthetic_acled
from geo.bundle import load_bundle
from geo.importers import import_acled
from geo.store import DuckStore
from tests.e2e.conftest import Server, corpus_dir, map_frame, wait_for_app

SIZE = 3_000


@pytest.fixture(scope="module")
def scale_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder: Path = tmp_path_factory.mktemp("scale")
    store = DuckStore(folder / "atlas.duckdb")
    store.sync_bundle(load_bundle())
    result = import_acled(synthetic_acled(SIZE, folder / "acled.csv"), store)
    assert result.loaded > 2_000
    store.close()
    server = Server(env={"GEO_STORE": str(folder / "atlas.duckdb"), "GEO_CORPUS_DIR": corpus_dir()})
    yield server
    server.close()


def _count(page: Page, selector: str) -> int:
    return int(map_frame(page).evaluate(f"() => document.querySelectorAll({selector!r}).length"))


def test_past_the_threshold_the_map_draws_hexagons(scale_server: Server, page: Page) -> None:
    page.goto(scale_server.url)
    wait_for_app(page)
    deadline = time.monotonic() + 30
    while _count(page, "path.atlas-cell") == 0 and time.monotonic() < deadline:
        time.sleep(0.25)
    assert _count(page, "path.atlas-cell") > 10
    assert _count(page, ".atlas-mk-event") == 0
    assert _count(page, ".atlas-mk-site, .atlas-cluster") > 0  # the sites stay markers
    tips = map_frame(page).evaluate(
        "() => { const out = []; window.map.eachLayer(l => { if (l.feature && "
        "l.feature.properties && l.feature.properties.tip) out.push(l.feature.properties.tip) });"
        " return out; }"
    )
    assert sum("[cell:" in t for t in tips) > 10


def test_clicking_a_hexagon_zooms_into_it(scale_server: Server, page: Page) -> None:
    page.goto(scale_server.url)
    wait_for_app(page)
    frame = map_frame(page)
    deadline = time.monotonic() + 30
    while _count(page, "path.atlas-cell") == 0 and time.monotonic() < deadline:
        time.sleep(0.25)
    before = float(frame.evaluate("() => window.map.getZoom()"))
    tip = frame.evaluate(
        "() => { let done = null; window.map.eachLayer(l => { if (!done && l.feature && "
        "(l.feature.properties.tip || '').includes('[cell:')) "
        "{ l.fire('click'); done = l.feature.properties.tip; } }); return done; }"
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if float(map_frame(page).evaluate("() => window.map.getZoom()")) > before:
            break
        time.sleep(0.25)
    assert float(map_frame(page).evaluate("() => window.map.getZoom()")) > before
    # The clicked hexagon's events are listed beside the map, as many as its tooltip said.
    count = int(tip.split(" event(s)")[0].replace(",", ""))
    expect(page.get_by_text(f"Events in this hexagon ({count})")).to_be_visible(timeout=20_000)
