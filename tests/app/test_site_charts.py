"""AidData's GCDF projects in the app, imported from the publisher's own file (read in
place from ../shared/external/): the committed-amount charts on the Charts page and under
the map, a bar selection narrowing the map to its projects and travelling in the link, the
footprints drawn once zoomed in, and a finished project still on the map after completion.
Expected values are computed here from the file with json, never from ``geo``."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from geo.bundle import load_bundle
from geo.importers import import_aiddata
from geo.store import DuckStore, close_all
from tests.conftest import EXTERNAL_DIR as EXTERNAL

from .helpers import (
    button,
    chart_spec,
    errors,
    folium_args,
    open_app,
    page_text,
    summary,
    tooltips,
)

V2 = EXTERNAL / "aiddata-gcdf-kaz-kgz.small.geojson"
CHARTS_PAGE = "pages/charts.py"
ATYRAU = "aiddata-39556"  # the Atyrau refinery: committed 2012, completed 30 May 2019


def _projects() -> list[dict[str, Any]]:
    return [f["properties"] for f in json.loads(V2.read_text(encoding="utf-8"))["features"]]


def _summed() -> list[dict[str, Any]]:
    """The projects a total adds up: with an amount, and not marked by AidData as not to be
    aggregated."""
    return [
        p
        for p in _projects()
        if p["Amount (Constant USD2017)"] is not None and p["Recommended For Aggregates"] != "No"
    ]


@pytest.fixture
def aiddata_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if not V2.exists():
        pytest.fail(f"the AidData file is missing: {V2}")
    path = tmp_path / "atlas.duckdb"
    store = DuckStore(path)
    store.sync_bundle(load_bundle())
    assert import_aiddata(V2, store).loaded == 54
    store.close()
    monkeypatch.setenv("GEO_STORE", str(path))
    yield
    close_all()


def _select(at: AppTest, chart: str, keys: list[str]) -> AppTest:
    at.session_state[f"chart_{chart}_0"] = {
        "selection": {
            "points": [{"customdata": [k], "point_index": i} for i, k in enumerate(keys)],
            "point_indices": list(range(len(keys))),
            "box": [],
            "lasso": [],
        }
    }
    return at.run()


def _bar_totals(spec: dict[str, Any], axis: str) -> dict[Any, float]:
    totals: dict[Any, float] = defaultdict(float)
    for trace in spec["data"]:
        for label, value in zip(trace[axis], trace["x" if axis == "y" else "y"], strict=True):
            totals[label] += value
    return dict(totals)


@pytest.mark.usefixtures("aiddata_store")
def test_charts_page_shows_committed_amounts_by_year_and_sector() -> None:
    at = open_app(page=CHARTS_PAGE)
    assert not at.exception, errors(at)
    by_year = chart_spec(at, "Committed amount by year")
    title = by_year["layout"]["title"]["text"]
    assert "USD, constant 2017" in title and f"{len(_summed())} project(s)" in title
    assert by_year["layout"]["yaxis"]["title"]["text"] == "USD, constant 2017"
    want: dict[int, float] = defaultdict(float)
    for p in _summed():
        want[int(p["Commitment Year"])] += p["Amount (Constant USD2017)"]
    got = _bar_totals(by_year, "x")
    assert set(got) == set(want)
    for year, total in want.items():
        assert got[year] == pytest.approx(total)
    by_sector = chart_spec(at, "Committed amount by sector")
    sectors = {p["AidData Sector Name"] for p in _summed()}
    labels = by_sector["layout"]["yaxis"]["ticktext"]
    assert len(labels) == len(sectors)
    names = {s.capitalize() for s in sectors}
    assert all(any(n.startswith(label.rstrip("…")) for n in names) for label in labels)
    assert labels[0] == "Industry, mining, construction"  # the largest total first


@pytest.mark.usefixtures("aiddata_store")
def test_a_year_bar_narrows_the_map_to_its_projects_and_clears() -> None:
    at = open_app()
    assert not at.exception, errors(at)
    everything = summary(at)
    chart_spec(at, "Committed amount by year")  # also in the strip under the map
    _select(at, "site_year", ["committed:2017+currency:USD2017"])
    assert not at.exception, errors(at)
    want = {
        f"aiddata-{p['AidData TUFF Project ID']}" for p in _summed() if p["Commitment Year"] == 2017
    }
    assert summary(at) == (0, len(want))
    assert sorted(marker_ids_of_sites(at)) == sorted(want)
    text = page_text(at)
    assert f"Selected projects ({len(want)})" in text
    assert "Chart selection: committed in 2017 · USD, constant 2017" in text
    assert at.query_params["pick"] == "committed:2017+currency:USD2017"
    button(at, "Clear chart selection").click().run()
    assert not at.exception, errors(at)
    assert summary(at) == everything
    # The link carries the selection: opening it selects the same projects.
    again = open_app({"pick": "committed:2017+currency:USD2017"})
    assert summary(again) == (0, len(want))


def marker_ids_of_sites(at: AppTest) -> list[str]:
    return [t.rsplit("[", 1)[1].rstrip("]") for t in tooltips(folium_args(at))]


@pytest.mark.usefixtures("aiddata_store")
def test_footprints_are_drawn_zoomed_in_only() -> None:
    far = open_app({"cat": "bri_site"})
    assert "atlas-footprint" not in folium_args(far)["feature_group"]
    near = open_app({"cat": "bri_site", "map": "47.0718,51.9239,13"})
    assert not near.exception, errors(near)
    groups = folium_args(near)["feature_group"]
    assert "atlas-footprint" in groups
    assert f"[{ATYRAU}]" in groups  # the polygon's tooltip selects the project
    assert "Atyrau Oil Refinery" in groups  # its popup


@pytest.mark.usefixtures("aiddata_store")
def test_a_completed_project_stays_on_the_map_with_its_completion_shown() -> None:
    at = open_app({"from": "2021-01", "to": "2021-12", "cat": "bri_site", "sel": ATYRAU})
    assert not at.exception, errors(at)
    assert ATYRAU in marker_ids_of_sites(at)  # completed in 2019, still a site in 2021
    text = page_text(at).replace("**", "")  # bold labels as a reader sees them
    assert "Construction completed: 2019-05-30" in text
    assert "Committed amount: 1,151,326,506 (USD, constant 2017)" in text
    assert "ODbL" in text and "ODC-By" in text


@pytest.mark.usefixtures("aiddata_store")
def test_about_page_lists_the_imported_file_with_its_licences() -> None:
    at = open_app(page="pages/about.py")
    assert not at.exception, errors(at)
    text = page_text(at).replace("**", "")
    assert f"{V2.name}: AidData GCDF geospatial ({V2.name}): 54 site(s)" in text
    assert "ODC-By 1.0" in text and "ODbL 1.0" in text and "OpenStreetMap contributors" in text
    assert "does not remove it" in text  # how completion is treated, in words
