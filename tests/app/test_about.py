"""The About page: what the data covers, how it was coded, and whom to credit."""

from __future__ import annotations

import pytest

from .helpers import ABOUT_PAGE, MAP_PAGE, errors, open_app, page_text, read_csv, summary


def test_about_page_shows_counts_and_credits() -> None:
    at = open_app(page=ABOUT_PAGE)
    assert not at.exception, errors(at)
    assert [t.value for t in at.title] == ["About the data"]
    text = page_text(at)
    counts = {
        "events": len(read_csv("events.csv")),
        "sites": len(read_csv("sites.csv")),
        "sources": len(read_csv("sources.csv")),
        "excerpts": len(read_csv("excerpts.csv")),
    }
    for noun, count in counts.items():
        assert f"{count} {noun}" in text, noun
    assert counts["events"] == 69 and counts["sites"] == 20
    for credit in (
        "GeoNames",
        "CC BY 4.0",
        "Natural Earth",
        "Dante Schulz",
        "Anti-China Protests Held in Several Kazakhstani Cities",
        "Caspian Policy Center",
        "8 April 2021",
        "OpenStreetMap contributors",
    ):
        assert credit in text, credit
    assert {"Credits", "Sources"} <= {s.value for s in at.subheader}
    assert not at.error


def test_about_page_lists_every_source() -> None:
    at = open_app(page=ABOUT_PAGE)
    sources = read_csv("sources.csv")
    (table,) = [d.value for d in at.dataframe if "publisher" in d.value.columns]
    assert len(table) == len(sources)
    assert sorted(table["title"]) == sorted(sources["title"])
    seed = table[table["title"] == "Anti-China Protests Held in Several Kazakhstani Cities"]
    assert list(seed["author"]) == ["Dante Schulz"]
    assert list(seed["publisher"]) == ["Caspian Policy Center"]


def test_about_page_explains_precision_and_confidence() -> None:
    text = page_text(open_app(page=ABOUT_PAGE))
    for word in ("exact", "city", "region", "country", "Confidence high", "Medium", "Low"):
        assert word in text, word


def test_navigating_between_pages() -> None:
    at = open_app()
    assert summary(at) == (69, 20)
    at.switch_page(ABOUT_PAGE).run()
    assert not at.exception, errors(at)
    assert [t.value for t in at.title] == ["About the data"]
    at.switch_page(MAP_PAGE).run()
    assert not at.exception, errors(at)
    assert summary(at) == (69, 20)


def test_a_read_only_dashboard_offers_no_page_that_writes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GEO_READ_ONLY", "1")
    at = open_app()
    assert not at.exception
    for page in ("pages/ingest.py", "pages/import.py"):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(page)
    monkeypatch.setenv("GEO_READ_ONLY", "0")
    at = open_app(page="pages/ingest.py")
    assert not at.exception


def test_the_working_notes_readers_do_not_see_are_listed_on_about() -> None:
    at = open_app(page=ABOUT_PAGE)
    assert not at.exception, errors(at)
    (box,) = [e for e in at.expander if e.label.startswith("Working notes")]
    tables = [t.value for t in box.dataframe]
    assert len(tables) == 1
    listed = dict(zip(tables[0]["item"], tables[0]["working note"], strict=True))
    # Every item whose notes say how its point was placed is there, with that note.
    for name, id_column in (("events.csv", "event_id"), ("sites.csv", "site_id")):
        frame = read_csv(name)
        for item_id, notes in zip(frame[id_column], frame["notes"].fillna(""), strict=True):
            coords = [p.strip() for p in notes.split(" | ") if p.strip().startswith("Coords:")]
            assert coords == [p for p in listed.get(item_id, "").split(" | ") if "Coords" in p]
    assert listed["EV017"] == "Coords: Karaganda (city centre) – gk."
    assert any("draw as polyline" in note for note in listed.values())
    assert box.label == f"Working notes on where items are drawn ({len(listed)} items)"
