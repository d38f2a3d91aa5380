"""The shared database in the app: ``[connections.events]`` in ``.streamlit/secrets.toml``
(read through ``st.connection``) or ``GEO_DATABASE_URL``; without either, the embedded store.

The only module that reads the connection secrets; :mod:`geo.store` gets the URL through
:func:`geo.store.use_database` and stays free of Streamlit.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import streamlit as st
from streamlit.connections import BaseConnection

from geo import safe_html
from geo.bundle import Bundle
from geo.settings import DATABASE_SECRETS
from geo.store import StoreError, StoreNotWritable, database_url, open_database, use_database
from geo.store.shared import SharedDatabase, describe_url, for_visitors, url_from_settings
from geo.ui.config import app_settings

SECRETS_NAME = DATABASE_SECRETS


class EventsConnection(BaseConnection[SharedDatabase]):
    """``st.connection("events", type=EventsConnection)``: the atlas's PostGIS store on the
    database the ``[connections.events]`` secrets name (``url``, or ``host``, ``port``,
    ``database``, ``username``, ``password``)."""

    def _connect(self, **kwargs: Any) -> SharedDatabase:
        # Secrets set as plain dicts (AppTest's) are not in ``_secrets``: read them as st.secrets.
        settings = self._secrets.to_dict() or _section()
        self.url = url_from_settings({**settings, **kwargs})
        return open_database(self.url)

    @property
    def store(self) -> SharedDatabase:
        return self._instance


def _section() -> dict[str, Any]:
    return {str(k): v for k, v in app_settings().database_secrets.items()}


def connect() -> bool:
    """Open the configured shared database, if any. False, after a notice on the page, when
    it is configured but cannot be reached (the caller stops the page)."""
    try:
        configured = app_settings()
        if not configured.database_url and configured.database_secrets:
            use_database(st.connection(SECRETS_NAME, type=EventsConnection).url)
        url = database_url()
        if url:
            open_database(url)
    except (StoreError, ValueError) as exc:
        st.error(
            "The shared events database cannot be used: "
            f"{safe_html.markdown(for_visitors(str(exc), database_url() or ''))}. Check "
            "that the server is running and reachable from here, and the "
            "`[connections.events]` secrets or `GEO_DATABASE_URL`; the page will try again "
            "when it reloads.",
            icon=":material/cloud_off:",
        )
        return False
    return True


def lost(exc: StoreError) -> None:
    """A notice, in place of the rest of the page, when the shared database stops answering
    while a page runs; the view stays in the link, and the page asks again on the next
    change or when the button is pressed."""
    st.error(
        "The shared events database stopped answering: "
        f"{safe_html.markdown(for_visitors(str(exc), database_url() or ''))}. "
        "Nothing you chose is lost: the view is kept in this page's link, and the page asks "
        "the database again when you change anything or press the button.",
        icon=":material/cloud_off:",
    )
    if st.button("Try the database again", icon=":material/refresh:", key="_db_retry"):
        st.rerun()


def publish(bundle: Bundle, replacing: str) -> str | None:
    """The curated data changed here (an article accepted on the Ingest page, ``replacing``
    the folder's version before): load it into the shared database, if one is configured,
    so every dashboard on it shows the change. Dashboards never do this on their own (see
    the store's ``sync_bundle``). A note, and nothing sent, when the database
    holds curated data this folder never had (another analyst's accepted events), or this
    dashboard's role may only read it."""
    url = database_url()
    if not url:
        return None
    store = open_database(url)
    try:
        if store.publish_bundle(bundle, replacing=replacing):
            return None
    except StoreNotWritable:
        return (
            "Not sent to the shared database: this dashboard's database role may only read "
            "it. `geo db load`, run as a role that may write, loads this folder's curated data "
            "into it."
        )
    held = safe_html.markdown(store.curated_version() or "", max_len=40)
    had = safe_html.markdown(replacing, max_len=40)
    return (
        f"Not sent to the shared database: it holds other curated events (version {held}) "
        f"than this data folder had ({had}), perhaps another analyst's accepted events, "
        "which loading this folder would remove. Bring their changes into this folder, or "
        "replace the database's with this folder's by `geo db load`."
    )


def _held_elsewhere(folder: Bundle) -> tuple[str, str] | None:
    """The configured database and the version of the curated data it holds, when that is
    another version than the data folder's ``folder``."""
    url = database_url()
    if not url:
        return None
    held = open_database(url).curated_version()
    return None if held is None or held == folder.version else (url, held)


def curated_bundle(folder: Bundle, corpus: Path | None) -> Bundle | None:
    """The shared database's curated data, when one is configured and holds another version
    than the data folder's ``folder`` (None otherwise, or when it holds no frames)."""
    found = _held_elsewhere(folder)
    return _curated(*found, str(corpus) if corpus else None) if found else None


@st.cache_resource(show_spinner="Reading the shared database's curated data…", max_entries=4)
def _curated(url: str, version: str, corpus: str | None) -> Bundle | None:
    return open_database(url).curated_bundle(Path(corpus) if corpus else None)


def show_curated_note(folder: Bundle) -> None:
    """On the page, :func:`curated_differs`' note, if there is one."""
    if note := curated_differs(folder):
        st.info(note, icon=":material/sync_problem:")


def curated_differs(folder: Bundle) -> str | None:
    """A note when the shared database holds another version of the curated events than
    this app's data folder ``folder`` (the atlas shows the database's), or holds none and
    this dashboard's role may not load them; None when they agree or no database is
    configured."""
    url = database_url()
    if url:
        store = open_database(url)
        if store.curated_version() is None and not store.can_write():
            return (
                "The shared database holds no curated events yet, and this dashboard's "
                "database role may only read it, so it did not load its data folder's: the "
                "atlas shows only the imported events. `geo db load`, run as a role that may "
                "write, loads them."
            )
    found = _held_elsewhere(folder)
    if not found:
        return None
    return (
        "The shared database holds another version of the curated events "
        f"({safe_html.markdown(found[1], max_len=40)}) than this app's data folder "
        f"({folder.version}); the atlas shows the database's. `geo db load` replaces them "
        "with this folder's."
    )


def where() -> str | None:
    """The shared database the app shows, as ``user@host:port/dbname``; None: embedded."""
    url = database_url()
    return describe_url(url) if url else None
