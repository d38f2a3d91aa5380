"""The session-state keys of the widgets that hold the view (seeded from it and read back
by :mod:`geo.ui.state`)."""

from __future__ import annotations

import streamlit as st

W_RANGE, W_COUNTRY, W_CAT, W_QUERY, W_UNDATED, W_REGION = (
    "w_range",
    "w_country",
    "w_cat",
    "w_query",
    "w_undated",
    "w_region",
)
W_PLAY_MODE, W_PLAY_WINDOW = "play_mode", "play_window"
# The widgets that hold the view's filters (the month range's key changes: see range_key).
FILTER_KEYS = (W_COUNTRY, W_CAT, W_QUERY, W_UNDATED, W_REGION, W_PLAY_MODE, W_PLAY_WINDOW)
# st_folium reports the map's clicks, centre and zoom in this entry.
MAP_KEY = "atlas_map"
RANGE_GENERATION = "_range_generation"
# True while playback steps through the months (the link follows once it stops).
PLAYING = "_playing"


def range_key() -> str:
    """The month slider's key. select_slider learns that it holds a range from its ``value``
    argument, not from session state, so it is given ``value`` and a new key whenever the
    view is set from code (which resets it to that value)."""
    return f"{W_RANGE}_{st.session_state.get(RANGE_GENERATION, 0)}"
