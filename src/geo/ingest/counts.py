"""Head counts in a sentence: how many took part, how many were arrested.

"Twenty-two people were arrested" -> arrests 22; "about 150 Kyrgyz citizens" ->
participants "about 150"; "hundreds of protesters" -> "hundreds"; "more than 2,000 ethnic
Kazakhs" -> "more than 2,000". An exact arrest count is a number; anything vaguer stays in
words, as the sources give it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

UNITS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
SCALES = {"hundred": 100, "thousand": 1000}
_NUMBER_WORD = "|".join([*UNITS, *TENS, *SCALES, "a", "and"])

QUALIFIER = (
    r"(?:about|around|approximately|roughly|some|nearly|almost|over|more\s+than|at\s+least|"
    r"up\s+to|fewer\s+than|less\s+than|as\s+many\s+as|an\s+estimated|estimated|close\s+to|"
    r"upwards\s+of|several|a\s+few|at\s+most)"
)
NUMBER = (
    r"(?:\d{1,3}(?:,\d{3})+|\d+"
    r"|(?:tens\s+of\s+)?(?:dozens|hundreds|thousands)"
    r"|(?:a\s+)?(?:dozen|hundred|thousand)"
    rf"|(?:{'|'.join([*UNITS, *TENS])})(?:[\s-]+(?:{_NUMBER_WORD}))*)"
)
QUANTITY = rf"(?P<qual>{QUALIFIER}\s+)?(?P<num>{NUMBER})"
ARREST_VERB = r"(?:arrested|detained|taken\s+into\s+custody|held\s+by\s+police|rounded\s+up|jailed)"

# "hundreds rallied": a count with no noun, straight before what the crowd did.
CROWD_VERB = (
    r"(?:have\s+|had\s+)?(?:rallied|gathered|protested|marched|demonstrated|picketed|"
    r"assembled|joined|took\s+to\s+the\s+streets|turned\s+out)\b"
)


@dataclass(frozen=True)
class Counts:
    """What a sentence says about numbers of people."""

    participants: str = ""
    arrests: int | str | None = None
    spans: tuple[tuple[int, int], ...] = ()


def words_to_number(words: str) -> int | None:
    """``"Twenty-two"`` -> 22, ``"two hundred"`` -> 200; None if not a number in words."""
    total, current = 0, 0
    seen = False
    for word in re.split(r"[\s-]+", words.lower()):
        if word in ("a", "and", ""):
            continue
        if word in UNITS:
            current += UNITS[word]
        elif word in TENS:
            current += TENS[word]
        elif word in SCALES:
            current = max(current, 1) * SCALES[word]
            if SCALES[word] >= 1000:
                total, current = total + current, 0
        else:
            return None
        seen = True
    return total + current if seen else None


def _quantity_words(qual: str | None, num: str) -> tuple[str, int | None]:
    """The quantity as the atlas writes it, and its exact value when it has one."""
    num_clean = " ".join(num.split())
    value: int | None
    if num_clean.replace(",", "").isdigit():
        value = int(num_clean.replace(",", ""))
        shown = num_clean
    else:
        value = words_to_number(num_clean)
        shown = str(value) if value is not None else num_clean.lower()
    if qual:
        return f"{' '.join(qual.lower().split())} {shown}", None
    return shown, value


# Where a count can start: a digit or a number word. Patterns are tried only there.
_NUMBERISH = re.compile(
    rf"\b(?:\d|(?:{'|'.join([*UNITS, *TENS, 'tens', 'dozen', 'hundred', 'thousand'])}))",
    re.IGNORECASE,
)
_QUALIFIER_BEFORE = re.compile(rf"\b(?P<qual>{QUALIFIER})\s+$", re.IGNORECASE)
_ARREST_BEFORE = re.compile(
    rf"\b(?:arrested|detained|detaining|arresting)\s+(?:(?P<qual>{QUALIFIER})\s+)?$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class _Patterns:
    number: re.Pattern[str]
    arrests_after: re.Pattern[str]
    arrests_noun: re.Pattern[str]
    crowd: re.Pattern[str]


@functools.lru_cache(maxsize=8)
def _patterns(crowd: tuple[str, ...]) -> _Patterns:
    nouns = "|".join(re.escape(n) for n in sorted(crowd, key=len, reverse=True))
    between = r"(?:[A-Za-z][\w'’-]*\s+){0,2}"
    number = rf"(?P<num>{NUMBER})\b"
    return _Patterns(
        number=re.compile(number, re.IGNORECASE),
        arrests_after=re.compile(
            rf"{number}\s+(?:of\s+)?(?:(?:{between})(?:{nouns})\s+)?"
            rf"(?:\w+\s+){{0,2}}(?:were|was|have\s+been|had\s+been|been|got|are|being)\s+"
            rf"(?:\w+\s+)?{ARREST_VERB}\b",
            re.IGNORECASE,
        ),
        arrests_noun=re.compile(rf"{number}\s+(?:arrests|detentions)\b", re.IGNORECASE),
        crowd=re.compile(
            rf"{number}\s+(?:(?:of\s+)?(?:{between})(?:{nouns})\b|{CROWD_VERB})", re.IGNORECASE
        ),
    )


def read_counts(
    text: str,
    start: int,
    end: int,
    crowd_nouns: Sequence[str],
    masked: Sequence[tuple[int, int]] = (),
) -> Counts:
    """Participants and arrests stated in ``text[start:end]``.

    Parameters
    ----------
    crowd_nouns
        Nouns a head count goes with (from the lexicon).
    masked
        Spans to ignore (dates: "In 2018, about 150" must not read 2018 as a count).
    """
    patterns: _Patterns | None = None
    arrests: int | str | None = None
    participants = ""
    used: list[tuple[int, int]] = []
    after = -1
    for hit in _NUMBERISH.finditer(text, start, end):
        at = hit.start()
        if at < after or any(ms <= at < me for ms, me in masked):
            continue
        patterns = patterns or _patterns(tuple(crowd_nouns))
        number = patterns.number.match(text, at, end)
        if number is None:
            continue
        after = number.end()
        before = text[max(start, at - 60) : at]
        qualifier = _QUALIFIER_BEFORE.search(before)
        qual = qualifier.group("qual") if qualifier else None
        first = at - len(qualifier.group()) if qualifier else at
        if arrests is None:
            verb_first = _ARREST_BEFORE.search(before)
            m = patterns.arrests_after.match(text, at, end) or patterns.arrests_noun.match(
                text, at, end
            )
            if m or verb_first:
                shown, value = _quantity_words(qual, number.group("num"))
                arrests = value if value is not None else shown
                used.append((first, m.end() if m else after))
                continue
        if not participants:
            m = patterns.crowd.match(text, at, end)
            if m:
                participants, _ = _quantity_words(qual, number.group("num"))
                used.append((first, m.end()))
    return Counts(participants=participants, arrests=arrests, spans=tuple(used))
