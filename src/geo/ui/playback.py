"""Playback: Play steps through the view's own months (see :mod:`geo.playback`), at the
speed chosen, skipping months with no event unless asked not to; the map, counts and charts
follow and the map keeps its position."""

from __future__ import annotations

import time

import streamlit as st

from geo import safe_html
from geo.playback import at_end, first_frame, next_frame
from geo.ui import keys, state
from geo.ui.keys import PLAYING
from geo.ui.state import PageView
from geo.view import ViewState

_LAST_TICK = "_last_tick"
_RANGE = "_play_range"  # the months a playback runs over, and those with events
SPEEDS = {"Slow": 3.0, "Normal": 1.5, "Fast": 0.75}  # seconds a step
W_SPEED, W_SKIP = "play_speed", "play_skip"


def playback_controls(page: PageView) -> None:
    """Play/pause, mode, window, speed, and whether empty months are skipped (mode and
    window are read back into the view by :mod:`geo.ui.state`)."""
    view = page.view
    playing = bool(st.session_state.get(PLAYING))
    with st.container(
        horizontal=True, wrap=True, vertical_alignment="bottom", gap="medium", key="playback"
    ):
        if st.button(
            "Pause" if playing else "Play",
            icon=":material/pause:" if playing else ":material/play_arrow:",
            key="play_button",
            help="Step the timeline month by month; the map keeps its position.",
        ):
            if playing:
                st.session_state[PLAYING] = False
            else:
                _start(page)
            st.rerun()
        mode = st.segmented_control(
            "Playback",
            options=["window", "cumulative"],
            format_func=lambda m: "Moving window" if m == "window" else "Cumulative",
            key=keys.W_PLAY_MODE,
        )
        st.number_input(
            "Window (months)",
            min_value=1,
            max_value=120,
            key=keys.W_PLAY_WINDOW,
            disabled=mode == "cumulative",
            width=150,
        )
        st.segmented_control("Speed", list(SPEEDS), default="Normal", key=W_SPEED)
        st.toggle(
            "Skip months with no event",
            value=True,
            key=W_SKIP,
            help="Each step moves to the next month that holds an event.",
        )
        label = "Playing" if playing else "Showing"
        st.markdown(
            f"**{label}: {safe_html.markdown(view.start)} to {safe_html.markdown(view.end)}**",
            width="content",
        )


def _start(page: PageView) -> None:
    """Play over the view's own months, from the first (skipping empty ones if asked)."""
    assert page.result is not None
    view = page.view
    table, _ = page.result.month_counts()
    busy = (
        [str(m) for m, n in table.sum(axis=1).items() if n]
        if st.session_state.get(W_SKIP, True)
        else []
    )
    st.session_state[_RANGE] = (view.start, view.end, busy)
    st.session_state[PLAYING] = True
    st.session_state[_LAST_TICK] = time.monotonic()
    state.set_view(first_frame(view, view.start, view.end, busy))


def playback_ticker(page: PageView) -> None:
    """While playing, advance one month every PLAY_INTERVAL seconds (rerunning the page)."""
    if not st.session_state.get(PLAYING):
        return
    first, last, busy = st.session_state.get(_RANGE, (page.view.start, page.view.end, []))
    interval = SPEEDS.get(str(st.session_state.get(W_SPEED) or "Normal"), SPEEDS["Normal"])

    @st.fragment(run_every=interval)
    def tick() -> None:
        # The fragment also runs inline in every full run: only a timer run advances.
        now = time.monotonic()
        if now - st.session_state.get(_LAST_TICK, 0.0) < interval * 0.8:
            return
        st.session_state[_LAST_TICK] = now
        current: ViewState = st.session_state.get(state.VIEW_KEY, page.view)
        if at_end(current, last):
            st.session_state[PLAYING] = False
        else:
            state.set_view(next_frame(current, first, last, busy))
        st.rerun(scope="app")

    tick()
