"""Reading an article file: the bytes checked, decoded, and (for HTML) turned into text.

"The file's text as read" is defined here, once, because every offset depends on it:

- the bytes are decoded as UTF-8 (strictly: a file in another encoding is refused, never
  guessed), and line ends are normalised as Python's text mode does (``\\r\\n`` and ``\\r``
  become ``\\n``); nothing else changes: a byte-order mark, no-break spaces and other odd
  whitespace stay where they are. This is :attr:`ArticleText.raw`, and it equals
  ``Path.read_text(encoding="utf-8")``;
- for ``.txt`` and ``.md`` files the article text *is* the raw text;
- for ``.html``/``.htm`` files the article text is the visible text that
  :class:`HtmlText` extracts (markup, scripts and page furniture left out, entities decoded,
  collapsible whitespace collapsed), and :attr:`ArticleText.origin` maps every character of
  it back to the raw HTML, so a span of the text has a span of the file too.

Offsets (``char_start``, ``char_end``) count code points of the article text, so
``text[char_start:char_end]`` is the excerpt, exactly. The article store keeps the article
text itself (see :mod:`geo.ingest.store`), so the offsets can be checked later.
"""

from __future__ import annotations

import html
import re
from array import array
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from geo.safe_html import url_problem

SUFFIXES = {".txt": "text", ".md": "markdown", ".html": "html", ".htm": "html"}
MAX_BYTES = 2_000_000  # far above any article; a bigger file is a mistake, not an article
# Bytes of control characters that text does not hold (tab, line feeds and form feed aside).
_CONTROL = bytes([*range(9), *range(14, 32)])


class InputError(Exception):
    """A file that cannot be ingested, with a reason a person can act on."""


@dataclass
class ArticleText:
    """An article as read: its name, raw text, article text and the offset map between them."""

    name: str
    kind: str  # text | markdown | html
    raw: str
    text: str
    # For HTML: raw offsets where each character of ``text`` starts and ends.
    origin_start: array | None = None
    origin_end: array | None = None
    furniture: list[str] = field(default_factory=list)  # text the HTML reader set aside
    meta: dict[str, str] = field(default_factory=dict)  # title, author, published from markup

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """The span of the raw file that produced ``text[start:end]``."""
        if self.origin_start is None or self.origin_end is None:
            return start, end
        if start >= end:
            point = self.origin_start[start] if start < len(self.text) else len(self.raw)
            return point, point
        return self.origin_start[start], self.origin_end[end - 1]


def kind_of(name: str) -> str | None:
    """The reader for a file name (text, markdown, html), or None when unsupported."""
    return SUFFIXES.get(Path(name).suffix.lower())


def _size_words(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB" if size >= 1_000_000 else f"{size:,} bytes"


def decode(data: bytes, name: str) -> str:
    """The raw text of a file's bytes (see the module docstring), or :class:`InputError`."""
    if not data or not data.strip():
        raise InputError("the file is empty")
    if len(data) > MAX_BYTES:
        raise InputError(
            f"the file is {_size_words(len(data))}; the limit is {_size_words(MAX_BYTES)} "
            "(an article is far smaller: is this the right file?)"
        )
    head = data[:8192]
    if b"\x00" in head or len(head) - len(head.translate(None, _CONTROL)) > len(head) // 20:
        raise InputError("this is a binary file, not text (save the article as text or HTML)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"the file is not UTF-8 text (byte 0x{data[exc.start]:02x} at position "
            f"{exc.start} is invalid); save it as UTF-8 and try again"
        ) from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise InputError("the file holds only whitespace")
    return text


def read_bytes(data: bytes, name: str) -> ArticleText:
    """Decode and, for HTML, extract the text of an article given as bytes."""
    kind = kind_of(name)
    if kind is None:
        allowed = ", ".join(sorted(SUFFIXES))
        raise InputError(f"unsupported file type {Path(name).suffix or '(none)'!r} ({allowed})")
    raw = decode(data, name)
    if kind == "html":
        return html_article(raw, name)
    return ArticleText(name=name, kind=kind, raw=raw, text=raw)


def read_path(path: Path) -> ArticleText:
    """Read an article file (see :func:`read_bytes`); unreadable files raise InputError."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise InputError(
                f"the file is {_size_words(size)}; the limit is {_size_words(MAX_BYTES)} "
                "(an article is far smaller: is this the right file?)"
            )
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError("file not found") from None
    except IsADirectoryError:
        raise InputError("is a folder") from None
    except OSError as exc:
        raise InputError(f"cannot be read: {exc.strerror}") from None
    return read_bytes(data, path.name)


# ---- HTML ----

VOID = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
    ]
)
SKIP = frozenset(
    [
        "script",
        "style",
        "noscript",
        "template",
        "svg",
        "math",
        "head",
        "nav",
        "header",
        "footer",
        "aside",
        "form",
        "button",
        "iframe",
        "select",
        "textarea",
        "canvas",
        "object",
        "figure",
    ]
)
BLOCK = frozenset(
    [
        "p",
        "div",
        "section",
        "article",
        "main",
        "li",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "pre",
        "table",
        "tr",
        "td",
        "th",
        "caption",
        "address",
        "hr",
        "br",
        "figcaption",
        "details",
        "summary",
    ]
)
# A class or id that names page furniture: share bars, related links, bylines, menus.
_FURNITURE_WORDS = (
    "share|sharing|social|related|breadcrumbs?|comments?|newsletter|subscribe|byline|"
    "author|authors|menu|sidebar|cookies?|advert|ads|promo|widget|footer|header|nav|"
    "navigation|tags|meta"
)
_FURNITURE_CLASS = re.compile(
    rf"^(?:{_FURNITURE_WORDS})(?:[-_].*)?$|^.*[-_](?:{_FURNITURE_WORDS})$", re.IGNORECASE
)
_COLLAPSIBLE = re.compile(r"[ \t\n\f]+")  # HTML's whitespace: a no-break space is not in it
_ENTITY = re.compile(r"&(?:#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[A-Za-z][A-Za-z0-9]*;?)")
_HAS_MAIN = re.compile(r"<(?:article|main)\b|<[^>]*\brole\s*=\s*[\"']?main", re.IGNORECASE)


class HtmlText(HTMLParser):
    """Visible text of an HTML page with, for each character, where it came from.

    Scripts, styles, navigation, headers, footers, asides and elements whose class or id
    names furniture (share, related, byline, comments...) are set aside. When the page has
    an ``<article>`` or ``<main>`` element, text outside it is set aside too. Block elements
    end a paragraph (a blank line), ``<br>`` ends a line.
    """

    def __init__(self, raw: str) -> None:
        super().__init__(convert_charrefs=False)
        self.raw = raw
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", raw)]
        self.chars: list[str] = []
        self.starts = array("l")
        self.ends = array("l")
        self.furniture: list[str] = []
        self.meta: dict[str, str] = {}
        self._stack: list[tuple[str, bool, bool]] = []  # tag, set aside, inside main content
        self._needs_main = bool(_HAS_MAIN.search(raw))
        self._title: list[str] = []
        self._space_pending = False
        self._space_at = 0

    # -- positions --
    def _offset(self) -> int:
        line, column = self.getpos()
        return self._line_starts[line - 1] + column

    @property
    def _skipping(self) -> bool:
        if self._stack:
            _, aside, in_main = self._stack[-1]
            return aside or (self._needs_main and not in_main)
        return self._needs_main

    # -- output --
    def _emit(self, char: str, start: int, end: int) -> None:
        self.chars.append(char)
        self.starts.append(start)
        self.ends.append(end)

    def _break(self, newlines: int, at: int) -> None:
        while self.chars and self.chars[-1] == " ":
            self.chars.pop()
            self.starts.pop()
            self.ends.pop()
        if not self.chars:
            return
        have = 0
        for char in reversed(self.chars[-2:]):
            if char != "\n":
                break
            have += 1
        for _ in range(newlines - have):
            self._emit("\n", at, at)
        self._space_pending = False

    def _text(self, data: str, start: int, *, entity_end: int | None = None) -> None:
        if self._skipping:
            if self._stack and self._stack[-1][0] == "title":
                self._title.append(data if entity_end is None else html.unescape(data))
            elif data.strip():
                self.furniture.append(data if entity_end is None else html.unescape(data))
            return
        if entity_end is not None:  # one entity: one (or two) characters, all from its span
            for char in html.unescape(data):
                self._put(char, start, entity_end)
            return
        position = 0
        for match in _COLLAPSIBLE.finditer(data):
            for i in range(position, match.start()):
                self._put(data[i], start + i, start + i + 1)
            self._space_pending = True
            self._space_at = start + match.start()
            position = match.end()
        for i in range(position, len(data)):
            self._put(data[i], start + i, start + i + 1)

    def _put(self, char: str, start: int, end: int) -> None:
        if self._space_pending and self.chars and self.chars[-1] != "\n":
            self._emit(" ", self._space_at, self._space_at + 1)
        self._space_pending = False
        self._emit(char, start, end)

    # -- parser callbacks --
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        at = self._offset()
        values = {k: (v or "") for k, v in attrs}
        if tag == "meta":
            self._meta(values)
        if tag == "link":
            self._link(values)
        if tag == "time" and values.get("datetime") and "published" not in self.meta:
            self.meta["published"] = values["datetime"]
        if tag in BLOCK and not self._skipping:
            self._break(1 if tag == "br" else 2, at)
        if tag in VOID:
            return
        parent_aside = self._stack[-1][1] if self._stack else False
        parent_main = self._stack[-1][2] if self._stack else False
        names = (values.get("class", "") + " " + values.get("id", "")).split()
        aside = (
            parent_aside
            or tag in SKIP
            or tag == "title"
            or any(_FURNITURE_CLASS.match(n) for n in names)
        )
        in_main = parent_main or tag in ("article", "main") or values.get("role") == "main"
        self._stack.append((tag, aside, in_main))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        at = self._offset()
        if not any(open_tag == tag for open_tag, _, _ in self._stack):
            return  # a stray end tag
        while self._stack:
            open_tag, _, _ = self._stack.pop()
            if open_tag == tag:
                break
        if tag == "title" and self._title:
            self.meta.setdefault("title", " ".join("".join(self._title).split()))
        if tag in BLOCK and not self._skipping:
            self._break(2, at)

    def handle_data(self, data: str) -> None:
        self._text(data, self._offset())

    def handle_entityref(self, name: str) -> None:
        self._entity(self._offset())

    def handle_charref(self, name: str) -> None:
        self._entity(self._offset())

    def _entity(self, at: int) -> None:
        match = _ENTITY.match(self.raw, at)
        source = match.group() if match else "&"
        self._text(source, at, entity_end=at + len(source))

    def _meta(self, values: dict[str, str]) -> None:
        key = (values.get("property") or values.get("name") or "").lower()
        content = " ".join(values.get("content", "").split())
        if not content:
            return
        wanted = {
            "article:published_time": "published",
            "date": "published",
            "pubdate": "published",
            "dc.date": "published",
            "author": "author",
            "article:author": "author",
            "og:title": "title",
            "og:site_name": "publisher",
            "og:url": "url",
        }
        if key in wanted and (wanted[key] != "url" or url_problem(content) is None):
            self.meta.setdefault(wanted[key], content)

    def _link(self, values: dict[str, str]) -> None:
        """``<link rel="canonical" href="...">``: the page's address, when it is a link the
        atlas shows (as ``og:url``, whichever comes first)."""
        href = values.get("href", "").strip()
        if "canonical" in values.get("rel", "").lower().split() and url_problem(href) is None:
            self.meta.setdefault("url", href)

    def result(self) -> tuple[str, array, array]:
        """The text and, per character, where it starts and ends in the raw page."""
        self._break(1, len(self.raw))
        while self.chars and self.chars[-1] == "\n":
            self.chars.pop()
            self.starts.pop()
            self.ends.pop()
        return "".join(self.chars), self.starts, self.ends


def html_article(raw: str, name: str) -> ArticleText:
    """The article text of an HTML page, with its offset map (see :class:`HtmlText`)."""
    parser = HtmlText(raw)
    parser.feed(raw)
    parser.close()
    text, starts, ends = parser.result()
    if not text.strip():
        raise InputError("the page has no visible article text")
    return ArticleText(
        name=name,
        kind="html",
        raw=raw,
        text=text,
        origin_start=starts,
        origin_end=ends,
        furniture=parser.furniture,
        meta=parser.meta,
    )
