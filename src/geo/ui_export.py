"""Streamlit controls for sharing and downloading a view, and the optional sign-in gate.

The files are made only when a download button is clicked (Streamlit runs the callable on
its own thread), so an unchanged page costs nothing; each holds exactly the view's
:func:`geo.query.apply` result. See :mod:`geo.export` for the formats.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from importlib.util import find_spec

import streamlit as st

from geo import assets, export, safe_html, ui
from geo.bundle import Bundle
from geo.query import Filtered
from geo.view import Bounds, ViewState

SHARE_LABEL = "Share or download this view"
CSV_LABEL = "CSV (ACLED columns)"
GEOJSON_LABEL = "GeoJSON"
BRIEF_LABEL = "HTML brief"


def share_and_download(data: Bundle, filtered: Filtered, view: ViewState, bounds: Bounds) -> None:
    """A popover with the view's link and its summary ready to paste, and the downloads."""
    link = ui.permalink(view, bounds)
    with st.popover(SHARE_LABEL, icon=":material/ios_share:"):
        st.markdown("**Share this view**")
        st.code(export.share_text(view, filtered, link), language=None, wrap_lines=True)
        st.caption("The link opens exactly this view. Copy both lines with the code's button.")
        st.markdown("**Download what is shown**")
        downloads(data, filtered, view, link)


def downloads(data: Bundle, filtered: Filtered, view: ViewState, link: str) -> None:
    """One download button per format; the files are made when a button is clicked."""

    def csv() -> str:
        return export.to_csv(data, filtered)

    def geojson() -> str:
        return export.to_geojson(data, filtered, view, link)

    borders = ui.borders()

    def brief() -> str:
        return export.brief_html(
            data,
            filtered,
            view,
            link=link,
            borders=borders,
            generated=datetime.now(UTC),
        )

    makers: Mapping[str, tuple[str, Callable[[], str], str]] = {
        "csv": (CSV_LABEL, csv, "One row per event and site, ACLED's column names first."),
        "geojson": (GEOJSON_LABEL, geojson, "Points in EPSG:4326 with every column."),
        "brief": (
            BRIEF_LABEL,
            brief,
            "One file that works offline: map, monthly chart, every excerpt and citation.",
        ),
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


# ---- optional sign-in ----


def auth_configured() -> bool:
    """Whether the secrets have an ``[auth]`` section (no secrets file: no)."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all; Streamlit's error class has moved between releases
        return False


def _providers() -> list[str | None]:
    """``None`` for the ``[auth]`` section's own provider, then each named one."""
    section = st.secrets.get("auth", {})
    named = [key for key, value in section.items() if isinstance(value, Mapping)]
    own = [None] if "client_id" in section or not named else []
    return [*own, *sorted(named)]


def sign_in_gate() -> bool:
    """True when the page may be shown: sign-in is not configured, or the visitor is signed
    in. Otherwise show the sign-in buttons and return False (the caller stops)."""
    if not auth_configured():
        return True
    if st.user.get("is_logged_in", False):
        with st.sidebar:
            name = str(st.user.get("name") or st.user.get("email") or "")
            st.caption(f"Signed in{' as ' + safe_html.markdown(name) if name else ''}.")
            st.button("Log out", on_click=st.logout, icon=":material/logout:")
        return True
    st.title("China in Central Asia: event atlas")
    st.markdown("This atlas is open to signed-in users only.")
    if find_spec("authlib") is None:
        st.error(
            "Sign-in is configured, but the server lacks the Authlib package "
            "(`pip install 'streamlit[auth]'`), so nobody can sign in."
        )
        return False
    for provider in _providers():
        label = "Log in" if provider is None else f"Log in with {provider}"
        args = () if provider is None else (provider,)
        st.button(
            label, on_click=st.login, args=args, icon=":material/login:", key=f"login_{provider}"
        )
    return False
