"""Faults in the data files: a missing, truncated or corrupt file gives a page that names the
file and the reason, never a traceback; and once the data has loaded, a file that breaks
later does not empty the atlas: the last good data stays up, with the problem shown."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import nullcontext
from datetime import date
from pathlib import Path

import pytest

from geo.bundle import load_bundle
from geo.importers import acled
from geo.importers.base import finish
from geo.store import DuckStore, close_all
from tests.conftest import read_only

from .helpers import (
    DATA,
    errors,
    month_slider,
    open_app,
    page_text,
    read_csv,
    summary,
    unescape_md,
)


def _copy_data(folder: Path) -> Path:
    for path in DATA.glob("*.csv"):
        shutil.copy(path, folder / path.name)
    return folder


def _error_texts(at) -> list[str]:
    return [unescape_md(str(e.value)) for e in at.error]


def test_a_missing_file_is_named_with_its_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _copy_data(tmp_path)
    (folder / "sites.csv").unlink()
    monkeypatch.setenv("GEO_DATA_DIR", str(folder))
    at = open_app()
    assert not at.exception, errors(at)
    assert any("sites.csv" in e and "not found" in e for e in _error_texts(at)), _error_texts(at)
    assert summary(at) == (69, 0)


def test_a_truncated_file_loses_only_its_broken_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _copy_data(tmp_path)
    text = (folder / "events.csv").read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    # Cut the file in the middle of its last record, as a crashed copy would.
    last = lines[-1]
    (folder / "events.csv").write_text("".join(lines[:-1]) + last[: len(last) // 3], "utf-8")
    monkeypatch.setenv("GEO_DATA_DIR", str(folder))
    at = open_app()
    assert not at.exception, errors(at)
    events = read_csv("events.csv")
    assert summary(at) == (len(events) - 1, 20)
    assert "1 data row(s) rejected" in page_text(at)


def test_a_corrupt_file_is_named_with_its_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _copy_data(tmp_path)
    (folder / "excerpts.csv").write_bytes(b"\xff\xfe\x00\x00 binary \x89PNG\x00\x01")
    monkeypatch.setenv("GEO_DATA_DIR", str(folder))
    at = open_app({"sel": "EV025"})
    assert not at.exception, errors(at)
    assert any("excerpts.csv" in e and "UTF-8" in e for e in _error_texts(at)), _error_texts(at)
    # The events still load and say what they rest on, without their excerpts.
    assert summary(at) == (69, 20)
    assert "No excerpt from a held article" in page_text(at)


def test_a_file_that_breaks_later_keeps_the_last_good_data_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _copy_data(tmp_path)
    monkeypatch.setenv("GEO_DATA_DIR", str(folder))
    at = open_app()
    assert summary(at) == (69, 20)
    (folder / "events.csv").write_text("", encoding="utf-8")
    at.run()
    assert not at.exception, errors(at)
    assert summary(at) == (69, 20)
    texts = _error_texts(at)
    assert any("events.csv" in e and "empty" in e for e in texts), texts
    assert "showing the data last loaded without file errors" in page_text(at)


def _damaged_store(folder: Path, fault: str) -> tuple[Path, Path | None]:
    """A store file (GEO_STORE) with ``fault``, and the folder to make read-only, if any."""
    from geo.bundle import load_bundle
    from geo.store import DuckStore

    if fault == "a folder":
        (folder / "atlas.duckdb").mkdir()
        return folder / "atlas.duckdb", None
    if fault == "in a missing folder":
        return folder / "missing" / "atlas.duckdb", None
    (folder / "ro").mkdir()
    path = folder / "ro" / "atlas.duckdb"
    store = DuckStore(path)
    store.sync_bundle(load_bundle())
    store.close()
    if fault == "cut to half its size":
        os.truncate(path, path.stat().st_size // 2)
        return path, None
    return path, folder / "ro"


@pytest.mark.parametrize(
    "fault", ["cut to half its size", "a folder", "in a missing folder", "in a read-only folder"]
)
def test_a_store_file_that_cannot_be_used_gives_a_notice_naming_only_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fault: str
) -> None:
    path, locked = _damaged_store(tmp_path, fault)
    monkeypatch.setenv("GEO_STORE", str(path))
    try:
        with read_only(locked) if locked else nullcontext():
            at = open_app()
    finally:
        close_all()
    assert not at.exception, errors(at)
    notice = " ".join(_error_texts(at))
    assert "the store file atlas.duckdb cannot be used" in notice, notice
    assert "shared events database" not in notice  # a local file, not the database
    assert str(tmp_path) not in page_text(at) + notice  # no server folder for visitors


# ---- odd dates already in a store ----

ODD_DATES = {
    "ODD-9999": ("9999-12-31", "9999-12-31"),
    "ODD-0001": ("0001-01-01", "0001-01-01"),
    "ODD-0999": ("0999-12-31", "0999-12-31"),
    "ODD-SPAN": ("0001-01-01", "9999-12-31"),
}


@pytest.fixture
def odd_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A store file holding events whose dates no import accepts any more (written by an
    older version, or by hand): the rows go in beside the importers' checks."""
    path = tmp_path / "atlas.duckdb"
    store = DuckStore(path)
    store.sync_bundle(load_bundle())
    good = acled.parse_row(
        {
            "event_id_cnty": "KAZD0",
            "event_date": "2021-03-27",
            "iso": "398",
            "latitude": "43.25",
            "longitude": "76.91",
            "event_type": "Protests",
            "timestamp": "1",
        }
    )
    rows = []
    for n, (event_id, (start, stop)) in enumerate(ODD_DATES.items(), start=2):
        first, last = date.fromisoformat(start), date.fromisoformat(stop)
        rows.append(
            {
                **good,
                "event_id": event_id,
                "event_date": start,
                "date_end": "" if start == stop else stop,
                "start": first,
                "stop": last,
                "line": n,
                "origin": "acled",
            }
        )
    with store.importing() as batch:
        batch.add(finish(rows))
    store.close()
    monkeypatch.setenv("GEO_STORE", str(path))
    yield path
    close_all()


@pytest.mark.parametrize("page", [None, "pages/charts.py"])
@pytest.mark.parametrize("selected", [None, "ODD-9999", "ODD-0001", "ODD-SPAN"])
def test_events_with_odd_dates_in_the_store_leave_the_pages_up(
    odd_store: Path, page: str | None, selected: str | None
) -> None:
    at = open_app({"sel": selected} if selected else None, page=page)
    assert not at.exception, errors(at)
    n_events, _ = summary(at)
    # The view's months stay within the plausible span, so the data's own events show.
    assert n_events >= len(read_csv("events.csv"))
    if page is None:
        first, last = month_slider(at).value
        assert "1900-01" <= first <= last <= f"{date.today().year + 1}-12"
