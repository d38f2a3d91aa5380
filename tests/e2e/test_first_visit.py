"""A first visit to the map page: the map is drawn first, then the charts and the items table
follow without moving or reloading it; should the map never draw, they come anyway."""

from __future__ import annotations

import csv

from playwright.sync_api import Browser, Page, expect

from atlas_tools.firstvisit import MAP_DRAWN
from tests.e2e.conftest import Server, map_frame, wait_for_app
from tests.e2e.test_journey import SUMMARY_ANY, go_to
from tests.e2e.test_map import DATA, current_url, params_of

CHARTS = ".js-plotly-plot"
TABLE = "[data-testid='stDataFrame']"
FILTERS = "[data-testid='stSidebar'] [data-testid='stMultiSelect']"
# What else is on the page at the moment the map is drawn (read in the same instant).
AT_MAP_DRAWN = f"""() => {{
  if (!({MAP_DRAWN})()) return false;
  const headings = [...document.querySelectorAll("h1, h2, h3, h4")].map(h => h.textContent);
  return {{
    table: headings.some(t => t.includes("Items in view"))
      || !!document.querySelector("{TABLE}"),
    charts: document.querySelectorAll("{CHARTS}").length,
    filters: document.querySelectorAll("{FILTERS}").length,
  }};
}}"""


def _rows(name: str) -> int:
    with (DATA / name).open(encoding="utf-8") as f:
        return sum(1 for _ in csv.DictReader(f))


def test_the_map_comes_first_then_the_charts_and_the_table(server: Server, page: Page) -> None:
    page.goto(server.url)
    seen = page.wait_for_function(AT_MAP_DRAWN, timeout=60_000, polling=25).json_value()
    # When the map is drawn, nothing of the charts or the table is on the page yet.
    assert not seen["table"], "the items table was sent with the map"
    assert seen["charts"] == 0, "the charts were sent with the map"
    assert seen["filters"] == 0, "the sidebar's filters were sent with the map"
    map_frame(page).evaluate("() => { window.__first = 'still here'; }")

    # Then they follow: every item on the map in the table, the three linked charts.
    items = _rows("events.csv") + _rows("sites.csv")
    expect(page.get_by_role("heading", name=f"Items in view ({items})")).to_be_visible(
        timeout=30_000
    )
    expect(page.locator(TABLE)).to_be_visible()
    expect(page.locator(CHARTS)).to_have_count(3, timeout=30_000)
    expect(page.locator(FILTERS)).to_have_count(3)  # countries, categories, regions
    for title in ("Events per month", "Events by category", "Top actors"):
        expect(page.locator(CHARTS).get_by_text(title, exact=False).first).to_be_visible()
    # ...without reloading the map or moving it.
    frame = map_frame(page)
    assert frame.evaluate("() => window.__first") == "still here", "the map was reloaded"
    assert frame.evaluate("() => window.map.getZoom()") == 4


def test_the_charts_and_the_table_come_when_the_map_cannot_draw(
    server: Server, browser: Browser
) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        # Leaflet never arrives: the map cannot draw, so it never reports.
        page.route("**/vendor/leaflet.js", lambda route: route.abort())
        page.goto(server.url)
        expect(page.get_by_role("heading", name="Items in view")).to_be_visible(timeout=45_000)
        expect(page.locator(CHARTS)).to_have_count(3, timeout=30_000)
    finally:
        context.close()


def test_the_filters_follow_the_map_with_the_link_s_values(server: Server, page: Page) -> None:
    link = "/?from=2019-01&to=2020-12&country=KGZ&cat=protest"
    page.goto(server.url + link)
    page.wait_for_function(AT_MAP_DRAWN, timeout=60_000, polling=25)
    summary = page.get_by_text(SUMMARY_ANY).first
    expect(summary).to_be_visible()
    opened_on = summary.inner_text()
    sidebar = page.get_by_test_id("stSidebar")
    countries = sidebar.get_by_test_id("stMultiSelect").first
    expect(countries).to_be_visible(timeout=30_000)
    expect(countries).to_contain_text("Kyrgyzstan")
    expect(countries).not_to_contain_text("Kazakhstan")
    expect(sidebar.get_by_test_id("stMultiSelect").nth(1)).to_contain_text("Protests")
    expect(sidebar).to_contain_text("2019-01")
    expect(sidebar).to_contain_text("2020-12")
    # Drawing them changed nothing: the same view, the same link.
    page.wait_for_timeout(1000)
    wait_for_app(page)
    assert page.get_by_text(SUMMARY_ANY).first.inner_text() == opened_on
    assert {k: v for k, v in params_of(current_url(page)).items() if k != "map"} == {
        "from": "2019-01",
        "to": "2020-12",
        "country": "KGZ",
        "cat": "protest",
    }


def test_filters_shown_on_another_page_stay_while_the_map_opens(server: Server, page: Page) -> None:
    page.goto(f"{server.url}/charts?country=KGZ")
    wait_for_app(page)
    expect(page.locator(FILTERS)).to_have_count(3, timeout=30_000)
    go_to(page, "Map")
    seen = page.wait_for_function(AT_MAP_DRAWN, timeout=60_000, polling=25).json_value()
    # They were there when the map was drawn, and they stay.
    assert seen["filters"] == 3, "the filters left the sidebar until the map reported"
    page.wait_for_timeout(1500)  # the map's first report and its run
    wait_for_app(page)
    expect(page.locator(FILTERS)).to_have_count(3)
    expect(page.locator(FILTERS).first).to_contain_text("Kyrgyzstan")
