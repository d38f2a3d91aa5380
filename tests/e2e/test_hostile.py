"""Hostile data on every page in real Chromium: script in titles, places, actors, notes,
excerpts, source titles and links, Markdown images, links and autolinks, 100 kB strings,
right-to-left and emoji text, control characters. No dialog opens, no injected element
appears, unsafe links are not links."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import (
    REPO,
    Server,
    drawn_markers,
    map_frame,
    rewrite_csv,
    wait_for_app,
)

DATA = REPO / "data"

PAYLOADS = [
    "<img src=x onerror=alert('img')>",
    "<svg onload=alert('svg')>",
    "${alert('template')}",
    "`${alert('backtick')}`",
    "\\2019</script><script>alert('script')</script>",
    "<a href=javascript:alert('href')>click</a>",
    "‮evil‬ مرحبا 🎯🔥",
    "nul\x00and\x07bell\x1b[31m",
    # Markdown: an image fetched from elsewhere, a script link, an autolink. Placed last, so
    # every place below gets them (each takes the list from its own offset on).
    ")![x](http://t.example/p.png)",
    "[a](javascript:alert(1))",
    "<https://t.example>",
]
# A source's link that holds Markdown of its own (as an article's og:url once did).
MARKDOWN_URL = (
    "https://news.example/story)![pixel](http://t.example/og.png)"
    "[Log_in](https://t.example/login)(<https://t.example>"
)
# Where each payload goes: (file, id column, id, column).
PLACES = [
    ("events.csv", "event_id", "EV001", "title"),
    ("events.csv", "event_id", "EV001", "location"),
    ("events.csv", "event_id", "EV001", "actor1"),
    ("events.csv", "event_id", "EV001", "participants"),
    ("events.csv", "event_id", "EV001", "notes"),
    ("events.csv", "event_id", "EV007", "title"),
    ("events.csv", "event_id", "EV007", "assoc_actor_1"),
    ("sites.csv", "site_id", "PL001", "name"),
    ("sites.csv", "site_id", "PL001", "location"),
]


@pytest.fixture(scope="module")
def poisoned(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("poisoned")
    for name in ("events.csv", "sites.csv", "sources.csv", "excerpts.csv"):
        shutil.copy(DATA / name, folder / name)
    for n, (name, key, wanted, column) in enumerate(PLACES):
        rewrite_csv(folder / name, key, wanted, {column: " ".join(PAYLOADS[n % len(PAYLOADS) :])})
    # A 100 kB note: kept, and shown shortened.
    rewrite_csv(folder / "events.csv", "event_id", "EV007", {"notes": "<b>x</b>" * 12_800})
    sources = list(csv.DictReader((folder / "events.csv").open(encoding="utf-8")))
    first = next(r["source_id"] for r in sources if r["event_id"] == "EV001")
    second = next(r["source_id"] for r in sources if r["event_id"] == "EV007")
    # Every other source: Markdown in its link and in each of its text fields.
    for other in {r["source_id"] for r in sources} - {first, second, ""}:
        rewrite_csv(
            folder / "sources.csv",
            "source_id",
            other,
            {
                "url": MARKDOWN_URL,
                **{f: f"{f} " + " ".join(PAYLOADS[-3:]) for f in ("title", "publisher", "author")},
            },
        )
    rewrite_csv(
        folder / "sources.csv",
        "source_id",
        first,
        {
            "title": PAYLOADS[0] + PAYLOADS[4],
            "url": "javascript:alert('url')",
            "author": PAYLOADS[6],
        },
    )
    rewrite_csv(
        folder / "sources.csv",
        "source_id",
        second,
        {"title": PAYLOADS[2], "url": "data:text/html,<script>alert('data')</script>"},
    )
    # Without a corpus the excerpt's text is not checked against an article: poison it too.
    rewrite_csv(folder / "excerpts.csv", "excerpt_id", "X007", {"text": " ".join(PAYLOADS)})
    srv = Server(env={"GEO_DATA_DIR": str(folder), "GEO_CORPUS_DIR": ""})
    yield srv
    srv.close()


INJECTED_JS = """() => {
  const docs = [document];
  document.querySelectorAll('iframe').forEach(f => {
    try { docs.push(f.contentDocument); } catch (e) {}
  });
  const planted = 'img[src="x"], svg[onload], a[href^="javascript"], a[href^="data:"], ' +
    'img[src*="t.example"], a[href*="t.example"]';
  let bad = 0;
  for (const d of docs) {
    if (!d) continue;
    bad += d.querySelectorAll(planted).length;
    d.querySelectorAll('script').forEach(s => {
      if (s.textContent.includes("alert('script')")) bad += 1;
    });
  }
  return bad;
}"""


def _watch(page: Page) -> list[str]:
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    return dialogs


@pytest.mark.parametrize(
    ("path", "shown"),
    [
        ("/", None),
        ("/charts", None),
        ("/sources", None),
        ("/about", None),
        # Citations with Markdown in their links: the selected event's panel, and the
        # chart selection's list of events.
        ("/?sel=EV025", "Excerpts ("),
        ("/charts?pick=category:protest", "Selected events ("),
    ],
)
def test_no_page_runs_injected_script(
    poisoned: Server, page: Page, path: str, shown: str | None
) -> None:
    dialogs = _watch(page)
    page.goto(f"{poisoned.url}{path}")
    wait_for_app(page)
    if shown is not None:
        expect(page.get_by_text(shown).first).to_be_visible(timeout=30_000)
    page.wait_for_timeout(1500)
    # Hover every chart's bars so their hover text renders.
    for plot in page.locator(".js-plotly-plot").all()[:4]:
        plot.scroll_into_view_if_needed()
        box = plot.bounding_box()
        if box:
            for x in range(1, 10):
                page.mouse.move(box["x"] + box["width"] * x / 10, box["y"] + box["height"] / 2)
    assert page.evaluate(INJECTED_JS) == 0
    assert dialogs == []


@pytest.mark.parametrize(
    ("query", "item"),
    [
        ("cat=policy&from=2015-11&to=2015-11", "EV001"),
        ("cat=policy&from=2016-05&to=2016-05", "EV007"),
    ],
)
def test_poisoned_marker_popup_and_panel_stay_text(
    poisoned: Server, page: Page, query: str, item: str
) -> None:
    dialogs = _watch(page)
    page.goto(f"{poisoned.url}/?{query}")
    wait_for_app(page)
    assert drawn_markers(page, expected=1) == 1
    frame = map_frame(page)
    marker = frame.locator(".leaflet-marker-icon .atlas-mk").first
    marker.hover()
    expect(frame.locator(".leaflet-tooltip")).to_be_visible()
    marker.click()
    expect(frame.locator(".leaflet-popup-content")).to_be_visible()
    # Unsafe source links are shown as text, never as links.
    assert frame.locator(".leaflet-popup-content a").count() == 0
    page.wait_for_function(f"() => window.location.search.includes('sel={item}')")
    wait_for_app(page)
    page.wait_for_timeout(1000)
    assert page.evaluate(INJECTED_JS) == 0
    assert dialogs == []
