"""What every importer shares: reading a delimited file record by record with the line each
starts on, the rejects report, finishing rows for the store, and the import run itself.

A broken record never takes a good one with it: a record with the wrong number of fields
that spans several lines (an unclosed quote swallows the lines after it) is reported at its
first line, and reading goes on from its second line.

Line ends: a file whose first line ends in a bare carriage return (CR, as classic Mac files
do) is read with CR, LF and CRLF all ending lines. In any other file lines end in LF (or
CRLF), and a bare CR outside quotes inside a line is a fault of that line: it is rejected
with its line number, unless the CR merely stands where a line break belonged and each part
is a whole record, which then loads.
"""

from __future__ import annotations

import csv
import ctypes
import gc
import io
import json
import os
import re
import sys
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import pandas as pd
import pyarrow as pa

from geo import placenames
from geo.bundle import load_admin1
from geo.importers.rejects import Reject, Rejects, RejectSink
from geo.regions import assign_regions
from geo.store.base import ImportCounts, StoreWriter, with_cells
from geo.validate import RowError

csv.field_size_limit(1_000_000)

# (bytes read, file size): the CLI draws a bar on stderr, the import page st.progress.
Progress = Callable[[int, int], None]
# Rows parsed and staged in the store at a time: a parsed ACLED row holds about 2 KB of
# Python objects, and its frame, Arrow table and Parquet file about as much again, so a chunk
# costs some 30 MB at its height. A chunk also ends once its records' text passes
# CHUNK_CHARS, so that a file of long rows (notes of thousands of characters) stays bounded.
CHUNK_ROWS = 5_000
CHUNK_CHARS = 4_000_000
DELIMITERS = (",", ";", "\t", "|")
SEARCH_COLUMNS = ("title", "location", "admin1", "region", "country", "actor1", "assoc_actor_1")


class UnreadableFile(Exception):
    """The file could not be read at all (missing, not text, no usable header)."""


# A GeoJSON file is a few levels deep (a MultiPolygon's coordinates are the deepest, at 4);
# Python's JSON reader recurses once per level and gives up near a thousand.
TOO_DEEP = "nested too deeply to be read as GeoJSON"
ROW_TOO_DEEP = "value nested too deeply to read"


def too_deep(path: str | Path) -> UnreadableFile:
    """The one sentence for a JSON file nested past what can be read."""
    return UnreadableFile(f"{path} is {TOO_DEEP}.")


def load_json(text: str, path: str | Path) -> object:
    """The JSON value of ``text``; :class:`UnreadableFile` (with one sentence) when it is
    nested too deeply, as ``json.JSONDecodeError`` when it is not JSON."""
    try:
        return json.loads(text)
    except RecursionError:
        raise too_deep(path) from None


@dataclass
class ImportResult:
    loaded: int = 0  # good rows read from the file
    # Every rejected record: counted, the first kept in memory, the rest in a temporary file.
    rejects: Rejects = field(default_factory=Rejects)
    counts: ImportCounts = field(default_factory=ImportCounts)
    superseded: int = 0  # good rows replaced by a newer row for the same id in the file

    def __post_init__(self) -> None:
        if not isinstance(self.rejects, Rejects):  # a list of rejects, as a report holds them
            self.rejects = Rejects(self.rejects)

    @property
    def rejected(self) -> int:
        return len(self.rejects)

    def summary(self) -> str:
        c = self.counts
        return (
            f"loaded {self.loaded}, rejected {self.rejected} "
            f"({c.new} new, {c.updated} updated, {c.unchanged} unchanged, "
            f"{self.superseded} superseded in the file, {c.deleted} deleted)"
        )


def release_memory() -> None:
    """Hand the memory an import freed back to the operating system, so a long-running
    server returns near its resting size: collect cycles, then ask glibc's allocator to
    give back its free pages (``malloc_trim``; its arenas otherwise keep them for reuse).
    Does nothing more where there is no glibc."""
    gc.collect()
    pa.default_memory_pool().release_unused()  # Arrow's own allocator keeps freed pages too
    if not sys.platform.startswith("linux"):
        return
    try:
        trim = ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):  # musl and other C libraries have no malloc_trim
        return
    trim(0)


_FIRST_BREAK = re.compile(rb"[\r\n]")
_ANY_BREAK = re.compile(rb"\r\n|\r|\n")
_BARE_CR = re.compile(r"\r(?!\n)")
_BLOCK = 1 << 16


def cr_line_ends(head: bytes) -> bool:
    """Whether a file beginning with ``head`` ends its first line in a bare CR (a classic
    Mac file): then CR, LF and CRLF all end lines. ``head`` should run a byte past the first
    CR, so a CRLF is not taken for a bare CR."""
    found = _FIRST_BREAK.search(head)
    return found is not None and found.group() == b"\r" and head[found.end() :][:1] != b"\n"


def _lf_lines(handle: BinaryIO) -> Iterator[bytes]:
    while line := handle.readline():
        yield line


def _any_lines(handle: BinaryIO) -> Iterator[bytes]:
    """The lines of ``handle`` as bytes, each ending in CR, LF or CRLF (kept)."""
    pending = b""
    while block := handle.read(_BLOCK):
        pending += block
        start = 0
        for found in _ANY_BREAK.finditer(pending):
            if found.end() == len(pending) and found.group() == b"\r":
                break  # a CR at the end of the block may be the first half of a CRLF
            yield pending[start : found.end()]
            start = found.end()
        pending = pending[start:]
    if pending:
        yield pending


class _Lines:
    """The file's lines as text, numbered, with lines that can be given back to re-read."""

    def __init__(self, handle: BinaryIO, total: int, progress: Progress | None) -> None:
        head = handle.read(_BLOCK)
        found = _FIRST_BREAK.search(head)
        if found is not None and found.end() == len(head):
            head += handle.read(1)  # the byte after a CR that ends the block
        handle.seek(0)
        self.cr_ends = cr_line_ends(head)
        self._raw = _any_lines(handle) if self.cr_ends else _lf_lines(handle)
        self._pending: deque[tuple[str, bool]] = deque()
        self.number = 0  # lines handed out so far
        self.taken: list[tuple[str, bool]] = []  # the current record's lines (text, bad)
        self.read = 0
        self.total = total
        self._progress = progress
        self._next_report = 0

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if self._pending:
            text, bad = self._pending.popleft()
        else:
            raw = next(self._raw, b"")
            if not raw:
                if self._progress is not None and self._next_report >= 0:
                    self._progress(self.read, self.total)  # the end: 100%
                    self._next_report = -1
                raise StopIteration
            self.read += len(raw)
            try:
                text, bad = raw.decode("utf-8"), False
            except UnicodeDecodeError:
                text, bad = raw.decode("utf-8", errors="replace"), True
            if self._progress is not None and 0 <= self._next_report <= self.read:
                self._progress(self.read, self.total)
                self._next_report = self.read + max(self.total // 200, 1 << 16)
        if self.number == 0:
            text = text.lstrip("\ufeff")
        self.number += 1
        self.taken.append((text, bad))
        return text

    def give_back(self, lines: Sequence[tuple[str, bool]]) -> None:
        self._pending.extendleft(reversed(lines))
        self.number -= len(lines)


def wide_encoding(head: bytes) -> str | None:
    """The name of the UTF-16 or UTF-32 encoding the start of a file is in (by its byte-order
    mark, or, without one, by the zero bytes beside every ASCII character), else None."""
    for mark, name in (
        (b"\xff\xfe\x00\x00", "UTF-32"),
        (b"\x00\x00\xfe\xff", "UTF-32"),
        (b"\xff\xfe", "UTF-16"),
        (b"\xfe\xff", "UTF-16"),
    ):
        if head.startswith(mark):
            return name
    sample = head[:4096]
    if len(sample) < 4 or sample.count(0) * 3 < len(sample):
        return None  # UTF-8 text holds no zero bytes (binary files are told apart below)
    quads = [sample[i : i + 4] for i in range(0, len(sample) - 3, 4)]
    if all(q[1:] == b"\0\0\0" or q[:3] == b"\0\0\0" for q in quads if q.strip(b"\0")):
        return "UTF-32"
    pairs = len(sample) // 2
    odd = sum(1 for i in range(1, 2 * pairs, 2) if sample[i] == 0)
    even = sum(1 for i in range(0, 2 * pairs, 2) if sample[i] == 0)
    if max(odd, even) >= pairs * 0.6 and min(odd, even) <= pairs * 0.05:
        return "UTF-16"
    return None


def encoding_problem(head: bytes) -> str | None:
    """Why a file starting with ``head`` cannot be read as UTF-8 text, when it is in a wide
    Unicode encoding (Excel's "Unicode text" is UTF-16): what to do about it; else None."""
    name = wide_encoding(head)
    if name is None:
        return None
    return f"the file is {name} text, not UTF-8: save it as UTF-8 (CSV UTF-8) and try again"


def sniff_delimiter(header: str) -> str:
    """The delimiter that splits the header line into the most fields."""
    counts = {d: len(next(csv.reader([header], delimiter=d))) for d in DELIMITERS}
    return max(DELIMITERS, key=lambda d: (counts[d], d == ","))


@dataclass(frozen=True)
class Record:
    line: int
    values: dict[str, str]


def read_records(
    path: str | Path,
    required: Sequence[str],
    rejects: RejectSink,
    progress: Progress | None = None,
) -> tuple[list[str], Iterator[Record]]:
    """The header and an iterator over the file's records (each with its first line).

    Raises :class:`UnreadableFile` when the file cannot be opened, is empty or its header
    lacks a ``required`` column; bad records are added to ``rejects`` and skipped.
    """
    try:
        handle: BinaryIO = open(path, "rb")  # noqa: SIM115 (closed by the iterator)
        total = os.fstat(handle.fileno()).st_size
        problem = encoding_problem(handle.read(4096))
        handle.seek(0)
    except OSError as exc:
        raise UnreadableFile(f"cannot open {path}: {exc.strerror or exc}") from exc
    if problem:
        handle.close()
        raise UnreadableFile(f"{path}: {problem}")
    lines = _Lines(handle, total, progress)
    try:
        first = next(lines)
    except StopIteration:
        handle.close()
        raise UnreadableFile(f"{path} is empty: no header row") from None
    if lines.taken[0][1]:
        handle.close()
        raise UnreadableFile(f"{path} is not UTF-8 text")
    delimiter = sniff_delimiter(first)
    header = [h.strip() for h in next(csv.reader([first], delimiter=delimiter))]
    missing = [c for c in required if c not in header]
    if missing:
        handle.close()
        raise UnreadableFile(
            f"the header (line 1) lacks column(s): {', '.join(missing)}; "
            f"read {len(header)} column(s) split on {delimiter!r}"
        )
    return header, _records(handle, lines, header, delimiter, rejects)


def _records(
    handle: BinaryIO, lines: _Lines, header: list[str], delimiter: str, rejects: RejectSink
) -> Iterator[Record]:
    reader = csv.reader(lines, delimiter=delimiter)
    width = len(header)
    try:
        while True:
            lines.taken = []
            start = lines.number + 1
            try:
                fields = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                reader = csv.reader(lines, delimiter=delimiter)
                if len(lines.taken) == 1 and _BARE_CR.search(lines.taken[0][0]):
                    parts = _cr_parts(lines.taken[0][0], delimiter, width)
                    if parts is None:
                        rejects.append(Reject(start, _cr_reason(lines.taken[0][0], delimiter)))
                    for part in parts or ():
                        yield Record(
                            start, {h: v.strip() for h, v in zip(header, part, strict=True)}
                        )
                    continue
                rejects.append(Reject(start, f"unreadable CSV record: {exc}"))
                lines.give_back(lines.taken[1:])
                continue
            if not fields or all(not f.strip() for f in fields):
                continue
            if any(bad for _, bad in lines.taken):
                rejects.append(Reject(start, "not valid UTF-8 text"))
                continue
            if len(fields) != width:
                rejects.append(Reject(start, _width_reason(fields, lines.taken, width, delimiter)))
                if len(lines.taken) > 1:
                    lines.give_back(lines.taken[1:])
                continue
            yield Record(start, {h: v.strip() for h, v in zip(header, fields, strict=True)})
    finally:
        handle.close()


def _cr_parts(line: str, delimiter: str, width: int) -> list[list[str]] | None:
    """The records of a line that a bare CR splits, when each part is a whole record (the CR
    stood where a line break belonged); None when it splits a record."""
    parts = [p for p in _BARE_CR.split(line) if p.strip()]
    try:
        records = [next(csv.reader([p], delimiter=delimiter)) for p in parts]
    except csv.Error:
        return None
    return records if all(len(r) == width for r in records) else None


def _cr_reason(line: str, delimiter: str) -> str:
    widths = []
    for part in _BARE_CR.split(line):
        try:
            widths.append(str(len(next(csv.reader([part], delimiter=delimiter)))))
        except csv.Error:
            widths.append("?")
    return (
        "a carriage return (CR) inside the line splits it into parts of "
        f"{' and '.join(widths)} field(s): remove the CR, or save the file with one kind of "
        "line end"
    )


def _width_reason(
    fields: list[str], taken: list[tuple[str, bool]], width: int, delimiter: str
) -> str:
    reason = f"has {len(fields)} field(s), the header has {width}"
    if len(taken) > 1:
        reason += f" (the record runs over {len(taken)} lines: an unclosed quote?)"
    else:
        for other in DELIMITERS:
            if (
                other != delimiter
                and len(next(csv.reader([taken[0][0]], delimiter=other))) == width
            ):
                reason += f" (it splits into {width} on {other!r}: wrong delimiter?)"
                break
    return reason


def search_text(frame: pd.DataFrame) -> pd.Series:
    """The text the search box looks in, as the bundle builds it (casefolded, one space)."""
    columns = [frame[c].astype(str).tolist() for c in SEARCH_COLUMNS]
    return pd.Series(
        [" ".join(" ".join(parts).split()).casefold() for parts in zip(*columns, strict=True)],
        index=frame.index,
        dtype=object,
    )


def finish(rows: list[dict[str, object]]) -> pd.DataFrame:
    """Parsed rows as store rows: admin-1 region (point in polygon) and the admin-1 name
    the atlas shows, search text, cells."""
    frame = pd.DataFrame.from_records(rows)
    frame["region"] = assign_regions(frame, load_admin1()).astype(str)
    shown_admin1(frame)
    frame["search_text"] = search_text(frame)
    return with_cells(frame)


ADMIN1_NOTE = "admin1 as imported: "


def shown_admin1(frame: pd.DataFrame) -> None:
    """Write each row's ``admin1`` under the name the atlas shows for that region, whatever
    the file called it (ACLED's "Mangistau", "Almaty Oblast", "Osh Oblast"), the region the
    point lies in deciding between namesakes ("Almaty": the region or the city); the name
    the file used is kept at the end of the row's notes, and a title that ends in it (made
    from it for a row with no place name) ends in the shown name. A name of no known region
    stays as written."""
    if frame.empty or "admin1" not in frame:
        return
    admin1 = frame["admin1"].fillna("").astype(str)
    iso = frame["iso"].fillna("").astype(str)
    region = frame["region"].fillna("").astype(str)
    shown = {
        key: placenames.admin1_name(*key)
        for key in set(zip(admin1, iso, region, strict=True))
        if key[0].strip()
    }
    new = [shown.get((a, i, r), a) for a, i, r in zip(admin1, iso, region, strict=True)]
    changed = [n != a for n, a in zip(new, admin1, strict=True)]
    if not any(changed):
        return
    if "notes" in frame:  # every importer's rows have notes; a frame without stays so
        notes = frame["notes"].fillna("").astype(str)
        frame["notes"] = [
            (f"{note} | {ADMIN1_NOTE}{a}" if note else f"{ADMIN1_NOTE}{a}") if c else note
            for note, a, c in zip(notes, admin1, changed, strict=True)
        ]
    frame["admin1"] = new
    if "title" in frame and "location" in frame:
        # A title made of the region's name, for a row with no place ("Protests in
        # Mangistau"); one made of a place that shares the name stays as it is.
        titles = frame["title"].fillna("").astype(str)
        placeless = frame["location"].fillna("").astype(str).str.strip() == ""
        frame["title"] = [
            f"{t[: -len(a)]}{n}" if c and p and t.endswith(f" in {a}") else t
            for t, a, n, c, p in zip(titles, admin1, new, changed, placeless, strict=True)
        ]


def read_deletions(path: str | Path) -> list[str]:
    """Event ids to delete: a CSV with an ``event_id_cnty`` or ``event_id`` column (ACLED's
    deletions export), or one id per line."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise UnreadableFile(f"cannot read the deletions file {path}: {exc}") from exc
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return []
    header = [h.strip() for h in rows[0]]
    for name in ("event_id_cnty", "event_id"):
        if name in header:
            i = header.index(name)
            return [r[i].strip() for r in rows[1:] if len(r) > i and r[i].strip()]
    return [r[0].strip() for r in rows if r and r[0].strip()]


RowParser = Callable[[dict[str, str]], dict[str, object]]


def run_import(
    store: StoreWriter,
    records: Iterator[Record],
    parse: RowParser,
    rejects: Rejects,
    *,
    origin: str,
    deletions: Sequence[str] = (),
) -> ImportResult:
    """Parse each record (a :class:`~geo.validate.RowError` rejects it with its line), and
    merge the good rows into the store in one transaction. Ids of the curated data are not
    replaced; within the file the row with the newest ``updated`` wins, and two rows for one
    id with the same timestamp reject the later one.

    Rows are parsed and staged in the store :data:`CHUNK_ROWS` at a time (fewer when
    their text passes :data:`CHUNK_CHARS`), repeated ids are found among the staged rows by
    the store, and rejects go to ``rejects`` (which keeps a few in memory and writes the
    rest to a temporary file), so the memory an import takes does not grow with the file.
    ``rejects`` are closed when the import fails."""
    with rejects.closed_on_error():
        return _run_import(store, records, parse, rejects, origin=origin, deletions=deletions)


def _run_import(
    store: StoreWriter,
    records: Iterator[Record],
    parse: RowParser,
    rejects: Rejects,
    *,
    origin: str,
    deletions: Sequence[str],
) -> ImportResult:
    result = ImportResult(rejects=rejects)
    curated = store.bundle_ids()
    pending: list[dict[str, object]] = []
    pending_chars = 0
    staged = 0  # the rows staged so far: each row's ordinal, in file order

    def flush(batch_add: Callable[[pd.DataFrame], None]) -> None:
        nonlocal pending_chars
        pending_chars = 0
        if not pending:
            return
        frame = finish(pending)
        pending.clear()
        batch_add(frame)

    def duplicate(line: int, event_id: str, first: int) -> None:
        reason = f"event_id: duplicate {event_id!r} with the same timestamp as line {first}"
        rejects.append(Reject(line, reason))

    with store.importing() as batch:
        for record in records:
            try:
                row = parse(record.values)
            except RowError as err:
                rejects.append(Reject(record.line, f"{err.field}: {err.reason}"))
                continue
            except RecursionError:  # a GeoJSON property nested hundreds of levels deep
                rejects.append(Reject(record.line, ROW_TOO_DEEP))
                continue
            event_id = str(row["event_id"])
            if event_id in curated:
                rejects.append(
                    Reject(record.line, f"event_id: {event_id!r} belongs to the curated data")
                )
                continue
            staged += 1
            row["line"] = record.line
            row["row_no"] = staged
            row["origin"] = origin
            row["updated"] = int(str(row.get("updated") or 0))
            pending.append(row)
            pending_chars += sum(map(len, record.values.values()))
            if len(pending) >= CHUNK_ROWS or pending_chars >= CHUNK_CHARS:
                flush(batch.add)
        flush(batch.add)
        # Duplicates come in line order, after the rows' other rejects: the rejects put
        # them in their place.
        settled = batch.settle(duplicate)
        batch.delete(list(deletions))
    result.counts = batch.counts
    result.superseded = settled.superseded
    result.loaded = settled.ids
    return result
