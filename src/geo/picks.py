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
from collections.abc import Mapping
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
