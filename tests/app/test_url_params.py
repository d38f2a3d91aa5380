"""Hostile links: every malformed, unknown or out-of-range parameter falls back, visibly.

Each case opens the map page with a crafted query string and checks what a visitor would
see: no error, a warning naming the parameter that was dropped or corrected, the widgets at
the fallback, the URL rewritten to the canonical form, and no raw markup echoed. The same
links opened on the About page (which does not read the URL) must leave it intact.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from .helpers import (
    ABOUT_PAGE,
    categories,
    countries,
    errors,
    expected_counts,
    link_notices,
    month_slider,
    open_app,
    read_csv,
    search_box,
    summary,
    texts,
    undated_box,
)

SCRIPT = "<script>alert(1)</script>"
TEN_KB = 10_000


@dataclass(frozen=True)
class Case:
    id: str
    query: dict[str, str | list[str]]
    mentions: tuple[str, ...]  # the notice names one of these (the parameter, or what it is)
    months: tuple[str, str] | None = None  # None: the data's full span
    countries: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    queries: tuple[str, ...] = ("",)  # acceptable search texts after the fallback
    url: dict[str, str] = field(default_factory=dict)  # the canonical URL written back
    raw: tuple[str, ...] = ()  # strings that must never reach the page unescaped


CASES = [
    # wrong types
    Case("from-not-a-month", {"from": "abc"}, ("'from'",)),
    Case("to-a-number", {"to": "12"}, ("'to'",)),
    Case("from-month-13", {"from": "2019-13"}, ("'from'",)),
    Case("undated-not-a-flag", {"undated": "maybe"}, ("'undated'",)),
    # out of range
    Case("from-before-the-data", {"from": "1900-01"}, ("'from'",)),
    Case("to-after-the-data", {"to": "2999-12"}, ("'to'",)),
    Case("both-out-of-range", {"from": "1900-01", "to": "2999-12"}, ("'from'", "'to'")),
    Case(
        "reversed-range",
        {"from": "2020-12", "to": "2019-01"},
        ("'from'", "'to'"),
        months=("2019-01", "2020-12"),
        url={"from": "2019-01", "to": "2020-12"},
    ),
    # unknown values
    Case("country-unknown", {"country": "FRA"}, ("'country'",)),
    Case(
        "country-partly-unknown",
        {"country": "KGZ,FRA"},
        ("'country'",),
        countries=("KGZ",),
        url={"country": "KGZ"},
    ),
    Case("cat-unknown", {"cat": "riot"}, ("'cat'",)),
    Case(
        "cat-markup",
        {"cat": "<img src=x onerror=alert(1)>"},
        ("'cat'",),
        raw=("<img src=x onerror=alert(1)>",),
    ),
    Case("sel-unknown-id", {"sel": "EV999"}, ("'sel'", "Selected item")),
    Case("sel-script", {"sel": SCRIPT}, ("'sel'", "Selected item"), raw=(SCRIPT,)),
    # 10 kB values
    Case("from-10kB", {"from": "2" * TEN_KB}, ("'from'",)),
    Case("country-10kB", {"country": "K" * TEN_KB}, ("'country'",)),
    Case("sel-10kB", {"sel": "E" * TEN_KB}, ("'sel'", "Selected item")),
    Case(
        "q-10kB",
        {"q": "x" * TEN_KB},
        ("'q'", "Search text"),
        queries=("", "x" * 200),
        url={"q": "x" * 200},
    ),
    # repeated keys: the last one counts, and the page says so
    Case(
        "country-repeated",
        {"country": ["KAZ", "KGZ"]},
        ("'country'",),
        countries=("KGZ",),
        url={"country": "KGZ"},
    ),
    Case("from-repeated-last-bad", {"from": ["2019-01", "abc"]}, ("'from'",)),
    Case("sel-repeated", {"sel": ["EV025", SCRIPT]}, ("'sel'", "Selected item"), raw=(SCRIPT,)),
    # unknown keys
    Case("unknown-key", {"foo": "bar"}, ("'foo'",)),
    Case("unknown-key-markup", {"<b>x</b>": "1"}, ("'<b>x</b>'",), raw=("<b>x</b>",)),
    # unicode, right-to-left and emoji where they do not belong
    Case("country-flag-emoji", {"country": "🇰🇿"}, ("'country'",)),
    Case("cat-rtl-override", {"cat": "\u202eprotest"}, ("'cat'",)),
    Case("sel-rtl-override", {"sel": "\u202eEV025"}, ("'sel'", "Selected item")),
    Case("from-arabic-text", {"from": "مارس ٢٠٢٠"}, ("'from'",)),
    # NUL and other control characters: stripped, with a notice; what is left is used
    Case(
        "from-nul",
        {"from": "2019-01\x00", "to": "2020-12"},
        ("'from'",),
        months=("2019-01", "2020-12"),
        url={"from": "2019-01", "to": "2020-12"},
    ),
    Case(
        "country-nul",
        {"country": "KGZ\x00\x1b"},
        ("'country'",),
        countries=("KGZ",),
        url={"country": "KGZ"},
    ),
    Case("sel-nul", {"sel": "\x00"}, ("'sel'", "control characters")),
    Case("key-nul", {"\x00": "1"}, ("unknown",)),
    Case(
        "q-nul",
        {"q": "Almaty\x00"},
        ("'q'", "Search text", "search"),
        queries=("", "Almaty"),
        url={"q": "Almaty"},
    ),
]


def _span(at) -> tuple[str, str]:
    options = month_slider(at).options
    return options[0], options[-1]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_map_page_falls_back_and_says_so(case: Case) -> None:
    at = open_app(case.query)
    assert not at.exception, errors(at)

    notices = link_notices(at)
    assert notices, "no visible notice about the link"
    assert any(m in n for n in notices for m in case.mentions), notices

    months = case.months or _span(at)
    assert month_slider(at).value == months
    assert countries(at).value == list(case.countries)
    assert categories(at).value == list(case.categories)
    query = search_box(at).value
    assert query in case.queries
    assert undated_box(at).value is True

    # Nothing is selected: the panel still invites a click.
    assert any("Click a marker" in str(c.value) for c in at.caption)
    # The URL is rewritten to what is shown (the search text may also have been dropped).
    wanted = dict(case.url)
    if not query:
        wanted.pop("q", None)
    assert at.query_params == wanted
    if not query:
        assert summary(at) == expected_counts(
            countries=case.countries, categories=case.categories, months=months
        )
    else:
        # The counts are those of the search text the page shows and the URL keeps.
        assert summary(at) == summary(open_app({"q": query}))
    for raw in case.raw:
        assert not any(raw in t for t in texts(at)), f"{raw!r} reached the page unescaped"
    assert not any("\x00" in t for t in texts(at))


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_about_page_is_unaffected_by_the_link(case: Case) -> None:
    at = open_app(case.query, page=ABOUT_PAGE)
    assert not at.exception, errors(at)
    assert [t.value for t in at.title] == ["About the data"]
    about = "\n".join(str(m.value) for m in at.markdown)
    assert f"**{len(read_csv('events.csv'))} events**" in about
    assert f"**{len(read_csv('sites.csv'))} sites**" in about
    assert "GeoNames" in about and "Natural Earth" in about
    for raw in (*case.raw, "\x00"):
        assert not any(raw in t for t in texts(at)), f"{raw!r} reached the page unescaped"


def test_many_problems_are_all_reported_without_error() -> None:
    query: dict[str, str | list[str]] = {f"junk{i}": SCRIPT for i in range(30)}
    query.update({"from": "abc", "to": "2999-12", "country": "FRA", "cat": ["x", "y"]})
    at = open_app(query)
    assert not at.exception, errors(at)
    (notice,) = link_notices(at)
    # Long lists are cut short but say how many more there were.
    assert "more" in notice
    assert at.query_params == {}
    assert summary(at) == expected_counts()


def test_non_latin_search_text_is_kept() -> None:
    """Search text in Kazakh, Chinese, Arabic or with emoji is legitimate: kept, no notice."""
    text = "Алматы 中国 مرحبا 👋"
    at = open_app({"q": text})
    assert not at.exception, errors(at)
    assert not link_notices(at)
    assert search_box(at).value == text
    assert at.query_params == {"q": text}


@pytest.mark.parametrize("page", [None, "pages/charts.py"])
def test_a_nul_in_the_selection_is_stripped_and_said_so(page: str | None) -> None:
    at = open_app({"sel": "EV001\x00"}, page=page)
    assert not at.exception, errors(at)
    assert any("'sel' had control characters" in n for n in link_notices(at)), link_notices(at)
    assert at.query_params == {"sel": "EV001"}
    assert not any("\x00" in t for t in texts(at))
