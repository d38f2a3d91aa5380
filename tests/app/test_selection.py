"""The selection panel: the selected item, the article excerpts behind it and their
citations, whether the selection comes from a link or from a click on a marker."""

from __future__ import annotations

import re

from streamlit.testing.v1 import AppTest

from geo import render

from .helpers import (
    MAP_KEY,
    TOOLTIP_ID,
    button,
    errors,
    folium_args,
    open_app,
    page_text,
    read_csv,
    summary,
    tooltips,
    unescape_md,
)

EXCERPT_EV025 = "On March 27, hundreds of protesters"


def _record(name: str, key: str, item_id: str) -> dict[str, str]:
    frame = read_csv(name)
    return frame[frame[key] == item_id].iloc[0].to_dict()


def _headings(at: AppTest) -> list[str]:
    """Level-4 headings: the panel's title ("Excerpts" when nothing is selected)."""
    found = []
    for element in at.markdown:
        text = str(element.value)
        if text.startswith("#### "):
            found.append(unescape_md(text[5:]))
    return found


def _quotes(at: AppTest) -> list[str]:
    return [unescape_md(str(m.value))[2:] for m in at.markdown if str(m.value).startswith("> ")]


def _captions(at: AppTest) -> list[str]:
    return [unescape_md(str(c.value)) for c in at.caption]


def _markdown(at: AppTest) -> list[str]:
    return [unescape_md(str(m.value)) for m in at.markdown]


def _tooltip_of(at: AppTest, item_id: str) -> str:
    for tip in tooltips(folium_args(at)):
        match = TOOLTIP_ID.search(tip)
        if match and match.group(1) == item_id:
            return tip
    raise AssertionError(f"no marker for {item_id}")


def _click(at: AppTest, tooltip: str) -> AppTest:
    """What st_folium reports after a marker click: the text of the clicked tooltip."""
    at.session_state[MAP_KEY] = {"last_object_clicked_tooltip": tooltip}
    return at.run()


def _assert_nothing_selected(at: AppTest) -> None:
    assert _headings(at) == ["Excerpts"]
    assert any("Click a marker" in c for c in _captions(at))
    assert not any(b.label == "Clear selection" for b in at.button)


def test_link_selects_an_event_and_shows_its_excerpts_and_citation() -> None:
    at = open_app({"sel": "EV025"})
    assert not at.exception, errors(at)
    event = _record("events.csv", "event_id", "EV025")
    assert _headings(at) == [event["title"]]
    assert any("EV025" in c for c in _captions(at))
    excerpt_ids = event["excerpt_ids"].split(";")
    assert f"Excerpts ({len(excerpt_ids)})" in "\n".join(_markdown(at))
    quotes = _quotes(at)
    assert len(quotes) == len(excerpt_ids)
    assert quotes[0].startswith(EXCERPT_EV025)
    # Each excerpt carries its citation: the seed article, its publisher and author.
    seed = _record("sources.csv", "source_id", "cpc-2021-04-anti-china-protests-kazakhstan")
    citations = [c for c in _captions(at) if seed["title"] in c]
    assert len(citations) == len(excerpt_ids)
    assert all("Caspian Policy Center" in c and "Dante Schulz" in c for c in citations)
    assert all(seed["url"] in c for c in citations)
    # The event's own source follows.
    source = _record("sources.csv", "source_id", event["source_id"])
    assert any(m.startswith("**Source:**") and source["title"] in m for m in _markdown(at))
    # The selected marker is ringed on the map, and the link keeps the selection.
    ring = folium_args(at)["feature_group"]
    assert "L.circleMarker(" in ring
    assert re.search(
        rf"L\.circleMarker\(\s*\[{float(event['latitude'])}, {float(event['longitude'])}\]", ring
    )
    assert at.query_params == {"sel": "EV025"}
    assert summary(at) == (69, 20)


def test_marker_click_selects_the_event_and_writes_the_url() -> None:
    at = open_app()
    _assert_nothing_selected(at)
    tooltip = _tooltip_of(at, "EV068")
    assert tooltip.endswith("[EV068]")
    _click(at, tooltip)
    assert not at.exception, errors(at)
    event = _record("events.csv", "event_id", "EV068")
    assert _headings(at) == [event["title"]]
    quoted = read_csv("excerpts.csv").set_index("excerpt_id").at["X004", "text"]
    assert [" ".join(q.split()) for q in _quotes(at)] == [" ".join(quoted.split())]
    assert at.query_params == {"sel": "EV068"}
    # A later rerun (any other interaction) keeps the selection.
    at.run()
    assert not at.exception, errors(at)
    assert _headings(at) == [event["title"]]
    assert at.query_params == {"sel": "EV068"}


def test_click_on_something_that_is_not_a_marker_selects_nothing() -> None:
    at = open_app()
    for tooltip in ("a cluster of 12", "<b>[</b>]", "Unknown item [EV999]", ""):
        _click(at, tooltip)
        assert not at.exception, errors(at)
        _assert_nothing_selected(at)
        assert at.query_params == {}


def test_event_without_excerpts_shows_its_notes_and_source() -> None:
    at = open_app({"sel": "EV037"})
    assert not at.exception, errors(at)
    event = _record("events.csv", "event_id", "EV037")
    assert event["excerpt_ids"] == ""
    assert _headings(at) == [event["title"]]
    assert "Excerpts (0)" in "\n".join(_markdown(at))
    assert not _quotes(at)
    assert any("No excerpt" in c for c in _captions(at))
    source = _record("sources.csv", "source_id", event["source_id"])
    assert any(m.startswith("**Source:**") and source["title"] in m for m in _markdown(at))
    (notes,) = [e for e in at.expander if e.label == "Notes on sourcing"]
    assert notes.proto.expanded  # open, since no excerpt stands in for them
    shown = "\n".join(unescape_md(str(m.value)) for m in notes.markdown)
    # Readers get the sourcing notes, not the working notes on how the point was found.
    assert "Coords:" in event["notes"] and "Coords:" not in shown
    assert " ".join(render.reader_notes(event["notes"]).split()) in shown


def test_link_selects_a_site() -> None:
    at = open_app({"sel": "PL002"})
    assert not at.exception, errors(at)
    site = _record("sites.csv", "site_id", "PL002")
    assert _headings(at) == [site["name"]]
    assert _quotes(at)[0].startswith("Dozens of Kazakhstanis have been staging protests")
    assert at.query_params == {"sel": "PL002"}


def test_selection_outside_the_filters_says_so() -> None:
    at = open_app({"sel": "EV025", "country": "KGZ"})
    assert not at.exception, errors(at)
    assert _headings(at) == [_record("events.csv", "event_id", "EV025")["title"]]
    assert any("outside the current filters" in str(i.value) for i in at.info)
    assert "L.circleMarker(" not in folium_args(at)["feature_group"]


def test_clear_selection_clears_the_panel_and_the_url() -> None:
    at = open_app({"sel": "EV025"})
    button(at, "Clear selection").click().run()
    assert not at.exception, errors(at)
    _assert_nothing_selected(at)
    assert at.query_params == {}
    assert "L.circleMarker(" not in folium_args(at)["feature_group"]
    at.run()
    assert not at.exception, errors(at)
    _assert_nothing_selected(at)


def test_clear_after_a_click_then_click_another_marker() -> None:
    at = open_app()
    _click(at, _tooltip_of(at, "EV068"))
    button(at, "Clear selection").click().run()
    assert not at.exception, errors(at)
    _assert_nothing_selected(at)
    assert at.query_params == {}
    _click(at, _tooltip_of(at, "EV025"))
    assert not at.exception, errors(at)
    assert _headings(at) == [_record("events.csv", "event_id", "EV025")["title"]]
    assert at.query_params == {"sel": "EV025"}


def test_an_event_whose_only_note_is_a_working_note_shows_no_notes() -> None:
    at = open_app({"sel": "EV040"})
    assert not at.exception, errors(at)
    event = _record("events.csv", "event_id", "EV040")
    assert event["notes"].strip().startswith("| Coords:")
    assert "Coords" not in page_text(at)
    assert not [e for e in at.expander if e.label == "Notes on sourcing"]


def test_the_map_settling_part_of_a_pixel_away_leaves_the_link_s_place() -> None:
    """The map's frame takes its height after Leaflet has placed the map, which shifts the
    centre it reports by part of a pixel: the link keeps the place it was given. A move of a
    few pixels is a move."""
    at = open_app({"map": "47.0,70.0,5"})
    assert not at.exception, errors(at)
    report = {"last_object_clicked_tooltip": None, "zoom": 5}
    at.session_state[MAP_KEY] = {**report, "center": {"lat": 47.0102, "lng": 70.0049}}
    at.run()
    assert at.query_params["map"] == "47.0000,70.0000,5"
    at.session_state[MAP_KEY] = {**report, "center": {"lat": 47.2, "lng": 70.0049}}
    at.run()
    assert at.query_params["map"] == "47.2000,70.0049,5"
