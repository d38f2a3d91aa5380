"""Who may write: everyone on a local server, only the listed editors once the atlas is
published (a public URL or sign-in), nobody when the server is read-only."""

from __future__ import annotations

from typing import Any

import pytest

from geo.settings import Settings, publishing_problems

AUTH = {"client_id": "atlas", "cookie_secret": "x"}
EDITORS = {"emails": ["Ed@Example.org"], "groups": ["atlas-editors"], "group_claim": "roles"}
ED = {"is_logged_in": True, "email": "ed@example.org", "email_verified": True}
VISITOR = {"is_logged_in": True, "email": "vi@example.org"}


def published(**environ: str) -> Settings:
    return Settings.from_environ(environ, {"auth": AUTH, "editors": EDITORS})


def test_a_local_server_lets_everyone_edit_unless_read_only() -> None:
    local = Settings.from_environ({}, {"editors": EDITORS})
    assert not local.published
    assert local.may_edit({}) and local.may_edit({"is_logged_in": False})
    assert not Settings.from_environ({"GEO_READ_ONLY": "1"}).may_edit(ED)


@pytest.mark.parametrize(
    ("user", "allowed"),
    [
        (ED, True),
        ({**ED, "email": " ED@example.ORG "}, True),
        ({**ED, "email_verified": False}, False),
        ({**ED, "is_logged_in": False}, False),
        (VISITOR, False),
        ({**VISITOR, "roles": ["atlas-editors", "staff"]}, True),
        ({**VISITOR, "roles": "atlas-editors"}, True),
        ({**VISITOR, "groups": ["atlas-editors"]}, False),  # not the claim the secrets name
        ({}, False),
    ],
)
def test_a_published_atlas_lets_only_its_editors_write(user: dict[str, Any], allowed: bool) -> None:
    assert published().published
    assert published().may_edit(user) is allowed
    assert not published(GEO_READ_ONLY="1").may_edit(ED)


def test_a_public_url_without_sign_in_lets_nobody_write_on_the_web() -> None:
    public = Settings.from_environ(
        {"GEO_PUBLIC_URL": "https://atlas.example.org/atlas/"}, {"editors": EDITORS}
    )
    assert public.published and public.public_url == "https://atlas.example.org/atlas/"
    assert not public.may_edit(ED) and not public.may_edit({})


def test_no_editors_listed_means_no_editor() -> None:
    signed_in = Settings.from_environ({}, {"auth": AUTH})
    assert signed_in.published and not signed_in.may_edit(ED)


# ---- the settings every process behind the proxy must share ----

PUBLIC = {"GEO_PUBLIC_URL": "https://atlas.example.org/atlas/"}


def test_a_local_server_has_no_publishing_problems() -> None:
    assert publishing_problems(Settings.from_environ({}), "", False) == []


def test_a_published_atlas_names_each_setting_that_disagrees() -> None:
    assert publishing_problems(Settings.from_environ(PUBLIC), "/atlas/", True) == []
    (prefix,) = publishing_problems(Settings.from_environ(PUBLIC), "", True)
    assert "path /atlas" in prefix and "under /" in prefix
    (secret,) = publishing_problems(Settings.from_environ(PUBLIC), "atlas", False)
    assert "server.cookieSecret" in secret
    # An address that is not one stops the app itself (public_url_problem), said once.
    bad = Settings.from_environ({"GEO_PUBLIC_URL": "atlas"})
    assert "not an http(s) address" in (bad.public_url_problem or "")
    assert publishing_problems(bad, "", True) == []
    redirect = {"auth": {**AUTH, "redirect_uri": "https://old.example.org/oauth2callback"}}
    (callback,) = publishing_problems(Settings.from_environ(PUBLIC, redirect), "atlas", True)
    assert "https://atlas.example.org/atlas/oauth2callback" in callback
    # Sign-in alone publishes too: the cookie secret must then be shared.
    assert publishing_problems(Settings.from_environ({}, {"auth": AUTH}), "", False)
