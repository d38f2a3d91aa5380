"""Competing figures in the participants and arrests cells: split, sourced, read as ranges."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.figures import Figure, figure_range, parse_figures

F = Figure


@pytest.fixture(scope="module")
def cells(data_dir: Path) -> dict[tuple[str, str], str]:
    """``(event_id, column)`` -> the cell as written in data/events.csv."""
    with (data_dir / "events.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return {(r["event_id"], c): r[c] for r in rows for c in ("participants", "arrests")}


# Real rows, with the exact figures each must give. The cell text is repeated so a change in
# the data shows up here as a plain mismatch, not a puzzling parse.
REAL = [
    (
        "EV002",
        "participants",
        "≥1,000 (RFE/RL); ~2,000 (bureau.kz)",
        [
            F("≥1,000 (RFE/RL)", 1000, None, "at least", "RFE/RL"),
            F("~2,000 (bureau.kz)", 2000, 2000, "about", "bureau.kz"),
        ],
    ),
    (
        "EV015",
        "participants",
        "several dozen (Diapazon) vs >1,000 (Lada)",
        [
            F("several dozen (Diapazon)", 24, 72, "vague", "Diapazon"),
            F(">1,000 (Lada)", 1001, None, "more than", "Lada"),
        ],
    ),
    (
        "EV063",
        "participants",
        "~300 (Interior Ministry); ~500 (RFE/RL); >150 remained Aug 7",
        [
            F("~300 (Interior Ministry)", 300, 300, "about", "Interior Ministry"),
            F("~500 (RFE/RL)", 500, 500, "about", "RFE/RL"),
            F(">150 remained Aug 7", 151, None, "more than", ""),
        ],
    ),
    ("EV003", "participants", "hundreds", [F("hundreds", 200, 999, "vague", "")]),
    ("EV058", "participants", "~two dozen", [F("~two dozen", 24, 24, "about", "")]),
    ("EV046", "participants", "5–15 typical", [F("5–15 typical", 5, 15, "range", "")]),
    (
        "EV038",
        "participants",
        "3 at start; typically 5–15 (Eurasianet); ~dozen on Feb 22",
        [
            F("3 at start", 3, 3, "exact", ""),
            F("typically 5–15 (Eurasianet)", 5, 15, "range", "Eurasianet"),
            F("~dozen on Feb 22", 12, 12, "about", ""),
        ],
    ),
    ("EV060", "arrests", "none reported", [F("none reported", 0, 0, "exact", "")]),
    (
        "EV008",
        "arrests",
        ">300 detained (observers, per HRW)",
        [F(">300 detained (observers, per HRW)", 301, None, "more than", "observers, per HRW")],
    ),
    (
        "EV044",
        "arrests",
        "8 (RFE/RL text) / ≥10 (RFE/RL video page)",
        [
            F("8 (RFE/RL text)", 8, 8, "exact", "RFE/RL text"),
            F("≥10 (RFE/RL video page)", 10, None, "at least", "RFE/RL video page"),
        ],
    ),
    # A parenthesis that is a note, not a source, and whose number is not the figure.
    ("EV010", "arrests", "2 sentenced (5 yrs)", [F("2 sentenced (5 yrs)", 2, 2, "exact", "")]),
    (
        "EV013",
        "participants",
        "dozens (Sept 3, TCA); ~two dozen (Sept 4, Reuters)",
        [
            F("dozens (Sept 3, TCA)", 24, 99, "vague", "TCA"),
            F("~two dozen (Sept 4, Reuters)", 24, 24, "about", "Reuters"),
        ],
    ),
    (
        "EV021",
        "arrests",
        "~a dozen (Asia-Plus) / ~26 (Crisis24); AFP: 26 total Almaty+Nur-Sultan",
        [
            F("~a dozen (Asia-Plus)", 12, 12, "about", "Asia-Plus"),
            F("~26 (Crisis24)", 26, 26, "about", "Crisis24"),
            # A total over two cities bounds this event from above; the source leads.
            F("AFP: 26 total Almaty+Nur-Sultan", None, 26, "at most", "AFP"),
        ],
    ),
    (
        "EV062",
        "arrests",
        "21 (golos.ua / openDemocracy); >a dozen seen (Reuters)",
        [
            # " / " inside the parenthesis does not split.
            F("21 (golos.ua / openDemocracy)", 21, 21, "exact", "golos.ua / openDemocracy"),
            F(">a dozen seen (Reuters)", 13, None, "more than", "Reuters"),
        ],
    ),
    (
        "EV068",
        "participants",
        "≥2,000 (organisers); 700–800 (govt envoy Alymkulov); ~1,000 (24.kg)",
        [
            F("≥2,000 (organisers)", 2000, None, "at least", "organisers"),
            F("700–800 (govt envoy Alymkulov)", 700, 800, "range", "govt envoy Alymkulov"),
            F("~1,000 (24.kg)", 1000, 1000, "about", "24.kg"),
        ],
    ),
    (
        "EV063",
        "arrests",
        "none reported; 20 hospitalised (19 Chinese + 1 local), 28 more Chinese treated in Bishkek",
        [
            F("none reported", 0, 0, "exact", ""),
            # Counts injured people, not arrests: kept as text, no number.
            F(
                "20 hospitalised (19 Chinese + 1 local), 28 more Chinese treated in Bishkek",
                None,
                None,
                "",
                "",
            ),
        ],
    ),
    (
        "EV051",
        "participants",
        "2,000+ (people affected)",
        [F("2,000+ (people affected)", None, None, "", "")],
    ),
    (
        "EV026",
        "arrests",
        "'several' detained en route; square cordoned",
        [
            F("'several' detained en route", 3, 9, "vague", ""),
            F("square cordoned", None, None, "", ""),
        ],
    ),
    (
        "EV033",
        "arrests",
        "none (no police came)",
        [F("none (no police came)", 0, 0, "exact", "")],
    ),
]


@pytest.mark.parametrize(("event_id", "column", "text", "expected"), REAL)
def test_real_cells_give_the_exact_figures(cells, event_id, column, text, expected) -> None:
    assert cells[(event_id, column)] == text
    assert parse_figures(text) == expected


def test_every_real_cell_parses_sensibly(cells) -> None:
    parsed = 0
    for (event_id, column), text in cells.items():
        figures = parse_figures(text)
        if not text.strip():
            assert figures == [], (event_id, column)
            continue
        parsed += 1
        assert figures, (event_id, column, text)
        for f in figures:
            assert f.text and f.text in text, (event_id, f)
            assert f.low is None or f.low >= 0, (event_id, f)
            if f.low is not None and f.high is not None:
                assert f.low <= f.high, (event_id, f)
            assert (f.qualifier == "") == (not f.numeric), (event_id, f)
            assert "(" not in f.source and ")" not in f.source, (event_id, f)
        low, high = figure_range(text)
        numeric = [f for f in figures if f.numeric]
        assert (high is None) == (not numeric), (event_id, text)
        if low is not None and high is not None:
            assert low <= high
    assert parsed >= 50  # the bundled data has 58 such cells


def test_the_cells_with_no_number_are_the_expected_ones(cells) -> None:
    """Every real cell with a number somewhere gives a numeric figure, except these."""
    no_number = {k for k, text in cells.items() if text and figure_range(text) == (None, None)}
    assert no_number == {
        ("EV030", "arrests"),  # "protesters encircled by police"
        ("EV051", "participants"),  # people affected, not participants
    }


@pytest.mark.parametrize(
    ("text", "low", "high", "qualifier"),
    [
        ("about 150", 150, 150, "about"),
        ("~150", 150, 150, "about"),
        ("≥1,000", 1000, None, "at least"),
        ("at least 1,000", 1000, None, "at least"),
        ("1,000+", 1000, None, "at least"),
        ("500 or more", 500, None, "at least"),
        (">300", 301, None, "more than"),
        ("more than 300", 301, None, "more than"),
        ("5–15", 5, 15, "range"),
        ("700-800", 700, 800, "range"),
        ("800 to 700", 700, 800, "range"),
        ("hundreds", 200, 999, "vague"),
        ("several hundred", 200, 900, "vague"),
        ("dozens", 24, 99, "vague"),
        ("several dozen", 24, 72, "vague"),
        ("a dozen", 12, 12, "exact"),
        ("~a dozen", 12, 12, "about"),
        ("two dozen", 24, 24, "exact"),
        ("3 dozen", 36, 36, "exact"),
        ("several", 3, 9, "vague"),
        ("none", 0, 0, "exact"),
        ("none reported", 0, 0, "exact"),
        ("thousands", 2000, 9999, "vague"),
        ("two hundred", 200, 200, "exact"),
        ("twelve", 12, 12, "exact"),
        ("up to 40", None, 40, "at most"),
        ("<10", None, 9, "fewer than"),
        ("part of 57 total", None, 57, "at most"),
        ("'hundreds'", 200, 999, "vague"),
        ("unclear", None, None, ""),
        ("someone spoke", None, None, ""),  # "some" + "one" is not "about 1"
        ("turnover 5", 5, 5, "exact"),  # "over" inside a word is not "more than"
    ],
)
def test_the_documented_readings(text, low, high, qualifier) -> None:
    [figure] = parse_figures(text)
    assert (figure.low, figure.high, figure.qualifier) == (low, high, qualifier)
    assert figure.text == text


@pytest.mark.parametrize(
    ("text", "pieces"),
    [
        ("a (x; y); b", ["a (x; y)", "b"]),
        ("~10 (A / B) / 12 (C)", ["~10 (A / B)", "12 (C)"]),
        ("5 (A) vs 7 (B) vs. 9 (C)", ["5 (A)", "7 (B)", "9 (C)"]),
        ("  ;  ; 3 ;", ["3"]),
        ("RFE/RL 5", ["RFE/RL 5"]),  # a slash without spaces is part of a name
        ("unbalanced (a; b", ["unbalanced (a; b"]),
    ],
)
def test_splits_only_outside_parentheses(text, pieces) -> None:
    assert [f.text for f in parse_figures(text)] == pieces


def test_source_comes_from_the_trailing_parenthesis_or_a_leading_name() -> None:
    assert parse_figures("~300 (RFE/RL, Stratfor)")[0].source == "RFE/RL, Stratfor"
    assert parse_figures("AFP: 26 detained")[0].source == "AFP"
    # A middle parenthesis is neither source nor number.
    [f] = parse_figures("3 (of 40 invited) came")
    assert (f.low, f.high, f.source) == (3, 3, "")
    for note in ("5 yrs", "15 days' jail", "first hearing", "released same day", "verdict"):
        assert parse_figures(f"2 ({note})")[0].source == "", note


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", (None, None)),
        ("protesters encircled by police", (None, None)),
        ("~300 (A); ~500 (B)", (300, 500)),
        ("≥2,000 (A); 700–800 (B); ~1,000 (C)", (700, 2000)),  # an open bound counts at N
        ("several dozen (A) vs >1,000 (B)", (24, 1001)),
        ("part of 57 total (A); journalist held", (None, 57)),
        ("none reported; 20 hospitalised", (0, 0)),
    ],
)
def test_figure_range(text, expected) -> None:
    assert figure_range(text) == expected


@pytest.mark.parametrize("value", [None, float("nan"), "", "   "])
def test_empty_cells_give_no_figures(value) -> None:
    assert parse_figures(value) == []
    assert figure_range(value) == (None, None)


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("0123456789,;/()~≥>+-– abcdefhilnorstuvwxyzADR:'")),
        max_size=60,
    )
)
def test_never_raises_and_ranges_are_ordered(text) -> None:
    for f in parse_figures(text):
        assert f.text
        if f.low is not None and f.high is not None:
            assert f.low <= f.high
    low, high = figure_range(text)
    assert low is None or high is None or low <= high
