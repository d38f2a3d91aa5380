"""Sharing and downloading a view in the app: the share text, its link (under a URL path
prefix too), the download buttons and what they hold, the data version and as-of date, and
the optional sign-in."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from streamlit import config
from streamlit.testing.v1 import AppTest

from geo.ui import auth, share

from .helpers import (
    ABOUT_PAGE,
    APP,
    TIMEOUT,
    errors,
    expected_counts,
    folium_args,
    open_app,
    page_text,
)

KGZ = {"country": "KGZ", "from": "2019-01", "to": "2020-12", "cat": "protest"}
KGZ_VIEW: dict[str, Any] = {
    "countries": ["KGZ"],
    "categories": ["protest"],
    "months": ("2019-01", "2020-12"),
}


def share_text(at: AppTest) -> tuple[str, str]:
    """(the line in words, the link) from the share control's code block."""
    (code,) = [c.value for c in at.get("code")]
    summary, link = code.split("\n")
    return summary, link


def test_share_shows_the_view_in_words_and_its_link() -> None:
    at = open_app(KGZ)
    assert not at.exception, errors(at)
    summary, link = share_text(at)
    n_events, n_sites = expected_counts(**KGZ_VIEW)
    assert summary == f"Protests in Kyrgyzstan, 2019–2020: {n_events} events, {n_sites} sites"
    assert link == "/?from=2019-01&to=2020-12&country=KGZ&cat=protest"
    # The link reopens the same view.
    again = open_app({k: v for k, v in (p.split("=") for p in link[2:].split("&"))})
    assert share_text(again) == (summary, link)
    assert len(folium_args(again)["feature_group"]) == len(folium_args(at)["feature_group"])


def test_the_link_is_absolute_on_the_page_the_visitor_is_on() -> None:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.context["url"] = "https://atlas.example.org"
    for key, value in KGZ.items():
        at.query_params[key] = value
    at.run()
    assert share_text(at)[1] == "https://atlas.example.org/?" + (
        "from=2019-01&to=2020-12&country=KGZ&cat=protest"
    )


@pytest.fixture
def base_url_path() -> Iterator[None]:
    before = config.get_option("server.baseUrlPath")
    config.set_option("server.baseUrlPath", "atlas")
    yield
    config.set_option("server.baseUrlPath", before)


def test_under_a_url_path_prefix_the_link_keeps_it(base_url_path: None) -> None:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.context["url"] = "http://127.0.0.1:8501/atlas"
    at.query_params["country"] = "KAZ"
    at.run()
    assert not at.exception, errors(at)
    assert share_text(at)[1] == "http://127.0.0.1:8501/atlas/?country=KAZ"


def test_without_a_public_address_the_share_control_says_the_link_is_local(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("GEO_PUBLIC_URL", raising=False)
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.context["url"] = "http://127.0.0.1:8501"
    at.query_params["country"] = "KAZ"
    at.run()
    assert share_text(at)[1] == "http://127.0.0.1:8501/?country=KAZ"
    assert share.LOCAL_LINK_NOTE in [c.value for c in at.caption]


def test_with_a_public_address_the_link_is_on_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GEO_PUBLIC_URL", "https://example.org/atlas/")
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.context["url"] = "http://127.0.0.1:8501/charts"
    at.query_params["country"] = "KAZ"
    at.switch_page("pages/charts.py")
    at.run()
    assert not at.exception, errors(at)
    assert share_text(at)[1] == "https://example.org/atlas/charts?country=KAZ"
    assert share.LOCAL_LINK_NOTE not in [c.value for c in at.caption]


def test_a_public_address_that_is_not_http_stops_the_app_saying_why(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GEO_PUBLIC_URL", "javascript:alert(1)")
    at = open_app({"country": "KAZ"})
    assert not at.exception, errors(at)
    (error,) = [e.value for e in at.error]
    shown = error.replace("\\", "").replace("\u2060", "")  # as Markdown renders it
    assert shown == (
        "The atlas is not started: GEO_PUBLIC_URL (or [atlas] public_url in the secrets) is "
        "not an http(s) address with a host: 'javascript:alert(1)'. Set it to the address "
        "the atlas is published at, such as https://example.org/atlas/, or leave it unset."
    )
    assert at.get("code") == [] and at.get("download_button") == []


def test_each_format_has_a_download_made_on_click() -> None:
    at = open_app(KGZ)
    buttons = at.get("download_button")
    labels = [b.proto.label for b in buttons]
    assert labels == [
        share.CSV_LABEL,
        share.SITES_LABEL,
        share.ZIP_LABEL,
        share.GEOJSON_LABEL,
        share.BRIEF_LABEL,
        share.PDF_LABEL,
        share.PNG_LABEL,
    ]
    # Made when clicked (what they hold is checked in the browser, tests/e2e/test_export.py).
    assert all(b.proto.deferred_file_id and not b.proto.url for b in buttons)
    assert not any(b.proto.disabled for b in buttons)


def test_the_charts_page_can_share_and_download_too() -> None:
    at = open_app(KGZ, page="pages/charts.py")
    assert not at.exception, errors(at)
    summary, link = share_text(at)
    assert summary.startswith("Protests in Kyrgyzstan, 2019–2020: ")
    assert link.endswith("?from=2019-01&to=2020-12&country=KGZ&cat=protest")
    assert len(at.get("download_button")) == 7


def test_the_about_page_gives_the_data_version_and_as_of_date() -> None:
    at = open_app(page=ABOUT_PAGE)
    text = page_text(at)
    assert "Data version " in text and ", as of 30 July 2024" in text


# ---- optional sign-in ----

AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "not-a-real-secret",
    "client_id": "atlas",
    "client_secret": "not-a-real-secret",
    "server_metadata_url": "https://accounts.example.org/.well-known/openid-configuration",
}


def open_with_auth(user: dict[str, Any] | None = None) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.secrets["auth"] = AUTH
    if user is not None:
        at.user = user
    at.run()
    return at


def test_with_auth_configured_a_visitor_must_sign_in(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(auth, "find_spec", lambda name: object())  # as if Authlib were in
    at = open_with_auth({"is_logged_in": False})
    assert not at.exception, errors(at)
    assert [b.label for b in at.button] == ["Log in"]
    assert not at.get("component_instance"), "the map must not be shown"
    assert "Protests" not in page_text(at)


def test_a_signed_in_visitor_sees_the_atlas() -> None:
    at = open_with_auth({"is_logged_in": True, "name": "Ann Analyst", "email": "a@example.org"})
    assert not at.exception, errors(at)
    assert folium_args(at)["feature_group"]
    assert "Log out" in [b.label for b in at.sidebar.button]
    assert any("Ann Analyst" in c.value for c in at.sidebar.caption)


def test_sign_in_without_authlib_fails_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(auth, "find_spec", lambda name: None)
    at = open_with_auth({"is_logged_in": False})
    assert not at.exception, errors(at)
    assert any("Authlib" in e.value for e in at.error)
    assert not at.button and not at.get("component_instance")


def test_named_providers_each_get_a_button(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(auth, "find_spec", lambda name: object())
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.secrets["auth"] = {
        "redirect_uri": AUTH["redirect_uri"],
        "cookie_secret": AUTH["cookie_secret"],
        "google": {k: AUTH[k] for k in ("client_id", "client_secret", "server_metadata_url")},
        "microsoft": {k: AUTH[k] for k in ("client_id", "client_secret", "server_metadata_url")},
    }
    at.user = {"is_logged_in": False}
    at.run()
    assert [b.label for b in at.button] == ["Log in with google", "Log in with microsoft"]
