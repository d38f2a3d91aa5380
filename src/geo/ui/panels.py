"""The panels beside and under the map: the link's problems, the data's problems, the
selected item with its excerpts and citations, the events or projects a chart selection
picks, and the events of a clicked hexagon."""

from __future__ import annotations

from typing import cast

import pandas as pd
import streamlit as st

from geo import render, safe_html
from geo.bundle import Bundle
from geo.funding import is_site_pick
from geo.picks import describe_picks
from geo.query import Filtered, Selection, ViewResult
from geo.ui import projects, state
from geo.ui.data import STALE_DATA, editing_enabled
from geo.ui.state import PageView


def show_notices() -> None:
    """What was wrong with the link, with a control that dismisses it."""
    notices = state.notices()
    if not notices:
        return
    lines = "\n".join(f"- {safe_html.markdown(n)}" for n in notices[:12])
    more = f"\n- … and {len(notices) - 12} more" if len(notices) > 12 else ""
    text, button = st.columns([0.88, 0.12], vertical_alignment="center")
    text.warning(f"**This link had problems; defaults were used instead:**\n{lines}{more}")
    if button.button("Dismiss", key="dismiss_notices"):
        state.dismiss_notices()
        st.rerun()


def show_data_problems(data: Bundle) -> None:
    """A visible notice when rows were rejected or flagged, with each problem listed."""
    if not data.problems:
        return
    files, warnings = len(data.file_errors), len(data.warnings)
    rows = len(data.errors) - files
    unreadable = f", {files} file(s) unreadable" if files else ""
    label = (
        f"{rows} data row(s) rejected{unreadable} and {warnings} warning(s): "
        "the good rows are shown. Details"
    )
    with st.expander(label, expanded=False):
        frame = pd.DataFrame(
            [
                {
                    "file": p.file,
                    "line": p.line,
                    "id": p.record_id,
                    "field": p.field,
                    "severity": p.severity,
                    "reason": p.reason,
                }
                for p in data.problems
            ]
        )
        st.dataframe(frame, hide_index=True, width="stretch")
    for problem in data.file_errors:
        st.error(f"**{safe_html.markdown(problem.file)}**: {safe_html.markdown(problem.reason)}")
    for problem in data.problems:
        if problem.file == STALE_DATA:
            st.warning(f"Data files unreadable: {safe_html.markdown(problem.reason)}.")
    if rows:
        st.error(
            f"{rows} row(s) in the data files could not be loaded; "
            "they are listed under 'Details' above."
        )


def editors_data_notice(page: PageView) -> None:
    """Above the map, for editors only: rows rejected or files unreadable, with the details.
    Warnings, and every problem for readers, are on the About page."""
    if editing_enabled() and page.data.errors:
        show_data_problems(page.data)


def selection_panel(sel: Selection, in_view: bool) -> None:
    """The panel beside the map: the selected item, its excerpts and their citations."""
    excerpts = sel.excerpts.to_dict("records")
    facts = render.item_facts(
        sel.record, sel.kind, excerpts, render.source_index([sel.source, *excerpts])
    )
    panel = render.panel_markdown(facts)
    st.markdown(panel.heading)
    st.caption(panel.caption)
    st.markdown(panel.facts)
    if not in_view:
        st.info(render.NOT_IN_VIEW)
    st.markdown(panel.excerpts_heading)
    for excerpt in panel.excerpts:
        with st.container(border=True):
            st.markdown(excerpt.quote)
            st.caption(excerpt.caption)
    if panel.no_excerpt:
        st.caption(panel.no_excerpt)
    if panel.source:
        st.markdown(panel.source)
    if panel.notes:
        with st.expander("Notes on sourcing", expanded=panel.notes_expanded):
            st.markdown(panel.notes)


def citation(source: pd.Series) -> str:
    """A source's citation as escaped Markdown, linked when its address is safe."""
    return render.citation_markdown(render.citation(source))


def picks_bar(page: PageView) -> None:
    """What the chart selection is, with a control that clears it."""
    view, bounds = page.view, page.bounds
    if not view.picks:
        return
    words = describe_picks(view.picks)
    cols = st.columns([0.8, 0.2], vertical_alignment="center")
    hidden = (
        "Events are hidden while projects are selected."
        if all(is_site_pick(k) for k in view.picks)
        else "Sites are hidden while a chart selection is active."
    )
    cols[0].info(f"Chart selection: {safe_html.markdown(words)}. {hidden}")
    if cols[1].button("Clear chart selection", icon=":material/deselect:"):
        state.commit_view(state.clear_picks(view), bounds)
        st.rerun()


def picked_events_panel(data: Bundle, filtered: Filtered, limit: int = 40) -> None:
    """The selected events, each with the excerpts (or the source) behind it."""
    events, total = filtered.first_events(limit)
    st.markdown(f"#### Selected events ({total:,})")
    excerpts = data.excerpts.set_index("excerpt_id")
    sources = data.sources.set_index("source_id")
    for _, event in events.iterrows():
        with st.container(border=True):
            when, where = render.event_when(event), render.place_words(event)
            st.markdown(
                f"**{safe_html.markdown(event['title'])}**  \n"
                f"{safe_html.markdown(when)} · {safe_html.markdown(where)}"
            )
            ids = [x for x in str(event["excerpt_ids"]).split(";") if x in excerpts.index]
            for xid in ids:
                excerpt = cast(pd.Series, excerpts.loc[xid])  # excerpt ids are unique: one row
                st.markdown(f"> {safe_html.markdown(excerpt['text'])}")
                if excerpt["source_id"] in sources.index:
                    st.caption(citation(sources.loc[excerpt["source_id"]]))
            if not ids and event["source_id"] in sources.index:
                st.caption(f"No excerpt held; source: {citation(sources.loc[event['source_id']])}")
    if total > limit:
        st.caption(f"… and {total - limit:,} more; narrow the selection to see them.")


def cell_panel(result: ViewResult) -> bool:
    """The events of the last clicked hexagon, a page at a time; False when none is open."""
    opened = state.open_cell()
    if opened is None:
        return False
    found = result.cell_page(*opened)
    st.markdown(f"#### Events in this hexagon ({found.total})")
    table = found.events[["event_id", "event_date", "title", "location"]].copy()
    table["title"] = table["title"].map(lambda t: safe_html.plain(t)[:120])
    st.dataframe(table, hide_index=True, width="stretch")
    left, middle, right = st.columns([0.3, 0.4, 0.3], vertical_alignment="center")
    if left.button("Previous", disabled=found.page == 0, key="cell_prev"):
        state.show_cell_page(found.page - 1)
        st.rerun()
    middle.caption(f"page {found.page + 1} of {found.pages}")
    if right.button("Next", disabled=found.page + 1 >= found.pages, key="cell_next"):
        state.show_cell_page(found.page + 1)
        st.rerun()
    if st.button("Close the hexagon list", icon=":material/close:", key="cell_close"):
        state.show_cell_page(None)
        st.rerun()
    return True


def side_panel(page: PageView) -> None:
    """Beside the map: the selected item; else what a chart selection picks; else the open
    hexagon's events; else how to get any of them."""
    view, result = page.view, page.result
    assert result is not None
    selection = result.selection()
    if selection is not None:
        selection_panel(selection, in_view=result.shows(view.selected or ""))
        if st.button("Clear selection", icon=":material/close:"):
            state.commit_view(view.with_selected(None), page.bounds)
            st.rerun()
    elif projects.only_site_picks(view):
        projects.picked_sites_panel(result)
    elif view.picks:
        picked_events_panel(page.data, result.filtered)
    elif not cell_panel(result):
        st.markdown("#### Excerpts")
        st.caption(
            "Click a marker to read the article excerpts and citations behind it, or select "
            "bars in a chart below. Clusters open into their markers when clicked; a region "
            "offers a filter to it."
        )


def picked_panel(page: PageView) -> None:
    """Under the charts: what a chart selection picks, events or projects."""
    assert page.result is not None
    if projects.only_site_picks(page.view):
        projects.picked_sites_panel(page.result)
    elif page.view.picks:
        picked_events_panel(page.data, page.result.filtered)


def summary(page: PageView) -> None:
    """The view in one line: counts, period, countries, categories, regions, search; when
    nothing matches, what to change to see something."""
    assert page.result is not None
    filtered = page.result.filtered
    st.markdown(render.summary_markdown(page.view, filtered.event_count, len(filtered.sites)))
    if filtered.count == 0:
        bounds = page.bounds
        st.info(
            render.nothing_matches_markdown(page.view, bounds.first_month, bounds.last_month),
            icon=":material/search_off:",
        )
