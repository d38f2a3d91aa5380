"""A shared database's address for people and for the driver: its connection string from the
connection settings, described without the password (or, for visitors, the user), and the
driver's messages without the URL's credentials. Used by the engine (:mod:`geo.store.pg`) and
by :mod:`geo.store.shared` alike, so neither imports the other for them."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

__all__ = ["HIDDEN", "describe_url", "for_visitors", "redact", "url_from_settings"]


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
