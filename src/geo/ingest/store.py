"""Where ingestion keeps things: the article store, the review queue, and safe file writes.

- The article store (``$GEO_STORE_DIR``, else ``<data>/articles/``) holds the text of every
  ingested article, so excerpt offsets can be checked later (point ``geo validate --corpus``
  or ``GEO_CORPUS_DIR`` at it). A text never changes once stored: an edited article with
  the same name becomes a new version, ``<source_id>-<hash8>``.
- The review queue (``$GEO_QUEUE``, else ``<data>/review/queue.jsonl``) is what the
  ``geo ingest`` command writes and the ingest page reads.

Every write goes to a temporary file in the same folder and then replaces the target
(``os.replace``), under a lock file, so a reader never sees half a file and two writers
never interleave. A write that cannot be made (a read-only folder, a full disk, a path
through a file) raises :class:`CannotWrite`, naming where; :func:`check_writable` finds it
out before a change starts, so a change that cannot be completed is not begun.
"""

from __future__ import annotations

import csv
import fcntl
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from geo.settings import settings
from geo.validate import ID_PATTERN

QUEUE_FILE = Path("review") / "queue.jsonl"
STORE_FOLDER = "articles"
QUEUE_LOCK = ".queue.lock"
DATA_LOCK = ".data.lock"


def store_dir(data_dir: Path) -> Path:
    """The article store: ``$GEO_STORE_DIR``, else ``<data_dir>/articles``."""
    return settings().article_store_dir or data_dir / STORE_FOLDER


def queue_path(data_dir: Path) -> Path:
    """The review queue file: ``$GEO_QUEUE``, else ``<data_dir>/review/queue.jsonl``."""
    return settings().queue_path or data_dir / QUEUE_FILE


class CannotWrite(OSError):
    """A file or folder ingestion must write to cannot be written: ``where`` and ``why``.
    Nothing was written by the step that raised it."""

    def __init__(self, where: Path, why: str) -> None:
        super().__init__(f"cannot write {where}: {why}")
        self.where = where
        self.why = why


def _why(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def check_writable(*paths: Path) -> None:
    """Raise :class:`CannotWrite` unless a file can be created in each of ``paths`` (folders,
    made when missing): a file is created there and removed, the only way to know (a
    read-only mount, or permissions that do not stop root, fool ``os.access``). A folder
    that does not exist yet is tried at its nearest existing parent, and is not made."""
    for path in paths:
        folder = path
        while not folder.exists() and folder != folder.parent:
            folder = folder.parent
        if not folder.is_dir():
            raise CannotWrite(path, f"{folder.name} is a file, not a folder")
        try:
            fd, probe = tempfile.mkstemp(prefix=".write-check.", dir=folder)
        except OSError as exc:
            raise CannotWrite(path, _why(exc)) from None
        os.close(fd)
        os.unlink(probe)


@contextmanager
def locked(folder: Path, name: str = QUEUE_LOCK) -> Iterator[None]:
    """Hold the lock file ``folder/name`` (one writer at a time, across processes); raises
    :class:`CannotWrite` when the lock file cannot be made."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle = (folder / name).open("a")
    except OSError as exc:
        raise CannotWrite(folder / name, _why(exc)) from None
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def write_atomic(path: Path, text: str, *, sync: bool = True) -> None:
    """Write ``text`` (UTF-8, newlines as given) to ``path`` via a temporary file and
    ``os.replace``; raises :class:`CannotWrite` (``path`` unchanged) when it cannot.
    ``sync=False`` leaves flushing to disk to the caller (one ``os.sync`` for a batch)."""
    try:
        _write_atomic(path, text, sync)
    except OSError as exc:
        raise CannotWrite(path, _why(exc)) from None


def _write_atomic(path: Path, text: str, sync: bool = True) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            if sync:
                os.fsync(handle.fileno())
        if path.exists():
            os.chmod(temporary, path.stat().st_mode & 0o777)
        else:
            os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _sync_folder(path.parent)


def _sync_folder(folder: Path) -> None:
    """Make a replace in ``folder`` durable before the next write begins, so the order of
    writes an accept relies on survives a power cut (best effort where folders cannot be
    opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def slug(stem: str) -> str:
    """A source id from a file name: ``"Anti-China protests (2021).txt"`` ->
    ``"anti-china-protests-2021"``."""
    value = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")[:48].strip("-")
    return value or "article"


def read_csv_rows(path: Path) -> list[dict[str, str]]:
    """A CSV file's rows as dicts of stripped strings ([] when the file is missing or bad)."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            return [
                {k: (v or "").strip() for k, v in row.items() if k}
                for row in csv.DictReader(handle)
            ]
    except (OSError, UnicodeDecodeError, csv.Error):
        return []


@dataclass(frozen=True)
class StoredSource:
    """The source an article text belongs to, and where its text is kept."""

    source_id: str
    base_id: str
    file: str  # the store file name
    new_version: bool  # the same name held a different text before


def resolve_source(
    name: str,
    text: str,
    text_sha: str,
    known_id: str,
    known_file: str,
    store: Path,
    corpus: Path | None,
    *,
    write: bool,
    sync: bool = True,
) -> StoredSource:
    """Decide the article's source id and store its text (when ``write``).

    Parameters
    ----------
    name
        The file name as ingested.
    known_id, known_file
        The source id and file name that ``sources.csv`` gives it ("" when unknown).
    store, corpus
        The article store; the corpus folder, also consulted for an earlier text.
    """
    base = known_id if known_id and ID_PATTERN.match(known_id) else slug(Path(name).stem)
    file = known_file or f"{base}.txt"
    earlier = None
    for folder in (store, corpus):
        if folder is not None and (folder / file).is_file():
            try:
                earlier = (folder / file).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            break
    if earlier is None or earlier == text:
        if write and earlier is None:
            write_atomic(store / file, text, sync=sync)
        return StoredSource(base, base, file, new_version=False)
    version = f"{base[:55]}-{text_sha[:8]}"
    version_file = f"{version}.txt"
    if write and not (store / version_file).is_file():
        write_atomic(store / version_file, text, sync=sync)
    return StoredSource(version, base, version_file, new_version=True)
