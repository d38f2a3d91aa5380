"""Values set from code, held against the browser's older reports (geo.ui.held), run by run as
Streamlit calls the app: a widget's callback before its run, keep_held at the start of the
run's body, run_done at its end. Streamlit stops a run at its next element when a newer
report arrives, so a callback's run may end before its body has started."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import streamlit as st

from geo.ui import held
from geo.ui.keys import MAP_KEY, W_REGION

SHOWN = ["Mangghystau", "Qaraghandy"]
ADDED = [*SHOWN, "Aqtöbe"]
OPENED = {"center": {"lat": 46.0, "lng": 68.0}, "zoom": 5, "last_object_clicked_tooltip": None}
MOVED = {**OPENED, "center": {"lat": 46.0, "lng": 71.0}}


@pytest.fixture(autouse=True)
def session() -> Iterator[None]:
    """A session whose last run drew the region filter with two regions, on a map that has
    reported where it opened."""
    st.session_state.clear()
    report(regions=SHOWN, map_report=OPENED)
    held.keep_held()
    held.run_done()
    yield
    st.session_state.clear()


def report(regions: list[str], map_report: dict[str, object]) -> None:
    """The browser's report that starts a run: every widget as the browser shows it."""
    st.session_state[W_REGION] = list(regions)
    st.session_state[MAP_KEY] = dict(map_report)


def test_a_callbacks_value_holds_against_a_map_report_that_stopped_its_run() -> None:
    # A click on an offered region: its callback adds the region...
    report(regions=SHOWN, map_report=OPENED)
    held.set_widget(W_REGION, ADDED)
    # ...and the map's report of a move arrives before that run's body has started: the
    # run stops, and the next one starts from the map's report, which carries the filter
    # as the browser still shows it.
    report(regions=SHOWN, map_report=MOVED)
    held.keep_held()
    assert st.session_state[W_REGION] == ADDED
    held.run_done()
    # Once the browser shows the region, the held value goes.
    report(regions=ADDED, map_report=MOVED)
    held.keep_held()
    assert st.session_state[W_REGION] == ADDED
    assert not st.session_state[held._HELD]


def test_a_callbacks_value_holds_through_its_own_run() -> None:
    report(regions=SHOWN, map_report=OPENED)
    held.set_widget(W_REGION, ADDED)
    held.keep_held()  # the same run: its report is the one the callback answered
    assert st.session_state[W_REGION] == ADDED
    held.run_done()
    # The map's report, sent before the browser drew the run's answer, is older.
    report(regions=SHOWN, map_report=MOVED)
    held.keep_held()
    assert st.session_state[W_REGION] == ADDED


def test_the_visitors_own_change_wins_over_a_held_value() -> None:
    report(regions=SHOWN, map_report=OPENED)
    held.set_widget(W_REGION, ADDED)
    # The next report has the visitor removing a region themselves: theirs is kept.
    report(regions=["Mangghystau"], map_report=MOVED)
    held.keep_held()
    assert st.session_state[W_REGION] == ["Mangghystau"]
    held.run_done()
    report(regions=["Mangghystau"], map_report=MOVED)
    held.keep_held()
    assert st.session_state[W_REGION] == ["Mangghystau"]
