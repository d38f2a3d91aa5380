"""The Sources page in a real browser: the seed article with every excerpt highlighted, a
highlight that opens its event on the map, link fallbacks, and hostile article text."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import ARTIFACTS, REPO, Server, corpus_dir, map_frame, wait_for_app

DATA = REPO / "data"
SEED = "cpc-2021-04-anti-china-protests-kazakhstan"
ARRESTED = "Twenty-two people were arrested."
MARKS = "[data-testid='stHtml'] mark"


def read(name: str, folder: Path = DATA) -> list[dict[str, str]]:
    with (folder / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def first_supporter(excerpt_text: str) -> tuple[str, str]:
    """(id, title) of the first event (else site) citing the excerpt that reads
    ``excerpt_text``, from the CSV files alone."""
    (excerpt_id,) = [r["excerpt_id"] for r in read("excerpts.csv") if r["text"] == excerpt_text]
    for name, key, label in (("events.csv", "event_id", "title"), ("sites.csv", "site_id", "name")):
        for row in read(name):
            if excerpt_id in [x.strip() for x in row["excerpt_ids"].split(";")]:
                return row[key], row[label]
    raise AssertionError(f"nothing cites {excerpt_id}")


def words(text: str) -> str:
    """Text as a reader sees it: HTML collapses runs of spaces (and no-break spaces)."""
    return " ".join(text.split())


def params_of(url: str) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlsplit(url).query).items()}


def open_sources(page: Page, url: str) -> None:
    page.goto(url)
    wait_for_app(page)
    # A fresh server's first run loads the data: the page can be blank for a while.
    expect(page.get_by_role("heading", name="Sources")).to_be_visible(timeout=60_000)
    wait_for_app(page)


def test_the_seed_article_shows_every_excerpt_highlighted(server: Server, page: Page) -> None:
    seed_excerpts = [r for r in read("excerpts.csv") if r["source_id"] == SEED]
    assert len(seed_excerpts) == 13
    open_sources(page, f"{server.url}/sources")
    marks = page.locator(MARKS)
    expect(marks).to_have_count(13)
    assert sorted(words(t) for t in marks.all_inner_texts()) == sorted(
        words(r["text"]) for r in seed_excerpts
    )
    # Each highlight is a link to the map page with an item selected.
    hrefs = marks.locator("a").evaluate_all("links => links.map(a => a.href)")
    assert len(hrefs) == 13
    assert all(urlsplit(h).path == "/" and "sel" in params_of(h) for h in hrefs)
    # The citation above the article names its author (the sources table also does, off screen).
    expect(page.get_by_text("Dante Schulz").filter(visible=True).first).to_be_visible()
    expect(page.get_by_text("not highlighted")).to_have_count(0)
    page.wait_for_function(f"() => window.location.search.includes('src={SEED}')")

    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1400, "height": 3200})
    page.screenshot(path=str(ARTIFACTS / "sources-page.png"))


def test_clicking_a_highlight_opens_its_event_on_the_map(server: Server, page: Page) -> None:
    item_id, title = first_supporter(ARRESTED)
    open_sources(page, f"{server.url}/sources")
    mark = page.locator(MARKS, has_text=ARRESTED)
    expect(mark).to_have_count(1)
    assert item_id in (mark.get_attribute("title") or "")
    mark.locator("a").click()

    page.wait_for_function(
        "id => window.location.pathname === '/' && window.location.search.includes('sel=' + id)",
        arg=item_id,
    )
    wait_for_app(page)
    map_frame(page)
    # The map page's excerpt panel shows the selected item and the sentence clicked.
    expect(page.get_by_role("heading", name=title)).to_be_visible(timeout=20_000)
    expect(page.get_by_text(ARRESTED, exact=True)).to_be_visible()
    assert params_of(page.url).get("sel") == item_id
    expect(page.get_by_text("This link had problems")).to_have_count(0)


def test_a_bad_src_link_falls_back_with_a_notice(server: Server, page: Page) -> None:
    open_sources(page, f"{server.url}/sources?src=%3Cscript%3Ealert(1)%3C/script%3E")
    expect(page.get_by_text("This link had problems")).to_be_visible()
    expect(page.locator(MARKS)).to_have_count(13)
    page.wait_for_function(f"() => window.location.search === '?src={SEED}'")


# ---- hostile article text and a stale excerpt ----

PAYLOAD = (
    "\n\n<script>alert(1)</script> <img src=x onerror=alert(2)> `${alert(3)}` \\2019 "
    "<a href=javascript:alert(4)>click</a>\n"
)
STALE = "X013"


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("sources-data")
    corpus = tmp_path_factory.mktemp("sources-corpus")
    for path in DATA.glob("*.csv"):
        shutil.copy(path, folder / path.name)
    shutil.copytree(DATA / "geo", folder / "geo")
    for path in Path(corpus_dir()).glob("*.txt"):
        # Appended at the end: every excerpt's offsets still match.
        (corpus / path.name).write_text(path.read_text(encoding="utf-8") + PAYLOAD, "utf-8")
    rows = read("excerpts.csv", folder)
    for row in rows:
        if row["excerpt_id"] == STALE:
            row["char_start"] = str(int(row["char_start"]) + 1)
    with (folder / "excerpts.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    srv = Server(env={"GEO_DATA_DIR": str(folder), "GEO_CORPUS_DIR": str(corpus)})
    yield srv
    srv.close()


def test_hostile_text_stays_inert_and_a_stale_excerpt_is_flagged(
    hostile_server: Server, page: Page
) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    open_sources(page, f"{hostile_server.url}/sources")
    expect(page.locator(MARKS)).to_have_count(12)
    expect(page.get_by_text("not highlighted")).to_be_visible()
    expect(page.get_by_text(STALE).first).to_be_visible()
    # The article's block (the page also carries the layout's style rules in one).
    article = page.locator("[data-testid='stHtml']").filter(has=page.locator("mark"))
    expect(article).to_contain_text("<script>alert(1)</script>")
    expect(article).to_contain_text("`${alert(3)}` \\2019")
    assert article.locator("script, img, a[href^='javascript']").count() == 0
    page.wait_for_timeout(1500)
    assert dialogs == []
