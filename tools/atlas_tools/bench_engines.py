"""``geo bench --engines duckdb,postgis``: the same import and the same queries on each store
engine, side by side.

For each size the deterministic synthetic ACLED export of :mod:`atlas_tools.workload` is
imported with ``geo import``'s own code into a fresh store of each engine (a DuckDB file; a
database on a PostgreSQL server this run starts on loopback with :mod:`atlas_tools.pgserver`,
fsync on), then the benchmark's filter changes are run against each, every query kind
timed on its own.
``postgis-events`` is the database read the naive way, every count from the events table
and none from its rollups (it reuses the ``postgis`` database when both run):

- ``count``: events in view; ``timeline``: events per month and country;
- ``regions``: events per admin-1 region; ``cells``: the map's H3 hexagons (at the view's
  zoom, inside its box, as the map asks for them);
- ``cell_page``: the first 25 events of the view's busiest hexagon, by date;
- ``markers``: the events of a narrow view (one month, one country), as the map reads them.

Each query runs once untimed first (both engines start warm). ``rerun`` is a whole map-page
rerun after a filter change (server time, :func:`atlas_tools.workload.time_rerun`) on that store.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from atlas_tools.workload import filter_changes, synthetic_acled, time_rerun
from geo import query, viewport
from geo.bundle import load_bundle
from geo.importers.acled import import_acled
from geo.store import DATABASE_ENV, ROLLUPS_ENV, STORE_ENV, DuckStore, Store, StoreReader
from geo.view import ViewState

if TYPE_CHECKING:
    from atlas_tools.pgserver import LocalPostgres

ENGINES = ("duckdb", "postgis", "postgis-events")
QUERIES = ("count", "timeline", "regions", "cells", "cell_page", "markers")
Log = Callable[[str], None]


@dataclass
class EngineRecord:
    engine: str
    size: int
    import_s: float | None  # None: the store of another engine's row was read
    # query kind -> (p50, p95) seconds
    queries: dict[str, tuple[float, float]] = field(default_factory=dict)
    rerun_s: float | None = None


def _narrow(view: ViewState) -> ViewState:
    """One month and one country of ``view``: a view small enough to draw as markers."""
    return ViewState(view.end, view.end, countries=view.countries[:1] or ("KAZ",))


def _query(store: StoreReader, kind: str, view: ViewState) -> object:
    if kind == "count":
        return store.count_events(view)
    if kind == "timeline":
        return store.monthly_counts(view)
    if kind == "regions":
        return store.region_counts(view)
    if kind == "cells":
        return query.cell_counts(store, view)
    if kind == "cell_page":
        found = query.cell_counts(store, view).counts
        if not len(found):
            return None
        busiest = int(found.sort_values("events").iloc[-1]["cell"])
        return store.events_in_cell(view, viewport.resolution_for(view.zoom), busiest, limit=25)
    if kind == "markers":
        return store.events(_narrow(view))
    raise ValueError(kind)


def _percentiles(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return round(statistics.median(ordered), 5), round(p95, 5)


def time_queries(store: StoreReader, views: Sequence[ViewState]) -> dict[str, tuple[float, float]]:
    """p50 and p95 seconds of each query kind over ``views``."""
    out = {}
    for kind in QUERIES:
        _query(store, kind, views[0])  # warm
        times = []
        for view in views:
            started = time.perf_counter()
            _query(store, kind, view)
            times.append(time.perf_counter() - started)
        out[kind] = _percentiles(times)
    return out


def _import(
    engine: str, size: int, data: Path, folder: Path, server: LocalPostgres | None, log: Log
) -> tuple[Store, str, float]:
    """A fresh store of ``engine`` holding the bundle and ``data``; where the app finds it
    (a file, or a database URL); the import's seconds."""
    store: Store
    if engine == "duckdb":
        path = folder / f"engines-{size}.duckdb"
        for stale in (path, path.with_suffix(".duckdb.wal")):
            stale.unlink(missing_ok=True)
        store, where = DuckStore(path), str(path)
    else:
        from geo.store.shared import connect

        assert server is not None
        where = server.create_database(f"bench_{size}_{engine.replace('-', '_')}")
        store = connect(where, rollups=engine != "postgis-events")
    store.sync_bundle(load_bundle())
    log(f"[{size}] {engine}: importing")
    started = time.perf_counter()
    result = import_acled(data, store)
    seconds = round(time.perf_counter() - started, 2)
    log(f"[{size}] {engine}: {result.summary()} in {seconds}s")
    return store, where, seconds


def run(
    sizes: Sequence[int],
    engines: Sequence[str] = ENGINES,
    *,
    work_dir: Path | None = None,
    rerun: bool = True,
    log: Log = print,
) -> list[EngineRecord]:
    """Import and query each size on each engine (and time a page rerun unless ``rerun`` is
    False)."""
    unknown = [e for e in engines if e not in ENGINES]
    if unknown:
        raise ValueError(f"unknown engine(s): {', '.join(unknown)} (known: {', '.join(ENGINES)})")
    folder = Path(work_dir or tempfile.mkdtemp(prefix="geo-bench-engines-"))
    folder.mkdir(parents=True, exist_ok=True)
    views = filter_changes()
    server = None
    records: list[EngineRecord] = []
    try:
        if any(e.startswith("postgis") for e in engines):
            from atlas_tools.pgserver import LocalPostgres

            log("starting PostgreSQL on loopback")
            server = LocalPostgres(durable=True)
        for size in sizes:
            data = folder / f"acled-{size}.csv"
            if not data.exists():
                log(f"[{size}] writing the synthetic export")
                synthetic_acled(size, data)
            database = ""
            for engine in engines:
                import_s: float | None = None
                if engine == "postgis-events" and database:
                    from geo.store.shared import connect

                    store: Store = connect(database, rollups=False)
                    where = database
                else:
                    store, where, import_s = _import(engine, size, data, folder, server, log)
                    if engine == "postgis":
                        database = where
                record = EngineRecord(engine, size, import_s)
                record.queries = time_queries(store, views)
                store.close()
                log(f"[{size}] {engine}: {record.queries}")
                if rerun:
                    record.rerun_s = round(_rerun(engine, where, log), 3)
                    log(f"[{size}] {engine}: page rerun {record.rerun_s}s")
                records.append(record)
    finally:
        if server is not None:
            server.close()
    return records


def _rerun(engine: str, where: str, log: Log) -> float:
    """Median server time of a map-page rerun on the store at ``where``."""
    if engine == "duckdb":
        return time_rerun({STORE_ENV: where}, log)[0]
    rollups = "off" if engine == "postgis-events" else "on"
    return time_rerun({DATABASE_ENV: where, ROLLUPS_ENV: rollups}, log)[0]


def write_json(records: list[EngineRecord], path: Path) -> None:
    path.write_text(json.dumps([asdict(r) for r in records], indent=2) + "\n")


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f}"


def table(records: list[EngineRecord]) -> str:
    """A Markdown table: one row per size and measurement, one column pair per engine
    (p50 / p95 in milliseconds; import in seconds)."""
    engines = [e for e in ENGINES if any(r.engine == e for r in records)]
    lines = [
        "| size | measure | " + " | ".join(engines) + " |",
        "|---:|---|" + "---:|" * len(engines),
    ]
    by_key = {(r.engine, r.size): r for r in records}
    for size in sorted({r.size for r in records}):
        found = [by_key.get((e, size)) for e in engines]
        cells = [_import_cell(r) for r in found]
        lines.append(f"| {size:,} | import | " + " | ".join(cells) + " |")
        for kind in QUERIES:
            cells = [
                f"{_ms(r.queries[kind][0])} / {_ms(r.queries[kind][1])} ms"
                if r and kind in r.queries
                else "—"
                for r in found
            ]
            lines.append(f"| {size:,} | {kind} p50 / p95 | " + " | ".join(cells) + " |")
        if any(r and r.rerun_s is not None for r in found):
            cells = [f"{_ms(r.rerun_s)} ms" if r and r.rerun_s is not None else "—" for r in found]
            lines.append(f"| {size:,} | page rerun | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _import_cell(record: EngineRecord | None) -> str:
    if record is None:
        return "—"
    return "(same database)" if record.import_s is None else f"{record.import_s:,.1f} s"
