"""Sources: every source with its citation; each held article with its excerpts highlighted,
each highlight linking to the event it supports on the map."""

import streamlit as st

from geo import ui

page = ui.page_data()

st.title("Sources")
ui.articles.sources_intro(page)

st.subheader("Articles with their excerpts")
source_id = ui.articles.choose_article(page)
if source_id is not None:
    ui.articles.article(page, source_id)
