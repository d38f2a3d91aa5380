"""An item selected from outside the map (a shared link, a table row) comes into view once,
ringed above any cluster; after that the map stays where the user puts it."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.conftest import Server, map_frame, wait_for_app
from tests.e2e.test_map import current_url, params_of

# The Karaganda rally, selected, with the map on Xinjiang: the rally is far out of view.
LINK = "/?from=2019-01&to=2019-12&country=KAZ&sel=EV017&map=41.0000,86.0000,6"
KARAGANDA = (49.8, 73.1)

RING_JS = """
() => {
  const ring = document.querySelector('.leaflet-atlas-selected-pane .atlas-selected-ring');
  if (!ring) return null;
  const pane = getComputedStyle(document.querySelector('.leaflet-atlas-selected-pane'));
  const markers = getComputedStyle(document.querySelector('.leaflet-marker-pane'));
  const b = window.map.getBounds();
  return {paneZ: Number(pane.zIndex), markersZ: Number(markers.zIndex),
          south: b.getSouth(), north: b.getNorth(), west: b.getWest(), east: b.getEast()};
}
"""


def in_view(found: dict, point: tuple[float, float]) -> bool:
    lat, lon = point
    return found["south"] < lat < found["north"] and found["west"] < lon < found["east"]


def test_a_selection_from_a_link_comes_into_view_once(server: Server, page: Page) -> None:
    page.goto(server.url + LINK)
    wait_for_app(page)
    expect(page.get_by_role("heading", name=re.compile("Karaganda"))).to_be_visible(timeout=30_000)
    frame = map_frame(page)
    frame.wait_for_function(
        f"() => {{ const r = ({RING_JS})(); return r && "
        f"r.south < {KARAGANDA[0]} && r.north > {KARAGANDA[0]} && "
        f"r.west < {KARAGANDA[1]} && r.east > {KARAGANDA[1]}; }}",
        timeout=20_000,
    )
    found = frame.evaluate(RING_JS)
    assert in_view(found, KARAGANDA), found
    # The ring is drawn above the markers and cluster bubbles.
    assert found["paneZ"] > found["markersZ"], found
    # The link now says where the map went: on Karaganda.
    page.wait_for_function(
        "() => /^49\\.[0-9]+,73\\./.test(new URLSearchParams(location.search).get('map'))"
    )
    wait_for_app(page)
    centred = params_of(current_url(page))["map"]

    # The user drags the map away east, then changes a filter: the map stays put.
    box = page.locator("iframe[title='streamlit_folium.st_folium']").bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x - 420, y + 120, steps=12)
    page.mouse.up()
    page.wait_for_function(
        "(before) => new URLSearchParams(location.search).get('map') !== before",
        arg=centred,
        timeout=20_000,
    )
    wait_for_app(page)
    moved = params_of(current_url(page))["map"]
    assert not in_view(frame.evaluate(RING_JS), KARAGANDA)

    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_role("checkbox", name="Include events with unknown dates").click(force=True)
    page.wait_for_function("() => location.search.includes('undated=')")
    wait_for_app(page)
    page.wait_for_timeout(1500)
    assert params_of(current_url(page))["map"] == moved
    assert not in_view(frame.evaluate(RING_JS), KARAGANDA)
    expect(page.get_by_role("heading", name=re.compile("Karaganda"))).to_be_visible(timeout=30_000)
