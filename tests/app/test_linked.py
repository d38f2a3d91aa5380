"""Linked analysis through AppTest: a chart selection narrows the map and lists the selected
events' excerpts; a region click filters to the region; the charts page survives hostile
links. Expected events come from the CSV files, not from the app's code."""

from __future__ import annotations

import re
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.helpers import (
    CHARTS_PAGE,
    MAP_KEY,
    button,
    errors,
    folium_args,
    link_notices,
    marker_ids,
    open_app,
    page_text,
    read_csv,
    summary,
    text_content,
)


def _select(at: AppTest, chart: str, keys: list[str]) -> AppTest:
    """What st.plotly_chart keeps in session state after a click or box selection of the
    bars whose pick keys are ``keys``."""
    points: list[dict[str, Any]] = [
        {"customdata": [key], "point_index": i, "curve_number": 0} for i, key in enumerate(keys)
    ]
    at.session_state[f"chart_{chart}_0"] = {
        "selection": {
            "points": points,
            "point_indices": list(range(len(keys))),
            "box": [],
            "lasso": [],
        }
    }
    return at.run()


def _events_in_month_and_country(month: str, iso: str) -> set[str]:
    events = read_csv("events.csv")
    keep = events["event_date"].str.startswith(month) & (events["iso"] == iso)
    return set(events.loc[keep, "event_id"])


def test_selecting_a_month_bar_narrows_the_map_and_lists_its_excerpts() -> None:
    at = open_app()
    _select(at, "month", ["month:2021-03+iso:KAZ"])
    assert not at.exception, errors(at)
    want = _events_in_month_and_country("2021-03", "KAZ")
    assert want == {"EV025", "EV026", "EV027", "EV028", "EV029", "EV040"}
    assert summary(at) == (len(want), 0)
    assert sorted(marker_ids(folium_args(at))) == sorted(want)
    text = page_text(at)
    assert "Selected events (6)" in text
    assert "Twenty-two people were arrested." in text  # the seed excerpt behind EV025-EV029
    assert "Chart selection: March 2021 · Kazakhstan" in text
    assert at.query_params["pick"] == "month:2021-03+iso:KAZ"


def test_a_category_and_an_actor_bar_select_their_events() -> None:
    at = open_app()
    _select(at, "category", ["category:policy"])
    events = read_csv("events.csv")
    policy = set(events.loc[events["category"] == "policy", "event_id"])
    assert sorted(marker_ids(folium_args(at))) == sorted(policy)
    at = open_app()
    _select(at, "actor", ["actor:Democratic Choice of Kazakhstan (DVK)"])
    dvk = set(
        events.loc[
            (events["actor1"] + ";" + events["assoc_actor_1"])
            .str.split(";")
            .map(
                lambda names: "Democratic Choice of Kazakhstan (DVK)" in [n.strip() for n in names]
            ),
            "event_id",
        ]
    )
    assert dvk and sorted(marker_ids(folium_args(at))) == sorted(dvk)


def test_clearing_the_chart_selection_restores_the_view() -> None:
    at = open_app()
    _select(at, "month", ["month:2021-03+iso:KAZ"])
    button(at, "Clear chart selection").click().run()
    assert not at.exception, errors(at)
    assert summary(at) == (69, 20)
    assert "pick" not in at.query_params


def test_a_selection_link_reopens_the_same_events() -> None:
    at = open_app({"pick": "month:2019-09+iso:KAZ|month:2019-10+iso:KAZ"})
    assert not at.exception, errors(at)
    want = _events_in_month_and_country("2019-09", "KAZ") | _events_in_month_and_country(
        "2019-10", "KAZ"
    )
    assert sorted(marker_ids(folium_args(at))) == sorted(want)
    assert not link_notices(at)


def test_a_region_filters_only_from_its_popup_button() -> None:
    at = open_app()
    regions = {f["properties"]["name"]: f for f in _regions(at)}
    naryn = regions["Naryn"]["properties"]
    # A click on the region itself only opens its popup: the view stays as it was.
    at.session_state[MAP_KEY] = {"last_object_clicked_tooltip": _text_of(naryn["tip"])}
    at.run()
    assert not at.exception, errors(at)
    assert "region" not in at.query_params
    # Its "Filter to Naryn" button reports the button's text (with a request counter).
    pressed = "1 " + _text_of(naryn["action"].split("<button", 1)[1].split(">", 1)[1])
    assert pressed.startswith("1 Filter to Naryn")
    at.session_state[MAP_KEY] = {"last_object_clicked_tooltip": pressed}
    at.run()
    assert not at.exception, errors(at)
    assert at.query_params["region"] == "Naryn"
    assert next(w for w in at.multiselect if w.label == "Regions (admin-1)").value == ["Naryn"]
    # Naryn region: At-Bashy, Kalinin and Solton-Sary (points checked by hand on the map).
    ids = set(marker_ids(folium_args(at)))
    assert {"EV063", "EV064", "EV066", "EV067", "EV068", "PL017", "PL019", "PL020"} == ids
    # Other filters kept their values: undated events are still included.
    assert next(c for c in at.checkbox if c.label.startswith("Include events")).value is True
    # The map moves to the region: centred in it (Naryn is about 40.3-42.3 N, 73.5-78 E).
    lat, lng, _ = (float(v) for v in at.query_params["map"].split(","))
    assert 40.3 < lat < 42.3 and 73.5 < lng < 78.0


def _regions(at: AppTest) -> list[dict[str, Any]]:
    import json

    script = folium_args(at)["feature_group"]
    start = script.find('{"features"')
    assert start >= 0, "no region layer in the map's feature groups"
    data, _ = json.JSONDecoder().raw_decode(script[start:])
    return list(data["features"])


def _text_of(tip: str) -> str:
    """A tooltip's text as the browser reports it (entities decoded)."""
    return text_content(tip)


HOSTILE = {
    "pick": ["<script>alert(1)</script>", "month:2019-09+iso:KAZ|bogus|actor:" + "x" * 300],
    "region": ["<img src=x onerror=alert(1)>", "Naryn,Atlantis"],
    "map": ["abc", "1e999,0,4", "91,181,40"],
    "play": ["sideways"],
    "win": ["-3", "9999", "١٢"],
}


@pytest.mark.parametrize(
    ("key", "value"), [(k, v) for k, values in HOSTILE.items() for v in values]
)
@pytest.mark.parametrize("page", [None, CHARTS_PAGE])
def test_every_page_survives_hostile_linked_view_parameters(
    page: str | None, key: str, value: str
) -> None:
    at = open_app({key: value}, page=page)
    assert not at.exception, errors(at)
    assert link_notices(at), f"no notice for {key}={value[:30]!r}"
    # Quoted back in the notice, the value stays escaped Markdown, never raw markup.
    for element in [*at.markdown, *at.warning]:
        raw = str(element.value)
        assert not re.search(r"(?<!\\)<(script|img)", raw), raw[:200]


def test_competing_figures_are_listed_each_with_its_source() -> None:
    at = open_app({"sel": "EV002"})
    assert not at.exception, errors(at)
    text = page_text(at)
    events = read_csv("events.csv").set_index("event_id")
    assert events.loc["EV002", "participants"] == "≥1,000 (RFE/RL); ~2,000 (bureau.kz)"
    assert "Participants (sources disagree):" in text
    assert "• ≥1,000 (RFE/RL)" in text
    assert "• ~2,000 (bureau.kz)" in text
