"""One name system for places and regions: the name the atlas shows, and every other name.

Three tables feed it, each row keeping where it came from:

- ``data/geo/gazetteer.csv``: the GeoNames alternate names of each place (GeoNames,
  CC BY 4.0): Russian, Kazakh and Kyrgyz Cyrillic, Chinese, Uyghur, Latin spellings;
- ``data/aliases.csv``: the project's alias table (the names ingestion reads; see
  :mod:`geo.gazetteer`), which also decides the shown name of a city;
- ``data/place_names.csv``: names kept for people rather than for reading articles: official
  renamings with their dates (Astana, Nur-Sultan, Astana again), names in other scripts the
  GeoNames subset lacks, and the admin-1 regions under the names the atlas shows (the
  borders come from Natural Earth, whose spellings, "Mangghystau", "Qaraghandy", stay the
  regions' keys in links and in the store).

A name is matched on a key that ignores case, accents, spaces, hyphens and script (Cyrillic
and Chinese are transliterated to Latin with ``anyascii``), so "Жанаозен", "Zhanaozen" and
"zhanaozen" are one key; a small typo ("Zhanaozan") is forgiven by an edit distance
(``rapidfuzz``).
"""

from __future__ import annotations

import csv
import functools
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import cyrtranslit
from anyascii import anyascii
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from geo.gazetteer import ISO3, default_aliases, default_gazetteer, phrase_key
from geo.model import AREAS
from geo.settings import DataDirNotFound, default_data_dir
from geo.validate import in_bbox


def default_place_names() -> Path:
    """The bundled table of renamings, other scripts and region names."""
    return default_data_dir() / "place_names.csv"


@dataclass(frozen=True)
class Name:
    """One name of a place, with its language or script, the dates it was official (ISO
    dates or years, '' when open or unknown) and where it comes from."""

    name: str
    lang: str = ""
    since: str = ""
    until: str = ""
    source: str = ""
    note: str = ""

    def words(self) -> str:
        """'Nur-Sultan (2019–2022)', 'Astana (since 2022)', 'Жанаозен'."""
        since, until = self.since[:4], self.until[:4]
        if since and until:
            return f"{self.name} ({since}–{until})"
        if since:
            return f"{self.name} (since {since})"
        if until:
            return f"{self.name} (until {until})"
        return self.name


@dataclass
class NamedPlace:
    """A place or an admin-1 region: its shown name and all its names."""

    key: str  # "city:KAZ:Astana", "geonames:1522684" or "region:Qaraghandy"
    name: str
    kind: str  # city | exact | region
    iso: str
    region: str = ""  # the Natural Earth name of a region (its key in links and the store)
    curated: bool = False  # named by the project's tables, not by GeoNames alone
    population: int = 0
    names: list[Name] = field(default_factory=list)

    def other_names(self) -> list[Name]:
        """The names worth showing beside the shown one: official names with their dates
        first (in order), then the others once each, in Latin, Cyrillic, Chinese or Arabic
        script (the scripts of the region), leaving out codes and GeoNames' lower-case
        romanisations."""
        dated = sorted((n for n in self.names if n.since or n.until), key=lambda n: n.since)
        seen = {_spelling(self.name)} | {_spelling(n.name) for n in dated}
        found = list(dated)
        # The project's own entries first, then GeoNames'.
        for entry in sorted(self.names, key=lambda n: n.source.startswith("GeoNames")):
            key = _spelling(entry.name)
            searchable = _searchable(entry.name, entry.source) or _short_own(entry.name, entry)
            if key in seen or not searchable or not _regional(entry.name):
                continue
            seen.add(key)
            found.append(entry)
        return found


def fold_key(name: str) -> str:
    """A name as it is matched: lower case, no accents, script transliterated to Latin, no
    spaces or punctuation ("Nur-Sultan", "nur sultan", "Нур-Султан" -> "nursultan")."""
    words = "".join(phrase_key(name))
    return "".join(c for c in anyascii(words).lower() if c.isalnum())


def _folded_text(name: str) -> str:
    """A name as the search text holds it: casefolded, one space between words."""
    return " ".join(name.split()).casefold()


def _spelling(name: str) -> str:
    """A name as it is written, ignoring case, accents and punctuation (not its script)."""
    return "".join(c for c in _stripped(name.casefold()) if c.isalnum())


def _stripped(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _is_cyrillic(text: str) -> bool:
    return any("\u0400" <= c <= "\u04ff" for c in text)


def _is_latin(text: str) -> bool:
    return all(c < "\u0250" or not c.isalpha() for c in text)


def _is_han(text: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" for c in text)


def _searchable(name: str, source: str = "") -> bool:
    """Names worth a substring search: three letters or more (two Chinese characters), and
    not a lower-case romanisation from GeoNames ("a si ta na"). GeoNames' short alternate
    names would be found inside other words ("Och" in "epoch", "Cele" in "celebrate"): from
    there, a Latin name needs five letters and any other four."""
    letters = [c for c in name if c.isalpha()]
    if _is_han(name):
        return len(letters) >= 2
    if len(letters) < 3 or name[0].islower():
        return False
    if source.startswith("GeoNames"):
        arabic = any("\u0600" <= c <= "\u06ff" for c in letters)
        if arabic and not any(c in _UYGHUR_LETTERS for c in letters):
            return False  # Persian, Urdu or Arabic spellings: not the region's own
        latin = all(c < "\u0250" for c in letters)
        return len(letters) >= (5 if latin else 4)
    return True


def _short_own(name: str, entry: Name) -> bool:
    """A name of two letters from the project's own tables ("Ош"): searched for, as a
    whole word."""
    letters = [c for c in name if c.isalpha()]
    return len(letters) == 2 and not entry.source.startswith("GeoNames") and name[0].isupper()


def _whole_word(text: str) -> bool:
    """Whether a name is looked for as a whole word: three letters or fewer, in an
    alphabet that puts spaces between words (not Chinese)."""
    return text.isalpha() and len(text) <= 3 and not _is_han(text)


# Letters of the Uyghur Arabic alphabet that Persian, Urdu and Arabic do not use.
_UYGHUR_LETTERS = frozenset("ۇۆۈېڭى")


def _regional(name: str) -> bool:
    """Written in Latin, Cyrillic, Chinese or Arabic script, and not a code ("NQZ")."""
    if name.isupper() and len(name) <= 4:
        return False
    for c in name:
        if c.isalpha() and not (
            c.isascii()
            or "\u00c0" <= c <= "\u024f"  # Latin with accents
            or "\u0400" <= c <= "\u04ff"  # Cyrillic, Kazakh and Kyrgyz letters included
            or "\u0600" <= c <= "\u06ff"  # Arabic script (Uyghur)
            or "\u4e00" <= c <= "\u9fff"  # Chinese
        ):
            return False
    return True


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(handle)]


@dataclass(frozen=True)
class SearchTerms:
    """What a search asks the store: any of ``texts`` as a substring of the search text,
    or an event in one of ``regions`` (Natural Earth names); ``places`` are the shown names
    of the places the query named."""

    texts: tuple[str, ...]
    regions: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    # Names of three letters or fewer ("osh", "ош"), looked for as whole words only: as
    # substrings they would be found inside other words ("zholdoshbek", "хорошо").
    words: tuple[str, ...] = ()


class PlaceNames:
    """The places and regions with all their names, and what a search for a name means."""

    def __init__(self, places: Iterable[NamedPlace], links: Iterable[tuple[str, str]] = ()):
        self.places: dict[str, NamedPlace] = {p.key: p for p in places}
        self._by_key: dict[str, set[str]] = defaultdict(set)
        # Names from the project's own tables (and shown names), which decide what a name
        # means before GeoNames' alternate names do, and which a typo is matched against.
        self._by_own_key: dict[str, set[str]] = defaultdict(set)
        for place in self.places.values():
            for entry in [Name(place.name), *place.names]:
                key = fold_key(entry.name)
                if key:
                    self._by_key[key].add(place.key)
                    if place.curated and not entry.source.startswith("GeoNames"):
                        self._by_own_key[key].add(place.key)
        self._keys = sorted(self._by_key)
        self._own_keys = sorted(self._by_own_key)
        self._regions = {p.region: p for p in self.places.values() if p.kind == "region"}
        # Each region's names without the word for a region ("Almaty Oblast" -> "almaty"),
        # and every way one of its names can start (from any of its words).
        self._region_stems: dict[str, set[str]] = defaultdict(set)
        self._region_starts: dict[str, set[str]] = defaultdict(set)
        for region, place in self._regions.items():
            for entry in [Name(region), Name(place.name), *place.names]:
                stem = _region_stem(fold_key(entry.name))
                if stem:
                    self._region_stems[stem].add(region)
                words = [fold_key(w) for w in entry.name.replace("-", " ").split()]
                for i in range(len(words)):
                    start = "".join(words[i:])
                    if start:
                        self._region_starts[region].add(start)
        # A city that is a region of its own answers to its name without "city" too
        # ("Nur-Sultan (city)": Nur-Sultan) where no other region has that name.
        for stem, found in list(self._region_stems.items()):
            bare = stem.removesuffix("city")
            if bare and bare != stem and bare not in self._region_stems:
                self._region_stems[bare] = set(found)
        # Places the alias table ties together under one name (Khorgos on both sides of
        # the border) are searched as one group.
        parent = {k: k for k in self.places}

        def find(k: str) -> str:
            while parent[k] != k:
                parent[k] = parent[parent[k]]
                k = parent[k]
            return k

        for a, b in links:
            if a in parent and b in parent:
                parent[find(a)] = find(b)
        self._group: dict[str, str] = {k: find(k) for k in self.places}

    # ---- regions ----

    def region_label(self, region: str) -> str:
        """The shown name of a region given by its key or any of its names."""
        key = self.region_key(region)
        return self._regions[key].name if key else region

    def region_key(self, name: str, iso: str = "") -> str | None:
        """The Natural Earth name (the key) of the region ``name`` names, if any (in
        ``iso`` when given): by any of its names, with or without the word for a region
        ("Almaty Oblast", "Osh Oblast", "Karagandy"), a typo forgiven from six letters."""
        found = self.region_keys(name, iso)
        return found[0] if found else None

    def region_keys(self, name: str, iso: str = "") -> list[str]:
        """Every region ``name`` may name (as :meth:`region_key` reads it), the likeliest
        first: "Almaty" is the region and the city that is a region of its own."""
        key = fold_key(name)
        found = sorted(
            self.places[k].region
            for k in self._by_key.get(key, ())
            if self.places[k].kind == "region" and self._in(self.places[k].region, iso)
        )
        if name in self._regions and self._in(name, iso):
            return [name, *(r for r in found if r != name)]
        if found:
            return found
        stem = _region_stem(key)
        if not stem:
            return []
        found = [r for r in self._region_stems.get(stem, ()) if self._in(r, iso)]
        if not found and len(stem) >= 6:
            limit = 1 if len(stem) < 8 else 2
            near = {
                r
                for match, _, _ in process.extract(
                    stem,
                    list(self._region_stems),
                    scorer=Levenshtein.distance,
                    score_cutoff=limit,
                    limit=None,
                )
                for r in self._region_stems[match]
                if self._in(r, iso)
            }
            found = sorted(near) if len(near) == 1 else []
        return sorted(found)

    def regions_starting(self, text: str, iso: Iterable[str] = ()) -> list[str]:
        """The keys of the regions one of whose names, or one of its words, starts as
        ``text`` does, whatever the script, case or accents ("Aq": Aqmola and Aqtöbe;
        "Карага": Qaraghandy), in the order of their shown names; only the region itself
        when ``text`` names one."""
        countries = set(iso)
        named = self.region_key(text)
        if named is not None and (not countries or self._regions[named].iso in countries):
            return [named]
        key = fold_key(text)
        if not key:
            return []
        found = {
            region
            for region, starts in self._region_starts.items()
            if (not countries or self._regions[region].iso in countries)
            and any(s.startswith(key) for s in starts)
        }
        return sorted(found, key=lambda r: (self._regions[r].name, r))

    def _in(self, region: str, iso: str) -> bool:
        return not iso or self._regions[region].iso == iso

    def region(self, key: str) -> NamedPlace | None:
        """The region whose Natural Earth name is ``key``, with all its names."""
        return self._regions.get(key)

    # ---- places ----

    def place(self, name: str, iso: str = "") -> NamedPlace | None:
        """The city or site a name means (the project's own entry first, then the most
        populous), in ``iso`` when given."""
        found = [
            self.places[k]
            for k in self._by_key.get(fold_key(name), ())
            if self.places[k].kind != "region" and (not iso or self.places[k].iso == iso)
        ]
        if not found:
            return None
        return min(found, key=lambda p: (not p.curated, -p.population, p.key))

    def named(self, query: str) -> list[NamedPlace]:
        """The places a query names, by any name in any script. A name of the project's
        own tables decides first (cities and sites before regions), then GeoNames' alternate
        names (the project's places first, then the most populous). A typo is forgiven
        against the project's names only, for queries of six letters or more: one edit, two
        from eight letters ("Zhanaozan")."""
        key = fold_key(query)
        if len(key) < 2:
            return []
        own = self._by_own_key.get(key)
        if not own and len(key) >= 6:
            limit = 1 if len(key) < 8 else 2
            best = process.extractOne(
                key, self._own_keys, scorer=Levenshtein.distance, score_cutoff=limit
            )
            if best is not None:
                own = self._by_own_key[best[0]]
        if own:
            places = [self.places[k] for k in sorted(own)]
            return [p for p in places if p.kind != "region"] or places
        matched = [self.places[k] for k in sorted(self._by_key.get(key, ()))]
        if len(key) < 3:
            # GeoNames' names of two letters name a place only as written, accents and all
            # ("Oš" is Osh; "Os" or "Aq", typed as a start of anything, name nothing).
            spelled = query.strip().casefold()
            matched = [
                p
                for p in matched
                if not spelled.isascii() and any(n.name.casefold() == spelled for n in p.names)
            ]
        if not matched:
            return []
        for chosen in (
            [p for p in matched if p.curated and p.kind != "region"],
            [p for p in matched if p.kind == "region"],
        ):
            if chosen:
                return chosen
        return [max(matched, key=lambda p: (p.population, p.key))]

    def _group_names(self, place: NamedPlace) -> list[Name]:
        """Every name of the place and of the places the alias table ties to it."""
        root = self._group[place.key]
        return [
            entry
            for p in self.places.values()
            if self._group[p.key] == root
            for entry in [Name(p.name, source="shown"), *p.names]
        ]

    def _foreign(self, name: str, place: NamedPlace) -> bool:
        """Whether ``name`` is also a name of another place or region (so searching for
        it would find that place too). A city's own region (Astana and Astana (city)) is
        not another place."""
        root = self._group[place.key]
        first = phrase_key(place.name)[:1]
        for key in self._by_key.get(fold_key(name), ()):
            other = self.places[key]
            if other.kind == "region":
                if place.kind != "region" and phrase_key(other.name)[:1] != first:
                    return True
            elif self._group[key] != root and place.kind != "region":
                return True
        return False

    @functools.lru_cache(maxsize=512)  # noqa: B019 (one catalog per data folder, kept)
    def search_terms(self, query: str) -> SearchTerms:
        """What a search for ``query`` looks for: the query itself, and, when it names a
        place, every name of that place in every script (a region also by its key); when it
        does not, the query transliterated across Cyrillic and Latin ("Бишкек" also finds
        "bishkek")."""
        raw = _folded_text(query)
        if not raw:
            return SearchTerms(())
        places = self.named(query)
        texts = {raw}
        regions: set[str] = set()
        if places:
            for place in places:
                if place.kind == "region":
                    regions.add(place.region)
                entries = self._group_names(place)
                # GeoNames' Latin alternate names are mostly other languages' exonyms
                # (Asztana, Noer-Soeltan): kept only where they spell a Cyrillic name of the
                # place or a name of the project's tables, every name costing a text scan.
                spelled = {
                    fold_key(e.name)
                    for e in entries
                    if not e.source.startswith("GeoNames") or _is_cyrillic(e.name)
                }
                for entry in entries:
                    name = entry.name
                    searchable = _searchable(name, entry.source) or _short_own(name, entry)
                    if not (searchable and _regional(name)) or (
                        name != place.name and self._foreign(name, place)
                    ):
                        continue
                    if (
                        entry.source.startswith("GeoNames")
                        and _is_latin(name)
                        and fold_key(name) not in spelled
                    ):
                        continue
                    folded = _folded_text(name)
                    texts.update({folded, _stripped(folded)})
        else:
            texts.update(_across_scripts(raw))
        words = {t for t in texts if _whole_word(t)} if places else set()
        return SearchTerms(
            _shortest_cover(texts - words),
            tuple(sorted(regions)),
            tuple(p.name for p in places),
            tuple(sorted(words)),
        )

    def suggest(self, query: str, limit: int = 3) -> list[str]:
        """Shown names of the places whose names come nearest ``query`` ("did you mean")."""
        key = fold_key(query)
        if len(key) < 3:
            return []
        found: list[str] = []
        for match, _, _ in process.extract(
            key, self._keys, scorer=fuzz.WRatio, limit=40, score_cutoff=80
        ):
            for place in sorted(
                (self.places[k] for k in self._by_key[match]),
                key=lambda p: (not p.curated, -p.population, p.key),
            ):
                if place.name not in found:
                    found.append(place.name)
        return found[:limit]


# The words for a region that a name may carry or leave out, as fold_key writes them
# (Russian "область", Kazakh "облысы", Kyrgyz "облусу", and the English ones).
_REGION_WORDS = ("oblasty", "oblast", "oblysy", "oblusu", "region", "province", "prefecture")


def _region_stem(key: str) -> str:
    """A region's folded name without its word for a region ("almatyoblast" -> "almaty")."""
    for word in _REGION_WORDS:
        if key.endswith(word) and len(key) > len(word):
            return key[: -len(word)]
    return key


def _across_scripts(text: str) -> set[str]:
    """The text in the other script: Cyrillic to Latin ("бишкек" -> "bishkek"), Latin
    letters to Russian Cyrillic ("miting" -> "митинг"); Latin with accents stays as it is."""
    if text.isascii():
        if not any(c.isalpha() for c in text):
            return set()
        return {cyrtranslit.to_cyrillic(text, "ru").casefold()}
    if any("\u0400" <= c <= "\u04ff" for c in text):
        return {anyascii(text).casefold()}
    return set()


def _shortest_cover(texts: set[str]) -> tuple[str, ...]:
    """The fewest of ``texts`` that a substring test needs: one holding another is dropped."""
    kept: list[str] = []
    for text in sorted({t for t in texts if t.strip()}, key=lambda t: (len(t), t)):
        if not any(k in text for k in kept):
            kept.append(text)
    return tuple(sorted(kept))


def build(gazetteer_csv: Path, aliases_csv: Path, place_names_csv: Path | None) -> PlaceNames:
    """Compile the three tables (see the module's docstring) into a :class:`PlaceNames`."""
    aliases = _read(aliases_csv)
    blocked = {phrase_key(r["alias"]) for r in aliases if r["kind"] == "block" and r["alias"]}
    dropped = {r["geonameid"] for r in aliases if r["kind"] == "block" and r["geonameid"]}
    places: dict[str, NamedPlace] = {}
    by_geonameid: dict[str, str] = {}
    links: list[tuple[str, str]] = []
    first_place_of_alias: dict[tuple[str, ...], str] = {}
    for row in aliases:
        if row["kind"] not in ("city", "exact"):
            continue
        key = f"{row['kind']}:{row['iso']}:{row['name']}"
        place = places.setdefault(
            key, NamedPlace(key, row["name"], row["kind"], row["iso"], curated=True)
        )
        place.names.append(Name(row["alias"], "", "", "", "aliases.csv", row["note"]))
        if row["kind"] == "city" and row["geonameid"]:
            by_geonameid.setdefault(row["geonameid"], key)
        alias_key = phrase_key(row["alias"])
        if alias_key in first_place_of_alias:
            links.append((first_place_of_alias[alias_key], key))
        else:
            first_place_of_alias[alias_key] = key

    for row in _read(gazetteer_csv):
        iso = ISO3.get(row["countrycode"])
        if iso is None or row["geonameid"] in dropped:
            continue
        if not in_bbox(float(row["latitude"]), float(row["longitude"]), AREAS[iso].bbox):
            continue
        geonameid = row["geonameid"]
        key = by_geonameid.get(geonameid, f"geonames:{geonameid}")
        place = places.setdefault(key, NamedPlace(key, row["name"], "city", iso))
        place.population = max(place.population, int(row["population"] or 0))
        source = f"GeoNames {geonameid}"
        for name in dict.fromkeys([row["name"], *row["alternatenames"].split("|")]):
            if name and phrase_key(name) not in blocked:
                place.names.append(Name(name, "", "", "", source))

    if place_names_csv is not None and place_names_csv.is_file():
        for row in _read(place_names_csv):
            entry = Name(
                row["alias"], row["lang"], row["since"], row["until"], row["source"], row["note"]
            )
            if row["kind"] == "region":
                key = f"region:{row['region']}"
                place = places.setdefault(
                    key,
                    NamedPlace(
                        key, row["name"], "region", row["iso"], region=row["region"], curated=True
                    ),
                )
            else:
                key = f"city:{row['iso']}:{row['name']}"
                if key not in places:
                    raise ValueError(
                        f"{place_names_csv.name}: {row['name']!r} ({row['iso']}) is not a "
                        f"place of {aliases_csv.name}"
                    )
                place = places[key]
            place.names.append(entry)
    return PlaceNames(places.values(), links)


def load(
    gazetteer_csv: Path | None = None,
    aliases_csv: Path | None = None,
    place_names_csv: Path | None = None,
) -> PlaceNames:
    """The compiled name system (default: the bundled tables), built once per set of files;
    with no data folder at all, an empty one (names then match only themselves)."""
    try:
        return _load(
            gazetteer_csv or default_gazetteer(),
            aliases_csv or default_aliases(),
            place_names_csv or default_place_names(),
        )
    except (DataDirNotFound, FileNotFoundError):
        return PlaceNames(())


@functools.lru_cache(maxsize=8)
def _load(gazetteer_csv: Path, aliases_csv: Path, place_names_csv: Path) -> PlaceNames:
    return build(gazetteer_csv, aliases_csv, place_names_csv)


def search_terms(query: str) -> SearchTerms:
    """:meth:`PlaceNames.search_terms` of the bundled names."""
    return load().search_terms(query)


def region_label(region: str) -> str:
    """The shown name of a region (its Natural Earth key or any name of it)."""
    return load().region_label(region)


def region_key(name: str, iso: str = "") -> str | None:
    """The Natural Earth key of the region ``name`` names, if any (in ``iso`` when given)."""
    return load().region_key(name, iso)


def regions_starting(text: str, iso: Iterable[str] = ()) -> list[str]:
    """The keys of the regions a name, or the start of one, may mean."""
    return load().regions_starting(text, iso)


def admin1_name(name: str, iso: str = "", where: str = "") -> str:
    """The shown name of the admin-1 region a data file names ("Mangistau", "Almaty
    Oblast", "Osh Oblast": Mangystau Region, Almaty Region, Osh Region); of the region the
    row's point lies in (``where``, its key) when the name may mean it ("Almaty" in Almaty
    city); the name as written when it names no region of ``iso``."""
    found = load().region_keys(name, iso) if name.strip() else []
    if not found:
        return name
    return region_label(where if where in found else found[0])


def suggest(query: str, limit: int = 3) -> list[str]:
    """Known names nearest ``query``."""
    return load().suggest(query, limit)


def other_names(location: str, iso: str) -> list[Name]:
    """The other names of the place a location ("Nur-Sultan (Chinese Embassy)") starts
    with: its official names with their dates, and its names in other scripts."""
    head = location.split("(")[0].split(",")[0].strip()
    if not head:
        return []
    place = load().place(head, iso)
    if place is None:
        return []
    return place.other_names()
