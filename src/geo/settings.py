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
  is not an http(s) address is refused (:attr:`Settings.public_url_problem`). Set, the atlas is
  published (:attr:`Settings.published`).

And from the secrets (``.streamlit/secrets.toml``, or the host's secrets settings), which the
UI hands over as a mapping: ``[auth]`` (``auth``: sign-in, OpenID Connect) and
``[connections.events]`` (``database_secrets``: the shared database, when
``GEO_DATABASE_URL`` is not set), ``[atlas] public_url`` (when ``GEO_PUBLIC_URL`` is not
set) and ``[editors]`` (``editors``: who may write once the atlas is published, see
:meth:`Settings.may_edit`).

An empty value counts as unset.

Where the app's files are: :func:`default_data_dir` (the data folder when ``GEO_DATA_DIR``
is not set) and :func:`static_dir` (the map's scripts), both found from the working
directory, the app's folder, or the source checkout of an editable install, so the package
also works installed into site-packages.
"""

from __future__ import annotations

import contextlib
import functools
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
        roots.append(_script_folder(script))
    roots.append(_SOURCE_CHECKOUT)
    return list(dict.fromkeys(roots))


@functools.lru_cache(maxsize=4)
def _script_folder(script: str) -> Path:
    """The folder of the script being run (resolved once: every page run asks, many times)."""
    return Path(script).resolve().parent


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
    editors: Mapping[str, Any] = field(default_factory=dict)  # the [editors] section

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
            editors=dict(given.get("editors") or {}),
        )

    @property
    def data_dir(self) -> Path:
        """The data folder: ``GEO_DATA_DIR``, else :func:`default_data_dir`."""
        return self.data_dir_override or default_data_dir()

    @property
    def editing_enabled(self) -> bool:
        """Whether this server offers the pages that write (Ingest, Import) to anyone; once
        published, only to editors (:meth:`may_edit`)."""
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
    def published(self) -> bool:
        """Whether the atlas is published for a team: it has a public URL or asks visitors
        to sign in. Then only the editors may write; a local ``make run`` is not."""
        return self.public_url is not None or self.sign_in

    def may_edit(self, user: Mapping[str, Any]) -> bool:
        """Whether the visitor ``user`` (the identity provider's claims, as ``st.user``
        gives them) may use the pages that write. Unpublished: everyone, unless
        ``GEO_READ_ONLY``. Published: a signed-in visitor whose verified e-mail address is
        in ``[editors] emails``, or one of whose groups (the claim ``[editors] group_claim``
        names, ``groups`` by default) is in ``[editors] groups``; nobody else."""
        if self.read_only:
            return False
        if not self.published:
            return True
        if not (self.sign_in and user.get("is_logged_in")):
            return False
        emails = {str(e).strip().lower() for e in _as_list(self.editors.get("emails"))}
        email = str(user.get("email") or "").strip().lower()
        if email and email in emails and user.get("email_verified", True) is not False:
            return True
        groups = {str(g) for g in _as_list(self.editors.get("groups"))}
        claim = str(self.editors.get("group_claim") or "groups")
        return bool(groups & {str(g) for g in _as_list(user.get(claim))})

    @property
    def sign_in(self) -> bool:
        """Whether visitors must sign in (the secrets have an ``[auth]`` section)."""
        return self.auth is not None


def _as_list(value: Any) -> list[Any]:
    """A secrets or claims value as a list: one string is a list of one."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    try:
        return list(value)
    except TypeError:
        return [value]


def publishing_problems(given: Settings, base_url_path: str, cookie_secret_set: bool) -> list[str]:
    """What is wrong with a published atlas's settings, one sentence each (``[]`` when
    nothing is). Every process behind the proxy must agree on the public URL, the path
    prefix (Streamlit's ``server.baseUrlPath``) and the cookie secret (``server.cookieSecret``:
    Streamlit signs its XSRF and sign-in cookies with it, and picks a random one per process
    when it is not set, so a browser moved to another process would be refused)."""
    if not given.published:
        return []
    problems: list[str] = []
    prefix = base_url_path.strip("/")
    # A public address that is not one at all stops the app (Settings.public_url_problem).
    if given.public_url is not None and given.public_url_problem is None:
        url = urlsplit(given.public_url)
        if url.path.strip("/") != prefix:
            problems.append(
                f"{PUBLIC_URL_ENV} has the path /{url.path.strip('/')} but the server runs "
                f"under /{prefix} (server.baseUrlPath): they must be the same"
            )
    if not cookie_secret_set:
        problems.append(
            "server.cookieSecret is not set (STREAMLIT_SERVER_COOKIE_SECRET): each process "
            "makes up its own, so a browser moved to another process loses its uploads and "
            "its sign-in; give every process the same one"
        )
    redirect = str((given.auth or {}).get("redirect_uri") or "")
    if given.public_url and redirect:
        want = given.public_url.rstrip("/") + "/oauth2callback"
        if redirect != want:
            problems.append(f"[auth] redirect_uri is {redirect!r}; published here it is {want!r}")
    return problems


def settings(secrets: Mapping[str, Any] | None = None) -> Settings:
    """The settings of the current environment (and of ``secrets``, when the caller has
    them), read now (never cached)."""
    return Settings.from_environ(os.environ, secrets)
