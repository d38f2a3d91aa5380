"""ViewState: everything a view depends on, and its URL encoding.

Decoding never raises: each missing, unknown, malformed or out-of-range parameter falls back
to its default and adds a notice saying so. Encoding omits defaults, so the plain URL is the
default view and a shared link carries only what differs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from geo.model import AREAS, Category

# ASCII digits, and nothing after (``$`` would allow a trailing newline).
MONTH = re.compile(r"^([0-9]{4})-([0-9]{2})\Z")
MAX_VALUE = 1000
MAX_QUERY = 200
KNOWN_KEYS = ("from", "to", "country", "cat", "q", "sel", "undated")


@dataclass(frozen=True)
class Bounds:
    """What the data allows: its month span and the ids that can be selected."""

    first_month: str
    last_month: str
    ids: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ViewState:
    start: str  # first month shown, "YYYY-MM"
    end: str  # last month shown, inclusive
    countries: tuple[str, ...] = ()  # ISO3 codes; empty means all
    categories: tuple[str, ...] = ()  # Category values; empty means all
    query: str = ""
    selected: str | None = None  # event_id or site_id
    undated: bool = True  # show events whose date is unknown

    @classmethod
    def default(cls, bounds: Bounds) -> ViewState:
        return cls(start=bounds.first_month, end=bounds.last_month)

    def with_selected(self, selected: str | None) -> ViewState:
        return replace(self, selected=selected)


@dataclass
class Decoded:
    state: ViewState
    notices: list[str] = field(default_factory=list)


def month_index(month: str) -> int:
    match = MONTH.match(month)
    if not match:
        raise ValueError(month)
    year, mon = int(match.group(1)), int(match.group(2))
    if not 1 <= mon <= 12:
        raise ValueError(month)
    return year * 12 + mon - 1


def month_of(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def months_between(first: str, last: str) -> list[str]:
    return [month_of(i) for i in range(month_index(first), month_index(last) + 1)]


def _last(values: str | Sequence[str]) -> tuple[str, bool]:
    """The value to use for a key, and whether the key was repeated."""
    if isinstance(values, str):
        return values, False
    items = [str(x) for x in values]
    if not items:
        return "", False
    return items[-1], len(items) > 1


def _shown(value: str) -> str:
    shown = value[:40] + ("…" if len(value) > 40 else "")
    return repr(shown)


def decode(params: Mapping[str, str | Sequence[str]], bounds: Bounds) -> Decoded:
    """Turn URL query parameters into a valid ViewState, with a notice per fallback."""
    default = ViewState.default(bounds)
    out = Decoded(default)
    notes = out.notices
    values: dict[str, str] = {}
    for key, raw in params.items():
        if key not in KNOWN_KEYS:
            notes.append(f"Ignored unknown link parameter {_shown(str(key))}.")
            continue
        value, repeated = _last(raw)
        if repeated:
            notes.append(f"Link parameter '{key}' was given more than once; used the last one.")
        if len(value) > MAX_VALUE and key != "q":
            notes.append(f"Link parameter '{key}' is too long ({len(value)} characters); ignored.")
            continue
        values[key] = value

    first, last = month_index(bounds.first_month), month_index(bounds.last_month)
    start, end = first, last
    for key in ("from", "to"):
        if key not in values:
            continue
        try:
            index = month_index(values[key])
        except ValueError:
            notes.append(
                f"Link parameter '{key}' = {_shown(values[key])} is not a month (YYYY-MM); "
                "used the data's full span."
            )
            continue
        clamped = min(max(index, first), last)
        if clamped != index:
            notes.append(
                f"Link parameter '{key}' = {values[key]} lies outside the data "
                f"({bounds.first_month} to {bounds.last_month}); moved to {month_of(clamped)}."
            )
        if key == "from":
            start = clamped
        else:
            end = clamped
    if start > end:
        notes.append("Link parameters 'from' and 'to' were reversed; swapped them.")
        start, end = end, start

    countries = _decode_list(values.get("country"), "country", list(AREAS), notes)
    categories = _decode_list(values.get("cat"), "cat", [c.value for c in Category], notes)

    query = " ".join(values.get("q", "").split())
    if len(query) > MAX_QUERY:
        notes.append(f"Search text was longer than {MAX_QUERY} characters; shortened.")
        query = query[:MAX_QUERY]

    selected: str | None = values.get("sel") or None
    if selected is not None and selected not in bounds.ids:
        notes.append(f"Selected item {_shown(selected)} is not in the data; nothing selected.")
        selected = None

    undated = True
    if "undated" in values:
        flag = values["undated"].strip().lower()
        if flag in ("0", "false", "no"):
            undated = False
        elif flag not in ("1", "true", "yes"):
            notes.append(
                f"Link parameter 'undated' = {_shown(values['undated'])} is not 0 or 1; used 1."
            )

    out.state = ViewState(
        start=month_of(start),
        end=month_of(end),
        countries=countries,
        categories=categories,
        query=query,
        selected=selected,
        undated=undated,
    )
    return out


def _decode_list(
    raw: str | None, key: str, allowed: list[str], notes: list[str]
) -> tuple[str, ...]:
    if not raw:
        return ()
    wanted = {part.strip() for part in raw.split(",") if part.strip()}
    unknown = sorted(w for w in wanted if w not in allowed)
    for bad in unknown[:5]:
        notes.append(
            f"Link parameter '{key}' has unknown value {_shown(bad)}; "
            f"expected one of {', '.join(allowed)}."
        )
    if len(unknown) > 5:
        notes.append(f"Link parameter '{key}' has {len(unknown) - 5} more unknown values.")
    # Canonical order, so equal views encode to equal URLs.
    return tuple(a for a in allowed if a in wanted)


def encode(state: ViewState, bounds: Bounds) -> dict[str, str]:
    """Query parameters for ``state``; defaults are left out."""
    params: dict[str, str] = {}
    if state.start != bounds.first_month:
        params["from"] = state.start
    if state.end != bounds.last_month:
        params["to"] = state.end
    if state.countries:
        params["country"] = ",".join(state.countries)
    if state.categories:
        params["cat"] = ",".join(state.categories)
    if state.query:
        params["q"] = state.query
    if state.selected:
        params["sel"] = state.selected
    if not state.undated:
        params["undated"] = "0"
    return params
