"""The view in the URL: decoding never raises, every fallback says so, links round-trip."""

from __future__ import annotations

from collections.abc import Container

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.model import AREAS, Category
from geo.view import (
    KNOWN_KEYS,
    MAX_QUERY,
    Bounds,
    ViewState,
    decode,
    encode,
    month_index,
    month_of,
    months_between,
)

BOUNDS = Bounds("2013-09", "2024-07", frozenset({"EV001", "EV025", "PL002", "PL003"}))
DEFAULT = ViewState.default(BOUNDS)
COUNTRIES = list(AREAS)
CATEGORIES = [c.value for c in Category]


def test_the_default_view_is_the_plain_url() -> None:
    assert ViewState("2013-09", "2024-07") == DEFAULT
    assert encode(DEFAULT, BOUNDS) == {}
    decoded = decode({}, BOUNDS)
    assert (decoded.state, decoded.notices) == (DEFAULT, [])


@pytest.mark.parametrize(
    ("state", "params"),
    [
        (DEFAULT, {}),
        (
            ViewState("2019-01", "2020-12", ("KGZ",), ("protest",), selected="EV025"),
            {"from": "2019-01", "to": "2020-12", "country": "KGZ", "cat": "protest"}
            | {"sel": "EV025"},
        ),
        (
            ViewState("2013-09", "2021-03", ("KAZ", "CHN"), ("consulate_embassy", "bri_site")),
            {"to": "2021-03", "country": "KAZ,CHN", "cat": "consulate_embassy,bri_site"},
        ),
        (
            ViewState("2021-03", "2021-03", query="twenty-two arrested", undated=False),
            {"from": "2021-03", "to": "2021-03", "q": "twenty-two arrested", "undated": "0"},
        ),
        (
            ViewState("2024-07", "2024-07", query="Хоргос 霍尔果斯 & <b>", selected="PL003"),
            {"from": "2024-07", "q": "Хоргос 霍尔果斯 & <b>", "sel": "PL003"},
        ),
    ],
)
def test_representative_views_round_trip(state: ViewState, params: dict[str, str]) -> None:
    assert encode(state, BOUNDS) == params
    decoded = decode(params, BOUNDS)
    assert decoded.notices == []
    assert decoded.state == state


def test_streamlit_style_lists_decode_like_plain_values() -> None:
    decoded = decode({"from": ["2019-01"], "country": ["KGZ,KAZ"], "undated": ["false"]}, BOUNDS)
    assert decoded.notices == []
    assert decoded.state == ViewState("2019-01", "2024-07", ("KAZ", "KGZ"), undated=False)


def test_lists_are_put_in_canonical_order_so_equal_views_give_equal_links() -> None:
    a = decode({"country": "CHN,KAZ", "cat": "policy,protest,policy"}, BOUNDS).state
    b = decode({"country": " KAZ , CHN ", "cat": "protest,policy"}, BOUNDS).state
    assert a == b
    assert encode(a, BOUNDS) == {"country": "KAZ,CHN", "cat": "protest,policy"}


# ---- each fallback: a notice, and the default for that field only ----


def _one_notice(params: dict, *words: str) -> ViewState:
    decoded = decode(params, BOUNDS)
    assert len(decoded.notices) == 1, decoded.notices
    for word in words:
        assert word in decoded.notices[0], (word, decoded.notices[0])
    return decoded.state


def test_an_unknown_key_is_ignored_with_a_notice() -> None:
    state = _one_notice({"zoom": "5", "country": "KGZ"}, "unknown", "zoom")
    assert state == ViewState("2013-09", "2024-07", ("KGZ",))


def test_a_repeated_key_uses_the_last_value() -> None:
    state = _one_notice({"country": ["KAZ", "KGZ"], "to": "2020-12"}, "more than once", "last")
    assert state == ViewState("2013-09", "2020-12", ("KGZ",))


@pytest.mark.parametrize(
    "month",
    [
        "2020-13",
        "2020-00",
        "2020-1",
        "20-01",
        "2020/01",
        "January 2020",
        "",
        " 2020-01",
        "2020-01\n",
        "２０２０-０１",
        "٢٠٢٠-٠١",
        "2020-01-15",
    ],
)
@pytest.mark.parametrize("key", ["from", "to"])
def test_a_malformed_month_falls_back_to_the_full_span(key: str, month: str) -> None:
    state = _one_notice({key: month, "cat": "policy"}, key, "not a month")
    assert state == ViewState("2013-09", "2024-07", categories=("policy",))


@pytest.mark.parametrize(
    ("params", "start", "end"),
    [
        ({"from": "2000-01"}, "2013-09", "2024-07"),
        ({"from": "2013-08", "to": "2020-01"}, "2013-09", "2020-01"),
        ({"to": "2099-12"}, "2013-09", "2024-07"),
        ({"from": "2019-05", "to": "2024-08"}, "2019-05", "2024-07"),
        ({"from": "2030-01"}, "2024-07", "2024-07"),
        ({"to": "0000-01"}, "2013-09", "2013-09"),
    ],
)
def test_a_month_outside_the_data_is_clamped(params: dict, start: str, end: str) -> None:
    state = _one_notice(params, "outside the data", "moved to")
    assert (state.start, state.end) == (start, end)


def test_from_after_to_is_swapped() -> None:
    state = _one_notice({"from": "2021-05", "to": "2019-02"}, "reversed", "swapped")
    assert (state.start, state.end) == ("2019-02", "2021-05")


def test_both_ends_out_of_range_and_reversed_give_the_full_span_and_say_so() -> None:
    decoded = decode({"from": "2099-01", "to": "1999-01"}, BOUNDS)
    assert (decoded.state.start, decoded.state.end) == ("2013-09", "2024-07")
    assert len(decoded.notices) == 3


@pytest.mark.parametrize(
    ("key", "value", "kept", "bad"),
    [
        ("country", "FRA", (), "FRA"),
        ("country", "KAZ,kgz", ("KAZ",), "kgz"),
        ("country", "Kazakhstan", (), "Kazakhstan"),
        ("cat", "riot", (), "riot"),
        ("cat", "protest,<script>", ("protest",), "<script>"),
    ],
)
def test_unknown_countries_and_categories_are_dropped_with_a_notice(
    key: str, value: str, kept: tuple, bad: str
) -> None:
    state = _one_notice({key: value}, "unknown value", bad)
    field = "countries" if key == "country" else "categories"
    assert getattr(state, field) == kept
    assert state == ViewState("2013-09", "2024-07", **{field: kept})


def test_many_unknown_values_give_a_bounded_number_of_notices() -> None:
    decoded = decode({"cat": ",".join(f"x{i}" for i in range(100))}, BOUNDS)
    assert decoded.state == DEFAULT
    assert len(decoded.notices) == 6
    assert "95 more" in decoded.notices[-1]


@pytest.mark.parametrize("key", ["from", "to", "country", "cat", "sel", "undated"])
def test_a_10kb_value_is_ignored_with_a_notice(key: str) -> None:
    decoded = decode({key: "K" * 10_240}, BOUNDS)
    assert decoded.state == DEFAULT
    assert len(decoded.notices) == 1
    assert "too long" in decoded.notices[0] and len(decoded.notices[0]) < 200


def test_a_10kb_search_is_shortened_with_a_notice() -> None:
    state = _one_notice({"q": "abc " * 2560}, "longer than", "shortened")
    assert len(state.query) <= MAX_QUERY
    assert state.query.startswith("abc abc")
    assert state == ViewState("2013-09", "2024-07", query=state.query)


def test_a_shortened_search_does_not_end_in_a_space() -> None:
    """The shortened text must be one a link can carry: decoding it again changes nothing."""
    state = _one_notice({"q": "a" * (MAX_QUERY - 1) + " b"}, "shortened")
    assert state.query == state.query.strip()
    again = decode(encode(state, BOUNDS), BOUNDS)
    assert (again.state, again.notices) == (state, [])


def test_search_whitespace_is_collapsed_without_a_notice() -> None:
    decoded = decode({"q": "  twenty-two \t\n arrested  "}, BOUNDS)
    assert (decoded.state.query, decoded.notices) == ("twenty-two arrested", [])


def test_an_unknown_selected_id_selects_nothing() -> None:
    state = _one_notice({"sel": "EV999", "country": "KAZ"}, "not in the data", "EV999")
    assert state == ViewState("2013-09", "2024-07", ("KAZ",))


@pytest.mark.parametrize("flag", ["maybe", "2", "", "on", "-1"])
def test_a_bad_undated_flag_keeps_undated_events(flag: str) -> None:
    state = _one_notice({"undated": flag}, "undated", "not 0 or 1")
    assert state == DEFAULT and state.undated is True


@pytest.mark.parametrize("flag", ["0", "false", "No", " FALSE "])
def test_undated_off_spellings(flag: str) -> None:
    decoded = decode({"undated": flag}, BOUNDS)
    assert (decoded.state.undated, decoded.notices) == (False, [])


def test_notices_show_at_most_a_short_quote_of_the_value() -> None:
    decoded = decode({"from": "<script>" + "x" * 900}, BOUNDS)
    assert len(decoded.notices) == 1
    assert len(decoded.notices[0]) < 200


def test_month_helpers() -> None:
    assert month_of(month_index("2019-12") + 1) == "2020-01"
    assert months_between("2019-11", "2020-02") == ["2019-11", "2019-12", "2020-01", "2020-02"]
    assert months_between("2020-02", "2020-01") == []
    for bad in ("2019-13", "2019-1", "x"):
        with pytest.raises(ValueError):
            month_index(bad)


# ---- properties ----

MONTHS = months_between(BOUNDS.first_month, BOUNDS.last_month)
month_like = st.one_of(
    st.sampled_from(MONTHS),
    st.builds(lambda y, m: f"{y:04d}-{m:02d}", st.integers(0, 9999), st.integers(0, 99)),
)
list_like = st.lists(st.sampled_from([*COUNTRIES, *CATEGORIES, "", " ", "x"]), max_size=6).map(
    ",".join
)
long_text = st.builds(lambda c, n: c * n, st.characters(), st.integers(0, 12_000))
# Searches of a few hundred characters with spaces, so the cut at MAX_QUERY lands anywhere.
wordy_text = st.lists(
    st.text(alphabet="ab \t", min_size=1, max_size=9), min_size=25, max_size=90
).map(" ".join)
value = st.one_of(
    st.text(),
    month_like,
    list_like,
    st.sampled_from([*sorted(BOUNDS.ids), "0", "1", "true", "no"]),
    long_text,
    wordy_text,
)
values = st.one_of(value, st.lists(value, max_size=4))
params_strategy = st.builds(
    lambda known, other: {**other, **known},
    st.fixed_dictionaries({}, optional={key: values for key in KNOWN_KEYS}),
    st.dictionaries(st.text(), values, max_size=4),
)


def _well_formed(state: ViewState) -> None:
    assert isinstance(state, ViewState)
    first, last = month_index(BOUNDS.first_month), month_index(BOUNDS.last_month)
    assert first <= month_index(state.start) <= month_index(state.end) <= last
    assert state.countries == tuple(c for c in COUNTRIES if c in state.countries)
    assert state.categories == tuple(c for c in CATEGORIES if c in state.categories)
    assert len(state.query) <= MAX_QUERY
    assert state.selected is None or state.selected in BOUNDS.ids
    assert isinstance(state.undated, bool)


@settings(max_examples=1000, deadline=None)
@given(params_strategy)
def test_decode_never_raises_and_always_gives_a_valid_view(params: dict) -> None:
    decoded = decode(params, BOUNDS)
    _well_formed(decoded.state)
    # A notice quotes at most 40 characters of a value (each at most 10 once escaped).
    assert all(isinstance(n, str) and len(n) < 600 for n in decoded.notices)
    # What was decoded is a view a link can carry exactly.
    link = encode(decoded.state, BOUNDS)
    again = decode(link, BOUNDS)
    assert (again.state, again.notices) == (decoded.state, [])
    assert encode(again.state, BOUNDS) == link


def _subset(options: list[str]) -> st.SearchStrategy[tuple[str, ...]]:
    return st.sets(st.sampled_from(options)).map(lambda s: tuple(o for o in options if o in s))


@st.composite
def valid_states(draw: st.DrawFn) -> ViewState:
    start, end = sorted(draw(st.lists(st.sampled_from(MONTHS), min_size=2, max_size=2)))
    # Control and format characters are not kept in a view's search text (see clean_query).
    text = st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cf", "Cs")), max_size=300)
    query = " ".join(draw(text).split())[:MAX_QUERY].strip()
    return ViewState(
        start=start,
        end=end,
        countries=draw(_subset(COUNTRIES)),
        categories=draw(_subset(CATEGORIES)),
        query=query,
        selected=draw(st.sampled_from([None, *sorted(BOUNDS.ids)])),
        undated=draw(st.booleans()),
    )


@settings(max_examples=1000, deadline=None)
@given(valid_states())
def test_valid_views_survive_the_link(state: ViewState) -> None:
    link = encode(state, BOUNDS)
    decoded = decode(link, BOUNDS)
    assert decoded.notices == []
    assert decoded.state == state
    assert encode(decoded.state, BOUNDS) == link
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in link.items())


# ---- control characters ----

CONTROLS = "".join(chr(c) for c in [*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0)])


class EngineIds(Container[str]):
    """Selectable ids as a database looks them up: PostgreSQL refuses text holding NUL."""

    def __init__(self, ids: set[str]) -> None:
        self.ids = ids

    def __contains__(self, item: object) -> bool:
        assert isinstance(item, str)
        if "\x00" in item:
            raise ValueError("text fields cannot contain NUL (0x00) bytes")
        return item in self.ids


@pytest.mark.parametrize("key", KNOWN_KEYS)
def test_control_characters_are_stripped_from_every_parameter_with_a_notice(key: str) -> None:
    bounds = Bounds("2013-09", "2024-07", EngineIds({"EV001"}))
    decoded = decode({key: f"{CONTROLS}x"}, bounds)
    assert any(f"'{key}'" in n and "control characters" in n for n in decoded.notices)
    for value in vars(decoded.state).values():
        for text in value if isinstance(value, tuple) else [value]:
            assert not any(c in CONTROLS for c in str(text)), (key, value)


@pytest.mark.parametrize(
    ("value", "selected"), [("\x00", None), ("EV001\x00", "EV001"), ("EV\x00\x1b001", "EV001")]
)
def test_a_nul_in_the_selection_never_reaches_the_store(value: str, selected: str | None) -> None:
    bounds = Bounds("2013-09", "2024-07", EngineIds({"EV001"}))
    decoded = decode({"sel": value}, bounds)
    assert decoded.state.selected == selected
    assert decoded.notices[0] == "Link parameter 'sel' had control characters; removed them."
