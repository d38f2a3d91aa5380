"""Fixtures shared by every test suite: where the repository, its data and the corpus are."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The bundled data folder (events, sites, sources, excerpts, geo/)."""
    return REPO_ROOT / "data"


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The folder of article texts: $GEO_CORPUS_DIR, else ``<repo>/../shared/corpus``."""
    tried: list[str] = []
    env = os.environ.get("GEO_CORPUS_DIR")
    if env:
        if Path(env).is_dir():
            return Path(env).resolve()
        tried.append(f"GEO_CORPUS_DIR={env}")
    else:
        tried.append("GEO_CORPUS_DIR (not set)")
    fallback = REPO_ROOT.parent / "shared" / "corpus"
    if fallback.is_dir():
        return fallback.resolve()
    tried.append(str(fallback))
    pytest.fail(
        "No corpus folder of article texts found; tried "
        + " and ".join(tried)
        + ". Set GEO_CORPUS_DIR to the folder holding the seed article text.",
        pytrace=False,
    )
