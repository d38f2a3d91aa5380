"""What only a shared database offers besides the store's reads and writes, for the app and
the ``geo db`` commands: the curated data it holds (another analyst's accepted events, say),
publishing a data folder to it, its URL from the connection settings and described without
the password, the driver's messages without the URL's user and password (these from
:mod:`geo.store.urls`), and its schema.

A shared database is PostgreSQL with PostGIS (:mod:`geo.store.pg`); callers outside
:mod:`geo.store` reach it through :class:`SharedDatabase` and the functions here, and through
:func:`geo.store.open_database` (the app's one per process), never through the engine's
module. The engine is imported when a database is first opened or migrated.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from geo.store.base import Store
from geo.store.urls import describe_url, for_visitors, redact, url_from_settings

if TYPE_CHECKING:
    from geo.bundle import Bundle

__all__ = [
    "SharedDatabase",
    "connect",
    "describe_url",
    "for_visitors",
    "migrate",
    "redact",
    "schema_version",
    "url_from_settings",
]


class SharedDatabase(Store, Protocol):
    """A store on a database several dashboards and analysts share. Besides the store's reads
    and writes it keeps the curated data as the dashboard that loaded it had it, so every
    dashboard on it shows the same curated events whatever its own data folder holds."""

    def curated_version(self) -> str | None:
        """The version of the curated data the database holds; None: none loaded yet."""
        ...

    def curated_bundle(self, corpus_dir: Path | None = None) -> Bundle | None:
        """The curated data the database holds (with the texts of ``corpus_dir`` read for its
        sources); None when it holds none."""
        ...

    def can_write(self) -> bool:
        """Whether this role may change the data (a dashboard may read with one that may
        only SELECT; it loads nothing into an empty database then)."""
        ...

    def publish_bundle(self, bundle: Bundle, *, replacing: str) -> bool:
        """Replace the curated data with ``bundle`` (a data folder just changed here) if the
        database holds that of ``replacing`` (the folder's before), the bundle's own, or
        none; False, and nothing changed, when it holds another version."""
        ...


def connect(url: str, *, rollups: bool = True) -> SharedDatabase:
    """A store on the database at ``url`` of its own, for the caller to close (the app uses
    :func:`geo.store.open_database`, one per process); a schema that is behind is migrated
    first (opening a current one only reads).
    ``rollups`` False: counts are read from the events, never from the rollups (for
    comparing). Raises :class:`~geo.store.StoreError` when the database cannot be reached."""
    from geo.store.pg import PgStore

    return PgStore(url, rollups=rollups)


def migrate(url: str) -> list[str]:
    """Bring the database's schema up to date; the names of the migrations applied (none
    when it already was). Safe to run from several processes at once."""
    from geo.store import pg

    return pg.migrate(url)


def schema_version(url: str) -> int:
    """The newest schema migration the database has had (0: none)."""
    from geo.store import pg

    return pg.schema_version(url)
