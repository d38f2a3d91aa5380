"""Pick keys: how a chart's bar or point names the events it stands for, and back.

Every bar or point of every figure in :mod:`geo.charts` carries a *pick key* in
``customdata[0]``: the facet values it stands for, as ``facet:value`` parts joined by ``+``,
for example ``month:2019-09+iso:KAZ``, ``category:protest``,
``actor:Democratic Choice of Kazakhstan (DVK)`` or ``event:EV025``. Facets are ``month``
(YYYY-MM of the event's start), ``iso``, ``category``, ``actor``, ``event`` (an event id) and
``region`` (the events' ``region`` column, where the frame has one); the site charts of
:mod:`geo.funding` add ``committed`` (a project's commitment year), ``sector`` and
``currency`` (an amount's currency-year, e.g. ``USD2017``), which no event matches.

A value is written as :func:`geo.safe_html.text` escapes it, with ``+``, ``:`` and ``|``
also written as ``&#43;``, ``&#58;`` and ``&#124;``, so a key is inert wherever it is shown,
always splits back into its parts, and several keys join with ``|`` (as the URL does).
:func:`events_matching` compares keys with the events' values escaped the same way, so it
never needs to unescape anything.

:func:`pick_keys_from_selection` reads the dict ``st.plotly_chart(on_select="rerun")``
returns; :func:`events_matching` turns the keys into the events they stand for.
"""

from __future__ import annotations

import contextlib
import html
from collections.abc import Iterable, Mapping
from datetime import date

import pandas as pd

from geo import safe_html
from geo.model import AREAS, CATEGORY_LABELS, Category, currency_words

FACETS = ("month", "iso", "category", "actor", "event", "region", "committed", "sector", "currency")
MAX_PICK_KEY = 2000  # longer strings in a selection are not ours
MAX_PICKS = 5000

_KEY_SPECIALS = str.maketrans({"+": "&#43;", ":": "&#58;", "|": "&#124;"})


def _encode(value: object) -> str:
    return safe_html.text(value).translate(_KEY_SPECIALS)


def pick_key(*facets: tuple[str, object]) -> str:
    """The pick key for ``(facet, value)`` pairs, values escaped as the module explains."""
    return "+".join(f"{facet}:{_encode(value)}" for facet, value in facets)


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


def split_actors(*cells: object) -> list[str]:
    """Actor names in ``actor1``/``assoc_actor_1`` cells, split on ``;``, each once."""
    names: list[str] = []
    for cell in cells:
        for part in safe_html.plain(cell).split(";"):
            name = " ".join(part.split())
            if name and name not in names:
                names.append(name)
    return names


def chart_month(start: object, first: str | None = None) -> str | None:
    """The month an event is counted in: the month it started, or the view's first month
    (``first``) when it started earlier and runs into the view, so chart and map agree."""
    if not isinstance(start, date):
        return None
    month = f"{start:%Y-%m}"
    return max(month, first) if first else month


def pick_keys_from_selection(selection: object) -> tuple[str, ...]:
    """The sorted unique pick keys of the points in a Plotly chart selection.

    Accepts what ``st.plotly_chart(..., on_select="rerun")`` returns (or keeps in session
    state): ``{"selection": {"points": [{"customdata": [key, ...], ...}], ...}}``; the inner
    ``{"points": [...]}`` dict is accepted too. Anything malformed is skipped; never raises.
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
        parsed = parse_pick_key(key)
        if parsed is not None and all(facet in FACETS for facet, _ in parsed):
            keys.add(str(key))
    return tuple(sorted(keys))


def _encoded(values: pd.Series) -> pd.Series:
    """``values`` escaped as in pick keys (each distinct value escaped once)."""
    table = {v: _encode(v) for v in pd.unique(values.astype("object"))}
    return values.map(table)


def _facet_values(events: pd.DataFrame, facet: str, first: str | None = None) -> pd.Series | None:
    """Each event's value of ``facet``, escaped as in pick keys; ``None`` when unknown.

    For ``actor`` each value is the frozenset of the event's actors."""
    if facet == "month":
        return _encoded(events["start"].map(lambda d: chart_month(d, first) or ""))
    if facet == "event":
        return _encoded(events["event_id"])
    if facet in ("iso", "category", "region") and facet in events:
        return _encoded(events[facet])
    if facet == "actor":
        return pd.Series(
            [
                frozenset(_encode(a) for a in split_actors(one, two))
                for one, two in zip(events["actor1"], events["assoc_actor_1"], strict=True)
            ],
            index=events.index,
            dtype="object",
        )
    return None


def events_matching(
    events: pd.DataFrame, picks: Iterable[str], first_month: str | None = None
) -> pd.DataFrame:
    """The events matching ANY of the pick keys, in their original order.

    A key matches an event when ALL its facets do: ``month`` is the month of ``start``
    (or ``first_month`` when it started earlier, as the charts count it),
    ``actor`` any name in ``actor1``/``assoc_actor_1`` split on ``;``, ``region`` the
    ``region`` column (nothing when the frame has none). Malformed keys and unknown facets
    match nothing.
    """
    parsed = [p for p in (parse_pick_key(k) for k in picks) if p]
    if events.empty or not parsed:
        return events.iloc[0:0]
    columns: dict[str, pd.Series | None] = {}
    keep = pd.Series(False, index=events.index)
    for key in parsed:
        match = pd.Series(True, index=events.index)
        for facet, value in key:
            if facet not in columns:
                columns[facet] = _facet_values(events, facet, first_month)
            values = columns[facet]
            if values is None:  # an unknown facet matches nothing
                match[:] = False
                break
            if facet == "actor":
                match &= values.map(lambda names, v=value: v in names).astype(bool)
            else:
                match &= values == value
        keep |= match
    return events[keep.to_numpy()]


def describe_pick(key: str) -> str:
    """A key in words, as plain (unescaped) text: ``September 2019 · Kazakhstan``.

    Escape it for wherever it is shown (``safe_html.markdown`` for Streamlit Markdown).
    """
    parsed = parse_pick_key(key) or ()
    words: list[str] = []
    for facet, value in parsed:
        plain = html.unescape(value)
        if facet == "month":
            with contextlib.suppress(ValueError):
                plain = date.fromisoformat(f"{plain}-01").strftime("%B %Y")
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
