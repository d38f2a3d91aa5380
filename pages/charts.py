"""The charts page: the linked charts at full size; a selection filters the map too."""

import streamlit as st

from geo import query, ui, ui_export, ui_sites

ui.entry_guard()

CHARTS = ("month", "category", "actor", "figures")

data = ui.bundle()
bounds = ui.bounds_of(data)
view = ui.current_view(bounds)
view = ui.apply_chart_selections(view, CHARTS + ui_sites.SITE_CHARTS)
ui.sidebar_filters(view, bounds)
view = ui.view_from_widgets(view)
filtered = query.apply(data, view)
ui.commit_view(view, bounds)

st.title("Charts")
st.markdown(ui.summary_line(view, filtered.event_count, len(filtered.sites)))
st.caption(
    "Click a bar or point, or draw a box or lasso (toolbar), to select events (or, in the "
    "project charts, projects): the map and the list below follow. Participants and "
    "arrests show every figure the sources give; a bar spans their range where sources "
    "disagree."
)
ui.show_notices()
ui.picks_bar(view, bounds)
ui_export.share_and_download(data, filtered, view, bounds)

ui.linked_charts(filtered, view, CHARTS)
st.subheader("Belt and Road projects: committed amounts")
ui_sites.site_charts(data, view, explain_empty=True)

if ui_sites.only_site_picks(view):
    ui_sites.picked_sites_panel(data, view, filtered.sites)
elif view.picks:
    ui.picked_events_panel(data, filtered)
