"""The sidebar's filters. Their keys (:mod:`geo.ui.keys`) are seeded from the view by
:mod:`geo.ui.state`, which reads them back."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from geo import placenames
from geo.model import AREAS, Category
from geo.render import category_label, country_label
from geo.ui import keys
from geo.view import Bounds, ViewState, months_between


def sidebar_filters(view: ViewState, bounds: Bounds, on_reset: Callable[[], None]) -> None:
    with st.sidebar:
        st.subheader("Filters")
        st.select_slider(
            "Months shown",
            options=months_between(bounds.first_month, bounds.last_month),
            value=(view.start, view.end),
            key=keys.range_key(),
            help="Events whose dates overlap this range, and sites open at some time in it.",
        )
        st.multiselect(
            "Countries",
            list(AREAS),
            key=keys.W_COUNTRY,
            format_func=country_label,
            placeholder="All countries",
        )
        st.multiselect(
            "Categories",
            [c.value for c in Category],
            key=keys.W_CAT,
            format_func=category_label,
            placeholder="All categories",
        )
        st.multiselect(
            "Regions (admin-1)",
            list(bounds.regions),
            key=keys.W_REGION,
            format_func=placenames.region_label,
            placeholder="All regions",
            accept_new_options=True,
            help="Type any name of a region (Qaraghandy, Караганда облысы), or click a "
            "region on the map.",
        )
        st.text_input(
            "Search",
            key=keys.W_QUERY,
            max_chars=200,
            placeholder="title, place, actor or excerpt text",
        )
        st.checkbox("Include events with unknown dates", key=keys.W_UNDATED)
        if st.button("Reset view", icon=":material/restart_alt:"):
            on_reset()
            st.rerun()
