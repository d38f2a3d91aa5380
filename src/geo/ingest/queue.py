"""The review queue: candidates waiting for a person to accept, edit or reject them.

One JSON object per line (``queue.jsonl``): the candidate's fields (see
:class:`geo.ingest.extract.Candidate`) plus ``status`` (pending, accepted, rejected),
``edits``, ``event_id`` once accepted, ``reason``, timestamps, the source's metadata and the
ids of excerpts already in the data for the same span.

A candidate is known by its id (source + span + content hash) and, so that an edited
article adds only what is new, by its source and sentence text: the same sentence in a
new version of an article, at another offset, is not queued again. A sentence that tells
of several places ("rallies in Zhanaozen and Kyzylorda") gives one candidate per place,
told apart by their ``part``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from geo.ingest.store import locked, write_atomic

STATUSES = ("pending", "accepted", "rejected")


def now() -> str:
    """The current UTC time, to the second, in ISO 8601."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


class ReviewQueue:
    """A queue file; every change rewrites it atomically under the folder's lock."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def items(self) -> list[dict]:
        """Every queued candidate, in the order queued (a bad line is skipped)."""
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        items = []
        for line in lines:
            try:
                item = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(item, dict) and item.get("candidate_id"):
                items.append(item)
        return items

    def get(self, candidate_id: str) -> dict | None:
        """The entry with this candidate id, or None."""
        return next((i for i in self.items() if i["candidate_id"] == candidate_id), None)

    def _write(self, items: Iterable[dict]) -> None:
        text = "".join(json.dumps(i, ensure_ascii=False, sort_keys=True) + "\n" for i in items)
        write_atomic(self.path, text)

    def add(self, records: list[dict]) -> dict[str, str]:
        """Queue the records that are not known yet.

        Returns
        -------
        dict
            For every record's ``candidate_id``: ``"new"`` when queued now, else the status
            of the known entry (pending, accepted, rejected).
        """
        with locked(self.path.parent):
            items = self.items()
            by_id = {i["candidate_id"]: i for i in items}
            by_text = {
                (
                    i.get("base_source_id", i.get("source_id")),
                    i.get("excerpt_sha256"),
                    i.get("part", ""),
                ): i
                for i in items
            }
            statuses: dict[str, str] = {}
            added = False
            for record in records:
                text_key = (
                    record.get("base_source_id"),
                    record.get("excerpt_sha256"),
                    record.get("part", ""),
                )
                known = by_id.get(record["candidate_id"]) or by_text.get(text_key)
                if known is not None:
                    statuses[record["candidate_id"]] = str(known.get("status", "pending"))
                    continue
                entry = {
                    **record,
                    "status": "pending",
                    "edits": {},
                    "event_id": "",
                    "reason": "",
                    "queued_at": now(),
                    "decided_at": "",
                }
                items.append(entry)
                by_id[record["candidate_id"]] = entry
                by_text[text_key] = entry
                statuses[record["candidate_id"]] = "new"
                added = True
            if added:
                self._write(items)
            return statuses

    def update(self, candidate_id: str, **changes: object) -> dict | None:
        """Change one entry's fields (status, edits, event_id, reason...); returns it."""
        with locked(self.path.parent):
            items = self.items()
            for item in items:
                if item["candidate_id"] == candidate_id:
                    item.update(changes)
                    if "status" in changes:
                        item["decided_at"] = now()
                    self._write(items)
                    return item
        return None

    def counts(self) -> dict[str, int]:
        """How many entries have each status."""
        counts = dict.fromkeys(STATUSES, 0)
        for item in self.items():
            status = str(item.get("status", "pending"))
            counts[status] = counts.get(status, 0) + 1
        return counts
