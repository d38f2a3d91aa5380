"""Identical views are computed once: a second session opening the same link gets the map's
layers and the charts from the cross-session cache, the same as the first got; another view,
another selection or new data are computed afresh."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo.store import close_all
from geo.ui import viewcache
from tests.app.helpers import errors, folium_args, open_app, summary

LINK = {"from": "2019-01", "to": "2020-12", "country": "KGZ"}


def misses() -> tuple[int, int]:
    return viewcache.LAYERS.misses, viewcache.CHARTS.misses


def test_a_second_session_on_the_same_link_reuses_the_first_ones_map_and_charts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    viewcache.LAYERS.clear()
    viewcache.CHARTS.clear()
    first = open_app(LINK)
    assert not first.exception, errors(first)
    after_first = misses()
    assert after_first[0] >= 1 and after_first[1] >= 3  # the layers; month, category, actor

    second = open_app(LINK)
    assert not second.exception, errors(second)
    assert misses() == after_first  # nothing computed again
    assert folium_args(second)["feature_group"] == folium_args(first)["feature_group"]
    assert summary(second) == summary(first)
    assert len(first.get("plotly_chart")) >= 3
    assert [c.proto.spec for c in second.get("plotly_chart")] == [
        c.proto.spec for c in first.get("plotly_chart")
    ]

    selected = open_app({**LINK, "sel": "EV068"})
    assert misses()[0] == after_first[0] + 1  # a selection draws its own layers
    assert "EV068" in folium_args(selected)["feature_group"]

    # New data (an import into the store) is a new data version: drawn afresh.
    monkeypatch.setenv("GEO_STORE", str(tmp_path / "atlas.duckdb"))
    try:
        fresh = open_app(LINK)
        assert not fresh.exception, errors(fresh)
        assert misses()[0] > after_first[0] + 1
    finally:
        close_all()
