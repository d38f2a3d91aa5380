"""The map page: filters in the sidebar, the map with the excerpt panel, playback, charts."""

import streamlit as st

from geo import ui

CHARTS = ("month", "category", "actor")

page = ui.page_view(CHARTS + ui.projects.SITE_CHARTS, map_events=True)

st.title(ui.APP_TITLE)
ui.summary(page)
ui.show_notices()
ui.editors_data_notice(page)
if ui.editing_enabled():
    ui.database.show_curated_note(ui.folder_bundle())
ui.picks_bar(page)
ui.region_filter_bar(page)
ui.missing_scripts_notice()

# The map first; the panel beside it on a desktop screen, under it on smaller ones.
map_column, panel_column = ui.map_and_panel()
with map_column:
    ui.atlas_map(page)
    # The playback controls, the table and the charts once the map is drawn (its first
    # report reruns the page): their scripts would load beside the map's. Asked after the
    # map, so that nothing before it changes between the two runs.
    drawn = ui.after_map()
    if drawn:
        ui.playback_controls(page)
with panel_column:
    ui.side_panel(page)
    ui.share_and_download(page)

if drawn:
    ui.items_table(page)
    ui.linked_charts(page.result, CHARTS)
    ui.projects.site_charts(page.result)  # committed amounts, when projects with one are in view
ui.playback_ticker(page)
