"""The folium map: hostile text stays inert, the script parses, one marker per item shown,
approximate places look and read approximate, clicks give back the item's id."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import folium
import pytest

from geo import assets, maps, query
from geo.bundle import borders_geojson
from geo.view import Bounds, ViewState
from tests.dom import text_content

IMG = "<img src=x onerror=alert(1)>"
INTERP = "${alert(1)}"
TICKS = "a`b `; alert(1); `"
BACKSLASH = "\\2019 \\u0060"
SCRIPT = "</script><script>alert(1)</script>"
CONTROLS = "NUL\x00bell\x07esc\x1b"
RTL_EMOJI = "مظاهرة في ألماتي · הפגנה 🇰🇿 🙂"
QUOTE_URL = 'https://example.org/"><script>alert(2)</script>'

# What must never reach the page as is, and what each becomes (so we know it was rendered).
RAW = [IMG, INTERP, "a`b", "`; alert(1); `", "\\2019", "\\u0060", SCRIPT, "\x00", "\x07", "\x1b"]
RAW += ["javascript:", "data:text/html", '"><script>', "alert(2)</script>"]
ESCAPED = [
    "&lt;img src=x onerror=alert(1)&gt;",
    "&#36;&#123;alert(1)&#125;",
    "a&#96;b &#96;; alert(1); &#96;",
    "&#92;2019 &#92;u0060",
    "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;",
    "NULbellesc",
    RTL_EMOJI,
]
NODE = shutil.which("node") or "/usr/bin/node"


@pytest.fixture(scope="module")
def borders() -> str:
    return borders_geojson()


@pytest.fixture(scope="module")
def links() -> assets.AssetLinks:
    return assets.links()


@pytest.fixture
def hostile(write_folder, rows):
    """A data folder whose every free-text field holds a payload."""
    event, site, source = rows.event, rows.site, rows.source
    folder = write_folder(
        events=[
            event(
                "P1",
                title=IMG,
                location=INTERP,
                actor1=TICKS,
                assoc_actor_1=CONTROLS,
                participants=BACKSLASH,
                arrests=SCRIPT,
                notes=SCRIPT + INTERP + TICKS,
                admin1=RTL_EMOJI,
                source_id="SRC-P",
            ),
            event(
                "P2",
                title=SCRIPT,
                location=RTL_EMOJI,
                actor1=BACKSLASH,
                participants=INTERP,
                iso="KGZ",
                latitude="41.4287",
                longitude="75.9911",
                geo_precision="region",
                source_id="SRC-J",
            ),
            event(
                "P3",
                title=TICKS,
                location=IMG,
                category="policy",
                latitude="51.1694",
                longitude="71.4491",
                geo_precision="country",
                event_date="2019-08",
                time_precision="month",
                source_id="SRC-Q",
            ),
        ],
        sites=[
            site("S-P", name=IMG, site_type=INTERP, actor1=TICKS, location=BACKSLASH),
            site(
                "S-YEAR",
                name=SCRIPT,
                date_open="2012",
                open_precision="",
                date_close="2019-08",
                close_precision="",
                source_id="SRC-J",
            ),
        ],
        sources=[
            source("SRC1"),
            source("SRC-P", title=SCRIPT, url=QUOTE_URL),
            source("SRC-J", title=IMG, url="javascript:alert(1)"),
            source("SRC-Q", title=INTERP, url="data:text/html,<script>alert(1)</script>"),
        ],
        name="hostile",
    )
    bundle = folder.load()
    assert bundle.errors == []
    assert len(bundle.events) == 3 and len(bundle.sites) == 2
    return bundle


def _view(bundle) -> ViewState:
    return ViewState.default(Bounds(*bundle.month_span()))


def render(bundle, borders, links, state=None, selected=None) -> tuple[str, list]:
    state = state or _view(bundle)
    m = maps.base_map(borders, links)
    groups = maps.data_layers(query.apply(bundle, state), bundle.sources, links, selected)
    for group in groups:
        group.add_to(m)
    return m.get_root().render(), groups


def inline_scripts(page: str) -> list[str]:
    return re.findall(r"<script>(.*?)</script>", page, flags=re.S)


def node_check(tmp_path: Path, script: str) -> subprocess.CompletedProcess:
    assert Path(NODE).exists(), "node is needed to check the map's script (apt install nodejs)"
    path = tmp_path / "map.js"
    path.write_text(script, encoding="utf-8")
    return subprocess.run([NODE, "--check", str(path)], capture_output=True, text=True, timeout=60)


# ---- hostile text ----


def test_no_payload_reaches_the_page_raw(hostile, borders, links) -> None:
    page, _ = render(hostile, borders, links)
    for raw in RAW:
        assert raw not in page, raw
    for escaped in ESCAPED:
        assert escaped in page, escaped
    assert page.count("<script") == page.count("</script>")


def test_the_hostile_map_script_parses(hostile, borders, links, tmp_path) -> None:
    page, _ = render(hostile, borders, links, selected="P1")
    scripts = inline_scripts(page)
    assert len(scripts) == 2
    assert "&lt;img src=x onerror=alert(1)&gt;" in scripts[-1]  # the data is in there
    result = node_check(tmp_path, "\n;\n".join(scripts))
    assert result.returncode == 0, result.stderr


def test_node_check_does_catch_a_broken_template_literal(tmp_path) -> None:
    assert node_check(tmp_path, "var a = `x` y`;").returncode != 0


def test_the_bundled_map_script_parses(bundled, borders, links, tmp_path) -> None:
    page, _ = render(bundled, borders, links, selected="EV025")
    result = node_check(tmp_path, "\n;\n".join(inline_scripts(page)))
    assert result.returncode == 0, result.stderr


def test_unsafe_source_links_get_no_href(hostile, borders, links) -> None:
    popups = {m.item_id: m.popup for m in markers(render(hostile, borders, links)[1])}
    assert "href" not in popups["P2"]  # javascript:
    assert "href" not in popups["P3"]  # data:
    assert "&lt;img src=x onerror=alert(1)&gt;" in popups["P2"]  # the title still shows
    # A link holding '"' or '<' unencoded is no link at all (geo.safe_html.url_problem).
    assert "href" not in popups["P1"]


# ---- markers ----


@dataclass
class MarkerView:
    item_id: str | None
    glyph: str
    popup: str
    tooltip: str
    location: list[float]


def walk(element):
    for child in element._children.values():
        yield child
        yield from walk(child)


def markers(groups) -> list[MarkerView]:
    """Every marker the layers draw, as the browser gets it: its glyph (by the layer's glyph
    table), popup, tooltip text (what st_folium returns on a click) and place."""
    found = []
    for group in groups:
        for element in walk(group):
            if not isinstance(element, maps.MarkerLayer):
                continue
            script = element.on_each.split("var glyphs = ", 1)[1]
            table, _ = json.JSONDecoder().raw_decode(script)
            for feature in json.loads(element.data)["features"]:
                props = feature["properties"]
                shown = text_content(props["tip"])
                lon, lat = feature["geometry"]["coordinates"]
                found.append(
                    MarkerView(
                        maps.clicked_id(shown),
                        table[props["mk"]],
                        props["popup"],
                        shown,
                        [lat, lon],
                    )
                )
    return found


@pytest.mark.parametrize(
    "state",
    [
        ViewState("2013-09", "2024-07"),
        ViewState("2019-01", "2020-12", countries=("KGZ",)),
        ViewState("2013-09", "2024-07", categories=("consulate_embassy", "bri_site")),
        ViewState("2021-03", "2021-03", query="twenty-two", undated=False),
        ViewState("2013-09", "2013-09", countries=("CHN",), categories=("policy",)),
    ],
)
def test_one_marker_per_event_and_site_shown(bundled, links, state: ViewState) -> None:
    filtered = query.apply(bundled, state)
    groups = maps.data_layers(filtered, bundled.sources, links)
    found = markers(groups)
    assert len(found) == filtered.count
    shown = set(filtered.events["event_id"]) | set(filtered.sites["site_id"])
    assert {m.item_id for m in found} == shown
    assert not any(isinstance(e, folium.CircleMarker) for g in groups for e in walk(g))
    layers = [g for g in groups if isinstance(g, maps.CategoryLayer)]
    assert len(layers) == len(maps.Category)  # one layer per category, in the layer control
    counts = [int(re.search(r"\((\d+)\)$", g.layer_name).group(1)) for g in layers]
    assert sum(counts) == filtered.count


def test_approximate_places_are_drawn_dashed_and_say_so(bundled, links) -> None:
    filtered = query.apply(bundled, ViewState("2013-09", "2024-07"))
    events, sites = filtered.events, filtered.sites
    precision = dict(zip(events["event_id"], events["geo_precision"], strict=True))
    precision |= dict(zip(sites["site_id"], sites["geo_precision"], strict=True))
    found = markers(maps.data_layers(filtered, bundled.sources, links))
    approximate = {m.item_id for m in found if precision[m.item_id] in ("region", "country")}
    assert {"EV001", "EV052", "EV063", "PL010", "PL020"} <= approximate
    for m in found:
        if m.item_id in approximate:
            assert "atlas-mk-approx" in m.glyph and "dashed" in m.glyph, m.item_id
            assert "<b>approximate</b>" in m.popup, m.item_id
        else:
            assert "atlas-mk-located" in m.glyph and "dashed" not in m.glyph, m.item_id
            assert "approximate" not in m.popup, m.item_id
        kind = "site" if m.item_id.startswith("PL") else "event"
        assert f"atlas-mk-{kind}" in m.glyph


def test_popups_say_when_with_the_precision_known(bundled, hostile, borders, links) -> None:
    found = markers(maps.data_layers(query.apply(bundled, _view(bundled)), bundled.sources, links))
    popups = {m.item_id: m.popup for m in found}
    assert "August 2019 (month known, not the day)" in popups["EV034"]
    assert "date unknown" in popups["EV036"]
    assert "9 July 2018 to 1 August 2018" in popups["EV050"]
    assert "27 March 2021" in popups["EV025"]
    assert "from 2012 (year known only) until 29 August 2019" in popups["PL005"]
    assert "opening date unknown" in popups["PL001"]
    assert popups["EV025"].count('href="https://') == 1
    # Precisions left blank in the file are inferred, not shown as a false day.
    hostile_popups = {m.item_id: m.popup for m in markers(render(hostile, borders, links)[1])}
    assert (
        "from 2012 (year known only) until August 2019 (month known, not the day)"
        in hostile_popups["S-YEAR"]
    )


def test_the_selected_item_gets_a_ring(bundled, links) -> None:
    filtered = query.apply(bundled, _view(bundled))
    groups = maps.data_layers(filtered, bundled.sources, links, selected="EV025")
    assert groups[-1].layer_name == maps.SELECTED_LAYER
    rings = [e for e in walk(groups[-1]) if isinstance(e, maps.SelectedRing)]
    assert len(rings) == 1
    ev025 = bundled.events.set_index("event_id").loc["EV025"]
    assert rings[0].point == [ev025["latitude"], ev025["longitude"]]
    # Drawn in its own pane, above the markers and the cluster bubbles.
    script = rings[0]._template.module.script(rings[0])
    assert '"atlas-selected"' in script and "L.circleMarker" in script
    unknown = maps.data_layers(filtered, bundled.sources, links, selected="EV999")
    assert not any(isinstance(e, maps.SelectedRing) for e in walk(unknown[-1]))


def test_the_ring_alone_is_where_the_layers_put_it(bundled, links) -> None:
    """A selection's map is its view's map with the ring's group swapped in: that group and
    the point it rings must be the ones the layers make, for events, sites, an unknown id and
    no selection."""
    filtered = query.apply(bundled, _view(bundled))
    ids = [*filtered.events["event_id"][:4], *filtered.sites["site_id"][:4], "EV999", None]
    for item in ids:
        groups = maps.data_layers(filtered, bundled.sources, links, selected=item)
        rings = [e.point for e in walk(groups[-1]) if isinstance(e, maps.SelectedRing)]
        point = maps.selected_point(filtered, item)
        assert rings == ([list(point)] if point is not None else []), item
        alone = maps.selection_layer(point)
        assert [e.point for e in walk(alone) if isinstance(e, maps.SelectedRing)] == rings
    assert maps.selected_point(filtered, "EV025") is not None


def test_the_base_map_does_not_depend_on_the_data(borders, links) -> None:
    """Its script is what st_folium hashes: it must be the same on every rerun."""

    def script() -> str:
        page = maps.base_map(borders, links).get_root().render()
        return re.sub(r"_[0-9a-f]{32}", "_ID", inline_scripts(page)[-1])

    assert script() == script()


# ---- clicks ----


@pytest.mark.parametrize(
    ("tooltip", "expected"),
    [
        ("Rally in Almaty · 27 March 2021 [EV025]", "EV025"),
        ("  Consulate · from August 2007 [PL002]  \n", "PL002"),
        ("Title with [FAKE] inside · 2021 [EV001]", "EV001"),
        ("[a.b:c_d-e]", "a.b:c_d-e"),
    ],
)
def test_clicked_id_reads_the_id_at_the_end_of_the_tooltip(tooltip, expected) -> None:
    assert maps.clicked_id(tooltip) == expected


@pytest.mark.parametrize(
    "junk",
    [
        None,
        42,
        ["[EV001]"],
        {"tooltip": "[EV001]"},
        "",
        "no id here",
        "[EV001",
        "EV001]",
        "[EV001] and then more",
        "[]",
        "[ EV001 ]",
        "[<script>]",
        "[-EV001]",
        "[EV 001]",
        "[" + "A" * 65 + "]",
        "[EV001]]",
    ],
)
def test_clicked_id_rejects_junk(junk) -> None:
    assert maps.clicked_id(junk) is None


def test_every_tooltip_gives_back_its_own_id(hostile, links) -> None:
    found = markers(maps.data_layers(query.apply(hostile, _view(hostile)), hostile.sources, links))
    assert sorted(m.item_id for m in found) == ["P1", "P2", "P3", "S-P", "S-YEAR"]
    for m in found:
        assert m.tooltip.endswith(f"[{m.item_id}]")


def test_an_end_month_is_not_shown_as_a_day(write_folder, rows, links) -> None:
    folder = write_folder(
        events=[rows.event("M1", event_date="2019-08", time_precision="month", date_end="2019-09")],
        name="months",
    )
    bundle = folder.load()
    assert bundle.errors == []
    (found,) = markers(maps.data_layers(query.apply(bundle, _view(bundle)), bundle.sources, links))
    assert "September 2019" in found.popup
    assert "30 September" not in found.popup
