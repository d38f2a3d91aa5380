"""Dates in running text: absolute, relative to the publication date, or relative to the
previous date the article mentioned, each with its precision.

- Absolute: "27 March 2021", "March 27, 2021", "2021-03-27" (day); "February 2020",
  "early February 2020" (month); "in 2018", "the 2016 protests" (year).
- Relative to the publication date: "On March 27", "since early February" (the latest such
  day or month not after publication), "last year", "this month", "two years ago",
  "yesterday", "on Saturday".
- Relative to the previous date mentioned: "the following July", "that year", "the next
  month", "three years later".

:class:`DateReader` reads an article's sentences in order and keeps the previous date.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol, TypeVar

from geo.ingest.counts import UNITS
from geo.model import TimePrecision

MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# "a year ago", "two months later": counts up to ten, spelled as the counts module spells them.
SMALL_NUMBERS = {"a": 1, "an": 1} | {w: n for w, n in UNITS.items() if n <= 10}

_M = (
    r"(?:(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December)\b|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\b\.?)"
)
_D = r"(?:[12][0-9]|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_Y = r"(?:1[89][0-9]{2}|20[0-9]{2})"
_PART = r"(?:(?:[Ee]arly|[Mm]id|[Ll]ate|the\s+(?:end|beginning|start|middle)\s+of)[\s-]+)?"
_NO_YEAR_AFTER = rf"(?![\s,]*{_Y}\b)(?![\d:])"
_N = r"(?i:\d{1,2}|an?|one|two|three|four|five|six|seven|eight|nine|ten)"
_CROWD_AFTER = re.compile(
    r"\s+(?:people|persons|protesters|protestors|demonstrators|residents|workers|citizens|"
    r"activists|students|villagers|employees|members|participants)\b"
)
_QUANTIFIER_BEFORE = re.compile(
    r"(?:about|around|some|over|nearly|almost|than|least|to|approximately|roughly)\s+$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class DateMention:
    """A date found in the text, resolved to an ISO partial date when possible."""

    start: int
    end: int
    text: str
    value: str  # YYYY-MM-DD, YYYY-MM or YYYY; "" when it could not be resolved
    precision: TimePrecision
    basis: str  # "stated", "publication date", "previous date", or why it is unresolved

    @property
    def resolved(self) -> bool:
        """Whether the mention was turned into a date."""
        return bool(self.value)


@dataclass(frozen=True)
class _Anchor:
    day: date
    precision: TimePrecision


def iso(day: date, precision: TimePrecision) -> str:
    """A date written at its precision: ``2021-03-27``, ``2021-03`` or ``2021``."""
    if precision is TimePrecision.DAY:
        return day.isoformat()
    if precision is TimePrecision.MONTH:
        return f"{day.year:04d}-{day.month:02d}"
    return f"{day.year:04d}"


def _month(word: str) -> int:
    return MONTHS[word.strip(".").lower()[:3]]


def _day(word: str) -> int:
    # The date patterns' day group always starts with digits: the match is never None.
    return int(re.match(r"\d+", word).group())  # type: ignore[union-attr]


def _number(word: str) -> int:
    word = word.lower()
    return int(word) if word.isdigit() else SMALL_NUMBERS[word]


Resolved = tuple[date, TimePrecision, str] | str  # (date, precision, basis) or why not
Handler = Callable[[re.Match[str], "DateReader"], Resolved | None]


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _stated_day(m: re.Match[str], _: DateReader) -> Resolved | None:
    if m.group("m").isdigit():  # ISO
        found = _safe_date(int(m.group("y")), int(m.group("m")), int(m.group("d")))
    else:
        found = _safe_date(int(m.group("y")), _month(m.group("m")), _day(m.group("d")))
    return (found, TimePrecision.DAY, "stated") if found else None


def _stated_month(m: re.Match[str], _: DateReader) -> Resolved | None:
    return date(int(m.group("y")), _month(m.group("m")), 1), TimePrecision.MONTH, "stated"


def _stated_year(m: re.Match[str], _: DateReader) -> Resolved | None:
    return date(int(m.group("y")), 1, 1), TimePrecision.YEAR, "stated"


def _bare_year(m: re.Match[str], reader: DateReader) -> Resolved | None:
    before = m.string[max(0, m.start() - 20) : m.start()]
    if _QUANTIFIER_BEFORE.search(before) or _CROWD_AFTER.match(m.string, m.end()):
        return None  # "about 2000 people" is a count, not a year
    return _stated_year(m, reader)


def _day_no_year(m: re.Match[str], reader: DateReader) -> Resolved | None:
    published = reader.published
    if published is None:
        return "year not stated and no publication date known"
    month, day = _month(m.group("m")), _day(m.group("d"))
    found = _safe_date(published.year, month, day)
    if found is None:
        return None
    if found > published:
        found = _safe_date(published.year - 1, month, day)
    return (found, TimePrecision.DAY, "publication date") if found else None


def _month_no_year(m: re.Match[str], reader: DateReader) -> Resolved | None:
    published = reader.published
    month = _month(m.group("m"))
    if m.group("prep").lower() == "this":
        if published is None:
            return "year not stated and no publication date known"
        return date(published.year, month, 1), TimePrecision.MONTH, "publication date"
    if published is None:
        return "year not stated and no publication date known"
    year = published.year if month <= published.month else published.year - 1
    return date(year, month, 1), TimePrecision.MONTH, "publication date"


def _following_month(m: re.Match[str], reader: DateReader) -> Resolved | None:
    anchor = reader.previous
    if anchor is None:
        return "no earlier date to count from"
    month = _month(m.group("m"))
    if anchor.precision is TimePrecision.YEAR:
        year = anchor.day.year + 1
    else:
        year = anchor.day.year if month > anchor.day.month else anchor.day.year + 1
    return date(year, month, 1), TimePrecision.MONTH, "previous date"


def _relative_to_publication(m: re.Match[str], reader: DateReader) -> Resolved | None:
    published = reader.published
    if published is None:
        return "relative to a publication date that is not known"
    words = m.group().lower().split()
    if words[0] in ("yesterday", "today"):
        shift = 1 if words[0] == "yesterday" else 0
        return published - timedelta(days=shift), TimePrecision.DAY, "publication date"
    if words[-1] in WEEKDAYS:
        back = (published.weekday() - WEEKDAYS.index(words[-1])) % 7
        if words[0] == "last" and back == 0:
            back = 7
        return published - timedelta(days=back), TimePrecision.DAY, "publication date"
    if words[-1] == "ago":
        count, unit = _number(words[0]), words[1]
        if unit.startswith("year"):
            return date(published.year - count, 1, 1), TimePrecision.YEAR, "publication date"
        months = published.year * 12 + published.month - 1 - count
        return date(months // 12, months % 12 + 1, 1), TimePrecision.MONTH, "publication date"
    which, unit = words[0], words[-1]
    shift = {"last": -1, "this": 0, "next": 1}[which]
    if unit == "year":
        return date(published.year + shift, 1, 1), TimePrecision.YEAR, "publication date"
    months = published.year * 12 + published.month - 1 + shift
    return date(months // 12, months % 12 + 1, 1), TimePrecision.MONTH, "publication date"


def _relative_to_previous(m: re.Match[str], reader: DateReader) -> Resolved | None:
    anchor = reader.previous
    if anchor is None:
        return "no earlier date to count from"
    words = m.group().lower().split()
    unit = "year" if words[-1].startswith("year") or words[-2].startswith("year") else "month"
    if words[-1] == "later":
        count = _number(words[0])
    elif words[0] in ("that", "same") or words[:2] == ["the", "same"]:
        count = 0
    else:  # the following / next year|month
        count = 1
    if unit == "year":
        return date(anchor.day.year + count, 1, 1), TimePrecision.YEAR, "previous date"
    if anchor.precision is TimePrecision.YEAR:
        return "a month counted from a date known only to the year"
    months = anchor.day.year * 12 + anchor.day.month - 1 + count
    return date(months // 12, months % 12 + 1, 1), TimePrecision.MONTH, "previous date"


# Tried at every position; the earliest match wins, then the longest.
PATTERNS: tuple[tuple[re.Pattern[str], Handler], ...] = (
    (re.compile(r"\b(?P<y>\d{4})-(?P<m>0[1-9]|1[0-2])-(?P<d>0[1-9]|[12]\d|3[01])\b"), _stated_day),
    (re.compile(rf"\b(?P<d>{_D})\s+(?:of\s+)?(?P<m>{_M}),?\s+(?P<y>{_Y})\b"), _stated_day),
    (re.compile(rf"\b(?P<m>{_M})\s+(?P<d>{_D}),?\s+(?P<y>{_Y})\b"), _stated_day),
    (re.compile(rf"\b{_PART}(?P<m>{_M}),?\s+(?P<y>{_Y})\b"), _stated_month),
    (re.compile(rf"\b(?P<m>{_M})\s+(?P<d>{_D})\b{_NO_YEAR_AFTER}"), _day_no_year),
    (re.compile(rf"\b(?P<d>{_D})\s+(?:of\s+)?(?P<m>{_M}){_NO_YEAR_AFTER}"), _day_no_year),
    (re.compile(rf"\b(?:[Tt]he\s+)?(?:following|next)\s+(?P<m>{_M})"), _following_month),
    (
        re.compile(
            r"\b(?P<prep>[Ii]n|[Ss]ince|[Oo]n|[Bb]y|[Uu]ntil|[Tt]ill|[Ff]rom|[Dd]uring|"
            r"[Tt]hrough|[Bb]efore|[Aa]fter|[Ll]ast|[Tt]his|[Ee]arly|[Ll]ate|[Mm]id)"
            rf"[\s-]+(?:(?:early|mid|late|the\s+end\s+of|the\s+beginning\s+of)[\s-]+)?"
            rf"(?P<m>{_M})(?!\.?[\s,]*\d)"
        ),
        _month_no_year,
    ),
    (
        re.compile(
            r"\b(?:[Ii]n|[Ss]ince|[Bb]y|[Uu]ntil|[Ff]rom|[Dd]uring|[Oo]f|[Ee]arly|[Ll]ate|"
            r"[Mm]id|[Aa]round|[Bb]efore|[Aa]fter|[Tt]hroughout|the\s+(?:end|start|beginning|"
            rf"middle)\s+of)[\s-]+(?P<y>{_Y})\b(?![\d,.]\d|s\b)"
        ),
        _stated_year,
    ),
    (
        re.compile(r"(?<![\d$€£.,/])\b(?P<y>19[5-9]\d|20[0-4]\d)\b(?![\d,.]\d|s\b|\s*%)"),
        _bare_year,
    ),
    (
        re.compile(
            r"\b(?:[Ll]ast|[Tt]his|[Nn]ext)\s+(?:year|month)\b|"
            rf"\b{_N}\s+(?:years?|months?)\s+ago\b|\b(?:[Yy]esterday|[Tt]oday)\b|"
            r"\b(?:[Oo]n|[Ll]ast)\s+(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|"
            r"Sunday)\b"
        ),
        _relative_to_publication,
    ),
    (
        re.compile(
            r"\b(?:[Tt]hat|[Tt]he\s+same)\s+(?:year|month)\b|"
            r"\b[Tt]he\s+(?:following|next)\s+(?:year|month)\b|"
            rf"\b{_N}\s+(?:years?|months?)\s+later\b"
        ),
        _relative_to_previous,
    ),
)


# Cheap test first: a sentence without a digit, a month or a relative word has no date.
_DATEISH = re.compile(
    r"\d|\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec|[Yy]ear|[Mm]onth|[Yy]esterday|"
    r"[Tt]oday|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
)


class DateReader:
    """Reads the dates of an article's sentences in order, keeping the previous date."""

    def __init__(self, published: date | None) -> None:
        self.published = published
        self.previous: _Anchor | None = None

    def read(self, text: str, start: int = 0, end: int | None = None) -> list[DateMention]:
        """The dates in ``text[start:end]``, in order; resolved ones become the anchor for
        dates counted from the previous one."""
        stop = len(text) if end is None else end
        if not _DATEISH.search(text, start, stop):
            return []
        found: list[tuple[int, int, Handler, re.Match[str]]] = []
        for pattern, handler in PATTERNS:
            for m in pattern.finditer(text, start, stop):
                found.append((m.start(), -m.end(), handler, m))
        return resolve_in_order(found, lambda h, m: h(m, self), self)


H = TypeVar("H")


class Anchored(Protocol):
    """A date reader: the last date it resolved, which dates counted from it start from."""

    previous: _Anchor | None


def resolve_in_order(
    found: list[tuple[int, int, H, re.Match[str]]],
    resolve: Callable[[H, re.Match[str]], Resolved | None],
    reader: Anchored,
) -> list[DateMention]:
    """The date mentions of the matches ``found`` (start, minus end, handler, match): in text
    order, the longest at each place, none inside another. Each is resolved by ``resolve``
    while ``reader``'s previous resolved date is the anchor of the ones counted from it (in
    any language's reader)."""
    found.sort(key=lambda item: (item[0], item[1]))
    mentions: list[DateMention] = []
    taken_until = -1
    for begin, negative_end, handler, m in found:
        if begin < taken_until:
            continue
        result = resolve(handler, m)
        if result is None:
            continue
        end_at = -negative_end
        taken_until = end_at
        if isinstance(result, str):
            mentions.append(
                DateMention(begin, end_at, m.group(), "", TimePrecision.UNKNOWN, result)
            )
            continue
        day, precision, basis = result
        mentions.append(
            DateMention(begin, end_at, m.group(), iso(day, precision), precision, basis)
        )
        reader.previous = _Anchor(day, precision)
    return mentions


def strip_date_line(line: str) -> str:
    """A line that may be only a date, without its label ("Published:"), weekday, time of day
    and surrounding rules."""
    stripped = re.sub(
        r"^\s*(?:published|posted|updated|date)?\s*(?:on)?\s*:?\s*", "", line, flags=re.I
    )
    stripped = stripped.strip(" \t\xa0|·-–—").strip()
    stripped = re.sub(r"^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,?\s+", "", stripped)
    return re.sub(r"[T\s]+\d{1,2}:\d{2}.*$", "", stripped)  # a time after the date


def english_date_line(stripped: str) -> tuple[date, TimePrecision] | None:
    """A stripped line (:func:`strip_date_line`) that is only a date in English or in
    numbers ("Apr 8, 2021", "8 April 2021", "2021-04-08"), as the date and its precision;
    any language's: :func:`geo.ingest.datelines.parse_date_line`."""
    for pattern, handler in PATTERNS[:4]:
        m = pattern.fullmatch(stripped)
        if m:
            result = handler(m, DateReader(None))
            if isinstance(result, tuple):
                return result[0], result[1]
    return None
