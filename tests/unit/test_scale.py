"""The map at scale: markers at or under the threshold (exactly the marker layers), H3
hexagons with counts past it; cell tooltips read back; a cell's events page; the timeline
aggregated in SQL is the chart's own."""

from __future__ import annotations

import json
from dataclasses import replace
from types import SimpleNamespace

import h3
import pandas as pd
import pytest

from geo import assets, cells, maps, query, scale, viewport
from geo.bundle import Bundle
from geo.store import DuckStore, store_for
from geo.view import ViewState
from tests import oracles
from tests.app.helpers import marker_features
from tests.dom import text_content

LINKS = assets.links()


def _names(groups: list) -> list[str]:
    return [g.layer_name for g in groups]


def _script(groups: list) -> str:
    import folium

    m = folium.Map()
    for group in groups:
        group.add_to(m)
    return m.get_root().render()


@pytest.fixture
def many(write_folder, rows: SimpleNamespace) -> Bundle:
    """Enough events (around Almaty and Bishkek) to pass a lowered threshold."""
    events = [
        rows.event(f"E{i:03d}", excerpt_ids="", latitude=f"{43.20 + i / 1000:.4f}")
        for i in range(30)
    ] + [
        rows.event(
            f"K{i:03d}",
            excerpt_ids="",
            iso="KGZ",
            country="Kyrgyzstan",
            latitude="42.8746",
            longitude="74.5698",
        )
        for i in range(10)
    ]
    return write_folder(events, [rows.site("S1")], [rows.source("SRC1")], []).load(corpus=False)


def test_at_or_under_the_threshold_the_layers_are_the_markers(bundled: Bundle) -> None:
    view = ViewState(*bundled.month_span())
    filtered = query.apply(bundled, view)
    assert filtered.count <= query.THRESHOLD
    ours = scale.layers(query.view_result(bundled, view), bundled.sources, LINKS)
    theirs = maps.data_layers(filtered, bundled.sources, LINKS, None)
    assert _names(ours) == _names(theirs)
    assert "atlas-cell" not in _script(ours)


def test_past_the_threshold_the_events_become_hexagons(
    many: Bundle, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = ViewState("2021-01", "2021-12", center=(43.0, 75.5), zoom=7.0)
    filtered = query.apply(many, view)
    assert filtered.count == 41
    monkeypatch.setattr(query, "THRESHOLD", 41)
    result = query.view_result(many, view)
    assert scale.CELL_LAYER not in " ".join(_names(scale.layers(result, many.sources, LINKS)))
    monkeypatch.setattr(query, "THRESHOLD", 40)
    groups = scale.layers(query.view_result(many, view), many.sources, LINKS)
    assert any(n.startswith(scale.CELL_LAYER + " (40)") for n in _names(groups))
    script = _script(groups)
    assert "atlas-cell" in script
    drawn = [text_content(f["properties"]["tip"]) for f in marker_features(script)]
    assert len(drawn) == 1 and drawn[0].endswith("[S1]")  # the site stays a marker, no event
    found = query.cell_counts(store_for(many), view)
    assert found.resolution == viewport.resolution_for(7.0) == 5
    assert found.total == 40
    assert len(found.counts) >= 2


def test_the_resolution_follows_the_zoom_and_cells_stay_few() -> None:
    assert [viewport.resolution_for(z) for z in (3, 4, 5, 6.5, 8, 10, 14)] == [3, 3, 4, 5, 6, 7, 7]
    south, west, north, east = viewport.view_bbox((43.25, 76.9), 10.0, margin=0)
    assert south < 43.25 < north and west < 76.9 < east
    assert east - west == pytest.approx(1000 / (256 * 2**10) * 360)


def test_the_resolution_coarsens_past_max_cells(
    many: Bundle, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = ViewState("2021-01", "2021-12", center=(43.0, 75.5), zoom=6.5)
    monkeypatch.setattr(query, "MAX_CELLS", 1)
    found = query.cell_counts(store_for(many), view)
    assert len(found.counts) == 2 and found.resolution == min(cells.RESOLUTIONS)


def test_cells_are_geojson_with_a_tooltip_read_back(many: Bundle) -> None:
    view = ViewState("2021-01", "2021-12", center=(43.0, 75.5), zoom=7.0)
    found = query.cell_counts(store_for(many), view)
    data = json.loads(scale.cells_geojson(found))
    assert sum(f["properties"]["n"] for f in data["features"]) == 40
    for feature in data["features"]:
        ring = feature["geometry"]["coordinates"][0]
        assert ring[0] == ring[-1] and len(ring) >= 6
        cell = scale.clicked_cell(text_content(feature["properties"]["tip"]))
        assert cell is not None and h3.get_resolution(h3.int_to_str(cell)) == 5
        assert maps.clicked_id(text_content(feature["properties"]["tip"])) != "EV001"
    assert scale.clicked_cell("Rally [EV001]") is None
    assert scale.clicked_cell("12 events [cell:zzzz]") is None
    assert scale.clicked_cell(None) is None


def test_a_cell_lists_its_events_a_page_at_a_time(many: Bundle) -> None:
    store = store_for(many)
    view = ViewState("2021-01", "2021-12")
    bishkek = h3.str_to_int(h3.latlng_to_cell(42.8746, 74.5698, 6))
    first = query.cell_events(store, view, bishkek, page=0, page_size=4)
    assert (first.total, first.pages, len(first.events)) == (10, 3, 4)
    last = query.cell_events(store, view, bishkek, page=9, page_size=4)
    assert (last.page, len(last.events)) == (2, 2)
    seen = set(first.events["event_id"]) | set(last.events["event_id"])
    assert seen <= {f"K{i:03d}" for i in range(10)}


def test_a_chart_selection_counts_the_selected_events(many: Bundle) -> None:
    view = ViewState("2021-01", "2021-12", picks=("iso:KGZ",), center=(43.0, 75.5), zoom=7.0)
    assert query.apply(many, view).count == 10  # sites step aside during a selection
    found = query.cell_counts(store_for(many), view)
    assert found.total == 10


@pytest.mark.parametrize(
    "view",
    [
        ViewState("2013-01", "2024-12"),
        ViewState("2019-01", "2021-12", countries=("KAZ", "KGZ")),
        ViewState("2016-04", "2016-06", undated=False),
    ],
)
def test_the_charts_in_sql_are_the_charts_own_figures(bundled: Bundle, view: ViewState) -> None:
    result = query.view_result(bundled, view)
    assert not result.filtered.charts_in_store  # the bundled data is read as rows...
    for name in ("month", "category", "actor", "figures"):
        ours = scale.chart(name, result)  # ...and counted in SQL
        theirs = oracles.chart_of(name, result.filtered.events, view)
        assert ours.to_plotly_json() == theirs.to_plotly_json(), name


def test_scale_layers_use_the_store_not_a_frame(many: Bundle) -> None:
    store = store_for(many)
    assert isinstance(store, DuckStore)
    view = replace(ViewState("2021-01", "2021-12"), countries=("KGZ",))
    assert query.cell_counts(store, view).total == 10
    assert isinstance(store.monthly_counts(view)[0], pd.DataFrame)


def test_a_point_is_surely_in_view_only_near_the_centre_on_any_screen() -> None:
    # At zoom 6 a degree of longitude is about 45 px: a phone's map (about 340 px wide)
    # shows some 3.7 degrees either side of the centre.
    karaganda = (49.8, 73.1)
    assert viewport.surely_in_view((49.0, 74.0), 6.0, karaganda)
    assert not viewport.surely_in_view((49.8, 78.0), 6.0, karaganda)
    assert not viewport.surely_in_view((41.0, 86.0), 6.0, karaganda)
    # The default view (the whole region at zoom 4) shows it.
    assert viewport.surely_in_view(None, None, karaganda)
    # Zoomed in on Almaty, Karaganda is far off.
    assert not viewport.surely_in_view((43.25, 76.9), 10.0, karaganda)
