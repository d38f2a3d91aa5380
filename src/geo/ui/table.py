"""The table of the items in view, under the map and the charts: sortable, one row per event
and site; clicking a row selects the item on the map, and the table's own download button
saves exactly its rows as CSV."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geo import render
from geo.ui import state, viewcache
from geo.ui.state import PageView

# Past this many events in view the table lists the first ones by date.
MOST_ROWS = 2_000


def items_table(page: PageView, *, on_map: bool = True) -> None:
    """The table; ``on_map`` False (the Charts page) adds a link to the selected item's panel
    on the map."""
    result = page.result
    assert result is not None
    filtered = result.filtered

    def rows() -> tuple[pd.DataFrame, int, int]:
        events, total = filtered.first_events(MOST_ROWS)
        sources = render.source_index(page.data.sources.to_dict("records"))
        items = render.item_table(
            events.to_dict("records"), filtered.sites.to_dict("records"), sources
        )
        frame = pd.DataFrame(items, columns=list(render.TABLE_COLUMNS))
        return frame, total, len(events)

    # The same for every session on the view's filters (computed once: viewcache).
    frame, total, listed = viewcache.table(result, rows)
    state.remember_table_rows(list(frame["Id"]))
    count = total + len(filtered.sites)
    st.subheader(f"Items in view ({count:,})")
    if not count:
        st.caption("Nothing in view: widen the filters to list events and sites here.")
        return
    st.dataframe(
        frame,
        key=state.table_key(),
        on_select="rerun",
        selection_mode="single-row",
        hide_index=True,
        width="stretch",
        column_config={
            "Title": st.column_config.TextColumn("Title", width="large"),
            "Source": st.column_config.TextColumn("Source", width="medium"),
        },
    )
    more = (
        f" The first {MOST_ROWS:,} events by date are listed; narrow the view to see the rest."
        if total > listed
        else ""
    )
    st.caption(
        "Click a row to select the item on the map; sort by any column. The table's download "
        f"button (top right, on hover) saves exactly these rows as CSV.{more}"
    )
