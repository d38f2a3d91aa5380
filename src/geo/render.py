"""What the atlas says about an item, a source and a view, composed once.

Every place that shows an event or a site (the map's popup, the panel beside the map, the
HTML brief, the CSV and GeoJSON rows) takes its facts from :func:`item_facts`; every
citation is one :class:`Citation`, written out by :func:`citation_markdown`,
:func:`citation_text` or :func:`citation_html`; the view in words is :func:`describe_view`
(a sentence, for the brief, the GeoJSON and the share text) or :func:`summary_markdown`
(the line above the map and the charts).

The facts are plain text. A formatter escapes them for where they go: HTML and JavaScript
through :mod:`geo.safe_html` (:func:`inert` in the brief), Streamlit Markdown through
:func:`geo.safe_html.markdown`. A missing value is left out of the facts rather than shown:
the loaders give missing text as "" (:func:`geo.model.blank_missing_text`), and a ``None``
or NaN that reaches here all the same counts as empty.

No streamlit and no store here: the pages, the map and the exports all import this module.
"""

from __future__ import annotations

import math
import re
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from geo import placenames, safe_html
from geo.figures import parse_figures
from geo.model import (
    AREAS,
    CATEGORY_LABELS,
    MONTH_NAMES,
    Category,
    GeoPrecision,
    TimePrecision,
)
from geo.picks import describe_picks
from geo.provenance import site_facts
from geo.validate import infer_precision
from geo.view import ViewState

Record = Mapping[str, Any] | Mapping[Hashable, Any] | pd.Series
"""A row of the data: a ``dict`` from ``to_dict("records")`` (keyed by column label, which
pandas types as ``Hashable``) or a ``pandas.Series``."""

KINDS = ("event", "site")


def _text(value: object) -> str:
    """A cell as it is; ``None`` and NaN as the empty string."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def inert(value: object, max_len: int | None = None) -> str:
    """Text for the brief's markup: :func:`geo.safe_html.text`, and colons as ``&#58;``, so
    no URL scheme (``javascript:``) stands in the file even as words; it reads the same."""
    return safe_html.text(value, max_len).replace(":", "&#58;")


# ---- dates and places ----


def date_words(value: object, precision: str) -> str:
    """A date as a person writes it, with its precision: '27 March 2021', 'January 2020
    (month known, not the day)', '2019 (year known only)', 'date unknown'."""
    if not isinstance(value, date) or precision == TimePrecision.UNKNOWN:
        return "date unknown"
    month = MONTH_NAMES[value.month - 1]
    if precision == TimePrecision.DAY:
        return f"{value.day} {month} {value.year}"
    if precision == TimePrecision.MONTH:
        return f"{month} {value.year} (month known, not the day)"
    return f"{value.year} (year known only)"


def event_when(record: Record) -> str:
    """When an event happened: its date in words, and its end when it lasted longer."""
    text = date_words(record["start"], str(record["time_precision"]))
    end = _text(record.get("date_end"))
    if end and record["stop"] != record["start"]:
        text += f" to {date_words(record['stop'], str(infer_precision(end)))}"
    return text


def site_when(record: Record) -> str:
    """When a site was open: 'from August 2007 (…)', 'from … until …'."""
    opened = (
        date_words(record["start"], str(record["open_precision"] or "day"))
        if isinstance(record["start"], date)
        else "opening date unknown"
    )
    if isinstance(record["stop"], date):
        closed = date_words(record["stop"], str(record["close_precision"] or "day"))
        return f"from {opened} until {closed}"
    return f"from {opened}" if isinstance(record["start"], date) else opened


def place_words(record: Record) -> str:
    """Where: 'Almaty, Almaty (city), Kazakhstan' (the parts the record has)."""
    parts = [_text(record["location"]), _text(record["admin1"]), AREAS[str(record["iso"])].name]
    return ", ".join(p for p in parts if p)


def month_words(month: str) -> str:
    """A ``YYYY-MM`` month as a person says it: 'March 2019'."""
    first = date.fromisoformat(f"{month}-01")
    return f"{MONTH_NAMES[first.month - 1]} {first.year}"


def period_words(start: str, end: str) -> str:
    """A month range as a person says it: 'March 2019', '2019–2020', 'March–June 2019'."""
    first, last = date.fromisoformat(f"{start}-01"), date.fromisoformat(f"{end}-01")
    if first == last:
        return month_words(start)
    if first.month == 1 and last.month == 12:
        return str(first.year) if first.year == last.year else f"{first.year}–{last.year}"
    if first.year == last.year:
        return f"{MONTH_NAMES[first.month - 1]}–{month_words(end)}"
    return f"{month_words(start)} – {month_words(end)}"


def category_label(value: str) -> str:
    """A category's label ('Protests'); a value that is not a category, as it is."""
    return CATEGORY_LABELS[Category(value)] if value in set(Category) else value


def country_label(iso: str) -> str:
    """A country code's name ('Kazakhstan'; 'CHN' is Xinjiang's); an unknown code as it is."""
    return AREAS[iso].name if iso in AREAS else iso


# ---- citations ----


@dataclass(frozen=True)
class Citation:
    """A source as it is cited: its title always (possibly empty), the rest when given.
    ``url`` is set only when it is an absolute http(s) link (:func:`geo.safe_html.safe_url`)."""

    title: str
    url: str | None = None
    publisher: str = ""
    author: str = ""
    published: str = ""

    @property
    def details(self) -> tuple[str, ...]:
        """Publisher, author and date, those given, in that order."""
        return tuple(v for v in (self.publisher, self.author, self.published) if v)


def citation(source: Record) -> Citation:
    """The citation of a source record (a row of ``sources.csv``, or an excerpt row that
    carries its source's columns)."""
    return Citation(
        title=_text(source.get("title")),
        url=safe_html.safe_url(source.get("url")),
        publisher=_text(source.get("publisher")),
        author=_text(source.get("author")),
        published=_text(source.get("published")),
    )


def source_index(records: Iterable[Record | None]) -> dict[str, Record]:
    """Source records by source id, for :func:`item_facts` (``None`` skipped; the first
    record of an id is kept)."""
    index: dict[str, Record] = {}
    for record in records:
        if record is not None:
            index.setdefault(_text(record.get("source_id")), record)
    return index


_URL_ESCAPES = str.maketrans({c: "\\" + c for c in "\\()[]"})


def _markdown_url(url: str) -> str:
    """A URL as a Markdown link destination: backslashes, parentheses and brackets
    escaped, so the destination ends where the link does and holds no link of its own
    (the link still goes to ``url``: Markdown reads ``\\(`` as ``(``)."""
    return url.translate(_URL_ESCAPES)


def citation_markdown(cited: Citation) -> str:
    """'[Title](url), Publisher, Author, date' as escaped Streamlit Markdown (the title is
    linked only when the URL is safe)."""
    title = safe_html.markdown(cited.title)
    head = f"[{title}]({_markdown_url(cited.url)})" if cited.url else title
    return ", ".join([head, *(safe_html.markdown(v) for v in cited.details)])


def citation_text(cited: Citation) -> str:
    """'“Title”, Publisher, Author, date, URL' as plain text (the URL only when safe)."""
    parts = [f"“{cited.title}”", *cited.details, cited.url or ""]
    return ", ".join(p for p in parts if p)


def citation_html(cited: Citation) -> str:
    """The citation as inert HTML (:func:`inert`), the URL linked to itself when safe."""
    parts = [f"“{inert(cited.title)}”", *(inert(v) for v in cited.details)]
    if cited.url:
        parts.append(safe_html.link(cited.url, cited.url, max_len=None))
    return ", ".join(p for p in parts if p)


# ---- an item's facts ----


@dataclass(frozen=True)
class FigureWords:
    """One figure of a count as one source gave it."""

    words: str  # the figure without its source: '≥1,000'
    source: str  # who gave it: 'RFE/RL'; '' when the cell does not say
    text: str  # as written, source included: '≥1,000 (RFE/RL)'


@dataclass(frozen=True)
class Figures:
    """A count (participants, arrests) as the sources give it: the cell as written, and
    each source's figure apart, so competing figures are never merged."""

    label: str
    written: str
    figures: tuple[FigureWords, ...]

    @property
    def disagree(self) -> bool:
        return len(self.figures) > 1


def figures_of(label: str, value: object) -> Figures:
    """The figures of one ``participants`` or ``arrests`` cell, each source's apart
    (:func:`geo.figures.parse_figures`)."""
    words = tuple(
        FigureWords(
            words=f.text.removesuffix(f"({f.source})").strip() if f.source else f.text,
            source=f.source or "",
            text=f.text,
        )
        for f in parse_figures(value)
    )
    return Figures(label, _text(value), words)


@dataclass(frozen=True)
class ExcerptFacts:
    """An excerpt that supports an item, with the citation of its source (``None`` when
    the source is not known)."""

    excerpt_id: str
    text: str
    span: str  # 'characters 12–80'
    source_id: str
    citation: Citation | None


@dataclass(frozen=True)
class ItemFacts:
    """Everything the atlas says about one event or site, as plain text."""

    kind: str  # "event" or "site"
    item_id: str
    title: str
    category: str
    category_label: str
    confidence: str
    when: str
    where: str  # place words: 'Almaty, Almaty (city), Kazakhstan'
    precision: GeoPrecision
    actors: tuple[str, ...]
    type_words: str  # 'Protests / Peaceful protest'; a site's type
    figures: tuple[Figures, ...]  # an event's participants and arrests, those written
    site_facts: tuple[tuple[str, str], ...]  # what an imported site adds (label, value)
    notes: str
    source: Citation | None
    excerpts: tuple[ExcerptFacts, ...]
    other_names: tuple[str, ...] = ()  # the place's other names: 'Nur-Sultan (2019–2022)'

    @property
    def precision_words(self) -> str:
        return self.precision.description

    @property
    def approximate(self) -> bool:
        return self.precision.approximate

    def written(self, label: str) -> str:
        """The cell of the count ``label`` ('Participants') as written; '' when none."""
        return next((f.written for f in self.figures if f.label == label), "")


FIGURE_COLUMNS = (("Participants", "participants"), ("Arrests", "arrests"))


def item_facts(
    record: Record,
    kind: str,
    excerpts: Iterable[Record] = (),
    sources: Mapping[str, Record] | None = None,
    *,
    names: bool = True,
) -> ItemFacts:
    """The facts of an event or a site (``kind``).

    Parameters
    ----------
    record
        The item's row (events or sites, with the ``start``/``stop`` dates the bundle adds).
    excerpts
        The excerpt rows that support it, in the order to show them.
    sources
        Source records by source id (:func:`source_index`): the item's own source and its
        excerpts' sources are looked up there.
    names
        Whether to look up the place's other names (``other_names``; a marker's popup and
        tooltip do not show them).
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be 'event' or 'site', not {kind!r}")
    event = kind == "event"
    sources = sources or {}
    category = _text(record["category"])
    source = sources.get(_text(record.get("source_id")))
    if event:
        types = (_text(record.get("event_type")), _text(record.get("sub_event_type")))
        type_words = " / ".join(p for p in types if p)
        figures = tuple(
            f
            for f in (figures_of(label, record.get(column)) for label, column in FIGURE_COLUMNS)
            if f.written or f.figures
        )
    else:
        type_words = _text(record.get("site_type"))
        figures = ()
    actors = (_text(record.get("actor1")), _text(record.get("assoc_actor_1")))
    return ItemFacts(
        kind=kind,
        item_id=_text(record["event_id" if event else "site_id"]),
        title=_text(record["title" if event else "name"]),
        category=category,
        category_label=category_label(category),
        confidence=_text(record["confidence"]),
        when=event_when(record) if event else site_when(record),
        where=place_words(record),
        precision=GeoPrecision(str(record["geo_precision"])),
        actors=tuple(a for a in actors if a),
        type_words=type_words,
        figures=figures,
        site_facts=() if event else tuple(site_facts(record)),
        notes=_text(record.get("notes")),
        source=citation(source) if source is not None else None,
        excerpts=tuple(_excerpt_facts(x, sources) for x in excerpts),
        other_names=tuple(
            n.words() for n in placenames.other_names(_text(record["location"]), str(record["iso"]))
        )
        if names
        else (),
    )


def _excerpt_facts(excerpt: Record, sources: Mapping[str, Record]) -> ExcerptFacts:
    source_id = _text(excerpt["source_id"])
    source = sources.get(source_id)
    return ExcerptFacts(
        excerpt_id=_text(excerpt["excerpt_id"]),
        text=_text(excerpt["text"]),
        span=f"characters {excerpt['char_start']}–{excerpt['char_end']}",
        source_id=source_id,
        citation=citation(source) if source is not None else None,
    )


def excerpt_citation_text(excerpt: ExcerptFacts) -> str:
    """'“Title”, Publisher, …, URL, characters 12–80' (just the span when the source is not
    known), as plain text."""
    if excerpt.citation is None:
        return excerpt.span
    return f"{citation_text(excerpt.citation)}, {excerpt.span}"


# ---- an item as Streamlit Markdown (the panel beside the map) ----

NOT_IN_VIEW = "This item is outside the current filters, so it is not drawn on the map."
NO_EXCERPT = "No excerpt from a held article supports this item yet: its source and notes follow."


def _figures_markdown(figures: Figures) -> str:
    shown = figures.figures
    if not shown:
        return ""
    if len(shown) == 1:
        return f"**{figures.label}:** {safe_html.markdown(shown[0].text)}"
    items = [
        f"&nbsp;&nbsp;• {safe_html.markdown(f.words)}"
        + (f" ({safe_html.markdown(f.source)})" if f.source else "")
        for f in shown
    ]
    return f"**{figures.label} (sources disagree):**  \n" + "  \n".join(items)


def figures_markdown(label: str, value: object) -> str:
    """A count as the sources give it: one line, or, where sources disagree, every figure
    with its source on a line of its own; '' when the cell holds none. ``label`` is
    written as it is (a fixed word, not data)."""
    return _figures_markdown(figures_of(label, value))


OTHER_NAMES_SHOWN = 10


def item_markdown_lines(facts: ItemFacts) -> list[str]:
    """The item's facts as Markdown lines (join them with ``"  \\n"``): when, where with
    its precision, actors, then an event's counts or an imported site's facts."""
    md = safe_html.markdown
    lines = [
        f"**When:** {md(facts.when)}",
        f"**Where:** {md(facts.where)} ({md(facts.precision_words)})",
    ]
    if facts.other_names:
        shown = facts.other_names[:OTHER_NAMES_SHOWN]
        more = len(facts.other_names) - len(shown)
        lines.append(
            f"**Also called:** {md(', '.join(shown))}" + (f" and {more} more" if more else "")
        )
    if facts.actors:
        lines.append(f"**Actors:** {md('; '.join(facts.actors))}")
    lines += [_figures_markdown(f) for f in facts.figures]
    lines += [f"**{label}:** {md(value)}" for label, value in facts.site_facts]
    return [line for line in lines if line]


@dataclass(frozen=True)
class ExcerptMarkdown:
    quote: str  # '> the excerpt'
    caption: str  # its citation and where it stands in the article


@dataclass(frozen=True)
class PanelMarkdown:
    """The panel beside the map, part by part, as escaped Streamlit Markdown."""

    heading: str  # st.markdown
    caption: str  # st.caption: category · id · confidence
    facts: str  # st.markdown
    excerpts_heading: str  # st.markdown
    excerpts: tuple[ExcerptMarkdown, ...]  # each in a bordered container
    no_excerpt: str  # st.caption, when there are no excerpts ('' when there are)
    source: str  # st.markdown; '' when the source is not known
    notes: str  # in an expander 'Notes on sourcing'; '' when there are none
    notes_expanded: bool


# How a point's coordinates were found ("Coords: Astana – gk.") and drawing instructions are
# working notes: they stay in the data (and its exports), not in what readers are shown.
_WORKING_PART = re.compile(r"^\s*Coords:", re.IGNORECASE)
_NOTE_PARTS = re.compile(r"\s*\|\s*")  # " | " between parts (a note may start with one)
_WORKING_CLAUSE = re.compile(r";\s*draw as [^.;|]*", re.IGNORECASE)


def reader_notes(notes: str) -> str:
    """An item's sourcing notes as readers see them: the parts (separated by ' | ') less the
    working notes."""
    parts = [_WORKING_CLAUSE.sub("", part).strip() for part in _NOTE_PARTS.split(notes)]
    return " | ".join(part for part in parts if part and not _WORKING_PART.match(part))


def working_notes(notes: str) -> str:
    """What :func:`reader_notes` leaves out of an item's notes: how its point was placed and
    drawn (for editors, and the About page)."""
    kept: list[str] = []
    for part in _NOTE_PARTS.split(notes):
        part = part.strip()
        if _WORKING_PART.match(part):
            kept.append(part)
        else:
            kept += [m.group(0).lstrip("; ").strip() for m in _WORKING_CLAUSE.finditer(part)]
    return " | ".join(p for p in kept if p)


def panel_markdown(facts: ItemFacts) -> PanelMarkdown:
    """The selected item's panel: its facts, excerpts with their citations, source, notes."""
    md = safe_html.markdown
    excerpts = tuple(
        ExcerptMarkdown(
            quote=f"> {md(x.text)}",
            caption=f"{citation_markdown(x.citation) if x.citation else ''} · {x.span}",
        )
        for x in facts.excerpts
    )
    return PanelMarkdown(
        heading=f"#### {md(facts.title)}",
        caption=f"{md(facts.category_label)} · {md(facts.item_id)} · confidence "
        f"{md(facts.confidence)}",
        facts="  \n".join(item_markdown_lines(facts)),
        excerpts_heading=f"**Excerpts ({len(excerpts)})**",
        excerpts=excerpts,
        no_excerpt="" if excerpts else NO_EXCERPT,
        source=f"**Source:** {citation_markdown(facts.source)}" if facts.source else "",
        notes=md(reader_notes(facts.notes), max_len=4000) if reader_notes(facts.notes) else "",
        notes_expanded=not excerpts,
    )


# ---- the view in words ----


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _and(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} and {words[-1]}"


def _category_labels(state: ViewState) -> list[str]:
    return [CATEGORY_LABELS[Category(c)] for c in state.categories]


def _region_names(state: ViewState) -> list[str]:
    return [placenames.region_label(r) for r in state.regions]


def _country_names(state: ViewState) -> list[str]:
    return [country_label(c) for c in state.countries]


def describe_view(state: ViewState, n_events: int, n_sites: int, *, n_undated: int = 0) -> str:
    """The view in one plain sentence, e.g. 'Protests in Kyrgyzstan, 2019–2020: 9 events,
    2 sites' (``n_undated`` of the events have no date). Plain text: escape it for
    wherever it is shown."""
    what = _and(_category_labels(state)) or "Events and sites"
    where = _and(_region_names(state)) or _and(_country_names(state))
    where = where or _and([area.name for area in AREAS.values()])
    extras = []
    if state.query:
        extras.append(f"matching “{state.query}”")
    if state.picks:
        extras.append(f"chart selection {describe_picks(state.picks, most=3)}")
    if not state.undated:
        extras.append("undated events left out")
    head = f"{what} in {where}, {period_words(state.start, state.end)}"
    if extras:
        head += f" ({'; '.join(extras)})"
    events = plural(n_events, "event")
    if n_undated:
        events += f" ({n_undated} undated)"
    return f"{head}: {events}, {plural(n_sites, 'site')}"


def summary_markdown(state: ViewState, n_events: int, n_sites: int) -> str:
    """The line above the map and the charts, as escaped Markdown: '9 events and 2 sites ·
    March 2019 – June 2020 · Kyrgyzstan · Protests · Chuy · matching “…”'."""
    countries = ", ".join(_country_names(state)) or "all countries"
    categories = ", ".join(_category_labels(state)) or "all categories"
    period = f"{month_words(state.start)} – {month_words(state.end)}"
    regions = f" · {', '.join(_region_names(state))}" if state.regions else ""
    counts = f"{plural(n_events, 'event')} and {plural(n_sites, 'site')}"
    text = f"{counts} · {period} · {countries} · {categories}{regions}"
    if state.query:
        text += f" · matching “{state.query}”"
    return safe_html.markdown(text)


def narrowing_words(state: ViewState, first_month: str, last_month: str) -> list[str]:
    """What in ``state`` narrows the view, each as an instruction that widens it again, in
    the order a person would try them: the chart selection, the search, regions, countries,
    categories, the months (when they are not the data's whole span), undated events."""
    steps = []
    if state.picks:
        steps.append("clear the chart selection")
    if state.query:
        steps.append(f"clear the search “{state.query}”")
    if state.regions:
        steps.append(f"remove the region filter ({', '.join(_region_names(state))})")
    if state.countries:
        steps.append(f"add countries (now {_and(_country_names(state))} only)")
    if state.categories:
        steps.append(f"add categories (now {_and(_category_labels(state))} only)")
    if (state.start, state.end) != (first_month, last_month):
        steps.append(f"widen the months (now {period_words(state.start, state.end)})")
    if not state.undated:
        steps.append("include events with unknown dates")
    return steps


def nothing_matches_markdown(state: ViewState, first_month: str, last_month: str) -> str:
    """What to say when a view shows no event and no site, as escaped Markdown: what
    matched nothing and how to widen the view, and for a search the nearest known place
    names ("did you mean")."""
    steps = narrowing_words(state, first_month, last_month)
    head = "**No event or site matches this view.**"
    if not steps:
        return f"{head} The data holds nothing yet."
    text = f"{head} To see more, {safe_html.markdown(_and(steps))}; or press Reset view."
    # A search that names a known place was not mistyped: the other filters left it out.
    near = [] if placenames.search_terms(state.query).places else placenames.suggest(state.query)
    if state.query and near:
        quoted = " or ".join(f"“{safe_html.markdown(n)}”" for n in near)
        text += f" Did you mean {quoted}?"
    return text


# ---- the table of items in view ----

TABLE_COLUMNS = (
    "Date",
    "Title",
    "Place",
    "Category",
    "Actors",
    "Participants",
    "Arrests",
    "Source",
    "Id",
)


def _table_row(facts: ItemFacts, start: object) -> dict[str, Any]:
    return {
        "Date": facts.when,
        "Title": facts.title,
        "Place": facts.where,
        "Category": facts.category_label,
        "Actors": "; ".join(facts.actors),
        "Participants": facts.written("Participants"),
        "Arrests": facts.written("Arrests"),
        "Source": citation_text(facts.source) if facts.source else "",
        "Id": facts.item_id,
        "_start": start,
    }


def item_table(
    events: Iterable[Record], sites: Iterable[Record], sources: Mapping[str, Record]
) -> list[dict[str, Any]]:
    """One row per event and site, by date (undated last, then by id), in plain text: the
    table under the map and its CSV. ``sources`` by ``source_id`` (:func:`source_index`)."""
    rows = [
        _table_row(item_facts(record, kind, (), sources), record.get("start"))
        for kind, records in (("event", events), ("site", sites))
        for record in records
    ]
    dated = sorted(
        (r for r in rows if isinstance(r["_start"], date)), key=lambda r: (r["_start"], r["Id"])
    )
    undated = sorted((r for r in rows if not isinstance(r["_start"], date)), key=lambda r: r["Id"])
    return [{k: v for k, v in r.items() if k != "_start"} for r in [*dated, *undated]]
