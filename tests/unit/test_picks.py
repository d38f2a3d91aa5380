"""Pick keys for a box or a range of months: short to write, read as words, and picking
exactly the events of the months they span; the links written before still work."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hyp

from geo import charts, picks, query
from geo.view import Bounds, ViewState, decode, encode, months_between
from tests import oracles

SPAN = ("2013-09", "2024-07")
BOUNDS = Bounds(*SPAN)


def box(*points: tuple[str, int]) -> dict:
    """What st.plotly_chart keeps after a box drawn over month bars: each point's key and
    the count it shows (its customdata), and the box itself."""
    return {
        "selection": {
            "points": [
                {"customdata": [key, count], "point_index": i, "curve_number": 0}
                for i, (key, count) in enumerate(points)
            ],
            "point_indices": list(range(len(points))),
            "box": [{"x": ["2017-12-20", "2020-12-20"], "y": [0, 10], "xref": "x", "yref": "y"}],
            "lasso": [],
        }
    }


def test_a_month_is_a_span_of_one_and_a_span_needs_two_months_in_order() -> None:
    assert picks.month_span("2019-09") == ("2019-09", "2019-09")
    assert picks.month_span("2018-02..2020-11") == ("2018-02", "2020-11")
    bad_values = (
        "2020-11..2018-02",
        "2019-13",
        "2019-9",
        "2018-02..",
        "..2019-01",
        "2018-02...2019",
    )
    for bad in bad_values:
        assert picks.month_span(bad) is None, bad


def test_a_box_over_month_bars_becomes_one_span_per_country_with_events() -> None:
    value = box(
        ("month:2018-05+iso:KAZ", 1),
        ("month:2018-05+iso:KGZ", 0),  # an empty segment under the box
        ("month:2018-05+iso:CHN", 0),
        ("month:2019-09+iso:KAZ", 10),
        ("month:2019-09+iso:KGZ", 2),
        ("month:2020-08+iso:KAZ", 1),
        ("month:2020-08+iso:CHN", 0),
    )
    assert picks.pick_keys_from_selection(value) == (
        "month:2018-05..2020-08+iso:KAZ",
        "month:2018-05..2020-08+iso:KGZ",
    )
    # One month in the box stays the key it was.
    assert picks.pick_keys_from_selection(box(("month:2019-09+iso:KAZ", 10))) == (
        "month:2019-09+iso:KAZ",
    )


def test_clicked_bars_stay_the_bars_they_were_and_other_charts_keys_are_kept() -> None:
    value = box(("month:2018-05+iso:KAZ", 1), ("month:2019-09+iso:KAZ", 10))
    value["selection"]["box"] = []  # shift-clicks, no box
    assert picks.pick_keys_from_selection(value) == (
        "month:2018-05+iso:KAZ",
        "month:2019-09+iso:KAZ",
    )
    boxed = box(("category:protest", 40), ("category:policy", 8))
    assert picks.pick_keys_from_selection(boxed) == ("category:policy", "category:protest")


def test_a_span_covers_the_bars_of_its_months_and_countries_only() -> None:
    span = "month:2018-05..2020-08+iso:KAZ"
    assert picks.covers(span, "month:2018-05+iso:KAZ")
    assert picks.covers(span, "month:2020-08+iso:KAZ")
    assert not picks.covers(span, "month:2020-09+iso:KAZ")
    assert not picks.covers(span, "month:2019-09+iso:KGZ")
    assert not picks.covers(span, "category:protest")
    assert picks.covers("category:protest", "category:protest")
    assert picks.covers("month:2019-09", "month:2019-09+iso:KGZ")


def test_a_selection_reads_as_words() -> None:
    spans = ("month:2018-05..2020-08+iso:KAZ", "month:2018-05..2020-08+iso:KGZ")
    assert picks.describe_picks(spans) == "May 2018 – August 2020 · Kazakhstan and Kyrgyzstan"
    assert picks.describe_pick(spans[0]) == "May 2018 – August 2020 · Kazakhstan"
    assert picks.describe_picks(["month:2019-09+iso:KAZ"]) == "September 2019 · Kazakhstan"
    # Neighbouring months read as one span; other charts' keys follow.
    assert picks.describe_picks(
        ["month:2019-09+iso:KAZ", "month:2019-10+iso:KAZ", "category:protest"]
    ) == ("September 2019 – October 2019 · Kazakhstan; Protests")
    # A month of every country (a link may say just the month).
    assert picks.describe_picks(["month:2019-09"]) == "September 2019"
    assert picks.describe_picks(["month:2019-09", "month:2019-10+iso:KGZ"]) == (
        "October 2019 · Kyrgyzstan; September 2019"
    )


def old_box_link(bundle) -> list[str]:
    """The link a box over 2018-2020 wrote before: a key per month with events in view and
    country, empty segments included."""
    months = sorted({f"{d:%Y-%m}" for d in bundle.events["start"].dropna()})
    months = [m for m in months if "2018-01" <= m <= "2020-12"]
    return [f"month:{m}+iso:{iso}" for m in months for iso in ("KAZ", "KGZ", "CHN")]


def test_an_old_box_link_still_opens_and_now_reads_in_a_line(bundled) -> None:
    old = old_box_link(bundled)
    assert len(old) > 25
    decoded = decode({"pick": "|".join(old)}, BOUNDS)
    assert decoded.notices == []
    assert decoded.state.picks == tuple(sorted(old))
    words = picks.describe_picks(decoded.state.picks)
    assert len(words) < 120, words
    assert words.startswith(f"{len(old)} bars from ") and "Xinjiang" in words, words


def test_a_span_picks_the_events_of_the_months_it_spans(bundled) -> None:
    old = decode({"pick": "|".join(old_box_link(bundled))}, BOUNDS).state
    spans = picks.pick_keys_from_selection(box(*((k, 1) for k in old.picks)))
    compact = old.with_picks(spans)
    link = encode(compact, BOUNDS)["pick"]
    assert len(link) < 120 and "|".join(old.picks) != link
    expected = oracles.events_matching(bundled.events, old.picks, old.start)
    assert len(expected) > 20
    for state in (old, compact):
        shown = query.apply(bundled, state)
        assert set(shown.events["event_id"]) == set(expected["event_id"])
        pd.testing.assert_frame_equal(
            shown.events, oracles.events_matching(shown.unpicked, state.picks, state.start)
        )
    assert decode({"pick": link}, BOUNDS).state.picks == spans


@pytest.mark.parametrize(
    ("start", "span", "months"),
    [
        # A span holding the view's first month also picks what runs into the view.
        ("2018-08", "2018-08..2018-10", ["2018-08", "2018-09", "2018-10"]),
        ("2019-01", "2018-01..2019-02", ["2019-01", "2019-02"]),
        ("2019-01", "2017-01..2018-12", []),  # before the view: nothing
    ],
)
def test_a_span_at_the_views_start_counts_as_the_charts_do(
    bundled, start: str, span: str, months: list[str]
) -> None:
    state = ViewState(start, SPAN[1], picks=(f"month:{span}",))
    shown = query.apply(bundled, state)
    singles = state.with_picks(tuple(f"month:{m}" for m in months))
    expected = query.apply(bundled, singles).events if months else shown.events.iloc[0:0]
    assert list(shown.events["event_id"]) == list(expected["event_id"])
    assert list(shown.events["event_id"]) == list(
        oracles.events_matching(shown.unpicked, state.picks, start)["event_id"]
    )


def test_a_reversed_or_malformed_span_picks_nothing(bundled) -> None:
    for value in ("2020-08..2018-05", "2019-13..2020-01"):
        state = ViewState(*SPAN, picks=(f"month:{value}+iso:KAZ",))
        assert query.apply(bundled, state).event_count == 0


def test_the_month_chart_shows_a_span_selected_and_other_charts_as_they_are(bundled) -> None:
    state = ViewState("2018-01", "2020-12")
    table, undated = query.apply(bundled, state).month_counts()
    spans = ("month:2018-05..2020-08+iso:KAZ",)
    figure = charts.highlight(charts.month_figure(table, undated), spans)
    for trace in figure.data:
        wanted = [
            i
            for i, (key, _) in enumerate(trace.customdata)
            if key.endswith("iso:KAZ") and "2018-05" <= key[6:13] <= "2020-08"
        ]
        assert list(trace.selectedpoints) == wanted
    assert sum(len(t.selectedpoints) for t in figure.data) == len(
        months_between("2018-05", "2020-08")
    )
    categories = charts.category_figure({"protest": 3, "policy": 1}, state)
    assert all(t.selectedpoints is None for t in charts.highlight(categories, spans).data)
    assert all(t.selectedpoints is None for t in charts.highlight(categories, ()).data)


_MONTHS = months_between(*SPAN)
_facet = hyp.one_of(
    hyp.sampled_from(_MONTHS).map(lambda m: f"month:{m}"),
    hyp.tuples(hyp.sampled_from(_MONTHS), hyp.sampled_from(_MONTHS)).map(
        lambda ms: f"month:{min(ms)}{picks.SPAN}{max(ms)}"
    ),
    hyp.sampled_from(["iso:KAZ", "iso:KGZ", "iso:XJ", "iso:", "iso:&lt;b&gt;", "category:protest"]),
    hyp.sampled_from(["actor:Atajurt", "event:EV017", "region:Qaraghandy", "month:2019-13"]),
    hyp.text(max_size=12),
)
_keys = hyp.lists(hyp.lists(_facet, min_size=1, max_size=3).map("+".join), max_size=12)


@settings(max_examples=500, deadline=None)
@given(_keys)
def test_any_selection_a_link_can_hold_reads_as_words(keys: list[str]) -> None:
    decoded = decode({"pick": keys}, BOUNDS).state
    words = picks.describe_picks(decoded.picks)
    assert isinstance(words, str)
    assert bool(words) == bool(decoded.picks)
