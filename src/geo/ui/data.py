"""The data the pages show, loaded once per version of the files and shared by every session:
the validated bundle, the borders, the admin-1 regions and the map's script links."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import streamlit as st

from geo import assets, placenames, regions, sources
from geo.bundle import Bundle, PlaceLabel, borders_geojson, load_admin1, load_bundle
from geo.bundle import place_labels as bundled_place_labels
from geo.query import bounds_for
from geo.regions import RegionShapes
from geo.settings import settings
from geo.ui import auth, database
from geo.validate import Problem
from geo.view import Bounds

STALE_DATA = "(data)"


def data_dir() -> Path:
    return settings().data_dir


def corpus_dir() -> Path | None:
    return settings().corpus_dir


def editing_enabled() -> bool:
    """Whether the pages that write (Ingest, Import) are offered to this visitor: everyone
    on a local server; once published (``GEO_PUBLIC_URL`` or sign-in), the signed-in
    editors the secrets list; nobody with ``GEO_READ_ONLY=1``."""
    return auth.may_edit()


def _signature(folder: Path) -> tuple[tuple[str, int, int], ...]:
    """Cheap change detector for the cache key: name, size and mtime of each data file."""
    out = []
    for name in ("events.csv", "sites.csv", "sources.csv", "excerpts.csv"):
        path = folder / name
        stat = path.stat() if path.exists() else None
        out.append((name, stat.st_size if stat else -1, stat.st_mtime_ns if stat else -1))
    return tuple(out)


@st.cache_resource(show_spinner="Loading the data…")
def _load(folder: str, corpus: str | None, signature: tuple) -> Bundle:
    return load_bundle(Path(folder), Path(corpus) if corpus else None)


@st.cache_resource
def _last_good() -> dict[str, Bundle]:
    """The last bundle per data folder that loaded without a file-level error."""
    return {}


def bundle() -> Bundle:
    """The data the atlas shows: with a shared database that holds another version of the
    curated data than this app's folder, the database's (so every dashboard on it shows the
    same events, excerpts and citations); else the folder's (:func:`folder_bundle`)."""
    folder = folder_bundle()
    return database.curated_bundle(folder, corpus_dir()) or folder


def folder_bundle() -> Bundle:
    """The validated data of the data folder, loaded once per version of the files (frames
    are read-only).

    When a data file has gone missing or unreadable since the last good load, the last good
    data is served, with the file problems listed, rather than an empty atlas."""
    folder = data_dir()
    corpus = corpus_dir()
    fresh = _load(str(folder), str(corpus) if corpus else None, _signature(folder))
    good = _last_good()
    if not fresh.file_errors:
        good[str(folder)] = fresh
        return fresh
    last = good.get(str(folder))
    if last is None:
        return fresh
    note = Problem(
        STALE_DATA,
        0,
        "(file)",
        f"showing the data last loaded without file errors (version {last.version}) "
        "until the files are mended",
        "warning",
    )
    return replace(last, problems=[*fresh.file_errors, note, *last.problems])


@st.cache_resource(max_entries=4)
def _excerpt_rows(folder: str, signature: tuple) -> list[sources.Row]:
    return sources.read_excerpt_rows(Path(folder))


def excerpt_rows() -> list[sources.Row]:
    """The excerpt file's raw rows (rejected ones included), read once per version."""
    folder = data_dir()
    return _excerpt_rows(str(folder), _signature(folder))


def asset_links() -> assets.AssetLinks:
    """The map's script and style links, under the server's URL path prefix if it has one."""
    return assets.links(base_path=base_path())


def base_path() -> str:
    """The server's URL path prefix (``--server.baseUrlPath``), or ''."""
    return str(st.get_option("server.baseUrlPath") or "")


@st.cache_resource
def borders() -> str:
    return borders_geojson()


@st.cache_resource
def place_labels() -> list[PlaceLabel]:
    return bundled_place_labels()


@st.cache_resource
def admin1() -> gpd.GeoDataFrame:
    return load_admin1()


@st.cache_resource
def region_shapes() -> RegionShapes:
    """The regions' outlines as the map's shading draws them, simplified once."""
    return regions.region_shapes(admin1())


@st.cache_resource
def region_labels() -> dict[str, str]:
    """The shown name of each admin-1 region, by its Natural Earth name."""
    return {name: placenames.region_label(name) for name in load_admin1()["name"]}


def bounds_of(data: Bundle) -> Bounds:
    """What a view of this data may hold (see :func:`geo.query.bounds_for`)."""
    return bounds_for(data)
