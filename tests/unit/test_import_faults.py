"""An import killed halfway leaves the store as it was; a store in a read-only folder, a
damaged store and a file in the wrong encoding are reported clearly, not with a traceback."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from atlas_tools.workload import synthetic_acled
from geo import cli
from geo.store import DuckStore, close_all

GEO = Path(sys.executable).with_name("geo")


def _size(path: Path) -> int:
    store = DuckStore(path)
    try:
        return store.size()
    finally:
        store.close()


def test_an_import_killed_halfway_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    store = tmp_path / "atlas.duckdb"
    small = synthetic_acled(500, tmp_path / "small.csv", seed=1)
    done = subprocess.run(
        [str(GEO), "import", "acled", str(small), "--store", str(store), "--quiet"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    before = _size(store)
    assert before >= 400

    big = synthetic_acled(60_000, tmp_path / "big.csv", seed=2)
    process = subprocess.Popen(
        [str(GEO), "import", "acled", str(big), "--store", str(store)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    # Kill it once it has started reading rows (its progress line), well before it ends.
    deadline = time.monotonic() + 60
    assert process.stderr is not None
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        if not line or "%" in line or "rows" in line:
            break
    time.sleep(0.5)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL, "the import ended before it could be killed"
    assert _size(store) == before


def test_a_store_that_cannot_be_written_is_reported(tmp_path: Path) -> None:
    """The tests run as root, whom permissions do not stop; a store path under a plain file
    fails the same way a read-only folder does: the store cannot be opened for writing."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    small = synthetic_acled(50, tmp_path / "small.csv", seed=3)
    done = subprocess.run(
        [str(GEO), "import", "acled", str(small), "--store", str(blocker / "atlas.duckdb")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "cannot open the store" in done.stderr and "atlas.duckdb" in done.stderr


def test_a_store_cut_to_half_its_size_is_named_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "atlas.duckdb"
    small = synthetic_acled(50, tmp_path / "small.csv", seed=4)
    command = ["import", "acled", str(small), "--store", str(store), "--quiet"]
    assert cli.main(command) == 0
    os.truncate(store, store.stat().st_size // 2)
    capsys.readouterr()
    assert cli.main(command) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    (told,) = err.splitlines()
    assert told.startswith(f"geo import: cannot open the store {store}: "), told


def test_an_export_from_a_store_cut_short_names_it_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    store = tmp_path / "atlas.duckdb"
    small = synthetic_acled(20, tmp_path / "small.csv", seed=5)
    assert cli.main(["import", "acled", str(small), "--store", str(store), "--quiet"]) == 0
    os.truncate(store, store.stat().st_size // 2)
    monkeypatch.setenv("GEO_STORE", str(store))
    capsys.readouterr()
    try:
        assert cli.main(["export", "--format", "csv", "-o", str(tmp_path / "view.csv")]) == 2
    finally:
        close_all()
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert f"geo export: cannot open the store {store}: " in err, err


def test_a_utf16_file_without_a_byte_order_mark_is_an_encoding_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = "event_id_cnty,event_date,iso,latitude,longitude,event_type,timestamp\n"
    text += "KAZ1,2021-03-27,398,43.25,76.91,Protests,1\n"
    path = tmp_path / "export.csv"
    path.write_bytes(text.encode("utf-16-le"))  # as Excel's "Unicode text", without the BOM
    store = tmp_path / "atlas.duckdb"
    assert cli.main(["import", "acled", str(path), "--store", str(store), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert f"{path}: the file is UTF-16 text, not UTF-8" in err, err
    assert "lacks column" not in err
