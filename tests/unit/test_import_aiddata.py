"""AidData GCDF GeoJSON and a facility list imported as sites, on the publishers' own files
(read in place from ../shared/external/, never copied)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
import shapely
from shapely import wkt

from geo.bundle import load_bundle
from geo.importers import import_aiddata, import_csv_sites, parse_mapping
from geo.model import Category
from geo.store.base import Store
from tests.conftest import EXTERNAL_DIR as EXTERNAL

V2 = EXTERNAL / "aiddata-gcdf-kaz-kgz.small.geojson"
V3 = EXTERNAL / "aiddata-gcdf-v3-sample.geojson"
ASPI = EXTERNAL / "aspi-xjdp-detention-facilities-v1.csv"
ASPI_MAP = "lat=Lat,lon=Long,name=Name_Code,id=Number,admin1=Prefecture,location=County,notes=Notes"


@pytest.fixture(scope="module", autouse=True)
def _external() -> None:
    missing = [p.name for p in (V2, V3, ASPI) if not p.exists()]
    if missing:
        pytest.fail(f"the real input files are missing from {EXTERNAL}: {', '.join(missing)}")


@pytest.fixture
def store(new_store: Callable[[], Store]) -> Store:
    """A store of each engine (embedded and shared) holding the bundled data."""
    s = new_store()
    s.load_bundle(load_bundle())
    return s


def imported(store: Store, category: str = "bri_site"):
    sites = store.table("sites")
    return sites[(sites["category"] == category) & (sites["origin"] != "bundle")]


def test_v2_one_site_per_project_with_amounts_years_and_points(store: Store) -> None:
    features = json.loads(V2.read_text(encoding="utf-8"))["features"]
    result = import_aiddata(V2, store)
    assert (result.loaded, result.rejected) == (len(features), 0)
    sites = imported(store).set_index("site_id")
    assert len(sites) == len(features) == 54
    for feature in features:
        props = feature["properties"]
        site = sites.loc[f"aiddata-{props['AidData TUFF Project ID']}"]
        amount = props["Amount (Constant USD2017)"]
        if amount is None:
            assert site["amount"] != site["amount"]  # NaN
        else:
            assert site["amount"] == pytest.approx(amount)
        assert site["currency_year"] == "USD2017"
        assert site["date_open"] == str(props["Commitment Year"])
        assert site["open_precision"] == "year"
        completion = props["Actual Completion Date (MM/DD/YYYY)"]
        if completion:
            assert site["completed"] == completion[:10]
        elif props["Completion Year"]:
            assert site["completed"] == str(int(props["Completion Year"]))
        else:
            assert site["completed"] == ""
        # A completed build stays a site: completion does not close it.
        assert site["date_close"] == "" and site["stop"] is None
        footprint = wkt.loads(site["geometry_wkt"])
        assert footprint.geom_type == "MultiPolygon"
        assert footprint.contains(shapely.Point(site["longitude"], site["latitude"]))
        assert site["sector"] == props["AidData Sector Name"]
        assert site["funder"] == (props["Funding Agencies"] or "")
        assert "ODbL" in site["licence"] and "ODC-By" in site["licence"]
    atyrau = sites.loc["aiddata-39556"]
    assert atyrau["iso"] == "KAZ" and atyrau["status"] == "Completion"
    assert "Atyrau Refinery LLP" in atyrau["notes"]
    files = store.imports()
    assert list(files["file"]) == [V2.name] and "AidData" in files.iloc[0]["licence"]


def test_v3_sample_two_projects_none_flagged_wrongly(store: Store) -> None:
    result = import_aiddata(V3, store)
    assert (result.loaded, result.rejected) == (2, 0)
    sites = imported(store).set_index("site_id")
    assert sorted(sites.index) == ["aiddata-39556", "aiddata-96105"]
    assert sites.loc["aiddata-96105", "iso"] == "KGZ"
    assert sites.loc["aiddata-96105", "currency_year"] == "USD2021"
    assert sites.loc["aiddata-96105", "date_open"] == "2009-12-30"
    assert sites.loc["aiddata-39556", "amount"] == pytest.approx(1327239416.65516)
    # Both footprints lie in their recipient's country (Bozymchak is in Jalal-Abad).
    assert list(sites["flags"]) == ["", ""]


def test_footprint_in_another_area_is_flagged_not_moved(store: Store, tmp_path: Path) -> None:
    data = json.loads(V3.read_text(encoding="utf-8"))
    kashgar = data["features"][1]
    kashgar["properties"]["id"] = 99999
    kashgar["geometry"] = shapely.geometry.mapping(
        shapely.MultiPolygon([shapely.box(75.95, 39.45, 76.0, 39.5)])
    )
    path = tmp_path / "kashgar.geojson"
    path.write_text(json.dumps(data), encoding="utf-8")
    result = import_aiddata(path, store)
    sites = imported(store).set_index("site_id")
    assert sites.loc["aiddata-99999", "iso"] == "KGZ"  # kept at the recipient
    assert "Xinjiang" in sites.loc["aiddata-99999", "flags"]
    assert sites.loc["aiddata-39556", "flags"] == ""
    assert any("aiddata-99999" in w for w in result.warnings)


def test_broken_features_are_reported_and_the_rest_loads(store: Store, tmp_path: Path) -> None:
    features = json.loads(V2.read_text(encoding="utf-8"))["features"][:5]
    features[1] = {**features[1], "geometry": None}
    features[3] = {
        **features[3],
        "properties": {**features[3]["properties"], "Amount (Constant USD2017)": "n/a"},
    }
    # One Feature per line, with an unreadable line in the middle.
    lines = [json.dumps(f) for f in features]
    lines.insert(2, "{not json")
    path = tmp_path / "broken.geojson"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = import_aiddata(path, store)
    assert result.loaded == 3
    reasons = {r.line: r.reason for r in result.rejects}
    assert set(reasons) == {2, 3, 5}
    assert reasons[2].startswith("geometry")
    assert reasons[3].startswith("json")
    assert reasons[5].startswith("amount") and "'n/a'" in reasons[5]


def test_concatenated_collections_are_read(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "two.geojson"
    path.write_text(V2.read_text(encoding="utf-8") + "\n" + V3.read_text(encoding="utf-8"))
    result = import_aiddata(path, store)
    # 39556 is in both files: the first record is kept, the second rejected as a duplicate.
    assert (result.loaded, result.rejected) == (55, 1)
    assert len(imported(store)) == 55


def test_reimport_changes_nothing(store: Store) -> None:
    import_aiddata(V2, store)
    before = imported(store)
    version = store.version
    again = import_aiddata(V2, store)
    assert (again.counts.new, again.counts.updated, again.counts.unchanged) == (0, 0, 54)
    assert store.version == version
    assert imported(store).equals(before)


def test_facility_list_gives_380_sites_in_xinjiang(store: Store) -> None:
    mapping = parse_mapping(ASPI_MAP, sites=True)
    result = import_csv_sites(ASPI, store, mapping, category=Category.DETENTION)
    assert (result.loaded, result.rejected) == (380, 0)
    sites = imported(store, "detention")
    assert len(sites) == 380
    assert set(sites["iso"]) == {"CHN"} and set(sites["region"]) == {"Xinjiang"}
    assert sites["notes"].str.len().gt(0).all()
    again = import_csv_sites(ASPI, store, mapping, category=Category.DETENTION)
    assert again.counts.new == 0 and len(imported(store, "detention")) == 380


def test_facility_row_out_of_range_is_rejected(store: Store, tmp_path: Path) -> None:
    lines = ASPI.read_text(encoding="utf-8").splitlines()[:6]
    fields = lines[3].split(",")
    fields[2] = "200"
    lines[3] = ",".join(fields)
    path = tmp_path / "facilities.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = import_csv_sites(path, store, parse_mapping(ASPI_MAP, sites=True))
    assert result.loaded == 4
    assert [r.line for r in result.rejects] == [4]
    assert "latitude" in result.rejects[0].reason and "200" in result.rejects[0].reason
