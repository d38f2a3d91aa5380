"""A view past the threshold is counted in the store, never read row by row, and shows what
the same view read as rows shows: the same counts, charts, chart selections and lists.

The bundled data is small, so these tests lower the threshold to make it "large"; the answers
are compared with the same view read as rows, and with the pandas oracles (tests/oracles.py)
on those rows, which the chart tests pin to the CSV.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pytest

from geo import query, scale
from geo.bundle import Bundle
from geo.store import close_all, store_for
from geo.view import ViewState
from tests import oracles

VIEWS = [
    ViewState("2013-09", "2024-07"),
    ViewState("2019-01", "2020-12", countries=("KGZ",)),
    ViewState("2016-01", "2016-12", categories=("protest",)),
    ViewState("2018-08", "2021-12", categories=("protest", "detention"), undated=False),
    ViewState("2013-09", "2024-07", query="china"),
]
CHARTS = ("month", "category", "actor", "figures")


@pytest.fixture(autouse=True)
def on_each_engine(
    engine: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """Every test runs on the embedded store and on the shared database (PostGIS)."""
    if engine == "postgis":
        monkeypatch.setenv("GEO_DATABASE_URL", request.getfixturevalue("database_url"))
    yield
    if engine == "postgis":
        close_all()


def bar_keys(result: query.ViewResult) -> list[str]:
    """Every pick key the month, category and actor charts offer for the view."""
    keys: list[str] = []
    for name in ("month", "category", "actor"):
        for trace in scale.chart(name, result).data:
            keys += [c[0] for c in trace.customdata]
    return keys


def as_large(monkeypatch: pytest.MonkeyPatch) -> None:
    """From here on the bundled data counts as large: past the threshold from 10 items on."""
    monkeypatch.setattr(query, "THRESHOLD", 10)


@pytest.mark.parametrize("view", VIEWS)
def test_every_bar_picks_in_sql_what_it_picks_in_rows(bundled: Bundle, view: ViewState) -> None:
    store = store_for(bundled)
    rows = query.apply(bundled, view)
    for key in bar_keys(query.view_result(bundled, view)):
        expected = oracles.events_matching(rows.events, [key], view.start)
        picked = view.with_picks((key,))
        assert store.count_events(picked) == len(expected), key
        assert list(store.events(picked)["event_id"]) == list(expected["event_id"]), key


def test_several_keys_pick_any_of_them_and_odd_keys_pick_nothing(bundled: Bundle) -> None:
    store = store_for(bundled)
    view = VIEWS[0]
    rows = query.apply(bundled, view).events
    keys = ("month:2019-09+iso:KAZ", "category:consulate", "actor:Atajurt Kazakh Human Rights")
    expected = oracles.events_matching(rows, keys, view.start)
    assert len(expected) > 3
    assert store.count_events(view.with_picks(keys)) == len(expected)
    for odd in ("nofacet:x", "month:2019-13", "month:1999-01", "category:x'; DROP TABLE events;--"):
        assert store.count_events(view.with_picks((odd,))) == 0, odd
    assert store.size() == len(bundled.events)  # nothing was dropped


@pytest.mark.parametrize(
    "view",
    [VIEWS[0], VIEWS[3], ViewState("2019-01", "2020-12", countries=("KAZ", "KGZ"))],
)
def test_past_the_threshold_nothing_is_read_and_everything_agrees(
    bundled: Bundle, view: ViewState, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = query.apply(bundled, view)
    assert not rows.lazy  # the row path, for comparison
    as_large(monkeypatch)
    counted = query.apply(bundled, view)
    assert counted.lazy and counted.charts_in_store
    assert counted.event_count == len(rows.events) == counted.count - len(counted.sites)
    assert counted.region_counts() == rows.region_counts()
    assert counted.region_counts() == oracles.region_counts(rows.events, rows.sites)
    assert counted.undated_count() == int(rows.events["start"].isna().sum())
    result = query.view_result(bundled, view)
    for name in CHARTS:
        assert (
            scale.chart(name, result).to_plotly_json()
            == oracles.chart_of(name, rows.events, view).to_plotly_json()
        ), name
    first, total = counted.first_events(5)
    expected = rows.events.sort_values(["start", "event_id"], na_position="last").head(5)
    assert total == len(rows.events)
    assert list(first["event_id"]) == list(expected["event_id"])
    some = str(rows.events["event_id"].iloc[0])
    assert counted.shows_event(some) and not counted.shows_event("NO-SUCH-ID")
    assert counted.lazy  # none of that read the events


def test_a_small_selection_of_a_large_view_is_drawn_as_markers(
    bundled: Bundle, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = query.apply(bundled, VIEWS[0]).events
    as_large(monkeypatch)
    view = VIEWS[0].with_picks(("month:2019-09+iso:KAZ",))
    filtered = query.apply(bundled, view)
    assert filtered.charts_in_store  # the charts still count the whole view in SQL
    expected = oracles.events_matching(whole, view.picks, view.start)
    assert 0 < len(expected) <= query.THRESHOLD
    assert filtered.count == filtered.event_count == len(expected)
    assert list(filtered.events["event_id"]) == list(expected["event_id"])
    assert filtered.sites.empty  # sites step aside during a chart selection
    month = scale.chart("month", query.view_result(bundled, view))
    assert month.to_plotly_json() == oracles.events_per_month(whole, VIEWS[0]).to_plotly_json()


def test_store_aggregates_are_remembered_per_filters_not_per_map_position(
    bundled: Bundle,
) -> None:
    store = store_for(bundled)
    calls: list[ViewState] = []

    def counting(view: ViewState) -> dict[str, int]:
        calls.append(view)
        return store.category_counts(view)

    view = ViewState("2015-01", "2019-12", countries=("KAZ",))
    first = query.aggregate(store, view, "test-categories", counting)
    moved = ViewState("2015-01", "2019-12", countries=("KAZ",), center=(40.0, 70.0), zoom=9)
    assert query.aggregate(store, moved, "test-categories", counting) == first
    assert len(calls) == 1
    query.aggregate(store, ViewState("2015-01", "2020-12"), "test-categories", counting)
    assert len(calls) == 2
    frame = pd.DataFrame(query.apply(bundled, view).events)
    assert sum(first.values()) == len(frame)


def test_one_aggregate_asked_twice_at_once_is_computed_once(bundled: Bundle) -> None:
    store = store_for(bundled)
    started, release = threading.Event(), threading.Event()
    calls: list[ViewState] = []

    def slow(view: ViewState) -> dict[str, int]:
        calls.append(view)
        started.set()
        release.wait(10)
        return store.category_counts(view)

    view = ViewState("2014-01", "2018-12", countries=("KGZ",))
    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(query.aggregate, store, view, "test-once", slow)
        assert started.wait(10)
        second = pool.submit(query.aggregate, store, view, "test-once", slow)
        release.set()
        assert first.result(10) == second.result(10) == store.category_counts(view)
    assert len(calls) == 1


def test_a_failed_aggregate_is_not_remembered(bundled: Bundle) -> None:
    store = store_for(bundled)
    view = ViewState("2014-01", "2018-12", countries=("KAZ",))

    def broken(_: ViewState) -> int:
        raise RuntimeError("the store went away")

    with pytest.raises(RuntimeError):
        query.aggregate(store, view, "test-fails", broken)
    assert query.aggregate(store, view, "test-fails", store.count_events) > 0
