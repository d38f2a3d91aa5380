"""Linked views in a real browser: a region click filters, playback steps the timeline without
moving the map, and a permalink reopens the same markers, selection and zoom."""

from __future__ import annotations

import re
import time

from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import Server, drawn_markers, map_frame, wait_for_app
from tests.e2e.test_map import current_url, expected_count, params_of

REGION_CENTRE_JS = """
(name) => {
  let found = null;
  window.map.eachLayer(layer => {
    if (layer.feature && layer.feature.properties && layer.feature.properties.name === name
        && layer.feature.properties.tip) {
      found = layer;
    }
  });
  if (!found) return null;
  // A point inside the polygon, away from its markers: the polygon's own centre of mass.
  const p = window.map.latLngToContainerPoint(found.getCenter());
  return [p.x, p.y];
}
"""


def test_a_region_filters_to_it_from_its_popup(server: Server, page: Page) -> None:
    page.goto(server.url)
    wait_for_app(page)
    assert drawn_markers(page, expected=89) == 89
    frame = map_frame(page)
    point = frame.evaluate(REGION_CENTRE_JS, "Qaraghandy")
    assert point is not None, "the region layer has no Qaraghandy polygon"
    frame.locator("#map_div").click(position={"x": point[0], "y": point[1]})
    frame.get_by_role("button", name="Filter to Karaganda Region").click()
    page.wait_for_function(
        "() => decodeURIComponent(window.location.search).includes('region=Qaraghandy')",
        timeout=20_000,
    )
    wait_for_app(page)
    # Karaganda's solidarity rally of September 2019 is the only item in that region.
    assert drawn_markers(page, expected=1) == 1
    expect(page.get_by_text("1 event and 0 sites")).to_be_visible()


def test_playback_steps_months_and_keeps_the_zoom(server: Server, page: Page) -> None:
    page.goto(server.url)
    wait_for_app(page)
    frame = map_frame(page)
    frame.evaluate("() => { window.map.setView([43.0, 75.0], 6); window.__mounted = 'yes'; }")
    page.wait_for_function("() => window.location.search.includes('map=43')", timeout=20_000)
    # Month by month, empty months included.
    page.get_by_text("Skip months with no event").click()
    wait_for_app(page)
    page.get_by_role("button", name="Play").click()
    expect(page.get_by_text("Playing: 2013-09 to 2014-08")).to_be_visible(timeout=20_000)
    expect(page.get_by_text("Playing: 2013-10 to 2014-09")).to_be_visible(timeout=20_000)
    expect(page.get_by_text("Playing: 2013-11 to 2014-10")).to_be_visible(timeout=20_000)
    frame = map_frame(page)
    assert frame.evaluate("() => window.__mounted") == "yes", "the map was reloaded"
    assert frame.evaluate("() => window.map.getZoom()") == 6
    page.get_by_role("button", name="Pause").click()
    # The link follows playback once it stops (its frames are not steps of the history).
    page.wait_for_function("() => window.location.search.includes('to=')", timeout=20_000)
    wait_for_app(page)
    params = params_of(current_url(page))
    want = expected_count(params.get("from", "2013-09"), params["to"])
    # Zoomed in, some markers lie outside the map's view: compare with the page's own count.
    summary = page.get_by_text(re.compile(r"^\d+ events? and \d+ sites?")).inner_text()
    numbers = [int(n) for n in re.findall(r"\d+", summary)[:2]]
    assert sum(numbers) == want


def test_permalink_reopens_markers_selection_and_zoom(
    server: Server, page: Page, browser: Browser
) -> None:
    page.goto(f"{server.url}/?country=KAZ&sel=EV025")
    wait_for_app(page)
    expect(page.get_by_text("On March 27, hundreds of protesters")).to_be_visible()
    frame = map_frame(page)
    frame.evaluate("() => { window.map.setView([43.25, 76.9], 7); }")
    page.wait_for_function("() => window.location.search.includes('map=43.25')", timeout=20_000)
    wait_for_app(page)
    time.sleep(1)
    link = current_url(page)
    seen = drawn_markers(page)

    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    other = context.new_page()
    try:
        other.goto(link)
        wait_for_app(other)
        expect(other.get_by_text("On March 27, hundreds of protesters")).to_be_visible()
        other_frame = map_frame(other)
        deadline = time.monotonic() + 15
        while other_frame.evaluate("() => window.map.getZoom()") != 7:
            assert time.monotonic() < deadline, "the link did not restore the zoom"
            time.sleep(0.25)
        centre = other_frame.evaluate("() => window.map.getCenter()")
        assert abs(centre["lat"] - 43.25) < 0.01 and abs(centre["lng"] - 76.9) < 0.01
        assert drawn_markers(other, expected=seen) == seen
        assert params_of(current_url(other))["sel"] == "EV025"
    finally:
        context.close()


TALLEST_BAR_JS = """
() => {
  const chart = document.querySelectorAll('.js-plotly-plot')[0];
  let best = null, height = 0;
  chart.querySelectorAll('.barlayer .point path').forEach(p => {
    const box = p.getBoundingClientRect();
    if (box.height > height) { height = box.height; best = box; }
  });
  return best && [best.x + best.width / 2, best.y + best.height / 2];
}
"""


def test_clicking_a_bar_narrows_the_map_and_lists_the_excerpts(server: Server, page: Page) -> None:
    page.goto(server.url)
    wait_for_app(page)
    assert drawn_markers(page, expected=89) == 89
    page.locator(".js-plotly-plot").first.scroll_into_view_if_needed()
    point = page.evaluate(TALLEST_BAR_JS)
    assert point is not None, "no bars in the monthly chart"
    page.mouse.click(point[0], point[1])
    page.wait_for_function(
        "() => decodeURIComponent(window.location.search).includes('pick=')", timeout=20_000
    )
    wait_for_app(page)
    # The tallest bar: September 2019 in Kazakhstan (EV011-EV020), counted from the CSV.
    want = len(_events_starting("2019-09", "KAZ"))
    assert want == 10
    assert drawn_markers(page, expected=want) == want
    expect(page.get_by_text(f"Selected events ({want})")).to_be_visible()
    expect(page.get_by_text("Chart selection: September 2019 · Kazakhstan")).to_be_visible()
    page.get_by_role("button", name="Clear chart selection").click()
    wait_for_app(page)
    assert drawn_markers(page, expected=89) == 89


def _events_starting(month: str, iso: str) -> list[str]:
    import csv

    from tests.e2e.test_map import DATA

    with (DATA / "events.csv").open(encoding="utf-8") as f:
        return [
            r["event_id"]
            for r in csv.DictReader(f)
            if r["event_date"].startswith(month) and r["iso"] == iso
        ]
