"""The About page's text: what the data covers, how it was sourced and coded, whom to
credit, and the terms of imported files."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geo import export, render, safe_html
from geo.model import GEO_PRECISION_WORDS
from geo.ui.state import PageView


def coverage(page: PageView) -> None:
    data = page.data
    first, last = data.month_span()
    st.markdown(
        f"""
The atlas holds **{len(data.events)} events** and **{len(data.sites)} sites** (consulates,
embassies, Belt and Road sites) in Kazakhstan, Kyrgyzstan and Xinjiang, dated from {first} to
{last}, drawn from **{len(data.sources)} sources**; **{len(data.excerpts)} excerpts** quote the
articles the project holds.

**{export.version_line(data)}**: the version is a digest of the data files (it changes with
any edit); the as-of date is the latest date any event or site in them mentions.

**How it was sourced.** Every event and site comes from a sourced fact table: each row names the
report it rests on (title, link, date) and how it was checked. The seed article, *Anti-China
Protests Held in Several Kazakhstani Cities* (Caspian Policy Center, April 2021), is quoted only
in short excerpts, each tied to the events it supports with its character offsets in the
article's text. Where sources disagree on a crowd or an arrest count, every figure is kept with
its source.
"""
    )


def coding() -> None:
    """How precision and confidence are coded."""
    st.markdown(
        "\n".join(f"- **{p.value}**: {words}" for p, words in GEO_PRECISION_WORDS.items())
        + """
- Dates carry their own precision: a day, a month ("January 2020, month known"), a year, or
  unknown. Undated events can be hidden with the sidebar's checkbox.
- **Confidence high**: at least two independent reports, or a wire service plus an official
  source. **Medium**: one reliable source, or an unresolved conflict in the details. **Low**: a
  single partisan or secondary source, or a claim nobody else confirms.
- Most points are city centres; no building-level coordinates were found for the embassies and
  consulates. Country-level items are drawn at the capital as hollow, dashed marks.
"""
    )


def credits() -> None:
    st.markdown(
        """
- Place names and coordinates: **GeoNames** (geonames.org), licensed CC BY 4.0, whose
  alternate names (Cyrillic, Chinese, Uyghur, Latin spellings) the search and the panels'
  "Also called" use; renamings with their dates and the regions' names are the atlas's own.
- Borders: **Made with Natural Earth** (naturalearthdata.com), public domain.
- Map software: Leaflet, Leaflet.markercluster, folium, streamlit-folium; online tiles, when
  chosen: © OpenStreetMap contributors; OpenTopoMap (CC-BY-SA).
- Seed article: Dante Schulz, *Anti-China Protests Held in Several Kazakhstani Cities*, Caspian
  Policy Center, 8 April 2021.
"""
    )


def import_terms() -> None:
    """The provenance and licence terms of imported files."""
    st.markdown(
        """
Files imported into the store (`geo import`, or the Import page) add sites with their own
provenance and licence, listed here and carried by every export (CSV and GeoJSON columns
`provenance` and `licence`, the GeoJSON's `atlas.imports`, the brief's credits section).
AidData's Global Chinese Development Finance data (credit: **AidData**, a research lab at
William & Mary) is licensed under the Open Data Commons Attribution License (ODC-By 1.0); its
project footprints are derived from OpenStreetMap, © OpenStreetMap contributors, under the
Open Database License (ODbL 1.0).

**Dates of imported projects.** An AidData project is on the map from its commitment (the
day, or the year when only the year is known). Its completion is shown in its panel and
popup as the end of construction, but does not remove it: a finished railway or refinery is
still there, so it stays on the map in later months. Committed amounts are in constant US
dollars of the year AidData states (2017 in GCDF 2.0, 2021 in 3.0); charts never add
amounts of different years together, and leave out the records AidData marks as not to be
aggregated (they would count one loan twice).
"""
    )


def source_list(page: PageView) -> None:
    sources = page.data.sources[["title", "publisher", "author", "published", "url"]]
    # Only links the atlas would show are links (as on the Sources page).
    links = pd.Series([safe_html.safe_url(u) for u in sources["url"]], index=sources.index)
    sources = sources.assign(url=links)
    st.dataframe(
        sources,
        hide_index=True,
        width="stretch",
        column_config={"url": st.column_config.LinkColumn("link")},
    )


def working_notes(page: PageView) -> None:
    """The editors' notes on how each item's point was placed, which the map's panels and the
    brief leave out."""
    rows = [
        {"item": item_id, "title": title, "working note": note}
        for frame, id_column, title_column in (
            (page.data.events, "event_id", "title"),
            (page.data.sites, "site_id", "name"),
        )
        for item_id, title, notes in zip(
            frame[id_column], frame[title_column], frame["notes"], strict=True
        )
        if (note := render.working_notes(str(notes)))
    ]
    if not rows:
        return
    with st.expander(f"Working notes on where items are drawn ({len(rows)} items)"):
        st.markdown(
            "How each point was placed, as the data's editors noted it. The map and the brief "
            "leave these out. *gk* marks a point taken from general knowledge of the place "
            "rather than from a source; *approx.* a point near, not at, the place."
        )
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
