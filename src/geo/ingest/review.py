"""Deciding on a queued candidate: accept (with edits) into the data, or reject.

Accepting appends rows and never changes one: a source row to ``sources.csv`` (when the
article is new), one excerpt row per sentence to ``excerpts.csv`` (reusing the id of an
excerpt already there for the same span), and the event to ``events.csv``. Every row is
checked by :mod:`geo.validate` first, excerpt offsets against the stored article text, and
a row that fails is refused with its reason; nothing is written then.

An accept is all or nothing across the three files and the queue. Its rows and the queue's
change are first written to a journal (``review/.accept.journal.json`` in the data folder);
then the files are written one after another, each atomically (temporary file, then
``os.replace``), sources first and events last, so an event never points at an excerpt that
is not there; then the queue; then the journal is removed. An accept that was interrupted
(a killed process, a power cut) leaves its journal behind, and the next accept, or the
Ingest page when it opens, completes it: rows already written are not written twice.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

from geo import placenames
from geo import validate as v
from geo.ingest.queue import ReviewQueue
from geo.ingest.store import (
    DATA_LOCK,
    QUEUE_FILE,
    CannotWrite,
    check_writable,
    locked,
    read_csv_rows,
    write_atomic,
)
from geo.model import AREAS, EVENT_COLUMNS, EXCERPT_COLUMNS, SOURCE_COLUMNS

JOURNAL = ".accept.journal.json"
# The data files an accept appends to, in the order written, with each one's id column.
TABLES: tuple[tuple[str, str, list[str]], ...] = (
    ("sources.csv", "source_id", SOURCE_COLUMNS),
    ("excerpts.csv", "excerpt_id", EXCERPT_COLUMNS),
    ("events.csv", "event_id", EVENT_COLUMNS),
)

# What a reviewer may change before accepting, with the label the page shows.
EDITABLE: dict[str, str] = {
    "title": "Title",
    "event_date": "Date (YYYY, YYYY-MM or YYYY-MM-DD; empty if unknown)",
    "time_precision": "Date precision",
    "category": "Category",
    "location": "Place",
    "admin1": "Region (admin-1)",
    "iso": "Country (KAZ, KGZ, CHN)",
    "latitude": "Latitude",
    "longitude": "Longitude",
    "geo_precision": "Place precision",
    "actor1": "Actors",
    "participants": "Participants",
    "arrests": "Arrests",
    "confidence": "Confidence",
    "notes": "Notes",
}
COUNTRY_NAMES = {"KAZ": "Kazakhstan", "KGZ": "Kyrgyzstan", "CHN": "China"}
LICENCE = "text held in the local article store (ingested); quote in short excerpts only"


@dataclass
class Decision:
    """The outcome of a review action, in words a reviewer can act on."""

    ok: bool
    message: str
    event_id: str = ""
    warnings: list[str] = field(default_factory=list)


def event_values(item: dict, edits: dict[str, str] | None = None) -> dict[str, str]:
    """The events.csv row a queued candidate proposes, with the reviewer's edits applied."""
    arrests = item.get("arrests")
    values = {
        "title": str(item.get("title", "")),
        "event_date": str(item.get("event_date", "")),
        "time_precision": str(item.get("time_precision", "")),
        "category": str(item.get("category", "")),
        "location": str(item.get("location", "")),
        "admin1": str(item.get("admin1", "")),
        "iso": str(item.get("country", "")),
        "latitude": str(item.get("latitude", "")),
        "longitude": str(item.get("longitude", "")),
        "geo_precision": str(item.get("geo_precision", "")),
        "actor1": "; ".join(item.get("actors") or []),
        "participants": str(item.get("participants") or ""),
        "arrests": "" if arrests is None else str(arrests),
        "confidence": str(item.get("confidence", "")),
        "notes": str(item.get("notes", "")),
    }
    for key, value in (edits or {}).items():
        if key in EDITABLE:
            values[key] = " ".join(str(value).split()) if key != "notes" else str(value).strip()
    values["iso"] = values["iso"].strip().upper()
    return values


def event_id_of(item: dict) -> str:
    """The event id an accepted candidate gets: ``EV-`` and the start of its key."""
    return f"EV-{item['candidate_id'][:10]}"


def _csv_lines(header: list[str], rows: list[dict[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\n", extrasaction="ignore")
    for row in rows:
        writer.writerow({k: row.get(k, "") for k in header})
    return buffer.getvalue()


def _read_table(path: Path, columns: list[str]) -> tuple[str, list[str]]:
    """A data file's text and header (a missing file gets the model's columns)."""
    if not path.exists():
        return ",".join(columns) + "\n", list(columns)
    text = path.read_text(encoding="utf-8")
    header = next(csv.reader(io.StringIO(text)), None) or list(columns)
    header = [h.strip().lstrip("\ufeff") for h in header]
    return text, header


def _append(text: str, lines: str) -> str:
    if text and not text.endswith("\n"):
        text += "\n"
    return text + lines


def _first_error(problems: list[v.Problem]) -> str | None:
    errors = [p for p in problems if p.severity == "error"]
    if not errors:
        return None
    return "; ".join(f"{p.field}: {p.reason}" for p in errors)


def check_event(values: dict[str, str], header: list[str]) -> tuple[dict | None, str | None]:
    """Validate an event row as ``geo validate`` would: (record, None) or (None, reason)."""
    line = ",".join(header) + "\n" + _csv_lines(header, [values])
    rows, problems = v.read_rows(line, "events.csv", EVENT_COLUMNS)
    if problems:
        return None, _first_error(problems)
    records, problems = v.validate_events(rows, "events.csv")
    reason = _first_error(problems)
    return (records[0] if records else None), reason


def check(
    item: dict, edits: dict[str, str] | None = None, header: list[str] | None = None
) -> str | None:
    """Why the candidate with these edits would be refused (None when it would pass)."""
    values = event_values(item, edits)
    values.update(event_id=event_id_of(item), country=COUNTRY_NAMES.get(values["iso"], ""))
    if values["iso"] not in AREAS:
        return f"iso: unknown country code {values['iso'][:20]!r} (expected KAZ, KGZ or CHN)"
    _, reason = check_event(values, header or EVENT_COLUMNS)
    return reason


def _unwritten(exc: CannotWrite) -> Decision:
    """The refusal for a change the queue or the data folder could not take."""
    return Decision(False, f"{exc}: nothing was changed")


def reject(queue: ReviewQueue, candidate_id: str, reason: str = "") -> Decision:
    """Mark a candidate rejected (it stays in the queue, so re-ingesting does not revive it)."""
    item = queue.get(candidate_id)
    if item is None:
        return Decision(False, f"no candidate {candidate_id!r} in the queue")
    if item.get("status") == "accepted":
        return Decision(False, f"already accepted as {item.get('event_id')}: edit the data instead")
    try:
        queue.update(candidate_id, status="rejected", reason=reason.strip())
    except CannotWrite as exc:
        return _unwritten(exc)
    return Decision(True, "rejected")


def restore(queue: ReviewQueue, candidate_id: str) -> Decision:
    """Put a rejected candidate back among those waiting."""
    item = queue.get(candidate_id)
    if item is None:
        return Decision(False, f"no candidate {candidate_id!r} in the queue")
    if item.get("status") != "rejected":
        return Decision(False, f"not rejected: it is {item.get('status', 'pending')}")
    try:
        queue.update(candidate_id, status="pending", reason="")
    except CannotWrite as exc:
        return _unwritten(exc)
    return Decision(True, "back in the queue")


def save_edits(queue: ReviewQueue, candidate_id: str, edits: dict[str, str]) -> Decision:
    """Keep a reviewer's edits without accepting (refused when they would not validate)."""
    item = queue.get(candidate_id)
    if item is None:
        return Decision(False, f"no candidate {candidate_id!r} in the queue")
    reason = check(item, edits)
    if reason:
        return Decision(False, f"not saved: {reason}")
    try:
        queue.update(candidate_id, edits={k: str(e) for k, e in edits.items() if k in EDITABLE})
    except CannotWrite as exc:
        return _unwritten(exc)
    return Decision(True, "edits saved")


def accept(
    queue: ReviewQueue,
    candidate_id: str,
    data_dir: Path,
    store: Path,
    edits: dict[str, str] | None = None,
) -> Decision:
    """Validate a candidate (with edits) and append it to the data files; a data folder that
    cannot be written (read-only, full, gone) is a refusal with its reason, never an error.
    See :func:`_accept` for the parameters."""
    try:
        return _accept(queue, candidate_id, data_dir, store, edits)
    except CannotWrite as exc:
        return _unwritten(exc)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        return Decision(False, f"the data folder {data_dir} cannot be written: {reason}")


def _accept(
    queue: ReviewQueue,
    candidate_id: str,
    data_dir: Path,
    store: Path,
    edits: dict[str, str] | None = None,
) -> Decision:
    """Validate a candidate (with edits) and append it to the data files.

    Parameters
    ----------
    queue
        The review queue holding the candidate.
    data_dir
        The folder of events.csv, excerpts.csv and sources.csv.
    store
        The article store holding the article's text (its offsets are checked against it).
    edits
        Field -> new value, for the fields in :data:`EDITABLE`; ``None`` keeps saved edits.
    """
    # The data lock lives in the review folder, ingestion's own corner of the data folder.
    with locked(data_dir / QUEUE_FILE.parent, DATA_LOCK):
        finished = _finish(data_dir)
        if candidate_id in finished:
            event_id = finished[candidate_id]
            return Decision(
                True,
                f"accepted as {event_id} (an earlier accept of it was interrupted: now complete)",
                event_id=event_id,
            )
        item = queue.get(candidate_id)
        if item is None:
            return Decision(False, f"no candidate {candidate_id!r} in the queue")
        if item.get("status") == "accepted":
            return Decision(False, f"already accepted as {item.get('event_id')}")
        edits = dict(item.get("edits") or {}) if edits is None else edits
        source_id = str(item["source_id"])
        article_path = store / str(item.get("file", ""))
        try:
            article = article_path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return Decision(False, f"the article text is missing from the store ({article_path})")

        sources_header = _read_table(data_dir / "sources.csv", SOURCE_COLUMNS)[1]
        excerpts_header = _read_table(data_dir / "excerpts.csv", EXCERPT_COLUMNS)[1]
        events_header = _read_table(data_dir / "events.csv", EVENT_COLUMNS)[1]
        known_sources = {r["source_id"] for r in read_csv_rows(data_dir / "sources.csv")}
        excerpt_rows = read_csv_rows(data_dir / "excerpts.csv")
        known_excerpts = {r["excerpt_id"] for r in excerpt_rows}
        known_events = {r["event_id"]: r for r in read_csv_rows(data_dir / "events.csv")}

        event_id = event_id_of(item)
        if event_id in known_events:
            if known_events[event_id].get("source_id") != source_id:
                return Decision(False, f"{event_id} is already in events.csv: nothing was changed")
            # Its own row: an accept from before accepts were journalled stopped short of
            # the queue. The data has the event; the queue now says so.
            check_writable(queue.path.parent)
            queue.update(candidate_id, status="accepted", event_id=event_id, edits=edits)
            return Decision(
                True,
                f"accepted as {event_id} (its row was already in events.csv, from an accept "
                "that was interrupted: the queue now says so)",
                event_id=event_id,
            )

        # Sources: a row for an article the data does not know yet.
        new_sources: list[dict[str, str]] = []
        if source_id not in known_sources:
            meta = item.get("source_meta") or {}
            new_sources.append(
                {
                    "source_id": source_id,
                    "title": meta.get("title") or Path(str(item.get("source", ""))).stem,
                    "publisher": meta.get("publisher", ""),
                    "author": meta.get("author", ""),
                    "published": meta.get("published", ""),
                    "url": meta.get("url", ""),
                    "file": str(item.get("file", "")),
                    "licence": LICENCE,
                }
            )
            checked, problems = v.validate_sources(
                v.read_rows(
                    ",".join(sources_header) + "\n" + _csv_lines(sources_header, new_sources),
                    "sources.csv",
                    SOURCE_COLUMNS,
                )[0],
                "sources.csv",
            )
            if _first_error(problems):
                return Decision(False, f"refused: sources.csv: {_first_error(problems)}")
            # A link the atlas would not show (queued before links were checked) is left out.
            new_sources[0]["url"] = str(checked[0]["url"]) if checked else ""

        # Excerpts: the sentence and its supporting sentences, reusing identical ones.
        spans = [(item["char_start"], item["char_end"], item["excerpt"])]
        spans += [
            (s["char_start"], s["char_end"], s["excerpt"]) for s in item.get("supporting", [])
        ]
        existing = {
            (r["source_id"], r["char_start"], r["char_end"], r["text"]): r["excerpt_id"]
            for r in excerpt_rows
        }
        excerpt_ids: list[str] = []
        new_excerpts: list[dict[str, str]] = []
        for number, (start, end, text) in enumerate(spans, start=1):
            known = existing.get((source_id, str(start), str(end), text))
            if known:
                excerpt_ids.append(known)
                continue
            xid = f"X-{candidate_id[:10]}" + (f"-{number}" if number > 1 else "")
            if xid in known_excerpts:
                return Decision(False, f"excerpt id {xid} is already taken: nothing was changed")
            excerpt_ids.append(xid)
            new_excerpts.append(
                {
                    "excerpt_id": xid,
                    "source_id": source_id,
                    "char_start": str(start),
                    "char_end": str(end),
                    "text": text,
                }
            )
        if new_excerpts:
            rows, problems = v.read_rows(
                ",".join(excerpts_header) + "\n" + _csv_lines(excerpts_header, new_excerpts),
                "excerpts.csv",
                EXCERPT_COLUMNS,
            )
            _, problems2 = v.validate_excerpts(rows, "excerpts.csv", {source_id: article})
            reason = _first_error(problems + problems2)
            if reason:
                return Decision(False, f"refused: excerpts.csv: {reason}")

        # The event.
        values = event_values(item, edits)
        if values["iso"] not in AREAS:
            return Decision(
                False,
                f"refused: iso: unknown country code {values['iso'][:20]!r} "
                "(expected KAZ, KGZ or CHN)",
            )
        # A region typed by any of its names is written under the one the atlas shows.
        values["admin1"] = placenames.admin1_name(values["admin1"], values["iso"])
        values.update(
            event_id=event_id,
            date_end="",
            event_type=str(item.get("event_type", "")),
            sub_event_type=str(item.get("sub_event_type", "")),
            assoc_actor_1="",
            country=COUNTRY_NAMES[values["iso"]],
            fatalities="",
            site_id="",
            source_id=source_id,
            excerpt_ids=";".join(excerpt_ids),
            tags="ingested",
        )
        record, reason = check_event(values, events_header)
        if reason or record is None:
            return Decision(False, f"refused: events.csv: {reason}")
        warnings = _border_warnings(record)

        # Nothing is written unless the data folder and the queue can both take their part.
        check_writable(data_dir, queue.path.parent)
        journal = {
            "candidate_id": candidate_id,
            "event_id": event_id,
            "edits": edits,
            "queue": str(queue.path.resolve()),
            "rows": {
                "sources.csv": new_sources,
                "excerpts.csv": new_excerpts,
                "events.csv": [{k: values.get(k, "") for k in events_header}],
            },
        }
        write_atomic(_journal_path(data_dir), json.dumps(journal, ensure_ascii=False))
        _complete(journal, data_dir)
    return Decision(True, f"accepted as {event_id}", event_id=event_id, warnings=warnings)


def _journal_path(data_dir: Path) -> Path:
    return data_dir / QUEUE_FILE.parent / JOURNAL


def _complete(journal: dict, data_dir: Path) -> None:
    """Carry out a journalled accept: append each row its file does not hold yet, mark the
    candidate accepted, then drop the journal. Running it again changes nothing more."""
    for name, key, columns in TABLES:
        rows = journal["rows"].get(name) or []
        if not rows:
            continue
        path = data_dir / name
        text, header = _read_table(path, columns)
        present = {r.get(key, "") for r in read_csv_rows(path)}
        missing = [r for r in rows if r.get(key, "") not in present]
        if missing:
            write_atomic(path, _append(text, _csv_lines(header, missing)))
    queue = ReviewQueue(Path(journal["queue"]))
    item = queue.get(journal["candidate_id"])
    if item is not None and item.get("status") != "accepted":
        queue.update(
            journal["candidate_id"],
            status="accepted",
            event_id=journal["event_id"],
            edits=journal.get("edits") or {},
        )
    try:
        _journal_path(data_dir).unlink(missing_ok=True)
    except OSError as exc:
        raise CannotWrite(_journal_path(data_dir), exc.strerror or type(exc).__name__) from None


def _finish(data_dir: Path) -> dict[str, str]:
    """Complete an accept that was interrupted (the data lock held): {candidate id: event
    id}, empty when none was. A journal that cannot be read is left for a person to see."""
    path = _journal_path(data_dir)
    try:
        journal = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CannotWrite(path, f"an interrupted accept's journal cannot be read ({exc})") from None
    _complete(journal, data_dir)
    return {str(journal["candidate_id"]): str(journal["event_id"])}


def interrupted(data_dir: Path) -> bool:
    """Whether an accept was interrupted and waits to be completed."""
    return _journal_path(data_dir).exists()


def finish_interrupted(data_dir: Path) -> Decision | None:
    """Complete an accept that was interrupted, if one was: its decision, else None. The
    Ingest page calls it when it opens, so the queue never shows such a candidate waiting."""
    if not interrupted(data_dir):
        return None
    try:
        with locked(data_dir / QUEUE_FILE.parent, DATA_LOCK):
            finished = _finish(data_dir)
    except CannotWrite as exc:
        return Decision(False, f"an interrupted accept could not be completed: {exc}")
    if not finished:
        return None
    ((_, event_id),) = finished.items()
    return Decision(
        True,
        f"An accept that was interrupted is now complete: {event_id} is in the data.",
        event_id=event_id,
    )


def _border_warnings(record: dict) -> list[str]:
    """The loader's point-in-polygon check for one row (a warning, as in the bundle)."""
    import pandas as pd

    from geo.bundle import check_countries

    frame = pd.DataFrame([{**record, "line": 0}])
    return [p.reason for p in check_countries(frame, "events.csv", "event_id")]
