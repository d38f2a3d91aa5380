"""Running the pages through the app's navigation.

``app.py`` lists the pages and hands ``st.navigation(...)`` to :func:`run_pages`, which marks
the run as routed. Streamlit runs a ``pages/`` file on its own, without the app's setup and
navigation, when a server's very first visit is a deep link (``/charts?...``): the page then
finds no mark (:func:`entry_guard`), runs the entry script instead (which runs the page
again, properly) and stops; nothing is lost, not even a button press.
"""

from __future__ import annotations

import runpy
from contextvars import ContextVar
from pathlib import Path
from typing import Any

import streamlit as st

from geo import safe_html
from geo.settings import APP_SCRIPT, app_roots
from geo.store import StoreError, StoreFileError
from geo.ui import auth, config, database, layout
from geo.ui.config import check_publishing

APP_TITLE = "China in Central Asia: event atlas"
_ROUTED: ContextVar[bool] = ContextVar("geo_page_routed", default=False)
_PAGE: ContextVar[str] = ContextVar("geo_page", default="")


def configure_page() -> None:
    st.set_page_config(page_title=APP_TITLE, page_icon="🌏", layout="wide")
    layout.responsive_styles()


def gate() -> bool:
    """Whether the pages may run: the public address (when one is set) is an http(s)
    address, the visitor is signed in (when sign-in is configured) and the shared database
    (when one is configured) answers. Otherwise a notice is on the page and the caller
    stops."""
    if not config.public_url_gate():
        return False
    check_publishing()
    return auth.sign_in_gate() and database.connect()


def run_pages(navigation: Any) -> None:
    """Run the page the navigation chose, marked as routed; a store file that cannot be used,
    or a shared database that stops answering, during the run gives a notice in place of the
    rest of the page."""
    routed, page = _ROUTED.set(True), _PAGE.set(str(navigation.url_path))
    try:
        navigation.run()
    except StoreFileError as exc:
        store_file_notice(exc)
    except StoreError as exc:
        database.lost(exc)
    finally:
        _ROUTED.reset(routed)
        _PAGE.reset(page)


def store_file_notice(exc: StoreFileError) -> None:
    """A notice, in place of the rest of the page, when the store file (``GEO_STORE``) is
    damaged, unreadable, read-only, a folder or in a missing folder: named by its file name
    only (a visitor learns nothing of the server's folders)."""
    st.error(
        f"The atlas cannot show its events: {safe_html.markdown(exc.public, max_len=400)}. "
        "Whoever runs this atlas can check the file `GEO_STORE` names (a damaged file can "
        "be moved aside and the imports run again); the view is kept in this page's link.",
        icon=":material/database:",
    )


def current_page() -> str:
    """The url path of the page this run shows ('' for the default page)."""
    return _PAGE.get()


def _entry_script() -> Path:
    """The app's entry script: ``app.py`` beside the pages folder, in the first of the
    app's folders (:func:`geo.settings.app_roots`) that has one."""
    for root in app_roots():
        if (root / APP_SCRIPT).is_file() and (root / "pages").is_dir():
            return root / APP_SCRIPT
    raise RuntimeError("the app's entry script (app.py beside pages/) was not found")


def entry_guard() -> None:
    """Make every page load go through the app's navigation (see the module's docstring)."""
    if _ROUTED.get():
        return
    runpy.run_path(str(_entry_script()), run_name="__main__")
    st.stop()
