"""From an article's text to candidate events, each tied to the sentence it rests on.

For every body sentence the extractor finds dates (:mod:`~geo.ingest.dates`), place names
(:mod:`geo.gazetteer`), lexicon terms and actors (:mod:`~geo.ingest.lexicon`) and head
counts (:mod:`~geo.ingest.counts`). A sentence becomes a candidate when it names an event
(a trigger or topic word) and either dates it or places it ("in Bishkek", "at a mine in
Kyrgyzstan"); a generalisation ("protests have occurred frequently") does not. A following
sentence of the same paragraph that has neither its own date nor another place ("Twenty-two
people were arrested.", "The protests were organized by the DVK") adds its counts and actors
to the candidate before it, and its span as a supporting excerpt.

The place of a candidate is the most precise one the sentence names after a locative word
("in", "at", "outside", "across", "residents of"), else the most precise it names at all,
else the country of the last place named earlier in the paragraph, else the country the
article names most; the precision says which (exact, city, region, country).

The article's language (:mod:`~geo.ingest.language`) chooses how sentences are read
(:class:`Reading`): English as above, Russian with :mod:`~geo.ingest.russian` (lemmas,
declined place names, Russian dates and counts); another language is refused with the
language found. The seat of a government that decided ("the government in Bishkek")
gives way to another place the sentence names, and "the same embassy" takes the place of
the embassy named before.

Everything here is pure: no files are read or written (see :mod:`~geo.ingest.pipeline`).
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from geo import gazetteer as gz
from geo.gazetteer import Gazetteer, Mention, Place, Token, tokenize
from geo.ingest import russian
from geo.ingest.counts import Counts, read_counts
from geo.ingest.datelines import parse_date_line
from geo.ingest.dates import DateMention, DateReader
from geo.ingest.language import UNKNOWN, Language, detect
from geo.ingest.layout import Layout, layout, sentences
from geo.ingest.lexicon import Lexicon, TermHit
from geo.ingest.reader import ArticleText
from geo.model import MONTH_NAMES, Category, GeoPrecision, TimePrecision
from geo.safe_html import url_problem

_LOCATIVE = re.compile(
    r"\b(?:in|at|near|outside|across|throughout|inside|around|within|of)\s+"
    r"(?:(?:the|a|an|its|their|his|her|city|town|village|region|province|district|capital|"
    r"of|central|downtown|nearby|[a-z]+ern)\s+){0,3}$",
    re.IGNORECASE,
)
_ETHNIC = re.compile(r"\bethnic\s+$", re.IGNORECASE)
# "the government in Bishkek cancelled a hub in At-Bashy": the seat of whoever decided is not
# where the event happened, when the sentence places it somewhere else.
_SEAT = re.compile(
    r"\b(?:government|authorities|officials|ministry|administration|parliament|cabinet|"
    r"leadership|regime)\s+(?:in|of)\s+(?:the\s+)?$",
    re.IGNORECASE,
)
# "the same embassy", "that consulate": the site named before.
_SAME_SITE = re.compile(
    r"\b(?:the\s+same|that|this)\s+(?:\w+\s+)?(?:embassy|consulate)\b", re.IGNORECASE
)
# Where one clause ends and the next begins: ", and ", "; ", ", while ", ", but ".
_CLAUSE = re.compile(r",?\s+and\s+(?=(?:on|in|since)\b)|;\s+|,\s+(?:while|but|whereas)\s+")
_ANAPHORIC = re.compile(
    r"(?:(?:The|These|Those|They|Such|It|Its|Their|He|She|His|Her|This)\b|"
    r"(?:\S+\s+){0,5}also\b)"
)
CATEGORY_TITLES = {
    Category.PROTEST: "Protest",
    Category.DETENTION: "Detention-related event",
    Category.POLICY: "Policy event",
    Category.BRI_SITE: "Belt and Road event",
    Category.CONSULATE_EMBASSY: "Consulate or embassy event",
    Category.OTHER: "Event",
}


@dataclass(frozen=True)
class Reading:
    """How sentences of one language are read: words for the lexicon, places, dates,
    counts, and the patterns that say where and to what a sentence refers."""

    code: str
    tokens: Callable[[str, int, int], list[Token]]
    places: Callable[[Gazetteer, str, list[Token]], list[Mention]]
    dates: Callable[[date | None], Any]
    counts: Callable[..., Counts]
    locative: re.Pattern[str]
    seat: re.Pattern[str]
    anaphoric: re.Pattern[str]
    same_site: re.Pattern[str]
    split_places: bool = False  # "митинги прошли в Жанаозене и Кызылорде": one per place


def _english_places(gazetteer: Gazetteer, text: str, tokens: list[Token]) -> list[Mention]:
    return gazetteer.mentions(text, tokens)


ENGLISH = Reading(
    code="en",
    tokens=lambda text, start, end: tokenize(text, start, end),
    places=_english_places,
    dates=DateReader,
    counts=read_counts,
    locative=_LOCATIVE,
    seat=_SEAT,
    anaphoric=_ANAPHORIC,
    same_site=_SAME_SITE,
)
RUSSIAN = Reading(
    code="ru",
    tokens=lambda text, start, end: russian.lemma_tokens(text, start, end),
    places=lambda gazetteer, text, tokens: russian.mentions(gazetteer, text, tokens),
    dates=russian.DateReader,
    counts=russian.read_counts,
    locative=russian.LOCATIVE,
    seat=russian.SEAT,
    anaphoric=russian.ANAPHORIC,
    same_site=russian.SAME_SITE,
    split_places=True,
)
READINGS = {"en": ENGLISH, "ru": RUSSIAN}


@dataclass
class Span:
    """A verbatim piece of the article text with its offsets."""

    excerpt: str
    char_start: int
    char_end: int


@dataclass
class Candidate:
    """A candidate event: what a sentence says, ready for review."""

    candidate_id: str
    source: str  # the file name
    source_id: str
    text_sha256: str
    title: str
    event_date: str
    time_precision: str
    date_text: str
    country: str  # ISO3
    country_name: str
    location: str
    admin1: str
    latitude: float
    longitude: float
    geo_precision: str
    place_text: str
    place_source: str
    category: str
    event_type: str
    sub_event_type: str
    actors: list[str]
    participants: str
    arrests: int | str | None
    excerpt: str
    char_start: int
    char_end: int
    raw_start: int
    raw_end: int
    excerpt_sha256: str
    confidence: str
    notes: str
    supporting: list[Span] = field(default_factory=list)
    other_dates: list[str] = field(default_factory=list)
    place_alternatives: list[str] = field(default_factory=list)
    terms: list[str] = field(default_factory=list)
    language: str = ""  # the article's language code (en, ru)
    part: str = ""  # for one sentence telling of several places: the place this one is

    def to_json(self) -> dict[str, object]:
        """The candidate as a JSON-ready dict (the ``geo ingest --json`` record)."""
        record = dict(self.__dict__)  # every field is a plain value or a list of them
        record["supporting"] = [asdict(span) for span in self.supporting]
        for name in ("actors", "other_dates", "place_alternatives", "terms"):
            record[name] = list(record[name])
        return record


@dataclass
class ArticleInfo:
    """What is known about the article itself."""

    name: str
    source_id: str
    title: str = ""
    publisher: str = ""
    author: str = ""
    url: str = ""
    published: date | None = None
    published_from: str = ""  # where the publication date came from


@dataclass
class Extraction:
    """The result for one article: its metadata, layout and candidates, and notices."""

    article: ArticleText
    info: ArticleInfo
    layout: Layout
    candidates: list[Candidate]
    notices: list[str] = field(default_factory=list)
    sentences: int = 0
    places_found: int = 0
    language: Language = UNKNOWN
    refusal: str = ""  # why the article was not read (a language the ingestion lacks)


@dataclass
class _Sentence:
    start: int
    end: int
    paragraph: int
    dates: list[DateMention]
    mentions: list[Mention]
    locative: list[Mention]
    triggers: list[TermHit]
    topics: list[TermHit]
    actors: list[str]
    generic: bool
    anaphoric: bool
    participants: str
    arrests: int | str | None
    same_site: bool = False
    coordinated: list[Mention] = field(default_factory=list)


def sha256(text: str) -> str:
    """The SHA-256 hex digest of a text's UTF-8 bytes."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def candidate_key(source_id: str, start: int, end: int, excerpt_sha: str, part: str = "") -> str:
    """A candidate's id: its source, its span and its content (and, for one of several
    places a sentence names, that place), hashed."""
    tail = f"|{part}" if part else ""
    return sha256(f"{source_id}|{start}|{end}|{excerpt_sha}{tail}")[:16]


def date_words(value: str, precision: str) -> str:
    """``2021-03-27`` -> "27 March 2021"; ``2020-02`` -> "February 2020"; ``""`` -> "date
    unknown"."""
    if not value:
        return "date unknown"
    parts = value.split("-")
    if precision == TimePrecision.DAY and len(parts) == 3:
        return f"{int(parts[2])} {MONTH_NAMES[int(parts[1]) - 1]} {parts[0]}"
    if precision == TimePrecision.MONTH and len(parts) >= 2:
        return f"{MONTH_NAMES[int(parts[1]) - 1]} {parts[0]}"
    return parts[0]


def country_place(gazetteer: Gazetteer, iso: str) -> Place:
    """The stand-in place for a whole area (Xinjiang for CHN: the atlas covers no more)."""
    name = {"KAZ": "Kazakhstan", "KGZ": "Kyrgyzstan", "CHN": "Xinjiang"}[iso]
    return gazetteer.lookup(name)[0]


def _category(sentence: _Sentence) -> tuple[Category, list[str]]:
    hits = sentence.triggers or sentence.topics
    if not hits:
        return Category.OTHER, []
    scores: defaultdict[str, float] = defaultdict(float)  # term weights are fractional
    first: dict[str, int] = {}
    for hit in hits:
        scores[hit.term.value] += hit.term.weight
        first.setdefault(hit.term.value, hit.start)
    if sentence.triggers and sentence.participants and scores.get("protest"):
        scores["protest"] += 1  # a crowd doing a protest thing is a protest
    best = max(scores, key=lambda value: (scores[value], -first[value]))
    return Category(best), [h.term.term for h in hits]


def _sub_type(category: Category, terms: list[str], arrests: object) -> tuple[str, str]:
    if category is Category.PROTEST:
        if any(t.startswith(("clash", "riot")) for t in terms):
            return "Riots", "Mob violence"
        return "Protests", "Protest with intervention" if arrests else "Peaceful protest"
    if category is Category.DETENTION:
        return "Strategic developments", "Arrests"
    return "Strategic developments", "Other"


def _features(
    text: str,
    start: int,
    end: int,
    paragraph: int,
    dates: list[DateMention],
    mentions: list[Mention],
    terms: list[TermHit],
    lexicon: Lexicon,
    reading: Reading = ENGLISH,
    arrest_context: bool | None = None,
) -> _Sentence:
    """What the span ``text[start:end]`` says, from hits found over the whole sentence."""

    def inside(item: DateMention | Mention | TermHit) -> bool:
        return start <= item.start and item.end <= end

    dates = [d for d in dates if inside(d)]
    mentions = [m for m in mentions if inside(m)]
    terms = [h for h in terms if inside(h)]
    masked = [(d.start, d.end) for d in dates]
    if arrest_context is None:
        counts = reading.counts(text, start, end, lexicon.crowd_nouns, masked)
    else:
        counts = reading.counts(
            text, start, end, lexicon.crowd_nouns, masked, arrest_context=arrest_context
        )
    actors: list[str] = []
    for hit in terms:
        if hit.term.kind == "actor" and hit.term.value not in actors:
            actors.append(hit.term.value)
    # The seat of a government that decided ("the government in Bishkek") gives way to any
    # other place the sentence names.
    seats = [m for m in mentions if reading.seat.search(text[max(start, m.start - 40) : m.start])]
    if seats and len(seats) < len(mentions):
        mentions = [m for m in mentions if m not in seats]
    locative = [  # a demonym ("of Kazakhstani protesters") never places an event
        m
        for m in mentions
        if m.best.kind != "demonym"
        and reading.locative.search(text[max(start, m.start - 60) : m.start])
    ]
    # "in Zhanaozen and Kyzylorda": a name joined to a placed one is placed too.
    coordinated: list[Mention] = []
    chain: list[Mention] = []
    for before, after in itertools.pairwise(mentions):
        joined = re.fullmatch(r"\s*(?:,|,?\s*(?:and|и))\s*", text[before.end : after.start])
        if joined and (before in locative or before in chain):
            chain = chain or [before]
            chain.append(after)
            if after not in locative:
                coordinated.append(after)
    return _Sentence(
        start=start,
        end=end,
        paragraph=paragraph,
        dates=dates,
        mentions=mentions,
        locative=locative + coordinated,
        triggers=[h for h in terms if h.term.kind == "trigger"],
        topics=[h for h in terms if h.term.kind == "topic"],
        actors=actors,
        generic=any(h.term.kind == "generic" for h in terms),
        anaphoric=bool(reading.anaphoric.match(text, start, end)),
        participants=counts.participants,
        arrests=counts.arrests,
        same_site=bool(reading.same_site.search(text, start, end)),
        coordinated=chain,
    )


def _clauses(text: str, sentence: _Sentence, build) -> list[_Sentence]:
    """A sentence telling two events ("In January 2019 ... in Bishkek, and on 17 February
    2020 hundreds rallied in At-Bashy") split at the clause boundary between them: each
    side must have its own date, event word and, for the second, its own place."""
    for boundary in _CLAUSE.finditer(text, sentence.start, sentence.end):
        first = build(sentence.start, boundary.start())
        second = build(boundary.end(), sentence.end)
        if all(
            [
                any(d.resolved for d in first.dates),
                first.triggers,
                any(d.resolved for d in second.dates),
                second.triggers,
                second.locative,
            ]
        ):
            return [first, *_clauses(text, second, build)]
    return [sentence]


def _read_sentences(
    article: ArticleText,
    found: Layout,
    gazetteer: Gazetteer,
    lexicon: Lexicon,
    published: date | None,
    reading: Reading = ENGLISH,
) -> list[_Sentence]:
    text = article.text
    reader = reading.dates(published)
    out: list[_Sentence] = []
    for number, (p_start, p_end) in enumerate(found.paragraphs):
        for start, end in sentences(text, p_start, p_end):
            tokens = reading.tokens(text, start, end)
            terms = lexicon.find(text, tokens)
            actor_hits = [h for h in terms if h.term.kind == "actor"]
            mentions = [
                m
                for m in reading.places(gazetteer, text, tokens)
                if not any(a.start < m.end and m.start < a.end for a in actor_hits)
                and not (
                    m.best.kind == "demonym"
                    and _ETHNIC.search(text[max(start, m.start - 8) : m.start])
                )
            ]
            dates = reader.read(text, start, end)

            def build(
                s: int,
                e: int,
                dates: list[DateMention] = dates,
                mentions: list[Mention] = mentions,
                terms: list[TermHit] = terms,
                number: int = number,
                arrest_context: bool | None = None,
            ) -> _Sentence:
                return _features(
                    text, s, e, number, dates, mentions, terms, lexicon, reading, arrest_context
                )

            whole = build(start, end)
            ellipsis = russian.ELLIPSIS.search(text, start, end) if reading is RUSSIAN else None
            if ellipsis and whole.triggers:
                out.extend(_ellipsis(whole, ellipsis.start(), ellipsis.end(), build))
            elif len(whole.dates) > 1 and len(whole.triggers) > 1:
                out.extend(_clauses(text, whole, build))
            else:
                out.append(whole)
    return out


def _ellipsis(
    whole: _Sentence, cut: int, resume: int, build: Callable[..., _Sentence]
) -> list[_Sentence]:
    """ "…задержала в Алматы более 300 человек, в Астане — свыше 200": the second clause
    leaves out the first's verb; it keeps the first's date and event words, and its count
    is of the same kind (arrests when the first counted arrests)."""
    first = build(whole.start, cut)
    second = build(resume, whole.end, arrest_context=first.arrests is not None)
    if not second.locative:
        return [whole]
    if not second.dates:
        second.dates = [d for d in first.dates if d.resolved][:1]
    if not second.triggers:
        second.triggers = list(first.triggers)
        second.topics = second.topics or list(first.topics)
    return [first, second]


def _rerank(sentences_: list[_Sentence]) -> Counter[str]:
    """Rank each mention's places by the countries of its sentence and of the article;
    returns the article's country counts."""
    article: Counter[str] = Counter(m.best.iso for s in sentences_ for m in s.mentions)
    for sentence in sentences_:
        local = Counter(m.best.iso for m in sentence.mentions if len(m.places) == 1)
        context = article + Counter({iso: 10 * n for iso, n in local.items()})
        ranked = {
            id(m): Mention(m.start, m.end, m.surface, tuple(gz.rank(m.places, context)))
            for m in sentence.mentions
        }
        sentence.locative = [ranked[id(m)] for m in sentence.locative]
        sentence.mentions = [ranked[id(m)] for m in sentence.mentions]
    return article


def extract(
    article: ArticleText,
    info: ArticleInfo,
    gazetteer: Gazetteer,
    lexicon: Lexicon,
) -> Extraction:
    """Candidate events of one article.

    Parameters
    ----------
    article
        The article as read (:func:`geo.ingest.reader.read_path`).
    info
        Its source id and metadata; ``info.published`` anchors relative dates. When it is
        None, a date line in the page header ("Apr 8, 2021") or the HTML metadata is used.
    gazetteer, lexicon
        The compiled place index and lexicon.
    """
    found = layout(article.text, lexicon, article.kind)
    _merge_metadata(info, found, article)
    language = detect(article.text, found.paragraphs or None)
    result = Extraction(article=article, info=info, layout=found, candidates=[], language=language)
    if language is not UNKNOWN and not language.read:
        result.refusal = (
            f"the article is in {language.describe()} (detected language: {language.code}); "
            "ingestion reads English and Russian"
        )
        return result
    if language.mixed:
        result.notices.append(f"mixed languages: read as {language.describe()}")
    reading = READINGS.get(language.code, ENGLISH)
    read = _read_sentences(article, found, gazetteer, lexicon, info.published, reading)
    article_countries = _rerank(read)
    result.sentences = len(read)
    result.places_found = sum(len(s.mentions) for s in read)
    if not read:
        result.notices.append("no paragraphs of running text were found in the article")
        return result
    if not result.places_found:
        result.notices.append(
            "no place in Kazakhstan, Kyrgyzstan or Xinjiang is named in the article's text: "
            "nothing to map"
        )
        return result
    text_sha = sha256(article.text)
    # The country the article is about: its title counts three times over.
    title_tokens = reading.tokens(info.title, 0, len(info.title))
    title = Counter(m.best.iso for m in reading.places(gazetteer, info.title, title_tokens))
    weights = article_countries + Counter({iso: 3 * n for iso, n in title.items()})
    main_iso = weights.most_common(1)[0][0]
    last: Candidate | None = None
    last_paragraph = -1
    last_place_in_paragraph: Place | None = None
    in_paragraph: list[Candidate] = []
    last_site: Mention | None = None  # the embassy or consulate named last, and where
    protest_days: set[str] = set()
    for sentence in read:
        if sentence.paragraph != last_paragraph:
            last, last_paragraph, last_place_in_paragraph = None, sentence.paragraph, None
            in_paragraph = []
        own_dates = [d for d in sentence.dates if d.resolved]
        has_event = bool(sentence.triggers or sentence.topics)
        context_place = last_place_in_paragraph
        if sentence.mentions:
            last_place_in_paragraph = sentence.mentions[-1].best
        site_named = any(h.term.value == Category.CONSULATE_EMBASSY for h in sentence.topics)
        referred: Mention | None = None
        if sentence.same_site and last_site is not None and not sentence.locative:
            referred = last_site
        elif site_named and (sentence.locative or sentence.mentions):
            last_site = gz.best_mention(sentence.locative) or gz.best_mention(sentence.mentions)
        if not has_event or sentence.generic:
            continue
        same_day = bool(
            last and own_dates and own_dates[0].value == last.event_date and not sentence.locative
        )
        new = bool(own_dates) and not same_day
        if not new and sentence.triggers and sentence.locative and not sentence.anaphoric:
            # An undated sentence about a place this paragraph's event is at adds to it.
            here = gz.best_mention(sentence.locative)
            town = here is not None and here.best.precision in (
                GeoPrecision.EXACT,
                GeoPrecision.CITY,
            )
            known = next(
                (
                    c
                    for c in reversed(in_paragraph)
                    if town and here and c.location == here.best.name
                ),
                None,
            )
            if known is not None:
                _attach(known, sentence, article.text)
                continue
            new = True
        if new:
            places: list[Mention | None] = [None]
            if reading.split_places and len(sentence.coordinated) > 1:
                places = list(sentence.coordinated)
            for place in places:
                last = _candidate(
                    sentence,
                    article,
                    info,
                    gazetteer,
                    text_sha,
                    context_place,
                    main_iso,
                    reading=reading,
                    chosen_place=place or referred,
                    part=place.best.name if place is not None else "",
                    protest_days=protest_days,
                )
                result.candidates.append(last)
                in_paragraph.append(last)
                if last.category == Category.PROTEST and last.time_precision == "day":
                    protest_days.add(last.event_date)
        elif last is not None:
            _attach(last, sentence, article.text)
    if not result.candidates:
        result.notices.append("no sentence describes a dated or placed event")
    unresolved = {d.basis for s in read for d in s.dates if not d.resolved}
    if unresolved and info.published is None:
        result.notices.append(
            "no publication date is known (no date line, sources.csv or --published): "
            "dates such as 'On March 27' were left unresolved"
        )
    return result


def _merge_metadata(info: ArticleInfo, found: Layout, article: ArticleText) -> None:
    info.title = info.title or found.title or article.meta.get("title", "")
    info.author = info.author or found.author or article.meta.get("author", "")
    info.publisher = info.publisher or found.publisher or article.meta.get("publisher", "")
    # A sources.csv's link, else the page's own; either only when the atlas would show it.
    links = (info.url, article.meta.get("url", ""))
    info.url = next((u for u in links if u and url_problem(u) is None), "")
    if info.published is None and found.published is not None:
        info.published = found.published
        info.published_from = f"the date line {found.published_text!r}"
    if info.published is None and article.meta.get("published"):
        parsed = parse_date_line(article.meta["published"])
        if parsed:
            info.published = parsed[0]
            info.published_from = "the page's metadata"


def _candidate(
    sentence: _Sentence,
    article: ArticleText,
    info: ArticleInfo,
    gazetteer: Gazetteer,
    text_sha: str,
    context_place: Place | None,
    main_iso: str,
    *,
    reading: Reading = ENGLISH,
    chosen_place: Mention | None = None,
    part: str = "",
    protest_days: set[str] | None = None,
) -> Candidate:
    text = article.text
    excerpt = text[sentence.start : sentence.end]
    notes: list[str] = []
    chosen = (
        chosen_place or gz.best_mention(sentence.locative) or gz.best_mention(sentence.mentions)
    )
    alternatives: list[str] = []
    settlement = (
        russian.SETTLEMENT.search(text, sentence.start, sentence.end)
        if reading is RUSSIAN and chosen is None
        else None
    )
    if chosen is not None and chosen_place is not None and not part:
        place = chosen.best
        place_text = chosen.surface
        notes.append(
            f"place: the site this sentence refers back to ({place_text!r} earlier), "
            f"read as {place.name} ({place.source})"
        )
    elif chosen is not None:
        place = chosen.best
        place_text = chosen.surface
        alternatives = [
            f"{p.name} ({p.iso}, {p.kind}, {p.source or 'GeoNames ' + p.geonameid})"
            for p in chosen.places[1:4]
        ]
        notes.append(f"place: {place_text!r} read as {place.name} ({place.source})")
    elif settlement is not None and context_place is not None:
        # "в селе Калинин": a village the gazetteer lacks, in the area the paragraph is about.
        place = context_place
        place_text = settlement.group("name")
        notes.append(
            f"place: {place_text!r} is not in the gazetteer: placed at {place.name}, the last "
            "place the paragraph names (region precision)"
        )
    elif context_place is not None:
        place = country_place(gazetteer, context_place.iso)
        place_text = ""
        notes.append(
            f"no place named in the sentence: {place.name} from the paragraph "
            f"(last place named: {context_place.name})"
        )
    else:
        place = country_place(gazetteer, main_iso)
        place_text = ""
        notes.append(
            f"no place named in the sentence or its paragraph: {place.name}, the country "
            "the article names most"
        )
    own = [d for d in sentence.dates if d.resolved]
    if own:
        event_date, precision, date_text = own[0].value, own[0].precision.value, own[0].text
        notes.append(f"date: {date_text!r} ({own[0].basis})")
    else:
        event_date, precision, date_text = "", TimePrecision.UNKNOWN.value, ""
        unresolved = [d for d in sentence.dates if not d.resolved]
        if unresolved:
            date_text = unresolved[0].text
            notes.append(f"date: {date_text!r} could not be resolved ({unresolved[0].basis})")
        else:
            notes.append("no date in the sentence")
    category, terms = _category(sentence)
    if (
        category is Category.DETENTION
        and sentence.arrests is not None
        and own
        and own[0].basis == "previous date"
        and own[0].value in (protest_days or set())
    ):
        # "That day, police detained 300 people": arrests at that day's protests.
        category = Category.PROTEST
        notes.append("category: arrests on the day of the protests told before")
    event_type, sub_type = _sub_type(category, terms, sentence.arrests)
    if category is Category.PROTEST and sentence.arrests is not None:
        event_type, sub_type = "Protests", "Protest with intervention"
    excerpt_sha = sha256(excerpt)
    raw_start, raw_end = article.raw_span(sentence.start, sentence.end)
    title = f"{CATEGORY_TITLES[category]} in {place.name}"
    if event_date:
        title += f", {date_words(event_date, precision)}"
    confident = bool(own) and (chosen is not None)
    return Candidate(
        candidate_id=candidate_key(info.source_id, sentence.start, sentence.end, excerpt_sha, part),
        source=article.name,
        source_id=info.source_id,
        text_sha256=text_sha,
        title=title,
        event_date=event_date,
        time_precision=precision,
        date_text=date_text,
        country=place.iso,
        country_name=place.country,
        location=place.name,
        admin1=place.admin1,
        latitude=round(place.latitude, 5),
        longitude=round(place.longitude, 5),
        geo_precision=(
            place.precision.value
            if chosen is not None
            else GeoPrecision.REGION.value
            if settlement is not None and context_place is not None
            else _fallback_precision(place)
        ),
        place_text=place_text,
        place_source=place.source,
        category=category.value,
        event_type=event_type,
        sub_event_type=sub_type,
        actors=list(sentence.actors),
        participants=sentence.participants,
        arrests=sentence.arrests,
        excerpt=excerpt,
        char_start=sentence.start,
        char_end=sentence.end,
        raw_start=raw_start,
        raw_end=raw_end,
        excerpt_sha256=excerpt_sha,
        confidence="medium" if confident else "low",
        notes="; ".join(notes),
        other_dates=[d.value for d in own[1:]],
        place_alternatives=alternatives,
        terms=terms,
        language=reading.code,
        part=part,
    )


def _fallback_precision(place: Place) -> str:
    if place.precision in (GeoPrecision.EXACT, GeoPrecision.CITY):
        return GeoPrecision.COUNTRY.value
    return place.precision.value


def _attach(candidate: Candidate, sentence: _Sentence, text: str) -> None:
    """Fold a following sentence's counts and actors into the candidate before it."""
    if any(m.best.iso != candidate.country for m in sentence.locative):
        return  # it speaks of somewhere else
    added = False
    if candidate.arrests is None and sentence.arrests is not None:
        candidate.arrests = sentence.arrests
        added = True
        candidate.event_type, candidate.sub_event_type = _sub_type(
            Category(candidate.category), candidate.terms, candidate.arrests
        )
    if not candidate.participants and sentence.participants:
        candidate.participants = sentence.participants
        added = True
    for actor in sentence.actors:
        if actor not in candidate.actors:
            candidate.actors.append(actor)
            added = True
    if added:
        candidate.supporting.append(
            Span(text[sentence.start : sentence.end], sentence.start, sentence.end)
        )
