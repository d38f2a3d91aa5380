"""The map on the map page: the static base drawn once, the view's layers sent as feature
groups (so a filter change does not remount it), and its clicks and viewport reported back
to :mod:`geo.ui.state`."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import folium
import streamlit as st
from streamlit_folium import st_folium

from geo import footprints, safe_html, scale
from geo.maps import base_map
from geo.regions import choropleth_geojson
from geo.ui import data as loaders
from geo.ui import keys, state, viewcache
from geo.ui.state import PageView


def missing_scripts_notice() -> None:
    """A warning when the map's scripts are not served by the app (so it needs internet)."""
    if not loaders.asset_links().local:
        st.warning(
            "Map scripts are not installed locally (run `geo assets`): loading them from "
            "public CDNs, so the map needs internet access."
        )


def atlas_map(page: PageView) -> None:
    result = page.result
    assert result is not None
    links = loaders.asset_links()
    selection = result.selection()
    selected_at = (
        (float(selection.record["latitude"]), float(selection.record["longitude"]))
        if selection is not None and selection.record.notna()[["latitude", "longitude"]].all()
        else None
    )
    center, zoom = state.map_viewport_args(page.view, selected_at)

    def build() -> list[Any]:
        regions = choropleth_geojson(
            loaders.admin1(), result.region_counts(), labels=loaders.region_labels()
        )
        return scale.layers(result, page.data.sources, links, regions) + footprints.layers(result)

    st_folium(
        base_map(loaders.borders(), links, loaders.place_labels()),
        key=keys.MAP_KEY,
        height=600,
        use_container_width=True,
        # Markers up to query.THRESHOLD (exactly maps.data_layers), H3 hexagons past it.
        # Zoomed in (footprints.MIN_ZOOM), the projects' footprints as polygons too.
        feature_group_to_add=viewcache.layers(
            result, (tuple(links.js), tuple(links.css), links.local), build
        ),
        layer_control=folium.LayerControl(collapsed=True, position="topright"),
        center=center,
        zoom=zoom,
        returned_objects=["last_object_clicked_tooltip", "center", "zoom"],
    )


def region_filter_bar(page: PageView) -> None:
    """The region filter in force (set from the map or the sidebar), with a control that
    removes it. Its container is there, empty, without one: an element appearing above
    the map would make Streamlit draw the map anew, losing its place."""
    bar = st.container()
    view = page.view
    if not view.regions:
        return
    labels = loaders.region_labels()
    names = ", ".join(labels.get(r, r) for r in view.regions)
    cols = bar.columns([0.75, 0.25], vertical_alignment="center")
    cols[0].info(f"Showing only {safe_html.markdown(names)}.", icon=":material/map:")
    # A callback runs before the next run's widgets are read, so it cannot lose a race
    # with a report from the map.
    cols[1].button(
        "Show all regions",
        icon=":material/close:",
        key="clear_regions",
        on_click=lambda: state.set_view(replace(view, regions=()), before_widgets=True),
    )
