"""The app on the shared database in a real browser: a Streamlit server started with
GEO_DATABASE_URL on the test's PostgreSQL draws the bundled data and another analyst's
import as markers, and a filter narrows them in the database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import Page, expect

from atlas_tools.workload import synthetic_acled
from geo.bundle import load_bundle
from geo.importers import import_acled
from geo.store.pg import PgStore
from tests.e2e.conftest import Server, corpus_dir, drawn_markers, wait_for_app
from tests.e2e.test_map import expected_count

IMPORTED = 12  # under the hexagon threshold: one marker each


@pytest.fixture(scope="module")
def database_server(
    postgres, pg_template: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Server, pd.DataFrame]]:
    folder: Path = tmp_path_factory.mktemp("database")
    url = postgres.create_database("e2e_atlas", pg_template)
    export = synthetic_acled(IMPORTED, folder / "acled.csv")
    analyst = PgStore(url)
    analyst.sync_bundle(load_bundle())
    assert import_acled(export, analyst).counts.new == IMPORTED
    analyst.close()
    server = Server(env={"GEO_DATABASE_URL": url, "GEO_CORPUS_DIR": corpus_dir()})
    yield server, pd.read_csv(export, dtype=str)
    server.close()


def test_the_database_map_draws_the_markers_and_a_filter_narrows_them(
    database_server: tuple[Server, pd.DataFrame], page: Page
) -> None:
    server, imported = database_server
    page.goto(f"{server.url}/?from=2013-01&to=2024-12")
    wait_for_app(page)
    expect(page.get_by_text(f"{69 + IMPORTED} events and 20 sites")).to_be_visible()
    want = 89 + IMPORTED
    assert drawn_markers(page, expected=want) == want

    page.goto(f"{server.url}/?from=2013-01&to=2024-12&country=KGZ")
    wait_for_app(page)
    want = expected_count("2013-01", "2024-12", countries={"KGZ"}) + int(
        (imported["iso"] == "417").sum()
    )
    assert drawn_markers(page, expected=want) == want
