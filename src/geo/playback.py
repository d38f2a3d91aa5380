"""Playback: stepping the view's month range through time, as a moving window or
cumulatively from the first month. Pure functions of the ViewState."""

from __future__ import annotations

from dataclasses import replace

from geo.view import Bounds, ViewState, month_index, month_of


def first_frame(state: ViewState, bounds: Bounds) -> ViewState:
    """Where playback starts: the first window (or first month) of the data."""
    first = month_index(bounds.first_month)
    last = month_index(bounds.last_month)
    end = first if state.play_mode == "cumulative" else min(first + state.window - 1, last)
    return replace(state, start=month_of(first), end=month_of(end))


def at_end(state: ViewState, bounds: Bounds) -> bool:
    return month_index(state.end) >= month_index(bounds.last_month)


def next_frame(state: ViewState, bounds: Bounds) -> ViewState:
    """One month on: the window slides (or the cumulative range grows) by a month."""
    first = month_index(bounds.first_month)
    end = min(month_index(state.end) + 1, month_index(bounds.last_month))
    start = first if state.play_mode == "cumulative" else max(first, end - state.window + 1)
    return replace(state, start=month_of(start), end=month_of(end))
