"""ViewState: everything a view depends on, and its URL encoding.

Decoding never raises: each missing, unknown, malformed or out-of-range parameter falls back
to its default and adds a notice saying so. Encoding omits defaults, so the plain URL is the
default view and a shared link carries only what differs.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Container, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from geo.model import AREAS, EARLIEST_DATE, Category, latest_date
from geo.picks import FACETS, parse_pick_key

# C0/C1 controls but whitespace (tab, newlines), DEL, and the bidirectional overrides and
# isolates that make text display in an order other than the one it is stored in.
_INVISIBLE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# C0 controls but tab and newline, DEL and C1: no parameter keeps them (PostgreSQL refuses a
# NUL in any text it is given, so one in ``sel`` would fail the page).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# ASCII digits, and nothing after (``$`` would allow a trailing newline).
MONTH = re.compile(r"^([0-9]{4})-([0-9]{2})\Z")
MAX_VALUE = 1000
MAX_QUERY = 200
KNOWN_KEYS = (
    "from",
    "to",
    "country",
    "cat",
    "region",
    "q",
    "sel",
    "undated",
    "pick",
    "map",
    "play",
    "win",
    "src",  # the Sources page's article, read by that page (geo.sources.pick_source)
)
MAX_PICKS = 200
MAX_PICKS_VALUE = 20_000
PLAY_MODES = ("window", "cumulative")
DEFAULT_WINDOW = 12
# The map's opening viewport (latitude, longitude) and zoom: left out of links.
DEFAULT_CENTER = (43.5, 71.5)
DEFAULT_ZOOM = 4.0


@dataclass(frozen=True)
class Bounds:
    """What the data allows: its month span, the ids that can be selected, the regions."""

    first_month: str
    last_month: str
    ids: Container[str] = frozenset()
    regions: tuple[str, ...] = ()
    # The region key (one of ``regions``) any other name of a region means, if any.
    region_of: Callable[[str], str | None] | None = None


@dataclass(frozen=True)
class ViewState:
    """Everything a view depends on but the data: what the link carries (see
    :data:`KNOWN_KEYS`), decoded by :func:`decode` and written by :func:`encode`."""

    start: str  # first month shown, "YYYY-MM"
    end: str  # last month shown, inclusive
    countries: tuple[str, ...] = ()  # ISO3 codes; empty means all
    categories: tuple[str, ...] = ()  # Category values; empty means all
    query: str = ""
    selected: str | None = None  # event_id or site_id
    undated: bool = True  # show events whose date is unknown
    regions: tuple[str, ...] = ()  # admin-1 region names; empty means all
    # Chart selection: pick keys such as "month:2019-09+iso:KAZ" (see geo.picks).
    picks: tuple[str, ...] = ()
    center: tuple[float, float] | None = None  # map centre (lat, lon); None: fit the region
    zoom: float | None = None
    play_mode: str = "window"  # playback: a moving window, or cumulative from the start
    window: int = DEFAULT_WINDOW  # months in the moving window

    @classmethod
    def default(cls, bounds: Bounds) -> ViewState:
        return cls(start=bounds.first_month, end=bounds.last_month)

    def with_selected(self, selected: str | None) -> ViewState:
        return replace(self, selected=selected)

    def with_picks(self, picks: tuple[str, ...]) -> ViewState:
        return replace(self, picks=picks)


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


def month_key(day: date) -> str:
    """The ``YYYY-MM`` month of a date (the year zero-padded, as ``%Y`` does not always)."""
    return month_of(day.year * 12 + day.month - 1)


def plausible_span(first: str, last: str) -> tuple[str, str]:
    """A month span cut to the plausible dates (:data:`geo.model.EARLIEST_DATE` to
    :func:`geo.model.latest_date`), so whatever dates a store holds, a view's months exist
    and a month after its last one can be written down."""
    low, high = month_index(month_key(EARLIEST_DATE)), month_index(month_key(latest_date()))
    start = min(max(month_index(first), low), high)
    end = min(max(month_index(last), start), high)
    return month_of(start), month_of(end)


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


def strip_controls(value: str) -> str:
    """``value`` without control characters (tab and newline kept): what every link
    parameter is cut to before anything, a store included, sees it."""
    return _CONTROL.sub("", value)


def decode(params: Mapping[str, str | Sequence[str]], bounds: Bounds) -> Decoded:
    """Turn URL query parameters into a valid ViewState, with a notice per fallback.
    Control characters are stripped from every value first (:func:`strip_controls`)."""
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
        if len(value) > (MAX_PICKS_VALUE if key == "pick" else MAX_VALUE) and key != "q":
            notes.append(f"Link parameter '{key}' is too long ({len(value)} characters); ignored.")
            continue
        cleaned = strip_controls(value)
        if cleaned != value:
            notes.append(f"Link parameter '{key}' had control characters; removed them.")
        values[key] = cleaned

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

    raw_query = values.get("q", "")
    query = clean_query(raw_query)
    if _INVISIBLE.search(raw_query):
        notes.append("Search text had control or direction-changing characters; removed them.")
    if len(" ".join(_INVISIBLE.sub("", raw_query).split())) > MAX_QUERY:
        notes.append(f"Search text was longer than {MAX_QUERY} characters; shortened.")

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

    regions = _decode_list(
        values.get("region"), "region", list(bounds.regions), notes, bounds.region_of
    )
    picks = _decode_picks(values.get("pick"), notes)
    center, zoom = _decode_map(values.get("map"), notes)

    play_mode = values.get("play", "window")
    if play_mode not in PLAY_MODES:
        notes.append(
            f"Link parameter 'play' = {_shown(play_mode)} is not 'window' or 'cumulative'; "
            "used 'window'."
        )
        play_mode = "window"
    window = DEFAULT_WINDOW
    if "win" in values:
        raw = values["win"].strip()
        if raw.isascii() and raw.isdigit() and 1 <= int(raw) <= 120:
            window = int(raw)
        else:
            notes.append(
                f"Link parameter 'win' = {_shown(values['win'])} is not a number of months "
                f"from 1 to 120; used {DEFAULT_WINDOW}."
            )

    out.state = ViewState(
        regions=regions,
        picks=picks,
        center=center,
        zoom=zoom,
        play_mode=play_mode,
        window=window,
        start=month_of(start),
        end=month_of(end),
        countries=countries,
        categories=categories,
        query=query,
        selected=selected,
        undated=undated,
    )
    return out


def clean_query(text: str) -> str:
    """Search text as the view keeps it: no control or direction-changing characters,
    whitespace runs as one space, at most MAX_QUERY characters (never ending in a space)."""
    query = " ".join(_INVISIBLE.sub("", text).split())
    return query[:MAX_QUERY].rstrip()


def _decode_list(
    raw: str | None,
    key: str,
    allowed: list[str],
    notes: list[str],
    known_as: Callable[[str], str | None] | None = None,
) -> tuple[str, ...]:
    if not raw:
        return ()
    wanted = {part.strip() for part in raw.split(",") if part.strip()}
    if known_as is not None:  # another name of an allowed value stands for it
        wanted = {w if w in allowed else (known_as(w) or w) for w in wanted}
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


def _decode_picks(raw: str | None, notes: list[str]) -> tuple[str, ...]:
    if not raw:
        return ()
    picks: list[str] = []
    for item in raw.split("|"):
        item = item.strip()
        if not item:
            continue
        parsed = parse_pick_key(item)
        if parsed is None or any(facet not in FACETS for facet, _ in parsed):
            notes.append(f"Chart selection {_shown(item)} is not understood; left out.")
            continue
        if item not in picks:
            picks.append(item)
    if len(picks) > MAX_PICKS:
        notes.append(f"Chart selection had more than {MAX_PICKS} parts; kept the first ones.")
        picks = picks[:MAX_PICKS]
    return tuple(sorted(picks))


def _decode_map(
    raw: str | None, notes: list[str]
) -> tuple[tuple[float, float] | None, float | None]:
    if not raw:
        return None, None
    parts = raw.split(",")
    try:
        if len(parts) != 3:
            raise ValueError
        lat, lon, zoom = (float(p) for p in parts)
        if not all(math.isfinite(x) for x in (lat, lon, zoom)):
            raise ValueError
    except ValueError:
        notes.append(
            f"Link parameter 'map' = {_shown(raw)} is not 'latitude,longitude,zoom'; "
            "showing the whole region."
        )
        return None, None
    clamped = (min(max(lat, -85.0), 85.0), min(max(lon, -180.0), 180.0), min(max(zoom, 1.0), 18.0))
    if clamped != (lat, lon, zoom):
        notes.append("Link parameter 'map' was out of range; moved inside the world.")
    return (round(clamped[0], 4), round(clamped[1], 4)), round(clamped[2], 2)


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
    if state.regions:
        params["region"] = ",".join(state.regions)
    if state.picks:
        params["pick"] = "|".join(state.picks)
    # The map reports its opening centre a few pixels off the one it was given.
    at_default = (
        state.center is not None
        and abs(state.center[0] - DEFAULT_CENTER[0]) < 0.1
        and abs(state.center[1] - DEFAULT_CENTER[1]) < 0.1
        and state.zoom == DEFAULT_ZOOM
    )
    if state.center is not None and state.zoom is not None and not at_default:
        params["map"] = f"{state.center[0]:.4f},{state.center[1]:.4f},{state.zoom:g}"
    if state.play_mode != "window":
        params["play"] = state.play_mode
    if state.window != DEFAULT_WINDOW:
        params["win"] = str(state.window)
    return params
