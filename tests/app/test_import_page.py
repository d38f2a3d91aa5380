"""The import page: it says where imports go, offers the formats, and lists the rejects of
the last import with their lines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from geo.importers import ImportResult, Reject
from geo.store import DuckStore, ImportCounts, close_all
from tests.app.helpers import errors, open_app, page_text

PAGE = "pages/import.py"
V2 = (
    Path(__file__).resolve().parents[2].parent
    / "shared/external/aiddata-gcdf-kaz-kgz.small.geojson"
)


def test_the_page_opens_and_says_where_imports_go() -> None:
    at = open_app(page=PAGE)
    assert not at.exception, errors(at)
    text = page_text(at)
    assert "Import events" in text
    assert "in-memory store" in text
    assert [r.label for r in at.radio] == ["Format"]
    assert "ACLED export (CSV)" in at.radio[0].options
    assert [b.label for b in at.button if b.label == "Import"] == ["Import"]


def test_a_mapping_box_appears_for_a_generic_csv() -> None:
    at = open_app(page=PAGE)
    at.radio[0].set_value("CSV with a column mapping").run()
    assert not at.exception, errors(at)
    assert [t.label for t in at.text_input] == ["Column mapping"]


def test_the_rejects_of_the_last_import_are_listed() -> None:
    at = open_app(page=PAGE)
    at.session_state["import_result"] = ImportResult(
        loaded=3,
        rejects=[Reject(7, "event_date: unparseable date 'soon'"), Reject(4, "iso: outside")],
        counts=ImportCounts(new=2, updated=1),
    )
    at.run()
    assert not at.exception, errors(at)
    assert any("Loaded 3 row(s), rejected 2" in s.value for s in at.success)
    (table,) = at.dataframe
    assert list(table.value["line"]) == [4, 7]


def test_an_aiddata_upload_loads_its_projects_and_lists_each_reject(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The AidData file as published, broken in two places (a feature with no geometry, an
    amount "n/a"): uploaded on the page, the rest loads into the store and both rejects are
    listed with their feature number and reason."""
    features = json.loads(V2.read_text(encoding="utf-8"))["features"]
    features[1] = {**features[1], "geometry": None}
    features[3] = {
        **features[3],
        "properties": {**features[3]["properties"], "Amount (Constant USD2017)": "n/a"},
    }
    upload = json.dumps({"type": "FeatureCollection", "features": features}).encode()
    monkeypatch.setenv("GEO_STORE", str(tmp_path / "atlas.duckdb"))
    try:
        at = open_app(page=PAGE)
        at.radio[0].set_value("AidData GCDF projects (GeoJSON)").run()
        assert not at.exception, errors(at)
        assert not at.text_input  # no mapping: the schema is read from the file
        (uploader,) = at.get("file_uploader")
        uploader.set_value(("gcdf.geojson", upload, "application/geo+json"))
        at.run()
        next(b for b in at.button if b.label == "Import").click().run()
        assert not at.exception, errors(at)
        assert any(
            f"Loaded {len(features) - 2} row(s), rejected 2" in s.value for s in at.success
        ), page_text(at)
        assert "Rejected features (2)" in page_text(at)
        (table,) = at.dataframe
        assert list(table.value["feature"]) == [2, 4]
        reasons = list(table.value["reason"])
        assert reasons[0].startswith("geometry") and "'n/a'" in reasons[1]
        # A footprint outside the recipient's country is loaded and noted, not moved.
        assert "aiddata-54489" in page_text(at)
    finally:
        close_all()
    store = DuckStore(tmp_path / "atlas.duckdb", read_only=True)
    try:
        sites = store.table("sites")
        imported = sites[sites["site_id"].str.startswith("aiddata-")]
        assert len(imported) == len(features) - 2
        files = store.imports()
        assert list(files["file"]) == ["gcdf.geojson"]
        assert "ODC-By" in files["licence"][0] and "ODbL" in files["licence"][0]
    finally:
        store.close()
