"""What the map page draws after its map: the sidebar's filters, the linked charts and the
items table.

Plotly's and the data grid's scripts are large; loaded beside the map's frame they hold back
the map's own drawing by one to four seconds on a first visit. The filters' widgets are small
but many (some forty scripts): the browser fetches them over the same few connections as the
map's component, which then waits its turn. The map reports its position
once drawn, which reruns the page anyway: the first run of a visit therefore sends the map
alone, and that rerun draws the rest, so the visitor sees the map first and then the same
charts and table as before.

Nothing is held back where no map will report: in a session without a browser (AppTest),
when the map's scripts come from public CDNs (which may be out of reach), or when the map
has not reported within :data:`WAIT_S` seconds (its scripts failed): a timer then reruns
the page.
"""

from __future__ import annotations

import streamlit as st

from geo.ui import data as loaders
from geo.ui.keys import MAP_KEY

# How long the page waits for the map's first report before drawing the rest anyway.
WAIT_S = 12.0
_GAVE_UP = "_map_report_waited"
_TIMER_ARMED = "_map_report_timer"


def map_reported() -> bool:
    """Whether the map has reported its position since it was drawn on this page."""
    reported = st.session_state.get(MAP_KEY)
    return isinstance(reported, dict) and reported.get("center") is not None


def first_map_pending() -> bool:
    """Whether this run comes before the map's first report, in a browser that will send
    one: what is held back until then is drawn by the run that report starts."""
    return not (
        map_reported()
        or st.session_state.get(_GAVE_UP)
        or not st.context.headers  # no browser: nothing will draw the map
        or not loaders.asset_links().local
    )


def after_map() -> bool:
    """Whether this run draws what comes after the map; when not, a timer makes sure a
    later run will, should the map never report."""
    if not first_map_pending():
        return True

    @st.fragment(run_every=WAIT_S)
    def wait() -> None:
        # The fragment also runs inline in the full run that draws it, with the timer not
        # yet armed: only the timer's own run, WAIT_S later, gives up.
        if st.session_state.get(_TIMER_ARMED) and not map_reported():
            st.session_state[_GAVE_UP] = True
            st.rerun(scope="app")

    st.session_state[_TIMER_ARMED] = False
    wait()
    st.session_state[_TIMER_ARMED] = True
    return False
