"""The ``geo`` command. This module holds ``validate`` (the data files, row by row) and
``assets`` (the map's scripts from npm); the others come from the modules listed in
:data:`COMMAND_MODULES`: ``export`` (a link's view as a file), ``import`` and ``bench``
(``cli_data``), ``db`` (the shared database), ``ingest`` (articles) and ``loadtest``
(``cli_tools``, run from the development tools)."""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

from geo.bundle import load_bundle
from geo.settings import DataDirNotFound, settings
from geo.store.base import StoreError


def _validate(args: argparse.Namespace) -> int:
    corpus = Path(args.corpus) if args.corpus else settings().corpus_dir
    if corpus and not corpus.is_dir():
        print(f"geo validate: corpus folder not found: {corpus}", file=sys.stderr)
        return 2
    bundle = load_bundle(Path(args.data) if args.data else settings().data_dir, corpus)
    for problem in sorted(bundle.problems, key=lambda p: (p.file, p.line, p.field)):
        if problem.severity == "error" or not args.errors_only:
            print(problem)
    if not corpus:
        print(
            "note: no corpus folder given (--corpus or GEO_CORPUS_DIR): excerpt offsets "
            "were not checked against the article texts",
            file=sys.stderr,
        )
    print(
        f"loaded {len(bundle.events)} events, {len(bundle.sites)} sites, "
        f"{len(bundle.sources)} sources, {len(bundle.excerpts)} excerpts; "
        f"{len(bundle.errors)} rejected row(s), {len(bundle.warnings)} warning(s)"
    )
    return 1 if bundle.errors else 0


def _assets(args: argparse.Namespace) -> int:
    from geo import assets

    if assets.local_complete() and not args.force:
        print("map scripts already in static/vendor (use --force to fetch again)")
        return 0
    try:
        written = assets.fetch()
    except (OSError, RuntimeError) as exc:
        print(f"geo assets: could not fetch the map scripts from npm: {exc}", file=sys.stderr)
        return 1
    print(f"fetched {len(written)} files into static/vendor")
    return 0


# Modules that add their own subcommands: each has ``register(commands)`` taking the
# subparsers object and setting ``func`` on its parsers.
COMMAND_MODULES: tuple[str, ...] = (
    "geo.cli_tools",
    "geo.cli_export",
    "geo.cli_data",
    "geo.cli_db",
    "geo.cli_ingest",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="geo", description="China in Central Asia event atlas")
    commands = parser.add_subparsers(dest="command", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(commands)

    validate = commands.add_parser(
        "validate",
        help="check the data files; print each bad row with file, line, field and reason",
    )
    validate.add_argument(
        "--data", help="data folder (default: $GEO_DATA_DIR, else the bundled data/)"
    )
    validate.add_argument("--corpus", help="folder of article texts (default: $GEO_CORPUS_DIR)")
    validate.add_argument("--errors-only", action="store_true", help="hide warnings")
    validate.set_defaults(func=_validate)

    fetch = commands.add_parser("assets", help="fetch the map's JavaScript/CSS from npm")
    fetch.add_argument("--force", action="store_true")
    fetch.set_defaults(func=_assets)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except (DataDirNotFound, StoreError) as exc:
        # A store any command reads (GEO_STORE, a shared database) that cannot be used.
        print(f"geo {args.command}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
