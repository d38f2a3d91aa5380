"""Finding one's way on the map in a real browser: a region filters only when asked and the
map then shows it, and markers can be named and selected from the keyboard."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Frame, Page, WebSocketRoute, expect

from tests.e2e.conftest import Server, map_frame, wait_for_app
from tests.e2e.test_journey import SUMMARY_ANY
from tests.e2e.test_map import current_url, params_of

CENTRE_JS = "() => [window.map.getCenter().lat, window.map.getCenter().lng, window.map.getZoom()]"


def summary_text(page: Page) -> str:
    line = page.get_by_text(SUMMARY_ANY).first
    expect(line).to_be_visible(timeout=30_000)
    return line.inner_text()


def expect_summary(page: Page, wanted: str) -> None:
    expect(page.get_by_text(SUMMARY_ANY).first).to_have_text(wanted, timeout=30_000)


def page_point(page: Page, frame: Frame, lat: float, lng: float) -> tuple[float, float]:
    """Where on the page a point of the map is drawn."""
    x, y = frame.evaluate(
        f"() => {{ const p = window.map.latLngToContainerPoint([{lat}, {lng}]);"
        " return [p.x, p.y]; }"
    )
    box = page.locator("iframe[title='streamlit_folium.st_folium']").bounding_box()
    assert box is not None
    return box["x"] + x, box["y"] + y


def shape_under(frame: Frame, lat: float, lng: float) -> str:
    """What a click there reaches: 'region' (a region's shape), or something else."""
    return str(
        frame.evaluate(
            f"""() => {{
                const p = window.map.latLngToContainerPoint([{lat}, {lng}]);
                const el = document.elementFromPoint(p.x, p.y);
                return el && el.tagName === 'path' ? 'region' : (el ? el.className : 'none');
            }}"""
        )
    )


def test_a_region_filters_only_when_asked_and_the_map_then_shows_it(
    server: Server, page: Page
) -> None:
    page.goto(f"{server.url}/?from=2019-01&to=2019-12&country=KAZ")
    wait_for_app(page)
    before = summary_text(page)
    frame = map_frame(page)
    frame.wait_for_selector(".atlas-mk")  # the view's layers, regions with them, are drawn

    # A double-click to zoom in just east of Astana, on the shaded region, not a marker.
    near_astana = (51.6, 73.0)
    assert shape_under(frame, *near_astana) == "region"
    zoom = frame.evaluate(CENTRE_JS)[2]
    page.mouse.dblclick(*page_point(page, frame, *near_astana))
    page.wait_for_timeout(1500)
    wait_for_app(page)
    frame = map_frame(page)
    assert "region" not in params_of(current_url(page))
    assert summary_text(page) == before
    expect(page.get_by_text(re.compile(r"^0 events and 0 sites"))).to_have_count(0)
    assert frame.evaluate(CENTRE_JS)[2] > zoom  # it zoomed

    # A click on a region offers the filter; only the button applies it.
    frame.evaluate("() => { window.map.closePopup(); window.map.setView([48.0, 68.0], 5); }")
    page.wait_for_timeout(800)
    frame = map_frame(page)
    karaganda_region = (48.5, 67.0)
    assert shape_under(frame, *karaganda_region) == "region"
    page.mouse.click(*page_point(page, frame, *karaganda_region))
    button = frame.get_by_role("button", name="Filter to Karaganda Region")
    expect(button).to_be_visible(timeout=10_000)
    page.wait_for_timeout(1000)
    wait_for_app(page)
    assert "region" not in params_of(current_url(page))
    map_frame(page).get_by_role("button", name="Filter to Karaganda Region").click()
    page.wait_for_function("() => window.location.search.includes('region=Qaraghandy')")
    wait_for_app(page)
    expect(page.get_by_text(SUMMARY_ANY).first).to_have_text(re.compile("· Karaganda Region$"))
    expect(page.get_by_text("Showing only Karaganda Region.")).to_be_visible()

    # The map moves to the region: its middle is in view, zoomed in to fill the map.
    frame = map_frame(page)
    frame.wait_for_function(
        "() => window.map.getZoom() >= 5 && window.map.getBounds().contains([48.5, 70.5])",
        timeout=20_000,
    )
    assert frame.evaluate("() => window.map.getBounds().contains([48.5, 66.0])")
    assert not frame.evaluate("() => window.map.getBounds().contains([43.8, 87.6])")  # Ürümqi

    # The filter in force says so and is undone in one click, once the page has settled (the
    # map reports its new place a moment after it moves, and that reruns the page).
    page.wait_for_timeout(1500)
    wait_for_app(page)
    page.get_by_role("button", name="Show all regions").click()
    page.wait_for_function("() => !window.location.search.includes('region=')")
    wait_for_app(page)
    expect_summary(page, before)
    expect(page.get_by_text("Showing only Karaganda Region.")).to_have_count(0, timeout=20_000)


FOCUSED_JS = """() => {
  const e = document.activeElement;
  return {tag: e.tagName.toLowerCase(), role: e.getAttribute('role') || '',
          name: e.getAttribute('aria-label') || ''};
}"""


def tab_to(
    page: Page, frame: Frame, wanted: Callable[[str], bool], limit: int = 30
) -> list[dict[str, str]]:
    """Press Tab from the map until the focused element's accessible name is one
    ``wanted``; what was focused on the way, that one last."""
    page.locator("iframe[title='streamlit_folium.st_folium']").focus()
    frame.evaluate("() => document.querySelector('.leaflet-container').focus()")
    seen: list[dict[str, str]] = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = frame.evaluate(FOCUSED_JS)
        if focused["tag"] == "body" and not seen:
            continue  # the frame's document took the focus first
        seen.append(focused)
        if wanted(seen[-1]["name"]):
            return seen
    raise AssertionError(f"Tab never reached the marker wanted: {seen}")


def test_markers_are_named_and_selected_from_the_keyboard_without_moving_the_map(
    server: Server, page: Page
) -> None:
    page.goto(f"{server.url}/?from=2019-01&to=2019-12&country=KAZ&map=47.0,70.0,5")
    wait_for_app(page)
    frame = map_frame(page)
    frame.wait_for_selector(".atlas-mk")

    seen = tab_to(page, frame, lambda name: "Karaganda solidarity rally" in name)
    # Tab goes from marker to marker (or cluster), each a button with a name; no shape.
    assert all(s["tag"] == "div" and s["role"] == "button" and s["name"] for s in seen), seen
    name = seen[-1]["name"]
    assert "4 September 2019" in name and "Karaganda Region" in name, name

    before = frame.evaluate(CENTRE_JS)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=re.compile("Karaganda"))).to_be_visible(timeout=20_000)
    page.wait_for_function("() => window.location.search.includes('sel=EV017')")
    wait_for_app(page)
    frame = map_frame(page)
    after = frame.evaluate(CENTRE_JS)
    assert after[:2] == pytest.approx(before[:2], abs=0.04)  # within a pixel at zoom 5
    assert after[2] == before[2]

    # Space selects too: another single marker (not a cluster).
    seen = tab_to(page, frame, lambda name: "items here" not in name and "Karaganda" not in name)
    title = seen[-1]["name"].split(",")[0]
    page.keyboard.press("Space")
    page.wait_for_function("() => !window.location.search.includes('sel=EV017')", timeout=20_000)
    wait_for_app(page)
    assert "sel" in params_of(current_url(page))
    expect(page.get_by_role("heading", name=re.compile(re.escape(title)))).to_be_visible(
        timeout=20_000
    )


class SlowLine:
    """The app's WebSocket, with the server's messages held back on request and then
    delivered in order, as a slow network would."""

    def __init__(self, page: Page) -> None:
        self.holding = False
        self.held: list[str | bytes] = []
        self.route: WebSocketRoute | None = None
        page.route_web_socket(re.compile(r".*/_stcore/stream"), self._connect)

    def _connect(self, route: WebSocketRoute) -> None:
        upstream = route.connect_to_server()
        self.route = route
        upstream.on_message(self._down)
        route.on_message(upstream.send)

    def _down(self, message: str | bytes) -> None:
        if self.holding:
            self.held.append(message)
        elif self.route is not None:
            self.route.send(message)

    def release(self) -> None:
        self.holding = False
        assert self.route is not None
        for message in self.held:
            self.route.send(message)
        self.held.clear()


def test_show_all_regions_holds_when_the_map_reports_before_the_page_has_caught_up(
    server: Server, page: Page
) -> None:
    """A reader presses "Show all regions" and, before the page has drawn the answer (a slow
    network), the map reports a move: that report carries the region filter the browser
    still shows. The filter stays removed."""
    line = SlowLine(page)
    page.goto(f"{server.url}/?from=2019-01&to=2019-12&country=KAZ")
    wait_for_app(page)
    every_region = summary_text(page)
    page.goto(f"{server.url}/?from=2019-01&to=2019-12&country=KAZ&region=Qaraghandy")
    wait_for_app(page)
    map_frame(page).wait_for_selector(".atlas-mk")
    page.wait_for_timeout(1500)  # the map's report of where it opened has rerun the page
    wait_for_app(page)
    expect(page.get_by_text("Showing only Karaganda Region.")).to_be_visible()

    # The server's answers are held back while the reader presses the button and then
    # moves the map; the map's report goes out with the filters the page still shows.
    line.holding = True
    page.get_by_role("button", name="Show all regions").click()
    map_frame(page).evaluate("() => { window.map.setView([46.0, 71.0], 5); }")
    page.wait_for_timeout(2500)
    line.release()

    page.wait_for_function("() => !window.location.search.includes('region=')")
    page.wait_for_timeout(1500)
    wait_for_app(page)
    expect(page.get_by_text("Showing only Karaganda Region.")).to_have_count(0, timeout=20_000)
    expect_summary(page, every_region)
    assert "region" not in params_of(current_url(page))
