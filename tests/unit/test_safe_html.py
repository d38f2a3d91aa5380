"""The one escaping gate: untrusted text comes out inert in HTML and in JS template literals."""

from __future__ import annotations

import html
import math

import pytest

from geo import safe_html

# Markdown that would draw an image, link a script or make an autolink.
MD_PAYLOADS = [")![x](http://t.example/p.png)", "[a](javascript:alert(1))", "<https://t.example>"]
PAYLOADS = [
    "<img src=x onerror=alert(1)>",
    "${alert(1)}",
    "a`b",
    "`; alert(1); `",
    "\\2019",
    "\\u0060${alert(1)}",
    "</script><script>alert(1)</script>",
    "NUL\x00here",
    "bell\x07esc\x1b[31mdel\x7fvt\x0bff\x0ccr\r",
    "\ud800lone surrogate",
    '" onmouseover="alert(1)',
    "' onmouseover='alert(1)",
    "&lt;already escaped&gt;",
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{% for i in range(9) %}x{% endfor %}{# c #}",
    *MD_PAYLOADS,
]
RTL_AND_EMOJI = "مظاهرة في ألماتي · הפגנה · Қазақстан 🇰🇿 抗议 🙂\u200f"


def _inert(out: str) -> None:
    for forbidden in ("<", ">", "`", "${", "\\", "\x00", "\x07", "\x1b", "\x7f", "\r", "{", "}"):
        assert forbidden not in out, (forbidden, out)
    assert "$" not in out
    assert '"' not in out and "'" not in out


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_come_out_inert(payload: str) -> None:
    out = safe_html.text(payload)
    _inert(out)
    # Inert, not dropped: a browser shows the text itself (minus control characters).
    assert html.unescape(out) == safe_html.plain(payload)


def test_each_special_has_its_entity() -> None:
    assert safe_html.text("<a href='x'>\"&`$\\</a>") == (
        "&lt;a href=&#x27;x&#x27;&gt;&quot;&amp;&#96;&#36;&#92;&lt;/a&gt;"
    )


def test_control_characters_are_removed_but_tab_and_newline_kept() -> None:
    assert safe_html.plain("a\x00b\x01c\x1fd\x7fe\tf\ng\rh") == "abcde\tf\ngh"
    assert safe_html.plain("no\xa0break") == "no break"


def test_rtl_and_emoji_text_is_kept() -> None:
    out = safe_html.text(RTL_AND_EMOJI)
    _inert(out)
    assert out == RTL_AND_EMOJI
    assert safe_html.text(RTL_AND_EMOJI + "<b>") == RTL_AND_EMOJI + "&lt;b&gt;"


@pytest.mark.parametrize("value", [None, float("nan"), math.nan])
def test_missing_values_become_empty(value) -> None:
    assert safe_html.text(value) == ""
    assert safe_html.plain(value) == ""


def test_numbers_and_other_objects_are_shown_as_text() -> None:
    assert safe_html.text(42) == "42"
    assert safe_html.text(1.5) == "1.5"


def test_truncation_happens_before_escaping_so_entities_stay_whole() -> None:
    out = safe_html.text("<" * 50, max_len=5)
    assert out == "&lt;" * 4 + "…"
    assert safe_html.text("short", max_len=5) == "short"
    assert safe_html.text("${x}${y}", max_len=3) == "&#36;&#123;…"


# ---- links ----

UNSAFE_URLS = [
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    " javascript:alert(1)",
    "java\x00script:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "data:image/png;base64,iVBORw0KGgo=",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "ftp://example.org/x",
    "/relative/path",
    "relative.html",
    "//example.org/protocol-relative",
    "https://exa mple.org/",
    "https://example.org/a b",
    "https://example.org/\tx",
    "https://example.org/\nx",
    "http://",
    "https:example.org",
    "",
    None,
    float("nan"),
    "https://example.org/" + "x" * 2100,
    "http://[::1",
    # Markdown or HTML metacharacters a link must percent-encode
    "https://news.example/story)![pixel](https://tracker.example/og.png)"
    "[Log_in](https://evil.example/login)(",
    *(f"https://news.example/a{payload}" for payload in MD_PAYLOADS),
    "https://example.org/a_(b)",
    "https://example.org/a`b",
    "https://example.org/{x}|^",
    "https://example.org/a\\b",
    "https://example.org/'x'",
    "https://example.org/\u202ex",
    "https://example.org/\x00",
    "https://example.org/a\x85b",
]


@pytest.mark.parametrize("url", UNSAFE_URLS)
def test_unsafe_urls_are_dropped(url) -> None:
    assert safe_html.safe_url(url) is None
    reason = safe_html.url_problem(url)
    assert reason and "\x00" not in reason


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("javascript:alert(1)", "not an http or https link"),
        ("https://e.org/a)![x](http://t.example/p.png)", "holds ')', which it must percent-encode"),
        ("https://e.org/a b", "space or an invisible character (0x0020)"),
        ("http://", "names no host"),
    ],
)
def test_url_problem_says_why(url: str, words: str) -> None:
    assert words in str(safe_html.url_problem(url))


@pytest.mark.parametrize("url", UNSAFE_URLS)
def test_link_never_emits_an_href_for_an_unsafe_url(url) -> None:
    out = safe_html.link(url, "Read <more>")
    assert "href" not in out and "<a" not in out
    assert out == "Read &lt;more&gt;"


@pytest.mark.parametrize(
    "url",
    [
        "https://caspianpolicy.org/research/a-b?x=1&y=2#top",
        "http://www.digitaljournal.com/news/world/article/560545",
        "HTTPS://EXAMPLE.ORG/",
        "https://例え.jp/パス",
        "https://en.wikipedia.org/wiki/A_%28b%29?q=%5Bx%5D&r=~!*$",
    ],
)
def test_http_and_https_urls_are_kept(url: str) -> None:
    assert safe_html.safe_url(url) == url
    out = safe_html.link(url, "Source")
    assert out.startswith('<a href="') and out.endswith(">Source</a>")
    assert 'rel="noopener noreferrer nofollow"' in out
    assert html.unescape(out.split('"')[1]) == url


def test_a_url_that_would_break_out_of_its_attribute_is_not_linked() -> None:
    url = 'https://example.org/"><script>alert(1)</script>`${x}'
    assert safe_html.link(url, "x") == "x"


def test_a_kept_url_is_escaped_in_its_attribute() -> None:
    url = "https://example.org/a;b?q=1&r=$2!*~_:@,+="
    out = safe_html.link(url, "x")
    href = out.split('href="', 1)[1].split('"', 1)[0]
    _inert(href)
    assert html.unescape(href) == url
    assert out.count("<") == 2  # <a ...> and </a>


def test_link_labels_are_escaped_and_shortened() -> None:
    out = safe_html.link("https://example.org/", "<img src=x onerror=alert(1)>" * 20, max_len=30)
    label = out.split(">", 1)[1].rsplit("</a>", 1)[0]
    _inert(label)
    assert html.unescape(label).endswith("…") and len(html.unescape(label)) == 30


# ---- Markdown ----


@pytest.mark.parametrize(
    "payload",
    [
        "[click](javascript:alert(1))",
        "**bold** _it_ `code` $x^2$",
        "<b>raw</b>",
        "# heading",
        "https://example.org/auto",
        *MD_PAYLOADS,
    ],
)
def test_markdown_escapes_everything_markdown_would_act_on(payload: str) -> None:
    out = safe_html.markdown(payload)
    for special in "[]()*_`$<>#:":
        assert special not in out.replace("\\" + special, "")
    assert out.replace("\\", "").replace(safe_html.WORD_JOINER, "") == payload


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("see https://t.example/p.png", "https\u2060\\://t\\.example"),
        ("see http://t.example", "http\u2060\\://t\\.example"),
        ("WWW.t.example", "WWW\u2060\\.t\\.example"),
        ("mail me@t.example", "me@\u2060t\\.example"),
    ],
)
def test_markdown_keeps_the_autolinker_off_addresses_in_text(text: str, kept: str) -> None:
    assert kept in safe_html.markdown(text)
