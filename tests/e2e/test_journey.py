"""The briefer's journey across pages in a real browser: what they chose holds while they
move between Map, Charts, Sources and About, and the link they send opens the same view."""

from __future__ import annotations

import contextlib
import re
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.e2e.conftest import Server, map_frame, wait_for_app
from tests.e2e.test_map import current_url, params_of

# Kazakhstan in 2019, undated events left out, the Karaganda rally selected, the map on
# central Kazakhstan, a moving window of six months.
VIEW = {
    "from": "2019-01",
    "to": "2019-12",
    "country": "KAZ",
    "undated": "0",
    "sel": "EV017",
    "map": "47.0000,70.0000,5",
    "win": "6",
}
SUMMARY = re.compile(r"\d+ events? and \d+ sites? · January 2019 – December 2019 · Kazakhstan")


def go_to(page: Page, title: str) -> None:
    """Click a page in the sidebar's navigation, as a user does, and wait for it: the
    address is the page's, and the page's run has started and finished (the status widget
    shows while it runs; a quick run may be over before it is seen)."""
    link = page.get_by_test_id("stSidebarNav").get_by_role("link", name=title)
    path = urlparse(link.get_attribute("href") or "").path or "/"
    link.click()
    page.wait_for_function("(path) => window.location.pathname === path", arg=path)
    with contextlib.suppress(PlaywrightTimeoutError):
        page.wait_for_selector("[data-testid='stStatusWidget']", timeout=1_500)
    wait_for_app(page)


def summary(page: Page) -> str:
    line = page.get_by_text(SUMMARY).first
    expect(line).to_be_visible(timeout=30_000)
    return line.inner_text()


def view_params(page: Page) -> dict[str, str]:
    """The link's view, less the Sources page's own article parameter."""
    found = params_of(current_url(page))
    found.pop("src", None)
    return found


def test_a_page_trip_keeps_every_filter_the_selection_and_the_map(
    server: Server, page: Page, browser
) -> None:
    query = "&".join(f"{k}={v}" for k, v in VIEW.items())
    page.goto(f"{server.url}/?{query}")
    wait_for_app(page)
    on_map = summary(page)
    expect(page.get_by_role("heading", name=re.compile("Karaganda"))).to_be_visible()

    for title in ("Charts", "Sources", "About the data", "Map"):
        go_to(page, title)
        assert view_params(page) == VIEW, title
        if title in ("Charts", "Map"):
            assert summary(page) == on_map, title
            sidebar = page.get_by_test_id("stSidebar")
            expect(sidebar.get_by_text("Kazakhstan")).to_be_visible()
            unknown_dates = sidebar.get_by_role(
                "checkbox", name="Include events with unknown dates"
            )
            expect(unknown_dates).not_to_be_checked()

    # Back on the map: the selection panel still shows the Karaganda rally.
    expect(page.get_by_role("heading", name=re.compile("Karaganda"))).to_be_visible()

    # The link sent to a colleague opens the same view.
    other = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    try:
        other.goto(current_url(page))
        wait_for_app(other)
        assert summary(other) == on_map
        assert view_params(other) == VIEW
    finally:
        other.context.close()


def test_a_chart_selection_survives_a_trip_to_the_charts_and_back(
    server: Server, page: Page
) -> None:
    page.goto(f"{server.url}/?country=KAZ&pick=month:2019-09%2Biso:KAZ")
    wait_for_app(page)
    banner = re.compile(r"Chart selection: September 2019 · Kazakhstan")
    expect(page.get_by_text(banner)).to_be_visible(timeout=30_000)
    for title in ("Charts", "Map"):
        go_to(page, title)
        expect(page.get_by_text(banner)).to_be_visible(timeout=30_000)
        assert view_params(page) == {"country": "KAZ", "pick": "month:2019-09+iso:KAZ"}


MARKER_ICON_JS = """
(id) => {
  let found = null;
  window.map.eachLayer(layer => {
    const tip = layer.feature && layer.feature.properties && layer.feature.properties.tip;
    if (tip && tip.includes('[' + id + ']') && layer._icon) { found = layer._icon; }
  });
  return found;
}
"""


def test_clicking_a_marker_selects_it_and_leaves_the_map_where_it_was(
    server: Server, page: Page
) -> None:
    page.goto(f"{server.url}/?from=2019-01&to=2019-12&country=KAZ&map=47.0,70.0,5")
    wait_for_app(page)
    frame = map_frame(page)
    frame.wait_for_function(f"() => !!({MARKER_ICON_JS})('EV017')", timeout=30_000)
    before = frame.evaluate("() => [window.map.getCenter().lat, window.map.getCenter().lng]")
    zoom = frame.evaluate("() => window.map.getZoom()")
    frame.evaluate_handle(MARKER_ICON_JS, "EV017").as_element().click()
    expect(page.get_by_role("heading", name=re.compile("Karaganda"))).to_be_visible(timeout=20_000)
    page.wait_for_function("() => window.location.search.includes('sel=EV017')")
    wait_for_app(page)
    frame = map_frame(page)
    after = frame.evaluate("() => [window.map.getCenter().lat, window.map.getCenter().lng]")
    # To within a pixel at this zoom (about 0.04 degrees at zoom 5).
    assert after == pytest.approx(before, abs=0.04)
    assert frame.evaluate("() => window.map.getZoom()") == zoom
    assert params_of(current_url(page))["map"] == "47.0000,70.0000,5"


def test_the_month_chart_of_one_year_names_its_months(server: Server, page: Page) -> None:
    page.goto(f"{server.url}/charts?from=2019-01&to=2019-12")
    wait_for_app(page)
    chart = page.locator(".js-plotly-plot").first
    expect(chart).to_be_visible(timeout=30_000)
    ticks = chart.locator("g.xtick text").evaluate_all("els => els.map(e => e.textContent)")
    assert len(ticks) >= 3, ticks
    assert len(set(ticks)) == len(ticks), ticks  # no two ticks read the same
    assert all(re.fullmatch(r"[A-Z][a-z]{2} 2019", t) for t in ticks), ticks


def test_a_reader_sees_no_data_warnings_on_the_map_and_finds_them_on_about(
    server: Server, page: Page
) -> None:
    page.goto(server.url)
    wait_for_app(page)
    expect(page.get_by_text(SUMMARY_ANY)).to_be_visible(timeout=30_000)
    expect(page.get_by_text(re.compile(r"warning\(s\)"))).to_have_count(0)
    go_to(page, "About the data")
    expect(
        page.get_by_text(re.compile(r"0 data row\(s\) rejected and \d+ warning"))
    ).to_be_visible()


SUMMARY_ANY = re.compile(r"^\d+ events? and \d+ sites? · ")


def test_a_search_that_matches_nothing_says_so_and_how_to_widen_the_view(
    server: Server, page: Page
) -> None:
    for path in ("/", "/charts"):
        page.goto(f"{server.url}{path}?q=nosuchwordanywhere&country=KGZ")
        wait_for_app(page)
        notice = page.get_by_text("No event or site matches this view.")
        expect(notice).to_be_visible(timeout=30_000)
        text = page.get_by_test_id("stAlert").filter(has=notice).inner_text()
        assert "clear the search “nosuchwordanywhere”" in text, path
        assert "add countries (now Kyrgyzstan only)" in text, path


def test_tooltips_read_as_words_with_no_raw_tokens(server: Server, page: Page) -> None:
    page.goto(f"{server.url}/?from=2019-01&to=2019-12&country=KAZ&map=47.0,70.0,5")
    wait_for_app(page)
    frame = map_frame(page)
    frame.wait_for_function(f"() => !!({MARKER_ICON_JS})('EV017')", timeout=30_000)
    frame.evaluate_handle(MARKER_ICON_JS, "EV017").as_element().hover()
    tooltip = frame.locator(".leaflet-tooltip").first
    expect(tooltip).to_be_visible()
    shown = tooltip.inner_text()
    assert "Karaganda" in shown and "[" not in shown, shown
    # A region's tooltip too: hover the middle of a shaded region away from markers.
    region = frame.locator("path.leaflet-interactive").first
    region.hover(force=True)
    texts = frame.locator(".leaflet-tooltip").all_inner_texts()
    assert texts and not any("[region:" in t or "[EV" in t for t in texts), texts


def test_a_marker_tooltip_stays_inside_the_map(server: Server, page: Page) -> None:
    """At the opening view Karaganda's marker is left of the middle: its tooltip opens to the
    left, and a one-line title ran past the map's edge."""
    page.goto(f"{server.url}/?from=2019-01&to=2019-12&country=KAZ")
    wait_for_app(page)
    frame = map_frame(page)
    frame.wait_for_function(f"() => !!({MARKER_ICON_JS})('EV017')", timeout=30_000)
    frame.evaluate_handle(MARKER_ICON_JS, "EV017").as_element().hover()
    expect(frame.locator(".leaflet-tooltip").first).to_contain_text("Karaganda")
    inside = frame.evaluate(
        """() => {
          const map = document.querySelector('.leaflet-container').getBoundingClientRect();
          const tip = document.querySelector('.leaflet-tooltip').getBoundingClientRect();
          return [tip.left >= map.left, tip.right <= map.right, tip.left, map.left];
        }"""
    )
    assert inside[0] and inside[1], inside


def test_clicking_a_row_of_the_items_table_selects_that_item(server: Server, page: Page) -> None:
    page.goto(f"{server.url}/?from=2019-01&to=2019-12&country=KAZ")
    wait_for_app(page)
    expect(page.get_by_role("heading", name=re.compile(r"Items in view \(\d+\)"))).to_be_visible()
    # The map reports its first position once drawn, which reruns the page: click after it.
    map_frame(page)
    page.wait_for_timeout(1000)
    wait_for_app(page)
    grid = page.get_by_test_id("stDataFrame").first
    for attempt in range(2):
        grid.scroll_into_view_if_needed()
        # The grid draws on a canvas; its accessible rows say what each row holds.
        row = grid.locator("[role='row']").nth(2)
        title = row.locator("[role='gridcell']").nth(1).inner_text()
        index = int(row.get_attribute("aria-rowindex") or 0)  # 1 is the header
        box = grid.bounding_box()
        assert box is not None and index >= 2 and title
        page.mouse.click(box["x"] + 18, box["y"] + 35 * (index - 1) + 17)
        try:
            page.wait_for_function("() => window.location.search.includes('sel=')", timeout=15_000)
            break
        except Exception:
            if attempt:  # a click the page was too busy to take is tried once more
                raise
    wait_for_app(page)
    expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible(timeout=20_000)


VISIBLE_PARENT_JS = """
(id) => {
  let found = null;
  window.map.eachLayer(layer => {
    if (found || !(layer.getVisibleParent && layer.getLayers)) { return; }
    layer.getLayers().forEach(m => {
      const tip = m.feature && m.feature.properties && m.feature.properties.tip;
      if (tip && tip.includes('[' + id + ']')) {
        const shown = layer.getVisibleParent(m);
        found = shown ? shown._icon : null;
      }
    });
  });
  return found;
}
"""


def test_every_item_at_one_point_can_be_reached_whatever_its_category(
    server: Server, page: Page
) -> None:
    """At Astana a policy event (EV051) and the embassy (PL001) share the city centre with
    the protests: opening what stands there, a user reaches each of them."""
    page.goto(f"{server.url}/?from=2019-01&to=2019-12&country=KAZ")
    wait_for_app(page)
    frame = map_frame(page)
    for item, name in (("EV051", "Kazakh MFA"), ("PL001", "Embassy of the PRC in Kazakhstan")):
        for _ in range(8):  # open the cluster that stands for it until it stands alone
            frame.wait_for_function(f"() => !!({VISIBLE_PARENT_JS})('{item}')", timeout=30_000)
            icon = frame.evaluate_handle(VISIBLE_PARENT_JS, item).as_element()
            if icon.evaluate("e => !!e.querySelector('.atlas-mk')"):
                break
            icon.click()
            page.wait_for_timeout(900)  # the cluster's zoom or spread animation
        icon = frame.evaluate_handle(VISIBLE_PARENT_JS, item).as_element()
        assert icon.evaluate("e => !!e.querySelector('.atlas-mk')"), f"{item} never stood alone"
        icon.click()
        expect(page.get_by_role("heading", name=re.compile(re.escape(name)))).to_be_visible(
            timeout=20_000
        )
        wait_for_app(page)
        frame = map_frame(page)


def test_playback_runs_over_the_chosen_months_and_skips_empty_ones(
    server: Server, page: Page
) -> None:
    """2016 in Kazakhstan (events in April, May and November), a three-month window:
    playback starts at the range's first month with an event, not at the data's first month,
    and steps from one month with events to the next."""
    page.goto(f"{server.url}/?from=2016-01&to=2016-12&country=KAZ&win=3")
    wait_for_app(page)
    page.get_by_role("button", name="Play").click()
    expect(page.get_by_text("Playing: 2016-04 to 2016-06")).to_be_visible(timeout=20_000)
    expect(page.get_by_text("Playing: 2016-03 to 2016-05")).to_have_count(0)
    expect(page.get_by_text("Playing: 2016-09 to 2016-11")).to_be_visible(timeout=20_000)
    page.get_by_role("button", name="Pause").click()
    wait_for_app(page)
    params = params_of(current_url(page))
    assert params["from"] >= "2016-01" and params["to"] <= "2016-12"


def test_the_offline_map_names_places_and_an_online_layer_says_when_it_cannot_load(
    server: Server, page: Page
) -> None:
    page.goto(server.url)
    wait_for_app(page)
    frame = map_frame(page)
    names = frame.locator(".atlas-label")
    expect(names.filter(has_text="Astana")).to_have_count(1)
    expect(names.filter(has_text="Bishkek")).to_have_count(1)
    expect(names.filter(has_text="KAZAKHSTAN")).to_have_count(1)
    expect(names.filter(has_text="Kashgar")).to_have_count(0)  # the other cities, zoomed in
    frame.evaluate("() => { window.map.setZoom(6); }")
    expect(names.filter(has_text="Kashgar")).to_have_count(1)
    assert frame.locator(".atlas-tile-note").is_hidden()
    # The tests' browser reaches no host but this one: OpenStreetMap's tiles cannot load.
    frame.locator(".leaflet-control-layers").hover()
    frame.get_by_text("OpenStreetMap (online)").click()
    note = frame.locator(".atlas-tile-note")
    expect(note).to_be_visible(timeout=20_000)
    expect(note).to_contain_text("cannot be loaded")
