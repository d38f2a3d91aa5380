"""A view nobody has opened yet is drawn from parts kept from earlier views (the base map,
the region outlines, markers): what the browser gets is still that view's own map. Its regions
are shaded by its own counts, and a change to the data shows in the next map drawn, in the
markers' texts as in the shading."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from atlas_tools.bench_firstdraw import naive_draw
from geo import assets
from geo.bundle import load_bundle
from geo.query import view_result
from geo.ui import viewcache
from geo.ui.atlas_map import draw
from geo.view import ViewState
from tests.app.helpers import (
    DATA,
    errors,
    expected_events,
    folium_args,
    marker_features,
    marker_ids,
    open_app,
)
from tests.dom import text_content

YEARS = {"from": "2019-01", "to": "2020-12"}
NODE = shutil.which("node") or "/usr/bin/node"
# Runs a map's region layer on a stand-in for Leaflet, and prints each region's style as the
# layer's style function gives it to Leaflet.
_STYLES = """
const L = {geoJson: (data, options) => ({data, options})};
%s
const styles = {};
for (const feature of %s.data.features) {
    styles[feature.properties.name] = %s.options.style(feature);
}
console.log(JSON.stringify(styles));
"""


def regions_drawn(args: dict[str, Any], tmp_path: Path) -> dict[str, dict[str, Any]]:
    """Each region the map shades, by name: its properties (counts, tooltip) and, under
    "style", what the layer's style function gives Leaflet for it (run in node)."""
    script = str(args["feature_group"])
    match = re.search(r"var (region_shading_\w+) = L\.geoJson\(", script)
    assert match, "no region shading in the map's layers"
    name = match.group(1)
    layer = script[match.start() : script.index(f"{name}.addTo(", match.start())]
    path = tmp_path / "regions.js"
    path.write_text(_STYLES % (layer, name, name), encoding="utf-8")
    assert Path(NODE).exists(), "node is needed to run the map's script (apt install nodejs)"
    ran = subprocess.run([NODE, str(path)], capture_output=True, text=True, timeout=60)
    assert ran.returncode == 0, ran.stderr
    styles = json.loads(ran.stdout)
    data, _ = json.JSONDecoder().raw_decode(script, match.end())
    found = {f["properties"]["name"]: dict(f["properties"]) for f in data["features"]}
    assert found.keys() == styles.keys()
    for region, style in styles.items():
        found[region]["style"] = style
    return found


def shaded(regions: dict[str, dict[str, Any]]) -> dict[str, int]:
    """The regions the browser fills (their events in view), by name."""
    return {
        name: region["events"]
        for name, region in regions.items()
        if region["style"]["fillOpacity"] > 0
    }


def test_each_new_view_shades_its_own_regions(tmp_path: Path) -> None:
    drawn = {}
    for country in ("KGZ", "KAZ"):
        at = open_app({**YEARS, "country": country})
        assert not at.exception, errors(at)
        drawn[country] = folium_args(at)
    at = open_app({**YEARS, "region": "Bishkek"})
    assert not at.exception, errors(at)
    drawn["Bishkek"] = folium_args(at)

    # The same base map (borders, legend, names) under every view.
    assert drawn["KGZ"]["script"] == drawn["KAZ"]["script"] == drawn["Bishkek"]["script"]
    for country in ("KGZ", "KAZ"):
        regions = regions_drawn(drawn[country], tmp_path)
        fills = shaded(regions)
        # Every event in view is counted in a region of its country, and only those
        # regions are filled, each in its own colour.
        assert sum(fills.values()) == len(
            expected_events(countries=[country], months=("2019-01", "2020-12"))
        )
        assert fills and all(regions[n]["adm0_a3"] == country for n in fills), fills
        for name in fills:
            assert regions[name]["style"]["fillColor"] == regions[name]["fill"] != "#ffffff"
            assert f"{regions[name]['events']} event" in text_content(regions[name]["tip"])
        assert all(
            r["style"]["color"] == "#54278f" and r["style"]["weight"] == 0.6
            for r in regions.values()
        )
        unshaded = [r for n, r in regions.items() if n not in fills]
        assert all(r["events"] == 0 and r["style"]["fillOpacity"] == 0 for r in unshaded)
    assert (
        shaded(regions_drawn(drawn["KGZ"], tmp_path))
        .keys()
        .isdisjoint(shaded(regions_drawn(drawn["KAZ"], tmp_path)).keys())
    )
    # Filtered to one region: only it is filled.
    bishkek = shaded(regions_drawn(drawn["Bishkek"], tmp_path))
    assert list(bishkek) == ["Bishkek"]
    assert bishkek["Bishkek"] == shaded(regions_drawn(drawn["KGZ"], tmp_path))["Bishkek"]


def _tooltip(args: dict[str, Any], item: str) -> str:
    (tip,) = [
        text_content(f["properties"]["tip"])
        for f in marker_features(args["feature_group"])
        if f"[{item}]" in text_content(f["properties"]["tip"])
    ]
    return tip


def test_changed_data_is_drawn_from_itself_not_from_the_markers_and_shading_of_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for path in DATA.glob("*.csv"):
        shutil.copy(path, tmp_path / path.name)
    monkeypatch.setenv("GEO_DATA_DIR", str(tmp_path))
    link = {**YEARS, "country": "KGZ"}
    before = open_app(link)
    assert not before.exception, errors(before)
    args = folium_args(before)
    assert "Mass At-Bashy rally" in _tooltip(args, "EV068")
    naryn = regions_drawn(args, tmp_path)["Naryn"]
    assert naryn["events"] >= 1

    # An editor renames EV068 and adds an event beside it, in Naryn.
    events = tmp_path / "events.csv"
    lines = events.read_text(encoding="utf-8").splitlines(keepends=True)
    (row,) = [line for line in lines if line.startswith("EV068,")]
    renamed = row.replace("Mass At-Bashy rally", "Renamed rally", 1)
    added = renamed.replace("EV068,", "EV990,", 1).replace("Renamed rally", "Second rally", 1)
    events.write_text(
        "".join(renamed if line == row else line for line in lines) + added, encoding="utf-8"
    )

    after = open_app(link)
    assert not after.exception, errors(after)
    args = folium_args(after)
    assert "Renamed rally" in _tooltip(args, "EV068")
    assert "Mass At-Bashy rally" not in str(args["feature_group"])
    assert "Second rally" in _tooltip(args, "EV990")
    assert sorted(marker_ids(args)) == sorted([*marker_ids(folium_args(before)), "EV990"])
    regions = regions_drawn(args, tmp_path)
    assert regions["Naryn"]["events"] == naryn["events"] + 1
    assert f"{naryn['events'] + 1} events" in text_content(regions["Naryn"]["tip"])


@pytest.mark.parametrize("order", ["broad first", "narrow first"])
def test_a_view_drawn_from_kept_parts_is_the_map_drawn_whole(order: str) -> None:
    """Whatever views were drawn before, each view's map is what streamlit-folium sends for
    the whole map drawn from nothing."""
    data = load_bundle()
    links = assets.links()
    views = [
        ViewState("2010-01", "2025-12"),
        ViewState("2019-01", "2020-12", countries=("KGZ",)),
        ViewState("2019-01", "2020-12", countries=("KAZ",), categories=("protest",)),
        ViewState("2010-01", "2025-12", regions=("Bishkek",), selected="EV068"),
        ViewState("2013-09", "2024-07", selected="PL004", center=(43.2, 76.9), zoom=9.0),
        ViewState("2016-01", "2016-12", query="almaty"),
    ]
    if order == "narrow first":
        views.reverse()
    viewcache.BASES.clear()
    viewcache.MARKERS.clear()
    for view in views:
        result = view_result(data, view)
        kept = draw(result, data.sources, links)
        whole = naive_draw(result, data.sources, links)
        assert kept.ring_group == whole.ring_group
        assert {k: v for k, v in kept.args.items() if k != "on_change"} == {
            k: v for k, v in whole.args.items() if k != "on_change"
        }, view
