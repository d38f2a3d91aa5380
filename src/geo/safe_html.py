"""The one gate for untrusted text on its way into HTML or JavaScript.

folium places popup and tooltip HTML inside JavaScript template literals, so HTML escaping
alone is not enough: a backtick ends the literal, ``${...}`` interpolates, and a backslash
starts an escape (``\\2019``). Braces are escaped too: folium lays each rendered part of a
map back into a Jinja template when it writes a whole page (the HTML brief), so ``{{ ... }}``
or ``{% ... %}`` in data would run as template code on the server. Every string from data or
from the URL goes through :func:`text` (or :func:`link`) before it is put in markup.
"""

from __future__ import annotations

import html
import re
import unicodedata
from urllib.parse import urlsplit

_JS_SPECIALS = str.maketrans(
    {"`": "&#96;", "$": "&#36;", "\\": "&#92;", "{": "&#123;", "}": "&#125;"}
)
# C0 controls (but tab and newline) and DEL, lone surrogates: never meaningful in our text.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")


def text(value: object, max_len: int | None = None) -> str:
    """Escape ``value`` so it renders as inert text in HTML and in a JS template literal.

    Parameters
    ----------
    value
        Any value; ``None`` and NaN become the empty string.
    max_len
        Truncate (with an ellipsis) before escaping, so the escaped entities stay whole.
    """
    s = plain(value)
    if max_len is not None and len(s) > max_len:
        s = s[: max_len - 1] + "…"
    return html.escape(s, quote=True).translate(_JS_SPECIALS)


def plain(value: object) -> str:
    """``value`` as a clean one-paragraph string: no control characters, no NaN."""
    if value is None:
        return ""
    if isinstance(value, float) and value != value:  # NaN
        return ""
    s = str(value)
    s = _CONTROL.sub("", s)
    return s.replace("\xa0", " ")


MAX_URL = 2048
# What a link may not hold unless percent-encoded: each would end a Markdown link's
# destination or start a link, an image or an autolink of its own inside it
# (``)![x](...)``, ``<https://...>``), or end an HTML attribute. RFC 3986 allows none of
# them unencoded but the parentheses and the apostrophe.
_URL_METACHARACTERS = frozenset("<>\"'`()[]{}|\\^")
_HTTP = re.compile(r"https?://", re.IGNORECASE)


def url_problem(value: object) -> str | None:
    """Why ``value`` is not a link the atlas will show (None when it is one): it must be an
    absolute http(s) URL with a host, at most 2,048 characters, with no whitespace, control
    or format character and no Markdown or HTML metacharacter unless percent-encoded. The
    one check for every URL that enters the data (sources.csv, an article's ``og:url`` or
    canonical link, an import) and every URL put in a page."""
    if value is None or (isinstance(value, float) and value != value):
        return "no link"
    s = str(value).strip()
    if not s:
        return "no link"
    if len(s) > MAX_URL:
        return f"a link of {len(s):,} characters (at most {MAX_URL:,})"
    if not _HTTP.match(s):
        return "not an http or https link"
    for char in s:
        if char in _URL_METACHARACTERS:
            return f"the link holds {char!r}, which it must percent-encode"
        if unicodedata.category(char)[0] in "CZ":
            return f"the link holds a space or an invisible character ({ord(char):#06x})"
    try:
        parts = urlsplit(s)
    except ValueError:
        return "the link cannot be read as a URL"
    if not parts.hostname:
        return "the link names no host"
    return None


def safe_url(value: object) -> str | None:
    """Return the URL if it passes :func:`url_problem`, else ``None`` (never linked)."""
    return None if url_problem(value) else str(value).strip()


def link(url: object, label: object, max_len: int | None = 200) -> str:
    """An ``<a>`` to ``url`` showing ``label``; just the escaped label if the URL is unsafe."""
    shown = text(label, max_len=max_len)
    href = safe_url(url)
    if href is None:
        return shown
    return f'<a href="{text(href)}" target="_blank" rel="noopener noreferrer nofollow">{shown}</a>'


_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~<$:&])")
# Where GitHub-flavoured Markdown would turn bare text into a link (``https://…``, ``www.…``,
# ``name@host.org``): it finds them in the text after escapes are read, so a backslash does
# not stop it; an invisible word joiner there does.
_AUTOLINK = re.compile(r"(?<=https)(?=://)|(?<=http)(?=://)|(?<=www)(?=\.)|(?<=@)(?=[-\w])", re.I)
WORD_JOINER = "\u2060"


def markdown(value: object, max_len: int | None = None) -> str:
    """Escape text for Streamlit Markdown (which renders no raw HTML): every character that
    Markdown or its LaTeX (``$``) would act on is backslash-escaped, so no image, link or
    HTML tag can start, and a word joiner (invisible) stops the autolinker, so no link
    appears where the text names an address."""
    s = " ".join(plain(value).split())
    if max_len is not None and len(s) > max_len:
        s = s[: max_len - 1] + "…"
    return _MARKDOWN_SPECIALS.sub(r"\\\1", _AUTOLINK.sub(WORD_JOINER, s))


def hidden_tag(tag: str) -> str:
    """``tag`` (already safe text, such as ``[EV017]``) in an element the browser does not
    show but keeps in the text a click reports (``textContent``): how a tooltip carries the
    id a click is read back by, without showing readers a raw token."""
    return f'<span hidden class="atlas-tag">{tag}</span>'
