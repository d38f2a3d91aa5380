"""The rejects of an import stay in bounded memory however many rows are bad: the count is
exact, the first rejects (by line) are kept for the report, and ``--rejects FILE`` lists
every one in line order, duplicates found at the end of the import included."""

from __future__ import annotations

import csv
import errno
import gc
import os
import random
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

from geo import cli
from geo.importers import Reject, import_acled
from geo.store import DuckStore, duck, pg
from geo.store.base import Store
from tests.unit.test_import import acled_row, line_of, write

BAD = 6_000  # bad rows: more than the rejects kept in memory, and than a chunk of them
# The Reject objects an import may keep alive: the first 1,000 kept for the report and up
# to 1,000 waiting to be written out (whatever the number of bad rows).
KEPT = 2_000


def mixed_export(path: Path) -> tuple[Path, list[tuple[int, str]]]:
    """An ACLED export of a few good rows, :data:`BAD` rows with an unreadable date, and
    two rows that repeat a good row's id and timestamp (found only once every row is
    staged, though one sits near the top); the expected rejects, in line order."""
    lines = [line_of(acled_row("KAZ1")), line_of(acled_row("KAZ1"))]  # lines 2 and 3
    expected = [(3, "event_id: duplicate 'KAZ1' with the same timestamp as line 2")]
    for i in range(BAD):
        lines.append(line_of(acled_row(f"KAZB{i}", event_date=f"soon {i}")))
        expected.append((len(lines) + 1, f"event_date: unparseable date 'soon {i}'"))
        if i == BAD // 2:
            lines.append(line_of(acled_row("KAZ2")))
    lines.append(line_of(acled_row("KAZ2")))
    expected.append(
        (
            len(lines) + 1,
            f"event_id: duplicate 'KAZ2' with the same timestamp as line {BAD // 2 + 5}",
        )
    )
    expected.sort(key=lambda r: r[0])
    return write(path, lines), expected


def live_rejects() -> int:
    gc.collect()
    return sum(1 for o in gc.get_objects() if isinstance(o, Reject))


def test_many_bad_rows_keep_few_rejects_in_memory_and_every_one_in_the_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, expected = mixed_export(tmp_path / "bad.csv")
    store = DuckStore(tmp_path / "s.duckdb")
    try:
        before = live_rejects()
        result = import_acled(path, store)
        assert result.rejected == len(expected) == BAD + 2
        assert result.loaded == 2
        # One object per bad row is what made memory grow with the file.
        assert live_rejects() - before <= KEPT
        assert [(r.line, r.reason) for r in result.rejects] == expected
        assert (result.rejects[0].line, result.rejects[len(expected) - 1].line) == (
            expected[0][0],
            expected[-1][0],
        )
    finally:
        store.close()

    report = tmp_path / "rejects.csv"
    args = ["import", "acled", str(path), "--store", str(tmp_path / "c.duckdb"), "--quiet"]
    assert cli.main([*args, "--rejects", str(report)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == f"loaded 2, rejected {len(expected)}"
    with report.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["line", "reason"]
    assert [(int(line), reason) for line, reason in rows[1:]] == expected

    # Without --rejects the command prints the first 20 by line, and how many more.
    assert cli.main(args) == 0
    err = capsys.readouterr().err.splitlines()
    printed = [line for line in err if line.startswith(f"{path}:")]
    assert printed == [f"{path}:{line}: {reason}" for line, reason in expected[:20]]
    assert f"... {len(expected) - 20} more (--rejects FILE lists them all)" in err


def _open_temporary_files() -> set[str]:
    """The deleted files under the temporary folder this process holds open."""
    found = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith(tempfile.gettempdir()) and target.endswith("(deleted)"):
            found.add(target)
    return found


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="reads /proc")
def test_an_interrupted_import_lets_its_rejects_file_go(tmp_path: Path) -> None:
    path, _ = mixed_export(tmp_path / "bad.csv")
    store = DuckStore(tmp_path / "s.duckdb")
    open_before = _open_temporary_files()

    def interrupt(done: int, total: int) -> None:
        if done > total * 0.8:  # thousands of rows rejected by then
            raise KeyboardInterrupt

    try:
        with pytest.raises(KeyboardInterrupt) as caught:
            import_acled(path, store, progress=interrupt)
        # The traceback (kept by ``caught``) still holds the import's frames: their
        # temporary file is closed all the same.
        assert caught.traceback
        assert _open_temporary_files() == open_before
        result = import_acled(path, store)
        assert result.rejects.spilled
        result.rejects.close()
        assert _open_temporary_files() == open_before
    finally:
        store.close()


def test_rejects_out_of_line_order_come_back_in_line_order() -> None:
    """Rejects appended in any order (here in chunks of 7, kept 5 at a time, so the
    temporary file holds many runs and merges them) come back by line, rejects of one line
    in the order they came; the first kept are the first by line."""
    from geo.importers.rejects import MAX_RUNS, Rejects, rejects_csv

    rng = random.Random(18)
    given = [Reject(rng.randrange(3_000), f"reason {i}") for i in range(20 * 7 * MAX_RUNS)]
    rejects = Rejects(given, shown=5, buffer=7)
    ordered = sorted(given, key=lambda r: r.line)  # stable: ties in the order given
    assert len(rejects) == len(given)
    assert rejects.first == ordered[:5]
    assert list(rejects) == ordered
    assert rejects[100] == ordered[100] and rejects[-1] == ordered[-1]
    text = rejects_csv(rejects, "feature").splitlines()
    assert text[:2] == ["feature,reason", f"{ordered[0].line},{ordered[0].reason}"]
    assert len(text) == len(given) + 1
    rejects.close()
    assert rejects.first == ordered[:5] and len(rejects) == len(given)


def test_few_rejects_need_no_file() -> None:
    from geo.importers.rejects import Rejects

    rejects = Rejects([Reject(9, "b"), Reject(4, "a"), Reject(9, "c")])
    assert not rejects.spilled
    assert list(rejects) == [Reject(4, "a"), Reject(9, "b"), Reject(9, "c")]
    assert rejects == [Reject(4, "a"), Reject(9, "b"), Reject(9, "c")]


def test_duplicates_fetched_a_few_at_a_time_are_all_reported_in_line_order(
    new_store: Callable[[], Store], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The store hands over a file's duplicate ids a chunk at a time (here 2): every one is
    reported, in its place among the rows rejected as they were read."""
    monkeypatch.setattr(duck, "DUPLICATES_FETCH", 2)
    monkeypatch.setattr(pg, "DUPLICATES_FETCH", 2)
    lines = []
    for i in range(7):
        lines.append(line_of(acled_row("KAZ1")))
        lines.append(line_of(acled_row(f"KAZB{i}", iso="999")))
    path = write(tmp_path / "dups.csv", lines)
    result = import_acled(path, new_store())
    assert result.loaded == 1
    assert [(r.line, r.reason.split(":")[0]) for r in result.rejects] == [
        (line, "event_id" if line % 2 == 0 else "iso") for line in range(3, 16)
    ]


def test_rejects_that_cannot_be_written_stop_the_import_with_a_sentence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """No room for the rejects' temporary file (a full disk): the import changes nothing
    and says why in a sentence, without naming the server's folders."""
    path, _ = mixed_export(tmp_path / "bad.csv")
    store_file = tmp_path / "s.duckdb"

    def full_disk(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", tempfile.gettempdir())

    monkeypatch.setattr(tempfile, "TemporaryFile", full_disk)
    args = ["import", "acled", str(path), "--store", str(store_file), "--quiet"]
    assert cli.main(args) == 2
    err = capsys.readouterr().err
    assert "cannot write the rejected rows to a temporary file (No space left on device)" in err
    assert "Traceback" not in err and tempfile.gettempdir() not in err
    monkeypatch.undo()
    store = DuckStore(store_file)
    try:
        assert "KAZ1" not in set(store.table()["event_id"])
    finally:
        store.close()
