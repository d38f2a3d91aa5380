"""The Sources page's pieces: the table of sources, the article chosen by the link's
``src`` parameter (kept in the link as the visitor changes it), and the article's text with
its excerpts highlighted."""

from __future__ import annotations

import streamlit as st

from geo import safe_html, sources
from geo.ui import data as loaders
from geo.ui.panels import citation
from geo.ui.state import PageView

SOURCE_KEY = "w_source"
LINK_NOTICE = "This link had problems; defaults were used instead:"


def sources_intro(page: PageView) -> None:
    table = sources.source_table(page.data)
    held = sources.held_sources(page.data)
    st.markdown(
        f"**{len(table)} sources** support the atlas's events and sites. The project holds "
        f"the text of **{len(held)}** of them; their **{int(table['excerpts'].sum())} "
        "excerpts** are highlighted below, each linking to what it supports on the map."
    )
    st.dataframe(
        table.drop(columns=["source_id"]),
        hide_index=True,
        width="stretch",
        column_order=[
            "title",
            "publisher",
            "published",
            "cited_by",
            "excerpts",
            "text_held",
            "author",
            "link",
        ],
        column_config={
            "title": st.column_config.TextColumn("Title", width="medium"),
            "publisher": "Publisher",
            "author": "Author",
            "published": "Published",
            "link": st.column_config.LinkColumn(
                "Link", display_text=r"https?://(?:www\.)?([^/?#]+)", help="Only http(s) links."
            ),
            "cited_by": st.column_config.NumberColumn("Events & sites", help="Items citing it"),
            "excerpts": st.column_config.NumberColumn("Excerpts", help="Quoted spans of its text"),
            "text_held": st.column_config.CheckboxColumn("Text held"),
        },
    )


def choose_article(page: PageView) -> str | None:
    """The held article to show: the link's on the first run, then the visitor's choice
    (written back to the link); None, with a note, when no article text can be shown."""
    if loaders.corpus_dir() is None:
        st.info(
            "No corpus folder is configured (set `GEO_CORPUS_DIR`, or `make run CORPUS=...`), "
            "so no article text can be shown here and excerpt offsets are not checked."
        )
        return None
    held = sources.held_sources(page.data)
    if not held:
        st.info("The corpus folder holds none of the sources' texts.")
        return None
    table = sources.source_table(page.data)
    if SOURCE_KEY not in st.session_state:
        choice, notices = sources.pick_source(
            st.query_params.get_all(sources.SOURCE_PARAM), held, list(table["source_id"])
        )
        st.session_state[SOURCE_KEY] = choice
        if notices:
            lines = "\n".join(f"- {safe_html.markdown(n)}" for n in notices)
            st.warning(f"**{LINK_NOTICE}**\n{lines}")
    titles = dict(zip(table["source_id"], table["title"], strict=True))
    source_id = st.selectbox(
        "Article",
        held,
        key=SOURCE_KEY,
        format_func=lambda sid: titles.get(sid, sid),
        help="Sources whose text the project holds.",
    )
    if st.query_params.get_all(sources.SOURCE_PARAM) != [source_id]:
        st.query_params[sources.SOURCE_PARAM] = source_id
    return str(source_id)


def article(page: PageView, source_id: str) -> None:
    """The article's citation, licence and text, its excerpts highlighted; the excerpts
    that could not be highlighted listed with their reasons."""
    data = page.data
    record = data.sources[data.sources["source_id"] == source_id].iloc[0]
    st.markdown(f"**Citation:** {citation(record)}")
    licence = safe_html.plain(record.get("licence", ""))
    if licence:
        st.caption(f"Licence and use: {safe_html.markdown(licence)}")
    shown = sources.highlight_article(
        data.corpus_texts[source_id],
        sources.source_spans(data, source_id),
        labels=sources.item_labels(data),
    )
    flagged = [
        *shown.flagged,
        *sources.rejected_spans(data, loaders.excerpt_rows(), source_id),
    ]
    if flagged:
        st.warning(
            f"**{len(flagged)} excerpt(s) of this article are not highlighted**: their "
            "offsets do not match the text, or the row was rejected.\n"
            + sources.flagged_markdown(flagged)
        )
    count = len(shown.shown)
    if count:
        st.caption(
            f"{count} excerpt(s) highlighted. Hover over one to see what it supports; click it "
            "to open that event or site on the map."
        )
    else:
        st.caption("No excerpt of this article is highlighted.")
    with st.container(border=True):
        if data.corpus_texts[source_id].strip():
            st.html(shown.html)
        else:
            st.caption("The article's text file is empty.")
