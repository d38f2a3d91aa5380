"""The app's settings: the environment's ``GEO_*`` variables and the server's secrets, read
together into one :class:`geo.settings.Settings`."""

from __future__ import annotations

import streamlit as st

from geo.settings import Settings, settings


def app_settings() -> Settings:
    """The settings, with the secrets the server has (none without a secrets file)."""
    try:
        secrets = st.secrets.to_dict()
    except Exception:  # no secrets file at all; Streamlit's error class has moved between releases
        secrets = {}
    return settings(secrets)
