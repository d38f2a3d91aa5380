"""The Streamlit layer: the only part of the package that imports streamlit.

Pages import this package and nothing else of ``geo``; each page starts with
:func:`page_view` (or :func:`page_data` where it has no filters) and lays out the pieces
named here. The modules, one concern each: :mod:`~geo.ui.state` (link, session and widgets),
:mod:`~geo.ui.data` (cached loaders), :mod:`~geo.ui.sidebar`, :mod:`~geo.ui.atlas_map`,
:mod:`~geo.ui.panels`, :mod:`~geo.ui.linked` (linked charts), :mod:`~geo.ui.deferred` (what
waits for the map), :mod:`~geo.ui.projects`, :mod:`~geo.ui.playback`, :mod:`~geo.ui.share`,
:mod:`~geo.ui.articles` (Sources), :mod:`~geo.ui.about`, :mod:`~geo.ui.auth`,
:mod:`~geo.ui.database` (shared-database notices), :mod:`~geo.ui.imports` and
:mod:`~geo.ui.ingest` (the pages that write), and :mod:`~geo.ui.navigation` (what ``app.py``
runs).
"""

from geo.ui import about, articles, auth, database, imports, ingest, projects
from geo.ui.atlas_map import atlas_map, missing_scripts_notice, region_filter_bar
from geo.ui.data import editing_enabled, folder_bundle
from geo.ui.deferred import after_map
from geo.ui.layout import map_and_panel
from geo.ui.linked import linked_charts
from geo.ui.navigation import APP_TITLE, configure_page, gate, run_pages
from geo.ui.panels import (
    editors_data_notice,
    picked_panel,
    picks_bar,
    show_data_problems,
    show_notices,
    side_panel,
    summary,
)
from geo.ui.playback import playback_controls, playback_ticker
from geo.ui.share import share_and_download
from geo.ui.state import PageView, page_data, page_view
from geo.ui.table import items_table

__all__ = [
    "APP_TITLE",
    "PageView",
    "about",
    "after_map",
    "articles",
    "atlas_map",
    "auth",
    "configure_page",
    "database",
    "editing_enabled",
    "editors_data_notice",
    "folder_bundle",
    "gate",
    "imports",
    "ingest",
    "items_table",
    "linked_charts",
    "map_and_panel",
    "missing_scripts_notice",
    "page_data",
    "page_view",
    "picked_panel",
    "picks_bar",
    "playback_controls",
    "playback_ticker",
    "projects",
    "region_filter_bar",
    "run_pages",
    "share_and_download",
    "show_data_problems",
    "show_notices",
    "side_panel",
    "summary",
]
