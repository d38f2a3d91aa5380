"""Import: upload an ACLED export, a CSV of events or sites (its columns picked for the
atlas's fields), a GeoJSON or AidData's GCDF projects into the app's store; see the rejects."""

import streamlit as st

from geo import ui

ui.auth.editors_only()  # not in the navigation for visitors; a forged run stops here
page = ui.page_data()

st.title("Import events and sites")
ui.imports.store_summary(page.data)
ui.imports.import_form(page.data)
ui.imports.show_result()
