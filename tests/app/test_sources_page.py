"""The Sources page: every source in a table, the held article with its excerpts highlighted
and linked to the map, the ``src`` link parameter with its fallbacks, flagged excerpts, and
hostile article text kept inert."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from .helpers import DATA, LINK_NOTICE, MAP_PAGE, open_app, page_text, read_csv, texts

SOURCES_PAGE = "pages/sources.py"
SEED = "cpc-2021-04-anti-china-protests-kazakhstan"
SOURCE_KEY = "w_source"
SCRIPT = "<script>alert(1)</script>"


@pytest.fixture(autouse=True)
def with_corpus(monkeypatch: pytest.MonkeyPatch, corpus_dir: Path) -> None:
    monkeypatch.setenv("GEO_CORPUS_DIR", str(corpus_dir))


def open_sources(query: dict[str, str | list[str]] | None = None) -> AppTest:
    at = open_app(query, page=SOURCES_PAGE)
    assert not at.exception, [e.value for e in at.exception]
    return at


def page_html(at: AppTest) -> list[str]:
    """The page's HTML blocks, less the layout's style rules and the history script that
    every page carries."""
    bodies = [str(element.proto.body) for element in at.html]
    return [body for body in bodies if not body.lstrip().startswith(("<style>", "<script>"))]


def article_html(at: AppTest) -> str:
    (body,) = page_html(at)
    return body


def notices(at: AppTest) -> list[str]:
    return [str(w.value) for w in at.warning if LINK_NOTICE in str(w.value)]


def src_param(at: AppTest) -> list[str]:
    """Every value of ``src`` in the URL the page left."""
    value = at.query_params.get("src", [])
    return [value] if isinstance(value, str) else list(value)


def sources_table(at: AppTest):
    (table,) = [d.value for d in at.dataframe if "publisher" in d.value.columns]
    return table


def test_default_view_lists_sources_and_highlights_the_seed_article() -> None:
    at = open_sources()
    assert [t.value for t in at.title] == ["Sources"]
    table = sources_table(at)
    expected = read_csv("sources.csv")
    assert sorted(table["title"]) == sorted(expected["title"])
    seed = table[table["title"] == "Anti-China Protests Held in Several Kazakhstani Cities"]
    assert list(seed["excerpts"]) == [13] and list(seed["text_held"]) == [True]
    assert list(seed["link"]) == [expected.loc[expected["source_id"] == SEED, "url"].item()]

    assert at.selectbox(key=SOURCE_KEY).value == SEED
    assert src_param(at) == [SEED]
    body = article_html(at)
    assert body.count("<mark") == 13
    assert './?sel=EV025" target="_top"' in body
    text = page_text(at)
    for words in ("Caspian Policy Center", "Dante Schulz", "13 excerpt(s) highlighted"):
        assert words in text
    assert not notices(at) and not at.error
    assert not any("not highlighted" in str(w.value) for w in at.warning)


def test_a_link_to_the_seed_article_opens_it_without_a_notice() -> None:
    at = open_sources({"src": SEED})
    assert at.selectbox(key=SOURCE_KEY).value == SEED
    assert not notices(at)


CASES = {
    "unknown": ("nope", "is not a source in the data"),
    "script": (SCRIPT, "is not a source in the data"),
    "markup": ("<img src=x onerror=alert(2)>", "is not a source in the data"),
    "10kB": ("s" * 10_000, "too long"),
    "nul": (f"{SEED}\x00", "is not a source"),
    "rtl-override": (f"\u202e{SEED}", "is not a source"),
    "emoji": ("🇰🇿", "is not a source"),
    "no-text-held": ("src-00a7485d49", "has no text held here"),
    "empty": ("", "is not a source"),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_a_bad_src_falls_back_with_a_notice(case: str) -> None:
    value, words = CASES[case]
    at = open_sources({"src": value})
    (notice,) = notices(at)
    assert words in notice.replace("\\", "")
    assert at.selectbox(key=SOURCE_KEY).value == SEED
    assert src_param(at) == [SEED]
    assert article_html(at).count("<mark") == 13
    # Nothing from the link reaches the page unescaped.
    for shown in texts(at):
        assert "\x00" not in shown and "\u202e" not in shown
        if "<" in value:
            assert value not in shown, f"{value!r} reached the page unescaped"


def test_a_repeated_src_uses_the_last_and_says_so() -> None:
    at = open_sources({"src": ["nope", SEED]})
    (notice,) = notices(at)
    assert "more than once" in notice
    assert at.selectbox(key=SOURCE_KEY).value == SEED


def test_without_a_corpus_the_page_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GEO_CORPUS_DIR", "")
    at = open_sources({"src": SEED})
    assert any("GEO_CORPUS_DIR" in str(i.value) for i in at.info)
    assert len(page_html(at)) == 0 and len(at.selectbox) == 0
    table = sources_table(at)
    assert len(table) == len(read_csv("sources.csv")) and not table["text_held"].any()


def test_switching_to_the_map_and_back() -> None:
    at = open_sources()
    at.switch_page(MAP_PAGE).run()
    assert not at.exception
    at.switch_page(SOURCES_PAGE).run()
    assert not at.exception
    assert article_html(at).count("<mark") == 13


# ---- a second, hostile article with a stale excerpt ----

SECOND = "src-00a7485d49"
ARTICLE = (
    f"Intro {SCRIPT} `tick` ${{alert(3)}} \\2019 <img src=x onerror=alert(4)>.\n\n"
    "Police detained 26 people at the rally. The end."
)
QUOTE = "Police detained 26 people at the rally."


def _rewrite(path: Path, key: str, changes: dict[str, dict[str, str]], add=()) -> None:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        fields = list(reader.fieldnames or [])
        rows = list(reader)
    for row in rows:
        row.update(changes.get(row[key], {}))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows([*rows, *add])


@pytest.fixture
def hostile_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, corpus_dir: Path) -> Path:
    data, corpus = tmp_path / "data", tmp_path / "corpus"
    data.mkdir()
    corpus.mkdir()
    for path in DATA.glob("*.csv"):
        shutil.copy(path, data / path.name)
    for path in corpus_dir.glob("*.txt"):
        shutil.copy(path, corpus / path.name)
    (corpus / "second.txt").write_text(ARTICLE, encoding="utf-8")
    _rewrite(data / "sources.csv", "source_id", {SECOND: {"file": "second.txt"}})
    start = ARTICLE.index(QUOTE)
    _rewrite(
        data / "excerpts.csv",
        "excerpt_id",
        {},
        add=[
            {
                "excerpt_id": "X900",
                "source_id": SECOND,
                "char_start": str(start),
                "char_end": str(start + len(QUOTE)),
                "text": QUOTE,
            },
            {
                "excerpt_id": "X901",
                "source_id": SECOND,
                "char_start": "3",
                "char_end": "10",
                "text": "The end",
            },
        ],
    )
    _rewrite(data / "events.csv", "event_id", {"EV001": {"excerpt_ids": "X007;X900;X901"}})
    monkeypatch.setenv("GEO_DATA_DIR", str(data))
    monkeypatch.setenv("GEO_CORPUS_DIR", str(corpus))
    return data


def test_a_second_article_is_chosen_by_link_escaped_and_its_stale_excerpt_flagged(
    hostile_folder: Path,
) -> None:
    at = open_sources({"src": SECOND})
    assert not notices(at)
    assert at.selectbox(key=SOURCE_KEY).options == [
        "Anti-China Protests Held in Several Kazakhstani Cities",
        read_csv("sources.csv").set_index("source_id").loc[SECOND, "title"],
    ]
    assert at.selectbox(key=SOURCE_KEY).value == SECOND
    body = article_html(at)
    assert body.count("<mark") == 1 and './?sel=EV001"' in body
    for raw in ("<script", "<img", "`", "${", "\\2019"):
        assert raw not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    (flag,) = [str(w.value) for w in at.warning if "not highlighted" in str(w.value)]
    assert "X901" in flag and "Cited by EV001" in flag.replace("\\", "")
    moved = ARTICLE.index("The end")
    assert "no longer match the article" in flag
    assert f"now lies at {moved}..{moved + 7}" in flag.replace("\\", "")

    at.selectbox(key=SOURCE_KEY).set_value(SEED).run()
    assert not at.exception
    assert src_param(at) == [SEED]
    assert article_html(at).count("<mark") == 13


# ---- Markdown in a source's link and title ----

OG_URL = (
    "https://news.example/story)![pixel](https://tracker.example/og.png)"
    "[Log_in](https://evil.example/login)("
)
MD_PAYLOADS = (")![x](http://t.example/p.png)", "[a](javascript:alert(1))", "<https://t.example>")


def _acting(markdown: str) -> str:
    """``markdown`` with its backslash-escaped characters taken out: what Markdown acts on."""
    out, i = [], 0
    while i < len(markdown):
        if markdown[i] == "\\":
            i += 2
            continue
        out.append(markdown[i])
        i += 1
    return "".join(out)


def _markdown_values(at: AppTest) -> list[str]:
    kinds = (at.markdown, at.caption, at.info, at.warning, at.success, at.error)
    return [str(e.value) for kind in kinds for e in kind]


@pytest.mark.parametrize(
    ("page", "query"),
    [
        (SOURCES_PAGE, {"src": SECOND}),
        (MAP_PAGE, {"sel": "EV001"}),
        ("pages/charts.py", {"pick": "category:policy"}),
    ],
)
def test_markdown_in_a_source_link_or_title_draws_no_image_and_no_link(
    hostile_folder: Path, page: str, query: dict[str, str]
) -> None:
    title = "Detained " + " ".join(MD_PAYLOADS)
    _rewrite(hostile_folder / "sources.csv", "source_id", {SECOND: {"url": OG_URL, "title": title}})
    at = open_app(query, page=page)
    assert not at.exception, [e.value for e in at.exception]
    shown = _markdown_values(at)
    assert any("Detained" in v for v in shown), shown  # the citation is on the page
    for value in shown:
        acting = _acting(value)
        assert "![" not in acting and "<https" not in acting, value
        for host in ("tracker.example", "evil.example", "t.example", "javascript"):
            assert f"]({host}" not in acting and f"://{host}" not in acting, value
