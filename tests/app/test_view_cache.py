"""Identical views are computed once: a second session opening the same link gets the map's
drawing and the charts from the cross-session cache, the same as the first got; another view,
another selection or new data are drawn afresh, and show what they hold."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from geo import assets, scale
from geo.bundle import load_bundle
from geo.importers import import_csv, parse_mapping
from geo.query import view_result
from geo.store import close_all, open_store
from geo.ui import viewcache
from geo.ui.atlas_map import draw, with_ring
from geo.view import ViewState
from tests.app.helpers import (
    errors,
    expected_events,
    expected_sites,
    folium_args,
    marker_ids,
    open_app,
    summary,
)

LINK = {"from": "2019-01", "to": "2020-12", "country": "KGZ"}


def misses() -> tuple[int, int, int]:
    return viewcache.MAPS.misses, viewcache.CHARTS.misses, viewcache.TABLES.misses


def table_ids(at: AppTest) -> list[str]:
    """The ids in the table of the items in view, top to bottom."""
    (frame,) = [d for d in at.dataframe if "Title" in d.value.columns and "Id" in d.value.columns]
    return list(frame.value["Id"])


def charts_shown(at: AppTest) -> list[str]:
    return [c.proto.spec for c in at.get("plotly_chart")]


def without_place(args: dict[str, Any]) -> dict[str, Any]:
    """What the map component is sent but where the map opens (each session's own)."""
    return {k: v for k, v in args.items() if k not in ("center", "zoom")}


def expected_ids(country: str) -> list[str]:
    """The events and sites of ``country`` from 2019 to 2020, from the CSV files."""
    months = ("2019-01", "2020-12")
    events = expected_events(countries=[country], months=months)
    sites = expected_sites(countries=[country], months=months)
    return sorted([*events["event_id"], *sites["site_id"]])


def test_a_second_session_on_the_same_link_reuses_the_first_ones_map_and_charts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for cache in (viewcache.MAPS, viewcache.CHARTS, viewcache.TABLES):
        cache.clear()
    first = open_app(LINK)
    assert not first.exception, errors(first)
    after_first = misses()
    # The map; the month, category and actor charts; the table.
    assert after_first[0] >= 1 and after_first[1] >= 3 and after_first[2] == 1

    second = open_app(LINK)
    assert not second.exception, errors(second)
    assert misses() == after_first  # nothing computed again
    assert folium_args(second) == folium_args(first)
    assert sorted(marker_ids(folium_args(second))) == expected_ids("KGZ")
    assert summary(second) == summary(first)
    assert sorted(table_ids(second)) == expected_ids("KGZ")
    assert table_ids(second) == table_ids(first)
    assert len(charts_shown(first)) >= 3
    assert charts_shown(second) == charts_shown(first)

    # A selection changes the map's ring only: its charts and table are the view's.
    selected = open_app({**LINK, "sel": "EV068"})
    assert misses() == (after_first[0] + 1, *after_first[1:])
    assert "atlas-selected-ring" in folium_args(selected)["feature_group"]
    assert "atlas-selected-ring" not in folium_args(first)["feature_group"]
    assert table_ids(selected) == table_ids(first)
    assert charts_shown(selected) == charts_shown(first)

    # Moved elsewhere (not zoomed in to footprints, not past the hexagons' threshold), the
    # map's markers are the same: one drawing, opened at this session's place.
    moved = open_app({**LINK, "map": "41.5,75.0,7"})
    assert misses() == (after_first[0] + 1, *after_first[1:])
    assert without_place(folium_args(moved)) == without_place(folium_args(first))
    assert folium_args(moved)["center"] != folium_args(first)["center"]
    assert charts_shown(moved) == charts_shown(first)

    # Another view is drawn from its own data, not from a neighbour's drawing.
    other = open_app({**LINK, "country": "KAZ"})
    assert sorted(marker_ids(folium_args(other))) == expected_ids("KAZ")
    assert sorted(table_ids(other)) == expected_ids("KAZ")
    assert charts_shown(other) != charts_shown(first)


def test_new_data_on_the_same_link_is_drawn_afresh(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "atlas.duckdb"
    monkeypatch.setenv("GEO_STORE", str(path))
    try:
        before = open_app(LINK)
        assert not before.exception, errors(before)
        assert "EV901" not in marker_ids(folium_args(before))
        again = open_app(LINK)
        assert folium_args(again) == folium_args(before)

        # An analyst imports an event in view: the next visitor on the same link sees it.
        rows = tmp_path / "new.csv"
        rows.write_text(
            "uid,Y,X,when,what,cc\nEV901,42.87,74.59,2020-06-03,Sit-in at the mayor's office,KG\n",
            encoding="utf-8",
        )
        mapping = parse_mapping("id=uid,lat=Y,lon=X,date=when,title=what,country=cc")
        assert import_csv(rows, open_store(str(path)), mapping).loaded == 1

        after = open_app(LINK)
        assert not after.exception, errors(after)
        assert summary(after) == (summary(before)[0] + 1, summary(before)[1])
        assert sorted(marker_ids(folium_args(after))) == sorted(["EV901", *expected_ids("KGZ")])
        assert sorted(table_ids(after)) == sorted(["EV901", *expected_ids("KGZ")])
        month = next(c for c in after.get("plotly_chart") if "Events per month" in c.proto.spec)
        assert month.proto.spec != next(
            c.proto.spec for c in before.get("plotly_chart") if "Events per month" in c.proto.spec
        )
    finally:
        close_all()


@pytest.mark.parametrize(
    "view",
    [
        ViewState("2019-01", "2020-12", selected="EV068"),
        ViewState("2013-09", "2024-07", selected="PL004", center=(43.2, 76.9), zoom=7.0),
    ],
)
def test_a_selection_is_the_views_map_with_its_ring_swapped_in(view: ViewState) -> None:
    """A selected view's map is made from the same view's map without a selection (shared
    by every session on it): it must be exactly the map drawn for the selection itself."""
    data = load_bundle()
    links = assets.links()
    result = view_result(data, view)
    whole = draw(result, data.sources, links)
    plain = draw(view_result(data, view.with_selected(None)), data.sources, links)
    point = scale.selected_at(result)
    assert point is not None
    ringed = with_ring(plain, point)
    assert ringed is not None
    # All the component is sent (its change handler aside, made anew by each drawing).
    assert {k: v for k, v in ringed.args.items() if k != "on_change"} == {
        k: v for k, v in whole.args.items() if k != "on_change"
    }
    assert "atlas-selected-ring" in whole.args["feature_group"]
    assert "atlas-selected-ring" not in plain.args["feature_group"]
