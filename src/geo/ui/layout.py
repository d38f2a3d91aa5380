"""Page layout that holds from a phone to a desktop screen.

Streamlit lays columns side by side down to 640 px: the map and its excerpt panel then share
a small laptop's width, and the map shrinks to a strip. The map row therefore stacks below
desktop width (the panel goes under the map, which takes the width), the title and the page's
top margin shrink on phones so that the map starts high on the screen, and the controls sit in
wrapping rows rather than fixed columns that cut their labels off.

A multiselect keeps the room to type beside its chips whether or not it has the focus.
Streamlit widens that room when the multiselect takes the focus, which moves the typing field
onto a line of its own once chips fill the line; when a click elsewhere takes the focus away,
the multiselect shrinks by that line. The click's press is what takes the focus, so whatever
the shrinking moves (the controls under it; in a sidebar scrolled to its end, which the browser
then scrolls back by the lost height, the controls above it) leaves the pointer before the
release, and the click is lost.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

MAP_ROW = "atlas-map-row"
# Below this width (CSS pixels of the browser window) the excerpt panel goes under the map.
STACK_BELOW = 1200
# The room a multiselect keeps to type in beside its chips (Streamlit's own, when focused).
TYPING_ROOM = "3rem"

_CSS = f"""
<style>
[data-testid="stMultiSelect"] input,
[data-testid="stMultiSelect"] input:focus {{ min-width: {TYPING_ROOM}; }}
@media (max-width: {STACK_BELOW - 0.02}px) {{
  .st-key-{MAP_ROW} [data-testid="stHorizontalBlock"] {{ flex-direction: column; }}
  .st-key-{MAP_ROW} [data-testid="stColumn"] {{
    width: 100% !important; flex: 1 1 100% !important; min-width: 100% !important;
  }}
}}
@media (max-width: 640px) {{
  [data-testid="stMainBlockContainer"] {{ padding-top: 3.5rem; }}
  [data-testid="stMainBlockContainer"] h1 {{ font-size: 1.6rem; padding-top: 0; }}
}}
</style>
"""


def responsive_styles() -> None:
    """The layout's style rules, once per page run (a style-only block takes no space)."""
    st.html(_CSS)


def map_and_panel() -> Sequence[DeltaGenerator]:
    """The map column and the excerpt panel's column: side by side on a desktop screen, the
    panel under the map below :data:`STACK_BELOW` pixels."""
    with st.container(key=MAP_ROW):
        return st.columns([0.66, 0.34], gap="medium")
