"""Ingestion in a real browser: upload an article on the ingest page, accept a candidate,
and find the event on the map page with its excerpt. The server runs on a private copy of
the data (GEO_DATA_DIR), its own article store and review queue."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import ARTIFACTS, REPO, Server, map_frame, wait_for_app

DATA_FILES = (
    "events.csv",
    "sites.csv",
    "sources.csv",
    "excerpts.csv",
    "aliases.csv",
    "lexicon.csv",
)
ARTICLE = """Osh Herald - News

Published: 12 June 2020

On Saturday, about 200 residents of Uzgen rallied outside the district akimat against a \
Chinese-owned gold mine. Police detained 15 people.

In Kashgar, ethnic Kyrgyz relatives were detained in 2018, activists said.
"""
RALLY = "On Saturday, about 200 residents of Uzgen rallied outside the district akimat"


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("ingest-e2e")
    data = root / "data"
    data.mkdir()
    for name in DATA_FILES:
        shutil.copy(REPO / "data" / name, data / name)
    article = root / "uploads" / "uzgen-rally.txt"
    article.parent.mkdir()
    article.write_text(ARTICLE, encoding="utf-8")
    return {"data": data, "store": root / "store", "article": article, "queue": root / "q.jsonl"}


@pytest.fixture(scope="module")
def ingest_server(folders: dict[str, Path]) -> Iterator[Server]:
    srv = Server(
        env={
            "GEO_DATA_DIR": str(folders["data"]),
            "GEO_STORE_DIR": str(folders["store"]),
            "GEO_CORPUS_DIR": str(folders["store"]),
            "GEO_QUEUE": str(folders["queue"]),
        }
    )
    yield srv
    srv.close()


def ingested_events(data: Path) -> list[dict[str, str]]:
    with (data / "events.csv").open(encoding="utf-8", newline="") as handle:
        return [r for r in csv.DictReader(handle) if r["tags"] == "ingested"]


def test_upload_accept_and_see_it_on_the_map(
    ingest_server: Server, page: Page, folders: dict[str, Path]
) -> None:
    page.goto(f"{ingest_server.url}/ingest")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Ingest articles")).to_be_visible(timeout=60_000)

    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(
        str(folders["article"])
    )
    expect(page.get_by_text("uzgen-rally.txt").first).to_be_visible()
    page.get_by_role("button", name="Extract candidates", exact=True).click()
    expect(page.get_by_text("2 candidate(s), 2 new")).to_be_visible(timeout=30_000)
    card = page.locator("[class*='st-key-card_']").filter(has_text=RALLY)
    expect(card.first).to_be_visible()
    expect(card.first.get_by_text("Protest in Uzgen, 6 June 2020")).to_be_visible()

    ARTIFACTS.mkdir(exist_ok=True)
    wait_for_app(page)
    page.set_viewport_size({"width": 1400, "height": 2000})
    expect(card.first.get_by_role("button", name="Accept")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "ingest-page.png"))
    page.set_viewport_size({"width": 1400, "height": 1000})

    card.first.get_by_role("button", name="Accept").click()
    expect(page.get_by_text("is in the data and on the map")).to_be_visible(timeout=30_000)
    (event,) = ingested_events(folders["data"])
    assert (event["location"], event["event_date"], event["arrests"]) == (
        "Uzgen",
        "2020-06-06",
        "15",
    )

    page.get_by_role("radio", name="Accepted").or_(
        page.get_by_role("button", name="Accepted")
    ).first.click()
    wait_for_app(page)
    page.get_by_role("button", name="Show on the map").click()
    page.wait_for_url(f"**sel={event['event_id']}**", timeout=30_000)
    wait_for_app(page)
    expect(page.get_by_text("Protest in Uzgen, 6 June 2020").first).to_be_visible(timeout=30_000)
    expect(page.get_by_text(RALLY).first).to_be_visible()
    expect(page.get_by_text("Police detained 15 people.").first).to_be_visible()
    frame = map_frame(page)
    assert frame.evaluate("() => document.querySelectorAll('.leaflet-marker-icon').length") > 0
    page.screenshot(path=str(ARTIFACTS / "ingest-on-map.png"), full_page=True)


def test_a_bad_upload_is_explained_and_stops_nothing(
    ingest_server: Server, page: Page, tmp_path: Path
) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Protest in Almaty, café, 2019.".encode("latin-1"))
    good = tmp_path / "osh.txt"
    good.write_text("On 3 May 2021, about 30 people rallied in Osh.\n", encoding="utf-8")
    page.goto(f"{ingest_server.url}/ingest")
    wait_for_app(page)
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(
        [str(empty), str(latin), str(good)]
    )
    expect(page.get_by_text("osh.txt").first).to_be_visible()
    page.get_by_role("button", name="Extract candidates", exact=True).click()
    expect(page.get_by_text("the file is empty")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("not UTF-8")).to_be_visible()
    expect(page.get_by_text("1 candidate(s), 1 new")).to_be_visible()
