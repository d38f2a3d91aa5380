"""The sources page's data: every source with what cites it, and the held articles as safe HTML
with each excerpt span highlighted and linked to the map.

An excerpt is a verbatim span of an article (``char_start``..``char_end``). A span whose
offsets no longer match the article's text is never highlighted (it would mark the wrong
words): it is returned as a :class:`FlaggedSpan` with the reason, for the page to list.

Every character of an article is untrusted: it reaches the markup only through
:func:`geo.safe_html.text`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any, cast
from urllib.parse import quote

import pandas as pd

from geo import safe_html
from geo.bundle import Bundle
from geo.model import EXCERPT_COLUMNS
from geo.validate import Row, read_rows, read_text, split_ids

EXCERPTS_FILE = "excerpts.csv"
SOURCE_PARAM = "src"
MAX_PARAM = 200
# A blank line (possibly indented) separates paragraphs in the corpus texts.
_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\f\v]*\n\s*")
# The reason check_links gives when an event or site cites an excerpt that did not load.
_LOST_EXCERPT = re.compile(r"^unknown excerpt '([^']+)'$")

MARK_STYLE = "background:#fde68a;color:#1f2937;padding:0 .12em;border-radius:3px"
ARTICLE_STYLE = "line-height:1.65;max-width:48rem"
LINK_STYLE = "color:inherit;text-decoration:underline dotted;text-underline-offset:3px"


@dataclass(frozen=True)
class Span:
    """An excerpt's place in its article, and the events or sites it supports."""

    excerpt_id: str
    char_start: int
    char_end: int
    text: str
    supports: tuple[str, ...] = ()  # event and site ids; the first is the link target


@dataclass(frozen=True)
class FlaggedSpan:
    """An excerpt that cannot be highlighted, and why."""

    excerpt_id: str
    char_start: int | None  # None when the file's offsets are not numbers
    char_end: int | None
    text: str
    reason: str
    supports: tuple[str, ...] = ()


@dataclass(frozen=True)
class Highlighted:
    """An article as safe HTML, the spans highlighted in it and the spans left out."""

    html: str
    shown: tuple[Span, ...]
    flagged: tuple[FlaggedSpan, ...]


# ---- which events and sites an excerpt supports ----


def supporters(events: pd.DataFrame, sites: pd.DataFrame) -> dict[str, tuple[str, ...]]:
    """Excerpt id -> ids of the events, then the sites, whose ``excerpt_ids`` name it.

    Parameters
    ----------
    events, sites
        The bundle's frames; ``excerpt_ids`` is semicolon-separated.

    Returns
    -------
    dict
        Ids in file order (events before sites), each once.
    """
    found: dict[str, list[str]] = {}
    for frame, key in ((events, "event_id"), (sites, "site_id")):
        for item_id, excerpt_ids in zip(frame[key], frame["excerpt_ids"], strict=True):
            for excerpt_id in split_ids(str(excerpt_ids or "")):
                ids = found.setdefault(excerpt_id, [])
                if str(item_id) not in ids:
                    ids.append(str(item_id))
    return {excerpt_id: tuple(ids) for excerpt_id, ids in found.items()}


def lost_citations(bundle: Bundle) -> dict[str, tuple[str, ...]]:
    """Excerpt id -> ids of the events and sites that cite it although it did not load (the
    loader dropped the reference and left a warning)."""
    lost: dict[str, list[str]] = {}
    files = ("events.csv", "sites.csv")
    for problem in sorted(bundle.problems, key=lambda p: (p.file != files[0], p.line)):
        if problem.field != "excerpt_ids" or problem.file not in files:
            continue
        match = _LOST_EXCERPT.match(problem.reason)
        if match and problem.record_id:
            lost.setdefault(match.group(1), []).append(problem.record_id)
    return {excerpt_id: tuple(ids) for excerpt_id, ids in lost.items()}


def item_labels(bundle: Bundle) -> dict[str, str]:
    """Event or site id -> its title (events) or name (sites), for hover text."""
    labels = dict(zip(bundle.events["event_id"], bundle.events["title"], strict=True))
    labels.update(zip(bundle.sites["site_id"], bundle.sites["name"], strict=True))
    return {str(k): safe_html.plain(v) for k, v in labels.items()}


# ---- checking spans against the text ----


def span_problem(text: str, span: Span) -> str | None:
    """Why ``span`` cannot be highlighted in ``text``, or ``None`` when its offsets match.

    Parameters
    ----------
    text
        The article's full text.
    span
        The excerpt; it matches when ``text[char_start:char_end] == span.text``.
    """
    start, end = span.char_start, span.char_end
    if start < 0 or end <= start:
        return f"offsets {start}..{end} are not an increasing span"
    if end > len(text):
        return f"offsets {start}..{end} run past the end of the article ({len(text)} characters)"
    found = text[start:end]
    if found == span.text:
        return None
    shown = found if len(found) <= 60 else found[:59] + "…"
    reason = f"offsets {start}..{end} no longer match the article, which reads {shown!r} there"
    where = text.find(span.text) if span.text else -1
    if where >= 0:
        return f"{reason}; the quoted text now lies at {where}..{where + len(span.text)}"
    return f"{reason}; the quoted text is not in the article"


def check_spans(text: str, spans: Sequence[Span]) -> tuple[list[Span], list[FlaggedSpan]]:
    """Split ``spans`` into those matching ``text`` (sorted by offset) and flagged ones."""
    good: list[Span] = []
    flagged: list[FlaggedSpan] = []
    for span in spans:
        reason = span_problem(text, span)
        if reason is None:
            good.append(span)
        else:
            flagged.append(
                FlaggedSpan(
                    span.excerpt_id,
                    span.char_start,
                    span.char_end,
                    span.text,
                    reason,
                    span.supports,
                )
            )
    good.sort(key=lambda s: (s.char_start, s.char_end, s.excerpt_id))
    return good, flagged


# ---- the article as HTML ----


def paragraphs(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each paragraph of ``text``: blocks between blank lines, with their
    surrounding whitespace left out."""
    out: list[tuple[int, int]] = []
    cursor = 0
    for brk in [*_PARAGRAPH_BREAK.finditer(text), None]:
        stop = brk.start() if brk else len(text)
        block = text[cursor:stop]
        lead = len(block) - len(block.lstrip())
        trail = len(block) - len(block.rstrip())
        if block.strip():
            out.append((cursor + lead, stop - trail))
        if brk:
            cursor = brk.end()
    return out


def map_link(item_id: str, map_url: str = "./") -> str:
    """The map page's URL with ``item_id`` selected (not yet HTML-escaped)."""
    return f"{map_url}?sel={quote(item_id, safe='')}"


def _hover(covering: Sequence[Span], labels: Mapping[str, str]) -> str:
    lines = []
    for span in covering:
        if span.supports:
            items = "; ".join(
                f"{i} {labels[i]}" if labels.get(i) else i for i in span.supports[:12]
            )
            more = f" and {len(span.supports) - 12} more" if len(span.supports) > 12 else ""
            lines.append(f"Excerpt {span.excerpt_id} supports: {items}{more}")
        else:
            lines.append(f"Excerpt {span.excerpt_id}: no event or site cites it")
    return "\n".join(lines)


def _segment(
    text: str, start: int, end: int, shown: Sequence[Span], labels: Mapping[str, str], url: str
) -> str:
    inner = safe_html.text(text[start:end]).replace("\n", "<br>")
    covering = [s for s in shown if s.char_start <= start and end <= s.char_end]
    if not covering:
        return inner
    # The innermost span with a supporter decides where a click goes.
    ranked = sorted(covering, key=lambda s: (-s.char_start, s.char_end, s.excerpt_id))
    target = next((s.supports[0] for s in ranked if s.supports), None)
    ids = " ".join(s.excerpt_id for s in covering)
    hover = _hover(covering, labels)
    if target is not None:
        hover += f"\nClick to open {target} on the map."
    title = safe_html.text(hover)
    if target is not None:
        href = safe_html.text(map_link(target, url))
        inner = f'<a href="{href}" target="_top" style="{LINK_STYLE}">{inner}</a>'
    return (
        f'<mark data-excerpts="{safe_html.text(ids)}" title="{title}" '
        f'style="{MARK_STYLE}">{inner}</mark>'
    )


def highlight_article(
    text: str,
    spans: Sequence[Span],
    labels: Mapping[str, str] | None = None,
    map_url: str = "./",
) -> Highlighted:
    """The whole article as safe HTML, paragraphs kept, each matching span highlighted.

    Each highlighted stretch is a ``<mark>`` holding an ``<a>`` to the map page with the
    first event or site the span supports selected (``?sel=ID``); its ``title`` lists every
    event and site the spans there support. Overlapping and nested spans are cut at every
    span edge into flat, non-nested marks, so the markup stays well formed; where spans
    overlap the innermost one decides the link. Spans whose offsets do not match ``text``
    are left out and returned in :attr:`Highlighted.flagged`.

    Parameters
    ----------
    text
        The article (untrusted): every character is escaped.
    spans
        The excerpts of this article.
    labels
        Event or site id -> title, added to the hover text.
    map_url
        The map page's path relative to the page showing the article.
    """
    shown, flagged = check_spans(text, spans)
    labels = labels or {}
    parts: list[str] = []
    for start, end in paragraphs(text):
        edges = {start, end}
        for span in shown:
            edges.update(e for e in (span.char_start, span.char_end) if start < e < end)
        cuts = sorted(edges)
        body = "".join(_segment(text, a, b, shown, labels, map_url) for a, b in pairwise(cuts))
        parts.append(f"<p>{body}</p>")
    markup = f'<div class="atlas-article" style="{ARTICLE_STYLE}">{"".join(parts)}</div>'
    return Highlighted(markup, tuple(shown), tuple(flagged))


# ---- one source's spans, loaded and rejected ----


def source_spans(bundle: Bundle, source_id: str) -> list[Span]:
    """The loaded excerpts of ``source_id`` as spans, with the events and sites they support."""
    support = supporters(bundle.events, bundle.sites)
    excerpts = bundle.excerpts[bundle.excerpts["source_id"] == source_id]
    return [
        Span(
            str(row.excerpt_id),
            int(row.char_start),
            int(row.char_end),
            str(row.text),
            support.get(str(row.excerpt_id), ()),
        )
        # The stubs type a row's fields as any scalar; the offsets hold ints.
        for row in cast(Iterator[Any], excerpts.itertuples())
    ]


def read_excerpt_rows(data_dir: Path) -> list[Row]:
    """The rows of ``excerpts.csv`` as written, rejected ones included (none if unreadable)."""
    text, problem = read_text(data_dir / EXCERPTS_FILE)
    if problem is not None or text is None:
        return []
    rows, _ = read_rows(text, EXCERPTS_FILE, EXCERPT_COLUMNS)
    return rows


def _offset(value: str) -> int | None:
    try:
        return int(value)
    except ValueError:
        return None


def rejected_spans(bundle: Bundle, rows: Sequence[Row], source_id: str) -> list[FlaggedSpan]:
    """Excerpts of ``source_id`` in the file that the loader rejected, with the reasons.

    Where the loader rejected offsets that do not match the held text, the reason is
    :func:`span_problem`'s, which also says where the quoted text lies now.

    Parameters
    ----------
    bundle
        The loaded data: its excerpts say which rows loaded, its problems why others did not.
    rows
        The rows of ``excerpts.csv`` as written (:func:`read_excerpt_rows`).
    source_id
        The source whose excerpts are wanted.
    """
    loaded = set(bundle.excerpts["line"].astype(int))
    problems: dict[int, list[tuple[str, str]]] = {}
    for problem in bundle.problems:
        if problem.file == EXCERPTS_FILE:
            problems.setdefault(problem.line, []).append((problem.field, problem.reason))
    lost = lost_citations(bundle)
    text = bundle.corpus_texts.get(source_id)
    out = []
    for row in rows:
        values = row.values
        if values.get("source_id") != source_id or row.line in loaded:
            continue
        excerpt_id = values.get("excerpt_id", "")
        start, end = _offset(values.get("char_start", "")), _offset(values.get("char_end", ""))
        found = problems.get(row.line, [("", "rejected when the data was loaded")])
        reason = "; ".join(r for _, r in found)
        if text is not None and start is not None and end is not None:
            hint = span_problem(text, Span(excerpt_id, start, end, values.get("text", "")))
            if hint and {f for f, _ in found} <= {"text", "char_start", "char_end"}:
                reason = hint
        out.append(
            FlaggedSpan(
                excerpt_id, start, end, values.get("text", ""), reason, lost.get(excerpt_id, ())
            )
        )
    return out


def flagged_markdown(flagged: Sequence[FlaggedSpan]) -> str:
    """A Markdown list of flagged spans (id, offsets, quoted text, reason, who cites it),
    every value escaped."""
    items = []
    for span in flagged:
        where = (
            f"characters {span.char_start}–{span.char_end}"
            if span.char_start is not None and span.char_end is not None
            else "offsets unreadable"
        )
        cited = f" Cited by {', '.join(span.supports)}." if span.supports else ""
        items.append(
            f"- **{safe_html.markdown(span.excerpt_id)}** ({where}): "
            f"“{safe_html.markdown(span.text, max_len=160)}”  \n"
            f"  {safe_html.markdown(span.reason.rstrip('.') + '.' + cited, max_len=600)}"
        )
    return "\n".join(items)


# ---- the table of sources and the choice of article ----


def held_sources(bundle: Bundle) -> list[str]:
    """Ids of the sources whose text the project holds, in the order of the sources file."""
    return [str(s) for s in bundle.sources["source_id"] if str(s) in bundle.corpus_texts]


def source_table(bundle: Bundle) -> pd.DataFrame:
    """One row per source: its citation fields, a link only when the URL is safe, how many
    events and sites cite it (as their source or through an excerpt), how many excerpts
    quote it, and whether its text is held."""
    excerpt_source = {
        str(x): str(s)
        for x, s in zip(bundle.excerpts["excerpt_id"], bundle.excerpts["source_id"], strict=True)
    }
    citing: dict[str, set[str]] = {}
    for frame, key in ((bundle.events, "event_id"), (bundle.sites, "site_id")):
        for item_id, source_id, excerpt_ids in zip(
            frame[key], frame["source_id"], frame["excerpt_ids"], strict=True
        ):
            cited = {str(source_id or "")}
            cited |= {excerpt_source.get(x, "") for x in split_ids(str(excerpt_ids or ""))}
            for sid in cited - {""}:
                citing.setdefault(sid, set()).add(str(item_id))
    excerpts = bundle.excerpts["source_id"].value_counts()
    sources = bundle.sources
    return pd.DataFrame(
        {
            "source_id": sources["source_id"].astype(str),
            "title": [safe_html.plain(t) for t in sources["title"]],
            "publisher": [safe_html.plain(t) for t in sources["publisher"]],
            "author": [safe_html.plain(t) for t in sources["author"]],
            "published": [safe_html.plain(t) for t in sources["published"]],
            "link": [safe_html.safe_url(u) for u in sources["url"]],
            "cited_by": [len(citing.get(str(s), ())) for s in sources["source_id"]],
            "excerpts": [int(excerpts.get(s, 0)) for s in sources["source_id"]],
            "text_held": [str(s) in bundle.corpus_texts for s in sources["source_id"]],
        }
    ).reset_index(drop=True)


def _shown(value: str) -> str:
    return repr(value[:40] + ("…" if len(value) > 40 else ""))


def pick_source(
    values: Sequence[str], held: Sequence[str], known: Sequence[str] = ()
) -> tuple[str | None, list[str]]:
    """The held source a ``src`` link parameter asks for, or the first held one, with a
    notice for every fallback. Never raises.

    Parameters
    ----------
    values
        Every value the link gives ``src`` (empty when it is absent).
    held
        Ids of the sources whose text is held, in display order.
    known
        Ids of every source, to tell "not in the data" from "text not held".
    """
    default = held[0] if held else None
    if not values:
        return default, []
    notices: list[str] = []
    value = values[-1]
    if len(values) > 1:
        notices.append(f"Link parameter '{SOURCE_PARAM}' was given more than once; used the last.")
    if not held:
        notices.append(f"Link parameter '{SOURCE_PARAM}' ignored: no article text is held.")
        return None, notices
    fallback = "showing the first article instead"
    if len(value) > MAX_PARAM:
        notices.append(
            f"Link parameter '{SOURCE_PARAM}' is too long ({len(value)} characters); {fallback}."
        )
        return default, notices
    if value in held:
        return value, notices
    if value in known:
        notices.append(f"Source {_shown(value)} has no text held here; {fallback}.")
    else:
        notices.append(
            f"Link parameter '{SOURCE_PARAM}' = {_shown(value)} is not a source in the data; "
            f"{fallback}."
        )
    return default, notices
