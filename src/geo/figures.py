"""Competing figures: the ``participants`` and ``arrests`` cells as sources gave them.

A cell holds one or more figures, each usually with its source in a trailing parenthesis::

    ≥1,000 (RFE/RL); ~2,000 (bureau.kz)
    several dozen (Diapazon) vs >1,000 (Lada)
    8 (RFE/RL text) / ≥10 (RFE/RL video page)

:func:`parse_figures` splits a cell into :class:`Figure` values, each with a numeric range
(``low``..``high``, either end open) and the source that gave it; :func:`figure_range` gives
the span of a whole cell. Nothing here raises on odd text: what cannot be read as a number
is kept as text with no range.

The rules, in the order they apply to one figure:

- A trailing parenthesis names the source (``(RFE/RL)``), unless it reads as a note
  (``(5 yrs)``, ``(first hearing)``, ``(released same day)``); a leading ``Source:`` also
  names one. A date before the source (``(Sept 3, TCA)``) stays in the text only.
- Numbers are read outside parentheses only, and only the first quantity counts
  (``>150 remained Aug 7`` is 151 or more).
- A figure that counts something else (``20 hospitalised``, ``2,000+ (people affected)``)
  has no range: it is not a count of participants or arrests.
- ``N total`` and ``part of N`` are totals over several events: at most N for this one.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

# What each qualifier means for the range.
EXACT = "exact"  # a plain number: low == high
ABOUT = "about"  # ~N, about N: low == high, approximate
AT_LEAST = "at least"  # ≥N, N+, at least N: high open
MORE_THAN = "more than"  # >N: low N+1, high open
AT_MOST = "at most"  # ≤N, up to N, part of N, N total: low open
FEWER_THAN = "fewer than"  # <N: low open, high N-1
RANGE = "range"  # 5–15
VAGUE = "vague"  # hundreds, several dozen: a conventional range
NO_NUMBER = ""  # nothing numeric could be read


@dataclass(frozen=True)
class Figure:
    """One figure as one source gave it.

    ``low``/``high`` bound the count (inclusive); ``None`` at one end means open there,
    at both ends that no number could be read. ``text`` is the figure as written.
    """

    text: str
    low: int | None
    high: int | None
    qualifier: str
    source: str

    @property
    def numeric(self) -> bool:
        return self.low is not None or self.high is not None


# ---- splitting a cell into figures ----

_SEPARATORS = (";", " vs. ", " vs ", " / ")


def _split_top_level(value: str) -> list[str]:
    """Split on the separators, but never inside parentheses or brackets."""
    pieces: list[str] = []
    depth = 0
    start = 0
    i = 0
    while i < len(value):
        ch = value[i]
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(depth - 1, 0)
        elif depth == 0:
            sep = next((s for s in _SEPARATORS if value.startswith(s, i)), None)
            if sep is not None:
                pieces.append(value[start:i])
                i += len(sep)
                start = i
                continue
        i += 1
    pieces.append(value[start:])
    return [p.strip() for p in pieces if p.strip()]


def _trailing_parenthesis(piece: str) -> tuple[str, str | None]:
    """``piece`` without its trailing parenthesised group, and the group's inside."""
    if not piece.endswith(")"):
        return piece, None
    depth = 0
    for i in range(len(piece) - 1, -1, -1):
        if piece[i] == ")":
            depth += 1
        elif piece[i] == "(":
            depth -= 1
            if depth == 0:
                return piece[:i].rstrip(), piece[i + 1 : -1].strip()
    return piece, None  # unbalanced: treat as plain text


def _without_parentheses(text: str) -> str:
    """``text`` with every parenthesised group (nested ones too) replaced by a space."""
    out: list[str] = []
    depth = 0
    for ch in text:
        if ch == "(":
            if depth == 0:
                out.append(" ")
            depth += 1
        elif ch == ")" and depth:
            depth -= 1
        elif depth == 0:
            out.append(ch)
    return "".join(out)


# A parenthesis that comments on the figure rather than naming who gave it.
_NOTE = re.compile(
    r"^(?:\d+\s*(?:yrs?|years?|days?|weeks?|months?|hours?|hrs?)\b"
    r"|(?:charged|released|first|second|last|no|not|in|at|on|after|before|during|people|"
    r"verdict|sentenced|convicted|fined|jailed|including|incl|of\s+whom|typical|typically|"
    r"estimated|est|total|mostly|all|some|each)\b)",
    re.IGNORECASE,
)
_DATE_PREFIX = re.compile(
    r"^(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2},\s*",
    re.IGNORECASE,
)
_SOURCE_PREFIX = re.compile(r"^([A-Z][\w./-]*(?:\s+[A-Z][\w./-]*){0,3}):\s+")
# Counts of something other than participants or arrests.
_OTHER_MEASURE = re.compile(
    r"\b(?:hospitali[sz]ed|injured|wounded|treated|killed|dead|died|deaths?|affected|"
    r"displaced|evicted)\b",
    re.IGNORECASE,
)

# ---- reading a quantity ----

_UNITS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty"
)
_WORD_NUMBERS: dict[str, int] = {w: i for i, w in enumerate(_UNITS.split())}
_WORD_NUMBERS.update(
    {"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80}
)
_WORD_NUMBERS.update({"ninety": 90, "a": 1, "an": 1})
_MULTIPLIERS = {"dozen": 12, "hundred": 100, "thousand": 1000}
# Conventional readings of vague quantities (documented in the module's tests).
_VAGUE: dict[str, tuple[int, int]] = {
    "several thousand": (2000, 9000),
    "thousands": (2000, 9999),
    "several hundred": (200, 900),
    "hundreds": (200, 999),
    "several dozen": (24, 72),
    "dozens": (24, 99),
    "a few": (2, 5),
    "several": (3, 9),
}
_NONE_WORDS = ("none", "no one", "nobody", "zero")

_PREFIXES: dict[str, str] = {
    "~": ABOUT,
    "≈": ABOUT,
    "c.": ABOUT,
    "ca.": ABOUT,
    "about": ABOUT,
    "around": ABOUT,
    "approximately": ABOUT,
    "approx.": ABOUT,
    "roughly": ABOUT,
    "some": ABOUT,
    "nearly": ABOUT,
    "almost": ABOUT,
    "≥": AT_LEAST,
    ">=": AT_LEAST,
    "at least": AT_LEAST,
    "no fewer than": AT_LEAST,
    "not less than": AT_LEAST,
    ">": MORE_THAN,
    "more than": MORE_THAN,
    "over": MORE_THAN,
    "≤": AT_MOST,
    "<=": AT_MOST,
    "up to": AT_MOST,
    "at most": AT_MOST,
    "no more than": AT_MOST,
    "part of": AT_MOST,
    "<": FEWER_THAN,
    "fewer than": FEWER_THAN,
    "less than": FEWER_THAN,
    "under": FEWER_THAN,
}


def _alternation(words: list[str]) -> str:
    # Longest first, so "several hundred" wins over "several" and ">=" over ">".
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_DIGITS = r"\d{1,3}(?:,\d{3})+(?!\d)|\d+"
_SYMBOL_PREFIXES = [p for p in _PREFIXES if not p[0].isalpha()]
_WORD_PREFIXES = [p for p in _PREFIXES if p[0].isalpha()]
_WORD_NUMBER = _alternation(list(_WORD_NUMBERS))
_QUANTITY = re.compile(
    rf"(?:(?P<prefix>{_alternation(_SYMBOL_PREFIXES)})\s*"
    rf"|(?<![\w])(?P<word_prefix>{_alternation(_WORD_PREFIXES)})\s+)?"
    r"(?:"
    rf"(?<![\w.,])(?P<lo>{_DIGITS})\s*(?:–|—|-|to)\s*(?P<hi>{_DIGITS})"
    rf"|(?<![\w])(?P<vague>{_alternation(list(_VAGUE))})(?![\w])"
    rf"|(?:(?P<times_digits>{_DIGITS})|(?<![\w])(?P<times_word>{_WORD_NUMBER}))\s+"
    rf"(?P<multiplier>{_alternation(list(_MULTIPLIERS))})(?![\w])"
    rf"|(?<![\w])(?P<bare_multiplier>{_alternation(list(_MULTIPLIERS))})(?![\w])"
    rf"|(?<![\w])(?P<none>{_alternation(list(_NONE_WORDS))})(?![\w])"
    rf"|(?<![\w.,])(?P<number>{_DIGITS})"
    rf"|(?<![\w])(?P<word>{_alternation([w for w in _WORD_NUMBERS if w not in ('a', 'an')])})"
    r"(?![\w])"
    r")"
    r"(?P<suffix>\s*\+|\s+or\s+more\b|\s+total\b)?",
    re.IGNORECASE,
)
_QUOTES = str.maketrans({c: " " for c in "'\"‘’“”«»"})


def _int(digits: str) -> int:
    return int(digits.replace(",", ""))


def _read_quantity(body: str) -> tuple[int | None, int | None, str]:
    """The first quantity in ``body`` as (low, high, qualifier)."""
    match = _QUANTITY.search(body.translate(_QUOTES))
    if match is None:
        return None, None, NO_NUMBER
    g = match.groupdict()
    qualifier = EXACT
    if g["lo"] is not None:
        low, high = sorted((_int(g["lo"]), _int(g["hi"])))
        qualifier = RANGE
    elif g["vague"] is not None:
        low, high = _VAGUE[g["vague"].lower()]
        qualifier = VAGUE
    elif g["multiplier"] is not None:
        times = (
            _int(g["times_digits"])
            if g["times_digits"] is not None
            else _WORD_NUMBERS[g["times_word"].lower()]
        )
        low = high = times * _MULTIPLIERS[g["multiplier"].lower()]
    elif g["bare_multiplier"] is not None:
        low = high = _MULTIPLIERS[g["bare_multiplier"].lower()]
    elif g["none"] is not None:
        low = high = 0
    elif g["number"] is not None:
        low = high = _int(g["number"])
    else:
        low = high = _WORD_NUMBERS[g["word"].lower()]

    written = g["prefix"] or g["word_prefix"]
    prefix = _PREFIXES[written.lower()] if written else None
    suffix = (g["suffix"] or "").strip().lower()
    if suffix in ("+", "or more"):
        prefix = AT_LEAST
    elif suffix == "total":
        prefix = AT_MOST
    if prefix == ABOUT:
        return low, high, ABOUT
    if prefix == AT_LEAST:
        return low, None, AT_LEAST
    if prefix == MORE_THAN:
        return low + 1, None, MORE_THAN
    if prefix == AT_MOST:
        return None, high, AT_MOST
    if prefix == FEWER_THAN:
        return None, max(low - 1, 0), FEWER_THAN
    return low, high, qualifier


def _parse_one(piece: str) -> Figure:
    body, inside = _trailing_parenthesis(piece)
    source = ""
    note = ""
    if inside is not None:
        if _NOTE.match(inside):
            note = inside
        else:
            source = _DATE_PREFIX.sub("", inside).strip()
    prefixed = _SOURCE_PREFIX.match(body)
    if prefixed is not None:
        body = body[prefixed.end() :]
        source = source or prefixed.group(1)
    body = _without_parentheses(body)
    if _OTHER_MEASURE.search(body) or _OTHER_MEASURE.search(note):
        return Figure(piece, None, None, NO_NUMBER, source)
    low, high, qualifier = _read_quantity(body)
    return Figure(piece, low, high, qualifier, source)


def parse_figures(value: object) -> list[Figure]:
    """The figures in one ``participants`` or ``arrests`` cell, in the order written.

    Never raises: an empty cell (or ``None``/NaN) gives ``[]``; a figure that holds no
    readable number comes back with ``low`` and ``high`` both ``None``.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    text = " ".join(str(value).split())
    return [_parse_one(piece) for piece in _split_top_level(text)]


def figure_range(value: object) -> tuple[int | None, int | None]:
    """The span of all figures in a cell: the smallest lower bound and the largest number
    any source gives (an open-ended ``≥2,000`` counts as 2,000 there).

    ``(None, None)`` when no figure is numeric; the low end is ``None`` when every figure
    only bounds from above (``part of 57 total``).
    """
    figures = [f for f in parse_figures(value) if f.numeric]
    if not figures:
        return None, None
    lows = [f.low for f in figures if f.low is not None]
    highs = [f.high if f.high is not None else f.low for f in figures]
    return (min(lows) if lows else None), max(h for h in highs if h is not None)
