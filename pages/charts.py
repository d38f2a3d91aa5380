"""The charts page: the linked charts at full size; a selection filters the map too."""

import streamlit as st

from geo import ui

CHARTS = ("month", "category", "actor", "figures")

page = ui.page_view(CHARTS + ui.projects.SITE_CHARTS)

st.title("Charts")
ui.summary(page)
st.caption(
    "Click a bar or point, or draw a box or lasso (toolbar), to select events (or, in the "
    "project charts, projects): the map and the list below follow. Participants and "
    "arrests show every figure the sources give; a bar spans their range where sources "
    "disagree."
)
ui.show_notices()
ui.picks_bar(page)
ui.share_and_download(page)

ui.linked_charts(page.result, CHARTS)
st.subheader("Belt and Road projects: committed amounts")
ui.projects.site_charts(page.result, explain_empty=True)
ui.picked_panel(page)
ui.items_table(page, on_map=False)
