"""The map page: filters in the sidebar, the map with the selection panel, the timeline."""

import folium
import streamlit as st
from streamlit_folium import st_folium

from geo import assets, charts, query, ui
from geo.maps import base_map, clicked_id, data_layers
from geo.model import AREAS, Category
from geo.view import months_between

MAP_KEY = "atlas_map"
LAST_TOOLTIP = "_last_clicked_tooltip"

data = ui.bundle()
bounds = ui.bounds_of(data)
view = ui.current_view(bounds)

with st.sidebar:
    st.subheader("Filters")
    st.select_slider(
        "Months shown",
        options=months_between(bounds.first_month, bounds.last_month),
        key=ui.W_RANGE,
        help="Events whose dates overlap this range, and sites open at some time in it.",
    )
    st.multiselect(
        "Countries",
        list(AREAS),
        key=ui.W_COUNTRY,
        format_func=ui.country_label,
        placeholder="All countries",
    )
    st.multiselect(
        "Categories",
        [c.value for c in Category],
        key=ui.W_CAT,
        format_func=ui.category_label,
        placeholder="All categories",
    )
    st.text_input(
        "Search", key=ui.W_QUERY, max_chars=200, placeholder="title, place, actor or excerpt text"
    )
    st.checkbox("Include events with unknown dates", key=ui.W_UNDATED)
    if st.button("Reset view", icon=":material/restart_alt:"):
        ui.reset_view(bounds)
        st.rerun()

# A marker click arrives as the clicked marker's tooltip text, which ends in its id.
clicked = (st.session_state.get(MAP_KEY) or {}).get("last_object_clicked_tooltip")
if clicked != st.session_state.get(LAST_TOOLTIP):
    st.session_state[LAST_TOOLTIP] = clicked
    if clicked_id(clicked) in bounds.ids:
        view = view.with_selected(clicked_id(clicked))

view = ui.view_from_widgets(view)
filtered = query.apply(data, view)
ui.commit_view(view, bounds)

st.title("China in Central Asia: event atlas")
st.markdown(ui.summary_line(view, len(filtered.events), len(filtered.sites)))
ui.show_notices()
ui.show_data_problems(data)
links = assets.links()
if not links.local:
    st.warning(
        "Map scripts are not installed locally (run `make assets`): loading them from "
        "public CDNs, so the map needs internet access."
    )

map_column, panel_column = st.columns([0.64, 0.36], gap="medium")
with map_column:
    st_folium(
        base_map(ui.borders(), links),
        key=MAP_KEY,
        height=560,
        use_container_width=True,
        feature_group_to_add=data_layers(filtered, data.sources, links, view.selected),
        layer_control=folium.LayerControl(collapsed=True, position="topright"),
        returned_objects=["last_object_clicked_tooltip"],
    )
with panel_column:
    selection = query.selection(data, view.selected)
    if selection is None:
        st.markdown("#### Excerpts")
        st.caption(
            "Click a marker to read the article excerpts and citations behind it. "
            "Clusters open into their markers when clicked."
        )
    else:
        key = "event_id" if selection.kind == "event" else "site_id"
        frame = filtered.events if selection.kind == "event" else filtered.sites
        ui.selection_panel(selection, in_view=bool((frame[key] == view.selected).any()))
        if st.button("Clear selection", icon=":material/close:"):
            ui.commit_view(view.with_selected(None), bounds)
            st.rerun()

st.plotly_chart(
    charts.events_per_month(filtered.events, view),
    key="monthly_chart",
    config={"displaylogo": False},
)
