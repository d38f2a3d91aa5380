"""Chart selections in the briefer's journey, in a real browser: a marker can still be
clicked while one is active, the link reopens it with the same bars highlighted, and a box
drawn over years becomes a short link that reads as words."""

from __future__ import annotations

import csv
import re
from datetime import date

from playwright.sync_api import Browser, Page, expect
from playwright.sync_api import Error as PlaywrightError

from tests.e2e.conftest import Server, map_frame, wait_for_app
from tests.e2e.test_journey import MARKER_ICON_JS
from tests.e2e.test_linked import TALLEST_BAR_JS
from tests.e2e.test_map import DATA, current_url, params_of

BANNER = re.compile(r"^Chart selection: ")
SUMMARY = re.compile(r"^\d+ events? and \d+ sites? · ")

# Each drawn bar segment of the first chart (the events per month), in drawing order, and
# whether it is drawn faint (Plotly draws the bars a selection leaves out at 0.2 opacity).
BAR_LOOKS_JS = """
() => {
  const chart = document.querySelectorAll('.js-plotly-plot')[0];
  return Array.from(chart.querySelectorAll('.barlayer .point path'))
    .filter(p => p.getBoundingClientRect().height > 0)
    .map(p => Number(getComputedStyle(p).opacity) < 0.5 ? 'faint' : 'full');
}
"""

# The screen box of the month chart's plot from one date to another, full height.
DATE_BOX_JS = """
([first, last]) => {
  const chart = document.querySelectorAll('.js-plotly-plot')[0];
  const axis = chart._fullLayout.xaxis;
  const plot = chart.querySelector('.nsewdrag').getBoundingClientRect();
  return [plot.x + axis.d2p(first), plot.y + 2, plot.x + axis.d2p(last), plot.bottom - 2];
}
"""


def bar_looks(page: Page) -> list[str]:
    """How each bar of the month chart is drawn, once the chart has drawn its bars."""
    expect(page.locator(".js-plotly-plot").first).to_be_visible(timeout=30_000)
    page.wait_for_function(f"() => ({BAR_LOOKS_JS})().length > 0", timeout=30_000)
    return list(page.evaluate(BAR_LOOKS_JS))


def click_marker(page: Page, item: str) -> None:
    """Click an item's marker as a user does. The map is drawn afresh when what stands above
    it changes (a chart selection's notice): a click on the map it replaced is tried again."""
    for attempt in range(3):
        frame = map_frame(page)
        try:
            frame.wait_for_function(f"() => !!({MARKER_ICON_JS})('{item}')", timeout=30_000)
            frame.evaluate_handle(MARKER_ICON_JS, item).as_element().click()
            return
        except PlaywrightError:
            if attempt == 2:
                raise


def new_tab(browser: Browser) -> Page:
    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    page.set_default_timeout(30_000)
    return page


def events_csv() -> list[dict[str, str]]:
    with (DATA / "events.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def month_name(month: str) -> str:
    return date.fromisoformat(f"{month}-01").strftime("%B %Y")


def test_a_marker_click_selects_while_a_chart_selection_is_active(
    server: Server, page: Page, browser: Browser
) -> None:
    page.goto(f"{server.url}/?from=2019-01&to=2019-12&country=KAZ&pick=month:2019-09%2Biso:KAZ")
    wait_for_app(page)
    banner = page.get_by_text("Chart selection: September 2019 · Kazakhstan")
    expect(banner).to_be_visible(timeout=30_000)
    # A user's click on the Shymkent rally's marker: press and release on it.
    click_marker(page, "EV018")
    shymkent = page.get_by_role("heading", name=re.compile("Shymkent"))
    expect(shymkent).to_be_visible(timeout=20_000)
    page.wait_for_function("() => window.location.search.includes('sel=EV018')")
    wait_for_app(page)
    params = params_of(current_url(page))
    assert params["pick"] == "month:2019-09+iso:KAZ" and params["sel"] == "EV018"

    other = new_tab(browser)
    try:
        other.goto(current_url(page))
        wait_for_app(other)
        expect(other.get_by_role("heading", name=re.compile("Shymkent"))).to_be_visible(
            timeout=30_000
        )
        expect(other.get_by_text("Chart selection: September 2019 · Kazakhstan")).to_be_visible()
    finally:
        other.context.close()


def test_a_shared_chart_selection_opens_with_the_same_bars_highlighted(
    server: Server, page: Page, browser: Browser
) -> None:
    """Under the map: a bar picked; the link opens with the same bars highlighted, and
    reading one of the events picked keeps them so."""
    page.goto(f"{server.url}/?from=2019-01&to=2019-12&country=KAZ")
    wait_for_app(page)
    chart = page.locator(".js-plotly-plot").first
    expect(chart).to_be_visible(timeout=30_000)
    chart.scroll_into_view_if_needed()
    point = page.evaluate(TALLEST_BAR_JS)
    assert point is not None, "no bars in the monthly chart"
    page.mouse.click(point[0], point[1])
    page.wait_for_function("() => decodeURIComponent(window.location.search).includes('pick=')")
    wait_for_app(page)
    banner = page.get_by_text("Chart selection: September 2019 · Kazakhstan")
    expect(banner).to_be_visible()
    page.wait_for_function(f"() => ({BAR_LOOKS_JS})().includes('faint')")
    looks = bar_looks(page)
    assert looks.count("full") == 1, looks  # the tallest bar alone stands out

    other = new_tab(browser)
    try:
        other.goto(current_url(page))
        wait_for_app(other)
        expect(other.get_by_text("Chart selection: September 2019 · Kazakhstan")).to_be_visible(
            timeout=30_000
        )
        assert bar_looks(other) == looks
    finally:
        other.context.close()

    # Reading what one of those events is about keeps the chart selection and its look.
    click_marker(page, "EV017")
    page.wait_for_function("() => window.location.search.includes('sel=EV017')")
    wait_for_app(page)
    karaganda = page.get_by_role("heading", name=re.compile("Karaganda"))
    expect(karaganda).to_be_visible(timeout=20_000)
    expect(banner).to_be_visible()
    assert params_of(current_url(page))["pick"] == "month:2019-09+iso:KAZ"
    assert bar_looks(page) == looks


def test_a_box_over_three_years_makes_a_short_link_that_reads_as_words(
    server: Server, page: Page, browser: Browser
) -> None:
    page.goto(f"{server.url}/charts")
    wait_for_app(page)
    chart = page.locator(".js-plotly-plot").first
    expect(chart).to_be_visible(timeout=30_000)
    chart.scroll_into_view_if_needed()
    chart.hover()
    chart.locator("[data-title='Box Select']").click()
    # From before the bar of January 2018 to after the bar of December 2020, full height.
    left, top, right, bottom = page.evaluate(DATE_BOX_JS, ["2017-12-20", "2020-12-20"])
    page.mouse.move(left, top)
    page.mouse.down()
    page.mouse.move(right, bottom, steps=8)
    page.mouse.up()
    page.wait_for_function("() => decodeURIComponent(window.location.search).includes('pick=')")
    wait_for_app(page)

    # What the box holds, from the CSV: the events of 2018-2020, their first and last month
    # and their countries.
    boxed = [e for e in events_csv() if "2018-01" <= e["event_date"][:7] <= "2020-12"]
    first, last = min(e["event_date"][:7] for e in boxed), max(e["event_date"][:7] for e in boxed)
    countries = sorted({e["iso"] for e in boxed})
    assert countries == ["KAZ", "KGZ"]  # Xinjiang has no event in these years
    pick = params_of(current_url(page))["pick"]
    assert len(pick) < 120, pick
    assert pick == "|".join(f"month:{first}..{last}+iso:{iso}" for iso in countries)
    words = (
        f"Chart selection: {month_name(first)} – {month_name(last)} · Kazakhstan and Kyrgyzstan."
    )
    banner = page.get_by_text(BANNER)
    expect(banner).to_contain_text(words)
    summary = page.get_by_text(SUMMARY).first.inner_text()
    assert summary.startswith(f"{len(boxed)} events and 0 sites"), summary
    looks = bar_looks(page)
    assert "faint" in looks and "full" in looks, looks

    other = new_tab(browser)
    try:
        other.goto(current_url(page))
        wait_for_app(other)
        expect(other.get_by_text(BANNER)).to_contain_text(words, timeout=30_000)
        assert other.get_by_text(SUMMARY).first.inner_text() == summary
        assert bar_looks(other) == looks
    finally:
        other.context.close()
