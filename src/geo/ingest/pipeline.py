"""Ingesting files: read, extract, store the text, queue the candidates; one report per file.

Used by the ``geo ingest`` command and the ingest page alike. A file that cannot be read
(empty, binary, too big, not UTF-8, unsupported) gets a report with the reason and stops
nothing else. Metadata comes, in this order, from the caller (``published``), a
``sources.csv`` beside the files (columns source_id, file, title, publisher, author,
published, url), the data's own ``sources.csv`` (matched by file name), and the page itself
(a date line, an author line, HTML metadata).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from geo import gazetteer as gz
from geo.ingest import lexicon as lx
from geo.ingest.extract import ArticleInfo, Candidate, Extraction, Span, extract, sha256
from geo.ingest.queue import ReviewQueue
from geo.ingest.reader import SUFFIXES, ArticleText, InputError, read_bytes, read_path
from geo.ingest.store import (
    CannotWrite,
    StoredSource,
    check_writable,
    queue_path,
    read_csv_rows,
    resolve_source,
    slug,
    store_dir,
    write_atomic,
)

Progress = Callable[[int, int, str], None]
BATCH = 500  # articles whose candidates are queued in one write


@dataclass
class Settings:
    """Where ingestion reads and writes, and what the caller knows about the articles."""

    data_dir: Path
    store_dir: Path
    queue_path: Path
    corpus_dir: Path | None = None
    published: date | None = None
    dry_run: bool = False

    @classmethod
    def for_data(
        cls,
        data_dir: Path,
        *,
        store: Path | None = None,
        queue: Path | None = None,
        corpus: Path | None = None,
        published: date | None = None,
        dry_run: bool = False,
    ) -> Settings:
        """Settings for a data folder: the store and queue default to ``$GEO_STORE_DIR`` /
        ``$GEO_QUEUE``, else to ``<data>/articles`` and ``<data>/review/queue.jsonl``."""
        return cls(
            data_dir=data_dir,
            store_dir=store or store_dir(data_dir),
            queue_path=queue or queue_path(data_dir),
            corpus_dir=corpus,
            published=published,
            dry_run=dry_run,
        )

    @property
    def queue(self) -> ReviewQueue:
        """The review queue these settings point at."""
        return ReviewQueue(self.queue_path)


@dataclass
class FileReport:
    """What happened to one input."""

    name: str
    source_id: str = ""
    title: str = ""
    published: str = ""
    error: str = ""
    notices: list[str] = field(default_factory=list)
    records: list[dict] = field(default_factory=list)  # candidate JSON, with "status"
    new_version: bool = False
    language: str = ""  # the detected language's code (en, ru, zh...)
    language_name: str = ""

    @property
    def new(self) -> int:
        """How many candidates were queued by this run."""
        return sum(r["status"] == "new" for r in self.records)

    def summary(self) -> str:
        """One line for people: the outcome and, when there is one, the reason."""
        if self.error:
            return f"{self.name}: refused: {self.error}"
        words = f"{len(self.records)} candidate(s), {self.new} new"
        if self.language and self.language != "en":
            words += f"; read as {self.language_name}"
        if self.new_version:
            words += f" (an edited version: source {self.source_id})"
        if self.notices:
            words += "; " + "; ".join(self.notices)
        return f"{self.name}: {words}"


def _data_file(data_dir: Path, name: str, default: Path) -> Path:
    candidate = data_dir / name
    return candidate if candidate.is_file() else default


def tools(data_dir: Path) -> tuple[gz.Gazetteer, lx.Lexicon]:
    """The gazetteer and lexicon for a data folder (its own files when it has them)."""
    return gz.load(
        _data_file(data_dir, "geo/gazetteer.csv", gz.default_gazetteer()),
        _data_file(data_dir, "aliases.csv", gz.default_aliases()),
    ), lx.load(_data_file(data_dir, "lexicon.csv", lx.default_lexicon()))


@functools.lru_cache(maxsize=64)
def _beside_rows(folder: Path, mtime: float) -> dict[str, dict[str, str]]:
    return {r["file"]: r for r in read_csv_rows(folder / "sources.csv") if r.get("file")}


def sources_beside(folder: Path) -> dict[str, dict[str, str]]:
    """Rows of a ``sources.csv`` in ``folder``, keyed by their ``file`` column."""
    path = folder / "sources.csv"
    return _beside_rows(folder, path.stat().st_mtime if path.exists() else 0.0)


def _stamp(path: Path) -> tuple[int, int]:
    try:
        stat = path.stat()
    except OSError:
        return (0, -1)
    return (stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=16)
def _by_file_cached(path: Path, stamp: tuple[int, int]) -> dict[str, dict[str, str]]:
    return {r.get("file", ""): r for r in read_csv_rows(path)}


def _by_file(path: Path) -> dict[str, dict[str, str]]:
    """The data's ``sources.csv`` rows by file name, read again only when the file changes
    (callers must not modify it)."""
    return _by_file_cached(path, _stamp(path))


@functools.lru_cache(maxsize=16)
def _known_excerpts_cached(
    path: Path, stamp: tuple[int, int]
) -> dict[tuple[str, str, str, str], str]:
    return {
        (r["source_id"], r["char_start"], r["char_end"], r["text"]): r["excerpt_id"]
        for r in read_csv_rows(path)
    }


def _known_excerpts(path: Path) -> dict[tuple[str, str, str, str], str]:
    """Excerpt ids of the data by (source, start, end, text), cached like :func:`_by_file`."""
    return _known_excerpts_cached(path, _stamp(path))


def _parse_iso_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


@dataclass
class _Pending:
    """An article whose candidates are extracted but not yet stored or queued."""

    article: ArticleText
    report: FileReport
    records: list[dict]
    stored: Callable[..., StoredSource]


def _prepare(
    article: ArticleText, settings: Settings, meta: dict[str, str] | None = None
) -> _Pending:
    """Extract one article's candidates (nothing is written)."""
    data_rows = _by_file(settings.data_dir / "sources.csv")
    row = dict(meta or data_rows.get(article.name) or {})
    known_file = row.get("file", "")
    if known_file and Path(known_file).suffix.lower() != ".txt":
        known_file = f"{Path(known_file).stem}.txt"  # the store keeps the article's text
    text_sha = sha256(article.text)

    def stored(write: bool, sync: bool = True) -> StoredSource:
        return resolve_source(
            article.name,
            article.text,
            text_sha,
            row.get("source_id", ""),
            known_file,
            settings.store_dir,
            settings.corpus_dir,
            write=write,
            sync=sync,
        )

    source = stored(write=False)
    published = settings.published or _parse_iso_date(row.get("published", ""))
    info = ArticleInfo(
        name=article.name,
        source_id=source.source_id,
        title=row.get("title", ""),
        publisher=row.get("publisher", ""),
        author=row.get("author", ""),
        url=row.get("url", ""),
        published=published,
        published_from="given" if settings.published else ("sources.csv" if published else ""),
    )
    gazetteer, lexicon = tools(settings.data_dir)
    result = extract(article, info, gazetteer, lexicon)
    report = FileReport(
        name=article.name,
        source_id=source.source_id,
        title=info.title,
        published=info.published.isoformat() if info.published else "",
        notices=list(result.notices),
        new_version=source.new_version,
        language=result.language.code,
        language_name=result.language.name,
    )
    if result.refusal:
        report.error = result.refusal
        return _Pending(article, report, [], stored)
    return _Pending(article, report, _records(result, source, settings), stored)


def _commit(pending: list[_Pending], settings: Settings) -> None:
    """Store the texts of the articles that have candidates and queue the candidates, in
    one queue write; fills each report's records with their statuses."""
    writing = [p for p in pending if p.records and not p.report.error and not settings.dry_run]
    written = {id(p) for p in writing}
    statuses: dict[str, str] = {}
    if writing:
        try:
            check_writable(settings.store_dir, settings.queue_path.parent)
            for item in writing:
                _store(item, settings, sync=len(writing) == 1)
            if len(writing) > 1:
                os.sync()  # the batch's texts on disk before their candidates are queued
            statuses = settings.queue.add([r for item in writing for r in item.records])
        except CannotWrite as exc:
            for item in writing:
                item.report.error = f"{exc}: nothing was stored or queued"
                item.records = []
    if any(p.records and id(p) not in written for p in pending):
        known = {i["candidate_id"]: i.get("status", "pending") for i in settings.queue.items()}
    else:
        known = {}
    for item in pending:
        for record in item.records:
            record["status"] = statuses.get(
                record["candidate_id"], known.get(record["candidate_id"], "new")
            )
        item.report.records = item.records


def ingest_article(
    article: ArticleText, settings: Settings, meta: dict[str, str] | None = None
) -> FileReport:
    """Extract one article's candidates and queue the new ones (store its text first).

    Parameters
    ----------
    article
        The article as read.
    settings
        Folders and caller-given metadata.
    meta
        Its ``sources.csv`` row, when one is known (source_id, title, published...).
    """
    pending = _prepare(article, settings, meta)
    _commit([pending], settings)
    return pending.report


def _store(item: _Pending, settings: Settings, sync: bool = True) -> None:
    """Keep the article's text (and, for HTML, its page) in the store."""
    source = item.stored(True, sync)
    if item.article.kind == "html":
        raw_file = settings.store_dir / f"{Path(source.file).stem}.html"
        if not raw_file.exists():
            write_atomic(raw_file, item.article.raw, sync=sync)


def _records(result: Extraction, source: StoredSource, settings: Settings) -> list[dict]:
    info = result.info
    known = _known_excerpts(settings.data_dir / "excerpts.csv")
    out = []
    for candidate in result.candidates:
        record = candidate.to_json()
        spans: list[Candidate | Span] = [candidate, *candidate.supporting]
        record.update(
            base_source_id=source.base_id,
            file=source.file,
            source_meta={
                "title": info.title or Path(info.name).stem,
                "publisher": info.publisher,
                "author": info.author,
                "published": info.published.isoformat() if info.published else "",
                "published_from": info.published_from,
                "url": info.url,
            },
            known_excerpt_ids=[
                xid
                for span in spans
                if (
                    xid := known.get(
                        (info.source_id, str(span.char_start), str(span.char_end), span.excerpt)
                    )
                )
            ],
        )
        out.append(record)
    return out


def ingest_bytes(
    name: str, data: bytes, settings: Settings, meta: dict[str, str] | None = None
) -> FileReport:
    """Ingest an uploaded file's bytes; a file that cannot be read gets an error report."""
    try:
        article = read_bytes(data, name)
    except InputError as exc:
        return FileReport(name=name, error=str(exc))
    return ingest_article(article, settings, meta)


def ingest_pasted(text: str, settings: Settings, title: str = "") -> FileReport:
    """Ingest pasted text as a ``.txt`` article named after its content hash."""
    cleaned = text.replace("\r\n", "\n").replace("\r", "\n")
    stem = slug(title)[:40] if title.strip() else "pasted"
    name = f"{stem}-{sha256(cleaned)[:8]}.txt"
    meta = {"title": title.strip()} if title.strip() else None
    return ingest_bytes(name, cleaned.encode("utf-8"), settings, meta)


def collect(paths: Iterable[Path]) -> list[tuple[Path, str]]:
    """The files to read: each path, or the article files under a folder (sorted); with a
    reason for paths that cannot be used ("" when fine)."""
    found: list[tuple[Path, str]] = []
    for path in paths:
        if path.is_dir():
            files = sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and p.suffix.lower() in SUFFIXES
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            if not files:
                found.append((path, "no .txt, .md, .html or .htm files in this folder"))
            found.extend((p, "") for p in files)
        elif path.exists():
            found.append((path, ""))
        else:
            found.append((path, "not found"))
    return found


def ingest_paths(
    paths: Iterable[Path], settings: Settings, progress: Progress | None = None
) -> list[FileReport]:
    """Ingest files and folders; ``progress(done, total, name)`` is called after each file
    is read. The candidates of up to :data:`BATCH` articles are queued in one write."""
    files = collect(paths)
    reports: list[FileReport] = []
    batch: list[_Pending] = []
    for number, (path, problem) in enumerate(files, start=1):
        if problem:
            report = FileReport(name=str(path), error=problem)
        else:
            try:
                article = read_path(path)
            except InputError as exc:
                report = FileReport(name=path.name, error=str(exc))
            else:
                beside = sources_beside(path.parent).get(path.name)
                pending = _prepare(article, settings, beside)
                # Two files of one name must see each other's text in the store.
                if any(p.article.name == article.name for p in batch):
                    _commit(batch, settings)
                    batch = []
                    pending = _prepare(article, settings, beside)
                batch.append(pending)
                report = pending.report
                if len(batch) >= BATCH:
                    _commit(batch, settings)
                    batch = []
        reports.append(report)
        if progress is not None:
            progress(number, len(files), report.name)
    _commit(batch, settings)
    return reports
