"""Imported sites in the app: a facility list imported into a store file shows on the map's
detention layer, and a link selecting one of them opens its panel."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo.bundle import load_bundle
from geo.importers import import_csv_sites, parse_mapping
from geo.model import Category
from geo.store import DuckStore, close_all
from tests.conftest import EXTERNAL_DIR as EXTERNAL

from .helpers import errors, folium_args, open_app, page_text, read_csv, summary

ASPI = EXTERNAL / "aspi-xjdp-detention-facilities-v1.csv"
ASPI_MAP = "lat=Lat,lon=Long,name=Name_Code,id=Number"


@pytest.fixture
def facility_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> DuckStore:
    if not ASPI.exists():
        pytest.fail(f"the facility list is missing: {ASPI}")
    path = tmp_path / "atlas.duckdb"
    store = DuckStore(path)
    store.sync_bundle(load_bundle())
    mapping = parse_mapping(ASPI_MAP, sites=True)
    result = import_csv_sites(ASPI, store, mapping, category=Category.DETENTION)
    assert result.loaded == 380
    first = store.table("sites")["site_id"].iloc[-1]
    store.close()
    monkeypatch.setenv("GEO_STORE", str(path))
    yield first
    close_all()


def test_imported_facilities_are_drawn_and_selectable(facility_store: str) -> None:
    at = open_app({"cat": "detention"})
    assert not at.exception, errors(at)
    n_events, n_sites = summary(at)
    events = read_csv("events.csv")
    assert n_events == int((events["category"] == "detention").sum())
    assert n_sites == 380  # the bundle has no detention site: all are imported
    assert f"[{facility_store}]" in folium_args(at)["feature_group"]  # its tooltip
    at = open_app({"sel": facility_store})
    assert not at.exception, errors(at)
    assert "This link had problems" not in page_text(at)
    assert "Detention-related" in page_text(at)
