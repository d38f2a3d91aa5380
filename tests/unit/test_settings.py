"""The configuration the environment gives, in one frozen object read at each call."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from geo.settings import Settings, settings

FULL = {
    "GEO_DATA_DIR": "/srv/atlas/data",
    "GEO_CORPUS_DIR": "/srv/atlas/corpus",
    "GEO_STORE": "/srv/atlas/atlas.duckdb",
    "GEO_DATABASE_URL": "postgresql://atlas@db:5432/atlas",
    "GEO_DATABASE_ROLLUPS": "off",
    "GEO_STORE_DIR": "/srv/atlas/articles",
    "GEO_QUEUE": "/srv/atlas/queue.jsonl",
    "GEO_READ_ONLY": "1",
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
    )
    assert got.data_dir == Path("/srv/atlas/data")
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
