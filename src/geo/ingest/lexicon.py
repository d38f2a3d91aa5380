"""The project's category and actor lexicon (``data/lexicon.csv``), compiled for lookup.

Each row has a ``kind``:

- ``trigger``: words that say an event happened, with the category they point to and a
  weight (protested, clashed, arrested, came into effect, launched);
- ``topic``: words that say what a sentence is about (consulate, internment camps, Belt and
  Road); they decide the category only when no trigger does;
- ``actor``: organisations, their acronyms and people, with the name the atlas uses
  (DVK -> Democratic Choice of Kazakhstan (DVK));
- ``crowd``: nouns a head count can go with (protesters, residents, ethnic Kazakhs);
- ``generic``: words that make a sentence a generalisation (frequently, similar);
- ``furniture_end`` / ``furniture_line``: page furniture in plain-text dumps (a "Related
  Articles" line ends the article; a short "Share"/"Author:" line is set aside).

A ``term`` ending in ``*`` matches any word beginning with it; ``case`` = ``s`` makes a term
case-sensitive (DVK, BRI, "march" but not "March").
"""

from __future__ import annotations

import csv
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

from geo.gazetteer import PhraseIndex, Token, phrase_key
from geo.model import Category
from geo.settings import default_data_dir

KINDS = (
    "trigger",
    "topic",
    "actor",
    "crowd",
    "generic",
    "furniture_end",
    "furniture_line",
)


@dataclass(frozen=True)
class Term:
    """One lexicon row."""

    kind: str
    term: str
    value: str
    weight: float
    case_sensitive: bool

    def matches_case(self, surface: str) -> bool:
        """Whether the text as written satisfies the term's case rule."""
        if not self.case_sensitive:
            return True
        pattern = self.term.rstrip("*")
        if self.term.endswith("*"):
            return surface.startswith(pattern)
        return surface == pattern


@dataclass(frozen=True)
class TermHit:
    """A lexicon term found in a text, with its span."""

    start: int
    end: int
    term: Term


@dataclass
class Lexicon:
    """The compiled lexicon: one phrase index for triggers, topics, actors and generic
    words; regular expressions for crowd nouns and page furniture."""

    terms: PhraseIndex[Term]
    crowd_nouns: tuple[str, ...]
    furniture_end: re.Pattern[str]
    furniture_line: re.Pattern[str]
    counts: dict[str, int] = field(default_factory=dict)

    def find(self, text: str, tokens: list[Token]) -> list[TermHit]:
        """Every lexicon phrase in ``tokens`` (longest first), respecting case rules."""
        hits = self.terms.scan(text, tokens, keep=lambda term, surface: term.matches_case(surface))
        return [TermHit(h.start, h.end, term) for h in hits for term in h.values]


def _line_pattern(words: list[str], whole: bool) -> re.Pattern[str]:
    alternation = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    tail = r"\s*:?\s*$" if whole else r"(?:\b|(?<=:))"
    return re.compile(rf"^\s*(?:{alternation}){tail}", re.IGNORECASE)


def build(path: Path) -> Lexicon:
    """Compile a lexicon file (see the module docstring for its columns)."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(handle)]
    index: PhraseIndex[Term] = PhraseIndex()
    crowd: list[str] = []
    ends: list[str] = []
    lines: list[str] = []
    counts: dict[str, int] = {}
    categories = {c.value for c in Category}
    for number, row in enumerate(rows, start=2):
        kind = row["kind"]
        if kind not in KINDS:
            raise ValueError(f"{path.name}:{number}: unknown kind {kind!r}")
        counts[kind] = counts.get(kind, 0) + 1
        if kind in ("trigger", "topic") and row["value"] not in categories:
            raise ValueError(f"{path.name}:{number}: unknown category {row['value']!r}")
        if kind == "crowd":
            crowd.append(row["term"])
            continue
        if kind == "furniture_end":
            ends.append(row["term"])
            continue
        if kind == "furniture_line":
            lines.append(row["term"])
            continue
        term = Term(
            kind=kind,
            term=row["term"],
            value=row["value"],
            weight=float(row["weight"] or 1),
            case_sensitive=row["case"] == "s",
        )
        prefix = row["term"].endswith("*")
        key = phrase_key(row["term"].rstrip("*"))
        index.add(key, term, prefix=prefix)
    return Lexicon(
        terms=index,
        crowd_nouns=tuple(crowd),
        furniture_end=_line_pattern(ends, whole=True),
        furniture_line=_line_pattern(lines, whole=False),
        counts=counts,
    )


def default_lexicon() -> Path:
    """The bundled lexicon: ``lexicon.csv`` of the bundled data folder."""
    return default_data_dir() / "lexicon.csv"


def load(path: Path | None = None) -> Lexicon:
    """The compiled lexicon (default: the bundled one), built once per file (callers must
    not modify it)."""
    return _load(path or default_lexicon())


@functools.lru_cache(maxsize=8)
def _load(path: Path) -> Lexicon:
    return build(path)
