"""The atlas's store: one interface (:class:`Store`), the embedded DuckDB engine
(:class:`DuckStore`) as the default, and the store the app uses for a bundle.

The app queries an in-memory DuckDB built from the bundle's frames, unless ``GEO_STORE``
names a store file: then that file (created when missing, with the bundle loaded into it and
refreshed when the bundle changes), so imports persist across restarts.
"""

from __future__ import annotations

import os
import threading
import weakref
from typing import TYPE_CHECKING

from geo.store.base import (
    EVENT_FRAME_COLUMNS,
    SITE_FRAME_COLUMNS,
    ImportBatch,
    ImportCounts,
    Store,
)
from geo.store.duck import DuckStore, StoreError

if TYPE_CHECKING:
    from geo.bundle import Bundle

__all__ = [
    "EVENT_FRAME_COLUMNS",
    "SITE_FRAME_COLUMNS",
    "DuckStore",
    "ImportBatch",
    "ImportCounts",
    "Store",
    "StoreError",
    "close_all",
    "open_store",
    "store_for",
    "store_path",
]

STORE_ENV = "GEO_STORE"

_lock = threading.Lock()
_by_bundle: dict[int, tuple[weakref.ref[Bundle], tuple[int, int, str], DuckStore]] = {}
_files: dict[str, DuckStore] = {}


def store_path() -> str | None:
    """The store file the app uses (``GEO_STORE``), or None for the in-memory store."""
    return os.environ.get(STORE_ENV) or None


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


def store_for(bundle: Bundle) -> DuckStore:
    """The store behind ``bundle``: the ``GEO_STORE`` file, else an in-memory store built
    from the bundle's frames (one per bundle, dropped with it)."""
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
        stores = [entry[2] for entry in _by_bundle.values()] + list(_files.values())
        _by_bundle.clear()
        _files.clear()
    for store in stores:
        store.close()
