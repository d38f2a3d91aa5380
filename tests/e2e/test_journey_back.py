"""Back and Forward in a real browser: each filter change, selection or chart selection is
one step of the browser's history, and Back shows the view before it; moving the map or
playing the timeline is not a step."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import Server, map_frame, wait_for_app
from tests.e2e.test_journey import SUMMARY_ANY, go_to
from tests.e2e.test_journey_regions_keys import expect_summary, summary_text, tab_to
from tests.e2e.test_map import current_url, params_of


def step_back(page: Page, forward: bool = False) -> None:
    """Press Back (or Forward) as a person would, once the page has settled (the map
    reports where it is a moment after it moves), and wait until the page has shown the
    entry."""
    page.wait_for_timeout(1500)
    wait_for_app(page)
    if forward:
        page.go_forward()
    else:
        page.go_back()
    page.wait_for_timeout(1000)  # the app's run for the entry starts
    wait_for_app(page)


def open_elsewhere(browser: Browser, link: str, summary: str) -> str:
    """Open ``link`` in another browser (a colleague's), check that it shows the view in the
    words ``summary``, and give the address it settled on."""
    other = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    try:
        other.goto(link)
        wait_for_app(other)
        expect_summary(other, summary)
        return current_url(other)
    finally:
        other.context.close()


def test_back_undoes_each_filter_change_and_nothing_else(server: Server, page: Page) -> None:
    page.goto(f"{server.url}/?from=2019-01&to=2019-12")
    wait_for_app(page)
    first = summary_text(page)
    map_frame(page)
    sidebar = page.get_by_test_id("stSidebar")
    undated = sidebar.get_by_role("checkbox", name="Include events with unknown dates")

    # Step 1: Kazakhstan only.
    countries = sidebar.get_by_test_id("stMultiSelect").filter(has_text="Countries")
    countries.locator("input").click()
    page.get_by_role("option", name="Kazakhstan").click()
    page.keyboard.press("Escape")
    page.wait_for_function("() => window.location.search.includes('country=KAZ')")
    expect(page.get_by_text(SUMMARY_ANY).first).not_to_have_text(first, timeout=30_000)
    wait_for_app(page)
    kazakhstan = summary_text(page)

    # Step 2: leave out undated events.
    undated.uncheck(force=True)
    page.wait_for_function("() => window.location.search.includes('undated=0')")
    expect(page.get_by_text(SUMMARY_ANY).first).not_to_have_text(kazakhstan, timeout=30_000)
    wait_for_app(page)
    dated_only = summary_text(page)

    # Moving the map is not a filter change.
    map_frame(page).evaluate("() => { window.map.panBy([120, 60], {animate: false}); }")
    page.wait_for_function("() => window.location.search.includes('map=')")
    wait_for_app(page)

    # Back: undated events are included again, still Kazakhstan only.
    step_back(page)
    expect_summary(page, kazakhstan)
    expect(undated).to_be_checked()
    assert "undated" not in params_of(current_url(page))
    assert params_of(current_url(page))["country"] == "KAZ"

    # Back: every country again, the view the page opened on.
    step_back(page)
    expect_summary(page, first)
    expect(countries.get_by_text("Kazakhstan")).to_have_count(0)
    assert "country" not in params_of(current_url(page))

    # Forward twice: both changes again.
    step_back(page, forward=True)
    expect_summary(page, kazakhstan)
    step_back(page, forward=True)
    expect_summary(page, dated_only)
    expect(undated).not_to_be_checked()
    assert params_of(current_url(page))["undated"] == "0"

    # A trip to the charts and back is one step each way, and each shows the same view.
    go_to(page, "Charts")
    expect_summary(page, dated_only)
    go_to(page, "Map")
    expect_summary(page, dated_only)
    map_frame(page)
    page.wait_for_timeout(1000)  # the map's report of where it opened
    wait_for_app(page)
    trip = params_of(current_url(page))
    assert trip["undated"] == "0" and trip["country"] == "KAZ"
    step_back(page)
    expect(page.get_by_role("heading", name="Charts", exact=True)).to_be_visible()
    expect_summary(page, dated_only)
    step_back(page)
    expect(page.get_by_role("heading", name="Charts", exact=True)).to_have_count(0)
    expect_summary(page, dated_only)
    assert params_of(current_url(page))["undated"] == "0"


def test_a_briefer_s_walk_select_change_page_share_reopen_and_go_back(
    server: Server, page: Page, browser: Browser
) -> None:
    """Open a link, select a marker, go to Charts, copy the shared link, open it in another
    browser, and come back with Back: every screen shows the same view."""
    page.goto(f"{server.url}/?from=2019-01&to=2019-12&country=KAZ&map=47.0,70.0,5")
    wait_for_app(page)
    before = summary_text(page)
    frame = map_frame(page)
    frame.wait_for_selector(".atlas-mk")
    page.wait_for_timeout(1500)  # the map's first report of its place reruns the page
    wait_for_app(page)

    # Select the Karaganda rally from the keyboard (the marker sits alone at this zoom).
    seen = tab_to(page, map_frame(page), lambda name: "Karaganda solidarity rally" in name)
    assert seen
    page.keyboard.press("Enter")
    heading = page.get_by_role("heading", name=re.compile("Karaganda solidarity rally"))
    expect(heading).to_be_visible(timeout=20_000)
    page.wait_for_function("() => window.location.search.includes('sel=EV017')")
    wait_for_app(page)

    # Charts: the same view; its share menu gives the public link of it.
    go_to(page, "Charts")
    expect_summary(page, before)
    page.get_by_role("button", name=re.compile("Share or download this view")).click()
    code = page.locator("[data-testid='stPopoverBody'] [data-testid='stCode'] code").first
    expect(code).to_be_visible()
    shared = code.inner_text().strip().splitlines()[-1]  # under the view in words
    assert params_of(shared)["sel"] == "EV017" and params_of(shared)["country"] == "KAZ"
    page.keyboard.press("Escape")

    # A colleague opens the link: the same counts, and the rally selected.
    opened = open_elsewhere(browser, shared, before)
    assert params_of(opened)["sel"] == "EV017"

    # Back: the map, with the rally still selected; Back again: before the selection.
    step_back(page)
    expect(page.get_by_role("heading", name="Charts", exact=True)).to_have_count(0)
    expect(heading).to_be_visible(timeout=20_000)
    assert params_of(current_url(page))["sel"] == "EV017"
    step_back(page)
    expect(heading).to_have_count(0, timeout=20_000)
    assert "sel" not in params_of(current_url(page))
    expect_summary(page, before)
