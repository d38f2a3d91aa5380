"""The map page in a real browser with no internet: markers, clicks, timeline, permalinks,
hostile data."""

from __future__ import annotations

import csv
import shutil
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import REPO, Server, drawn_markers, map_frame, rewrite_csv, wait_for_app

DATA = REPO / "data"


# ---- an independent oracle for what the filters should keep (plain csv, no project code) ----


def _period(value: str, precision: str) -> tuple[date, date]:
    if precision == "year" or len(value) == 4:
        return date(int(value), 1, 1), date(int(value), 12, 31)
    if precision == "month" or len(value) == 7:
        first = date(int(value[:4]), int(value[5:7]), 1)
        nxt = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
        return first, nxt - timedelta(days=1)
    d = date.fromisoformat(value)
    return d, d


def _month_bounds(first: str, last: str) -> tuple[date, date]:
    return _period(first, "month")[0], _period(last, "month")[1]


def expected_count(
    first: str, last: str, cats: set[str] | None = None, countries: set[str] | None = None
) -> int:
    lo, hi = _month_bounds(first, last)
    n = 0
    with (DATA / "events.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if (cats and row["category"] not in cats) or (
                countries and row["iso"] not in countries
            ):
                continue
            if not row["event_date"]:
                n += 1  # undated events are shown by default
                continue
            start, stop = _period(row["event_date"], row["time_precision"])
            if row["date_end"]:
                stop = _period(row["date_end"], "day")[1]
            n += start <= hi and stop >= lo
    with (DATA / "sites.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if (cats and row["category"] not in cats) or (
                countries and row["iso"] not in countries
            ):
                continue
            opened = (
                _period(row["date_open"], row["open_precision"])[0] if row["date_open"] else None
            )
            closed = (
                _period(row["date_close"], row["close_precision"])[1] if row["date_close"] else None
            )
            n += (opened is None or opened <= hi) and (closed is None or closed >= lo)
    return n


def params_of(url: str) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlsplit(url).query).items()}


def current_url(page: Page) -> str:
    """The address bar as it is now (Streamlit rewrites it with history.replaceState, which
    ``page.url`` does not always follow)."""
    return str(page.evaluate("() => window.location.href"))


# ---- tests ----


def test_map_draws_every_event_and_site_offline(server: Server, page: Page) -> None:
    failed_local: list[str] = []
    page.on(
        "requestfailed",
        lambda r: failed_local.append(r.url) if "127.0.0.1" in r.url else None,
    )
    page.goto(server.url)
    wait_for_app(page)
    expect(page.get_by_text("69 events and 20 sites")).to_be_visible()
    frame = map_frame(page)
    assert drawn_markers(page, expected=89) == 89
    # The borders are drawn as vector paths (no tiles needed) and the legend is on the map.
    assert frame.locator(".leaflet-overlay-pane path").count() >= 25
    expect(frame.get_by_text("Legend")).to_be_visible()
    assert failed_local == [], f"local files failed to load: {failed_local}"
    page.screenshot(path=str(REPO / "test-artifacts" / "map-default.png"), full_page=True)


def test_clicking_a_marker_shows_its_excerpt_and_keeps_the_map(server: Server, page: Page) -> None:
    page.goto(f"{server.url}/?cat=policy&from=2015-11&to=2015-11")
    wait_for_app(page)
    assert drawn_markers(page, expected=1) == 1
    frame = map_frame(page)
    frame.evaluate("() => { window.__mounted = 'yes'; }")
    zoom_before = frame.evaluate("() => window.map.getZoom()")
    frame.locator(".leaflet-marker-icon .atlas-mk").first.click()
    expect(page.get_by_text("The law passed in November 2015")).to_be_visible(timeout=20_000)
    expect(page.get_by_text("Caspian Policy Center").first).to_be_visible()
    page.wait_for_function("() => window.location.search.includes('sel=EV001')")
    wait_for_app(page)
    # Same iframe document (not remounted), same zoom.
    frame = map_frame(page)
    assert frame.evaluate("() => window.__mounted") == "yes"
    assert frame.evaluate("() => window.map.getZoom()") == zoom_before


def test_timeline_drag_changes_url_and_markers_and_link_reopens_view(
    server: Server, page: Page, browser
) -> None:
    page.goto(server.url)
    wait_for_app(page)
    assert drawn_markers(page, expected=89) == 89
    # The slider's inputs are visually hidden; their parent is the thumb a user drags.
    end_thumb = page.get_by_role("slider", name="Months shown — end").locator("xpath=..")
    box = end_thumb.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] - 120, box["y"] + box["height"] / 2, steps=8)
    page.mouse.up()
    page.wait_for_function("() => window.location.search.includes('to=')", timeout=20_000)
    wait_for_app(page)
    params = params_of(current_url(page))
    first = params.get("from", "2013-09")
    want = expected_count(first, params["to"])
    assert want < 89
    assert drawn_markers(page, expected=want) == want

    other = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    try:
        other.goto(current_url(page))
        wait_for_app(other)
        assert drawn_markers(other, expected=want) == want
        assert params_of(current_url(other)) == params
    finally:
        other.context.close()


def test_country_filter_from_link(server: Server, page: Page) -> None:
    page.goto(f"{server.url}/?country=KGZ")
    wait_for_app(page)
    want = expected_count("2013-09", "2024-07", countries={"KGZ"})
    assert drawn_markers(page, expected=want) == want


def test_bad_link_falls_back_with_notice(server: Server, page: Page) -> None:
    page.goto(f"{server.url}/?from=abc&country=FRA&sel=%3Cscript%3E")
    wait_for_app(page)
    expect(page.get_by_text("This link had problems")).to_be_visible()
    assert drawn_markers(page, expected=89) == 89


PAYLOADS = {
    "title": "<img src=x onerror=alert(1)> ${alert(2)} `tick`",
    "location": "</script><script>alert(3)</script>",
    "actor1": "\\2019 <svg onload=alert(4)>",
    "participants": "${alert(5)}",
    "notes": "<img src=x onerror=alert(6)>",
}


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory: pytest.TempPathFactory) -> Server:
    folder = tmp_path_factory.mktemp("hostile-data")
    for name in ("events.csv", "sites.csv", "sources.csv", "excerpts.csv"):
        shutil.copy(DATA / name, folder / name)
    shutil.copytree(DATA / "geo", folder / "geo")

    def rewrite(name: str, key: str, wanted: str, changes: dict[str, str]) -> None:
        rewrite_csv(folder / name, key, wanted, changes)

    rewrite("events.csv", "event_id", "EV001", PAYLOADS)
    source_id = next(
        r["source_id"]
        for r in csv.DictReader((folder / "events.csv").open(encoding="utf-8"))
        if r["event_id"] == "EV001"
    )
    rewrite(
        "sources.csv",
        "source_id",
        source_id,
        {"title": "<img src=x onerror=alert(7)>", "url": "javascript:alert(8)"},
    )
    # No corpus: the excerpt text is not checked against the article, so it can carry a payload.
    rewrite(
        "excerpts.csv", "excerpt_id", "X007", {"text": "`${alert(9)}` <b onmouseover=alert(10)>"}
    )
    srv = Server(env={"GEO_DATA_DIR": str(folder), "GEO_CORPUS_DIR": ""})
    yield srv
    srv.close()


def test_hostile_data_stays_inert_text(hostile_server: Server, page: Page) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(f"{hostile_server.url}/?cat=policy&from=2015-11&to=2015-11")
    wait_for_app(page)
    assert drawn_markers(page, expected=1) == 1
    frame = map_frame(page)
    marker = frame.locator(".leaflet-marker-icon .atlas-mk").first
    marker.hover()
    expect(frame.locator(".leaflet-tooltip")).to_contain_text("<img src=x onerror=alert(1)>")
    marker.click()
    expect(frame.locator(".leaflet-popup-content")).to_contain_text("</script><script>alert(3)")
    # The unsafe source link is shown as text, never as a link.
    assert frame.locator(".leaflet-popup-content a").count() == 0
    expect(page.get_by_text("${alert(9)}", exact=False)).to_be_visible(timeout=20_000)
    expect(page.get_by_text("<img src=x onerror=alert(1)>", exact=False).first).to_be_visible()
    assert page.locator("a[href^='javascript']").count() == 0
    page.wait_for_timeout(1500)
    assert dialogs == []
