"""The map page on a phone, a small laptop and a desktop screen: the map comes first and fills
the width, the legend folds away where it would cover the map, and no control is cut off."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, expect

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, Server, map_frame, wait_for_app

LINK = "/?from=2019-01&to=2019-12&country=KAZ"
SUMMARY = re.compile(r"\d+ events? and \d+ sites? · January 2019 – December 2019 · Kazakhstan")

# Every control a user reads or presses in the main area: buttons, the options of segmented
# controls and toggles, widget labels, and the popover that opens the share menu.
CLIPPED_JS = """
() => {
  const main = document.querySelector('[data-testid="stMain"]');
  const width = document.documentElement.clientWidth;
  const found = [];
  const controls = main.querySelectorAll(
    'button, [data-testid="stWidgetLabel"], label, [data-testid="stMarkdownContainer"] p'
  );
  for (const el of controls) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    const text = (el.innerText || '').trim();
    if (!text) continue;
    // Cut off by its own box (ellipsis or overflow) or running past the screen's edge;
    // one-pixel boxes are the page's text for screen readers, hidden on purpose.
    const inner = [el, ...el.querySelectorAll('*')];
    const cut = inner.some(n => n.clientWidth > 2 && n.scrollWidth > n.clientWidth + 1 &&
                                getComputedStyle(n).overflowX !== 'visible');
    if (cut || box.right > width + 1 || box.left < -1) found.push(text.slice(0, 40));
  }
  return found;
}
"""

MAP_BOX_JS = r"""
() => {
  const frame = document.querySelector("iframe[title='streamlit_folium.st_folium']");
  const main = document.querySelector('[data-testid="stMainBlockContainer"]');
  const f = frame.getBoundingClientRect();
  const m = main.getBoundingClientRect();
  const style = getComputedStyle(main);
  const inner = m.width - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  const play = [...document.querySelectorAll('button')].find(b => /(^|\s)(Play|Pause)$/.test(
      b.innerText.trim()));
  return {top: f.top + window.scrollY, width: f.width, inner: inner,
          playTop: play ? play.getBoundingClientRect().top + window.scrollY : null};
}
"""

LEGEND_JS = """
() => {
  const box = document.querySelector('details.atlas-legend');
  const map = document.querySelector('.leaflet-container').getBoundingClientRect();
  const legend = box.getBoundingClientRect();
  return {open: box.open, share: (legend.width * legend.height) / (map.width * map.height)};
}
"""


@pytest.mark.parametrize(
    ("width", "height"), [(390, 844), (1024, 768), (1400, 1000)], ids=["phone", "laptop", "desk"]
)
def test_the_map_comes_first_fills_the_width_and_no_control_is_cut(
    server: Server, browser: Browser, width: int, height: int
) -> None:
    context = browser.new_context(viewport={"width": width, "height": height})
    page: Page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        page.goto(server.url + LINK)
        wait_for_app(page)
        expect(page.get_by_text(SUMMARY).first).to_be_visible()
        frame = map_frame(page)
        # The playback controls come with the run that follows the map's drawing.
        expect(page.get_by_role("button", name="Play")).to_be_visible()

        box = page.evaluate(MAP_BOX_JS)
        # The map is the first thing under the title and the summary line: on a phone it
        # starts in the top third of the screen, before the playback controls.
        assert box["top"] < height / 3 if width < 640 else box["top"] < height / 2, box
        assert box["playTop"] is not None and box["top"] < box["playTop"], box
        # Below desktop width the excerpt panel goes under the map, which takes the width.
        if width < 1200:
            assert box["width"] >= 0.95 * box["inner"], box
        else:
            assert box["width"] >= 0.6 * box["inner"], box

        legend = frame.evaluate(LEGEND_JS)
        if width < 640:
            assert not legend["open"], legend
        assert legend["share"] < 0.25, legend

        clipped = page.evaluate(CLIPPED_JS)
        assert clipped == [], f"cut off at {width}x{height}: {clipped}"

        # The folded legend still opens for whoever wants it.
        if width < 640:
            frame.locator("details.atlas-legend summary").click()
            assert frame.evaluate("() => document.querySelector('details.atlas-legend').open")

        # The Charts page, at the same size: every control whole.
        page.goto(server.url + "/charts" + LINK[1:])
        wait_for_app(page)
        expect(page.get_by_text(SUMMARY).first).to_be_visible()
        page.wait_for_selector(".js-plotly-plot")
        clipped = page.evaluate(CLIPPED_JS)
        assert clipped == [], f"cut off on Charts at {width}x{height}: {clipped}"
    finally:
        context.close()


def test_a_legend_that_would_hide_the_map_starts_folded_whatever_the_fonts(
    server: Server, playwright_instance: Playwright, tmp_path: Path
) -> None:
    """A reader whose browser sets a minimum font size (as many do for their eyes) gets a
    larger legend than the page asks for: on a desktop screen it starts folded when, open, it
    would hide a large part of the map."""
    profile = tmp_path / "profile"
    (profile / "Default").mkdir(parents=True)
    prefs = {"webkit": {"webprefs": {"minimum_font_size": 17, "minimum_logical_font_size": 17}}}
    (profile / "Default" / "Preferences").write_text(json.dumps(prefs))
    context = playwright_instance.chromium.launch_persistent_context(
        str(profile),
        executable_path=CHROMIUM,
        args=CHROMIUM_ARGS,
        viewport={"width": 1400, "height": 1000},
    )
    page: Page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        page.goto(server.url + LINK)
        wait_for_app(page)
        expect(page.get_by_text(SUMMARY).first).to_be_visible()
        frame = map_frame(page)
        legend = frame.evaluate(LEGEND_JS)
        assert not legend["open"], legend
        assert legend["share"] < 0.25, legend
        # Opened by hand, it shows every row, at the reader's size.
        frame.locator("details.atlas-legend summary").click()
        opened = frame.evaluate(LEGEND_JS)
        assert opened["open"] and opened["share"] > 0.2, opened
    finally:
        context.close()
