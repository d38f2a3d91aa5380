"""Fixtures shared by every test suite: where the repository, its data and the corpus are."""

from __future__ import annotations

import itertools
import os
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from atlas_tools.pgserver import LocalPostgres, PostgresMissing
from geo.bundle import Bundle

REPO_ROOT = Path(__file__).resolve().parents[1]
# The shared inputs the tests read in place and never copy: the corpus of article texts and
# the publishers' files in external/. $GEO_SHARED_DIR, else the folder beside the clone.
SHARED_DIR = Path(os.environ.get("GEO_SHARED_DIR") or REPO_ROOT.parent / "shared")
EXTERNAL_DIR = SHARED_DIR / "external"


# The curated data of "another analyst": the bundle's first 60 events, under another version.
OTHER_VERSION = "0ther0ther00"


def other_curated(bundle: Bundle, **changes: object) -> Bundle:
    """``bundle`` as another data folder holds it (:data:`OTHER_VERSION`, 60 events, and
    ``changes`` to any other frame)."""
    fields = {"events": bundle.events.iloc[:60].copy(), **changes}
    return replace(bundle, version=OTHER_VERSION, **fields)


def acled_export(
    folder: Path,
    name: str,
    size: int,
    first: int,
    timestamp: int,
    edit: Callable[[pd.DataFrame], None] | None = None,
) -> Path:
    """A synthetic ACLED export of ``size`` events numbered from ``first`` (``EV<n>``),
    stamped ``timestamp``, its notes naming it, then ``edit``-ed."""
    from atlas_tools.workload import synthetic_acled

    frame = pd.read_csv(synthetic_acled(size, folder / f"{name}-raw.csv"), dtype=str)
    frame["event_id_cnty"] = [f"EV{first + i}" for i in range(size)]
    frame["timestamp"] = str(timestamp)
    frame["notes"] = f"from {name}"
    if edit is not None:
        edit(frame)
    path = folder / f"{name}.csv"
    frame.to_csv(path, index=False)
    return path


@contextmanager
def read_only(folder: Path) -> Iterator[Path]:
    """``folder`` and everything in it read-only while the block runs, for root too: the
    permissions lose their write bits, and as root (whom permissions do not stop, as in the
    test container) the folder is also bind-mounted read-only over itself. The block runs
    only once a write in the folder has been seen to fail, so a test of it means something."""
    modes = {path: path.stat().st_mode for path in [folder, *folder.rglob("*")]}
    for path, mode in modes.items():
        path.chmod(mode & ~0o222)
    mounted = False
    try:
        if os.geteuid() == 0:
            done = subprocess.run(
                ["mount", "--bind", "-o", "ro", str(folder), str(folder)],
                capture_output=True,
                text=True,
                timeout=30,
            )
            if done.returncode:
                pytest.fail(
                    f"running as root, {folder} could only be made read-only by a read-only "
                    f"bind mount, which failed: {done.stderr.strip()}",
                    pytrace=False,
                )
            mounted = True
        try:
            (folder / ".write-probe").write_text("x", encoding="utf-8")
        except OSError:
            pass
        else:
            pytest.fail(f"{folder} is still writable", pytrace=False)
        yield folder
    finally:
        if mounted:
            subprocess.run(["umount", str(folder)], check=True, timeout=30)
        for path, mode in modes.items():
            path.chmod(mode)


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The bundled data folder (events, sites, sources, excerpts, geo/)."""
    return REPO_ROOT / "data"


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The folder of article texts: $GEO_CORPUS_DIR, else ``<repo>/../shared/corpus``."""
    tried: list[str] = []
    env = os.environ.get("GEO_CORPUS_DIR")
    if env:
        if Path(env).is_dir():
            return Path(env).resolve()
        tried.append(f"GEO_CORPUS_DIR={env}")
    else:
        tried.append("GEO_CORPUS_DIR (not set)")
    fallback = SHARED_DIR / "corpus"
    if fallback.is_dir():
        return fallback.resolve()
    tried.append(str(fallback))
    pytest.fail(
        "No corpus folder of article texts found; tried "
        + " and ".join(tried)
        + ". Set GEO_CORPUS_DIR to the folder holding the seed article text (or GEO_SHARED_DIR "
        "to the shared folder holding corpus/ and external/).",
        pytrace=False,
    )


# ---- the shared-database engine: one PostgreSQL server per test session ----

ENGINES = ("duckdb", "postgis")
_databases = itertools.count(1)


@pytest.fixture(scope="session")
def postgres() -> Iterator[LocalPostgres]:
    """A PostgreSQL server with PostGIS on loopback, in a temporary folder, for the session."""
    try:
        server = LocalPostgres()
    except PostgresMissing as exc:
        pytest.fail(str(exc), pytrace=False)
    yield server
    server.close()


@pytest.fixture(scope="session")
def pg_template(postgres: LocalPostgres) -> str:
    """A database with the atlas's schema, copied for each test (cheaper than migrating)."""
    from geo.store.pg import migrate

    migrate(postgres.create_database("atlas_template"))
    return "atlas_template"


@pytest.fixture
def database_url(postgres: LocalPostgres, pg_template: str) -> str:
    """The URL of a fresh database with the atlas's schema and no rows."""
    return postgres.create_database(f"test_{os.getpid()}_{next(_databases)}", pg_template)


_roles = itertools.count(1)


def read_only_role(url: str) -> str:
    """The URL of the database at ``url`` for a new role that may only read it (SELECT on
    its tables, as a dashboard's ``atlas_reader`` would have)."""
    import psycopg
    from psycopg.conninfo import make_conninfo

    role = f"reader_{os.getpid()}_{next(_roles)}"  # names made here, never user text
    with psycopg.connect(url, autocommit=True) as con:
        con.execute(f'CREATE ROLE "{role}" LOGIN')
        con.execute(f'GRANT USAGE ON SCHEMA public TO "{role}"')
        con.execute(f'GRANT SELECT ON ALL TABLES IN SCHEMA public TO "{role}"')
    return make_conninfo(url, user=role)


def assert_rollups_add_up(url: str) -> None:
    """No empty rollup rows, and each rollup adds up to the events."""
    import psycopg

    from geo.store.pg import CUBE_RESOLUTIONS

    with psycopg.connect(url) as con:
        for table in ("event_cube", "actor_cube", "cell_cube"):
            row = con.execute(f"SELECT count(*) FROM {table} WHERE events <= 0").fetchone()
            assert row == (0,), table
        events = con.execute("SELECT count(*) FROM events").fetchone()
        assert con.execute("SELECT sum(events) FROM event_cube").fetchone() == events
        per_level = con.execute(
            "SELECT resolution, sum(events) FROM cell_cube GROUP BY 1 ORDER BY 1"
        ).fetchall()
        assert per_level == [(r, events[0]) for r in CUBE_RESOLUTIONS]


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def new_store(engine: str, request: pytest.FixtureRequest) -> Iterator[Callable[[], object]]:
    """Makes empty stores of the test's engine (all on one fresh database for PostGIS)."""
    from geo.store import DuckStore
    from geo.store.pg import PgStore

    made: list[DuckStore | PgStore] = []
    url = request.getfixturevalue("database_url") if engine == "postgis" else ""

    def make() -> DuckStore | PgStore:
        store: DuckStore | PgStore = PgStore(url) if url else DuckStore()
        made.append(store)
        return store

    yield make
    for store in made:
        store.close()
