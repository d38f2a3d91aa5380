"""``geo export``: the view a permalink opens, as CSV (events, or sites), a zip of both,
GeoJSON, the brief (HTML or PDF) or the map as an image.

The link's query string is decoded exactly as the app decodes it (:func:`geo.view.decode`);
each parameter that falls back to its default is reported on stderr, and the export holds
what the app would show for that link.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from geo.bundle import borders_geojson, load_bundle
from geo.settings import settings


def register(commands: Any) -> None:
    """Add ``export`` to the ``geo`` command's subcommands."""
    export = commands.add_parser(
        "export",
        help="write the view a permalink opens as CSV, GeoJSON, a brief (HTML, PDF) or a map image",
        description=(
            "Write the view a permalink opens (any link the app gives, or just its ?query) "
            "as CSV (its events with ACLED's column names, or its sites), both CSVs in a "
            "zip, GeoJSON, a self-contained HTML brief, the brief as an A4 PDF, or the map as "
            "a 1600x900 PNG."
        ),
    )
    export.add_argument(
        "--format",
        choices=("csv", "sites", "zip", "geojson", "brief", "pdf", "png"),
        required=True,
        help=(
            "csv: the events (ACLED columns); sites: the sites; zip: both CSVs; brief: the "
            "HTML brief; pdf: the brief as an A4 PDF; png: the map, 1600x900"
        ),
    )
    export.add_argument(
        "--url", default="", help="the permalink (default: the whole data, no filters)"
    )
    export.add_argument("-o", "--output", required=True, help="file to write ('-' for stdout)")
    export.add_argument(
        "--data", help="data folder (default: $GEO_DATA_DIR, else the bundled data/)"
    )
    export.add_argument("--corpus", help="folder of article texts (default: $GEO_CORPUS_DIR)")
    export.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from geo import export, query

    configured = settings()
    if configured.public_url_problem:
        print(f"geo export: {configured.public_url_problem}", file=sys.stderr)
        return 2
    corpus = Path(args.corpus) if args.corpus else configured.corpus_dir
    if corpus and not corpus.is_dir():
        print(f"geo export: corpus folder not found: {corpus}", file=sys.stderr)
        return 2
    bundle = load_bundle(Path(args.data) if args.data else configured.data_dir, corpus)
    if bundle.file_errors:
        for problem in bundle.file_errors:
            print(f"geo export: {problem}", file=sys.stderr)
        return 1
    bounds = export.view_bounds(bundle)
    decoded = export.view_from_link(args.url, bounds)
    for notice in decoded.notices:
        print(f"geo export: link: {notice}", file=sys.stderr)
    state = decoded.state
    filtered = query.apply(bundle, state)
    # The link the exports cite is the one to what they hold: the given page (on the public
    # address, GEO_PUBLIC_URL, when one is set), and the view's own parameters (a parameter
    # that fell back is left out, as the app rewrites its URL).
    page = args.url.strip().split("?")[0]
    public = configured.public_base
    link = (
        export.permalink(page, state, bounds, public_url=public)
        if args.url.strip() or public
        else None
    )
    text: str | bytes
    if args.format == "csv":
        text = export.to_csv(bundle, filtered)
    elif args.format == "sites":
        text = export.sites_csv(bundle, filtered)
    elif args.format == "zip":
        text = export.to_zip(bundle, filtered, state, link)
    elif args.format == "pdf":
        text = export.brief_pdf(
            bundle,
            filtered,
            state,
            link=link,
            borders=borders_geojson(),
            generated=datetime.now(UTC),
        )
    elif args.format == "png":
        text = export.map_png(bundle, filtered, state, borders=borders_geojson())
    elif args.format == "geojson":
        text = export.to_geojson(bundle, filtered, state, link)
    else:
        try:
            text = export.brief_html(
                bundle,
                filtered,
                state,
                link=link,
                borders=borders_geojson(),
                generated=datetime.now(UTC),
                fetch_assets=True,
            )
        except export.BriefUnavailable as exc:
            print(f"geo export: {exc}", file=sys.stderr)
            return 1
    if args.output == "-" and isinstance(text, str):
        sys.stdout.write(text)
    elif args.output == "-" and isinstance(text, bytes):
        sys.stdout.flush()
        sys.stdout.buffer.write(text)
        sys.stdout.buffer.flush()
    else:
        Path(args.output).write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    print(f"geo export: {export.describe_view(state, filtered)}", file=sys.stderr)
    return 0
