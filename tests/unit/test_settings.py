"""The configuration the environment gives, in one frozen object read at each call."""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from geo import cli
from geo import settings as geo_settings
from geo.settings import DataDirNotFound, Settings, default_data_dir, settings, static_dir

FULL = {
    "GEO_DATA_DIR": "/srv/atlas/data",
    "GEO_CORPUS_DIR": "/srv/atlas/corpus",
    "GEO_STORE": "/srv/atlas/atlas.duckdb",
    "GEO_DATABASE_URL": "postgresql://atlas@db:5432/atlas",
    "GEO_DATABASE_ROLLUPS": "off",
    "GEO_STORE_DIR": "/srv/atlas/articles",
    "GEO_QUEUE": "/srv/atlas/queue.jsonl",
    "GEO_READ_ONLY": "1",
    "GEO_PUBLIC_URL": "https://example.org/atlas/",
}


def test_every_variable_has_its_field() -> None:
    got = Settings.from_environ(FULL)
    assert got == Settings(
        data_dir_override=Path("/srv/atlas/data"),
        corpus_dir=Path("/srv/atlas/corpus"),
        store_path="/srv/atlas/atlas.duckdb",
        database_url="postgresql://atlas@db:5432/atlas",
        database_rollups=False,
        article_store_dir=Path("/srv/atlas/articles"),
        queue_path=Path("/srv/atlas/queue.jsonl"),
        read_only=True,
        public_url="https://example.org/atlas/",
    )
    assert got.data_dir == Path("/srv/atlas/data")
    assert got.public_base == "https://example.org/atlas" and got.public_url_problem is None
    assert not got.editing_enabled


def test_nothing_set_and_empty_values_are_the_defaults() -> None:
    assert Settings.from_environ({}) == Settings()
    assert Settings.from_environ(dict.fromkeys(FULL, "")) == Settings()
    default = Settings()
    assert default.database_rollups and not default.read_only and default.editing_enabled


@pytest.mark.parametrize(
    ("value", "read_only"),
    [("1", True), ("true", True), (" YES ", True), ("0", False), ("no", False), ("", False)],
)
def test_read_only_words(value: str, read_only: bool) -> None:
    assert Settings.from_environ({"GEO_READ_ONLY": value}).read_only is read_only


@pytest.mark.parametrize(("value", "rollups"), [("off", False), ("on", True), ("", True)])
def test_rollups_are_off_only_when_said_so(value: str, rollups: bool) -> None:
    assert Settings.from_environ({"GEO_DATABASE_ROLLUPS": value}).database_rollups is rollups


def test_the_public_address_comes_from_the_environment_else_the_secrets() -> None:
    secrets = {"atlas": {"public_url": "https://atlas.example.net/"}}
    assert Settings.from_environ({}, secrets).public_base == "https://atlas.example.net"
    env = {"GEO_PUBLIC_URL": "http://example.org:8080/deep/atlas"}
    assert Settings.from_environ(env, secrets).public_base == "http://example.org:8080/deep/atlas"
    assert Settings.from_environ({}).public_base is None


@pytest.mark.parametrize(
    "value",
    [
        "ftp://example.org/atlas",
        "javascript:alert(1)",
        "example.org/atlas",
        "https://",
        "https://example.org/atlas?x=1",
        "https://example.org/at las",
        "https://example.org/<atlas>",
    ],
)
def test_a_public_address_that_is_not_http_is_refused_with_a_clear_message(value: str) -> None:
    got = Settings.from_environ({"GEO_PUBLIC_URL": value})
    problem = got.public_url_problem
    assert problem is not None and problem.startswith("GEO_PUBLIC_URL")
    assert repr(value) in problem and "https://example.org/atlas/" in problem
    assert got.public_base is None


def test_geo_export_refuses_a_bad_public_address(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setenv("GEO_PUBLIC_URL", "ftp://example.org/atlas")
    assert cli.main(["export", "--format", "csv", "-o", "-"]) == 2
    err = capsys.readouterr().err
    assert "GEO_PUBLIC_URL" in err and "is not an http(s) address" in err


def test_the_object_is_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        Settings().read_only = True  # type: ignore[misc]


def test_settings_reads_the_environment_at_each_call(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GEO_STORE", raising=False)
    assert settings().store_path is None
    monkeypatch.setenv("GEO_STORE", "/tmp/one.duckdb")
    assert settings().store_path == "/tmp/one.duckdb"
    monkeypatch.setenv("GEO_STORE", "/tmp/two.duckdb")
    assert settings().store_path == "/tmp/two.duckdb"


# ---- where the data and the static files are ----


@pytest.fixture
def nowhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No data folder anywhere: an empty working directory, no script, no source checkout."""
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.chdir(empty)
    monkeypatch.setattr(sys, "argv", ["geo"])
    monkeypatch.setattr(geo_settings, "_SOURCE_CHECKOUT", tmp_path / "no-checkout")
    monkeypatch.delenv("GEO_DATA_DIR", raising=False)
    return tmp_path


def app_folder(root: Path, *, data: bool = True, app: bool = True) -> Path:
    root.mkdir(parents=True)
    if data:
        (root / "data").mkdir()
        (root / "data" / "events.csv").write_text("event_id\n")
    if app:
        (root / "app.py").write_text("")
    return root


def test_the_editable_checkout_is_found_beside_the_package(data_dir: Path) -> None:
    assert default_data_dir() == data_dir
    assert static_dir() == data_dir.parent / "static"


def test_without_any_data_folder_the_error_names_the_variable(nowhere: Path) -> None:
    with pytest.raises(DataDirNotFound, match="GEO_DATA_DIR"):
        default_data_dir()
    with pytest.raises(DataDirNotFound):
        _ = settings().data_dir


def test_the_working_directory_comes_first(nowhere: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    here = app_folder(nowhere / "here")
    script = app_folder(nowhere / "script")
    monkeypatch.setattr(sys, "argv", [str(script / "app.py")])
    monkeypatch.chdir(here)
    assert default_data_dir() == here / "data"
    assert static_dir() == here / "static"


def test_the_app_script_folder_is_found_from_elsewhere(
    nowhere: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = app_folder(nowhere / "app")
    monkeypatch.setattr(sys, "argv", [str(app / "app.py"), "--flag"])
    assert default_data_dir() == app / "data"
    assert static_dir() == app / "static"


def test_a_data_folder_needs_its_events_file(
    nowhere: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    here = app_folder(nowhere / "here", data=False)
    (here / "data").mkdir()
    monkeypatch.chdir(here)
    with pytest.raises(DataDirNotFound):
        default_data_dir()


def test_geo_data_dir_is_the_data_folder_and_the_last_resort_of_the_bundled_one(
    nowhere: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mine = app_folder(nowhere / "mine", app=False) / "data"
    monkeypatch.setenv("GEO_DATA_DIR", str(mine))
    assert settings().data_dir == mine
    assert default_data_dir() == mine
    app = app_folder(nowhere / "app")
    monkeypatch.chdir(app)
    assert settings().data_dir == mine
    assert default_data_dir() == app / "data"


def test_static_files_default_to_the_working_directory(nowhere: Path) -> None:
    assert static_dir() == nowhere / "empty" / "static"


def test_the_cli_says_what_to_set_when_there_is_no_data(
    nowhere: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["validate"]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("geo validate: no data folder: set GEO_DATA_DIR")


def test_an_installed_package_reads_the_data_of_the_folder_it_runs_in(
    tmp_path: Path, repo_root: Path
) -> None:
    """The package copied away from its checkout (as into site-packages) finds data/ from
    the working directory, and says what to set elsewhere."""
    site = tmp_path / "site"
    shutil.copytree(repo_root / "src" / "geo", site / "geo")
    code = (
        "from geo.bundle import load_bundle, geo_dir\n"
        "from geo import gazetteer, assets\n"
        "print(len(load_bundle().events), geo_dir(), gazetteer.default_gazetteer().is_file(),"
        " assets.links().local)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "GEO_DATA_DIR"}
    env["PYTHONPATH"] = str(site)
    run = [sys.executable, "-c", code]
    done = subprocess.run(run, cwd=repo_root, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    count, folder, found, local = done.stdout.split()
    assert int(count) > 0 and found == "True"
    assert Path(folder) == repo_root / "data" / "geo"
    assert local == str((repo_root / "static" / "vendor" / "leaflet.js").is_file())
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    done = subprocess.run(run, cwd=elsewhere, env=env, capture_output=True, text=True)
    assert done.returncode != 0
    assert "DataDirNotFound: no data folder: set GEO_DATA_DIR" in done.stderr


def test_the_secrets_sections_are_read_with_the_environment() -> None:
    secrets = {
        "auth": {"client_id": "atlas", "redirect_uri": "https://example.org/oauth2callback"},
        "connections": {"events": {"host": "db.example.org", "database": "atlas"}},
    }
    found = Settings.from_environ({}, secrets)
    assert found.sign_in and found.auth == secrets["auth"]
    assert found.database_secrets == {"host": "db.example.org", "database": "atlas"}
    plain = Settings.from_environ({})
    assert not plain.sign_in and plain.auth is None and plain.database_secrets == {}
    # An [auth] section, even an empty one, asks visitors to sign in (and then says what
    # is missing) rather than opening the atlas.
    assert Settings.from_environ({}, {"auth": {}}).sign_in
    assert not Settings.from_environ({}, {"connections": {"other": {"url": "x"}}}).database_secrets
