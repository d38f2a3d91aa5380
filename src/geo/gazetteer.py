"""Offline place lookup: the GeoNames subset plus the project's own alias table, ranked.

Two files feed it:

- ``data/geo/gazetteer.csv``: 884 populated places of Kazakhstan, Kyrgyzstan and Xinjiang
  from GeoNames (CC BY 4.0), each with its alternate names;
- ``data/aliases.csv``: the project's decisions, which win over GeoNames: historical and
  transliterated names (Nur-Sultan, Alma-Ata, Wulumuqi), names GeoNames gets wrong or lacks
  (Khorgas, Janaozen), regions and countries with the point that stands in for them, exact
  sites (Nazarbayev University), demonyms (Kazakhstani, Kyrgyz) and names to ignore.

Everything is compiled into one token index (:class:`PhraseIndex`): the text is cut into word
tokens once, and each capitalised token is looked up, longest phrase first, in a dictionary
keyed by folded token tuples (case, accents and hyphens ignored). That is a dictionary walk
per token, not a regex per name, so thousands of names cost no more than a few.

Known defects of the GeoNames subset are handled here rather than in the data: rows outside
their area's bounding box are dropped (seven rows coded as Xinjiang lie in Inner Mongolia,
among them a village named "Xinjiang"), and ambiguous names ("Kashgar" also names Shule,
"Kashi" Kax, "Naryn" Tash-Kumyr) are settled by the alias table first, then by the countries
the text is about, then by population.
"""

from __future__ import annotations

import csv
import functools
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, TypeVar

from geo.model import AREAS, GeoPrecision
from geo.settings import default_data_dir
from geo.validate import in_bbox


def default_gazetteer() -> Path:
    """The bundled GeoNames extract: ``geo/gazetteer.csv`` of the bundled data folder."""
    return default_data_dir() / "geo" / "gazetteer.csv"


def default_aliases() -> Path:
    """The bundled aliases: ``aliases.csv`` of the bundled data folder."""
    return default_data_dir() / "aliases.csv"


ISO3 = {"KZ": "KAZ", "KG": "KGZ", "CN": "CHN"}
COUNTRY_NAMES = {"KAZ": "Kazakhstan", "KGZ": "Kyrgyzstan", "CHN": "China"}

# Letters and digits, with combining marks and soft hyphens allowed inside a word.
TOKEN = re.compile(r"[^\W_](?:[^\W_]|[\u0300-\u036f\u00ad])*")
# What may stand between two words of one name: spaces (any kind), hyphens, apostrophes.
_JOIN = re.compile(r"[\s\u200b\-\u2010\u2011\u2012\u2013'’]{1,3}")
_FOLD_EXTRA = str.maketrans(
    {"ı": "i", "ł": "l", "ø": "o", "đ": "d", "ß": "ss", "ə": "e", "ʻ": "", "ʼ": "", "\u00ad": ""}
)


@functools.lru_cache(maxsize=100_000)
def fold(word: str) -> str:
    """A word as the index keys it: case-folded, accents and soft hyphens removed."""
    s = word.casefold().translate(_FOLD_EXTRA)
    if s.isascii():
        return s
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))


def phrase_key(phrase: str) -> tuple[str, ...]:
    """The index key of a phrase: its folded words (``"Nur-Sultan"`` -> ``("nur", "sultan")``)."""
    return tuple(fold(w) for w in TOKEN.findall(phrase))


@dataclass(frozen=True, slots=True)
class Token:
    """One word of a text: its span and its folded form."""

    start: int
    end: int
    key: str


def tokenize(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    """The words of ``text[start:end]`` with their offsets in ``text``."""
    stop = len(text) if end is None else end
    return [Token(m.start(), m.end(), fold(m.group())) for m in TOKEN.finditer(text, start, stop)]


V = TypeVar("V")


@dataclass(frozen=True, slots=True)
class Hit(Generic[V]):
    """A phrase found in a text: its character span and what the index holds for it."""

    start: int
    end: int
    values: tuple[V, ...]


class PhraseIndex(Generic[V]):
    """Phrases keyed by folded word tuples, found in a token list longest first.

    A phrase added with ``prefix=True`` matches when its last word is a prefix of the
    text's word (``"protest*"`` matches protests, protesters, protested).
    """

    def __init__(self) -> None:
        self._exact: dict[tuple[str, ...], list[V]] = {}
        self._prefix: dict[tuple[str, ...], list[V]] = {}
        self._prefix_lengths: set[int] = set()
        # The words before the last of each prefix phrase, with the lengths of its last word
        # (ascending): a phrase whose first words begin none is not looked up by prefix.
        self._prefix_heads: dict[tuple[str, ...], tuple[int, ...]] = {}
        self._first: set[str] = set()
        self._first_prefix: set[str] = set()
        self._starts: dict[str, bool] = {}  # folded word -> can a phrase start with it
        self._max_words = 1

    def __len__(self) -> int:
        return len(self._exact) + len(self._prefix)

    def add(self, phrase: str | tuple[str, ...], value: V, *, prefix: bool = False) -> None:
        """Index ``value`` under a phrase (or an already folded key)."""
        key = phrase_key(phrase) if isinstance(phrase, str) else phrase
        if not key:
            return
        self._max_words = max(self._max_words, len(key))
        self._starts.clear()
        if prefix:
            self._prefix.setdefault(key, []).append(value)
            self._prefix_lengths.add(len(key[-1]))
            head = key[:-1]
            self._prefix_heads[head] = tuple(
                sorted({*self._prefix_heads.get(head, ()), len(key[-1])})
            )
            if len(key) == 1:
                self._first_prefix.add(key[0])
            else:
                self._first.add(key[0])
        else:
            self._exact.setdefault(key, []).append(value)
            self._first.add(key[0])

    def get(self, phrase: str) -> list[V]:
        """What the index holds for exactly this phrase (no prefix matching)."""
        return list(self._exact.get(phrase_key(phrase), []))

    def _can_start(self, first: str) -> bool:
        starts = self._starts.get(first)
        if starts is None:
            starts = first in self._first or any(
                first[:n] in self._first_prefix for n in self._prefix_lengths
            )
            if len(self._starts) < 200_000:
                self._starts[first] = starts
        return starts

    def _candidates(self, tokens: Sequence[Token], i: int, text: str) -> list[tuple[int, list[V]]]:
        """(number of words, values) of every phrase starting at token ``i``, longest first."""
        words = [tokens[i].key]
        for j in range(i + 1, min(len(tokens), i + self._max_words)):
            gap = text[tokens[j - 1].end : tokens[j].start]
            if not _JOIN.fullmatch(gap):
                break
            words.append(tokens[j].key)
        found: list[tuple[int, list[V]]] = []
        for n in range(len(words), 0, -1):
            key = tuple(words[:n])
            values = list(self._exact.get(key, ()))
            lengths = self._prefix_heads.get(key[:-1]) if self._prefix else None
            if lengths:
                last = key[-1]
                for length in lengths:
                    if len(last) >= length:
                        values += self._prefix.get((*key[:-1], last[:length]), ())
            if values:
                found.append((n, values))
        return found

    def scan(
        self,
        text: str,
        tokens: Sequence[Token],
        *,
        keep: Callable[[V, str], bool] | None = None,
        first_upper: bool = False,
    ) -> list[Hit[V]]:
        """Non-overlapping phrases of the index in ``tokens``, left to right, longest first.

        Parameters
        ----------
        text
            The text the tokens were cut from.
        tokens
            Its words (:func:`tokenize`).
        keep
            Called with each value and the matched surface text; values it refuses are
            dropped, and a phrase left with none gives way to a shorter one.
        first_upper
            Only phrases whose first letter is not lower case (place names).
        """
        hits: list[Hit[V]] = []
        starts = self._starts
        i = 0
        while i < len(tokens):
            token = tokens[i]
            if (first_upper and text[token.start].islower()) or not (
                starts.get(token.key) or self._can_start(token.key)
            ):
                i += 1
                continue
            matched = 0
            for n, values in self._candidates(tokens, i, text):
                start, end = token.start, tokens[i + n - 1].end
                surface = text[start:end]
                kept = [v for v in values if keep is None or keep(v, surface)]
                if kept:
                    hits.append(Hit(start, end, tuple(kept)))
                    matched = n
                    break
            i += matched or 1
        return hits


# ---- places ----

PRECISION_ORDER = {
    GeoPrecision.EXACT: 0,
    GeoPrecision.CITY: 1,
    GeoPrecision.REGION: 2,
    GeoPrecision.COUNTRY: 3,
}
KIND_PRECISION = {
    "exact": GeoPrecision.EXACT,
    "city": GeoPrecision.CITY,
    "region": GeoPrecision.REGION,
    "country": GeoPrecision.COUNTRY,
    "demonym": GeoPrecision.COUNTRY,
}
GEONAMES_RANK = 100  # GeoNames names rank after every alias of the project's own


@dataclass(frozen=True)
class Place:
    """One place a name can mean, with the point that represents it and where it came from."""

    name: str
    iso: str
    latitude: float
    longitude: float
    precision: GeoPrecision
    kind: str  # exact | city | region | country | demonym
    population: int = 0
    admin1: str = ""
    geonameid: str = ""
    rank: int = GEONAMES_RANK
    source: str = ""

    @property
    def country(self) -> str:
        """The country's name (China for Xinjiang)."""
        return COUNTRY_NAMES[self.iso]


@dataclass(frozen=True)
class Mention:
    """A place name found in a text, with every place it can mean (best first)."""

    start: int
    end: int
    surface: str
    places: tuple[Place, ...]

    @property
    def best(self) -> Place:
        """The place the name most likely means."""
        return self.places[0]


@dataclass
class Gazetteer:
    """Place names of the three areas, compiled for fast lookup in running text."""

    index: PhraseIndex[Place]
    blocked: frozenset[tuple[str, ...]] = frozenset()
    sizes: dict[str, int] = field(default_factory=dict)

    def lookup(self, name: str, context: Counter[str] | None = None) -> list[Place]:
        """Every place ``name`` can mean, best first (see :func:`rank`)."""
        key = phrase_key(name)
        if key in self.blocked:
            return []
        return rank(self.index.get(name), context)

    def mentions(
        self,
        text: str,
        tokens: Sequence[Token],
        context: Counter[str] | None = None,
    ) -> list[Mention]:
        """Place names in ``tokens`` (capitalised, longest first), each with its places."""
        found = []
        for hit in self.index.scan(text, tokens, first_upper=True):
            found.append(Mention(hit.start, hit.end, text[hit.start : hit.end], hit.values))
        if context is not None:
            found = [
                Mention(m.start, m.end, m.surface, tuple(rank(m.places, context))) for m in found
            ]
        return found


def rank(places: Iterable[Place], context: Counter[str] | None = None) -> list[Place]:
    """Order the places a name can mean: the project's aliases first (by their rank), then
    places in the countries the text talks about (``context``: mentions per ISO3 code), then
    GeoNames places by population. Duplicates of one GeoNames id keep the alias entry."""
    seen: set[str] = set()
    unique: list[Place] = []
    for place in sorted(places, key=lambda p: p.rank):
        ident = place.geonameid or f"{place.kind}:{place.name}"
        if ident not in seen:
            seen.add(ident)
            unique.append(place)
    weights = context or Counter()
    return sorted(
        unique,
        key=lambda p: (
            p.rank >= GEONAMES_RANK,  # any alias of ours before any GeoNames reading
            -weights.get(p.iso, 0),
            p.rank,
            -p.population,
            p.name,
        ),
    )


def _usable_geonames_name(name: str) -> bool:
    """Alternate names worth matching in English text: not codes (ALA, URC), not lower-case
    transliterations, at least three letters."""
    letters = [c for c in name if c.isalpha()]
    if len(letters) < 3:
        return False
    if name[0].islower():
        return False
    return not (name.isupper() and len(letters) <= 4)


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(handle)]


REGION_SUFFIXES = ("region", "oblast", "province")


def _alias_variants(alias: str, kind: str) -> list[str]:
    """ "Naryn Region" is also written "Naryn oblast" and "Naryn province"."""
    words = alias.rsplit(" ", 1)
    if kind == "region" and len(words) == 2 and words[1].casefold() == "region":
        return [alias, *(f"{words[0]} {suffix}" for suffix in REGION_SUFFIXES[1:])]
    return [alias]


def build(gazetteer_csv: Path, aliases_csv: Path) -> Gazetteer:
    """Compile the GeoNames subset and the alias table into a :class:`Gazetteer`.

    Parameters
    ----------
    gazetteer_csv
        GeoNames rows: geonameid, name, latitude, longitude, countrycode, population,
        admin1code, alternatenames (``|``-separated).
    aliases_csv
        The project's table: alias, kind, name, iso, geonameid, latitude, longitude, admin1,
        rank, source, note. ``kind`` is exact, city, region, country, demonym or block.
    """
    geonames: dict[str, dict[str, str]] = {}
    dropped: set[str] = set()
    for row in _read_csv(gazetteer_csv):
        iso = ISO3.get(row["countrycode"])
        if iso is None:
            continue
        lat, lon = float(row["latitude"]), float(row["longitude"])
        # GeoNames codes seven Inner Mongolian villages as Xinjiang: outside the area's box.
        if not in_bbox(lat, lon, AREAS[iso].bbox):
            dropped.add(row["geonameid"])
            continue
        geonames[row["geonameid"]] = row

    aliases = _read_csv(aliases_csv)
    blocked_names: set[tuple[str, ...]] = set()
    for row in aliases:
        if row["kind"] == "block":
            if row["alias"]:
                blocked_names.add(phrase_key(row["alias"]))
            if row["geonameid"]:
                dropped.add(row["geonameid"])

    index: PhraseIndex[Place] = PhraseIndex()
    alias_keys: set[tuple[str, ...]] = set()
    for row in aliases:
        kind = row["kind"]
        if kind == "block":
            continue
        if kind not in KIND_PRECISION:
            raise ValueError(f"{aliases_csv.name}: unknown kind {kind!r} for {row['alias']!r}")
        base = geonames.get(row["geonameid"]) if row["geonameid"] else None
        if row["latitude"] and row["longitude"]:
            lat, lon = float(row["latitude"]), float(row["longitude"])
        elif base is not None:
            lat, lon = float(base["latitude"]), float(base["longitude"])
        else:
            raise ValueError(
                f"{aliases_csv.name}: {row['alias']!r} has neither coordinates nor a known "
                f"GeoNames id ({row['geonameid']!r})"
            )
        place = Place(
            name=row["name"],
            iso=row["iso"],
            latitude=lat,
            longitude=lon,
            precision=KIND_PRECISION[kind],
            kind=kind,
            population=int(base["population"] or 0) if base else 0,
            admin1=row["admin1"],
            geonameid=row["geonameid"],
            rank=int(row["rank"] or 0),
            source=row["source"] or (f"GeoNames {row['geonameid']}" if base else "aliases.csv"),
        )
        for variant in _alias_variants(row["alias"], kind):
            alias_keys.add(phrase_key(variant))
            index.add(variant, place)

    for geonameid, row in geonames.items():
        if geonameid in dropped:
            continue
        place = Place(
            name=row["name"],
            iso=ISO3[row["countrycode"]],
            latitude=float(row["latitude"]),
            longitude=float(row["longitude"]),
            precision=GeoPrecision.CITY,
            kind="city",
            population=int(row["population"] or 0),
            geonameid=geonameid,
            source=f"GeoNames {geonameid}",
        )
        names = {row["name"], *row["alternatenames"].split("|")}
        keys = {phrase_key(n) for n in names if n and _usable_geonames_name(n)}
        for key in keys - blocked_names:
            if key:
                index.add(key, place)
    return Gazetteer(
        index=index,
        blocked=frozenset(blocked_names - alias_keys),
        sizes={"geonames": len(geonames) - len(dropped & set(geonames)), "aliases": len(aliases)},
    )


def load(gazetteer_csv: Path | None = None, aliases_csv: Path | None = None) -> Gazetteer:
    """The compiled gazetteer (default: the bundled files), built once per pair of files
    (callers must not modify it)."""
    return _load(gazetteer_csv or default_gazetteer(), aliases_csv or default_aliases())


@functools.lru_cache(maxsize=8)
def _load(gazetteer_csv: Path, aliases_csv: Path) -> Gazetteer:
    return build(gazetteer_csv, aliases_csv)


def best_mention(mentions: Sequence[Mention]) -> Mention | None:
    """The most precise of ``mentions`` (exact over city over region over country), the
    first one on a tie; demonyms count after country names."""
    if not mentions:
        return None
    return min(
        enumerate(mentions),
        key=lambda im: (
            PRECISION_ORDER[im[1].best.precision],
            im[1].best.kind == "demonym",
            im[0],
        ),
    )[1]
