"""``geo bench --search``: the search box at scale, a place's names against one word.

For each size, a synthetic ACLED export (:func:`atlas_tools.workload.synthetic_acled`) is
imported into each engine, and each query is counted the way a page counts its view
(``count_events``, the events read, no rollup), twice: as the search does it (the query and,
when it names a place, every name of that place, OR-ed: :func:`geo.store.sql.search_filter`)
and as one literal substring of the query alone, the search before place names. Medians of
seven runs after one untimed run.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from atlas_tools.workload import synthetic_acled
from geo import placenames
from geo.importers.acled import import_acled
from geo.store import DuckStore, StoreReader, sql
from geo.view import ViewState

QUERIES = (
    "almaty",
    "Astana",
    "Nur-Sultan",
    "Жанаозен",
    "Zhanaozan",
    "Бишкек",
    "Khorgos",
    "Mangghystau",
    "protest",
)
RUNS = 7


def _one_word(query: str) -> placenames.SearchTerms:
    return placenames.SearchTerms((query.casefold(),))


def _median_ms(store: StoreReader, view: ViewState) -> tuple[float, int]:
    count = store.count_events(view)
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        store.count_events(view)
        times.append(time.perf_counter() - started)
    return round(statistics.median(times) * 1000, 1), count


def time_search(store: StoreReader) -> list[dict[str, object]]:
    """One row per query: the names searched, events found and median ms, both ways."""
    rows = []
    search_terms = sql.placenames.search_terms
    for query in QUERIES:
        view = ViewState("2014-01", "2024-12", query=query)
        try:
            sql.placenames.search_terms = _one_word
            word_ms, word_n = _median_ms(store, view)
        finally:
            sql.placenames.search_terms = search_terms
        names_ms, names_n = _median_ms(store, view)
        rows.append(
            {
                "query": query,
                "names": len(search_terms(query).texts),
                "word_events": word_n,
                "word_ms": word_ms,
                "place_events": names_n,
                "place_ms": names_ms,
            }
        )
    return rows


def run(
    sizes: Sequence[int], engines: Sequence[str], work_dir: Path | None, log: Callable[[str], None]
) -> str:
    """Import each size into each engine, time the queries; the results as a Markdown table."""
    lines = [
        "| engine | size | query | names | events (word) | events (place) | word | place |",
        "|---|---:|---|---:|---:|---:|---:|---:|",
    ]
    with tempfile.TemporaryDirectory() as tmp:
        folder = work_dir or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        server = None
        try:
            for size in sizes:
                data = folder / f"search-{size}.csv"
                if not data.exists():
                    synthetic_acled(size, data)
                for engine in engines:
                    if engine == "duckdb":
                        path = folder / f"search-{size}.duckdb"
                        path.unlink(missing_ok=True)
                        writer = DuckStore(path)
                    elif engine == "postgis":
                        from atlas_tools.pgserver import LocalPostgres
                        from geo.store.pg import PgStore

                        server = server or LocalPostgres()
                        writer = PgStore(server.create_database(f"search_{size}"))
                    else:
                        raise ValueError(f"unknown engine {engine!r} (duckdb or postgis)")
                    log(f"[{size}] {engine}: importing")
                    import_acled(data, writer)
                    for row in time_search(writer):
                        lines.append(
                            f"| {engine} | {size:,} | {row['query']} | {row['names']} | "
                            f"{row['word_events']:,} | {row['place_events']:,} | "
                            f"{row['word_ms']} ms | {row['place_ms']} ms |"
                        )
                    writer.close()
        finally:
            if server is not None:
                server.close()
    return "\n".join(lines)
