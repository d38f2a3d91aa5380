"""``geo import`` (ACLED, CSV, GeoJSON into a store) and ``geo bench`` (the scale benchmark,
run by the development tools: :mod:`geo.cli_tools`).

Registered through :data:`geo.cli.COMMAND_MODULES`.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from geo.importers.base import ImportResult, Progress, UnreadableFile
from geo.importers.rejects import write_rejects
from geo.settings import settings

DEFAULT_STORE = "atlas.duckdb"


def progress_bar(stream: Any = None, width: int = 30) -> Progress:
    """A bar on ``stream`` (stderr by default; drawn in place on a terminal, a line every
    10% otherwise)."""
    stream = stream or sys.stderr
    started = time.monotonic()
    shown = {"tenth": -1}
    live = bool(getattr(stream, "isatty", lambda: False)())

    def report(done: int, total: int) -> None:
        share = done / total if total else 1.0
        if not live:
            tenth = int(share * 10)
            if tenth == shown["tenth"]:
                return
            shown["tenth"] = tenth
        filled = int(share * width)
        line = (
            f"\r[{'#' * filled}{'.' * (width - filled)}] {share:4.0%} "
            f"{done / 1e6:,.1f}/{total / 1e6:,.1f} MB {time.monotonic() - started:,.1f}s"
        )
        stream.write(line if live else line.lstrip("\r") + "\n")
        stream.flush()

    return report


def _store_arg(value: str | None) -> str:
    return value or settings().store_path or DEFAULT_STORE


def _target(args: argparse.Namespace) -> tuple[str | None, str]:
    """Where ``geo import`` writes: (database URL or None, store file). ``--database`` wins,
    then ``--store``, then ``GEO_DATABASE_URL``, then ``GEO_STORE``."""
    if getattr(args, "database", None):
        return args.database, ""
    if args.store:
        return None, args.store
    return settings().database_url, _store_arg(None)


def _unwritable(path: str) -> str | None:
    """Why a report could not be written at ``path`` (None: it can), leaving no file."""
    import os

    target = os.path.abspath(path)
    if os.path.isdir(target):
        return "it is a folder"
    folder = os.path.dirname(target)
    if not os.path.isdir(folder):
        return "its folder does not exist"
    if not os.access(target if os.path.exists(target) else folder, os.W_OK):
        return "permission denied"
    return None


def _import(args: argparse.Namespace) -> int:
    from geo import importers
    from geo.bundle import load_bundle
    from geo.model import Category
    from geo.store import DuckStore, StoreError, StoreWriter, open_database
    from geo.store.shared import describe_url

    try:
        category = Category(args.category) if args.category else None
    except ValueError:
        known = ", ".join(c.value for c in Category)
        print(f"geo import: unknown category {args.category!r} (known: {known})", file=sys.stderr)
        return 2
    if args.rejects and (problem := _unwritable(args.rejects)):
        # Said before the import, which would otherwise be in the store with no report.
        print(
            f"geo import: cannot write the rejects report {args.rejects}: {problem}",
            file=sys.stderr,
        )
        return 2
    url, path = _target(args)
    store: StoreWriter
    try:
        if url:
            store, path = open_database(url), describe_url(url)
        else:
            store = DuckStore(path)
    except StoreError as exc:
        print(f"geo import: {exc}", file=sys.stderr)
        return 2
    try:
        # The curated data goes in first, so the store is what the app shows.
        store.sync_bundle(load_bundle(settings().data_dir))
        bar = None if args.quiet else progress_bar()
        result: ImportResult
        if args.format == "acled":
            result = importers.import_acled(
                args.file, store, deletions=args.deletions, progress=bar
            )
        elif args.format == "aiddata":
            result = importers.import_aiddata(args.file, store, progress=bar)
        elif args.format == "csv" and args.as_ == "sites":
            mapping = importers.parse_mapping(args.map or "", sites=True)
            result = importers.import_csv_sites(
                args.file,
                store,
                mapping,
                category=category or Category.OTHER,
                progress=bar,
                provenance=args.provenance or "",
                licence=args.licence or "",
            )
        elif args.format == "csv":
            mapping = importers.parse_mapping(args.map or "")
            result = importers.import_csv(
                args.file, store, mapping, deletions=args.deletions, progress=bar, category=category
            )
        else:
            mapping = importers.parse_mapping(args.map or "")
            result = importers.import_geojson(
                args.file, store, mapping, deletions=args.deletions, progress=bar
            )
    except UnreadableFile as exc:
        print(f"geo import: {exc}", file=sys.stderr)
        print("loaded 0, rejected 0")
        return 2
    except (ValueError, StoreError) as exc:
        print(f"geo import: {exc}", file=sys.stderr)
        return 2
    finally:
        store.close()
    if bar is not None:
        sys.stderr.write("\n")
    for warning in getattr(result, "warnings", []):
        print(f"{args.file}: warning: {warning}", file=sys.stderr)
    with result.rejects:  # the rejects' temporary file goes once they are reported
        if args.rejects:
            write_rejects(args.rejects, result.rejects)
        elif result.rejects:
            for reject in result.rejects.first[:20]:
                print(f"{args.file}:{reject.line}: {reject.reason}", file=sys.stderr)
            if result.rejected > 20:
                print(
                    f"... {result.rejected - 20} more (--rejects FILE lists them all)",
                    file=sys.stderr,
                )
    print(f"{result.summary()} into {path}", file=sys.stderr)
    print(f"loaded {result.loaded}, rejected {result.rejected}")
    return 0 if result.loaded or result.counts.deleted else 1


def _bench(args: argparse.Namespace) -> int:
    from geo.cli_tools import run_tool

    return run_tool("bench", "bench", args)


def register(commands: Any) -> None:
    """Add ``import`` and ``bench`` to the ``geo`` command's subparsers."""
    imp = commands.add_parser(
        "import",
        help="import ACLED, CSV or GeoJSON events, CSV sites or AidData GCDF projects into a store",
    )
    imp.add_argument("format", choices=["acled", "csv", "geojson", "aiddata"])
    imp.add_argument("file", help="the file to import")
    imp.add_argument(
        "--store", help=f"store file (default: $GEO_STORE, else {DEFAULT_STORE}); created"
    )
    imp.add_argument(
        "--database",
        metavar="URL",
        help="import into this PostgreSQL/PostGIS database (default: $GEO_DATABASE_URL)",
    )
    imp.add_argument("--rejects", help="write every rejected row here as CSV: line,reason")
    imp.add_argument("--deletions", help="CSV of event ids to delete (ACLED's deletions list)")
    imp.add_argument(
        "--map",
        help="csv/geojson: field=column pairs, e.g. lat=Y,lon=X,id=uid,date=day,country=cc",
    )
    imp.add_argument(
        "--category",
        help="csv: the layer of rows whose own category column is empty (e.g. detention)",
    )
    imp.add_argument(
        "--as",
        dest="as_",
        choices=["events", "sites"],
        default="events",
        help="csv: rows are events (default) or sites (a facility list; --map id=,name=,...)",
    )
    imp.add_argument(
        "--provenance",
        help="csv --as sites: where the file comes from (shown on the About page and in exports)",
    )
    imp.add_argument(
        "--licence",
        help="csv --as sites: the file's licence or terms, as its publisher states them",
    )
    imp.add_argument("--quiet", action="store_true", help="no progress bar")
    imp.set_defaults(func=_import)

    bench = commands.add_parser(
        "bench", help="time the atlas at 10k-1M synthetic events against the naive map"
    )
    bench.add_argument("--sizes", default="10000,100000,1000000")
    bench.add_argument("--json", help="write the records here")
    bench.add_argument("--work-dir", help="keep datasets and stores here (default: a temp dir)")
    bench.add_argument("--naive-limit", type=float, default=120.0, help="seconds per naive step")
    bench.add_argument("--no-naive", action="store_true", help="measure the atlas only")
    bench.add_argument("--no-browser", action="store_true", help="skip the Chromium timing")
    bench.add_argument("--no-rerun", action="store_true", help="skip the AppTest page rerun")
    bench.add_argument(
        "--search",
        action="store_true",
        help="time the search box instead: a place's names (any script) against one word, "
        "on --engines (default duckdb)",
    )
    bench.add_argument(
        "--import-memory",
        action="store_true",
        help="measure the peak memory of importing a large CSV and ACLED file instead",
    )
    bench.add_argument(
        "--csv-rows", type=int, default=1_000_000, help="--import-memory: rows of the CSV"
    )
    bench.add_argument(
        "--acled-rows", type=int, default=200_000, help="--import-memory: rows of the ACLED file"
    )
    bench.add_argument(
        "--geojson-rows",
        type=int,
        default=200_000,
        help="--import-memory: point features of the GeoJSON file (0: none)",
    )
    bench.add_argument(
        "--aiddata-rows",
        type=int,
        default=20_000,
        help="--import-memory: projects (polygon footprints) of the AidData file (0: none)",
    )
    bench.add_argument(
        "--site-rows",
        type=int,
        default=200_000,
        help="--import-memory: rows of the facility list imported as sites (0: none)",
    )
    bench.add_argument(
        "--bad-rows",
        type=int,
        default=2_000_000,
        help="--import-memory: rows of the ACLED file whose every row is bad, imported with "
        "--rejects, against every reject held in memory (0: none)",
    )
    bench.add_argument(
        "--duplicate-rows",
        type=int,
        default=1_000_000,
        help="--import-memory: rows of the CSV whose rows repeat one id (every tenth bad), "
        "imported with --rejects, against every reject held in memory (0: none)",
    )
    bench.add_argument(
        "--upload-rows",
        type=int,
        default=90_000,
        help="--import-memory: rows of the ACLED and GeoJSON files uploaded on the Import page "
        "(about 23 and 21 MB) and of the ACLED file of bad rows (23 MB), and four times the "
        "projects of the AidData file uploaded",
    )
    bench.add_argument(
        "--engines",
        help="compare store engines instead (e.g. duckdb,postgis): the same import and queries "
        "on each, side by side",
    )
    bench.add_argument(
        "--first-visit",
        action="store_true",
        help="time the first map a visitor sees (cold and warm server) on the bundled data, "
        "against a bare 100-point streamlit-folium page",
    )
    bench.add_argument(
        "--servers", type=int, default=3, help="--first-visit: fresh servers per app"
    )
    bench.add_argument(
        "--visits", type=int, default=4, help="--first-visit: warm visits per server"
    )
    bench.add_argument(
        "--first-draw",
        action="store_true",
        help="time the server's CPU for the first map of views nobody has opened yet, "
        "drawn whole by streamlit-folium against the Map page's way, on the bundled data",
    )
    bench.add_argument("--views", type=int, default=40, help="--first-draw: distinct views")
    bench.add_argument("--rounds", type=int, default=3, help="--first-draw: runs, best kept")
    bench.add_argument(
        "--draw-sizes",
        default="",
        help="--first-draw: also on synthetic ACLED exports of these sizes (e.g. 5000)",
    )
    bench.set_defaults(func=_bench)
