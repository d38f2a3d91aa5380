"""The import page: it says where imports go, offers the formats, and lists the rejects of
the last import with their lines."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from geo.importers import ImportResult, Reject
from geo.model import Category
from geo.store import DuckStore, ImportCounts, close_all
from tests.app.helpers import (
    MAP_PAGE,
    errors,
    folium_args,
    open_app,
    page_text,
    summary,
    texts,
    unescape_md,
)
from tests.conftest import EXTERNAL_DIR

PAGE = "pages/import.py"
V2 = EXTERNAL_DIR / "aiddata-gcdf-kaz-kgz.small.geojson"


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


def test_many_rejects_are_listed_a_thousand_at_most_and_all_downloadable() -> None:
    """An import of 2,500 bad rows: the page lists the first 1,000 by line, says how many
    more the download holds, and offers the download (not a table of every bad row)."""
    at = open_app(page=PAGE)
    at.session_state["import_result"] = ImportResult(
        loaded=1,
        rejects=[
            Reject(line, f"event_date: unparseable date 'x{line}'") for line in range(2_501, 1, -1)
        ],
        counts=ImportCounts(new=1),
    )
    at.run()
    assert not at.exception, errors(at)
    text = page_text(at)
    assert "Rejected lines (2,500)" in text
    (table,) = [d for d in at.dataframe if list(d.value.columns) == ["line", "reason"]]
    assert list(table.value["line"]) == list(range(2, 1_002))
    assert table.value["reason"].iloc[0] == "event_date: unparseable date 'x2'"
    assert "The first 1,000 by line; 1,500 more are in the download" in text
    (download,) = at.get("download_button")
    assert download.proto.label == "Download the rejects (CSV)"


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


# ---- a CSV with its columns picked on the page ----

ASPI = V2.parent / "aspi-xjdp-detention-facilities-v1.csv"
ASPI_PREFIX = "aspi-xjdp-detention-facilities-v1"
SITES = "sites (facilities, projects)"


@pytest.fixture
def store_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path / "atlas.duckdb"
    monkeypatch.setenv("GEO_STORE", str(path))
    yield path
    close_all()


def picker(at: AppTest, label: str) -> Any:
    found = [s for s in at.selectbox if s.label == label]
    assert len(found) == 1, f"expected one picker labelled {label!r}, found {len(found)}"
    return found[0]


def upload_csv(at: AppTest, name: str, content: bytes, *, sites: bool) -> None:
    """Choose "CSV with a column mapping", say what the rows are, and upload the file."""
    at.radio(key="import_format").set_value("CSV with a column mapping").run()
    at.radio(key="import_rows").set_value(SITES if sites else "events").run()
    (uploader,) = [u for u in at.get("file_uploader") if u.label == "File"]
    uploader.set_value((name, content, "text/csv"))
    at.run()
    assert not at.exception, errors(at)


def import_button(at: AppTest) -> Any:
    return next(b for b in at.button if b.label == "Import")


def test_the_aspi_facility_list_loads_as_detention_sites_from_picked_columns(
    store_file: Path,
) -> None:
    """The facility list as ASPI published it: its columns are offered in the pickers (the
    obvious ones already picked), the user picks the id and the detention layer, and the
    380 facilities load, then show on the map and open by their id."""
    if not ASPI.exists():
        pytest.fail(f"the facility list is missing: {ASPI}")
    at = open_app()
    assert not at.exception, errors(at)
    events_before, sites_before = summary(at)
    at.switch_page(PAGE).run()
    upload_csv(at, ASPI.name, ASPI.read_bytes(), sites=True)
    header = ASPI.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert picker(at, "Latitude").options == header
    assert (picker(at, "Latitude").value, picker(at, "Longitude").value) == ("Lat", "Long")
    assert picker(at, "Name").value == "Name_Code"  # not the nearly empty "Name"
    assert picker(at, "Layer").value == Category.OTHER
    (preview,) = at.dataframe
    assert list(preview.value.columns) == header
    assert list(preview.value["Name_Code"][:2]) == ["Tiemenguan Facility #1", "Shawan Facility #1"]
    assert "44 column(s)" in page_text(at)
    assert [u.label for u in at.get("file_uploader")] == ["File"]  # no deletions for sites

    picker(at, "Id").set_value("Number")
    picker(at, "Layer").set_value(Category.DETENTION)
    at.text_input(key="import_provenance").input("ASPI Xinjiang Data Project, 2020")
    at.text_input(key="import_licence").input("as the publisher states")
    at.run()
    import_button(at).click().run()
    assert not at.exception, errors(at)
    assert any("Loaded 380 row(s), rejected 0: 380 new" in s.value for s in at.success), page_text(
        at
    )
    assert "380 imported sites" in page_text(at)

    at.switch_page(MAP_PAGE).run()
    assert not at.exception, errors(at)
    assert summary(at) == (events_before, sites_before + 380)
    first = f"{ASPI_PREFIX}-1"
    at = open_app({"sel": first})
    assert not at.exception, errors(at)
    text = page_text(at)
    assert "This link had problems" not in text
    assert "Tiemenguan Facility #1" in text and "Detention-related" in text
    assert f"[{first}]" in folium_args(at)["feature_group"]
    close_all()
    store = DuckStore(store_file, read_only=True)
    try:
        files = store.imports()
        assert list(files["file"]) == [ASPI.name]
        assert list(files["provenance"]) == ["ASPI Xinjiang Data Project, 2020"]
        assert list(files["licence"]) == ["as the publisher states"]
    finally:
        store.close()


def test_bad_rows_of_a_picked_csv_are_listed_by_line_and_reason(store_file: Path) -> None:
    """Five facilities, one with a latitude of 200 (line 3) and one with no name (line 5):
    the other three load, the two are listed with their line and reason and can be
    downloaded."""
    content = (
        b"Facility,Lat,Long,Ref\n"
        b"Urumqi site,43.80,87.60,u1\n"
        b"Bad latitude,200,87.50,u2\n"
        b"Kashgar site,39.47,75.99,u3\n"
        b",41.12,80.26,u4\n"
        b"Hotan site,37.11,79.92,u5\n"
    )
    at = open_app(page=PAGE)
    upload_csv(at, "few.csv", content, sites=True)
    assert picker(at, "Name").value is None  # "Facility" is not obviously a name
    picker(at, "Name").set_value("Facility")
    picker(at, "Id").set_value("Ref").run()
    import_button(at).click().run()
    assert not at.exception, errors(at)
    assert any("Loaded 3 row(s), rejected 2" in s.value for s in at.success), page_text(at)
    assert "Rejected lines (2)" in page_text(at)
    (table,) = [d for d in at.dataframe if list(d.value.columns) == ["line", "reason"]]
    assert list(table.value["line"]) == [3, 5]
    reasons = list(table.value["reason"])
    assert reasons[0].startswith("latitude") and "200" in reasons[0]
    assert reasons[1] == "name: no name in column 'Facility'"
    (download,) = at.get("download_button")
    assert download.proto.label == "Download the rejects (CSV)"


PAYLOADS = ["<img src=x onerror=alert(1)>", "{{7*7}}", "<script>alert(2)</script>"]


def test_hostile_column_names_are_shown_as_text(store_file: Path) -> None:
    """Column names and cells that are HTML, script or template syntax are offered and
    previewed exactly as the file spells them, as text, and never run."""
    header = ",".join(f'"{p}"' if "," in p else p for p in ["Lat", "Long", *PAYLOADS])
    content = f"{header}\n43.8,87.6,{PAYLOADS[0]},{PAYLOADS[1]},x\n".encode()
    at = open_app(page=PAGE)
    upload_csv(at, "hostile.csv", content, sites=True)
    options = picker(at, "Name").options
    assert options[-3:] == PAYLOADS
    (preview,) = at.dataframe
    assert list(preview.value.columns) == ["Lat", "Long", *PAYLOADS]
    assert list(preview.value.iloc[0])[2:4] == PAYLOADS[:2]
    for text in texts(at):  # nothing of the file reaches Markdown unescaped
        assert not any(p in text for p in PAYLOADS) and "<img" not in text
    picker(at, "Name").set_value(PAYLOADS[0]).run()
    import_button(at).click().run()
    assert not at.exception, errors(at)
    assert any("Loaded 1 row(s), rejected 0" in s.value for s in at.success), page_text(at)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "not a text file"),
        (b"", "empty"),
        (b",,\n1,2,3\n", "names no column"),
        (b"Lat,Long,<b>x</b>,<b>x</b>\n1,2,3,4\n", "more than once"),
        ("Lat,Long,Nom\n43,87,Ürümqi\n".encode("latin-1"), "not UTF-8"),
        pytest.param(
            "Lat,Long,Nom\n43,87,Ürümqi\n".encode("utf-16-le"),
            "UTF-16 text, not UTF-8",
            id="utf-16le-without-bom",
        ),
    ],
)
def test_a_bad_header_gets_a_reason_not_a_traceback(content: bytes, reason: str) -> None:
    at = open_app(page=PAGE)
    upload_csv(at, "bad.csv", content, sites=False)
    (error,) = at.error
    assert reason in unescape_md(error.value)
    assert "<b>" not in error.value  # the duplicate's name is escaped
    assert not at.selectbox or [s.label for s in at.selectbox] == ["Layer"]
    assert import_button(at).disabled


def test_the_page_names_the_store_file_but_not_its_folder(store_file: Path) -> None:
    at = open_app(page=PAGE)
    assert not at.exception, errors(at)
    text = unescape_md(page_text(at))
    assert "Imports go into the store file atlas.duckdb" in text
    assert str(store_file.parent) not in text


def test_an_unreadable_upload_is_named_as_uploaded_not_by_its_temporary_path(
    store_file: Path,
) -> None:
    at = open_app(page=PAGE)
    (uploader,) = [u for u in at.get("file_uploader") if u.label == "File"]
    uploader.set_value(
        ("my export.csv", "Pays,Lat,Ürümqi\nKAZ,43,87\n".encode("latin-1"), "text/csv")
    )
    at.run()
    import_button(at).click().run()
    assert not at.exception, errors(at)
    (error,) = [unescape_md(e.value) for e in at.error]
    assert "Nothing imported: my export.csv is not UTF-8 text" in error, error
    assert "/tmp" not in error and "upload" not in error.replace("uploaded", "")


def test_the_import_waits_for_latitude_and_longitude(store_file: Path) -> None:
    at = open_app(page=PAGE)
    upload_csv(at, "places.csv", b"where,north,east\nUrumqi,43.8,87.6\n", sites=False)
    assert picker(at, "Latitude").value is None
    assert import_button(at).disabled
    assert "Pick the column that holds the latitude and the longitude" in page_text(at)
    picker(at, "Latitude").set_value("north")
    picker(at, "Longitude").set_value("east").run()
    picker(at, "Title").set_value("where").run()
    assert not import_button(at).disabled
    import_button(at).click().run()
    assert not at.exception, errors(at)
    assert any("Loaded 1 row(s), rejected 0: 1 new" in s.value for s in at.success)


def test_one_column_picked_twice_is_pointed_out(store_file: Path) -> None:
    at = open_app(page=PAGE)
    upload_csv(at, "places.csv", b"where,north,east\nUrumqi,43.8,87.6\n", sites=False)
    picker(at, "Latitude").set_value("north")
    picker(at, "Longitude").set_value("north").run()
    assert "Latitude and Longitude are both picked as north" in " ".join(e.value for e in at.error)
    assert import_button(at).disabled
    picker(at, "Longitude").set_value("east")
    picker(at, "Title").set_value("where")
    picker(at, "Place").set_value("where").run()
    assert not at.error
    notes = " ".join(i.value for i in at.info)
    assert "Title and Place are read from the same column, where" in notes
    assert not import_button(at).disabled


@pytest.mark.parametrize(
    "content",
    [b"[" * 1000 + b"]" * 1000, b'{"a":' * 50_000 + b"1" + b"}" * 50_000],
    ids=["arrays", "objects"],
)
def test_a_deeply_nested_geojson_upload_gets_one_sentence(store_file: Path, content: bytes) -> None:
    at = open_app(page=PAGE)
    at.radio(key="import_format").set_value("GeoJSON").run()
    (uploader,) = [u for u in at.get("file_uploader") if u.label == "File"]
    uploader.set_value(("deep.geojson", content, "application/geo+json"))
    at.run()
    import_button(at).click().run()
    assert not at.exception, errors(at)
    (error,) = at.error
    assert unescape_md(error.value).startswith("Nothing imported: ")
    assert unescape_md(error.value).endswith("is nested too deeply to be read as GeoJSON.")


def test_an_imported_upload_is_let_go_and_named_in_the_result(store_file: Path) -> None:
    """Streamlit keeps an upload's bytes in memory for as long as its uploader holds it:
    once imported, the page offers empty uploaders (the file is no longer held) and the
    result names the file it came from."""
    at = open_app(page=PAGE)
    upload_csv(at, "places.csv", b"where,lat,lon\nUrumqi,43.8,87.6\n", sites=False)
    (uploader,) = [u for u in at.get("file_uploader") if u.label == "File"]
    assert uploader.value is not None
    import_button(at).click().run()
    assert not at.exception, errors(at)
    assert any("Loaded 1 row(s), rejected 0: 1 new" in s.value for s in at.success)
    assert "From places.csv." in unescape_md(page_text(at))
    uploaders = [
        u for u in at.get("file_uploader") if u.label in ("File", "Deletions list (optional)")
    ]
    assert [u.label for u in uploaders] == ["File", "Deletions list (optional)"]
    assert all(u.value is None for u in uploaders)
    assert import_button(at).disabled  # nothing to import until a file is uploaded again
