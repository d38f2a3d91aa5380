"""The rejected records of an import, kept in bounded memory however many there are.

A file of two million bad rows has two million rejects: held as Python objects they would
take about a gigabyte. :class:`Rejects` counts them exactly, keeps the first
:data:`SHOWN` (by line) in memory for the command's and the Import page's report, and
writes every one, as it comes, to an anonymous temporary file, from which the whole report
(``--rejects FILE``, the page's download) is read back in line order.

Importers reject records as they read them, so rejects mostly come in line order; the one
exception is a file's duplicate ids, found once every row is staged. The temporary file
holds runs of ascending line (each written chunk is sorted first, and a chunk that starts
before the run it follows starts a new run); reading it merges the runs, a block of each at
a time, so nothing is ever sorted whole in memory.
"""

from __future__ import annotations

import csv
import heapq
import io
import itertools
import json
import os
import tempfile
from bisect import insort
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol

# Rejects kept in memory for the report: the command prints 20 of them, the Import page
# lists these and offers the rest as a download.
SHOWN = 1_000
# Rejects held before they are written out (a chunk, sorted before it is written).
BUFFER = 1_000
# Runs in the temporary file past which they are merged into one (rejects out of order
# would otherwise make one run per chunk; a merge reads a block of each run at a time).
MAX_RUNS = 64
_READ = 1 << 16


@dataclass(frozen=True)
class Reject:
    line: int
    reason: str


class RejectsNotWritten(ValueError):
    """The temporary file of the rejects could not be written (a full disk, no temporary
    folder): the import stops, and says so in one sentence."""

    def __init__(self, exc: OSError) -> None:
        why = exc.strerror or str(exc)
        # The server's folders are not named: the Import page shows this to its editor.
        super().__init__(
            f"cannot write the rejected rows to a temporary file ({why}): free some disk "
            "space, or set TMPDIR to a folder with room"
        )


class RejectSink(Protocol):
    """Where a reader puts the records it rejects: a :class:`Rejects`, or a list."""

    def append(self, reject: Reject, /) -> None: ...


def _line(reject: Reject) -> int:
    return reject.line


def _encode(reject: Reject) -> bytes:
    # JSON keeps a reason on one line whatever it holds (a line break, a tab).
    return f"{reject.line}\t{json.dumps(reject.reason)}\n".encode()


def _decode(raw: bytes) -> Reject:
    line, reason = raw.split(b"\t", 1)
    return Reject(int(line), json.loads(reason))


class Rejects:
    """Every rejected record of one import, in bounded memory (see the module's notes).

    ``len()`` is the exact count; :attr:`first` the first :data:`SHOWN` by line (in line
    order, rejects of one line in the order they came); iterating gives all of them in that
    order. Holds a temporary file once :data:`BUFFER` have come, freed by :meth:`close`
    (the importers close it when an import fails or is interrupted) or once the rejects are
    let go. Raises :class:`RejectsNotWritten` when that file cannot be written."""

    def __init__(
        self,
        rejects: Iterable[Reject] = (),
        *,
        shown: int | None = None,
        buffer: int | None = None,
    ) -> None:
        self.first: list[Reject] = []
        self._count = 0
        self._shown = SHOWN if shown is None else shown
        self._buffer = max(BUFFER if buffer is None else buffer, 1)
        self._pending: list[Reject] = []
        self._file: IO[bytes] | None = None
        self._runs: list[tuple[int, int]] = []  # (start, end) offsets in the file
        self._last = 0  # the line the last run ends on
        self.closed = False
        for reject in rejects:
            self.append(reject)

    def append(self, reject: Reject, /) -> None:
        """Count ``reject``, keep it among :attr:`first` when it is one of them, and hold
        it for the file."""
        if self.closed:
            raise ValueError("the rejects were closed")
        self._count += 1
        first = self.first
        if len(first) < self._shown:
            insort(first, reject, key=_line)
        elif first and reject.line < first[-1].line:
            insort(first, reject, key=_line)
            first.pop()
        self._pending.append(reject)
        if len(self._pending) >= self._buffer:
            self._spill()

    @property
    def spilled(self) -> bool:
        """Whether some rejects are in the temporary file."""
        return self._file is not None

    def _spill(self) -> None:
        chunk = sorted(self._pending, key=_line)
        self._pending = []
        try:
            if self._file is None:
                self._file = tempfile.TemporaryFile(prefix="geo-rejects-")  # noqa: SIM115
            handle = self._file
            start = handle.seek(0, os.SEEK_END)
            handle.write(b"".join(map(_encode, chunk)))
            end = handle.tell()
        except OSError as exc:
            raise RejectsNotWritten(exc) from exc
        if self._runs and chunk[0].line >= self._last:
            self._runs[-1] = (self._runs[-1][0], end)
        else:
            self._runs.append((start, end))
        self._last = chunk[-1].line
        if len(self._runs) > MAX_RUNS:
            self._merge_runs()

    def _merge_runs(self) -> None:
        """Write the runs, merged, to a new temporary file of one run."""
        assert self._file is not None
        try:
            merged = tempfile.TemporaryFile(prefix="geo-rejects-")  # noqa: SIM115
        except OSError as exc:
            raise RejectsNotWritten(exc) from exc
        try:
            for reject in self._read_runs():
                merged.write(_encode(reject))
        except BaseException as exc:
            merged.close()
            if isinstance(exc, OSError):
                raise RejectsNotWritten(exc) from exc
            raise
        self._file.close()
        self._file = merged
        self._runs = [(0, merged.tell())]

    def _read_runs(self) -> Iterator[Reject]:
        if self._file is None:
            return iter(())
        self._file.flush()
        fd = self._file.fileno()
        return heapq.merge(*(_run(fd, start, end) for start, end in self._runs), key=_line)

    def __iter__(self) -> Iterator[Reject]:
        if self.closed:
            raise ValueError("the rejects were closed")
        tail = sorted(self._pending, key=_line)
        if self._file is None:
            return iter(tail)
        return heapq.merge(self._read_runs(), tail, key=_line)

    def __len__(self) -> int:
        return self._count

    def __bool__(self) -> bool:
        return self._count > 0

    def __getitem__(self, index: int) -> Reject:
        """The reject at ``index`` in line order (read from the file past :attr:`first`)."""
        if index < 0:
            index += self._count
        if not 0 <= index < self._count:
            raise IndexError("reject index out of range")
        if index < len(self.first):
            return self.first[index]
        return next(itertools.islice(iter(self), index, None))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Rejects | list | tuple):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    # Rejects change as they come: no hash.
    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Rejects({self._count} rejected, first: {self.first[:3]!r})"

    def close(self) -> None:
        """Let the temporary file go (it has no name on disk; closing it frees it)."""
        self.closed = True
        self._pending = []
        if self._file is not None:
            self._file.close()
            self._file = None
            self._runs = []

    @contextmanager
    def closed_on_error(self) -> Iterator[Rejects]:
        """Close the rejects when the block fails (a failed import reports none), whatever
        stops it (an error, an interrupt)."""
        try:
            yield self
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> Rejects:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _run(fd: int, start: int, end: int) -> Iterator[Reject]:
    """The rejects of one run of the file, read a block at a time (``pread``: runs are read
    side by side through one descriptor)."""
    rest = b""
    while start < end:
        block = os.pread(fd, min(_READ, end - start), start)
        if not block:
            break
        start += len(block)
        lines = (rest + block).split(b"\n")
        rest = lines.pop()
        for raw in lines:
            yield _decode(raw)


def _write(handle: IO[str], rejects: Iterable[Reject], position: str = "line") -> None:
    ordered = rejects if isinstance(rejects, Rejects) else sorted(rejects, key=_line)
    writer = csv.writer(handle)
    writer.writerow([position, "reason"])
    for reject in ordered:
        writer.writerow([reject.line, reject.reason])


def write_rejects(path: str | Path, rejects: Iterable[Reject]) -> None:
    """The rejects report: ``line,reason``, one row per rejected record, in line order."""
    with open(path, "w", encoding="utf-8", newline="") as handle:
        _write(handle, rejects)


def rejects_csv(rejects: Iterable[Reject], position: str = "line") -> str:
    """The rejects report (see :func:`write_rejects`) as text, for a download; ``position``
    heads the first column ("feature" where rejects are numbered by feature)."""
    text = io.StringIO(newline="")
    _write(text, rejects, position)
    return text.getvalue()
