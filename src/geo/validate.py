"""Row-level validation of the data files, with file, line and field for every problem.

A bad row never takes a good one with it: each validator returns the rows that passed and
a list of :class:`Problem`. Errors reject the row; warnings keep it and say what is doubtful.
"""

from __future__ import annotations

import calendar
import csv
import io
import math
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal, TypeVar

from geo.model import (
    AREAS,
    EARLIEST_DATE,
    EVENT_COLUMNS,
    EXCERPT_COLUMNS,
    REGION_BBOX,
    SITE_COLUMNS,
    SOURCE_COLUMNS,
    Category,
    Confidence,
    GeoPrecision,
    TimePrecision,
    latest_date,
)
from geo.safe_html import url_problem

csv.field_size_limit(1_000_000)

ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")
# Long enough for a 100 kB note pasted from a report; longer is a data error, not text.
MAX_FIELD = 200_000


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one row of one file."""

    file: str
    line: int
    field: str
    reason: str
    severity: Literal["error", "warning"] = "error"
    record_id: str = ""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        who = f" [{self.record_id}]" if self.record_id else ""
        return f"{where}: {self.severity}: {self.field}: {self.reason}{who}"


@dataclass(frozen=True)
class Row:
    """A CSV record as read: its first physical line and its fields as strings."""

    line: int
    values: dict[str, str]


class RowError(Exception):
    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


def read_rows(text: str, file: str, columns: list[str]) -> tuple[list[Row], list[Problem]]:
    """Parse CSV text into rows keyed by column, noting the line each record starts on.

    Missing required columns are one file-level problem; a record with the wrong number of
    fields is reported and skipped.
    """
    problems: list[Problem] = []
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        return [], [Problem(file, 1, "(file)", "file is empty: no header row")]
    except csv.Error as exc:
        return [], [Problem(file, 1, "(file)", f"unreadable CSV header: {exc}")]
    header = [h.strip().lstrip("\ufeff") for h in header]
    missing = [c for c in columns if c not in header]
    if missing:
        problems.append(Problem(file, 1, "(header)", f"missing column(s): {', '.join(missing)}"))
        return [], problems
    rows: list[Row] = []
    line = reader.line_num + 1
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(Problem(file, line, "(row)", f"unreadable CSV record: {exc}"))
            line = reader.line_num + 1
            continue
        start, line = line, reader.line_num + 1
        if not record or all(not v.strip() for v in record):
            continue
        if len(record) != len(header):
            problems.append(
                Problem(
                    file,
                    start,
                    "(row)",
                    f"has {len(record)} fields, the header has {len(header)}",
                )
            )
            continue
        rows.append(Row(start, {h: v.strip() for h, v in zip(header, record, strict=True)}))
    return rows, problems


# ---- field parsers: return the clean value or raise RowError ----


def parse_id(value: str, field: str) -> str:
    if not value:
        raise RowError(field, "missing")
    if not ID_PATTERN.match(value):
        raise RowError(field, f"not a valid id (letters, digits, _.:- ; max 64): {value[:40]!r}")
    return value


E = TypeVar("E", Category, GeoPrecision, Confidence, TimePrecision)


def parse_enum(value: str, field: str, enum: type[E], default: E | None = None) -> E:
    if not value and default is not None:
        return default
    try:
        return enum(value.strip().lower())
    except ValueError:
        allowed = ", ".join(e.value for e in enum)
        raise RowError(
            field, f"unknown value {value[:40]!r} (expected one of: {allowed})"
        ) from None


# ASCII digits only: ``\d`` would also accept other scripts' digits ("２０２１").
_DATE_FORMS: dict[TimePrecision, re.Pattern[str]] = {
    TimePrecision.DAY: re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})$"),
    TimePrecision.MONTH: re.compile(r"^([0-9]{4})-([0-9]{2})$"),
    TimePrecision.YEAR: re.compile(r"^([0-9]{4})$"),
}


def check_plausible(first: date, last: date, field: str, value: str) -> None:
    """Raise :class:`RowError` unless the days ``first`` to ``last`` (what ``value`` covers)
    lie from :data:`~geo.model.EARLIEST_DATE` to :func:`~geo.model.latest_date`. Every
    reader of dates calls this, so a 9999-12-31 placeholder or a 0001-01-01 never loads."""
    latest = latest_date()
    if first < EARLIEST_DATE or last > latest:
        raise RowError(
            field,
            f"date {value[:40]!r} lies outside the plausible span "
            f"{EARLIEST_DATE.isoformat()} to {latest.isoformat()}",
        )


def parse_partial_date(value: str, precision: TimePrecision, field: str) -> tuple[date, date]:
    """The first and last day covered by an ISO date of the given precision, within the
    plausible span (:func:`check_plausible`)."""
    form = _DATE_FORMS.get(precision)
    match = form.match(value) if form else None
    if match is None:
        raise RowError(field, f"unparseable date {value[:40]!r} for precision {precision.value!r}")
    parts = [int(p) for p in match.groups()]
    try:
        if precision is TimePrecision.DAY:
            first = last = date(parts[0], parts[1], parts[2])
        elif precision is TimePrecision.MONTH:
            first = date(parts[0], parts[1], 1)
            last = date(parts[0], parts[1], calendar.monthrange(parts[0], parts[1])[1])
        else:
            first, last = date(parts[0], 1, 1), date(parts[0], 12, 31)
    except ValueError as exc:
        raise RowError(field, f"impossible date {value!r}: {exc}") from None
    check_plausible(first, last, field, value)
    return first, last


def infer_precision(value: str) -> TimePrecision:
    for precision, form in _DATE_FORMS.items():
        if form.match(value):
            return precision
    return TimePrecision.DAY


def parse_float(value: str, field: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise RowError(field, f"not a number: {value[:40]!r}") from None
    if not math.isfinite(number):
        raise RowError(field, f"not a finite number: {value!r}")
    return number


def in_bbox(lat: float, lon: float, bbox: tuple[float, float, float, float]) -> bool:
    south, west, north, east = bbox
    return south <= lat <= north and west <= lon <= east


def parse_point(row: dict[str, str], iso: str) -> tuple[float, float]:
    if not row.get("latitude") and not row.get("longitude"):
        raise RowError("latitude", "missing coordinates")
    lat = parse_float(row.get("latitude", ""), "latitude")
    lon = parse_float(row.get("longitude", ""), "longitude")
    if not (-90 <= lat <= 90):
        if -90 <= lon <= 90 and -180 <= lat <= 180:
            raise RowError("latitude", f"latitude {lat} out of range: swapped with longitude?")
        raise RowError("latitude", f"latitude {lat} out of range -90..90")
    if not (-180 <= lon <= 180):
        raise RowError("longitude", f"longitude {lon} out of range -180..180")
    area = AREAS[iso]
    if not in_bbox(lat, lon, area.bbox):
        if in_bbox(lon, lat, area.bbox):
            raise RowError(
                "latitude",
                f"({lat}, {lon}) lies outside {area.name}; swapped, it would lie inside: "
                "latitude and longitude look swapped",
            )
        if not in_bbox(lat, lon, REGION_BBOX):
            raise RowError(
                "latitude",
                f"({lat}, {lon}) lies outside the atlas's three areas "
                "(Kazakhstan, Kyrgyzstan, Xinjiang)",
            )
        raise RowError("latitude", f"({lat}, {lon}) lies outside {area.name}")
    return lat, lon


def parse_iso(value: str) -> str:
    iso = value.strip().upper()
    if iso not in AREAS:
        raise RowError("iso", f"unknown country code {value[:20]!r} (expected KAZ, KGZ or CHN)")
    return iso


def check_length(values: dict[str, str]) -> None:
    for field, value in values.items():
        if len(value) > MAX_FIELD:
            raise RowError(field, f"value of {len(value)} characters exceeds {MAX_FIELD}")


def split_ids(value: str) -> list[str]:
    return [v.strip() for v in value.split(";") if v.strip()]


# ---- record validators ----

Record = dict[str, object]
RowParser = Callable[[dict[str, str]], Record]


def _run(
    rows: Iterable[Row], file: str, id_field: str, parse: RowParser
) -> Iterator[tuple[Row, Record | None, Problem | None]]:
    seen: dict[str, int] = {}
    for row in rows:
        rid = row.values.get(id_field, "")
        try:
            check_length(row.values)
            record = parse(row.values)
            key = str(record[id_field])
            if key in seen:
                raise RowError(id_field, f"duplicate id {key!r} (first on line {seen[key]})")
            seen[key] = row.line
            yield row, record, None
        except RowError as err:
            yield row, None, Problem(file, row.line, err.field, err.reason, "error", rid[:64])


def _validate(
    rows: Iterable[Row], file: str, id_field: str, parse: RowParser
) -> tuple[list[Record], list[Problem]]:
    good: list[Record] = []
    problems: list[Problem] = []
    for row, record, problem in _run(rows, file, id_field, parse):
        if problem is not None:
            problems.append(problem)
        elif record is not None:
            record["line"] = row.line
            good.append(record)
    return good, problems


def _event(values: dict[str, str]) -> Record:
    event_id = parse_id(values["event_id"], "event_id")
    raw_date = values["event_date"]
    precision = parse_enum(
        values["time_precision"],
        "time_precision",
        TimePrecision,
        default=infer_precision(raw_date) if raw_date else TimePrecision.UNKNOWN,
    )
    start: date | None = None
    stop: date | None = None
    if raw_date:
        if precision is TimePrecision.UNKNOWN:
            precision = infer_precision(raw_date)
        start, stop = parse_partial_date(raw_date, precision, "event_date")
        if values.get("date_end"):
            _, stop = parse_partial_date(
                values["date_end"], infer_precision(values["date_end"]), "date_end"
            )
            if stop < start:
                raise RowError("date_end", f"ends ({values['date_end']}) before it starts")
    elif values.get("date_end"):
        raise RowError("event_date", "missing, but date_end is given")
    elif precision is not TimePrecision.UNKNOWN:
        raise RowError("event_date", "missing (set time_precision to 'unknown' for undated)")
    iso = parse_iso(values["iso"])
    lat, lon = parse_point(values, iso)
    record: Record = dict(values)
    record.update(
        event_id=event_id,
        time_precision=precision.value,
        category=parse_enum(values["category"], "category", Category).value,
        iso=iso,
        latitude=lat,
        longitude=lon,
        geo_precision=parse_enum(values["geo_precision"], "geo_precision", GeoPrecision).value,
        confidence=parse_enum(values["confidence"], "confidence", Confidence).value,
        start=start,
        stop=stop,
    )
    return record


def _site(values: dict[str, str]) -> Record:
    site_id = parse_id(values["site_id"], "site_id")
    iso = parse_iso(values["iso"])
    lat, lon = parse_point(values, iso)
    opened: date | None = None
    closed: date | None = None
    record: Record = dict(values)
    if values.get("date_open"):
        precision = parse_enum(
            values["open_precision"],
            "open_precision",
            TimePrecision,
            default=infer_precision(values["date_open"]),
        )
        opened, _ = parse_partial_date(values["date_open"], precision, "date_open")
        record["open_precision"] = precision.value  # the one inferred, when left blank
    if values.get("date_close"):
        precision = parse_enum(
            values["close_precision"],
            "close_precision",
            TimePrecision,
            default=infer_precision(values["date_close"]),
        )
        _, closed = parse_partial_date(values["date_close"], precision, "date_close")
        record["close_precision"] = precision.value
    if opened and closed and closed < opened:
        raise RowError("date_close", "closes before it opens")
    record.update(
        site_id=site_id,
        category=parse_enum(values["category"], "category", Category).value,
        iso=iso,
        latitude=lat,
        longitude=lon,
        geo_precision=parse_enum(values["geo_precision"], "geo_precision", GeoPrecision).value,
        confidence=parse_enum(values["confidence"], "confidence", Confidence).value,
        start=opened,
        stop=closed,
    )
    return record


def _source(values: dict[str, str]) -> Record:
    record: Record = dict(values)
    record["source_id"] = parse_id(values["source_id"], "source_id")
    if not values.get("title"):
        raise RowError("title", "missing")
    return record


def _excerpt_parser(texts: dict[str, str]) -> RowParser:
    def parse(values: dict[str, str]) -> Record:
        record: Record = dict(values)
        record["excerpt_id"] = parse_id(values["excerpt_id"], "excerpt_id")
        source_id = parse_id(values["source_id"], "source_id")
        try:
            start, end = int(values["char_start"]), int(values["char_end"])
        except ValueError:
            raise RowError("char_start", "offsets are not whole numbers") from None
        if not 0 <= start < end:
            raise RowError("char_start", f"offsets {start}..{end} are not an increasing span")
        text = texts.get(source_id)
        if text is not None:
            if end > len(text):
                raise RowError("char_end", f"offset {end} lies past the end of the article text")
            if text[start:end] != values["text"]:
                raise RowError(
                    "text",
                    f"excerpt offsets {start}..{end} do not match the article text "
                    f"(the text there reads {text[start:end][:50]!r})",
                )
        record.update(char_start=start, char_end=end, offsets_checked=text is not None)
        return record

    return parse


def validate_events(rows: Iterable[Row], file: str) -> tuple[list[Record], list[Problem]]:
    return _validate(rows, file, "event_id", _event)


def validate_sites(rows: Iterable[Row], file: str) -> tuple[list[Record], list[Problem]]:
    return _validate(rows, file, "site_id", _site)


def validate_sources(rows: Iterable[Row], file: str) -> tuple[list[Record], list[Problem]]:
    """Validate sources; a ``url`` that is not a link the atlas shows
    (:func:`geo.safe_html.url_problem`) is a warning, and the source is kept without it."""
    records, problems = _validate(rows, file, "source_id", _source)
    for record in records:
        url = str(record.get("url") or "")
        reason = url_problem(url) if url else None
        if reason is not None:
            problems.append(
                Problem(
                    file,
                    int(str(record["line"])),
                    "url",
                    f"{reason}: the source is kept without its link",
                    "warning",
                    str(record["source_id"]),
                )
            )
            record["url"] = ""
    return records, problems


def validate_excerpts(
    rows: Iterable[Row], file: str, texts: dict[str, str]
) -> tuple[list[Record], list[Problem]]:
    """Validate excerpts; where the source's text is known, offsets must match it exactly."""
    return _validate(rows, file, "excerpt_id", _excerpt_parser(texts))


def check_links(
    records: list[Record],
    file: str,
    *,
    sources: set[str],
    excerpts: set[str],
    sites: set[str] | None = None,
) -> list[Problem]:
    """Warn about references to sources, excerpts or sites that did not load.

    The record is kept; the broken reference is removed from it so nothing downstream
    follows it.
    """
    problems: list[Problem] = []
    if not records:
        return problems
    id_field = "event_id" if "event_id" in records[0] else "site_id"
    for record in records:
        rid = str(record.get(id_field, ""))
        line = int(str(record.get("line", 0)))
        source_id = str(record.get("source_id", ""))
        if source_id and source_id not in sources:
            problems.append(
                Problem(file, line, "source_id", f"unknown source {source_id!r}", "warning", rid)
            )
            record["source_id"] = ""
        kept = []
        for xid in split_ids(str(record.get("excerpt_ids", ""))):
            if xid in excerpts:
                kept.append(xid)
            else:
                problems.append(
                    Problem(file, line, "excerpt_ids", f"unknown excerpt {xid!r}", "warning", rid)
                )
        record["excerpt_ids"] = ";".join(kept)
        site_id = str(record.get("site_id", ""))
        if sites is not None and site_id and site_id not in sites:
            problems.append(
                Problem(file, line, "site_id", f"unknown site {site_id!r}", "warning", rid)
            )
            record["site_id"] = ""
    return problems


COLUMNS_OF = {
    "events.csv": EVENT_COLUMNS,
    "sites.csv": SITE_COLUMNS,
    "sources.csv": SOURCE_COLUMNS,
    "excerpts.csv": EXCERPT_COLUMNS,
}


def read_text(path: Path) -> tuple[str | None, Problem | None]:
    """Read a UTF-8 file, or say why it could not be read."""
    try:
        return path.read_text(encoding="utf-8"), None
    except FileNotFoundError:
        return None, Problem(path.name, 0, "(file)", "file not found in the data folder")
    except UnicodeDecodeError as exc:
        return None, Problem(path.name, 0, "(file)", f"not UTF-8 text: {exc.reason}")
    except OSError as exc:
        return None, Problem(path.name, 0, "(file)", f"cannot be read: {exc.strerror}")
