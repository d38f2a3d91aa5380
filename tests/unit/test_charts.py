"""The events-per-month chart: every dated event in view counted once, by country.

The chart draws the store's counts; each test holds them to the pandas oracle's count of the
view's rows, and both to the counts worked out here."""

from __future__ import annotations

import pandas as pd
import pytest

from geo import charts
from geo.store import store_for
from geo.view import ViewState, months_between
from tests import oracles


def table_for(bundle, state: ViewState):
    """The view's events, and the store's counts of them per month (the same as the
    oracle's)."""
    events = oracles.filter_events(bundle.events, state)
    table, undated = store_for(bundle).monthly_counts(state)
    pd.testing.assert_frame_equal(table, oracles.monthly_counts(events, state), check_names=False)
    assert undated == int(events["start"].isna().sum())
    return events, table


def month_chart(bundle, state: ViewState):
    """The chart as the app draws it (the store's counts), the same as the oracle's."""
    figure = charts.month_figure(*store_for(bundle).monthly_counts(state))
    events = oracles.filter_events(bundle.events, state)
    assert figure.to_plotly_json() == oracles.events_per_month(events, state).to_plotly_json()
    return figure


@pytest.mark.parametrize(
    "state",
    [
        ViewState("2013-09", "2024-07"),
        ViewState("2019-01", "2020-12", countries=("KGZ",)),
        ViewState("2021-03", "2021-03"),
        ViewState("2016-01", "2016-12", categories=("protest",)),
        ViewState("2013-09", "2024-07", query="twenty-two", undated=False),
    ],
)
def test_counts_cover_every_month_and_sum_to_the_dated_events(bundled, state) -> None:
    events, table = table_for(bundled, state)
    assert table.index.tolist() == months_between(state.start, state.end)
    assert table.columns.tolist() == ["KAZ", "KGZ", "CHN"]
    assert int(table.to_numpy().sum()) == int(events["start"].notna().sum())
    for iso in table.columns:
        dated = events[(events["iso"] == iso) & events["start"].notna()]
        assert int(table[iso].sum()) == len(dated), iso


def test_counts_land_in_the_right_month_and_country(bundled) -> None:
    _, table = table_for(bundled, ViewState("2013-09", "2024-07"))
    assert table.loc["2021-03", "KAZ"] == 6  # EV025-EV029 on the 27th, EV040 on the 12th
    assert table.loc["2021-03"].sum() == 6
    assert table.loc["2019-09", "KAZ"] == 10  # EV011-EV020
    assert table.loc["2020-01"].tolist() == [1, 1, 0]  # EV035 (KAZ), EV066 (KGZ), by month
    assert table.loc["2017-09", "CHN"] == 1  # EV053
    assert table.loc["2013-09", "KAZ"] == 1  # EV055, the first event
    assert table.loc["2024-07"].sum() == 0  # the span runs on to PL003's opening
    assert table["CHN"].sum() == 2  # EV054 is undated


def test_an_event_running_into_the_range_is_counted_once(bundled) -> None:
    """EV050 (9 July to 1 August 2018) is on the map for August-December 2018, so the
    chart of that view must count it too: a chart and a map of one view agree."""
    state = ViewState("2018-08", "2018-12", undated=False)
    events, table = table_for(bundled, state)
    assert "EV050" in set(events["event_id"])
    assert int(table.to_numpy().sum()) == len(events)


def test_the_figure_stacks_one_bar_trace_per_country(bundled) -> None:
    state = ViewState("2019-01", "2021-12")
    events = oracles.filter_events(bundled.events, state)
    figure = month_chart(bundled, state)
    assert [t.type for t in figure.data] == ["bar", "bar", "bar"]
    assert [t.name for t in figure.data] == ["Kazakhstan", "Kyrgyzstan", "Xinjiang (China)"]
    assert figure.layout.barmode == "stack"
    months = months_between(state.start, state.end)
    for trace in figure.data:
        assert list(trace.x) == [f"{m}-01" for m in months]
    total = sum(sum(t.y) for t in figure.data)
    assert total == int(events["start"].notna().sum())
    assert "2 undated not shown" in figure.layout.title.text


def test_an_empty_view_gives_zeros_not_an_error(bundled) -> None:
    state = ViewState("2014-01", "2014-03", query="no such words anywhere")
    events = oracles.filter_events(bundled.events, state)
    assert events.empty
    _, table = table_for(bundled, state)
    assert table.index.tolist() == ["2014-01", "2014-02", "2014-03"]
    assert int(table.to_numpy().sum()) == 0
    figure = month_chart(bundled, state)
    assert [list(t.y) for t in figure.data] == [[0, 0, 0]] * 3
    assert "undated" not in figure.layout.title.text
