"""Ingest: upload or paste articles, then review the candidate events they yield; accepted
candidates join the data with their excerpts and appear on the map."""

import streamlit as st

from geo import ui

ui.auth.editors_only()  # not in the navigation for visitors; a forged run stops here
ui.page_data()

st.title("Ingest articles")
st.caption(
    "Articles are read offline: dates, places (GeoNames and the project's alias table), "
    "categories and actors are found sentence by sentence, and every candidate keeps the "
    "sentence it rests on. Nothing joins the data until you accept it."
)

upload_tab, paste_tab = st.tabs(["Upload files", "Paste text"])
with upload_tab:
    ui.ingest.upload_form()
with paste_tab:
    ui.ingest.paste_form()

ui.ingest.last_reports()
st.divider()
ui.ingest.review_queue()
