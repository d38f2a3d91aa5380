"""The committed-amount charts, their selection, and the footprint layer, on small frames
written here: amounts of two currency-years are never added, AidData's "not for aggregates"
records are left out, a bar's pick key selects exactly its projects, and hostile text from an
imported file stays inert in labels, keys, tooltips and popups."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest
import shapely

from geo import footprints, funding
from geo.picks import describe_pick, parse_pick_key
from tests.dom import text_content

HOSTILE = "<img src=x onerror=alert(1)> `${x}` \\2019 </script>+:|"


def _details() -> pd.DataFrame:
    rows = [
        ("p1", date(2012, 1, 1), 100.0, "USD2017", "ENERGY", "Yes"),
        ("p2", date(2012, 1, 1), 50.0, "USD2021", "ENERGY", ""),
        ("p3", date(2013, 6, 1), 10.0, "USD2017", HOSTILE, "Yes"),
        ("p4", date(2013, 6, 1), 999.0, "USD2017", "ENERGY", "No"),  # would double count
        ("p5", None, 7.0, "USD2017", "ENERGY", "Yes"),  # no commitment year
        ("p6", date(2013, 6, 1), None, "", "ENERGY", "Yes"),  # no amount
    ]
    frame = pd.DataFrame(
        rows, columns=["site_id", "start", "amount", "currency_year", "sector", "for_aggregates"]
    )
    frame["name"] = frame["site_id"]
    frame["category"] = "bri_site"
    frame["status"] = ""
    return frame


def test_two_currency_years_are_drawn_side_by_side_never_added() -> None:
    found = funding.projects(_details())
    assert sorted(found["site_id"]) == ["p1", "p2", "p3", "p5"]
    figure = funding.amount_by_year(found)
    assert figure.layout.barmode == "group"
    traces = {t.name: dict(zip(t.x, t.y, strict=True)) for t in figure.data}
    assert traces == {
        "USD, constant 2017": {2012: 100.0, 2013: 10.0},
        "USD, constant 2021": {2012: 50.0},
    }
    title = figure.layout.title.text
    assert "not added" in title and "1 with no commitment year not shown" in title
    sectors = funding.amount_by_sector(found)
    by_trace = {t.name: dict(zip(t.y, t.x, strict=True)) for t in sectors.data}
    assert by_trace["USD, constant 2017"][0] == 107.0  # ENERGY, the largest, first
    assert by_trace["USD, constant 2021"] == {0: 50.0}


def test_a_bar_key_selects_exactly_its_projects() -> None:
    found = funding.projects(_details())
    year = funding.amount_by_year(found)
    keys = {t.name: [c[0] for c in t.customdata] for t in year.data}
    assert keys["USD, constant 2017"] == [
        "committed:2012+currency:USD2017",
        "committed:2013+currency:USD2017",
    ]
    assert funding.matching_ids(found, ["committed:2012+currency:USD2017"]) == {"p1"}
    sector_keys = [c[0] for t in funding.amount_by_sector(found).data for c in t.customdata]
    hostile_key = next(k for k in sector_keys if "ENERGY" not in k)
    assert parse_pick_key(hostile_key) is not None  # + : | escaped, so it splits back
    assert funding.matching_ids(found, [hostile_key]) == {"p3"}
    assert funding.matching_ids(found, ["month:2012-01+iso:KAZ"]) == set()  # an event key
    assert describe_pick("committed:2012+currency:USD2017") == (
        "committed in 2012 · USD, constant 2017"
    )


def test_hostile_text_stays_inert_in_chart_labels_and_hovers() -> None:
    spec = json.dumps(funding.amount_by_sector(funding.projects(_details())).to_plotly_json())
    for raw in ("<img", "</script>", "${x}", "`"):
        assert raw not in spec


@pytest.mark.parametrize("zoom", [None, 5.0, 7.9])
def test_footprints_are_left_out_below_the_zoom(zoom: float | None) -> None:
    assert not footprints.shown_at(zoom)


def test_footprint_tooltips_and_popups_are_escaped() -> None:
    shape = shapely.MultiPolygon([shapely.box(76.9, 43.2, 76.95, 43.25)])
    sites = pd.DataFrame(
        [
            {
                "site_id": "aiddata-1",
                "name": HOSTILE,
                "category": "bri_site",
                "start": date(2012, 1, 1),
                "stop": None,
                "open_precision": "year",
                "close_precision": "",
            }
        ]
    )
    details = pd.DataFrame(
        [{"site_id": "aiddata-1", "geometry_wkt": shape.wkt, "sector": HOSTILE, "amount": 5.0}]
    )
    collection = json.loads(footprints.footprints_geojson(sites, details, (43.0, 76.5, 43.5, 77.5)))
    (feature,) = collection["features"]
    props = feature["properties"]
    assert text_content(props["tip"]).endswith("[aiddata-1]")
    for text in (props["tip"], props["popup"]):
        for raw in ("<img", "</script>", "${", "`"):
            assert raw not in text
    assert feature["geometry"]["type"] in ("MultiPolygon", "Polygon")
    # A footprint away from the view's box is not sent.
    far = json.loads(footprints.footprints_geojson(sites, details, (50.0, 60.0, 51.0, 61.0)))
    assert far["features"] == []
