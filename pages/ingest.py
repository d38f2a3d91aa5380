"""Ingest: upload or paste articles, then review the candidate events they yield; accepted
candidates join the data with their excerpts and appear on the map."""

import streamlit as st

from geo import ui
from geo.ingest import ui as ingest_ui
from geo.ingest.reader import MAX_BYTES, SUFFIXES

ui.entry_guard()

st.title("Ingest articles")
st.caption(
    "Articles are read offline: dates, places (GeoNames and the project's alias table), "
    "categories and actors are found sentence by sentence, and every candidate keeps the "
    "sentence it rests on. Nothing joins the data until you accept it."
)

upload_tab, paste_tab = st.tabs(["Upload files", "Paste text"])
with upload_tab, st.form("ingest_upload", clear_on_submit=True, border=False):
    files = st.file_uploader(
        "Article files",
        type=[s.lstrip(".") for s in SUFFIXES],
        accept_multiple_files=True,
        max_upload_size=MAX_BYTES // 1_000_000,
        help="Text, Markdown or HTML, in UTF-8.",
    )
    published = st.date_input(
        "Publication date",
        value=None,
        key="published_upload",
        help="Used for dates such as 'On March 27' when the article has no date line.",
    )
    if st.form_submit_button("Extract candidates", icon=":material/upload_file:"):
        ingest_ui.ingest_uploads(files or [], published)
with paste_tab, st.form("ingest_paste", border=False):
    title = st.text_input("Title", key="paste_title")
    pasted_published = st.date_input("Publication date", value=None, key="published_paste")
    text = st.text_area("Article text", height=220, key="paste_text")
    if st.form_submit_button("Extract candidates from the text", icon=":material/content_paste:"):
        ingest_ui.ingest_text(text, title, pasted_published)

ingest_ui.last_reports()
st.divider()
ingest_ui.review_queue()
