"""The atlas's configuration from the environment: one frozen :class:`Settings`.

Every ``GEO_*`` variable the product reads is a field here, and this is the only module of
``geo`` that reads ``os.environ``. :func:`settings` reads it at each call, so a change to the
environment (a test's ``monkeypatch.setenv``) is seen by the next call;
:meth:`Settings.from_environ` builds the same object from any mapping.

- ``GEO_DATA_DIR`` (``data_dir_override``): the data folder, see :attr:`Settings.data_dir`;
- ``GEO_CORPUS_DIR`` (``corpus_dir``): the folder of article texts;
- ``GEO_STORE`` (``store_path``): the DuckDB store file of the app and of ``geo import``;
- ``GEO_DATABASE_URL`` (``database_url``): the shared PostgreSQL/PostGIS database;
- ``GEO_DATABASE_ROLLUPS`` (``database_rollups``): ``off`` reads the database's counts from
  its events, not its rollups (for comparing);
- ``GEO_STORE_DIR`` (``article_store_dir``): ingestion's article store;
- ``GEO_QUEUE`` (``queue_path``): ingestion's review queue file;
- ``GEO_READ_ONLY`` (``read_only``): ``1``, ``true`` or ``yes`` hides the pages that write.

An empty value counts as unset.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DATA_DIR_ENV = "GEO_DATA_DIR"
CORPUS_DIR_ENV = "GEO_CORPUS_DIR"
STORE_ENV = "GEO_STORE"
DATABASE_ENV = "GEO_DATABASE_URL"
ROLLUPS_ENV = "GEO_DATABASE_ROLLUPS"
ARTICLE_STORE_ENV = "GEO_STORE_DIR"
QUEUE_ENV = "GEO_QUEUE"
READ_ONLY_ENV = "GEO_READ_ONLY"

_YES = ("1", "true", "yes")

# The checkout holding this package when it is installed editable (src/geo/settings.py).
_SOURCE_CHECKOUT = Path(__file__).resolve().parents[2]


def default_data_dir() -> Path:
    """The data folder when ``GEO_DATA_DIR`` is not set."""
    return _SOURCE_CHECKOUT / "data"


@dataclass(frozen=True)
class Settings:
    """What the environment configures (see the module's table); defaults: nothing set."""

    data_dir_override: Path | None = None
    corpus_dir: Path | None = None
    store_path: str | None = None
    database_url: str | None = None
    database_rollups: bool = True
    article_store_dir: Path | None = None
    queue_path: Path | None = None
    read_only: bool = False

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> Settings:
        """The settings ``environ`` holds (a pure function of it)."""

        def text(name: str) -> str | None:
            return environ.get(name) or None

        def path(name: str) -> Path | None:
            value = text(name)
            return Path(value) if value else None

        return cls(
            data_dir_override=path(DATA_DIR_ENV),
            corpus_dir=path(CORPUS_DIR_ENV),
            store_path=text(STORE_ENV),
            database_url=text(DATABASE_ENV),
            database_rollups=environ.get(ROLLUPS_ENV, "on") != "off",
            article_store_dir=path(ARTICLE_STORE_ENV),
            queue_path=path(QUEUE_ENV),
            read_only=environ.get(READ_ONLY_ENV, "").strip().lower() in _YES,
        )

    @property
    def data_dir(self) -> Path:
        """The data folder: ``GEO_DATA_DIR``, else :func:`default_data_dir`."""
        return self.data_dir_override or default_data_dir()

    @property
    def editing_enabled(self) -> bool:
        """Whether the pages that write to the data (Ingest, Import) are offered."""
        return not self.read_only


def settings() -> Settings:
    """The settings of the current environment, read now (never cached)."""
    return Settings.from_environ(os.environ)
