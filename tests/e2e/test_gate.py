"""A page that stops at its gate (sign-in required, or the shared database not answering)
shows its notice and nothing else: no list of the app's page files beside it, where a visitor
would read (and click) Import and Ingest."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Server, corpus_dir, wait_for_app

SECRETS = """
[auth]
redirect_uri = "http://127.0.0.1/oauth2callback"
cookie_secret = "not-a-real-secret-not-a-real-secret"
client_id = "atlas"
client_secret = "x"
server_metadata_url = "https://accounts.example.org/.well-known/openid-configuration"

[editors]
emails = ["editor@example.org"]
"""


@pytest.fixture(scope="module")
def signed_in_only(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    secrets = Path(tmp_path_factory.mktemp("gate")) / "secrets.toml"
    secrets.write_text(SECRETS)
    srv = Server(env={"GEO_CORPUS_DIR": corpus_dir()}, extra_args=[f"--secrets.files={secrets}"])
    yield srv
    srv.close()


@pytest.fixture(scope="module")
def database_down() -> Iterator[Server]:
    # Nothing listens on port 9 of loopback: the database refuses every connection.
    srv = Server(
        env={
            "GEO_CORPUS_DIR": corpus_dir(),
            "GEO_DATABASE_URL": "postgresql://atlas@127.0.0.1:9/atlas",
        }
    )
    yield srv
    srv.close()


def no_pages_listed(page: Page) -> None:
    expect(page.get_by_test_id("stSidebarNav")).to_have_count(0)
    for name in ("import", "ingest", "charts", "app"):
        expect(page.get_by_role("link", name=re.compile(rf"^{name}$", re.I))).to_have_count(0)
    # Nor Streamlit's notice that a requested page does not exist.
    expect(page.get_by_text("Page not found")).to_have_count(0)


def test_the_sign_in_page_lists_no_pages_whatever_link_opened_it(
    signed_in_only: Server, page: Page
) -> None:
    for path in ("/", "/charts?from=2019-01&to=2019-12", "/about"):
        page.goto(signed_in_only.url + path)
        wait_for_app(page)
        expect(page.get_by_text("This atlas is open to signed-in users only.")).to_be_visible()
        expect(page.get_by_role("button", name="Log in")).to_be_visible()
        no_pages_listed(page)
        page.screenshot(path=f"/tmp/gate-sign-in{path.split('?')[0].replace('/', '-')}.png")


def test_the_database_notice_lists_no_pages(database_down: Server, page: Page) -> None:
    page.goto(database_down.url + "/charts")
    wait_for_app(page)
    expect(page.get_by_text(re.compile("The shared events database"))).to_be_visible()
    no_pages_listed(page)
