"""What only a shared database offers besides the store's reads and writes, for the app and
the ``geo db`` commands: the curated data it holds (another analyst's accepted events, say),
publishing a data folder to it, its URL from the connection settings and described without
the password, the driver's messages without the URL's user and password, and its schema.

A shared database is PostgreSQL with PostGIS (:mod:`geo.store.pg`); callers outside
:mod:`geo.store` reach it through :class:`SharedDatabase` and the functions here, and through
:func:`geo.store.open_database` (the app's one per process), never through the engine's
module. The engine is imported when a database is first opened or migrated.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import unquote

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from geo.store.base import Store

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


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def describe_url(url: str) -> str:
    """The database a URL names, as ``user@host:port/dbname``: never the password."""
    try:
        parts = conninfo_to_dict(url)
    except psycopg.Error:
        return "(an unreadable database URL)"
    host = parts.get("host") or parts.get("hostaddr") or "localhost"
    where = f"{host}:{parts.get('port') or 5432}/{parts.get('dbname') or ''}"
    return f"{parts['user']}@{where}" if parts.get("user") else where


HIDDEN = "***"
# The credentials of a URL libpq may refuse to read (a space in the password, say): the user
# and password of ``scheme://user:password@``, and ``user=``/``password=`` key words.
_URL_CREDENTIALS = re.compile(r"^\s*[A-Za-z][\w+.-]*://([^@/?#]*)@")
_KEYWORD_CREDENTIALS = re.compile(r"\b(user|password)\s*=\s*('(?:[^'\\]|\\.)*'|\S+)")


def _credentials(url: str) -> tuple[set[str], set[str]]:
    """The users and passwords a connection string holds, as written and decoded, found
    even where the string cannot be parsed."""
    users: set[str] = set()
    passwords: set[str] = set()
    try:
        parts = conninfo_to_dict(url)
    except psycopg.Error:
        parts = {}
    users.add(str(parts.get("user") or ""))
    passwords.add(str(parts.get("password") or ""))
    found = _URL_CREDENTIALS.match(url)
    if found:
        user, _, password = found.group(1).partition(":")
        users |= {user, unquote(user)}
        passwords |= {password, unquote(password)}
    for key, value in _KEYWORD_CREDENTIALS.findall(url):
        value = value[1:-1].replace("\\'", "'") if value.startswith("'") else value
        (users if key == "user" else passwords).add(value)
    return {u for u in users if u}, {p for p in passwords if p}


def redact(text: str, url: str, *secrets: str) -> str:
    """``text`` (a driver's message, say) with the URL's password and user, and the other
    ``secrets``, replaced by ``***``: a password wherever it appears, a user name where it
    stands as a word. Works on URLs the driver cannot read too (its message then quotes the
    part it could not)."""
    users, passwords = _credentials(url)
    passwords |= {s for s in secrets if s}
    if url.strip():
        text = text.replace(url.strip(), describe_url(url))
    for password in sorted(passwords, key=len, reverse=True):
        text = text.replace(password, HIDDEN)
    for user in sorted(users, key=len, reverse=True):
        text = re.sub(rf"(?<![\w.-]){re.escape(user)}(?![\w-])", HIDDEN, text)
    return text


def for_visitors(text: str, url: str) -> str:
    """``text`` as a page may show it to anyone: :func:`redact`, and ``user@host`` read as
    ``host`` (the database's user is not a visitor's business either)."""
    return redact(text, url).replace(f"{HIDDEN}@", "")


# Streamlit's SQL connection settings, as psycopg names them.
_SETTING_NAMES = {
    "host": "host",
    "port": "port",
    "database": "dbname",
    "dbname": "dbname",
    "username": "user",
    "user": "user",
    "password": "password",
    "sslmode": "sslmode",
}


def url_from_settings(settings: dict[str, Any]) -> str:
    """A connection string from a ``[connections.events]`` section: its ``url`` (with the
    section's ``password`` added, so the URL itself need not hold it), or the ``host``,
    ``port``, ``database``, ``username``, ``password`` (and ``sslmode``) fields Streamlit's
    SQL connections use. Raises ValueError when it names no database."""
    if settings.get("url"):
        url = str(settings["url"])
        extra = {k: str(settings[k]) for k in ("password", "sslmode") if settings.get(k)}
        try:
            return make_conninfo(url, **extra) if extra else url
        except psycopg.Error as exc:
            reason = redact(_first_line(exc), url, extra.get("password", ""))
            raise ValueError(f"the connection settings' url cannot be read: {reason}") from None
    fields = {
        name: str(settings[key])
        for key, name in _SETTING_NAMES.items()
        if settings.get(key) not in (None, "")
    }
    if "host" not in fields and "dbname" not in fields:
        raise ValueError(
            "the connection settings name no database (give url, or host and database)"
        )
    return make_conninfo(**fields)
