"""Playback over the view's own months, skipping the empty ones when asked."""

from __future__ import annotations

from geo.playback import at_end, first_frame, next_frame
from geo.view import ViewState

BUSY = ["2016-04", "2016-05", "2016-11"]


def frames(state: ViewState, first: str, last: str, busy: list[str] | None) -> list[str]:
    shown = [first_frame(state, first, last, busy)]
    while not at_end(shown[-1], last):
        shown.append(next_frame(shown[-1], first, last, busy))
    return [f"{s.start}..{s.end}" for s in shown]


def test_a_window_plays_over_the_chosen_range_from_its_first_busy_month() -> None:
    view = ViewState("2016-01", "2016-12", window=3)
    assert frames(view, "2016-01", "2016-12", BUSY) == [
        "2016-04..2016-06",
        "2016-09..2016-11",
        "2016-10..2016-12",
    ]


def test_without_skipping_every_month_is_a_step() -> None:
    view = ViewState("2016-01", "2016-06", window=2)
    assert frames(view, "2016-01", "2016-06", None) == [
        "2016-01..2016-02",
        "2016-02..2016-03",
        "2016-03..2016-04",
        "2016-04..2016-05",
        "2016-05..2016-06",
    ]


def test_cumulative_grows_from_the_ranges_first_month() -> None:
    view = ViewState("2016-01", "2016-12", play_mode="cumulative")
    assert frames(view, "2016-01", "2016-12", BUSY) == [
        "2016-01..2016-04",
        "2016-01..2016-05",
        "2016-01..2016-11",
        "2016-01..2016-12",
    ]
