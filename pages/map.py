"""The map page: filters in the sidebar, the map with the excerpt panel, playback, charts."""

import folium
import streamlit as st
from streamlit_folium import st_folium

from geo import footprints, query, scale, ui, ui_db, ui_export, ui_sites
from geo.maps import base_map
from geo.regions import choropleth_geojson
from geo.store import store_for

ui.entry_guard()

CHARTS = ("month", "category", "actor")

data = ui.bundle()
bounds = ui.bounds_of(data)
view = ui.current_view(bounds)
view = ui.apply_map_events(view, bounds)  # before the widgets: a region click sets one
view = ui.apply_chart_selections(view, CHARTS + ui_sites.SITE_CHARTS)
ui.sidebar_filters(view, bounds)
view = ui.view_from_widgets(view)

st.title("China in Central Asia: event atlas")
view = ui.playback_controls(view, bounds)
filtered = query.apply(data, view)
ui.commit_view(view, bounds)

st.markdown(ui.summary_line(view, filtered.event_count, len(filtered.sites)))
ui.show_notices()
ui.show_data_problems(data)
if ui.editing_enabled():
    ui_db.show_curated_note(ui.folder_bundle())
ui.picks_bar(view, bounds)
links = ui.asset_links()
if not links.local:
    st.warning(
        "Map scripts are not installed locally (run `make assets`): loading them from "
        "public CDNs, so the map needs internet access."
    )

map_column, panel_column = st.columns([0.66, 0.34], gap="medium")
with map_column:
    center, zoom = ui.map_viewport_args(view)
    regions = choropleth_geojson(ui.admin1(), filtered.region_counts())
    st_folium(
        base_map(ui.borders(), links),
        key=ui.MAP_KEY,
        height=600,
        use_container_width=True,
        # Markers up to query.THRESHOLD (exactly maps.data_layers), H3 hexagons past it.
        # Zoomed in (footprints.MIN_ZOOM), the projects' footprints as polygons too.
        feature_group_to_add=scale.layers(data, filtered, view, links, regions)
        + footprints.layers(store_for(data), filtered.sites, view),
        layer_control=folium.LayerControl(collapsed=True, position="topright"),
        center=center,
        zoom=zoom,
        returned_objects=["last_object_clicked_tooltip", "center", "zoom"],
    )
with panel_column:
    selection = query.selection(data, view.selected)
    if selection is not None:
        in_view = (
            filtered.shows_event(view.selected)
            if selection.kind == "event"
            else bool((filtered.sites["site_id"] == view.selected).any())
        )
        ui.selection_panel(selection, in_view=in_view)
        if st.button("Clear selection", icon=":material/close:"):
            ui.commit_view(view.with_selected(None), bounds)
            st.rerun()
    elif ui_sites.only_site_picks(view):
        ui_sites.picked_sites_panel(data, view, filtered.sites)
    elif view.picks:
        ui.picked_events_panel(data, filtered)
    elif not ui.cell_panel(data, view):
        st.markdown("#### Excerpts")
        st.caption(
            "Click a marker to read the article excerpts and citations behind it, or select "
            "bars in a chart below. Clusters open into their markers when clicked; a region "
            "filters to it."
        )
    ui_export.share_and_download(data, filtered, view, bounds)

ui.linked_charts(filtered, view, CHARTS)
ui_sites.site_charts(data, view)  # committed amounts, when projects with one are in view
ui.playback_ticker(view, bounds)
