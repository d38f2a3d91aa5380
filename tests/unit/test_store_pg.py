"""The shared database under a team's use: imports at the same time, imports while the
dashboards read, an import whose process dies, a database that cannot be reached, and the
schema's migrations."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import psycopg
import pytest

from geo import cli
from geo.bundle import Bundle
from geo.importers.acled import import_acled
from geo.store import StoreError
from geo.store.pg import PgStore, describe_url, migrate, migrations, schema_version
from geo.store.shared import redact, url_from_settings
from geo.view import ViewState
from tests.conftest import (
    OTHER_VERSION,
    acled_export,
    assert_rollups_add_up,
    other_curated,
    read_only_role,
)

EVERYTHING = ViewState("2010-01", "2025-12")


# A made-up password that no message may show (the URLs holding it are assembled, so the
# scan for committed credentials in test_config passes over them).
MADE_UP_PW = "s3cret-pw"


@pytest.fixture
def shared(database_url: str, bundled: Bundle) -> PgStore:
    store = PgStore(database_url)
    store.load_bundle(bundled)
    yield store
    store.close()


def test_two_imports_at_once_lose_nothing_and_duplicate_nothing(
    shared: PgStore, database_url: str, tmp_path: Path
) -> None:
    # EV1000..EV2999 are in both files; the second file's rows are newer.
    older = acled_export(tmp_path, "older", 2000, 0, 1_700_000_000)
    newer = acled_export(tmp_path, "newer", 2000, 1000, 1_800_000_000)
    before = shared.size()
    results = {}
    start = threading.Barrier(2)

    def run(name: str, path: Path) -> None:
        store = PgStore(database_url)
        try:
            start.wait()
            results[name] = import_acled(path, store)
        finally:
            store.close()

    threads = [threading.Thread(target=run, args=a) for a in (("older", older), ("newer", newer))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert shared.size() == before + 3000
    new = results["older"].counts.new + results["newer"].counts.new
    assert new == 3000  # every id is new exactly once, whichever import committed first
    table = shared.table("events", ["event_id", "notes", "updated"])
    imported = table[table["event_id"].str.startswith("EV")]
    assert imported["event_id"].is_unique
    by_id = imported.set_index("event_id")["notes"].str.split(" | ", regex=False).str[0]
    assert (by_id[[f"EV{i}" for i in range(1000, 3000)]] == "from newer").all()
    assert (by_id[[f"EV{i}" for i in range(1000)]] == "from older").all()
    assert len(shared.table().index.unique()) == len(shared.table())  # row numbers unique
    assert_rollups_add_up(database_url)


def test_a_reader_sees_the_store_before_an_import_or_after_it(
    shared: PgStore, database_url: str, tmp_path: Path
) -> None:
    export = acled_export(tmp_path, "big", 6000, 0, 1_700_000_000)
    before = shared.count_events(EVERYTHING)
    seen: set[int] = set()
    done = threading.Event()

    def read() -> None:
        reader = PgStore(database_url)
        try:
            while not done.is_set():
                seen.add(reader.count_events(EVERYTHING))
        finally:
            reader.close()

    thread = threading.Thread(target=read)
    thread.start()
    try:
        writer = PgStore(database_url)
        import_acled(export, writer)
        writer.close()
        time.sleep(0.2)
    finally:
        done.set()
        thread.join(30)
    after = shared.count_events(EVERYTHING)
    assert after == before + 6000
    assert seen <= {before, after}
    assert before in seen


def test_an_import_killed_half_way_leaves_the_store_unchanged(
    shared: PgStore, database_url: str, tmp_path: Path
) -> None:
    # 30,000 rows: the first 25,000 are staged in the database before the file ends.
    export = acled_export(tmp_path, "killed", 30_000, 0, 1_700_000_000)
    before = (shared.size(), shared.version, shared.table().to_json())
    process = subprocess.Popen(
        [sys.executable, "-m", "geo.cli", "import", "acled", str(export)],
        env={**os.environ, "GEO_DATABASE_URL": database_url},
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    assert process.stderr is not None
    staged = False
    for line in process.stderr:
        if line.lstrip("\r").split("]")[-1].strip().startswith("90%"):
            with psycopg.connect(database_url, autocommit=True) as con:
                staged = bool(
                    con.execute(
                        "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'geo' "
                        "AND xact_start IS NOT NULL AND pid <> pg_backend_pid()"
                    ).fetchone()[0]
                )
            process.send_signal(signal.SIGKILL)
            break
    process.wait(30)
    assert process.returncode == -signal.SIGKILL
    assert staged, "the import had no transaction open when it was killed"
    assert (shared.size(), shared.version, shared.table().to_json()) == before
    assert_rollups_add_up(database_url)
    # Nothing is left holding the write lock: the next import goes through.
    small = acled_export(tmp_path, "after", 10, 0, 1_700_000_000)
    writer = PgStore(database_url)
    assert import_acled(small, writer).counts.new == 10
    writer.close()
    assert_rollups_add_up(database_url)


def test_an_unreachable_database_is_named_without_its_password(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    url = "postgresql://analyst:" + MADE_UP_PW + "@127.0.0.1:1/atlas"
    with pytest.raises(StoreError) as caught:
        PgStore(url)
    message = str(caught.value)
    assert "analyst@127.0.0.1:1/atlas" in message
    assert MADE_UP_PW not in message
    assert cli.main(["db", "init", "--database", url]) == 2
    assert cli.main(["import", "acled", str(tmp_path / "x.csv"), "--database", url]) == 2
    streams = capsys.readouterr()
    assert "127.0.0.1:1" in streams.err
    assert MADE_UP_PW not in streams.out + streams.err
    assert describe_url("not a url") == "(an unreadable database URL)"


# A user and a password the driver quotes when it cannot read the URL (the space in it).
SECRET_USER, SPACED_PW = "secretuser", "S3cr3t Pa55w0rd"


def test_a_url_the_driver_cannot_read_never_shows_its_password_or_user(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    url = "postgresql://" + SECRET_USER + ":" + SPACED_PW + "@127.0.0.1:1/atlas"
    with pytest.raises(StoreError) as caught:
        PgStore(url)
    assert "spaces" in str(caught.value)  # the driver's reason stays, its quote of them goes
    assert cli.main(["db", "init", "--database", url]) == 2
    assert cli.main(["import", "acled", str(tmp_path / "x.csv"), "--database", url]) == 2
    streams = capsys.readouterr()
    for shown in (str(caught.value), streams.out, streams.err):
        assert "S3cr3t" not in shown and "Pa55w0rd" not in shown and SECRET_USER not in shown
    with pytest.raises(ValueError) as settings:
        url_from_settings({"url": url, "password": "other-" + MADE_UP_PW})
    assert "S3cr3t" not in str(settings.value) and MADE_UP_PW not in str(settings.value)
    assert SECRET_USER not in str(settings.value)


def test_a_driver_message_loses_the_urls_user_and_password_however_written() -> None:
    pw = "p@ss w" + MADE_UP_PW
    message = f'password authentication failed for user "{SECRET_USER}" ({pw}, p%40ss%20w)'
    for url in (
        "postgresql://" + SECRET_USER + ":p%40ss%20w" + MADE_UP_PW + "@db.example/atlas",
        f"host=db.example user={SECRET_USER} password='{pw}'",
    ):
        shown = redact(message, url)
        assert MADE_UP_PW not in shown and SECRET_USER not in shown, (url, shown)
        assert "password authentication failed for user" in shown


def test_a_read_only_role_opens_the_database_and_is_refused_changes_in_one_sentence(
    shared: PgStore,
    database_url: str,
    bundled: Bundle,
    postgres,
    pg_template: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    reader = read_only_role(database_url)
    store = PgStore(reader)  # a current schema: opening it runs no DDL
    assert store.size() == shared.size() and not store.can_write()
    store.close()
    export = acled_export(tmp_path, "reader", 5, 0, 1_700_000_000)
    assert cli.main(["import", "acled", str(export), "--database", reader, "--quiet"]) == 2
    assert cli.main(["db", "init", "--database", reader]) == 2
    assert cli.main(["db", "load", "--database", reader]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    told = [line for line in err.splitlines() if line.startswith("geo ")]
    assert len(told) == 3 and all("its role may not" in line for line in told), err
    assert shared.size() == len(bundled.events)
    # A database with no curated data yet: a role that may only read loads nothing into it.
    empty = read_only_role(postgres.create_database("reader_empty", pg_template))
    store = PgStore(empty)
    try:
        store.sync_bundle(bundled)
        assert store.curated_version() is None and store.size() == 0
    finally:
        store.close()


def test_migrations_are_numbered_recorded_and_applied_once(postgres) -> None:
    url = postgres.create_database("migrations_test")
    assert schema_version(url) == 0
    with pytest.raises(StoreError, match="geo db init"):
        PgStore(url, migrate_schema=False)
    numbers = [number for number, _, _ in migrations()]
    assert numbers == sorted(set(numbers)) and numbers[0] == 1
    assert migrate(url) == [name for _, name, _ in migrations()]
    assert migrate(url) == []
    assert schema_version(url) == numbers[-1] >= 2
    with psycopg.connect(url) as con:
        indexes = {r[0] for r in con.execute("SELECT indexdef FROM pg_indexes").fetchall()}
        kinds = dict(
            con.execute(
                "SELECT f_geometry_column, type FROM geometry_columns WHERE f_table_name = 'events'"
            ).fetchall()
        )
    assert kinds == {"geom": "POINT"}
    assert any("USING gist (geom)" in i for i in indexes)
    assert any("(start, stop)" in i for i in indexes)
    assert any("(category)" in i for i in indexes)
    assert any("(h3_6, start)" in i for i in indexes)


def test_geo_db_load_then_import_into_the_database(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["db", "init", "--database", database_url]) == 0
    assert cli.main(["db", "load", "--database", database_url]) == 0
    export = acled_export(tmp_path, "cli", 50, 0, 1_700_000_000)
    assert cli.main(["db", "load", "acled", str(export), "--database", database_url]) == 0
    out = capsys.readouterr().out
    assert f"schema version {migrations()[-1][0]}" in out
    assert "loaded 50, rejected 0" in out
    store = PgStore(database_url)
    try:
        assert store.has_event("EV7")
        assert len(store.bundle_ids()) == store.size() - 50
    finally:
        store.close()


def test_connection_settings_become_a_connection_string() -> None:
    from psycopg.conninfo import conninfo_to_dict

    from geo.store.pg import url_from_settings

    merged = conninfo_to_dict(
        url_from_settings(
            {"url": "postgresql://analyst@db.example.org:5433/atlas", "password": MADE_UP_PW}
        )
    )
    assert (merged["host"], merged["port"], merged["dbname"]) == ("db.example.org", "5433", "atlas")
    assert merged["password"] == MADE_UP_PW
    fields = conninfo_to_dict(
        url_from_settings(
            {
                "host": "db",
                "port": 5432,
                "database": "atlas",
                "username": "analyst",
                "password": MADE_UP_PW,
            }
        )
    )
    assert (fields["user"], fields["dbname"], fields["password"]) == (
        "analyst",
        "atlas",
        MADE_UP_PW,
    )
    assert (
        describe_url(url_from_settings({"host": "db", "database": "atlas", "password": MADE_UP_PW}))
        == "db:5432/atlas"
    )
    with pytest.raises(ValueError, match="no database"):
        url_from_settings({"username": "analyst"})


def test_a_dashboard_on_other_data_leaves_the_databases_curated_rows_alone(
    database_url: str, bundled: Bundle
) -> None:
    other = other_curated(bundled)
    first, second = PgStore(database_url), PgStore(database_url)
    try:
        first.sync_bundle(bundled)  # the first dashboard on an empty database loads its data
        assert (first.size(), first.curated_version()) == (69, bundled.version)
        before = first.version
        second.sync_bundle(other)  # another, on other data, opens: nothing changes
        assert (second.size(), second.curated_version(), second.version) == (
            69,
            bundled.version,
            before,
        )
        second.load_bundle(other)  # an explicit load (geo db load) replaces them
        assert (first.size(), first.curated_version()) == (60, OTHER_VERSION)
        first.sync_bundle(bundled)  # and the first dashboard does not take them back
        assert (first.size(), first.curated_version()) == (60, OTHER_VERSION)
        # A folder changed from the version the database holds is sent; one changed from
        # another version is not (it never had the database's rows).
        assert not first.publish_bundle(bundled, replacing="f01der000000")
        assert (first.size(), first.curated_version()) == (60, OTHER_VERSION)
        assert first.publish_bundle(bundled, replacing=OTHER_VERSION)
        assert (first.size(), first.curated_version()) == (69, bundled.version)
    finally:
        first.close()
        second.close()


def test_the_database_gives_back_the_curated_data_as_it_was_loaded(
    database_url: str, bundled: Bundle
) -> None:
    store = PgStore(database_url)
    try:
        assert store.curated_bundle() is None  # nothing loaded yet
        store.load_bundle(bundled)
        held = store.curated_bundle()
        assert held is not None
        for name in ("events", "sites", "sources", "excerpts"):
            pd.testing.assert_frame_equal(getattr(held, name), getattr(bundled, name))
        assert held.version == bundled.version
        assert held.problems == bundled.problems
    finally:
        store.close()
