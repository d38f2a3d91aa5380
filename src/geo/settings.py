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
- ``GEO_READ_ONLY`` (``read_only``): ``1``, ``true`` or ``yes`` hides the pages that write;
- ``GEO_PUBLIC_URL`` (``public_url``): the address the atlas is published at, with its path
  prefix (``https://example.org/atlas/``), which shared links and exports use; a value that
  is not an http(s) address is refused (:attr:`Settings.public_url_problem`).

And from the secrets (``.streamlit/secrets.toml``, or the host's secrets settings), which the
UI hands over as a mapping: ``[auth]`` (``auth``: sign-in, OpenID Connect) and
``[connections.events]`` (``database_secrets``: the shared database, when
``GEO_DATABASE_URL`` is not set) and ``[atlas] public_url`` (when ``GEO_PUBLIC_URL`` is not
set).

An empty value counts as unset.

Where the app's files are: :func:`default_data_dir` (the data folder when ``GEO_DATA_DIR``
is not set) and :func:`static_dir` (the map's scripts), both found from the working
directory, the app's folder, or the source checkout of an editable install, so the package
also works installed into site-packages.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

DATA_DIR_ENV = "GEO_DATA_DIR"
CORPUS_DIR_ENV = "GEO_CORPUS_DIR"
STORE_ENV = "GEO_STORE"
DATABASE_ENV = "GEO_DATABASE_URL"
ROLLUPS_ENV = "GEO_DATABASE_ROLLUPS"
ARTICLE_STORE_ENV = "GEO_STORE_DIR"
QUEUE_ENV = "GEO_QUEUE"
READ_ONLY_ENV = "GEO_READ_ONLY"
PUBLIC_URL_ENV = "GEO_PUBLIC_URL"
# The secrets' section and key of the public address: [atlas] public_url = "https://...".
ATLAS_SECRETS = "atlas"
PUBLIC_URL_SECRET = "public_url"
# The secrets' section naming the shared database: [connections.events].
DATABASE_SECRETS = "events"

_YES = ("1", "true", "yes")
# What a public address may not hold unencoded (it ends up in links, Markdown and HTML).
_URL_METACHARACTERS = frozenset("<>\"'`()[]{}|\\^")

# The checkout holding this package when it is installed editable (src/geo/settings.py);
# elsewhere (site-packages) it holds no data/ and no app.py, and is passed over.
_SOURCE_CHECKOUT = Path(__file__).resolve().parents[2]
APP_SCRIPT = "app.py"
# A data folder is one holding this file.
DATA_MARKER = "events.csv"


class DataDirNotFound(FileNotFoundError):
    """No data folder: ``GEO_DATA_DIR`` is not set and no ``data/`` was found."""


def app_roots() -> list[Path]:
    """Where the app's files (``app.py``, ``data/``, ``static/``) are looked for, in order:
    the working directory, the folder of the script being run (``streamlit run`` puts the
    app's path in ``sys.argv[0]``), and the source checkout of an editable install."""
    roots: list[Path] = []
    with contextlib.suppress(OSError):  # a working directory deleted under the process
        roots.append(Path.cwd())
    script = sys.argv[0] if sys.argv else ""
    if script.endswith(".py"):
        roots.append(Path(script).resolve().parent)
    roots.append(_SOURCE_CHECKOUT)
    return list(dict.fromkeys(roots))


def default_data_dir() -> Path:
    """The bundled data folder: the first ``data/`` holding ``events.csv`` under
    :func:`app_roots`; where there is none, ``GEO_DATA_DIR``'s folder. It is the data folder
    when ``GEO_DATA_DIR`` is not set (:attr:`Settings.data_dir`), and where the reference
    files a data folder may lack (``geo/``, the gazetteer, the lexicon) are read from.
    Raises :class:`DataDirNotFound`, naming ``GEO_DATA_DIR``, when there is no folder."""
    roots = app_roots()
    for root in roots:
        folder = root / "data"
        if (folder / DATA_MARKER).is_file():
            return folder
    given = settings().data_dir_override
    if given is not None:
        return given
    looked = ", ".join(str(root / "data") for root in roots)
    raise DataDirNotFound(
        f"no data folder: set {DATA_DIR_ENV} to one (a folder holding {DATA_MARKER}), "
        f"or run from the atlas's folder (looked in {looked})"
    )


def static_dir() -> Path:
    """The folder Streamlit serves at ``/app/static``: ``static/`` beside ``app.py``, in the
    first of :func:`app_roots` that holds it; else ``static/`` in the working directory (a
    container fetching the map's scripts before the app is copied in)."""
    roots = app_roots()
    for root in roots:
        if (root / APP_SCRIPT).is_file():
            return root / "static"
    return roots[0] / "static"


@dataclass(frozen=True)
class Settings:
    """What the environment configures (the module's list); the defaults: nothing set."""

    data_dir_override: Path | None = None
    corpus_dir: Path | None = None
    store_path: str | None = None
    database_url: str | None = None
    database_rollups: bool = True
    article_store_dir: Path | None = None
    queue_path: Path | None = None
    read_only: bool = False
    public_url: str | None = None  # as given; see public_url_problem and public_base
    auth: Mapping[str, Any] | None = None  # the [auth] section; None: sign-in is off
    database_secrets: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_environ(
        cls, environ: Mapping[str, str], secrets: Mapping[str, Any] | None = None
    ) -> Settings:
        """The settings ``environ`` and ``secrets`` hold (a pure function of them)."""
        given = secrets or {}
        connections = given.get("connections") or {}

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
            public_url=(
                (environ.get(PUBLIC_URL_ENV) or "").strip()
                or str((given.get(ATLAS_SECRETS) or {}).get(PUBLIC_URL_SECRET) or "").strip()
                or None
            ),
            auth=dict(given["auth"] or {}) if "auth" in given else None,
            database_secrets=dict(connections.get(DATABASE_SECRETS) or {}),
        )

    @property
    def data_dir(self) -> Path:
        """The data folder: ``GEO_DATA_DIR``, else :func:`default_data_dir`."""
        return self.data_dir_override or default_data_dir()

    @property
    def editing_enabled(self) -> bool:
        """Whether the pages that write to the data (Ingest, Import) are offered."""
        return not self.read_only

    @property
    def public_url_problem(self) -> str | None:
        """Why the public address cannot be used, as a sentence naming the setting (None
        when it is unset or an http(s) address with a host and no query)."""
        if self.public_url is None:
            return None
        value = self.public_url
        shown = value if len(value) <= 80 else value[:79] + "…"
        parts = urlsplit(value)
        why = None
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            why = "is not an http(s) address with a host"
        elif parts.query or parts.fragment:
            why = "has a query or a fragment (give the address of the atlas's main page only)"
        elif any(c.isspace() or c in _URL_METACHARACTERS for c in value):
            why = "holds a space or a character that must be percent-encoded"
        if why is None:
            return None
        return (
            f"{PUBLIC_URL_ENV} (or [{ATLAS_SECRETS}] {PUBLIC_URL_SECRET} in the secrets) "
            f"{why}: {shown!r}. Set it to the address the atlas is published at, such as "
            "https://example.org/atlas/, or leave it unset."
        )

    @property
    def public_base(self) -> str | None:
        """The public address without its trailing slash (``https://example.org/atlas``),
        when one is set and usable."""
        if self.public_url is None or self.public_url_problem:
            return None
        return self.public_url.rstrip("/")

    @property
    def sign_in(self) -> bool:
        """Whether visitors must sign in (the secrets have an ``[auth]`` section)."""
        return self.auth is not None


def settings(secrets: Mapping[str, Any] | None = None) -> Settings:
    """The settings of the current environment (and of ``secrets``, when the caller has
    them), read now (never cached)."""
    return Settings.from_environ(os.environ, secrets)
