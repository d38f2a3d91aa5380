"""What the data covers, how it was sourced and coded, and whom to credit."""

import streamlit as st

from geo import ui

page = ui.page_data()

st.title("About the data")
ui.about.coverage(page)
ui.database.show_curated_note(ui.folder_bundle())
st.subheader("How precision and confidence are coded")
ui.about.coding()
ui.about.working_notes(page)
ui.show_data_problems(page.data)
st.subheader("Credits")
ui.about.credits()
st.subheader("Imported files")
ui.about.import_terms()
ui.projects.import_credits(page.data)
st.subheader("Sources")
ui.about.source_list(page)
