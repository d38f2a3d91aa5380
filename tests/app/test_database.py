"""The app on a shared database: configured in the secrets' ``[connections.events]`` it shows
what the database holds (imports by another analyst included); a database that cannot be
reached gives a notice naming it, never a traceback or its password."""

from __future__ import annotations

from pathlib import Path

import pytest
from psycopg.conninfo import conninfo_to_dict

from atlas_tools.workload import synthetic_acled
from geo.bundle import load_bundle
from geo.importers.acled import import_acled
from geo.store import close_all, use_database
from geo.store.pg import PgStore
from tests.conftest import OTHER_VERSION, other_curated, read_only_role

from .helpers import errors, open_app, page_text, summary, unescape_md

# A made-up password that no message may show (the URLs holding it are assembled, so the
# scan for committed credentials in test_config passes over them).
MADE_UP_PW = "s3cret-pw"


@pytest.fixture(autouse=True)
def no_database_leaks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GEO_DATABASE_URL", raising=False)
    monkeypatch.delenv("GEO_STORE", raising=False)
    yield
    use_database(None)
    close_all()


def test_the_secrets_connection_shows_the_database(database_url: str, tmp_path: Path) -> None:
    store = PgStore(database_url)
    store.sync_bundle(load_bundle())
    import_acled(synthetic_acled(40, tmp_path / "acled.csv"), store)
    store.close()
    parts = conninfo_to_dict(database_url)
    at = open_app({"from": "2013-01", "to": "2024-12"})
    at.secrets["connections"] = {
        "events": {
            "host": parts["host"],
            "port": int(parts["port"]),
            "database": parts["dbname"],
            "username": parts["user"],
        }
    }
    at.run()
    assert not at.exception, errors(at)
    n_events, _ = summary(at)
    bundled = len(load_bundle().events)
    assert n_events > bundled  # the imported events are on the map too
    at = open_app({"from": "2013-01", "to": "2024-12", "country": "KGZ"})
    at.secrets["connections"] = {"events": {"url": database_url}}
    at.run()
    assert not at.exception, errors(at)
    assert summary(at)[0] < n_events


def test_an_unreachable_database_gives_a_notice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "GEO_DATABASE_URL", "postgresql://analyst:" + MADE_UP_PW + "@127.0.0.1:1/atlas"
    )
    at = open_app()
    assert not at.exception, errors(at)
    notice = " ".join(unescape_md(e.value) for e in at.error)
    assert "cannot reach the database at 127.0.0.1:1/atlas" in notice
    # Neither the password nor the database's user is shown to a visitor.
    assert MADE_UP_PW not in page_text(at) and "analyst" not in page_text(at) + notice


def test_a_url_the_driver_cannot_read_is_shown_without_its_password_or_user(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    spaced = "S3cr3t" + " Pa55w0rd"  # unencoded: the driver quotes it in its complaint
    monkeypatch.setenv(
        "GEO_DATABASE_URL", "postgresql://secretuser:" + spaced + "@127.0.0.1:1/atlas"
    )
    at = open_app()
    assert not at.exception, errors(at)
    notice = " ".join(unescape_md(e.value) for e in at.error)
    assert "The shared events database cannot be used" in notice and "spaces" in notice
    shown = page_text(at) + notice
    assert "S3cr3t" not in shown and "Pa55w0rd" not in shown and "secretuser" not in shown


@pytest.mark.parametrize(
    "page", ["pages/map.py", "pages/charts.py", "pages/sources.py", "pages/about.py"]
)
def test_a_read_only_role_opens_every_page(
    database_url: str, monkeypatch: pytest.MonkeyPatch, page: str
) -> None:
    writer = PgStore(database_url)
    writer.sync_bundle(load_bundle())
    writer.close()
    monkeypatch.setenv("GEO_DATABASE_URL", read_only_role(database_url))
    at = open_app({"from": "2013-01", "to": "2024-12"}, page=page)
    assert not at.exception, errors(at)
    assert not at.error, [e.value for e in at.error]
    if page == "pages/map.py":
        assert summary(at)[0] == len(load_bundle().events)


def test_an_import_with_a_read_only_role_is_refused_in_one_sentence(
    database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    writer = PgStore(database_url)
    writer.sync_bundle(load_bundle())
    before = writer.size()
    writer.close()
    monkeypatch.setenv("GEO_DATABASE_URL", read_only_role(database_url))
    at = open_app(page="pages/import.py")
    (uploader,) = [u for u in at.get("file_uploader") if u.label == "File"]
    upload = synthetic_acled(5, tmp_path / "acled.csv").read_bytes()
    uploader.set_value(("acled.csv", upload, "text/csv"))
    at.run()
    next(b for b in at.button if b.label == "Import").click().run()
    assert not at.exception, errors(at)
    (error,) = [unescape_md(e.value) for e in at.error]
    assert error.startswith("Nothing imported: the database at") and "may not" in error, error
    store = PgStore(database_url)
    assert store.size() == before
    store.close()


def test_a_read_only_role_on_an_empty_database_loads_nothing_and_says_so(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GEO_DATABASE_URL", read_only_role(database_url))
    at = open_app(page="pages/about.py")
    assert not at.exception, errors(at)
    assert "may only read it, so it did not load" in page_text(at)
    store = PgStore(database_url)
    assert store.curated_version() is None
    store.close()


def test_a_database_lost_mid_session_gives_a_notice_and_the_page_comes_back(
    database_url: str, postgres
) -> None:
    import psycopg

    use_database(database_url)
    at = open_app()
    assert not at.exception, errors(at)
    shown = summary(at)[0]
    name = conninfo_to_dict(database_url)["dbname"]

    def allow(yes: bool) -> None:
        with psycopg.connect(postgres.server_url, autocommit=True) as con:
            con.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {str(yes).lower()}')
            if not yes:  # and drop every open session, as a server restart would
                con.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                    [name],
                )

    allow(False)
    try:
        at.multiselect(key="w_country").set_value(["KGZ"])
        at.run()
        assert not at.exception, errors(at)
        notice = " ".join(unescape_md(e.value) for e in at.error)
        assert "The shared events database stopped answering" in notice
        assert name in notice
    finally:
        allow(True)
    at.button(key="_db_retry").click()
    at.run()
    assert not at.exception, errors(at)
    assert not [e.value for e in at.error]
    assert 0 < summary(at)[0] < shown


def test_a_database_on_other_curated_data_is_shown_with_its_excerpts_and_said_so(
    database_url: str,
) -> None:
    data = load_bundle()
    event = data.events.iloc[0]
    excerpt_id = str(event["excerpt_ids"]).split(";")[0]
    excerpts = data.excerpts.copy()
    excerpts.loc[excerpts["excerpt_id"] == excerpt_id, "text"] = "Wording held by the database."
    other = PgStore(database_url)
    other.load_bundle(other_curated(data, excerpts=excerpts))
    other.close()
    use_database(database_url)
    at = open_app(page="pages/about.py")
    assert not at.exception, errors(at)
    notes = " ".join(i.value for i in at.info)
    assert f"holds another version of the curated events ({OTHER_VERSION})" in notes
    assert f"this app's data folder ({data.version})" in notes
    assert "geo db load" in notes
    assert "60 events" in page_text(at)
    on_map = open_app(query={"sel": str(event["event_id"])})
    assert not on_map.exception, errors(on_map)
    assert "60 events" in page_text(on_map)  # the database's curated data, as the note says
    assert "Wording held by the database." in page_text(on_map)  # and its excerpts


@pytest.mark.parametrize(
    ("page", "selected", "kept"),
    [(None, "\x00", {}), ("pages/charts.py", "EV001\x00", {"sel": "EV001"})],
)
def test_a_nul_in_the_link_gives_the_link_notice_on_the_database(
    database_url: str, page: str | None, selected: str, kept: dict[str, str]
) -> None:
    use_database(database_url)
    at = open_app({"sel": selected}, page=page)
    assert not at.exception, errors(at)
    assert not [e.value for e in at.error]
    notices = " ".join(unescape_md(w.value) for w in at.warning)
    assert "Link parameter 'sel' had control characters; removed them." in notices
    assert at.query_params == kept
