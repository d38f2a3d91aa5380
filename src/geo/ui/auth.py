"""The optional sign-in: when the secrets have an ``[auth]`` section (OpenID Connect), every
page asks the visitor to sign in first; without one the atlas is open."""

from __future__ import annotations

from collections.abc import Mapping
from importlib.util import find_spec
from typing import Any

import streamlit as st

from geo import safe_html
from geo.ui.config import app_settings


def _providers(section: Mapping[str, Any]) -> list[str | None]:
    """``None`` for the ``[auth]`` section's own provider, then each named one."""
    named = [key for key, value in section.items() if isinstance(value, Mapping)]
    own = [None] if "client_id" in section or not named else []
    return [*own, *sorted(named)]


def current_user() -> dict[str, Any]:
    """The visitor's claims from the identity provider (``st.user``); ``{}`` when there is
    no session (a bare script run)."""
    try:
        return dict(st.user.to_dict())
    except Exception:  # outside a session Streamlit has no user to give
        return {}


def may_edit() -> bool:
    """Whether this visitor may use the pages that write (see
    :meth:`geo.settings.Settings.may_edit`)."""
    return app_settings().may_edit(current_user())


def editors_only() -> None:
    """Stop the run of a page that writes when this visitor may not: the page is not in the
    navigation for them, and a run that reaches it anyway (a forged request) shows the
    refusal and changes nothing."""
    if not may_edit():
        st.error("Only the atlas's editors can change its data.", icon=":material/lock:")
        st.stop()


def sign_in_gate() -> bool:
    """True when the page may be shown: sign-in is not configured, or the visitor is signed
    in. Otherwise show the sign-in buttons and return False (the caller stops)."""
    section = app_settings().auth
    if section is None:
        return True
    if st.user.get("is_logged_in", False):
        with st.sidebar:
            name = str(st.user.get("name") or st.user.get("email") or "")
            st.caption(f"Signed in{' as ' + safe_html.markdown(name) if name else ''}.")
            st.button("Log out", on_click=st.logout, icon=":material/logout:")
        return True
    st.title("China in Central Asia: event atlas")
    st.markdown("This atlas is open to signed-in users only.")
    if find_spec("authlib") is None:
        st.error(
            "Sign-in is configured, but the server lacks the Authlib package "
            "(`pip install 'streamlit[auth]'`), so nobody can sign in."
        )
        return False
    for provider in _providers(section):
        label = "Log in" if provider is None else f"Log in with {provider}"
        args = () if provider is None else (provider,)
        st.button(
            label, on_click=st.login, args=args, icon=":material/login:", key=f"login_{provider}"
        )
    return False
