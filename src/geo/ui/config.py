"""The app's settings: the environment's ``GEO_*`` variables and the server's secrets, read
together into one :class:`geo.settings.Settings`."""

from __future__ import annotations

import streamlit as st

from geo import safe_html
from geo.settings import Settings, settings


def public_url_gate() -> bool:
    """Whether the public address (``GEO_PUBLIC_URL``) is usable; if not, an error saying
    what is wrong with it is on the page and the caller stops (links would go nowhere)."""
    problem = app_settings().public_url_problem
    if problem is None:
        return True
    st.error(f"The atlas is not started: {safe_html.markdown(problem)}", icon=":material/link_off:")
    return False


def app_settings() -> Settings:
    """The settings, with the secrets the server has (none without a secrets file)."""
    try:
        secrets = st.secrets.to_dict()
    except Exception:  # no secrets file at all; Streamlit's error class has moved between releases
        secrets = {}
    return settings(secrets)
