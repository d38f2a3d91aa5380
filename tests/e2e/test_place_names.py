"""A place under any of its names, in a real browser: typing a Cyrillic name into the search
box shows that place's events on the map and in the items table, and the region filter takes
a region by any of its names."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Locator, Page, expect

from tests.e2e.conftest import Server, drawn_markers, map_frame, wait_for_app
from tests.e2e.test_base_path import share_link
from tests.e2e.test_journey import go_to
from tests.e2e.test_journey_back import open_elsewhere, step_back
from tests.e2e.test_journey_regions_keys import expect_summary, summary_text
from tests.e2e.test_map import current_url, params_of

ZHANAOZEN = {"EV005", "EV011", "EV012"}  # the town's three events in the bundled data

MARKER_IDS_JS = """
() => {
  const ids = new Set();
  const read = layer => {
    const tip = layer.feature && layer.feature.properties && layer.feature.properties.tip;
    const found = tip && tip.match(/\\[((?:EV|PL)[0-9]+)\\]/);
    if (found) { ids.add(found[1]); }
  };
  // Markers sit in cluster groups: read the groups' members too.
  window.map.eachLayer(layer => {
    read(layer);
    if (layer.getLayers) { layer.getLayers().forEach(read); }
  });
  return Array.from(ids).sort();
}
"""


def table_titles(page: Page) -> list[str]:
    """The Title cells of the items table, as its accessible rows give them."""
    grid = page.get_by_test_id("stDataFrame").first
    grid.scroll_into_view_if_needed()
    rows = grid.locator("[role='row']")
    titles = []
    for i in range(1, rows.count()):  # row 0 is the header
        cells = rows.nth(i).locator("[role='gridcell']")
        if cells.count() > 1:
            titles.append(cells.nth(1).inner_text())
    return titles


def test_a_cyrillic_name_finds_the_towns_events_on_the_map_and_in_the_table(
    server: Server, page: Page
) -> None:
    page.goto(server.url)
    wait_for_app(page)
    assert drawn_markers(page, expected=89) == 89
    search = page.get_by_test_id("stSidebar").get_by_label("Search")
    search.fill("Жанаозен")
    search.press("Enter")
    page.wait_for_function(
        "() => decodeURIComponent(window.location.search).includes('q=Жанаозен')",
        timeout=20_000,
    )
    wait_for_app(page)
    expect(page.get_by_text(re.compile(r"^3 events and 0 sites · "))).to_be_visible()
    assert drawn_markers(page, expected=3) == 3
    assert set(map_frame(page).evaluate(MARKER_IDS_JS)) == ZHANAOZEN
    expect(page.get_by_role("heading", name="Items in view (3)")).to_be_visible()
    titles = table_titles(page)
    assert len(titles) == 3 and all("Zhanaozen" in t for t in titles), titles
    assert params_of(current_url(page)).get("q") == "Жанаозен"


def aktobe_taken(page: Page, sidebar: Locator, regions: Locator) -> None:
    """The link and the filter hold Aktobe Region, picked from the regions offered for "Aq",
    and the offer is gone."""
    page.wait_for_function(
        "() => decodeURIComponent(window.location.search).includes('Aqtöbe')",
        timeout=20_000,
    )
    wait_for_app(page)
    expect(sidebar.get_by_text("“Aq” could be any of these regions:")).to_have_count(0)
    expect(regions.get_by_text("Aktobe Region")).to_be_visible()


def test_the_region_filter_takes_a_region_by_any_of_its_names(server: Server, page: Page) -> None:
    page.goto(server.url)
    wait_for_app(page)
    regions = (
        page.get_by_test_id("stSidebar")
        .get_by_test_id("stMultiSelect")
        .filter(has_text="Regions (admin-1)")
    )
    box = regions.locator("input")
    # The filter lists regions under the names the atlas shows: "Karag" finds Karaganda.
    box.click()
    box.fill("Karag")
    option = page.get_by_role("option", name="Karaganda Region")
    expect(option).to_be_visible()
    expect(page.get_by_role("option", name="Qaraghandy")).to_have_count(0)
    option.click()
    page.wait_for_function(
        "() => decodeURIComponent(window.location.search).includes('region=Qaraghandy')",
        timeout=20_000,
    )
    wait_for_app(page)
    assert drawn_markers(page, expected=1) == 1
    expect(
        page.get_by_text(re.compile(r"^1 event and 0 sites · .* · Karaganda Region$"))
    ).to_be_visible()

    # Another region typed by its Russian name joins the filter under its shown name.
    box.click()
    box.fill("Мангистауская область")
    box.press("Enter")
    page.wait_for_function(
        "() => decodeURIComponent(window.location.search).includes('Mangghystau')",
        timeout=20_000,
    )
    wait_for_app(page)
    expect(
        page.get_by_text(re.compile(r"^5 events and 1 site · .* Mangystau Region"))
    ).to_be_visible()
    assert drawn_markers(page, expected=6) == 6

    # The start of a name, as people type it: "Aq" could be Akmola or Aktobe, and the
    # filter offers both under their shown names; a click adds one.
    box.click()
    box.fill("Aq")
    box.press("Enter")
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_text("“Aq” could be any of these regions:")).to_be_visible(timeout=20_000)
    box.press("Escape")  # the list of regions closes
    offered = sidebar.get_by_test_id("stButton").filter(has_text=re.compile(r"A\w+ Region$"))
    expect(offered).to_have_count(2)
    assert [" ".join(t.split()[-2:]) for t in offered.all_inner_texts()] == [
        "Akmola Region",
        "Aktobe Region",
    ]
    page.screenshot(path="/tmp/names2-region-offer.png")
    offered.filter(has_text="Aktobe Region").get_by_role("button").click()
    aktobe_taken(page, sidebar, regions)
    # Another region's start in Cyrillic takes it at once.
    box.click()
    box.fill("Атыра")
    box.press("Enter")
    page.wait_for_function(
        "() => decodeURIComponent(window.location.search).includes('Atyrau')",
        timeout=20_000,
    )
    wait_for_app(page)
    expect(regions.get_by_text("Atyrau Region")).to_be_visible()
    page.screenshot(path="/tmp/names2-region-chosen.png")


def press(page: Page, target: Locator) -> None:
    """A reader's click: the button goes down on the middle of ``target`` and comes up a
    moment later wherever the pointer then is."""
    place = target.bounding_box()
    assert place is not None
    page.mouse.move(place["x"] + place["width"] / 2, place["y"] + place["height"] / 2)
    page.mouse.down()
    page.wait_for_timeout(150)
    page.mouse.up()


def test_a_click_in_the_sidebar_lands_when_its_press_takes_the_focus_from_a_filter(
    server: Server, page: Page, browser: Browser
) -> None:
    """On a laptop's screen the sidebar is taller than the window. A reader scrolls it to its
    end to reach the region filter, types the start of a region's name and clicks one of the
    regions offered: the region joins the filter. The reader goes to Charts and shares the
    view; a colleague's browser opens it with the region; Back returns to the map with it,
    and Back again to the map before it. On a tall screen, a reader who has just
    picked a category clicks "Reset view", under the filters: the view is reset. (A click's
    press takes the focus from the filter being typed in: that must not move the button
    from under the pointer before the release.)"""
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(f"{server.url}/?region=Qaraghandy,Mangghystau")
    wait_for_app(page)
    assert drawn_markers(page, expected=6) == 6  # the map has reported where it opened
    wait_for_app(page)
    sidebar = page.get_by_test_id("stSidebar")
    content = page.get_by_test_id("stSidebarContent").element_handle()
    at_end = "s => s.scrollTop > 0 && s.scrollTop + s.clientHeight >= s.scrollHeight - 1"

    def scroll_to_end() -> None:
        page.mouse.move(150, 360)
        page.mouse.wheel(0, 3000)
        page.wait_for_function(at_end, arg=content)

    scroll_to_end()
    regions = sidebar.get_by_test_id("stMultiSelect").filter(has_text="Regions (admin-1)")
    box = regions.locator("input")
    box.click()
    box.fill("Aq")
    box.press("Enter")
    expect(sidebar.get_by_text("“Aq” could be any of these regions:")).to_be_visible(timeout=20_000)
    wait_for_app(page)
    box.press("Escape")  # the list of regions closes; the filter keeps the focus
    expect(page.get_by_role("listbox")).to_have_count(0)
    expect(box).to_be_focused()
    scroll_to_end()
    aktobe = sidebar.get_by_role("button", name="Aktobe Region")
    expect(aktobe).to_be_in_viewport(ratio=1)
    press(page, aktobe)
    aktobe_taken(page, sidebar, regions)
    page.screenshot(path="/tmp/names2-region-offer-scrolled.png")
    three = summary_text(page)
    shown = set(three.rsplit(" · ", 1)[-1].split(", "))
    assert shown == {"Aktobe Region", "Karaganda Region", "Mangystau Region"}, three

    # Charts, the same view; its link opened in another browser; then Back, twice.
    go_to(page, "Charts")
    expect_summary(page, three)
    shared = share_link(page)
    assert set(params_of(shared)["region"].split(",")) == {"Aqtöbe", "Mangghystau", "Qaraghandy"}
    page.keyboard.press("Escape")
    open_elsewhere(browser, shared, three)
    step_back(page)
    expect(page.get_by_role("heading", name="Charts", exact=True)).to_have_count(0)
    expect_summary(page, three)
    expect(regions.get_by_text("Aktobe Region")).to_be_visible()
    step_back(page)
    expect(regions.get_by_text("Aktobe Region")).to_have_count(0, timeout=20_000)
    assert set(params_of(current_url(page))["region"].split(",")) == {"Mangghystau", "Qaraghandy"}
    page.screenshot(path="/tmp/names2-region-back.png")

    # A window that holds the whole sidebar: a category picked, then "Reset view" under it.
    page.set_viewport_size({"width": 1280, "height": 1400})
    categories = sidebar.get_by_test_id("stMultiSelect").filter(has_text="Categories")
    categories.locator("input").click()
    page.get_by_role("option", name="Consulates & embassies").click()
    page.wait_for_function(
        "() => window.location.search.includes('cat=consulate_embassy')", timeout=20_000
    )
    wait_for_app(page)
    categories.locator("input").press("Escape")
    expect(page.get_by_role("listbox")).to_have_count(0)
    expect(categories.locator("input")).to_be_focused()
    reset = sidebar.get_by_role("button", name="Reset view")
    expect(reset).to_be_in_viewport(ratio=1)
    press(page, reset)
    page.wait_for_function(
        "() => !window.location.search.includes('region=') && "
        "!window.location.search.includes('cat=')",
        timeout=20_000,
    )
    wait_for_app(page)
    expect(page.get_by_text(re.compile(r" · all countries · all categories$"))).to_be_visible()
    expect(regions.get_by_text("Aktobe Region")).to_have_count(0)
    expect(categories.get_by_text("Consulates & embassies")).to_have_count(0)
