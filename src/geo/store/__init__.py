"""The atlas's store: its interfaces (:class:`StoreReader` for the pages' reads,
:class:`StoreWriter` for the importers' writes, :class:`Store` both), two engines: the
embedded DuckDB (:class:`DuckStore`, the default) and a shared PostgreSQL/PostGIS database
(:mod:`geo.store.pg`, reached through :func:`open_database` and :mod:`geo.store.shared`), and
the store the app uses for a bundle. Modules outside this package import neither engine's
module.

The app queries, in this order of choice: the database named by ``GEO_DATABASE_URL`` or
configured by the UI from the secrets' ``[connections.events]`` (:func:`use_database`); the
DuckDB file named by ``GEO_STORE``; else an in-memory DuckDB built from the bundle's frames.
A file or a database is created when missing, with the bundle loaded into it and refreshed
when the bundle changes, so imports persist across restarts.
"""

from __future__ import annotations

import threading
import weakref
from typing import TYPE_CHECKING

from geo.settings import DATABASE_ENV, ROLLUPS_ENV, STORE_ENV, settings
from geo.store.base import (
    EVENT_FRAME_COLUMNS,
    SITE_FRAME_COLUMNS,
    ImportBatch,
    ImportCounts,
    Store,
    StoreError,
    StoreFileError,
    StoreNotWritable,
    StoreReader,
    StoreWriter,
)
from geo.store.duck import DuckStore

if TYPE_CHECKING:
    from geo.bundle import Bundle
    from geo.store.pg import PgStore
    from geo.store.shared import SharedDatabase

__all__ = [
    "DATABASE_ENV",
    "EVENT_FRAME_COLUMNS",
    "ROLLUPS_ENV",
    "SITE_FRAME_COLUMNS",
    "STORE_ENV",
    "DuckStore",
    "ImportBatch",
    "ImportCounts",
    "Store",
    "StoreError",
    "StoreFileError",
    "StoreNotWritable",
    "StoreReader",
    "StoreWriter",
    "close_all",
    "database_url",
    "open_database",
    "open_store",
    "store_for",
    "store_path",
    "use_database",
]

_lock = threading.Lock()
_by_bundle: dict[int, tuple[weakref.ref[Bundle], tuple[int, int, str], DuckStore]] = {}
_files: dict[str, DuckStore] = {}
_databases: dict[str, PgStore] = {}
_configured: dict[str, str] = {}


def use_database(url: str | None) -> None:
    """The database the app uses when ``GEO_DATABASE_URL`` is not set (the UI passes the
    secrets' ``[connections.events]`` here); None: none."""
    with _lock:
        if url:
            _configured["url"] = url
        else:
            _configured.pop("url", None)


def database_url() -> str | None:
    """The shared database the app uses (``GEO_DATABASE_URL``, else the secrets'), or None
    for the embedded engine."""
    return settings().database_url or _configured.get("url") or None


def open_database(url: str, bundle: Bundle | None = None) -> SharedDatabase:
    """The PostGIS store at ``url`` (one per process; schema migrated on first open); the
    bundle's rows are loaded into it when given and not already there. Raises
    :class:`StoreError` (naming host and port, never the password) when it cannot be reached."""
    from geo.store.pg import PgStore

    with _lock:
        store = _databases.get(url)
    if store is None:
        fresh = PgStore(url, rollups=settings().database_rollups)
        with _lock:
            store = _databases.setdefault(url, fresh)
        if store is not fresh:
            fresh.close()
    if bundle is not None:
        store.sync_bundle(bundle)
    return store


def store_path() -> str | None:
    """The store file the app uses (``GEO_STORE``), or None for the in-memory store."""
    return settings().store_path


def open_store(path: str | None, bundle: Bundle | None = None) -> DuckStore:
    """The store file at ``path`` (one per process), created when missing; the bundle's
    rows are loaded into it when given and not already there."""
    with _lock:
        store = _files.get(str(path))
        if store is None:
            store = DuckStore(path)
            _files[str(path)] = store
    if bundle is not None:
        store.sync_bundle(bundle)
    return store


def store_for(bundle: Bundle) -> Store:
    """The store behind ``bundle``: the shared database (:func:`database_url`), else the
    ``GEO_STORE`` file, else an in-memory store built from the bundle's frames (one per
    bundle, dropped with it). The pages read it; the import page writes into it too."""
    url = database_url()
    if url:
        return open_database(url, bundle)
    path = store_path()
    if path:
        return open_store(path, bundle)
    key = id(bundle)
    shape = (id(bundle.events), id(bundle.sites), bundle.version)
    with _lock:
        found = _by_bundle.get(key)
        if found is not None and found[0]() is bundle and found[1] == shape:
            return found[2]
    store = DuckStore.from_bundle(bundle)
    with _lock:
        old = _by_bundle.get(key)
        if old is not None and old[0]() is bundle and old[1] == shape:
            store.close()
            return old[2]
        _by_bundle[key] = (weakref.ref(bundle), shape, store)
    weakref.finalize(bundle, _drop, key, store)
    return store


def _drop(key: int, store: DuckStore) -> None:
    with _lock:
        found = _by_bundle.get(key)
        if found is not None and found[2] is store:
            del _by_bundle[key]
    store.close()


def close_all() -> None:
    """Close every store this process opened (tests, the benchmark between phases)."""
    with _lock:
        stores: list[DuckStore | PgStore] = [entry[2] for entry in _by_bundle.values()]
        stores += [*_files.values(), *_databases.values()]
        _by_bundle.clear()
        _files.clear()
        _databases.clear()
    for store in stores:
        store.close()
