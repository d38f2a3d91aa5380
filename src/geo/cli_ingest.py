"""``geo ingest``: articles (files or folders of .txt, .md, .html) to the review queue.

``geo ingest PATH…`` reads each article, extracts candidate events and queues the new ones
for review on the ingest page; ``--json`` prints one JSON object per candidate on stdout;
``--bench`` times the extraction (articles per second). Progress and problems go to stderr;
the exit status is 1 when a file was refused, 2 when there was nothing to read.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from geo.settings import default_data_dir
from geo.settings import settings as geo_settings


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``ingest`` subcommand to the ``geo`` command."""
    parser = commands.add_parser(
        "ingest",
        help="extract candidate events from articles and queue them for review",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("paths", nargs="*", type=Path, help="article files or folders")
    parser.add_argument("--json", action="store_true", help="print candidates as JSON lines")
    parser.add_argument(
        "--data",
        type=Path,
        help="data folder (default: $GEO_DATA_DIR or the bundled data/)",
    )
    parser.add_argument(
        "--store", type=Path, help="article store (default: $GEO_STORE_DIR or <data>/articles)"
    )
    parser.add_argument(
        "--queue",
        type=Path,
        help="review queue file (default: $GEO_QUEUE or <data>/review/queue.jsonl)",
    )
    parser.add_argument(
        "--corpus", type=Path, help="corpus folder also holding article texts ($GEO_CORPUS_DIR)"
    )
    parser.add_argument(
        "--published",
        type=date.fromisoformat,
        help="publication date (YYYY-MM-DD) for relative dates, overriding the articles'",
    )
    parser.add_argument("--dry-run", action="store_true", help="write nothing: no queue, no store")
    parser.add_argument(
        "--bench", action="store_true", help="time extraction (default article: the seed)"
    )
    parser.add_argument("--seconds", type=float, default=2.0, help="how long --bench runs")
    parser.add_argument(
        "--articles",
        type=int,
        metavar="N",
        help="with --bench: time `geo ingest` end to end on N copies of the articles, "
        "written to a review queue in a temporary folder (start-up included)",
    )
    parser.set_defaults(func=run)


def _progress(done: int, total: int, name: str) -> None:
    print(f"ingest: [{done}/{total}] {name}", file=sys.stderr, flush=True)


def _bench(args: argparse.Namespace) -> int:
    from geo.ingest import bench
    from geo.ingest.pipeline import collect

    paths = list(args.paths)
    if not paths:
        # Unless configured, the shared inputs beside the checkout (the tests' corpus).
        corpus = geo_settings().corpus_dir or default_data_dir().parents[1] / "shared" / "corpus"
        seed = corpus / "cpc-2021-04-anti-china-protests-kazakhstan.txt"
        if not seed.is_file():
            print(
                "geo ingest --bench: give article files (the seed article was not found)",
                file=sys.stderr,
            )
            return 2
        paths = [seed]
    files = [(p.name, p.read_bytes()) for p, problem in collect(paths) if not problem]
    if not files:
        print("geo ingest --bench: no readable article files", file=sys.stderr)
        return 2
    if args.articles:
        import tempfile

        from geo.ingest.language import detect

        language = detect(files[0][1].decode("utf-8", "replace")).name
        with tempfile.TemporaryDirectory(prefix="geo-ingest-bench-") as folder:
            print(bench.end_to_end(files, args.articles, args.data, Path(folder), language))
        return 0
    print(bench.run(files, args.data, seconds=args.seconds))
    return 0


def run(args: argparse.Namespace) -> int:
    """Run ``geo ingest`` with parsed arguments; returns the exit status."""
    if args.data is None:
        args.data = geo_settings().data_dir
    if args.bench:
        return _bench(args)
    if not args.paths:
        print("geo ingest: give article files or folders (or --bench)", file=sys.stderr)
        return 2
    from geo.ingest.pipeline import Settings, ingest_paths

    corpus = args.corpus or geo_settings().corpus_dir
    settings = Settings.for_data(
        args.data,
        store=args.store,
        queue=args.queue,
        corpus=corpus,
        published=args.published,
        dry_run=args.dry_run,
    )
    reports = ingest_paths(args.paths, settings, progress=_progress)
    refused = 0
    for report in reports:
        if report.error:
            refused += 1
            print(f"geo ingest: {report.summary()}", file=sys.stderr)
        elif not args.json:
            print(report.summary())
        for notice in report.notices if args.json else ():
            print(f"geo ingest: {report.name}: {notice}", file=sys.stderr)
        if args.json:
            for record in report.records:
                print(json.dumps(record, ensure_ascii=False, sort_keys=True))
    total = sum(len(r.records) for r in reports)
    new = sum(r.new for r in reports)
    where = "nothing written (--dry-run)" if args.dry_run else f"queue: {settings.queue_path}"
    print(
        f"{len(reports)} file(s), {refused} refused; {total} candidate(s), {new} new; {where}",
        file=sys.stderr if args.json else sys.stdout,
    )
    return 1 if refused else 0
