"""Playback: Play steps the view's month range through time (see :mod:`geo.playback`); the
map, counts and charts follow and the map keeps its position."""

from __future__ import annotations

import time

import streamlit as st

from geo import safe_html
from geo.playback import at_end, first_frame, next_frame
from geo.ui import keys, state
from geo.ui.state import PageView
from geo.view import ViewState

PLAYING = "_playing"
_LAST_TICK = "_last_tick"
PLAY_INTERVAL = 1.5  # seconds per month


def playback_controls(page: PageView) -> None:
    """Play/pause, mode and window (read back into the view by :mod:`geo.ui.state`)."""
    view, bounds = page.view, page.bounds
    playing = bool(st.session_state.get(PLAYING))
    cols = st.columns([0.16, 0.34, 0.2, 0.3], vertical_alignment="bottom")
    with cols[0]:
        if st.button(
            "Pause" if playing else "Play",
            icon=":material/pause:" if playing else ":material/play_arrow:",
            key="play_button",
            help="Step the timeline month by month; the map keeps its position.",
        ):
            if playing:
                st.session_state[PLAYING] = False
            else:
                st.session_state[PLAYING] = True
                st.session_state[_LAST_TICK] = time.monotonic()
                state.set_view(first_frame(view, bounds))
            st.rerun()
    with cols[1]:
        mode = st.segmented_control(
            "Playback",
            options=["window", "cumulative"],
            format_func=lambda m: "Moving window" if m == "window" else "Cumulative",
            key=keys.W_PLAY_MODE,
        )
    with cols[2]:
        st.number_input(
            "Window (months)",
            min_value=1,
            max_value=120,
            key=keys.W_PLAY_WINDOW,
            disabled=mode == "cumulative",
        )
    with cols[3]:
        label = "Playing" if playing else "Showing"
        st.markdown(
            f"**{label}: {safe_html.markdown(view.start)} to {safe_html.markdown(view.end)}**"
        )


def playback_ticker(page: PageView) -> None:
    """While playing, advance one month every PLAY_INTERVAL seconds (rerunning the page)."""
    if not st.session_state.get(PLAYING):
        return
    bounds = page.bounds

    @st.fragment(run_every=PLAY_INTERVAL)
    def tick() -> None:
        # The fragment also runs inline in every full run: only a timer run advances.
        now = time.monotonic()
        if now - st.session_state.get(_LAST_TICK, 0.0) < PLAY_INTERVAL * 0.8:
            return
        st.session_state[_LAST_TICK] = now
        current: ViewState = st.session_state.get(state.VIEW_KEY, page.view)
        if at_end(current, bounds):
            st.session_state[PLAYING] = False
        else:
            state.set_view(next_frame(current, bounds))
        st.rerun(scope="app")

    tick()
