"""The app's settings: the environment's ``GEO_*`` variables and the server's secrets, read
together into one :class:`geo.settings.Settings`."""

from __future__ import annotations

import logging
import os

import streamlit as st
from streamlit import config

from geo import safe_html
from geo.settings import Settings, publishing_problems, settings

_log = logging.getLogger(__name__)
_logged: set[str] = set()


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
    return settings(_secrets())


def _secrets() -> dict[str, object]:
    # Without a secrets file Streamlit looks for one, and fails, at every read of st.secrets
    # (a few hundredths of a second per page run): ask it only when there is a file, or when
    # it holds secrets already (given by the host, or by a test).
    files = config.get_option("secrets.files") or []
    given = getattr(st.secrets, "_secrets", None) is not None
    if not given and not any(os.path.isfile(os.path.expanduser(str(f))) for f in files):
        return {}
    try:
        return dict(st.secrets.to_dict())
    except Exception:  # an unreadable file; Streamlit's error class has moved between releases
        return {}


def check_publishing() -> None:
    """When the atlas is published, check the settings every process must share against
    this server's own (see :func:`geo.settings.publishing_problems`): each problem goes to
    the server's log once and stays on every page until it is fixed."""
    problems = publishing_problems(
        app_settings(),
        str(config.get_option("server.baseUrlPath") or ""),
        config.is_manually_set("server.cookieSecret"),
    )
    for problem in problems:
        if problem not in _logged:
            _logged.add(problem)
            _log.error("publishing settings: %s", problem)
    if problems:
        st.error(
            "This atlas's publishing settings need fixing by whoever runs it:\n\n"
            + "\n".join(f"- {safe_html.markdown(p, max_len=400)}" for p in problems),
            icon=":material/settings:",
        )
