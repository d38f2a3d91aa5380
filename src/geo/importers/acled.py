"""ACLED exports (the 2023 column set) onto the atlas's model.

ACLED's ``iso`` is numeric (398 Kazakhstan, 417 Kyrgyzstan, 156 China: only Xinjiang lies in
the atlas's area), ``event_date`` is "27 March 2021" or "2021-03-27", and its precision codes
(1 to 3) are kept beside the atlas's own words for them. ``timestamp`` orders versions of one
``event_id_cnty``: a newer one replaces the stored row.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from geo.importers.base import (
    ImportResult,
    Progress,
    read_deletions,
    read_records,
    run_import,
)
from geo.importers.rejects import Rejects
from geo.model import AREAS, Category, Confidence, GeoPrecision, TimePrecision
from geo.store.base import StoreWriter
from geo.validate import (
    MAX_FIELD,
    RowError,
    check_plausible,
    parse_id,
    parse_partial_date,
    parse_point,
)

COLUMNS = [
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
    "timestamp",
]
REQUIRED = ["event_id_cnty", "event_date", "event_type", "iso", "latitude", "longitude"]
ORIGIN = "acled"

ISO_NUMERIC = {"398": "KAZ", "417": "KGZ", "156": "CHN"}
MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_WORDS_DATE = re.compile(r"^([0-9]{1,2})[ -]([A-Za-z]+)[ -]([0-9]{4})$")
_WHOLE = re.compile(r"(-?[0-9]{1,18})(?:\.0+)?")
_ISO_DATE = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})$")
# ACLED's geo_precision: 1 the town itself, 2 near it or a part of a region, 3 a larger region
# (its capital stands in).
GEO_PRECISION = {1: GeoPrecision.CITY, 2: GeoPrecision.REGION, 3: GeoPrecision.REGION}
GEO_PRECISION_WORD = {code: str(p) for code, p in GEO_PRECISION.items()}
MEDIUM = str(Confidence.MEDIUM)
# ACLED's time_precision: 1 the day, 2 within a week (the day given), 3 the month.
TIME_PRECISION = {1: TimePrecision.DAY, 2: TimePrecision.DAY, 3: TimePrecision.MONTH}


def parse_date(value: str) -> date:
    """A day written as ACLED writes it: "27 March 2021", "27-Mar-2021" or "2021-03-27",
    within the plausible span (:func:`geo.validate.check_plausible`)."""
    text = value.strip()
    day: date | None = None
    found = _ISO_DATE.match(text)
    try:
        if found:
            day = date(int(found.group(1)), int(found.group(2)), int(found.group(3)))
        elif (found := _WORDS_DATE.match(text)) and found.group(2).lower() in MONTHS:
            day = date(int(found.group(3)), MONTHS[found.group(2).lower()], int(found.group(1)))
    except ValueError as exc:
        raise RowError("event_date", f"impossible date {text[:40]!r}: {exc}") from None
    if day is not None:
        check_plausible(day, day, "event_date", text)
        return day
    if not text:
        raise RowError("event_date", "missing")
    raise RowError("event_date", f"unparseable date {text[:40]!r}")


def _code(value: str, field: str) -> int | None:
    text = value.strip()
    if not text:
        return None
    if text not in ("1", "2", "3"):
        raise RowError(field, f"precision code {text[:20]!r} is not 1, 2 or 3")
    return int(text)


def _whole(value: str, field: str) -> int | None:
    text = value.strip()
    if not text:
        return None
    found = _WHOLE.fullmatch(text)
    if found is None:
        raise RowError(field, f"not a whole number: {text[:40]!r}")
    return int(found.group(1))


def iso_of(value: str) -> str:
    text = value.strip()
    iso = ISO_NUMERIC.get(text) or (text.upper() if text.upper() in AREAS else None)
    if iso is None:
        raise RowError(
            "iso",
            f"country code {text[:20]!r} is outside the atlas (398 Kazakhstan, "
            "417 Kyrgyzstan, 156 China for Xinjiang)",
        )
    return iso


def category_of(event_type: str, sub_event_type: str) -> Category:
    kind, sub = event_type.strip().lower(), sub_event_type.strip().lower()
    if sub == "arrests":
        return Category.DETENTION
    if kind in ("protests", "riots"):
        return Category.PROTEST
    if kind == "strategic developments":
        return Category.POLICY
    return Category.OTHER


def parse_row(values: dict[str, str]) -> dict[str, object]:
    """One ACLED record as a store row; raises RowError naming the field at fault."""
    if max(map(len, values.values()), default=0) > MAX_FIELD:
        name = next(n for n, v in values.items() if len(v) > MAX_FIELD)
        raise RowError(name, f"value of {len(values[name])} characters exceeds {MAX_FIELD}")
    event_id = parse_id(values["event_id_cnty"], "event_id_cnty")
    day = parse_date(values["event_date"])
    time_code = _code(values.get("time_precision", ""), "time_precision")
    precision = TIME_PRECISION.get(time_code or 1, TimePrecision.DAY)
    if precision is TimePrecision.MONTH:
        event_date = f"{day:%Y-%m}"
        start, stop = parse_partial_date(event_date, precision, "event_date")
    else:
        event_date, start, stop = day.isoformat(), day, day
    iso = iso_of(values["iso"])
    latitude, longitude = parse_point(values, iso)
    geo_code = _code(values.get("geo_precision", ""), "geo_precision")
    updated = _whole(values.get("timestamp", ""), "timestamp") or 0
    fatalities = _whole(values.get("fatalities", ""), "fatalities")
    event_type = values["event_type"]
    sub_event_type = values.get("sub_event_type", "")
    location = values.get("location", "")
    title = f"{sub_event_type or event_type} in {location or values.get('admin1', '') or iso}"
    source = values.get("source", "")
    notes = values.get("notes", "")
    if source:
        notes = f"{notes} | Source (ACLED): {source}" if notes else f"Source (ACLED): {source}"
    return {
        "event_id": event_id,
        "event_date": event_date,
        "date_end": "",
        "time_precision": str(precision),
        "category": str(category_of(event_type, sub_event_type)),
        "event_type": event_type,
        "sub_event_type": sub_event_type,
        "title": title,
        "actor1": values.get("actor1", ""),
        "assoc_actor_1": values.get("assoc_actor_1", ""),
        "country": values.get("country", "") or AREAS[iso].name,
        "iso": iso,
        "admin1": values.get("admin1", ""),
        "location": location,
        "latitude": latitude,
        "longitude": longitude,
        "geo_precision": GEO_PRECISION_WORD[geo_code or 1],
        "fatalities": "" if fatalities is None else str(fatalities),
        "confidence": MEDIUM,
        "tags": values.get("tags", ""),
        "notes": notes,
        "start": start,
        "stop": stop,
        "updated": updated,
        "geo_precision_code": geo_code,
        "time_precision_code": time_code,
        "actor2": values.get("actor2", ""),
        "admin2": values.get("admin2", ""),
        "source_name": source,
    }


def import_acled(
    path: str | Path,
    store: StoreWriter,
    *,
    deletions: str | Path | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Import an ACLED export into ``store`` (one transaction). Raises
    :class:`~geo.importers.base.UnreadableFile` when the file cannot be read at all."""
    rejects = Rejects()
    deleted: Sequence[str] = read_deletions(deletions) if deletions else ()
    _, records = read_records(path, REQUIRED, rejects, progress)
    return run_import(store, records, parse_row, rejects, origin=ORIGIN, deletions=deleted)
