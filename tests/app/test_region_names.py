"""The region filter takes a region by any of its names, or the start of one, typed the way
people type it (another script, another spelling, no accents), and offers the regions a
start could mean."""

from __future__ import annotations

from typing import Any

from streamlit.testing.v1 import AppTest

from .helpers import errors, link_notices, open_app, summary_text


def _regions(at: AppTest) -> Any:
    return next(w for w in at.multiselect if w.label == "Regions (admin-1)")


def _offered(at: AppTest) -> list[str]:
    return [b.label for b in at.sidebar.button if b.key and b.key.startswith("region_choice_")]


def test_a_start_in_any_script_or_spelling_picks_the_region_it_names() -> None:
    at = open_app()
    for typed, key, shown in (
        ("Карага", "Qaraghandy", "Karaganda Region"),
        ("Aqtö", "Aqtöbe", "Aktobe Region"),
        ("aqto", "Aqtöbe", "Aktobe Region"),
        ("Karag", "Qaraghandy", "Karaganda Region"),
        ("Мангист", "Mangghystau", "Mangystau Region"),
    ):
        _regions(at).set_value([typed]).run()
        assert not at.exception, errors(at)
        assert _regions(at).value == [key], typed
        assert at.query_params["region"] == key, typed
        assert summary_text(at).endswith(shown), (typed, summary_text(at))
        assert not link_notices(at) and not _offered(at)


def test_a_start_that_fits_several_regions_offers_them() -> None:
    at = open_app()
    _regions(at).set_value(["Aq"]).run()
    assert not at.exception, errors(at)
    assert _regions(at).value == [] and "region" not in at.query_params
    assert _offered(at) == ["Akmola Region", "Aktobe Region"]
    assert any("“Aq” could be any of these regions" in c.value for c in at.sidebar.caption)
    next(b for b in at.sidebar.button if b.label == "Aktobe Region").click().run()
    assert not at.exception, errors(at)
    assert _regions(at).value == ["Aqtöbe"] and at.query_params["region"] == "Aqtöbe"
    assert _offered(at) == []
    # Another start adds to the filter: "Kazakh" could be four regions.
    _regions(at).set_value(["Aqtöbe", "Kazakh"]).run()
    assert _regions(at).value == ["Aqtöbe"]
    assert _offered(at) == [
        "East Kazakhstan Region",
        "North Kazakhstan Region",
        "Turkistan Region",
        "West Kazakhstan Region",
    ]
    next(b for b in at.sidebar.button if b.label == "West Kazakhstan Region").click().run()
    assert _regions(at).value == ["Aqtöbe", "West Kazakhstan"]


def test_a_name_of_no_region_is_left_out_and_said_so() -> None:
    at = open_app()
    _regions(at).set_value(["Atlantis"]).run()
    assert not at.exception, errors(at)
    assert "region" not in at.query_params and not _offered(at)
    assert any("No region is called “Atlantis”" in n for n in link_notices(at)), link_notices(at)
