"""Visitors never write: once the atlas is published (a public URL or sign-in), the Ingest
and Import pages exist only for the editors the secrets list; a visitor's forged run of a
page that writes changes nothing, and a signed-in editor imports as before."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from streamlit import config
from streamlit.config_option import ConfigOption
from streamlit.testing.v1 import AppTest

from geo.store import DuckStore, close_all
from tests.app.helpers import (
    APP,
    MAP_PAGE,
    TIMEOUT,
    _keep_component_registry,
    _share_component_registry,
    errors,
    page_text,
    summary,
    unescape_md,
)
from tests.app.test_export_page import AUTH
from tests.app.test_import_page import import_button, picker, upload_csv

WRITERS = ("pages/import.py", "pages/ingest.py")
PUBLIC_URL = "https://atlas.example.org/atlas/"
EDITOR = {"is_logged_in": True, "name": "Ed Editor", "email": "ed@example.org"}
SITES = b"Facility,Lat,Long,Ref\nUrumqi site,43.80,87.60,u1\nKashgar site,39.47,75.99,u3\n"


@pytest.fixture
def store_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path / "atlas.duckdb"
    monkeypatch.setenv("GEO_STORE", str(path))
    yield path
    close_all()


def open_as(
    script: Path = APP, user: dict[str, Any] | None = None, editors: list[str] | None = None
) -> AppTest:
    at = AppTest.from_file(str(script), default_timeout=TIMEOUT)
    _share_component_registry(at)
    if user is not None:
        at.secrets["auth"] = AUTH
        at.secrets["editors"] = {"emails": editors or []}
        at.user = user
    at.run()
    _keep_component_registry(at)
    assert not at.exception, errors(at)
    return at


def test_a_published_atlas_offers_visitors_no_page_that_writes(
    monkeypatch: pytest.MonkeyPatch, store_file: Path
) -> None:
    monkeypatch.setenv("GEO_PUBLIC_URL", PUBLIC_URL)
    at = open_as()
    assert summary(at) == (69, 20)
    for page in WRITERS:
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(page)
    # A run that reaches a page that writes anyway (the page's file run on its own, as
    # Streamlit does for a deep link) is refused before any widget: nothing to upload to.
    for page in WRITERS:
        forged = open_as(Path(APP.parent / page))
        assert [e.value for e in forged.error] == ["Only the atlas's editors can change its data."]
        assert not forged.get("file_uploader") and not forged.button
        assert not forged.title
    close_all()
    store = DuckStore(store_file, read_only=True)
    try:
        assert store.imports().empty
    finally:
        store.close()


def test_a_signed_in_visitor_who_is_no_editor_cannot_write(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    at = open_as(user={**EDITOR, "email": "reader@example.org"}, editors=["ed@example.org"])
    assert "Log out" in [b.label for b in at.sidebar.button]
    for page in WRITERS:
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(page)


def test_a_signed_in_editor_imports(store_file: Path) -> None:
    at = open_as(user=EDITOR, editors=["ed@example.org"])
    assert summary(at) == (69, 20)
    at.switch_page("pages/import.py").run()
    assert not at.exception, errors(at)
    upload_csv(at, "few.csv", SITES, sites=True)
    picker(at, "Name").set_value("Facility")
    picker(at, "Id").set_value("Ref").run()
    import_button(at).click().run()
    assert not at.exception, errors(at)
    assert any("Loaded 2 row(s), rejected 0" in s.value for s in at.success), page_text(at)
    at.switch_page(MAP_PAGE).run()
    assert summary(at) == (69, 22)
    close_all()
    store = DuckStore(store_file, read_only=True)
    try:
        assert list(store.imports()["file"]) == ["few.csv"]
    finally:
        store.close()


def test_a_local_server_keeps_editing_on() -> None:
    at = open_as()
    at.switch_page("pages/import.py").run()
    assert not at.exception, errors(at)
    assert [t.value for t in at.title] == ["Import events and sites"]


@pytest.fixture
def cookie_secret() -> Iterator[None]:
    """``server.cookieSecret`` set, as STREAMLIT_SERVER_COOKIE_SECRET sets it; restored
    afterwards."""
    before = config.get_option("server.cookieSecret")
    config.set_option("server.cookieSecret", "shared-by-every-process")
    yield
    config._set_option("server.cookieSecret", before, ConfigOption.DEFAULT_DEFINITION)


def test_publishing_settings_that_disagree_are_named_on_the_page(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GEO_PUBLIC_URL", PUBLIC_URL)
    at = open_as()
    (notice,) = [unescape_md(e.value) for e in at.error if "publishing settings" in e.value]
    assert "path /atlas but the server runs under /" in notice
    assert "server.cookieSecret is not set" in notice
    assert summary(at) == (69, 20)  # the atlas still opens


def test_matching_publishing_settings_give_no_notice(
    monkeypatch: pytest.MonkeyPatch, cookie_secret: None
) -> None:
    monkeypatch.setenv("GEO_PUBLIC_URL", "https://atlas.example.org/")
    at = open_as()
    assert not at.error, [e.value for e in at.error]
