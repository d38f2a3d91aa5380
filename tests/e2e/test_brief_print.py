"""The HTML brief as a briefer hands it out: printed from Chromium for Kazakhstan in 2019 it
fits on three A4 pages, keeps working notes, character offsets and the data hash out of
its body, shows no map controls on paper, and its map holds every item in view, on screen
and in print; an empty view prints on one page that says so."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pypdf
import pytest
from playwright.sync_api import Browser, Page

from geo import export, query
from geo.bundle import Bundle, borders_geojson, load_bundle
from tests.e2e.conftest import ARTIFACTS, COUNT_JS

KAZ_2019 = (
    "http://127.0.0.1:8501/?from=2019-01&to=2019-12&country=KAZ&sel=EV017&map=50.36,69.24,5.5"
)
EMPTY = "http://127.0.0.1:8501/?from=2019-01&to=2019-12&country=KGZ&cat=consulate_embassy&q=zzz"
# Working notes of the data that a reader of the brief must not meet (each is in the notes
# of an item of the Kazakhstan 2019 view, or of its excerpts' offsets).
NOTES = (
    "Coords:",
    "verify on OSM",
    "draw as polyline via waypoint cities",
    "pub.dev",
    "'geography' package constant",
    "characters ",
    "excerpts.csv",
    "events.csv",
)
# Every map of the page, found as Leaflet keeps them (folium names each map_<hex>).
BOUNDS_JS = """
(points) => {
  const maps = Object.keys(window).filter(k => /^map_[0-9a-f]+$/.test(k))
    .map(k => window[k]).filter(m => m instanceof L.Map);
  if (maps.length !== 1) { return ['maps: ' + maps.length]; }
  const b = maps[0].getBounds();
  return points.filter(p => !b.contains(L.latLng(p[0], p[1])))
    .map(p => p.join(',') + ' outside ' + b.toBBoxString());
}
"""


@pytest.fixture(scope="module")
def bundle() -> Bundle:
    return load_bundle()


def brief_file(bundle: Bundle, link: str, folder: Path) -> tuple[Path, list[tuple[float, float]]]:
    """The brief of the view ``link`` opens, written as ``geo export`` writes it, and the
    points of the items in view."""
    bounds = export.view_bounds(bundle)
    state = export.view_from_link(link, bounds).state
    filtered = query.apply(bundle, state)
    page = export.brief_html(
        bundle,
        filtered,
        state,
        link=export.permalink(link.split("?")[0], state, bounds),
        borders=borders_geojson(),
        generated=datetime.now(UTC),
    )
    path = folder / "brief.html"
    path.write_text(page, encoding="utf-8")
    points = [
        (float(r["latitude"]), float(r["longitude"]))
        for frame in (filtered.events, filtered.sites)
        for r in frame.to_dict("records")
    ]
    return path, points


@pytest.fixture
def tab(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    context.route(
        "**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort()
    )
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


def printed(page: Page, folder: Path) -> pypdf.PdfReader:
    out = folder / "brief.pdf"
    page.pdf(path=str(out), format="A4", print_background=True, prefer_css_page_size=True)
    return pypdf.PdfReader(out)


def test_the_kazakhstan_2019_brief_prints_on_three_pages_with_every_item_on_its_map(
    bundle: Bundle, tab: Page, tmp_path: Path
) -> None:
    path, points = brief_file(bundle, KAZ_2019, tmp_path)
    assert len(points) == 27
    tab.goto(path.as_uri())
    tab.wait_for_function(f"() => ({COUNT_JS.strip()})() === {len(points)}", timeout=20_000)
    assert tab.evaluate(BOUNDS_JS, points) == []  # the Mangystau rallies too
    # The places are named on the map, the cities of the rallies too (not only capitals).
    names = set(tab.locator(".leaflet-container .atlas-label span").all_inner_texts())
    assert {"KAZAKHSTAN", "Astana", "Almaty", "Shymkent", "Aktobe"} <= names, names
    # The legend is beside the map, not on it; the zoom buttons are there on screen only.
    assert (
        tab.locator(".leaflet-container #map-legend, .leaflet-container .atlas-legend").count() == 0
    )
    assert tab.locator("#map-legend").is_visible()
    assert tab.locator(".leaflet-control-zoom").is_visible()
    tab.emulate_media(media="print")
    assert not tab.locator(".leaflet-control-zoom").is_visible()
    assert not tab.locator(".leaflet-control-layers").is_visible()
    assert tab.evaluate(BOUNDS_JS, points) == []  # the map keeps its size on paper
    ARTIFACTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / "brief-print.png"), full_page=True)

    pdf = printed(tab, tmp_path)
    pages = [" ".join((p.extract_text() or "").split()) for p in pdf.pages]
    assert 1 <= len(pages) <= 3, len(pages)
    text = " ".join(pages)
    body, method = text.split("Method and data", 1)
    assert "Events and sites in Kazakhstan, 2019: 19 events (1 undated), 8 sites" in body
    for words in ("Dates January 2019 to December 2019", "Countries Kazakhstan",
                  "Categories all", "Undated events included (1 in this view)"):  # fmt: skip
        assert words in body, words
    for note in NOTES:
        assert note not in text, note
    assert bundle.version and bundle.version not in body and bundle.version in method
    assert "127.0.0.1" not in body  # the loopback link is named for what it is, at the end
    assert "other computers cannot open" in method
    # The table numbers every item, each with its citation's number; the excerpts are
    # quoted under their items; the citations are a numbered list.
    assert "Items in view (19 events and 8 sites) # Date Place Category Title" in body
    assert "1 9 Jan 2019 Astana (Kazakh MFA statement) Policy Kazakh MFA" in body
    assert "[1] “Mounting tension has led China to permit more than 2,000" in body
    assert len(re.findall(r"\[\d+\]", body)) >= 27
    assert "Sources 1. “Astana Says China Allowing 2,000 Ethnic Kazakhs" in body


def test_an_empty_view_prints_on_one_page_that_says_so(
    bundle: Bundle, tab: Page, tmp_path: Path
) -> None:
    path, points = brief_file(bundle, EMPTY, tmp_path)
    assert points == []
    tab.goto(path.as_uri())
    tab.emulate_media(media="print")
    pdf = printed(tab, tmp_path)
    assert len(pdf.pages) == 1
    text = " ".join((pdf.pages[0].extract_text() or "").split())
    assert "No event or site matches this view." in text
    assert "clear the search “zzz”" in text
    assert tab.locator(".leaflet-container").count() == 0
