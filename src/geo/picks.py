"""Pick keys: how a chart's bar or point names the events it stands for, and back.

Every bar or point of every figure in :mod:`geo.charts` carries a *pick key* in
``customdata[0]``: the facet values it stands for, as ``facet:value`` parts joined by ``+``,
for example ``month:2019-09+iso:KAZ``, ``category:protest``,
``actor:Democratic Choice of Kazakhstan (DVK)`` or ``event:EV025``. Facets are ``month``
(YYYY-MM of the event's start, or the view's first month for an event that started earlier and
runs into the view, as the charts count it), ``iso``, ``category``, ``actor`` (any name of
``actor1`` or ``assoc_actor_1`` split on ``;``), ``event`` (an event id) and ``region`` (the
events' ``region`` column); the site charts of
:mod:`geo.funding` add ``committed`` (a project's commitment year), ``sector`` and
``currency`` (an amount's currency-year, e.g. ``USD2017``), which no event matches.

A ``month`` value may also be a span, ``2018-02..2020-11`` (both ends included): a box drawn
on the month chart is kept as one such key per country it touches
(``month:2018-02..2020-11+iso:KAZ``) rather than one key per bar, so its link stays short and
reads as what the user chose (see :func:`pick_keys_from_selection`).

A value is written as :func:`geo.safe_html.text` escapes it, with ``+``, ``:`` and ``|``
also written as ``&#43;``, ``&#58;`` and ``&#124;``, so a key is inert wherever it is shown,
always splits back into its parts, and several keys join with ``|`` (as the URL does);
:func:`encode_value` is that escaping.

:func:`pick_keys_from_selection` reads the dict ``st.plotly_chart(on_select="rerun")``
returns; the store turns the keys into the events they stand for
(:func:`geo.store.sql.pick_filter`, each value unescaped and bound as a parameter).
"""

from __future__ import annotations

import contextlib
import html
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date

from geo import safe_html
from geo.model import AREAS, CATEGORY_LABELS, Category, currency_words

FACETS = ("month", "iso", "category", "actor", "event", "region", "committed", "sector", "currency")
MAX_PICK_KEY = 2000  # longer strings in a selection are not ours
MAX_PICKS = 5000

_KEY_SPECIALS = str.maketrans({"+": "&#43;", ":": "&#58;", "|": "&#124;"})


def encode_value(value: object) -> str:
    """A facet value as a pick key writes it (see the module's docstring)."""
    return safe_html.text(value).translate(_KEY_SPECIALS)


def pick_key(*facets: tuple[str, object]) -> str:
    """The pick key for ``(facet, value)`` pairs, values escaped as the module explains."""
    return "+".join(f"{facet}:{encode_value(value)}" for facet, value in facets)


def parse_pick_key(key: object) -> tuple[tuple[str, str], ...] | None:
    """The ``(facet, escaped value)`` pairs of a key, or ``None`` if it is not well formed.

    Unknown facet names parse (they match nothing); an empty facet or value, or a facet
    named twice, does not.
    """
    if not isinstance(key, str) or not key or len(key) > MAX_PICK_KEY:
        return None
    parts: list[tuple[str, str]] = []
    for part in key.split("+"):
        facet, colon, value = part.partition(":")
        if not colon or not facet or not value or facet != facet.strip():
            return None
        if "|" in value or any(facet == seen for seen, _ in parts):
            return None
        parts.append((facet, value))
    return tuple(parts)


def pick_keys_from_selection(selection: object) -> tuple[str, ...]:
    """The sorted unique pick keys of the points in a Plotly chart selection.

    Accepts what ``st.plotly_chart(..., on_select="rerun")`` returns (or keeps in session
    state): ``{"selection": {"points": [{"customdata": [key, ...], ...}], ...}}``; the inner
    ``{"points": [...]}`` dict is accepted too. Anything malformed is skipped; never raises.

    A point whose ``customdata`` gives, after its key, a count of 0 (an empty bar segment)
    stands for no event and is left out. When the selection is a box or a lasso, the month
    bars in it become one key per country: the span from the first to the last month
    selected (:func:`month_spans`).
    """
    try:
        return _pick_keys(selection)
    except Exception:  # a selection comes from the browser: never let it break the page
        return ()


def _pick_keys(selection: object) -> tuple[str, ...]:
    if not isinstance(selection, Mapping):
        selection = getattr(selection, "selection", None)
        if not isinstance(selection, Mapping):
            return ()
    inner = selection.get("selection", selection)
    if not isinstance(inner, Mapping):
        return ()
    points = inner.get("points")
    if not isinstance(points, list | tuple):
        return ()
    keys: set[str] = set()
    for point in points[:MAX_PICKS]:
        if not isinstance(point, Mapping):
            continue
        data = point.get("customdata")
        key = data[0] if isinstance(data, list | tuple) and data else data
        if isinstance(data, list | tuple) and len(data) > 1 and _counts_nothing(data[1]):
            continue
        parsed = parse_pick_key(key)
        if parsed is not None and all(facet in FACETS for facet, _ in parsed):
            keys.add(str(key))
    if inner.get("box") or inner.get("lasso"):
        return month_spans(keys)
    return tuple(sorted(keys))


def _counts_nothing(count: object) -> bool:
    return isinstance(count, int | float) and not isinstance(count, bool) and count == 0


# ---- month spans ----

_MONTH = re.compile(r"([0-9]{4})-(0[1-9]|1[0-2])\Z")
SPAN = ".."


def _month_number(text: str) -> int | None:
    match = _MONTH.match(text)
    return int(match.group(1)) * 12 + int(match.group(2)) - 1 if match else None


def month_span(value: str) -> tuple[str, str] | None:
    """The first and last month of a ``month`` value (``2019-09`` or ``2018-02..2020-11``),
    or ``None`` if it is neither a month nor a span of months in order."""
    first, sep, last = value.partition(SPAN)
    last = last if sep else first
    low, high = _month_number(first), _month_number(last)
    if low is None or high is None or low > high:
        return None
    return first, last


def _month_part(key: str) -> tuple[tuple[str, str], str | None] | None:
    """A key of a month (or span) and at most a country: its span and country."""
    parsed = parse_pick_key(key) or ()
    facets = dict(parsed)
    if "month" not in facets or not set(facets) <= {"month", "iso"} or len(facets) != len(parsed):
        return None
    span = month_span(facets["month"])
    return None if span is None else (span, facets.get("iso"))


def month_spans(keys: Iterable[str]) -> tuple[str, ...]:
    """``keys`` with their month keys made one span: from the first to the last month they
    name, one key per country they name (a single month stays ``month:2019-09``). Other keys
    are kept as they are. Sorted, each once."""
    months: list[str] = []
    isos: set[str | None] = set()
    out: set[str] = set()
    for key in keys:
        part = _month_part(key)
        if part is None:
            out.add(key)
            continue
        months += part[0]
        isos.add(part[1])
    if months:
        first, last = min(months), max(months)
        month = first if first == last else f"{first}{SPAN}{last}"
        for iso in isos:
            out.add(f"month:{month}" + (f"+iso:{iso}" if iso is not None else ""))
    return tuple(sorted(out))


def covers(pick: str, point: str) -> bool:
    """Whether the pick key ``pick`` stands for everything the key ``point`` (a chart's bar or
    point) stands for: every facet of ``pick`` is one of ``point``'s, with the same value, or
    a month span holding ``point``'s month."""
    wanted, given = parse_pick_key(pick), parse_pick_key(point)
    if not wanted or not given:
        return False
    values = dict(given)
    for facet, value in wanted:
        if facet not in values:
            return False
        if facet == "month":
            span, month = month_span(value), month_span(values[facet])
            if span is None or month is None or not span[0] <= month[0] <= month[1] <= span[1]:
                return False
        elif values[facet] != value:
            return False
    return True


def describe_pick(key: str) -> str:
    """A key in words, as plain (unescaped) text: ``September 2019 · Kazakhstan``.

    Escape it for wherever it is shown (``safe_html.markdown`` for Streamlit Markdown).
    """
    parsed = parse_pick_key(key) or ()
    words: list[str] = []
    for facet, value in parsed:
        plain = html.unescape(value)
        if facet == "month":
            plain = _month_words(plain)
        elif facet == "iso" and plain in AREAS:
            plain = AREAS[plain].name
        elif facet == "category" and plain in {c.value for c in Category}:
            plain = CATEGORY_LABELS[Category(plain)]
        elif facet == "committed":
            plain = f"committed in {plain}"
        elif facet == "currency":
            plain = currency_words(plain)
        elif facet == "sector":
            plain = plain.capitalize()
        words.append(plain)
    return " · ".join(words)


def _month_name(month: str) -> str:
    with contextlib.suppress(ValueError):
        return date.fromisoformat(f"{month}-01").strftime("%B %Y")
    return month


def _month_words(value: str) -> str:
    span = month_span(value)
    if span is None:
        return value
    first, last = span
    return _month_name(first) if first == last else f"{_month_name(first)} – {_month_name(last)}"


def _country_words(isos: list[str | None]) -> str:
    names = [AREAS[i].name if i in AREAS else html.unescape(i) for i in isos if i is not None]
    if len(names) <= 1:
        return "".join(names)  # a month bar of no one country: the month says it all
    return ", ".join(names[:-1]) + f" and {names[-1]}"


def describe_picks(keys: Sequence[str], most: int = 8) -> str:
    """A chart selection in words, as plain (unescaped) text: the month bars of each
    country as spans of months (``February 2018 – November 2020 · Kazakhstan and
    Kyrgyzstan``), many of them summed up (``31 bars from February 2018 to November 2020 ·
    …``), then the other keys (:func:`describe_pick`), at most ``most`` of them."""
    by_iso: dict[str | None, list[tuple[int, int]]] = {}
    others: list[str] = []
    for key in keys:
        part = _month_part(key)
        if part is None:
            others.append(key)
            continue
        (first, last), iso = part
        by_iso.setdefault(iso, []).append((_month_number(first) or 0, _month_number(last) or 0))
    phrases: list[str] = []
    if by_iso:
        runs = {iso: _runs(spans) for iso, spans in by_iso.items()}
        countries: dict[tuple[tuple[int, int], ...], list[str | None]] = {}
        for iso in sorted(runs, key=lambda i: list(AREAS).index(i) if i in AREAS else 99):
            countries.setdefault(runs[iso], []).append(iso)
        if len(countries) > 3 or any(len(r) > 3 for r in countries):
            low = min(run[0][0] for run in runs.values())
            high = max(run[-1][1] for run in runs.values())
            where = _country_words([i for i in runs if i is not None])
            phrases.append(
                f"{sum(len(s) for s in by_iso.values())} bars from {_month_name(_month_of(low))}"
                f" to {_month_name(_month_of(high))}" + (f" · {where}" if where else "")
            )
        else:
            for spans, isos in countries.items():
                when = ", ".join(_month_words(_span_value(a, b)) for a, b in spans)
                where = _country_words(isos)
                phrases.append(when + (f" · {where}" if where else ""))
    phrases += [describe_pick(k) for k in others]
    more = f" and {len(phrases) - most} more" if len(phrases) > most else ""
    return "; ".join(phrases[:most]) + more


def _month_of(number: int) -> str:
    return f"{number // 12:04d}-{number % 12 + 1:02d}"


def _span_value(low: int, high: int) -> str:
    return _month_of(low) if low == high else f"{_month_of(low)}{SPAN}{_month_of(high)}"


def _runs(spans: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    """Month spans (as month numbers) merged where they touch or overlap."""
    runs: list[tuple[int, int]] = []
    for low, high in sorted(spans):
        if runs and low <= runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], max(runs[-1][1], high))
        else:
            runs.append((low, high))
    return tuple(runs)
