"""Entry point: page configuration, the optional sign-in and database check, and the
navigation over the pages in pages/."""

import streamlit as st

from geo import ui

ui.configure_page()
pages = [
    st.Page("pages/map.py", title="Map", icon=":material/map:", default=True),
    st.Page("pages/charts.py", title="Charts", icon=":material/bar_chart:", url_path="charts"),
    st.Page("pages/sources.py", title="Sources", icon=":material/article:", url_path="sources"),
    st.Page("pages/about.py", title="About the data", icon=":material/info:", url_path="about"),
]
if ui.editing_enabled():  # GEO_READ_ONLY=1 offers no page that writes
    pages += [
        st.Page(
            "pages/ingest.py", title="Ingest", icon=":material/upload_file:", url_path="ingest"
        ),
        st.Page("pages/import.py", title="Import", icon=":material/database:", url_path="import"),
    ]
if not ui.gate():  # sign-in required and not signed in, or the shared database unreachable
    # The pages are named but neither listed nor run: without a navigation Streamlit would
    # list the files in pages/ beside the notice, Import and Ingest among them.
    st.navigation(pages, position="hidden")
    st.stop()
ui.run_pages(st.navigation(pages))
