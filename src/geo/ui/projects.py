"""Imported projects in the app: the committed-amount charts (linked like the event charts,
see :mod:`geo.funding`), the list of the projects a chart selection picks, and the imported
files' credits."""

from __future__ import annotations

import streamlit as st

from geo import funding, provenance, query, safe_html
from geo.bundle import Bundle
from geo.query import ViewResult
from geo.render import site_when
from geo.ui.linked import linked_chart
from geo.view import ViewState

# The site charts' names for the page's linked charts.
SITE_CHARTS = ("site_year", "site_sector")


def site_charts(result: ViewResult, *, explain_empty: bool = False) -> None:
    """Committed amount by year and by sector, side by side; nothing (or a note, with
    ``explain_empty``) when no project with an amount is in view."""
    found = result.projects()
    if found.empty:
        if explain_empty:
            st.caption(
                "No Belt and Road project with a committed amount in view: amounts come with "
                "imported AidData GCDF files (`geo import aiddata FILE`, or the Import page)."
            )
        return
    left, right = st.columns(2)
    with left:
        linked_chart(funding.amount_by_year(found), SITE_CHARTS[0], result.view.picks)
    with right:
        linked_chart(funding.amount_by_sector(found), SITE_CHARTS[1], result.view.picks)


def only_site_picks(view: ViewState) -> bool:
    return bool(view.picks) and all(funding.is_site_pick(k) for k in view.picks)


def picked_sites_panel(result: ViewResult, limit: int = 40) -> None:
    """The projects a site chart selection picks, each with its amount and sector."""
    sites = result.filtered.sites
    st.markdown(f"#### Selected projects ({len(sites)})")
    details = result.site_details().set_index("site_id")
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
    """The imported files with their provenance and licence, or a line saying there are
    none."""
    found = provenance.credits(query.imports(data))
    if not found:
        st.caption("No file has been imported into this atlas's store.")
        return
    st.markdown(
        "\n".join(
            f"- **{safe_html.markdown(c.file)}**: {safe_html.markdown(c.words())}" for c in found
        )
    )
