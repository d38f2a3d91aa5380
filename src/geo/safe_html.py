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
from urllib.parse import urlsplit

_JS_SPECIALS = str.maketrans(
    {"`": "&#96;", "$": "&#36;", "\\": "&#92;", "{": "&#123;", "}": "&#125;"}
)
# C0 controls (but tab and newline) and DEL, lone surrogates: never meaningful in our text.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")
SAFE_SCHEMES = frozenset({"http", "https"})


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


def safe_url(value: object) -> str | None:
    """Return the URL if it is an absolute http(s) link, else ``None`` (never linked)."""
    s = plain(value).strip()
    if not s or len(s) > 2048 or any(c.isspace() for c in s):
        return None
    try:
        parts = urlsplit(s)
    except ValueError:
        return None
    if parts.scheme.lower() not in SAFE_SCHEMES or not parts.netloc:
        return None
    return s


def link(url: object, label: object, max_len: int | None = 200) -> str:
    """An ``<a>`` to ``url`` showing ``label``; just the escaped label if the URL is unsafe."""
    shown = text(label, max_len=max_len)
    href = safe_url(url)
    if href is None:
        return shown
    return f'<a href="{text(href)}" target="_blank" rel="noopener noreferrer nofollow">{shown}</a>'


_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~<$:&])")


def markdown(value: object, max_len: int | None = None) -> str:
    """Escape text for Streamlit Markdown (which renders no raw HTML): every character that
    Markdown, its autolinker or its LaTeX (``$``) would act on is backslash-escaped."""
    s = " ".join(plain(value).split())
    if max_len is not None and len(s) > max_len:
        s = s[: max_len - 1] + "…"
    return _MARKDOWN_SPECIALS.sub(r"\\\1", s)


def hidden_tag(tag: str) -> str:
    """``tag`` (already safe text, such as ``[EV017]``) in an element the browser does not
    show but keeps in the text a click reports (``textContent``): how a tooltip carries the
    id a click is read back by, without showing readers a raw token."""
    return f'<span hidden class="atlas-tag">{tag}</span>'
