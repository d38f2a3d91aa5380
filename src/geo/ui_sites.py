"""Streamlit pieces for imported sites: the committed-amount charts (linked like the event
charts, see :mod:`geo.funding`), the list of the projects a chart selection picks, and the
imported files' credits."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geo import funding, provenance, safe_html, ui
from geo.bundle import Bundle
from geo.maps import site_when
from geo.store import store_for
from geo.view import ViewState

# The site charts' names for ui.linked_chart / ui.apply_chart_selections.
SITE_CHARTS = ("site_year", "site_sector")


def projects_in_view(data: Bundle, view: ViewState) -> pd.DataFrame:
    """The BRI projects with an amount that the view's filters keep (before any chart
    selection, so a selection stays in its context)."""
    details = store_for(data).site_details(view, funding.DETAIL_COLUMNS)
    return funding.projects(details)


def site_charts(data: Bundle, view: ViewState, *, explain_empty: bool = False) -> None:
    """Committed amount by year and by sector, side by side; nothing (or a note, with
    ``explain_empty``) when no project with an amount is in view."""
    found = projects_in_view(data, view)
    if found.empty:
        if explain_empty:
            st.caption(
                "No Belt and Road project with a committed amount in view: amounts come with "
                "imported AidData GCDF files (`geo import aiddata FILE`, or the Import page)."
            )
        return
    left, right = st.columns(2)
    with left:
        ui.linked_chart(funding.amount_by_year(found), SITE_CHARTS[0])
    with right:
        ui.linked_chart(funding.amount_by_sector(found), SITE_CHARTS[1])


def only_site_picks(view: ViewState) -> bool:
    return bool(view.picks) and all(funding.is_site_pick(k) for k in view.picks)


def picked_sites_panel(data: Bundle, view: ViewState, sites: pd.DataFrame, limit: int = 40) -> None:
    """The projects a site chart selection picks, each with its amount and sector."""
    st.markdown(f"#### Selected projects ({len(sites)})")
    details = store_for(data).site_details(view, funding.DETAIL_COLUMNS).set_index("site_id")
    for _, site in sites.head(limit).iterrows():
        extra = details.loc[site["site_id"]] if site["site_id"] in details.index else None
        facts = provenance.site_facts(extra.to_dict()) if extra is not None else []
        shown = [f"{label}: {value}" for label, value in facts[:3]]
        with st.container(border=True):
            st.markdown(
                f"**{safe_html.markdown(site['name'], max_len=200)}**  \n"
                f"{safe_html.markdown(site_when(site))} · "
                f"{safe_html.markdown(site['country'])} · "
                f"{safe_html.markdown(site['site_id'])}"
            )
            if shown:
                st.caption(safe_html.markdown(" · ".join(shown)))
    if len(sites) > limit:
        st.caption(f"… and {len(sites) - limit} more; narrow the selection to see them.")


def import_credits(data: Bundle) -> None:
    """The imported files with their provenance and licence (nothing when none)."""
    found = provenance.credits(store_for(data).imports())
    if not found:
        return
    st.markdown(
        "\n".join(
            f"- **{safe_html.markdown(c.file)}**: {safe_html.markdown(c.words())}" for c in found
        )
    )
