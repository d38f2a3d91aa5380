"""What a brief of a view says, composed once for every format it is written in (the HTML
brief of :mod:`geo.export`): the summary line, the filters in a box, one table row per item
with the number of its citation and the excerpts quoted under it, the numbered citations,
the items that cannot be put on a map, and the short "Method and data" appendix.

Plain text throughout, like :mod:`geo.render`: each format escapes it for where it goes.
Working notes, character offsets, data hashes and file names are never in the body: the
appendix names the data version and where the rest is (the CSV export).
"""

from __future__ import annotations

import ipaddress
import math
import re
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from geo.model import AREAS, MONTH_NAMES
from geo.picks import describe_pick
from geo.placenames import region_label
from geo.render import (
    Citation,
    ItemFacts,
    category_label,
    country_label,
    describe_view,
    month_words,
    narrowing_words,
    plural,
)
from geo.view import ViewState

TITLE = "China in Central Asia: event brief"
ALL = "all"


@dataclass(frozen=True)
class Quote:
    """An excerpt quoted under its item, with the number of its source's citation."""

    text: str
    cite: int | None


@dataclass(frozen=True)
class Row:
    """One item of the table: its number, facts, the number of its source's citation, its
    excerpts, and its point (``None`` when a coordinate is missing: left off the map)."""

    number: int
    facts: ItemFacts
    cite: int | None
    quotes: tuple[Quote, ...]
    point: tuple[float, float] | None
    date: str  # short: '9 Jan 2019', 'Aug 2019', 'from 2012', 'undated'
    place: str  # short: the location, else the region, else the country

    @property
    def figures(self) -> str:
        """'Participants: ≥1,000 (RFE/RL); Arrests: 2' (those written)."""
        return "; ".join(f"{f.label}: {f.written}" for f in self.facts.figures if f.written)


@dataclass(frozen=True)
class Brief:
    title: str
    summary: str
    filters: tuple[tuple[str, str], ...]
    rows: tuple[Row, ...]
    citations: tuple[Citation, ...]
    n_events: int
    n_sites: int
    empty_words: str  # what to say when no item matches ('' when some do)

    @property
    def unmapped(self) -> tuple[Row, ...]:
        return tuple(r for r in self.rows if r.point is None)

    @property
    def mapped(self) -> tuple[Row, ...]:
        return tuple(r for r in self.rows if r.point is not None)


def _coordinate(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def point_of(record: Mapping[Hashable, Any]) -> tuple[float, float] | None:
    """(latitude, longitude) of a record; ``None`` when either is missing or not a number."""
    lat, lon = _coordinate(record.get("latitude")), _coordinate(record.get("longitude"))
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return lat, lon


def filter_lines(state: ViewState, undated: str) -> tuple[tuple[str, str], ...]:
    """The filters box: (label, words) for dates, countries, categories, regions, search,
    chart selection and undated events (``undated``: :func:`geo.export.undated_line`'s
    words after its label)."""
    countries = [country_label(c) for c in state.countries]
    every = ", ".join(area.name for area in AREAS.values())
    categories = [category_label(c) for c in state.categories]
    picks = "; ".join(describe_pick(k) for k in state.picks)
    return (
        ("Dates", f"{month_words(state.start)} to {month_words(state.end)}"),
        ("Countries", ", ".join(countries) if countries else f"{ALL} ({every})"),
        ("Categories", ", ".join(categories) if categories else ALL),
        ("Regions", ", ".join(map(region_label, state.regions)) if state.regions else ALL),
        ("Search", f"“{state.query}”" if state.query else "none"),
        ("Chart selection", picks or "none"),
        ("Undated events", undated),
    )


_PRECISION_NOTE = re.compile(r" \((?:month known, not the day|year known only)\)")
_MONTH = re.compile("|".join(MONTH_NAMES))


def short_date(when: str) -> str:
    """An item's date words (:func:`geo.render.event_when`, :func:`geo.render.site_when`)
    for a table cell: months shortened, the precision notes left out (the date's own form
    says it: 'Aug 2019' is a month)."""
    text = _MONTH.sub(lambda m: m.group(0)[:3], _PRECISION_NOTE.sub("", when))
    return "undated" if text == "date unknown" else text


def short_place(record: Mapping[Hashable, Any]) -> str:
    """The place for a table cell: the location, else the admin-1 region, else the
    country."""
    for key in ("location", "admin1"):
        value = record.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return country_label(str(record.get("iso", "")))


def _start_key(record: Mapping[Hashable, Any], key: str) -> tuple[bool, date, str]:
    start = record.get("start")
    dated = isinstance(start, date)
    return (not dated, start if isinstance(start, date) else date.min, str(record[key]))


def compose(
    state: ViewState,
    events: Iterable[tuple[Mapping[Hashable, Any], ItemFacts]],
    sites: Iterable[tuple[Mapping[Hashable, Any], ItemFacts]],
    *,
    n_undated: int,
    undated: str,
    first_month: str,
    last_month: str,
) -> Brief:
    """The brief of a view from its items' records and facts (events, then sites; each in
    date order, undated last). Citations are numbered in the order the table first cites
    them: an item's own source, then its excerpts' sources."""
    event_list = sorted(events, key=lambda p: _start_key(p[0], "event_id"))
    site_list = sorted(sites, key=lambda p: _start_key(p[0], "site_id"))
    numbers: dict[Citation, int] = {}

    def number(cited: Citation | None) -> int | None:
        if cited is None:
            return None
        return numbers.setdefault(cited, len(numbers) + 1)

    rows: list[Row] = []
    for record, facts in [*event_list, *site_list]:
        cite = number(facts.source)
        quotes = tuple(Quote(x.text, number(x.citation)) for x in facts.excerpts)
        rows.append(
            Row(
                len(rows) + 1,
                facts,
                cite,
                quotes,
                point_of(record),
                short_date(facts.when),
                short_place(record),
            )
        )
    empty = ""
    if not rows:
        steps = narrowing_words(state, first_month, last_month)
        empty = "No event or site matches this view."
        if steps:
            head = ", ".join(steps[:-1])
            empty += f" To see more, {f'{head} or {steps[-1]}' if head else steps[0]}."
    return Brief(
        title=TITLE,
        summary=describe_view(state, len(event_list), len(site_list), n_undated=n_undated),
        filters=filter_lines(state, undated),
        rows=tuple(rows),
        citations=tuple(numbers),
        n_events=len(event_list),
        n_sites=len(site_list),
        empty_words=empty,
    )


def citation_words(cited: Citation) -> Sequence[str]:
    """A citation's parts for a numbered list: the title, then publisher, author, date."""
    return (f"“{cited.title}”" if cited.title else "(untitled source)", *cited.details)


LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


def is_local(link: str | None) -> bool:
    """Whether ``link`` points at this machine (loopback, ``localhost``, or no host): a
    reader elsewhere cannot open it."""
    if not link:
        return True
    host = (urlsplit(link).hostname or "").lower()
    if not host or host in LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def counts_words(brief: Brief) -> str:
    return f"{plural(brief.n_events, 'event')} and {plural(brief.n_sites, 'site')}"
