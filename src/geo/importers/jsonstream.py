"""GeoJSON read a feature at a time, from a file of any size, in bounded memory.

A FeatureCollection's ``features`` array is walked element by element: each feature is
decoded on its own (by the standard JSON decoder) from a window of the file, and the window
moves on, so memory holds one feature, not the file. The other members of the collection
(``type``, ``crs``, ``name``...) are small and decoded whole. Several values may follow one
another (concatenated collections, or one Feature per line), separated by white space or
commas.

A single value larger than :data:`MAX_VALUE_CHARS` (a footprint of millions of points)
stops the reading with :class:`~geo.importers.base.UnreadableFile`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from geo.importers.base import Progress, UnreadableFile, too_deep

BLOCK_CHARS = 1 << 20
MAX_VALUE_CHARS = 64 << 20  # one feature: 64 million characters of JSON
_SPACE = " \t\r\n"
_DECODER = json.JSONDecoder()


class JsonError(Exception):
    """Text that is not JSON at ``line`` (of the file), for ``reason``."""

    def __init__(self, reason: str, line: int) -> None:
        super().__init__(f"{reason} at line {line}")
        self.reason = reason
        self.line = line


@dataclass(frozen=True)
class Found:
    """A feature (or a top-level value that is no Feature), with its number in the file
    (from 1), the line it starts on, and whether it came from a collection's array."""

    number: int
    line: int
    value: object
    in_collection: bool


class _Window:
    """The file's text from the current position on, read a block at a time."""

    def __init__(self, handle: TextIO, path: str | Path, progress: Progress | None) -> None:
        self._handle = handle
        self._path = path
        self._progress = progress
        self._total = _size(handle)
        self.text = ""
        self.pos = 0
        self.eof = False
        # Lines are counted as the position moves on: text[_mark] is on line _line.
        self._line = 1
        self._mark = 0

    def _more(self, chars: int = 0) -> bool:
        if self.eof:
            return False
        if self.pos:
            self.line_at(self.pos)
            self.text = self.text[self.pos :]
            self._mark -= self.pos
            self.pos = 0
        block = self._handle.read(chars or BLOCK_CHARS)
        if not block:
            self.eof = True
            if self._progress is not None:
                self._progress(self._total, self._total)
            return False
        self.text += block
        if self._progress is not None:
            self._progress(min(_tell(self._handle), self._total), self._total)
        return True

    def line_at(self, at: int) -> int:
        """The line of text[at] (positions are asked for mostly in order)."""
        if at >= self._mark:
            self._line += self.text.count("\n", self._mark, at)
        else:
            self._line -= self.text.count("\n", at, self._mark)
        self._mark = at
        return self._line

    @property
    def line(self) -> int:
        return self.line_at(self.pos)

    def peek(self, skip: str = _SPACE) -> str:
        """The next character not in ``skip`` ("" at the end of the file), not consumed."""
        while True:
            size = len(self.text)
            while self.pos < size and self.text[self.pos] in skip:
                self.pos += 1
            if self.pos < size:
                return self.text[self.pos]
            if not self._more():
                return ""

    def take(self, char: str) -> None:
        """Consume ``char`` (after white space), or fail as the JSON decoder would."""
        found = self.peek()
        if found != char:
            self.fail(f"Expecting {char!r}" if found else "Unexpected end of the file")
        self.pos += 1

    def fail(self, reason: str, at: int | None = None) -> None:
        at = self.pos if at is None else at
        raise JsonError(reason, self.line_at(at))

    def value(self) -> object:
        """Decode the JSON value at the position (after white space) and move past it."""
        self.peek()
        while True:
            try:
                found, end = _DECODER.raw_decode(self.text, self.pos)
            except RecursionError:
                raise too_deep(self._path) from None
            except json.JSONDecodeError as exc:
                # Cut off by the window's end (not wrong): read on and decode it again.
                cut = exc.pos >= len(self.text) - 16 or exc.msg.startswith("Unterminated")
                if not (cut and self._grow()):
                    self.fail(exc.msg, exc.pos)
                continue
            if end < len(self.text) or not self._grow():
                self.pos = end
                return found

    def _grow(self) -> bool:
        """Read more of the file into the window; False at its end. Fails when one value
        would need more than :data:`MAX_VALUE_CHARS`."""
        if len(self.text) - self.pos > MAX_VALUE_CHARS:
            raise UnreadableFile(
                f"{self._path}: a value starting at line {self.line} is larger than "
                f"{MAX_VALUE_CHARS >> 20} million characters: split the file, or simplify "
                "its geometries"
            )
        return self._more(max(BLOCK_CHARS, len(self.text) - self.pos))

    def skip_line(self) -> None:
        """Move to the start of the next line."""
        while True:
            found = self.text.find("\n", self.pos)
            if found >= 0:
                self.pos = found + 1
                return
            self.pos = len(self.text)
            if not self._more():
                return


def _size(handle: TextIO) -> int:
    try:
        return os.fstat(handle.fileno()).st_size
    except (OSError, ValueError, AttributeError):
        return 0


def _tell(handle: TextIO) -> int:
    try:
        return int(handle.buffer.tell())
    except (OSError, ValueError, AttributeError):
        return 0


def features(
    handle: TextIO,
    path: str | Path,
    *,
    recover: bool = True,
    progress: Progress | None = None,
) -> Iterator[Found | JsonError]:
    """Each feature of the text in file order, a collection's one at a time.

    A value that is not JSON is given as a :class:`JsonError`. With ``recover``, reading
    goes on at the next line when the value stood alone (a file of one Feature per line),
    and stops when it was inside a collection (what follows cannot be placed); without it,
    reading stops at the first. Raises :class:`~geo.importers.base.UnreadableFile` for a
    value nested too deeply, or larger than :data:`MAX_VALUE_CHARS`."""
    window = _Window(handle, path, progress)
    number = 0
    while True:
        first = window.peek(_SPACE + ",")
        if not first:
            return
        line = window.line
        streamed = False
        try:
            if first != "{":
                number += 1
                yield Found(number, line, window.value(), False)
                continue
            window.take("{")
            members: dict[str, object] = {}
            count = 0
            while window.peek() != "}":
                if count:
                    window.take(",")
                count += 1
                if window.peek() != '"':
                    window.fail("Expecting property name enclosed in double quotes")
                key = str(window.value())
                window.take(":")
                if key == "features" and window.peek() == "[":
                    streamed = True
                    window.take("[")
                    items = 0
                    while window.peek() != "]":
                        if items:
                            window.take(",")
                            window.peek()
                        items += 1
                        number += 1
                        yield Found(number, window.line, window.value(), True)
                    window.take("]")
                else:
                    members[key] = window.value()
            window.take("}")
        except JsonError as exc:
            yield exc
            if streamed or not recover:
                return
            window.skip_line()
            continue
        if not streamed:
            number += 1
            yield Found(number, line, members, False)


def blank(handle: TextIO) -> bool:
    """Whether the file holds nothing but white space (read again from its start)."""
    handle.seek(0)
    while block := handle.read(BLOCK_CHARS):
        if block.strip():
            return False
    return True
