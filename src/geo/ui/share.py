"""Sharing and downloading a view: its link with a one-line summary, and the files.

The files are made only when a download button is clicked (Streamlit runs the callable on
its own thread), so an unchanged page costs nothing; each holds exactly what the view shows
(:func:`geo.query.view_result`). See :mod:`geo.export` for the formats.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime

import streamlit as st

from geo import assets, export
from geo.ui import data as loaders
from geo.ui.config import app_settings
from geo.ui.state import PageView
from geo.view import Bounds, ViewState

SHARE_LABEL = "Share or download this view"
CSV_LABEL = "Events CSV (ACLED columns)"
SITES_LABEL = "Sites CSV"
ZIP_LABEL = "Everything (zip)"
GEOJSON_LABEL = "GeoJSON"
BRIEF_LABEL = "HTML brief"
PDF_LABEL = "PDF brief"
PNG_LABEL = "Map image"


def permalink(state: ViewState, bounds: Bounds) -> str:
    """The full link to this view, for copying: on the page the visitor is on, at the
    atlas's public address when one is set (``GEO_PUBLIC_URL``), else at the address this
    server was reached at, under its URL path prefix (see :func:`geo.export.permalink`)."""
    return export.permalink(
        st.context.url, state, bounds, loaders.base_path(), app_settings().public_base
    )


LOCAL_LINK_NOTE = (
    "No public address is set for this atlas (`GEO_PUBLIC_URL`), so this link is the local "
    "address this server was reached at: it opens only where that address reaches the atlas."
)


def share_and_download(page: PageView) -> None:
    """A popover with the view's link and its summary ready to paste, and the downloads."""
    assert page.result is not None
    link = permalink(page.view, page.bounds)
    with st.popover(SHARE_LABEL, icon=":material/ios_share:"):
        st.markdown("**Share this view**")
        st.code(
            export.share_text(page.view, page.result.filtered, link),
            language=None,
            wrap_lines=True,
        )
        st.caption("The link opens exactly this view. Copy both lines with the code's button.")
        if app_settings().public_base is None:
            st.caption(LOCAL_LINK_NOTE)
        st.markdown("**Download what is shown**")
        _downloads(page, link)


def _downloads(page: PageView, link: str) -> None:
    """One download button per format; the files are made when a button is clicked."""
    data, view, result = page.data, page.view, page.result
    assert result is not None

    def csv() -> str:
        return export.to_csv(data, result.filtered)

    def sites() -> str:
        return export.sites_csv(data, result.filtered)

    def everything() -> bytes:
        return export.to_zip(data, result.filtered, view, link)

    def geojson() -> str:
        return export.to_geojson(data, result.filtered, view, link)

    borders = loaders.borders()

    def brief() -> str:
        return export.brief_html(
            data,
            result.filtered,
            view,
            link=link,
            borders=borders,
            generated=datetime.now(UTC),
        )

    def pdf() -> bytes:
        return export.brief_pdf(
            data, result.filtered, view, link=link, borders=borders, generated=datetime.now(UTC)
        )

    def png() -> bytes:
        return export.map_png(data, result.filtered, view, borders=borders)

    makers: Mapping[str, tuple[str, Callable[[], str | bytes], str]] = {
        "csv": (CSV_LABEL, csv, "One row per event, ACLED's column names first."),
        "sites": (SITES_LABEL, sites, "One row per site, with its opening and closing dates."),
        "zip": (ZIP_LABEL, everything, "The events CSV and the sites CSV in one zip."),
        "geojson": (GEOJSON_LABEL, geojson, "Points in EPSG:4326 with every column."),
        "brief": (
            BRIEF_LABEL,
            brief,
            "One file that works offline: map, monthly chart, every excerpt and citation.",
        ),
        "pdf": (PDF_LABEL, pdf, "The brief as an A4 PDF, to attach or print."),
        "png": (PNG_LABEL, png, "The map for a slide, 1600 × 900, with legend and credits."),
    }
    brief_ready = assets.local_complete()
    for fmt, (label, make, help_text) in makers.items():
        st.download_button(
            label,
            data=make,
            file_name=export.file_name(view, fmt),
            mime=export.MIME[fmt],
            key=f"download_{fmt}",
            help=help_text,
            on_click="ignore",
            icon=":material/download:",
            width="stretch",
            disabled=fmt == "brief" and not brief_ready,
        )
    if not brief_ready:
        st.caption(
            "The HTML brief needs the map's scripts installed on the server (`geo assets`), "
            "so that it works offline."
        )
