"""The sidebar's filters. Their keys (:mod:`geo.ui.keys`) are seeded from the view by
:mod:`geo.ui.state`, which reads them back."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from geo import placenames, safe_html
from geo.model import AREAS, Category
from geo.render import category_label, country_label
from geo.ui import data as loaders
from geo.ui import held, keys
from geo.view import Bounds, ViewState, months_between


def sidebar_filters(view: ViewState, bounds: Bounds, on_reset: Callable[[], None]) -> None:
    labels = loaders.region_labels()
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
        # Above the filter the name was typed into. A click on an offer takes the focus
        # from the filter: geo.ui.layout keeps the filter's height then, so that nothing in
        # the sidebar moves from under the pointer before the release.
        _offer_regions()
        st.multiselect(
            "Regions (admin-1)",
            list(bounds.regions),
            key=keys.W_REGION,
            format_func=lambda name: labels.get(name) or placenames.region_label(name),
            placeholder="All regions",
            accept_new_options=True,
            on_change=_take_typed_regions,
            args=(tuple(bounds.regions),),
            help="Type any name of a region, or its start, in any script (Qaraghandy, "
            "Карага, Aqtö) and press Enter, or click a region on the map and its “Filter to” "
            "button.",
        )
        st.text_input(
            "Search",
            key=keys.W_QUERY,
            max_chars=200,
            placeholder="title, place, actor or excerpt text",
        )
        st.checkbox("Include events with unknown dates", key=keys.W_UNDATED)
        if st.button("Reset view", icon=":material/restart_alt:"):
            st.session_state[_REGION_CHOICES] = None
            on_reset()
            st.rerun()


# The regions a name typed into the region filter could be, offered under it: (typed, keys).
_REGION_CHOICES = "_region_choices"


def _take_typed_regions(known: tuple[str, ...]) -> None:
    """Read what was typed into the region filter and entered: the region a name, or the
    start of one, names (in any script) takes its place; when it could be several regions
    they are offered under the filter instead. A name of no region stays, for the view to
    say so."""
    kept: list[str] = []
    offered: tuple[str, list[str]] | None = None
    for name in st.session_state.get(keys.W_REGION, []):
        if name in known:
            kept.append(name)
            continue
        matches = [r for r in placenames.regions_starting(name) if r in known]
        if len(matches) == 1:
            kept.append(matches[0])
        elif matches:
            offered = (str(name), matches)
        else:
            kept.append(name)
    held.set_widget(keys.W_REGION, list(dict.fromkeys(kept)))
    st.session_state[_REGION_CHOICES] = offered


def _add_region(region: str) -> None:
    chosen = list(st.session_state.get(keys.W_REGION, []))
    held.set_widget(keys.W_REGION, [*chosen, region] if region not in chosen else chosen)
    st.session_state[_REGION_CHOICES] = None


def _offer_regions() -> None:
    """The regions a typed name could be, each a button that adds it to the filter."""
    offered = st.session_state.get(_REGION_CHOICES)
    if not offered:
        return
    typed, regions = offered
    st.caption(f"“{safe_html.markdown(typed, max_len=60)}” could be any of these regions:")
    for region in regions:
        st.button(
            placenames.region_label(region),
            key=f"region_choice_{region}",
            on_click=_add_region,
            args=(region,),
            icon=":material/add:",
        )
