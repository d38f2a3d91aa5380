"""AppTest runs the app in-process: every test reads the bundled data unless it says
otherwise, whatever the calling shell exports."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def bundled_data(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GEO_DATA_DIR", raising=False)
