"""An article's layout: its body paragraphs and sentences, with page furniture set aside.

Web pages saved as text carry more than the article: a site header ("CPC - Caspian Policy
Center"), the title twice, an author line, the date, share links, and after the last
paragraph a "Related Articles" block. None of it holds events, and some of it holds place
names and dates that would make false candidates, so it is set aside (and reported), while
the title, author, publisher and publication date are kept as the article's metadata.

Every span here is a pair of offsets into the article text; nothing is copied or changed,
so no-break spaces and odd whitespace cannot shift an offset.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from geo.ingest.datelines import parse_date_line
from geo.ingest.lexicon import Lexicon

# Whitespace for trimming and blank-line tests: Unicode spaces plus zero-width ones.
SPACE = "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\u200b\u2060\ufeff"  # noqa: E501
_LINE = re.compile(r"[^\n]*\n?")
_WORD = re.compile(r"[^\W_][\w'’-]*")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’»)\]]*$")
_SITE_HEADER = re.compile(r"^(?P<a>[^.!?]{1,60}?)\s+[-|–—:]\s+(?P<b>[^.!?]{1,60})$")
_BOUNDARY = re.compile(
    r"[.!?…]+[\"'”’»)\]]*(?=[\s\u200b]+[\"'“‘«(\[]?[A-Z0-9\u00c0-\u00de\u0400-\u042f])"
    r"|\n(?=[\s\u200b]*(?:[-*•]\s|\n))"
)
_LIST_MARK = re.compile(r"(?:[-*•]|\d{1,2}[.)])[ \t\xa0]+")
ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "st",
        "gen",
        "sen",
        "rep",
        "gov",
        "lt",
        "col",
        "capt",
        "sgt",
        "maj",
        "jr",
        "sr",
        "inc",
        "ltd",
        "co",
        "corp",
        "no",
        "nos",
        "vs",
        "etc",
        "al",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "approx",
        "dept",
        "est",
        "fig",
        "mt",
        "ft",
        # Russian: год, город, улица, имени, село, посёлок, область, тысяч, миллионов...
        "г",
        "гг",
        "ул",
        "им",
        "с",
        "пос",
        "обл",
        "р",
        "тыс",
        "млн",
        "млрд",
        "руб",
        "долл",
        "т",
        "д",
        "пр",
        "просп",
    ]
)


@dataclass
class Layout:
    """Where the article's prose is, what was set aside, and what the page says about itself."""

    paragraphs: list[tuple[int, int]] = field(default_factory=list)
    furniture: list[tuple[int, int, str]] = field(default_factory=list)  # start, end, why
    title: str = ""
    author: str = ""
    publisher: str = ""
    published: date | None = None
    published_text: str = ""


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in SPACE:
        start += 1
    while end > start and text[end - 1] in SPACE:
        end -= 1
    return start, end


def _words(line: str) -> int:
    return len(_WORD.findall(line))


def _is_prose(line: str, strict: bool) -> bool:
    """A paragraph of running text (before the body starts, only a substantial one)."""
    words = _words(line)
    ends = bool(_SENTENCE_END.search(line))
    if strict:  # a title may end with "?", never with a full stop
        return (words >= 4 and ends and not line.rstrip("\"'”’»)]").endswith("?")) or words >= 25
    return (words >= 3 and ends) or words >= 12


def _front_matter(text: str, found: Layout) -> int:
    """Markdown front matter (``---`` ... ``---``): its fields become metadata; returns
    where the document starts after it."""
    m = re.match(r"\ufeff?---[ \t]*\n(.*?)\n---[ \t]*\n", text, re.DOTALL)
    if not m:
        return 0
    for line in m.group(1).splitlines():
        key, _, value = line.partition(":")
        value = value.strip().strip("\"'")
        key = key.strip().lower()
        if key == "title" and value:
            found.title = value
        elif key in ("author", "by") and value:
            found.author = value
        elif key in ("date", "published") and value:
            parsed = parse_date_line(value)
            if parsed:
                found.published, found.published_text = parsed[0], value
    found.furniture.append((0, m.end(), "front matter"))
    return m.end()


def layout(text: str, lexicon: Lexicon, kind: str = "text") -> Layout:
    """Split an article text into body paragraphs and set-aside furniture.

    Parameters
    ----------
    text
        The article text (see :mod:`geo.ingest.reader`).
    lexicon
        Supplies the furniture words ("Related Articles", "Share", "Author:").
    kind
        ``markdown`` also reads front matter and ``#`` headings.
    """
    found = Layout()
    begin = _front_matter(text, found) if kind == "markdown" else 0
    lines: list[tuple[int, int]] = []
    for m in _LINE.finditer(text, begin):
        if m.start() == m.end():
            break
        start, end = _strip_span(text, m.start(), m.end())
        lines.append((start, end))

    body_started = False
    ended = False
    block: list[tuple[int, int]] = []

    def close_block() -> None:
        nonlocal body_started
        if not block:
            return
        start, end = block[0][0], block[-1][1]
        joined = " ".join(text[s:e] for s, e in block)
        if _is_prose(joined, strict=not body_started):
            body_started = True
            found.paragraphs.append((start, end))
        else:
            reason = "heading" if body_started else "page header"
            found.furniture.append((start, end, reason))
            if not body_started:
                _read_header(joined, found)
        block.clear()

    for start, end in lines:
        line = text[start:end]
        if ended:
            if start < end:
                found.furniture.append((start, end, "after the article"))
            continue
        if start == end:
            close_block()
            continue
        if kind == "markdown" and line.startswith("#"):
            close_block()
            found.furniture.append((start, end, "heading"))
            if not found.title:
                found.title = line.lstrip("#").strip()
            continue
        reason = _furniture_line(line, lexicon, body_started)
        if reason == "after the article":
            close_block()
            ended = True
            found.furniture.append((start, end, reason))
            continue
        if reason:
            close_block()
            found.furniture.append((start, end, reason))
            _read_header(line, found, reason)
            continue
        block.append((start, end))
    close_block()
    return found


def _furniture_line(line: str, lexicon: Lexicon, body_started: bool) -> str:
    """Why a line is furniture ("" when it is not)."""
    words = _words(line)
    if words <= 6 and lexicon.furniture_end.match(line):
        return "after the article" if body_started else "page header"
    if words <= 8 and parse_date_line(line) is not None:
        return "date line"
    short = words <= 10 and len(line) <= 100 and not _SENTENCE_END.search(line)
    if short and lexicon.furniture_line.match(line):
        return "byline or share link"
    return ""


def _read_header(line: str, found: Layout, reason: str = "page header") -> None:
    """Metadata from a set-aside line: author, date, title, publisher."""
    stripped = line.strip(SPACE)
    author = re.match(r"^(?:author|by|written by|posted by)\s*:?\s*(.+)$", stripped, re.I)
    if author and reason == "byline or share link":
        if not found.author:
            found.author = author.group(1).strip()
        return
    if reason == "date line":
        parsed = parse_date_line(stripped)
        if parsed and found.published is None:
            found.published, found.published_text = parsed[0], stripped
        return
    if reason != "page header":
        return
    site = _SITE_HEADER.match(stripped)
    if site and not found.publisher and not found.title:
        parts = sorted((site.group("a").strip(), site.group("b").strip()), key=len)
        found.publisher = parts[-1]
        return
    if _words(stripped) >= 3 and not found.title:
        found.title = stripped
    elif (
        found.title
        and found.title.lower() == stripped.lower()
        and sum(c.isupper() for c in stripped) > sum(c.isupper() for c in found.title)
    ):
        # The same title twice (a slug line, then the real one): keep the capitalised one.
        found.title = stripped


def sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The sentences of ``text[start:end]`` as trimmed spans (abbreviations and initials
    do not end a sentence; a list item or a blank line does)."""
    spans: list[tuple[int, int]] = []
    position = start
    for m in _BOUNDARY.finditer(text, start, end):
        if m.group().startswith(".") and _is_abbreviation(text, m.start(), start):
            continue
        spans.append((position, m.end()))
        position = m.end()
    spans.append((position, end))
    out = []
    for s, e in spans:
        s, e = _strip_span(text, s, e)
        marker = _LIST_MARK.match(text, s, e)
        if marker:
            s = marker.end()
        if s < e:
            out.append((s, e))
    return out


def _is_abbreviation(text: str, dot: int, floor: int) -> bool:
    i = dot
    while i > floor and (text[i - 1].isalpha() or text[i - 1] == "."):
        i -= 1
    word = text[i:dot]
    if not word:
        return False
    if word in ("г", "гг") and re.search(r"\d\s*$", text[max(floor, i - 6) : i]):
        return False  # "в 2016 г. Позже…": a year's "г." can end a sentence; "г. Ош" cannot
    if len(word) == 1 and word.isupper():
        return True  # an initial: "J. Smith"
    if "." in word:
        return True  # "U.S.", "e.g."
    return word.lower() in ABBREVIATIONS
