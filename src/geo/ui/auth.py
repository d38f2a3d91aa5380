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
