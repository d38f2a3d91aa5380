"""Faults in the data files: a missing, truncated or corrupt file gives a page that names the
file and the reason, never a traceback; and once the data has loaded, a file that breaks
later does not empty the atlas: the last good data stays up, with the problem shown."""

from __future__ import annotations

import os
import shutil
from contextlib import nullcontext
from pathlib import Path

import pytest

from geo.store import close_all
from tests.conftest import read_only

from .helpers import DATA, errors, open_app, page_text, read_csv, summary, unescape_md


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
