"""Downloads and sharing in a real browser: each format taken from the app through the
browser's download, holding exactly the linked view; the HTML brief opened with every
network request blocked still draws its map, its chart and every excerpt."""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import geopandas as gpd
import pandas as pd
import pypdf
import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from tests.app.helpers import expected_events, expected_sites, read_csv
from tests.e2e.conftest import ARTIFACTS, COUNT_JS, Server, drawn_markers, wait_for_app

LINK = "/?country=KGZ&from=2019-01&to=2020-12&cat=protest"
VIEW = {"countries": ["KGZ"], "categories": ["protest"], "months": ("2019-01", "2020-12")}
SHARE = "Share or download this view"
CODE = "[data-testid='stPopoverBody'] [data-testid='stCode'] code"


def open_share(page: Page, url: str) -> None:
    """Open ``url`` and the share popover on it."""
    page.goto(url)
    wait_for_app(page)
    drawn_markers(page)
    page.get_by_role("button", name=re.compile(SHARE)).click()
    expect(page.get_by_text("Download what is shown")).to_be_visible(timeout=30_000)
    expect(page.locator(CODE)).to_contain_text("http", timeout=30_000)


def download(page: Page, label: str, folder: Path) -> Path:
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name=re.compile(re.escape(label))).click()
    target = folder / info.value.suggested_filename
    info.value.save_as(target)
    return target


def expected_ids() -> tuple[list[str], list[str]]:
    """Event and site ids of the view, computed from data/*.csv alone."""
    sites_view = {k: v for k, v in VIEW.items() if k != "undated"}
    return (
        sorted(expected_events(**VIEW)["event_id"]),
        sorted(expected_sites(**sites_view)["site_id"]),
    )


@pytest.fixture(scope="module")
def downloads(
    server: Server, browser: Browser, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Path]]:
    """The three files, downloaded from the app through its share control."""
    folder = tmp_path_factory.mktemp("downloads")
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        open_share(page, server.url + LINK)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "share-and-download.png"))
        files = {
            "csv": download(page, "Events CSV (ACLED columns)", folder),
            "sites": download(page, "Sites CSV", folder),
            "zip": download(page, "Everything (zip)", folder),
            "geojson": download(page, "GeoJSON", folder),
            "brief": download(page, "HTML brief", folder),
            "pdf": download(page, "PDF brief", folder),
            "png": download(page, "Map image", folder),
        }
        yield files
    finally:
        context.close()


def test_the_share_text_names_the_view_and_links_to_it(server: Server, page: Page) -> None:
    open_share(page, server.url + LINK)
    summary, link = page.locator(CODE).inner_text().strip().split("\n")
    events, sites = expected_ids()
    assert summary == (
        f"Protests in Kyrgyzstan, 2019–2020: {len(events)} events, {len(sites)} sites"
    )
    # The map reports its viewport, which the link keeps too (``map=``).
    assert link.startswith(f"{server.url}/?from=2019-01&to=2020-12&country=KGZ&cat=protest")
    assert set(parse_qs(urlsplit(link).query)) <= {"from", "to", "country", "cat", "map"}


def test_csv_holds_exactly_the_linked_view(downloads: dict[str, Path]) -> None:
    """The events CSV holds the view's events only; the sites come in a CSV of their own,
    and both in the zip."""
    path = downloads["csv"]
    assert path.name == "atlas_2019-01_2020-12_KGZ_protest_events.csv"
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    events, sites = expected_ids()
    assert sorted(table["event_id_cnty"]) == events
    assert {"event_id_cnty", "event_date", "time_precision", "geo_precision", "iso"} <= set(
        table.columns
    )
    site_table = pd.read_csv(downloads["sites"], dtype=str, keep_default_na=False)
    assert downloads["sites"].name == "atlas_2019-01_2020-12_KGZ_protest_sites.csv"
    assert sorted(site_table["site_id"]) == sites
    with zipfile.ZipFile(downloads["zip"]) as archive:
        assert archive.read("events.csv") == path.read_bytes()
        assert archive.read("sites.csv") == downloads["sites"].read_bytes()
    source = read_csv("events.csv").set_index("event_id")
    for _, row in table.iterrows():
        assert row["title"] == source.loc[row["event_id_cnty"], "title"]
        assert float(row["latitude"]) == float(source.loc[row["event_id_cnty"], "latitude"])


def test_geojson_holds_exactly_the_linked_view(downloads: dict[str, Path]) -> None:
    frame = gpd.read_file(downloads["geojson"])
    assert frame.crs.to_epsg() == 4326
    events, sites = expected_ids()
    assert sorted(frame.loc[frame["kind"] == "event", "event_id_cnty"]) == events
    assert sorted(frame.loc[frame["kind"] == "site", "event_id_cnty"]) == sites
    source = read_csv("events.csv").set_index("event_id")
    for _, row in frame[frame["kind"] == "event"].iterrows():
        want = source.loc[row["event_id_cnty"]]
        assert (row.geometry.x, row.geometry.y) == (
            float(want["longitude"]),
            float(want["latitude"]),
        )
    meta = json.loads(downloads["geojson"].read_text(encoding="utf-8"))["atlas"]
    assert "/?from=2019-01&to=2020-12&country=KGZ&cat=protest" in meta["link"]


def test_the_pdf_brief_and_the_map_image_hold_the_linked_view(
    downloads: dict[str, Path],
) -> None:
    assert downloads["pdf"].name == "atlas_2019-01_2020-12_KGZ_protest.pdf"
    reader = pypdf.PdfReader(downloads["pdf"])
    assert 1 <= len(reader.pages) <= 3
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)
    events, sites = expected_ids()
    assert f"Protests in Kyrgyzstan, 2019–2020: {len(events)} events, {len(sites)} sites" in text
    titles = read_csv("events.csv").set_index("event_id")["title"]
    for event_id in events:
        assert " ".join(titles[event_id].split()) in text, event_id
    assert downloads["png"].name == "atlas_2019-01_2020-12_KGZ_protest_map.png"
    image = Image.open(downloads["png"])
    assert image.size == (1600, 900)


def test_the_brief_works_with_every_request_blocked(
    downloads: dict[str, Path], browser: Browser
) -> None:
    path = downloads["brief"]
    url = path.resolve().as_uri()
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    blocked: list[str] = []

    def only_the_file(route) -> None:  # type: ignore[no-untyped-def]
        if route.request.url == url:
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    context.route("**/*", only_the_file)
    page = context.new_page()
    dialogs: list[str] = []
    errors: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(url)
        events, sites = expected_ids()
        want = len(events) + len(sites)
        page.wait_for_function(f"() => ({COUNT_JS.strip()})() === {want}", timeout=20_000)
        assert page.evaluate(COUNT_JS) == want
        chart = page.locator("#monthly-chart")
        expect(chart).to_be_visible(timeout=30_000)
        assert page.locator("#monthly-chart .barlayer .point path").count() > 0
        text = " ".join(page.locator("body").inner_text().split())
        excerpts = read_csv("excerpts.csv").set_index("excerpt_id")
        cited = {
            x.strip()
            for ids in expected_events(**VIEW)["excerpt_ids"]
            for x in ids.split(";")
            if x.strip()
        }
        assert cited, "the view should quote at least one excerpt"
        for excerpt_id in cited:
            assert " ".join(excerpts.loc[excerpt_id, "text"].split()) in text, excerpt_id
        assert "Data version" in text and "as of 30 July 2024" in text
        assert "Protests in Kyrgyzstan, 2019–2020" in text
        page.screenshot(path=str(ARTIFACTS / "brief.png"))
        page.screenshot(path=str(ARTIFACTS / "brief-full.png"), full_page=True)
    finally:
        context.close()
    assert blocked == [], f"the brief tried to reach: {blocked[:5]}"
    assert dialogs == [] and errors == [], (dialogs, errors)
