"""AppTest runs the app in-process: every test reads the bundled data unless it says
otherwise, whatever the calling shell exports, and a script error shows its message and
traceback in the test report (the app's config redacts them for browsers)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from streamlit import config


@pytest.fixture(autouse=True)
def bundled_data(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GEO_DATA_DIR", raising=False)


@pytest.fixture(autouse=True, scope="session")
def full_error_details() -> Iterator[None]:
    before = config.get_option("client.showErrorDetails")
    config.set_option("client.showErrorDetails", "full")
    yield
    config.set_option("client.showErrorDetails", before)
