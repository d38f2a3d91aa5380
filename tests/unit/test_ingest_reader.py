"""geo.ingest.reader: "the file's text as read", bad inputs refused with a clear reason,
and HTML turned into text with an offset map back to the page."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo.ingest.reader import MAX_BYTES, InputError, read_bytes, read_path


def test_text_as_read_is_path_read_text(tmp_path: Path) -> None:
    """UTF-8 decoded, line ends normalised like Python's text mode; a byte-order mark and
    odd spaces are kept, so offsets agree with ``Path.read_text(encoding="utf-8")``."""
    raw = "\ufeffTitle\r\nOn March 27,\u00a0hundreds\u2009gathered\rin Almaty.\n".encode()
    path = tmp_path / "a.txt"
    path.write_bytes(raw)
    article = read_path(path)
    assert article.text == article.raw == path.read_text(encoding="utf-8")
    assert article.text.startswith("\ufeff") and "\r" not in article.text
    assert "\u00a0hundreds\u2009gathered" in article.text
    assert article.raw_span(3, 9) == (3, 9)  # text files: the same offsets


def test_markdown_is_read_verbatim(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text("# Title\n\nSome *text* in Osh.\n", encoding="utf-8")
    article = read_path(path)
    assert article.kind == "markdown" and article.text == path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("empty.txt", b"", "empty"),
        ("blank.txt", b" \n\t\n", "empty"),
        ("binary.txt", bytes(range(256)) * 4, "binary"),
        ("image.html", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        ("latin1.txt", "Protest in Almaty, café.".encode("latin-1"), "not UTF-8"),
        ("cp1251.txt", "Протест в Алматы".encode("cp1251"), "not UTF-8"),
        ("big.txt", b"a" * (5 * 1_000_000), "5.0 MB"),
        ("notes.pdf", b"%PDF-1.4", "unsupported file type"),
        ("only-markup.html", b"<html><body><script>x()</script></body></html>", "no visible"),
    ],
)
def test_bad_inputs_are_refused_with_a_reason(name: str, data: bytes, words: str) -> None:
    with pytest.raises(InputError, match=words):
        read_bytes(data, name)


def test_a_five_megabyte_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    path.write_bytes(b"x" * (MAX_BYTES * 5 // 2))
    with pytest.raises(InputError, match="limit"):
        read_path(path)


def test_a_missing_file_and_a_folder_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        read_path(tmp_path / "nope.txt")
    (tmp_path / "dir.txt").mkdir()
    with pytest.raises(InputError, match="folder"):
        read_path(tmp_path / "dir.txt")


PAGE = """<!DOCTYPE html>
<html><head><title>Rally in Osh &amp; Bishkek | Example News</title>
<meta property="article:published_time" content="2019-09-05T10:00:00Z">
<meta name="author" content="A. Writer">
<script>var x = "In 2015, protesters in Almaty";</script></head>
<body><header class="site-header"><nav><a href="/">Home</a> Kazakhstan news</nav></header>
<article>
<h1>Rally in Osh</h1>
<div class="byline">By A. Writer, 5 September 2019</div>
<p>On September 3, about 300 residents rallied in&nbsp;Osh against a Chinese-owned
   factory.   Police detained twelve activists.</p>
<p>The <b>Kyrk Choro</b> group said it would picket in Bishkek. &#8220;We will return,&#x201D;
a leader said &mdash; loudly<br>and twice.</p>
<div class="share-buttons">Share on Facebook Tweet</div>
</article>
<aside class="related-posts"><h3>Related</h3><p>In 2018, protests in Zhanaozen.</p></aside>
<footer>&copy; 2019 Example</footer>
</body></html>
"""


@pytest.fixture
def page() -> object:
    return read_bytes(PAGE.encode(), "rally.html")


def test_html_text_keeps_the_article_and_sets_furniture_aside(page) -> None:
    assert page.text == (
        "Rally in Osh\n\n"
        "On September 3, about 300 residents rallied in\xa0Osh against a Chinese-owned "
        "factory. Police detained twelve activists.\n\n"
        "The Kyrk Choro group said it would picket in Bishkek. “We will return,” a leader "
        "said — loudly\nand twice."
    )
    for aside in ("Home", "Share on Facebook Tweet", "In 2018, protests in Zhanaozen.", "Related"):
        assert aside in page.furniture
    assert "In 2015" not in page.text and "Kazakhstan news" not in page.text
    assert page.meta["title"] == "Rally in Osh & Bishkek | Example News"
    assert page.meta["published"].startswith("2019-09-05")
    assert page.meta["author"] == "A. Writer"


@pytest.mark.parametrize(
    ("piece", "in_page"),
    [
        ("Osh against", "Osh against"),
        ("in\xa0Osh", "in&nbsp;Osh"),
        ("“We", "&#8220;We"),
        ("return,”", "return,&#x201D;"),
        ("— loudly", "&mdash; loudly"),
        ("loudly\nand", "loudly<br>and"),
        ("Chinese-owned factory", "Chinese-owned\n   factory"),
    ],
)
def test_html_offset_map_points_back_into_the_page(page, piece: str, in_page: str) -> None:
    start = page.text.index(piece)
    raw_start, raw_end = page.raw_span(start, start + len(piece))
    assert page.raw[raw_start:raw_end] == in_page


def test_html_offsets_of_every_character_increase(page) -> None:
    starts = list(page.origin_start)
    assert len(starts) == len(page.text) == len(page.origin_end)
    assert starts == sorted(starts)
    for i, char in enumerate(page.text):
        if char not in " \n":
            source = page.raw[page.origin_start[i] : page.origin_end[i]]
            assert source == char or source.startswith("&"), (i, char, source)


def test_html_without_article_element_keeps_the_body(tmp_path: Path) -> None:
    html = "<html><body><div class='menu'>Menu</div><p>Protest in Osh on 3 May 2019.</p></body>"
    article = read_bytes(html.encode(), "plain.htm")
    assert article.text == "Protest in Osh on 3 May 2019."
    assert article.furniture == ["Menu"]


OG_URL_PAYLOAD = (
    "https://news.example/story)![pixel](https://tracker.example/og.png)"
    "[Log_in](https://evil.example/login)("
)


@pytest.mark.parametrize(
    ("head", "url"),
    [
        (f'<meta property="og:url" content="{OG_URL_PAYLOAD}">', None),
        ('<meta property="og:url" content="javascript:alert(1)">', None),
        ('<meta property="og:url" content="https://t.example/a b">', None),
        ('<link rel="canonical" href="https://t.example/&lt;https://t.example&gt;">', None),
        (
            '<link rel="canonical" href="https://news.example/a_%28b%29">',
            "https://news.example/a_%28b%29",  # percent-encoded: a plain link
        ),
        ('<meta property="og:url" content="https://news.example/a">', "https://news.example/a"),
        ('<link rel="canonical" href="https://news.example/b">', "https://news.example/b"),
        (
            f'<meta property="og:url" content="{OG_URL_PAYLOAD}">'
            '<link rel="Canonical" href="https://news.example/c">',
            "https://news.example/c",
        ),
    ],
)
def test_the_pages_own_link_is_taken_only_when_it_is_a_plain_http_link(
    head: str, url: str | None
) -> None:
    page = f"<html><head>{head}</head><body><p>On 3 May, a rally in Osh.</p></body></html>"
    article = read_bytes(page.encode(), "a.html")
    assert article.meta.get("url") == url
