"""The sources page's pure functions: spans highlighted at their offsets in an escaped
article, overlaps kept well formed, mismatching spans flagged, the table of sources, the
``src`` link parameter."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from geo import sources
from geo.sources import FlaggedSpan, Span

PAYLOAD = "<script>alert(1)</script> `tick` ${alert(2)} \\2019 \"q\" 'a' </p></mark>"


def span(text: str, part: str, excerpt_id: str = "X1", *supports: str) -> Span:
    start = text.index(part)
    return Span(excerpt_id, start, start + len(part), part, tuple(supports))


class Markup(HTMLParser):
    """Reads the article markup back: every <mark> with its text, link and title, the
    paragraphs' text, and whether tags nest properly."""

    VOID = frozenset({"br"})

    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.marks: list[dict[str, str]] = []
        self.paragraphs: list[str] = []
        self.tags: list[str] = []
        self.errors: list[str] = []
        self.feed(markup)
        self.close()
        if self.stack:
            self.errors.append(f"unclosed: {self.stack}")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        values = {k: v or "" for k, v in attrs}
        if tag == "p":
            self.paragraphs.append("")
        if tag == "mark":
            if "mark" in self.stack:
                self.errors.append("nested mark")
            self.marks.append({"text": "", "href": "", **values})
        if tag == "a":
            if not self.stack or self.stack[-1] != "mark":
                self.errors.append("link outside a mark")
            self.marks[-1]["href"] = values.get("href", "")
            self.marks[-1]["target"] = values.get("target", "")
        if tag == "br":
            self.handle_data("\n")
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:]}")
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        if "mark" in self.stack:
            self.marks[-1]["text"] += data
        if "p" in self.stack:
            self.paragraphs[-1] += data


def parsed(result: sources.Highlighted) -> Markup:
    markup = Markup(result.html)
    assert markup.errors == []
    return markup


# ---- highlighting ----


def test_each_span_is_marked_at_its_offsets_and_links_to_its_first_item() -> None:
    text = "First sentence here. Twenty-two people were arrested. Last one."
    spans = [
        span(text, "Twenty-two people were arrested.", "X2", "EV025", "EV026", "PL002"),
        span(text, "First sentence", "X1", "EV001"),
    ]
    result = sources.highlight_article(text, spans, labels={"EV025": "Rally in Almaty"})
    marks = parsed(result).marks
    assert [m["text"] for m in marks] == ["First sentence", "Twenty-two people were arrested."]
    assert [m["href"] for m in marks] == ["./?sel=EV001", "./?sel=EV025"]
    assert {m["target"] for m in marks} == {"_top"}
    assert [m["data-excerpts"] for m in marks] == ["X1", "X2"]
    # The hover text names every item the excerpt supports, with its label when known.
    title = marks[1]["title"]
    for item in ("EV025 Rally in Almaty", "EV026", "PL002", "X2", "Click to open EV025"):
        assert item in title
    assert [s.excerpt_id for s in result.shown] == ["X1", "X2"]
    assert result.flagged == ()


def test_the_whole_article_is_kept_and_only_marks_are_added() -> None:
    text = "One two three.\nStill the first paragraph.\n\n    Second paragraph.\n \n\n\nThird."
    result = sources.highlight_article(text, [span(text, "two three.\nStill", "X1", "EV1")])
    markup = parsed(result)
    assert markup.paragraphs == [
        "One two three.\nStill the first paragraph.",
        "Second paragraph.",
        "Third.",
    ]
    assert markup.marks[0]["text"] == "two three.\nStill"
    assert set(markup.tags) == {"div", "p", "mark", "a", "br"}


def test_the_map_link_can_point_elsewhere_and_ids_are_encoded() -> None:
    text = "abc def"
    spans = [span(text, "abc", "X1", 'EV"1<&>'), span(text, "def", "X2", "EV:2")]
    marks = parsed(sources.highlight_article(text, spans, map_url="/atlas/")).marks
    assert [m["href"] for m in marks] == ["/atlas/?sel=EV%221%3C%26%3E", "/atlas/?sel=EV%3A2"]


def test_a_span_no_event_cites_is_marked_without_a_link() -> None:
    text = "Quoted but not cited."
    marks = parsed(sources.highlight_article(text, [span(text, "Quoted", "X9")])).marks
    assert marks[0]["text"] == "Quoted" and marks[0]["href"] == ""
    assert "no event or site cites it" in marks[0]["title"]


# ---- untrusted text ----


@pytest.mark.parametrize(
    "article",
    [
        PAYLOAD,
        f"Before. {PAYLOAD} After.",
        "<img src=x onerror=alert(3)>\n\n<svg onload=alert(4)>",
        "${`${alert(5)}`}",
        "a\x00b\x1bc\u202ed <b>bold</b>",
    ],
)
def test_article_text_is_escaped_everywhere(article: str) -> None:
    spans = [Span("X1", 0, min(12, len(article)), article[:12], ("EV001",))]
    result = sources.highlight_article(article, spans, labels={"EV001": PAYLOAD})
    markup = parsed(result)
    # Only the page's own tags; the article's text reads back as text.
    assert set(markup.tags) <= {"div", "p", "mark", "a", "br"}
    for raw in ("<script", "<img", "<svg", "<b>", "`", "${", "\\", "\x00", "\x1b"):
        assert raw not in result.html
    shown = "\n".join(markup.paragraphs)
    expected = article.replace("\x00", "").replace("\x1b", "")
    assert shown == "\n".join(p.strip() for p in expected.split("\n\n") if p.strip())
    # The hover text, built from data too, reads back as the same text.
    assert f"EV001 {PAYLOAD}" in markup.marks[0]["title"]


# ---- overlapping and nested spans ----


def test_overlapping_spans_are_cut_into_flat_marks() -> None:
    text = "0123456789abcdefghijklmnopqrst rest"
    first = Span("A", 0, 20, text[0:20], ("EV001",))
    second = Span("B", 10, 30, text[10:30], ("EV002",))
    result = sources.highlight_article(text, [second, first])
    marks = parsed(result).marks
    assert [m["text"] for m in marks] == [text[0:10], text[10:20], text[20:30]]
    assert [m["data-excerpts"] for m in marks] == ["A", "A B", "B"]
    # Where they overlap, the span that starts later (the inner one) decides the link, and
    # the hover text names both.
    assert [m["href"] for m in marks] == ["./?sel=EV001", "./?sel=EV002", "./?sel=EV002"]
    assert "EV001" in marks[1]["title"] and "EV002" in marks[1]["title"]


def test_nested_and_identical_spans() -> None:
    text = "The protests were organized by the Democratic Choice of Kazakhstan."
    outer = span(text, text, "OUT", "EV025")
    inner = span(text, "Democratic Choice", "IN", "EV038")
    same = span(text, "Democratic Choice", "SAME")  # cites nothing: the link stays EV038
    result = sources.highlight_article(text, [outer, inner, same])
    marks = parsed(result).marks
    assert "".join(m["text"] for m in marks) == text
    assert [m["data-excerpts"] for m in marks] == ["OUT", "OUT IN SAME", "OUT"]
    assert [m["href"] for m in marks] == ["./?sel=EV025", "./?sel=EV038", "./?sel=EV025"]
    assert len(result.shown) == 3


def test_a_span_across_a_paragraph_break_is_marked_in_both_paragraphs() -> None:
    text = "Alpha beta.\n\n  Gamma delta."
    result = sources.highlight_article(text, [span(text, "beta.\n\n  Gamma", "X1", "EV1")])
    markup = parsed(result)
    assert [m["text"] for m in markup.marks] == ["beta.", "Gamma"]
    assert {m["href"] for m in markup.marks} == {"./?sel=EV1"}
    assert markup.paragraphs == ["Alpha beta.", "Gamma delta."]


# ---- spans that do not match ----


def test_a_shifted_span_is_flagged_not_shown() -> None:
    text = "On March 27, hundreds gathered. Twenty-two people were arrested. More text."
    good = span(text, "hundreds gathered.", "X1", "EV1")
    quote = "Twenty-two people were arrested."
    start = text.index(quote) + 3
    shifted = Span("X2", start, start + len(quote), quote, ("EV2",))
    result = sources.highlight_article(text, [good, shifted])
    assert [m["text"] for m in parsed(result).marks] == ["hundreds gathered."]
    (flag,) = result.flagged
    assert isinstance(flag, FlaggedSpan)
    assert (flag.excerpt_id, flag.char_start, flag.supports) == ("X2", start, ("EV2",))
    assert "no longer match" in flag.reason
    assert f"now lies at {text.index(quote)}..{text.index(quote) + len(quote)}" in flag.reason


@pytest.mark.parametrize(
    ("start", "end", "quoted", "words"),
    [
        (5, 500, "abc", "past the end of the article (11 characters)"),
        (6, 3, "abc", "not an increasing span"),
        (-1, 3, "abc", "not an increasing span"),
        (0, 5, "Hello", "not in the article"),
        (0, 5, "", "reads 'Short'"),
    ],
)
def test_bad_offsets_are_flagged_with_the_reason(
    start: int, end: int, quoted: str, words: str
) -> None:
    text = "Short text."
    result = sources.highlight_article(text, [Span("X1", start, end, quoted)])
    assert result.shown == () and "<mark" not in result.html
    (flag,) = result.flagged
    assert words in flag.reason


def test_empty_text() -> None:
    result = sources.highlight_article("", [Span("X1", 0, 3, "abc", ("EV1",))])
    assert "<mark" not in result.html and "<p>" not in result.html
    assert [f.excerpt_id for f in result.flagged] == ["X1"]
    assert sources.highlight_article("", []).flagged == ()
    assert sources.paragraphs("") == [] and sources.paragraphs(" \n\n \n") == []


def test_paragraphs_handle_windows_line_ends() -> None:
    text = "One.\r\n\r\nTwo.\r\n"
    assert [text[a:b] for a, b in sources.paragraphs(text)] == ["One.", "Two."]


# ---- the bundled data ----


SEED = "cpc-2021-04-anti-china-protests-kazakhstan"


def test_the_seed_article_shows_all_thirteen_excerpts(bundled) -> None:
    assert sources.held_sources(bundled) == [SEED]
    spans = sources.source_spans(bundled, SEED)
    result = sources.highlight_article(
        bundled.corpus_texts[SEED], spans, sources.item_labels(bundled)
    )
    marks = parsed(result).marks
    assert len(marks) == len(result.shown) == 13 and result.flagged == ()
    arrested = next(m for m in marks if m["text"] == "Twenty-two people were arrested.")
    assert arrested["href"] == "./?sel=EV025"
    assert "27 March anti-China rally" in arrested["title"]


def test_supporters_list_events_then_sites_once(bundled) -> None:
    support = sources.supporters(bundled.events, bundled.sites)
    assert support["X002"] == ("EV025", "EV026", "EV027", "EV028", "EV029")
    assert support["X008"] == ("EV038", "PL002")
    frame = pd.DataFrame({"event_id": ["E1", "E2"], "excerpt_ids": ["X1;X1; X2", ""]})
    sites = pd.DataFrame({"site_id": ["S1"], "excerpt_ids": ["X2"]})
    assert sources.supporters(frame, sites) == {"X1": ("E1",), "X2": ("E1", "S1")}


def test_the_table_counts_citations_and_excerpts(bundled, data_dir: Path) -> None:
    table = sources.source_table(bundled)
    raw = pd.read_csv(data_dir / "sources.csv", dtype=str, keep_default_na=False)
    assert list(table["source_id"]) == list(raw["source_id"])
    seed = table[table["source_id"] == SEED].iloc[0]
    assert seed["excerpts"] == 13 and bool(seed["text_held"])
    # Events and sites that name it as their source or quote one of its excerpts.
    events = pd.read_csv(data_dir / "events.csv", dtype=str, keep_default_na=False)
    sites = pd.read_csv(data_dir / "sites.csv", dtype=str, keep_default_na=False)
    citing = {
        row[key]
        for frame, key in ((events, "event_id"), (sites, "site_id"))
        for _, row in frame.iterrows()
        if row["source_id"] == SEED or row["excerpt_ids"]
    }
    assert seed["cited_by"] == len(citing)
    assert table["text_held"].sum() == 1
    assert table["cited_by"].min() >= 0 and table["excerpts"].sum() == 13


def test_the_table_links_only_safe_urls(write_folder, rows) -> None:
    folder = write_folder(
        events=[rows.event("E1", source_id="S1", excerpt_ids="")],
        sources=[
            rows.source("S1", url="javascript:alert(1)"),
            rows.source("S2", url="https://example.org/a b"),
            rows.source("S3"),
        ],
    )
    table = sources.source_table(folder.load())
    assert [None if pd.isna(u) else u for u in table["link"]] == [
        None,
        None,
        "https://example.org/S3",
    ]
    assert list(table["cited_by"]) == [1, 0, 0]


# ---- excerpts the loader rejected ----


def test_rejected_excerpts_are_listed_with_the_loaders_reason(write_folder, rows) -> None:
    good = rows.span("Twenty-two people were arrested.")
    moved = rows.span("On March 27, hundreds gathered in Almaty.")
    folder = write_folder(
        events=[rows.event("E1", excerpt_ids="X1;X2"), rows.event("E2", excerpt_ids="X2")],
        sites=[rows.site("P1", excerpt_ids="X2")],
        sources=[rows.source("SRC1", file=rows.article_name), rows.source("SRC2")],
        excerpts=[
            rows.excerpt("X1", "SRC1", *good, "Twenty-two people were arrested."),
            rows.excerpt(
                "X2",
                "SRC1",
                moved[0] + 2,
                moved[1] + 2,
                "On March 27, hundreds gathered in Almaty.",
            ),
            rows.excerpt("X3", "SRC1", 0, 1, "O") | {"char_start": "zero"},
            rows.excerpt("X4", "SRC2", 0, 1, "x"),
        ],
    )
    bundle = folder.load()
    assert list(bundle.excerpts["excerpt_id"]) == ["X1", "X4"]
    assert sources.lost_citations(bundle) == {"X2": ("E1", "E2", "P1")}
    flagged = sources.rejected_spans(bundle, sources.read_excerpt_rows(folder.data), "SRC1")
    assert [(f.excerpt_id, f.char_start, f.supports) for f in flagged] == [
        ("X2", moved[0] + 2, ("E1", "E2", "P1")),
        ("X3", None, ()),
    ]
    assert "no longer match the article" in flagged[0].reason
    assert f"now lies at {moved[0]}..{moved[1]}" in flagged[0].reason
    assert "not whole numbers" in flagged[1].reason
    assert sources.rejected_spans(bundle, [], "SRC1") == []
    # The loaded excerpt is highlighted; nothing else is.
    result = sources.highlight_article(rows.article, sources.source_spans(bundle, "SRC1"))
    assert [m["text"] for m in parsed(result).marks] == ["Twenty-two people were arrested."]


def test_an_unreadable_excerpts_file_gives_no_rows(tmp_path: Path) -> None:
    assert sources.read_excerpt_rows(tmp_path) == []


# ---- the src link parameter ----

HELD = ["A", "B"]
KNOWN = ["A", "B", "C"]


@pytest.mark.parametrize(
    ("values", "choice", "words"),
    [
        ([], "A", None),
        (["B"], "B", None),
        (["nope"], "A", "is not a source in the data"),
        (["C"], "A", "has no text held here"),
        (["<script>alert(1)</script>"], "A", "is not a source in the data"),
        (["B\x00"], "A", "is not a source"),
        (["\u202eB"], "A", "is not a source"),
        (["x" * 10_000], "A", "too long"),
        (["nope", "B"], "B", "more than once"),
        ([""], "A", "is not a source"),
    ],
)
def test_pick_source(values: list[str], choice: str, words: str | None) -> None:
    picked, notices = sources.pick_source(values, HELD, KNOWN)
    assert picked == choice
    if words is None:
        assert notices == []
    else:
        assert any(words in n for n in notices), notices
        assert all(len(n) < 200 for n in notices)


def test_pick_source_with_nothing_held() -> None:
    assert sources.pick_source([], [], KNOWN) == (None, [])
    picked, notices = sources.pick_source(["A"], [], KNOWN)
    assert picked is None and "no article text is held" in notices[0]


def test_flagged_spans_are_listed_as_escaped_markdown() -> None:
    flagged = [
        FlaggedSpan("X1", 3, 9, "[click](javascript:alert(1)) <b>*x*</b> `${y}`", "moved", ("E1",)),
        FlaggedSpan("X2", None, None, "text", "offsets are not whole numbers."),
    ]
    listing = sources.flagged_markdown(flagged).split("\n")
    assert listing[0].startswith("- **X1** (characters 3–9): “\\[click\\]\\(javascript\\:")
    assert "\\<b\\>\\*x\\*\\</b\\> \\`\\$\\{y\\}\\`" in listing[0]
    assert listing[1] == "  moved\\. Cited by E1\\."
    assert listing[2].startswith("- **X2** (offsets unreadable)")
    assert listing[3] == "  offsets are not whole numbers\\."
    assert sources.flagged_markdown([]) == ""
