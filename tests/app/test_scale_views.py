"""The pages past the threshold (3,000 imported events beside the bundled data): the summary,
the charts and a chart selection count what the files hold, the map draws hexagons, and a
small selection comes back as markers with its list. Expected values come from the CSV
files with pandas, not from the app's code."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import h3
import pandas as pd
import pytest

from atlas_tools.workload import synthetic_acled
from geo import store as stores
from geo.bundle import load_bundle
from geo.importers import import_acled
from geo.store import DuckStore
from tests.app.helpers import (
    chart_spec,
    errors,
    folium_args,
    open_app,
    page_text,
    read_csv,
    summary,
    tooltips,
)
from tests.app.test_linked import _select

SIZE = 3_000
ISO = {"398": "KAZ", "417": "KGZ", "156": "CHN"}


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Iterator[pd.DataFrame]:
    """A store file with the bundle and SIZE synthetic ACLED events, used by the app; the
    export's rows with their month and country worked out here."""
    folder: Path = tmp_path_factory.mktemp("scale-views")
    export = synthetic_acled(SIZE, folder / "acled.csv")
    store = DuckStore(folder / "atlas.duckdb")
    store.sync_bundle(load_bundle())
    assert import_acled(export, store).loaded == SIZE
    store.close()
    before = os.environ.get("GEO_STORE")
    os.environ["GEO_STORE"] = str(folder / "atlas.duckdb")
    rows = pd.read_csv(export, dtype=str, keep_default_na=False)
    rows["month"] = pd.to_datetime(rows["event_date"], format="%d %B %Y").dt.strftime("%Y-%m")
    rows["area"] = rows["iso"].map(ISO)
    try:
        yield rows
    finally:
        stores.close_all()
        if before is None:
            os.environ.pop("GEO_STORE", None)
        else:
            os.environ["GEO_STORE"] = before


def bundled_in(month: str, area: str) -> int:
    events = read_csv("events.csv")
    return int((events["event_date"].str.startswith(month) & (events["iso"] == area)).sum())


def test_the_map_page_counts_every_event_and_draws_hexagons(imported: pd.DataFrame) -> None:
    at = open_app()
    assert not at.exception, errors(at)
    bundled = read_csv("events.csv")
    assert summary(at)[0] == len(bundled) + SIZE
    args = folium_args(at)
    assert "atlas-cell" in args["feature_group"]
    assert not any("[EV" in t for t in tooltips(args))  # no event markers past the threshold
    spec = chart_spec(at)
    heights = {t["name"]: sum(t["y"]) for t in spec["data"]}
    for area, name in (("KAZ", "Kazakhstan"), ("KGZ", "Kyrgyzstan")):
        dated = bundled[(bundled["iso"] == area) & (bundled["event_date"] != "")]
        assert heights[name] == len(dated) + int((imported["area"] == area).sum()), name
    actors = chart_spec(at, "Top actors")["data"][0]
    top = imported["actor1"].value_counts()
    shown = dict(zip((c[1].split(":")[0] for c in actors["customdata"]), actors["x"], strict=True))
    assert shown[top.index[0]] == int(top.iloc[0])


def test_a_month_bar_of_a_large_view_lists_and_draws_its_events(imported: pd.DataFrame) -> None:
    at = open_app()
    month, area = "2016-05", "KAZ"
    _select(at, "month", [f"month:{month}+iso:{area}"])
    assert not at.exception, errors(at)
    want = int(((imported["month"] == month) & (imported["area"] == area)).sum())
    want += bundled_in(month, area)
    assert 0 < want < 2_000
    assert summary(at) == (want, 0)
    assert f"Selected events ({want})" in page_text(at)
    args = folium_args(at)
    assert len(tooltips(args)) == want  # few enough again: one marker each
    assert "atlas-cell" not in args["feature_group"]
    # The charts keep the whole view as context: the timeline still counts every event.
    spec = chart_spec(at)
    assert sum(sum(t["y"]) for t in spec["data"]) > SIZE


def test_hexagons_follow_the_place_and_zoom_each_session_opens(imported: pd.DataFrame) -> None:
    """Past the threshold the map's hexagons are those near where it is, at its zoom's
    resolution: a session on a link zoomed in on Almaty gets its own, not the whole region's
    that another session drew."""
    whole = open_app()
    near = open_app({"map": "43.25,76.95,9"})
    assert not near.exception, errors(near)
    tags = [
        set(re.findall(r"\[cell:([0-9a-f]+)\]", folium_args(at)["feature_group"]))
        for at in (whole, near)
    ]
    assert tags[0] and tags[1] and not tags[0] & tags[1]
    finer = {h3.get_resolution(t) for t in tags[1]}
    assert min(finer) > max(h3.get_resolution(t) for t in tags[0])
