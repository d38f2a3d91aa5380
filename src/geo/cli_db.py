"""``geo db``: set up a shared PostgreSQL/PostGIS database and load data into it.

- ``geo db init``: create or upgrade the schema (numbered migrations, recorded in
  ``schema_version``);
- ``geo db load``: the bundled data (``data/``), replacing the curated rows it holds;
- ``geo db load FORMAT FILE``: an import file, exactly as ``geo import FORMAT FILE
  --database URL``.

The database is ``--database URL``, else ``GEO_DATABASE_URL``. Messages name the database as
``user@host:port/dbname``, never with its password.

Registered through :data:`geo.cli.COMMAND_MODULES`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from geo.settings import settings


def _url(args: argparse.Namespace) -> str | None:
    url = args.database or settings().database_url
    if not url:
        print(
            "geo db: no database: pass --database URL or set GEO_DATABASE_URL "
            "(postgresql://user@host:5432/dbname; the password from PGPASSWORD or ~/.pgpass)",
            file=sys.stderr,
        )
    return url or None


def _init(args: argparse.Namespace) -> int:
    from geo.store import StoreError
    from geo.store.shared import describe_url, migrate, schema_version

    url = _url(args)
    if url is None:
        return 2
    try:
        applied = migrate(url)
        version = schema_version(url)
    except StoreError as exc:
        print(f"geo db init: {exc}", file=sys.stderr)
        return 2
    done = f"applied {', '.join(applied)}" if applied else "already up to date"
    print(f"{describe_url(url)}: schema version {version} ({done})")
    return 0


def _load(args: argparse.Namespace) -> int:
    from geo.bundle import load_bundle
    from geo.store import StoreError
    from geo.store.shared import connect, describe_url

    url = _url(args)
    if url is None:
        return 2
    if args.file:
        from geo.cli_data import _import

        if args.format is None:
            print("geo db load: give the file's format: acled, csv or geojson", file=sys.stderr)
            return 2
        imported = argparse.Namespace(
            format=args.format,
            file=args.file,
            store=None,
            database=url,
            rejects=args.rejects,
            deletions=args.deletions,
            map=args.map,
            category=None,
            as_="events",
            quiet=args.quiet,
        )
        return int(_import(imported))
    data = Path(args.data) if args.data else settings().data_dir
    bundle = load_bundle(data)
    if bundle.errors:
        print(
            f"geo db load: {len(bundle.errors)} bad row(s) in {data} were left out "
            "(`geo validate` lists them)",
            file=sys.stderr,
        )
    try:
        store = connect(url)
        try:
            store.load_bundle(bundle)
            total = store.size()
        finally:
            store.close()
    except StoreError as exc:
        print(f"geo db load: {exc}", file=sys.stderr)
        return 2
    print(
        f"loaded {len(bundle.events)} events and {len(bundle.sites)} sites from {data} "
        f"into {describe_url(url)} ({total} events in all)"
    )
    return 0


def register(commands: Any) -> None:
    """Add ``db init`` and ``db load`` to the ``geo`` command's subparsers."""
    db = commands.add_parser("db", help="set up and load a shared PostgreSQL/PostGIS database")
    actions = db.add_subparsers(dest="action", required=True)
    help_url = (
        "postgresql://user@host:5432/dbname, the password from PGPASSWORD or ~/.pgpass "
        "(default: $GEO_DATABASE_URL)"
    )

    init = actions.add_parser("init", help="create or upgrade the database's schema")
    init.add_argument("--database", metavar="URL", help=help_url)
    init.set_defaults(func=_init)

    load = actions.add_parser(
        "load", help="load the bundled data, or an import file, into the database"
    )
    load.add_argument("format", nargs="?", choices=["acled", "csv", "geojson"])
    load.add_argument("file", nargs="?", help="an import file (default: the bundled data)")
    load.add_argument("--database", metavar="URL", help=help_url)
    load.add_argument("--data", help="data folder (default: $GEO_DATA_DIR, else the bundled data/)")
    load.add_argument("--rejects", help="write every rejected row here as CSV: line,reason")
    load.add_argument("--deletions", help="CSV of event ids to delete (ACLED's deletions list)")
    load.add_argument("--map", help="csv/geojson: field=column pairs")
    load.add_argument("--quiet", action="store_true", help="no progress bar")
    load.set_defaults(func=_load)
