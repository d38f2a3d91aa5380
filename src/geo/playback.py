"""Playback: stepping the view's month range through time, as a moving window or
cumulatively, within the range the visitor chose. Pure functions of the ViewState.

A playback runs over a range of months (``first`` to ``last``: the view's range when Play
was pressed). Given the months that hold events (``busy``), it skips the empty stretches:
each step moves the frame's end to the next month with an event.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace

from geo.view import ViewState, month_index, month_of


def _next_busy(index: int, last: int, busy: Collection[str] | None) -> int:
    """The first month from ``index`` on that holds an event (``last`` when none does);
    ``index`` itself when empty months are not skipped."""
    if not busy:
        return min(index, last)
    wanted = {month_index(m) for m in busy}
    return next((i for i in range(index, last + 1) if i in wanted), last)


def first_frame(
    state: ViewState, first: str, last: str, busy: Collection[str] | None = None
) -> ViewState:
    """Where playback over ``first``..``last`` starts: the first window (or first month),
    ending at the first month with an event when ``busy`` is given."""
    start, stop = month_index(first), month_index(last)
    if state.play_mode == "cumulative":
        end = _next_busy(start, stop, busy)
        return replace(state, start=month_of(start), end=month_of(end))
    begin = _next_busy(start, stop, busy)
    end = min(begin + state.window - 1, stop)
    return replace(state, start=month_of(begin), end=month_of(end))


def at_end(state: ViewState, last: str) -> bool:
    return month_index(state.end) >= month_index(last)


def next_frame(
    state: ViewState, first: str, last: str, busy: Collection[str] | None = None
) -> ViewState:
    """One step on: the frame's end moves a month (to the next month with an event, when
    ``busy`` is given) and the window slides with it, or the cumulative range grows."""
    start, stop = month_index(first), month_index(last)
    end = _next_busy(month_index(state.end) + 1, stop, busy)
    begin = start if state.play_mode == "cumulative" else max(start, end - state.window + 1)
    return replace(state, start=month_of(begin), end=month_of(end))
