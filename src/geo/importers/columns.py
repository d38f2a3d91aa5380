"""Picking a CSV's columns for the atlas's fields: the file's header and first rows, the
fields a mapping can name (the importers' own lists), and a first guess from the columns'
names, so the import page can offer one picker per field.

Nothing here imports Streamlit: the page shows what these functions return.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from geo.importers.base import UnreadableFile, cr_line_ends, encoding_problem, sniff_delimiter
from geo.importers.generic import FIELDS, NOT_TEXT, SITE_FIELDS

# The header and the preview rows come from the file's first bytes; a CSV's header is short.
HEAD_BYTES = 1 << 20
PREVIEW_ROWS = 5

FIELD_LABELS: dict[str, str] = {
    "event_id": "Id",
    "site_id": "Id",
    "event_date": "Date",
    "date_open": "Opened (date)",
    "date_close": "Closed (date)",
    "latitude": "Latitude",
    "longitude": "Longitude",
    "iso": "Country",
    "category": "Category (per row)",
    "title": "Title",
    "name": "Name",
    "event_type": "Event type",
    "sub_event_type": "Sub-event type",
    "site_type": "Site type",
    "actor1": "Actor",
    "assoc_actor_1": "Associated actor",
    "admin1": "Admin-1 region",
    "location": "Place",
    "geo_precision": "Location precision",
    "fatalities": "Fatalities",
    "tags": "Tags",
    "notes": "Notes",
    "updated": "Timestamp (a newer row replaces)",
}
# The fields most files have, shown first; the others go under "more fields".
MAIN_FIELDS = (
    "latitude",
    "longitude",
    "event_id",
    "site_id",
    "title",
    "name",
    "event_date",
    "date_open",
    "date_close",
    "iso",
    "notes",
)
# Column names (lower case, letters and digits only) that obviously hold a field; a name
# ending in "*" matches any column starting with it.
_NAMES: dict[str, tuple[str, ...]] = {
    "latitude": ("lat", "latitude", "y", "latdd", "latitudedd"),
    "longitude": ("long", "lon", "lng", "longitude", "x", "londd", "longitudedd"),
    "event_id": ("eventid", "id", "uid", "eventidcnty", "identifier"),
    "site_id": ("siteid", "id", "uid", "facilityid", "identifier"),
    "title": ("title", "name", "headline", "title*", "name*"),
    "name": ("name", "title", "facilityname", "sitename", "name*", "title*"),
    "event_date": ("eventdate", "date", "day"),
    "date_open": ("dateopen", "opened", "opendate", "dateopened", "openingdate", "startdate"),
    "date_close": ("dateclose", "closed", "closedate", "dateclosed", "closingdate", "enddate"),
    "iso": ("iso", "iso3", "country", "countrycode", "countryiso", "cc"),
    "category": ("category",),
    "event_type": ("eventtype",),
    "sub_event_type": ("subeventtype",),
    "site_type": ("sitetype", "facilitytype", "type"),
    "actor1": ("actor1", "actor"),
    "assoc_actor_1": ("assocactor1",),
    "admin1": ("admin1", "region", "province", "oblast"),
    "location": ("location", "place", "city", "town"),
    "geo_precision": ("geoprecision",),
    "fatalities": ("fatalities", "deaths"),
    "tags": ("tags",),
    "notes": ("notes", "note", "description", "comments", "notes*"),
    "updated": ("updated", "timestamp"),
}


@dataclass(frozen=True)
class CsvPreview:
    """A CSV's header (names stripped, as the importers read them), its first rows (padded
    or cut to the header's width) and the delimiter."""

    header: list[str]
    rows: list[list[str]]
    delimiter: str

    @property
    def columns(self) -> list[str]:
        """The named columns, in file order: what a field can be read from."""
        return [name for name in self.header if name]


def preview_csv(data: bytes, rows: int = PREVIEW_ROWS) -> CsvPreview:
    """The header and first ``rows`` records of a CSV given as bytes.

    Raises :class:`~geo.importers.base.UnreadableFile`, with a reason a reader can act on,
    when the file is empty, binary or not UTF-8, or its header names no column or one
    column twice."""
    head = data[:HEAD_BYTES]
    if not head.strip():
        raise UnreadableFile("the file is empty: no header row")
    if problem := encoding_problem(head):
        raise UnreadableFile(problem)
    if b"\x00" in head:
        raise UnreadableFile("this is not a text file (it holds binary data): upload a CSV")
    cr_ends = cr_line_ends(data[: HEAD_BYTES + 1])
    if len(data) > HEAD_BYTES:
        end = max(head.rfind(b"\n"), head.rfind(b"\r") if cr_ends else -1)
        head = head[: end + 1] or head  # whole lines only
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if len(data) > HEAD_BYTES and exc.start >= len(head) - 4:
            text = head[: exc.start].decode("utf-8-sig")  # a character cut at the end
        else:
            raise UnreadableFile(
                f"the file is not UTF-8 text (byte {exc.start + 1} cannot be read): "
                "save it as UTF-8 and upload it again"
            ) from exc
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = sniff_delimiter(first)
    # As the importers read it: a classic Mac file's CRs end its lines.
    reader = csv.reader(io.StringIO(text, newline="" if cr_ends else "\n"), delimiter=delimiter)
    try:
        header = [name.strip() for name in next(reader)]
    except (StopIteration, csv.Error) as exc:
        raise UnreadableFile(f"the header (line 1) cannot be read: {exc}") from exc
    if not any(header):
        raise UnreadableFile("the header (line 1) names no column")
    twice = sorted(name for name, n in Counter(h for h in header if h).items() if n > 1)
    if twice:
        raise UnreadableFile(
            f"the header (line 1) names {len(twice)} column(s) more than once: "
            + ", ".join(repr(name) for name in twice[:10])
            + ": give each column its own name and upload the file again"
        )
    width = len(header)
    found: list[list[str]] = []
    try:
        for record in reader:
            if len(found) >= rows:
                break
            if not any(v.strip() for v in record):
                continue
            found.append([v.strip() for v in record[:width]] + [""] * (width - len(record)))
    except csv.Error:
        pass  # the preview stops at a broken record; the import reports it by its line
    return CsvPreview(header, found, delimiter)


def mapping_fields(sites: bool) -> tuple[str, ...]:
    """The fields a mapping can name, as the importer of events or of sites reads them,
    the main ones first."""
    known = SITE_FIELDS if sites else FIELDS
    main = tuple(f for f in MAIN_FIELDS if f in known)
    return main + tuple(f for f in known if f not in main)


def _key(name: str) -> str:
    return re.sub(r"[^0-9a-z]+", "", name.casefold())


def guess_columns(preview: CsvPreview, fields: Sequence[str]) -> dict[str, str]:
    """For each field, the column whose name obviously holds it (case and punctuation
    aside), if any: columns with values in the preview rows before empty ones ("N/A" is
    empty), then exact names before prefixes; a column is guessed for one field at most."""
    filled = {
        name
        for i, name in enumerate(preview.header)
        if name and any(row[i].upper() not in NOT_TEXT for row in preview.rows)
    }
    keys = {name: _key(name) for name in preview.columns}
    taken: set[str] = set()
    guesses: dict[str, str] = {}
    for field in fields:
        best: tuple[int, int, int, str] | None = None
        for rank, wanted in enumerate(_NAMES.get(field, (_key(field),))):
            prefix = wanted.endswith("*")
            stem = wanted.rstrip("*")
            for position, (name, key) in enumerate(keys.items()):
                if name in taken or not (key.startswith(stem) if prefix else key == stem):
                    continue
                score = (0 if name in filled else 1, rank, position, name)
                if best is None or score < best:
                    best = score
        if best is not None:
            guesses[field] = best[3]
            taken.add(best[3])
    return guesses


def picked_mapping(picks: Mapping[str, str | None]) -> dict[str, str]:
    """The importer's mapping from one pick per field: a field picked as none maps to no
    column (rather than to a column that happens to share its name)."""
    return {field: column or "" for field, column in picks.items()}


def shared_columns(mapping: Mapping[str, str]) -> dict[str, list[str]]:
    """Columns picked for more than one field, each with those fields (in mapping order)."""
    fields_of: dict[str, list[str]] = {}
    for field, column in mapping.items():
        if column:
            fields_of.setdefault(column, []).append(field)
    return {column: fields for column, fields in fields_of.items() if len(fields) > 1}


def upload_name(name: str, default: str = "upload.csv") -> str:
    """A file name for an upload (it names the file among the store's imports and prefixes
    its sites' ids): the base name, with anything but letters, digits, ``._-`` and spaces
    replaced."""
    base = re.split(r"[/\\]", name or "")[-1]
    safe = re.sub(r"[^\w. -]+", "-", base).strip(" .-")
    return safe[:120] or default
