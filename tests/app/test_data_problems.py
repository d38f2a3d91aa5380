"""A data folder with a bad row: the good rows load, and both pages say what was rejected."""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import pytest

from .helpers import (
    ABOUT_PAGE,
    DATA,
    errors,
    folium_args,
    marker_ids,
    open_app,
    read_csv,
    summary,
)

BAD_ID = "EV999"


@pytest.fixture
def folder_with_a_bad_row(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, int]:
    """A copy of the bundled CSV files with one event whose latitude is not a number; the
    app is pointed at it. Returns the folder and the line the bad row starts on."""
    for path in DATA.glob("*.csv"):
        shutil.copy(path, tmp_path / path.name)
    events = tmp_path / "events.csv"
    text = events.read_text(encoding="utf-8")
    assert text.endswith("\n")
    line = text.count("\n") + 1
    row = read_csv("events.csv").iloc[0].to_dict()
    row.update(event_id=BAD_ID, latitude="north", title="A row that must not load")
    with events.open("a", encoding="utf-8", newline="") as handle:
        csv.DictWriter(handle, fieldnames=list(row), lineterminator="\n").writerow(row)
    monkeypatch.setenv("GEO_DATA_DIR", str(tmp_path))
    return tmp_path, line


def _problem_rows(at) -> list[dict]:
    rows: list[dict] = []
    for frame in at.dataframe:
        value = frame.value
        if {"file", "line", "id", "reason"} <= set(value.columns):
            rows.extend(value.to_dict("records"))
    return rows


def _assert_rejection_reported(at, line: int) -> None:
    # A visible notice (not only inside a collapsed expander) says rows were rejected.
    assert at.error, "no visible error notice about the rejected row"
    assert any(
        re.search(r"\b1 row", str(e.value)) and re.search(r"rejected|not be loaded", str(e.value))
        for e in at.error
    ), [e.value for e in at.error]
    assert any(re.match(r"1 data row\(s\) rejected", e.label) for e in at.expander)
    # The details name the file, the line and the id of the bad row.
    bad = [r for r in _problem_rows(at) if r["id"] == BAD_ID]
    assert bad, _problem_rows(at)
    assert {(r["file"], int(r["line"])) for r in bad} == {("events.csv", line)}
    assert all(r["severity"] == "error" for r in bad)


def test_map_page_reports_the_rejected_row_and_shows_the_good_ones(
    folder_with_a_bad_row: tuple[Path, int],
) -> None:
    _, line = folder_with_a_bad_row
    at = open_app()
    assert not at.exception, errors(at)
    _assert_rejection_reported(at, line)
    good_events, good_sites = len(read_csv("events.csv")), len(read_csv("sites.csv"))
    assert summary(at) == (good_events, good_sites)
    ids = marker_ids(folium_args(at))
    assert len(ids) == good_events + good_sites
    assert BAD_ID not in ids


def test_about_page_reports_the_rejected_row(folder_with_a_bad_row: tuple[Path, int]) -> None:
    _, line = folder_with_a_bad_row
    at = open_app(page=ABOUT_PAGE)
    assert not at.exception, errors(at)
    _assert_rejection_reported(at, line)
    about = "\n".join(str(m.value) for m in at.markdown)
    assert f"**{len(read_csv('events.csv'))} events**" in about


def test_link_to_the_rejected_row_selects_nothing(folder_with_a_bad_row: tuple[Path, int]) -> None:
    at = open_app({"sel": BAD_ID})
    assert not at.exception, errors(at)
    assert any("not in the data" in str(w.value) for w in at.warning)
    assert at.query_params == {}


def test_bundled_data_rejects_nothing() -> None:
    at = open_app()
    assert not at.exception, errors(at)
    assert not at.error
    assert not any("rejected" in e.label and not e.label.startswith("0 ") for e in at.expander)


def test_data_warnings_are_on_the_about_page_not_above_every_readers_map(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The bundled data loads with warnings (no rejected row): a reader's map says nothing
    of them, the About page lists them."""
    for read_only in ("0", "1"):
        monkeypatch.setenv("GEO_READ_ONLY", read_only)
        at = open_app()
        assert not at.exception, errors(at)
        assert not any("warning(s)" in e.label for e in at.expander), read_only
    about = open_app(page=ABOUT_PAGE)
    assert any(
        re.match(r"0 data row\(s\) rejected and \d+ warning", e.label) for e in about.expander
    )


def test_a_rejected_row_is_told_to_editors_on_the_map_and_to_readers_on_about(
    folder_with_a_bad_row: tuple[Path, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, line = folder_with_a_bad_row
    monkeypatch.setenv("GEO_READ_ONLY", "1")
    at = open_app()
    assert not at.exception, errors(at)
    assert not at.error and not any("rejected" in e.label for e in at.expander)
    _assert_rejection_reported(open_app(page=ABOUT_PAGE), line)
