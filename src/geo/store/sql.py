"""A ViewState as SQL: WHERE clauses with placeholders and their bound parameters.

One builder for both engines: DuckDB takes ``?`` placeholders (the default), psycopg ``%s``
(``mark=PG``); the clauses themselves are plain SQL both understand.

Every value a user or a link controls (countries, categories, regions, search text, dates)
travels as a bound parameter, never inside the SQL text, so quotes, ``--``, ``;`` or any
unicode match literally and can change nothing. The clauses are written so they mean exactly
what the pandas oracles of the tests (``tests/oracles.py``) mean: the bundled data's tests pin
that.
"""

from __future__ import annotations

import calendar
import html
from collections.abc import Sequence
from datetime import date

from geo import placenames
from geo.picks import month_span, parse_pick_key
from geo.view import ViewState, month_index, month_of

Params = list[object]
DUCK = "?"
PG = "%s"


def month_range(state: ViewState) -> tuple[date, date]:
    """First and last day of the view's month range (a range ending in December 9999 too:
    no month after the last one is needed)."""
    start, end = divmod(month_index(state.start), 12), divmod(month_index(state.end), 12)
    first = date(start[0], start[1] + 1, 1)
    days = calendar.monthrange(end[0], end[1] + 1)[1]
    return first, date(end[0], end[1] + 1, days)


def _in(column: str, values: Sequence[str], mark: str) -> tuple[str, Params]:
    marks = ", ".join(mark for _ in values)
    return f"{column} IN ({marks})", list(values)


def common_filter(
    state: ViewState, *, has_region: bool = True, mark: str = DUCK
) -> tuple[list[str], Params]:
    """Countries, categories, regions and search text, as clauses joined by the caller."""
    clauses: list[str] = []
    params: Params = []
    for column, values, applies in (
        ("iso", state.countries, True),
        ("category", state.categories, True),
        ("region", state.regions, has_region),
    ):
        if values and applies:
            clause, values_params = _in(column, values, mark)
            clauses.append(clause)
            params += values_params
    if state.query:
        clause, search_params = search_filter(state.query, has_region=has_region, mark=mark)
        clauses.append(clause)
        params += search_params
    return clauses, params


def search_filter(query: str, *, has_region: bool = True, mark: str = DUCK) -> tuple[str, Params]:
    """The search box as SQL: the query, or any name of the place it names (in any script,
    see :meth:`geo.placenames.PlaceNames.search_terms`), as a substring of the search text;
    a region it names also by the events' region.

    Each name is a literal substring test, OR-ed, both sides casefolded by Python as the
    search text was when it was built. On PostgreSQL it is a LIKE with %, _ and the escape
    character escaped, which its trigram index answers (migration 005). On DuckDB it is
    ``contains``, literal by definition and several times faster than a LIKE with an ESCAPE
    clause, which DuckDB does not turn into a substring search (at a million events, 26
    names of Almaty cost 0.17 s with ``contains`` and 2.2 s as LIKEs). A name of three
    letters or fewer ("Osh", "Ош") is a whole word: the substring test first, then a regular
    expression that no letter stands next to it ("zholdoshbek" does not name Osh)."""
    terms = placenames.search_terms(query)
    texts = terms.texts or (() if terms.words else (query.casefold(),))
    if mark == PG:
        alternatives = [f"search_text LIKE {mark} ESCAPE '\\'" for _ in texts]
        params: Params = [f"%{like_literal(text)}%" for text in texts]
        for word in terms.words:
            alternatives.append(f"(search_text LIKE {mark} AND search_text ~ {mark})")
            params += [f"%{like_literal(word)}%", whole_word(word, PG_WORD_CHARS)]
    else:
        alternatives = [f"contains(search_text, {mark})" for _ in texts]
        params = list(texts)
        for word in terms.words:
            alternatives.append(
                f"(contains(search_text, {mark}) AND regexp_matches(search_text, {mark}))"
            )
            params += [word, whole_word(word, DUCK_WORD_CHARS)]
    if terms.regions and has_region:
        clause, region_params = _in("region", terms.regions, mark)
        alternatives.append(clause)
        params += region_params
    return "(" + " OR ".join(alternatives) + ")", params


# The letters and digits a word is made of, in the search text's scripts (Latin with its
# accents, Cyrillic with Kazakh and Kyrgyz letters, Arabic script), as each engine's regular
# expressions write them (both classes are not locale-dependent).
DUCK_WORD_CHARS = r"0-9a-z\x{00c0}-\x{024f}\x{0400}-\x{04ff}\x{0600}-\x{06ff}"
PG_WORD_CHARS = r"0-9a-z\u00c0-\u024f\u0400-\u04ff\u0600-\u06ff"


def whole_word(word: str, letters: str) -> str:
    """A regular expression finding ``word`` (letters only) not inside a longer word."""
    return f"(?:^|[^{letters}]){word}(?:[^{letters}]|$)"


def like_literal(text: str) -> str:
    """``text`` as a LIKE pattern matching only itself (escape character ``\\``)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def event_filter(
    state: ViewState, *, has_region: bool = True, mark: str = DUCK
) -> tuple[str, Params]:
    """Events matching the filters whose dates overlap the month range, and undated events
    when the view includes them; with a chart selection (``state.picks``), only the events
    it picks (see :func:`pick_filter`)."""
    first, last = month_range(state)
    clauses = [
        f"((start IS NOT NULL AND start <= {mark} AND stop >= {mark}) "
        f"OR (start IS NULL AND {mark}))"
    ]
    params: Params = [last, first, bool(state.undated)]
    more, more_params = common_filter(state, has_region=has_region, mark=mark)
    clauses += more
    params += more_params
    if state.picks:
        picked, picked_params = pick_filter(
            state.picks, state.start, has_region=has_region, mark=mark
        )
        clauses.append(picked)
        params += picked_params
    return " AND ".join(clauses), params


# An event's actor names as one ";name;name;" string: ``actor1`` and ``assoc_actor_1`` split
# on ";", each name trimmed, so ";" + name + ";" is a literal substring test. (The tests'
# pandas oracle, split_actors in tests/oracles.py, also folds runs of spaces inside a name; the
# store keeps names as imported, where ACLED writes them with single spaces.)
ACTOR_LIST = (
    "(';' || regexp_replace(trim(coalesce(actor1, '') || ';' || coalesce(assoc_actor_1, '')), "
    "'\\s*;\\s*', ';', 'g') || ';')"
)


def _month_clause(months: str, first_month: str, mark: str = DUCK) -> tuple[str, Params]:
    """Events counted by the charts in a month or span of months (``2019-09``,
    ``2018-02..2020-11``, see :func:`geo.picks.month_span`): started in it, or, when it holds
    the view's first month, started before that (they run into the view)."""
    span = month_span(months)
    if span is None:
        raise ValueError(months)
    low, high = span
    first = date.fromisoformat(f"{low}-01")
    after = date.fromisoformat(f"{month_of(month_index(high) + 1)}-01")
    if high < first_month:  # the charts count nothing before the view's first month
        return "FALSE", []
    if low <= first_month:
        return f"(start IS NOT NULL AND start < {mark})", [after]
    return f"(start >= {mark} AND start < {mark})", [first, after]


def _facet_clause(
    facet: str, value: str, first_month: str, *, has_region: bool, mark: str = DUCK
) -> tuple[str, Params]:
    plain = html.unescape(value)
    if facet == "month":
        try:
            return _month_clause(plain, first_month, mark)
        except ValueError:
            return "FALSE", []
    if facet == "event":
        return f"event_id = {mark}", [plain]
    if facet in ("iso", "category") or (facet == "region" and has_region):
        return f"{facet} = {mark}", [plain]  # facet is one of these fixed names, never user text
    if facet == "actor":
        return f"strpos({ACTOR_LIST}, {mark}) > 0", [f";{plain};"]
    return "FALSE", []  # an unknown facet matches nothing


def pick_filter(
    picks: Sequence[str], first_month: str, *, has_region: bool = True, mark: str = DUCK
) -> tuple[str, Params]:
    """The events a chart selection picks, as SQL: those matching ANY key, where a key
    matches when ALL its facets do (see :mod:`geo.picks`; the tests hold this to a pandas
    oracle, ``events_matching`` in ``tests/oracles.py``).
    Key values are unescaped and bound as parameters; malformed keys match nothing."""
    alternatives: list[str] = []
    params: Params = []
    for key in picks:
        parsed = parse_pick_key(key)
        if not parsed:
            continue
        parts = []
        for facet, value in parsed:
            clause, clause_params = _facet_clause(
                facet, value, first_month, has_region=has_region, mark=mark
            )
            parts.append(clause)
            params += clause_params
        alternatives.append("(" + " AND ".join(parts) + ")")
    if not alternatives:
        return "FALSE", []
    return "(" + " OR ".join(alternatives) + ")", params


# The pick facets a rollup can answer: those of its own columns (see migration 004).
ROLLUP_FACETS = frozenset({"month", "iso", "category", "region"})


def rollup_answers(state: ViewState) -> bool:
    """Whether counts of the view's events can be read from rollups keyed by month of start
    and stop, country, category and region: no search text, and a chart selection (if any)
    only of months, countries, categories or regions. The clauses of :func:`event_filter`
    then mean the same on a rollup as on the events (their dates are compared with first
    days of months only)."""
    if state.query:
        return False
    for key in state.picks:
        parsed = parse_pick_key(key)
        if parsed and any(facet not in ROLLUP_FACETS for facet, _ in parsed):
            return False
    return True


def site_filter(
    state: ViewState, *, has_region: bool = True, mark: str = DUCK
) -> tuple[str, Params]:
    """Sites matching the filters that were open at some time in the month range."""
    first, last = month_range(state)
    clauses = [f"(start IS NULL OR start <= {mark})", f"(stop IS NULL OR stop >= {mark})"]
    params: Params = [last, first]
    more, more_params = common_filter(state, has_region=has_region, mark=mark)
    return " AND ".join(clauses + more), params + more_params


def bbox_filter(
    bbox: tuple[float, float, float, float] | None, *, mark: str = DUCK, geometry: str = ""
) -> tuple[str, Params]:
    """Points inside (south, west, north, east); no clause for None. With ``geometry`` (a
    PostGIS point column) the box is an envelope test the column's GiST index answers; the
    latitude/longitude test stays beside it so edges count exactly as on the other engine."""
    if bbox is None:
        return "TRUE", []
    south, west, north, east = (float(v) for v in bbox)
    clause = f"(latitude BETWEEN {mark} AND {mark}) AND (longitude BETWEEN {mark} AND {mark})"
    params: Params = [south, north, west, east]
    if geometry:
        clause = f"{geometry} && ST_MakeEnvelope({mark}, {mark}, {mark}, {mark}, 4326) AND {clause}"
        params = [west, south, east, north, *params]
    return clause, params
