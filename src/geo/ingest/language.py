"""The language an article is written in, paragraph by paragraph, offline.

Each paragraph of the text with enough letters is given a language, and the article's
language is the one with the most letters; another language holding at least
:data:`MIXED_SHARE` of the letters makes the article *mixed* (it is read in its main
language, and the report says so). The ingestion reads English and Russian
(:data:`READ`); anything else (Chinese, Kazakh in Latin script, Uyghur...) is reported with
the language found and not read.

The classifier is py3langid with the model its package ships (97 languages, nothing
fetched). Two cheap tests come first, because the model takes a second to load: a
paragraph in Latin letters full of English function words is English, and one in Cyrillic
full of Russian function words, without the letters only Kazakh, Kyrgyz, Ukrainian or
Belarusian use, is Russian. Kazakh written in its Latin alphabet (ä, ğ, ı, ñ, ö, ū, ü, ş)
has no model of its own and is recognised by those letters.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

READ = {"en": "English", "ru": "Russian"}
MIXED_SHARE = 0.15  # of the article's letters, for a second language to be reported
MIN_LETTERS = 20  # a paragraph with fewer letters says nothing about the language

NAMES = {
    "en": "English",
    "ru": "Russian",
    "kk": "Kazakh",
    "kk-Latn": "Kazakh (Latin script)",
    "ky": "Kyrgyz",
    "ug": "Uyghur",
    "zh": "Chinese",
    "uz": "Uzbek",
    "tr": "Turkish",
    "az": "Azerbaijani",
    "mn": "Mongolian",
    "uk": "Ukrainian",
    "be": "Belarusian",
    "bg": "Bulgarian",
    "sr": "Serbian",
    "mk": "Macedonian",
    "tg": "Tajik",
    "fa": "Persian",
    "ar": "Arabic",
    "ur": "Urdu",
    "de": "German",
    "fr": "French",
    "es": "Spanish",
    "it": "Italian",
    "pt": "Portuguese",
    "nl": "Dutch",
    "pl": "Polish",
    "cs": "Czech",
    "ja": "Japanese",
    "ko": "Korean",
}

_LETTER = re.compile(r"[^\W\d_]")
_WORD = re.compile(r"[^\W\d_]+")
_EN_WORDS = frozenset(
    [
        "the",
        "of",
        "and",
        "to",
        "in",
        "a",
        "is",
        "was",
        "were",
        "that",
        "for",
        "on",
        "with",
        "as",
        "by",
        "at",
        "from",
        "it",
        "have",
        "has",
        "had",
        "are",
        "be",
        "been",
        "this",
        "which",
        "who",
        "their",
        "they",
        "its",
        "not",
        "but",
        "or",
        "an",
        "said",
    ]
)
_RU_WORDS = frozenset(
    [
        "в",
        "и",
        "на",
        "не",
        "что",
        "с",
        "по",
        "как",
        "из",
        "за",
        "от",
        "к",
        "у",
        "о",
        "до",
        "для",
        "это",
        "его",
        "их",
        "был",
        "была",
        "были",
        "было",
        "также",
        "но",
        "а",
        "же",
        "который",
        "которые",
        "после",
        "года",
        "году",
        "более",
        "около",
    ]
)
_CYRILLIC_OTHER = re.compile(r"[әғқңөұүһіїєґўӘҒҚҢӨҰҮҺІЇЄҐЎ]")
_KAZAKH_LATIN = re.compile(r"[äñūÄÑŪ]|[ğşıĞŞ]")


@dataclass(frozen=True)
class Language:
    """An article's language: its code and name, whether the ingestion reads it, and the
    other languages it mixes in (code -> share of the letters)."""

    code: str
    name: str
    share: float = 1.0
    others: dict[str, float] = field(default_factory=dict)

    @property
    def read(self) -> bool:
        """Whether the ingestion reads this language."""
        return self.code in READ

    @property
    def mixed(self) -> bool:
        """Whether another language holds a real share of the text."""
        return bool(self.others)

    def describe(self) -> str:
        """ "Russian", or "Russian (mixed: 30% English)"."""
        if not self.others:
            return self.name
        parts = ", ".join(f"{round(100 * v)}% {name_of(k)}" for k, v in self.others.items())
        return f"{self.name} (mixed: {parts})"


UNKNOWN = Language("und", "undetermined", 0.0)


def name_of(code: str) -> str:
    """A language's English name, or its code when the table lacks it."""
    return NAMES.get(code, code)


@functools.lru_cache(maxsize=1)
def _model() -> Any:
    import py3langid

    return py3langid


def _paragraph_language(text: str) -> str:
    words = [w.lower() for w in _WORD.findall(text)]
    if not words:
        return "und"
    latin = sum(w.isascii() for w in words)
    if latin == len(words):
        if sum(w in _EN_WORDS for w in words) >= max(2, len(words) // 8):
            return "en"
    elif _KAZAKH_LATIN.search(text) and sum(w.isascii() or _is_latin(w) for w in words) > (
        len(words) // 2
    ):
        if len(_KAZAKH_LATIN.findall(text)) >= 3:
            return "kk-Latn"
    elif not _CYRILLIC_OTHER.search(text) and sum(w in _RU_WORDS for w in words) >= max(
        2, len(words) // 8
    ):
        return "ru"
    code, _ = _model().classify(text[:2000])
    return str(code)


def _is_latin(word: str) -> bool:
    return all("a" <= c.lower() <= "z" or "\u00c0" <= c <= "\u024f" for c in word)


def detect(text: str, spans: list[tuple[int, int]] | None = None) -> Language:
    """The language of a text (or of its ``spans``, e.g. the body paragraphs).

    A paragraph counts with its number of letters; the main language is the one with most.
    """
    pieces = [text[s:e] for s, e in spans] if spans else re.split(r"\n\s*\n", text)
    weights: Counter[str] = Counter()
    for piece in pieces:
        letters = len(_LETTER.findall(piece))
        if letters < MIN_LETTERS:
            continue
        weights[_paragraph_language(piece)] += letters
    if not weights:
        letters = len(_LETTER.findall(text))
        if letters == 0:
            return UNKNOWN
        weights[_paragraph_language(text)] += letters
    total = sum(weights.values())
    (code, main), *rest = weights.most_common()
    others = {c: round(n / total, 2) for c, n in rest if n / total >= MIXED_SHARE}
    return Language(code, name_of(code), round(main / total, 2), others)
