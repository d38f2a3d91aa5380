"""The app served under a URL path prefix (``--server.baseUrlPath=atlas``), as behind a
reverse proxy: the map's scripts load from /atlas/app/static/..., the share link keeps the
prefix and reopens the same view, the sources page links back under it, downloads work."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pandas as pd
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.app.helpers import expected_counts, expected_events
from tests.e2e.conftest import (
    ARTIFACTS,
    Server,
    corpus_dir,
    drawn_markers,
    map_frame,
    wait_for_app,
)
from tests.e2e.test_export import CODE, SHARE, download

KGZ = "?country=KGZ&from=2019-01&to=2020-12&cat=protest"
KGZ_VIEW = {"countries": ["KGZ"], "categories": ["protest"], "months": ("2019-01", "2020-12")}


@pytest.fixture(scope="module")
def prefixed() -> Iterator[Server]:
    srv = Server(env={"GEO_CORPUS_DIR": corpus_dir()}, extra_args=["--server.baseUrlPath=atlas"])
    assert srv.url.endswith("/atlas")
    yield srv
    srv.close()


def share_link(page: Page) -> str:
    page.get_by_role("button", name=re.compile(SHARE)).click()
    expect(page.locator(CODE)).to_contain_text("http", timeout=30_000)
    return page.locator(CODE).inner_text().strip().split("\n")[-1]


def test_the_map_draws_offline_under_the_prefix(prefixed: Server, page: Page) -> None:
    local: list[str] = []
    failed: list[str] = []
    page.on("request", lambda r: local.append(r.url) if "/app/static/" in r.url else None)
    page.on("requestfailed", lambda r: failed.append(r.url) if "127.0.0.1" in r.url else None)
    page.goto(f"{prefixed.url}/")
    wait_for_app(page)
    n_events, n_sites = expected_counts()
    assert drawn_markers(page, expected=n_events + n_sites) == n_events + n_sites
    scripts = map_frame(page).evaluate(
        "() => Array.from(document.scripts).map(s => s.src).filter(Boolean)"
    )
    assert all(urlsplit(s).path.startswith("/atlas/") for s in scripts), scripts
    vendor = {urlsplit(s).path for s in scripts if "/app/static/" in s}
    assert {
        "/atlas/app/static/vendor/leaflet.js",
        "/atlas/app/static/vendor/jquery.min.js",
    } <= vendor
    assert local and all(urlsplit(u).path.startswith("/atlas/app/static/") for u in local)
    assert failed == [], failed


def test_a_share_link_keeps_the_prefix_and_reopens_the_view(
    prefixed: Server, page: Page, browser: Browser
) -> None:
    page.goto(f"{prefixed.url}/{KGZ}")
    wait_for_app(page)
    want = sum(expected_counts(**KGZ_VIEW))
    assert drawn_markers(page, expected=want) == want
    link = share_link(page)
    assert link.startswith(f"{prefixed.url}/?from=2019-01&to=2020-12&country=KGZ&cat=protest")
    summary = page.get_by_text(re.compile(r"^\d+ events? and \d+ sites?")).inner_text()

    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    other = context.new_page()
    try:
        other.goto(link)
        wait_for_app(other)
        assert drawn_markers(other, expected=want) == want
        expect(other.get_by_text(summary, exact=True)).to_be_visible(timeout=30_000)
        query = parse_qs(urlsplit(other.evaluate("() => window.location.href")).query)
        assert {k: v[-1] for k, v in query.items() if k != "map"} == {
            "from": "2019-01",
            "to": "2020-12",
            "country": "KGZ",
            "cat": "protest",
        }
        assert urlsplit(other.evaluate("() => window.location.href")).path == "/atlas/"
    finally:
        context.close()


def test_the_charts_page_link_keeps_the_prefix_and_the_page(prefixed: Server, page: Page) -> None:
    page.goto(f"{prefixed.url}/charts{KGZ}")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Charts")).to_be_visible(timeout=60_000)
    link = share_link(page)
    assert link == f"{prefixed.url}/charts?from=2019-01&to=2020-12&country=KGZ&cat=protest"
    page.screenshot(path=str(ARTIFACTS / "charts-share.png"))


def test_sources_page_links_open_the_map_under_the_prefix(prefixed: Server, page: Page) -> None:
    page.goto(f"{prefixed.url}/sources")
    wait_for_app(page)
    marks = page.locator("[data-testid='stHtml'] mark a")
    expect(marks.first).to_be_visible(timeout=60_000)
    hrefs = marks.evaluate_all("links => links.map(a => a.href)")
    assert hrefs and all(urlsplit(h).path == "/atlas/" for h in hrefs), hrefs[:3]
    marks.first.click()
    page.wait_for_url(re.compile(r"/atlas/\?.*sel="), timeout=30_000)
    wait_for_app(page)
    assert drawn_markers(page) > 0
    expect(page.get_by_text("Excerpts (")).to_be_visible(timeout=30_000)


def test_a_download_works_under_the_prefix(
    prefixed: Server, browser: Browser, tmp_path_factory: pytest.TempPathFactory
) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    try:
        page.goto(f"{prefixed.url}/{KGZ}")
        wait_for_app(page)
        drawn_markers(page)
        share_link(page)
        path = download(page, "Events CSV (ACLED columns)", tmp_path_factory.mktemp("prefixed"))
        page.screenshot(path=str(ARTIFACTS / "base-path-share.png"))
    finally:
        context.close()
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert sorted(table["event_id_cnty"]) == sorted(expected_events(**KGZ_VIEW)["event_id"])
