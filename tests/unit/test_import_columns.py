"""Reading a CSV's header for the import page's pickers, guessing columns from their names,
and the site importer's handling of a nameless row."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo.bundle import load_bundle
from geo.importers import UnreadableFile, import_csv_sites
from geo.importers.columns import (
    guess_columns,
    mapping_fields,
    picked_mapping,
    preview_csv,
    upload_name,
)
from geo.importers.generic import FIELDS, SITE_FIELDS
from geo.model import Category
from geo.store import DuckStore
from tests.conftest import EXTERNAL_DIR

ASPI = EXTERNAL_DIR / "aspi-xjdp-detention-facilities-v1.csv"


def test_the_header_and_first_rows_are_read_as_the_importer_reads_them() -> None:
    data = "\ufeff Lat ;Long;Name\n43.2;76.9;Almaty office\n\n42.8;74.6;Bishkek\n".encode()
    preview = preview_csv(data)
    assert preview.header == ["Lat", "Long", "Name"] and preview.delimiter == ";"
    assert preview.rows == [["43.2", "76.9", "Almaty office"], ["42.8", "74.6", "Bishkek"]]


def test_short_and_long_rows_are_fitted_to_the_header_in_the_preview() -> None:
    preview = preview_csv(b"a,b,c\n1\n1,2,3,4\n")
    assert preview.rows == [["1", "", ""], ["1", "2", "3"]]


def test_unnamed_columns_are_not_offered() -> None:
    preview = preview_csv(b"lat,lon,,\n1,2,,\n")
    assert preview.columns == ["lat", "lon"]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"  \n\n", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a text file"),
        ("lat,lon,Name\n1,2,Åsa\n".encode("latin-1"), "not UTF-8"),
        (b",,,\n1,2,3,4\n", "names no column"),
        (b"lat,lon,name,lat\n1,2,3,4\n", "more than once: 'lat'"),
    ],
)
def test_bad_headers_are_refused_with_a_reason(data: bytes, reason: str) -> None:
    with pytest.raises(UnreadableFile, match=reason):
        preview_csv(data)


def test_the_fields_offered_are_the_importers_own() -> None:
    assert set(mapping_fields(sites=True)) == set(SITE_FIELDS)
    assert set(mapping_fields(sites=False)) == set(FIELDS)
    assert mapping_fields(sites=True)[:4] == ("latitude", "longitude", "site_id", "name")


def test_obvious_names_are_guessed_whatever_their_case() -> None:
    preview = preview_csv(b"ID,Title,LATITUDE,X,Country,Date\n1,a,43,76,KAZ,2020\n")
    guesses = guess_columns(preview, mapping_fields(sites=False))
    assert guesses == {
        "latitude": "LATITUDE",
        "longitude": "X",
        "event_id": "ID",
        "title": "Title",
        "event_date": "Date",
        "iso": "Country",
    }


def test_a_name_column_with_values_is_preferred_to_an_empty_one() -> None:
    """The ASPI list has an almost empty ``Name`` and the facilities' names in
    ``Name_Code``; its free-text ``Notes`` beside a ``Notes(tmp)``."""
    preview = preview_csv(ASPI.read_bytes())
    guesses = guess_columns(preview, mapping_fields(sites=True))
    assert guesses["latitude"] == "Lat" and guesses["longitude"] == "Long"
    assert guesses["name"] == "Name_Code"
    assert guesses["notes"] == "Notes"
    assert "site_id" not in guesses  # "Number" is not obviously an id
    assert "date_open" not in guesses  # "Date of Latest Sat Imagery" is not an opening date


def test_a_column_is_guessed_for_one_field_at_most() -> None:
    preview = preview_csv(b"lat,lon,name\n1,2,x\n")
    guesses = guess_columns(preview, mapping_fields(sites=False))
    assert guesses == {"latitude": "lat", "longitude": "lon", "title": "name"}


def test_a_field_picked_as_none_reads_no_column() -> None:
    assert picked_mapping({"latitude": "Y", "notes": None}) == {"latitude": "Y", "notes": ""}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("facilities.csv", "facilities.csv"),
        ("../../etc/passwd", "passwd"),
        ("C:\\data\\sites v1.csv", "sites v1.csv"),
        ("..", "upload.csv"),
        ("", "upload.csv"),
        ("<img src=x>.csv", "img src-x-.csv"),
    ],
)
def test_upload_names_are_safe_file_names(name: str, expected: str) -> None:
    assert upload_name(name) == expected


def test_a_site_row_without_a_name_is_rejected_when_a_column_holds_names(tmp_path: Path) -> None:
    path = tmp_path / "sites.csv"
    path.write_text(
        "code,label,y,x\n1,Urumqi site,43.8,87.6\n2,,43.9,87.5\n3,N/A,43.7,87.4\n",
        encoding="utf-8",
    )
    store = DuckStore()
    store.load_bundle(load_bundle())
    mapping = picked_mapping(
        {"site_id": "code", "name": "label", "latitude": "y", "longitude": "x"}
    )
    result = import_csv_sites(path, store, mapping, category=Category.DETENTION)
    assert result.loaded == 1
    assert [(r.line, r.reason) for r in result.rejects] == [
        (3, "name: no name in column 'label'"),
        (4, "name: no name in column 'label'"),
    ]
    # Without a name column, a site is named after its layer and id.
    mapping["name"] = ""
    unnamed = import_csv_sites(path, store, mapping, category=Category.DETENTION)
    assert unnamed.rejected == 0
    sites = store.table("sites").set_index("site_id")
    assert sites.loc["sites-2", "name"] == "Detention-related site 2"
