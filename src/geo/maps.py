"""The folium map: a static base (tiles, borders, legend) and one data layer per category.

The base map does not depend on filters or selection, so its script (and streamlit-folium's
hash of it) stays the same across reruns and the browser keeps its zoom. Everything that
follows the view goes into the feature groups passed to ``st_folium(feature_group_to_add=)``.
All text from data passes through :mod:`geo.safe_html`.
"""

from __future__ import annotations

import base64
import json
import os
import random
import re
import struct
import zlib
from collections.abc import Mapping, MutableMapping, Sequence
from typing import NamedTuple, cast

import branca.element
import folium
import pandas as pd
from folium.elements import JSCSSMixin
from folium.map import Layer
from folium.plugins import FeatureGroupSubGroup, MarkerCluster

from geo import safe_html
from geo.assets import AssetLinks
from geo.bundle import PlaceLabel
from geo.model import CATEGORY_LABELS, Category
from geo.query import Filtered
from geo.render import ItemFacts, Record, item_facts
from geo.view import DEFAULT_CENTER, DEFAULT_ZOOM

# branca names every element it creates with os.urandom: a system call that lets go of the
# interpreter lock, so with other sessions' runs busy each call waits up to the switch
# interval (5 ms) to get it back, and drawing one map page makes about 200 of them. The ids
# only need to differ within a page: a generator seeded once from the system draws them
# without giving up the lock.
_ELEMENT_IDS = random.Random(int.from_bytes(os.urandom(16), "big"))


def _element_id(cls: type) -> str:
    return f"{_ELEMENT_IDS.getrandbits(128):032x}"


branca.element.Element._generate_id = classmethod(_element_id)  # type: ignore[method-assign,assignment]

# The opening view is fixed rather than fitted, so the map's first report of its own centre
# and zoom is the view it shows.
MAP_CENTER, MAP_ZOOM = DEFAULT_CENTER, DEFAULT_ZOOM
SELECTED_LAYER = "Selected"
_TOOLTIP_ID = re.compile(r"\[([A-Za-z0-9][A-Za-z0-9_.:-]{0,63})\]\s*$")


def _solid_png(rgb: tuple[int, int, int]) -> str:
    """A 1×1 PNG of one colour as a data URL: the offline base 'tile'."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    raw = b"\x00" + bytes(rgb)
    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )
    return "data:image/png;base64," + base64.b64encode(png).decode()


PLAIN_TILE = _solid_png((236, 240, 243))

_LEGEND_CSS = (
    "width:max-content;max-width:280px;"
    "background:rgba(255,255,255,.92);padding:6px 9px;border-radius:4px;"
    "font:11px/1.35 system-ui,sans-serif;box-shadow:0 1px 4px rgba(0,0,0,.3);color:#222"
)


def marker_html(category: Category, approximate: bool, site: bool) -> str:
    """Marker glyph: circle for events, square for sites; hollow and dashed if approximate."""
    colour = category.colour
    shape = "border-radius:2px" if site else "border-radius:50%"
    if approximate:
        fill = f"background:{colour}33;border:2px dashed {colour}"
    else:
        fill = f"background:{colour};border:2px solid #fff;box-shadow:0 0 0 1px {colour}"
    kind = "site" if site else "event"
    precision = "approx" if approximate else "located"
    return (
        f'<div class="atlas-mk atlas-mk-{kind} atlas-mk-{precision}" '
        f'style="width:14px;height:14px;box-sizing:border-box;{shape};{fill}"></div>'
    )


def legend_html() -> str:
    rows = []
    for category in Category:
        rows.append(
            f'<div><span style="display:inline-block;width:11px;height:11px;border-radius:50%;'
            f'background:{category.colour};margin-right:6px"></span>{category.label}</div>'
        )
    rows.append('<div style="margin-top:4px;border-top:1px solid #ccc;padding-top:4px">')
    rows.append(
        '<div><span style="display:inline-block;width:11px;height:11px;border-radius:50%;'
        'background:#777;margin-right:6px"></span>event, located (exact or city)</div>'
    )
    rows.append(
        '<div><span style="display:inline-block;width:11px;height:11px;border-radius:2px;'
        'background:#777;margin-right:6px"></span>site (consulate, embassy, project)</div>'
    )
    rows.append(
        '<div><span style="display:inline-block;width:11px;height:11px;border-radius:50%;'
        'border:2px dashed #777;box-sizing:border-box;margin-right:6px"></span>'
        "approximate: region or country only</div>"
    )
    rows.append(
        '<div><span style="display:inline-block;width:13px;height:13px;border-radius:50%;'
        'border:2px dashed #111;background:#999;box-sizing:border-box;margin-right:6px">'
        "</span>several categories here: click to open</div></div>"
    )
    rows.append(
        '<div style="margin-top:4px"><span style="display:inline-block;width:22px;height:9px;'
        'background:linear-gradient(90deg,#f2f0f7,#54278f);margin-right:6px"></span>'
        "region shade: events in view</div>"
    )
    return (
        f'<details open class="atlas-legend" style="{_LEGEND_CSS}">'
        f'<summary style="cursor:pointer"><b>Legend</b></summary>{"".join(rows)}</details>'
    )


# Maps narrower than this (pixels) start with the legend folded.
LEGEND_FOLD_BELOW = 600
# ... and wherever the open legend would cover more than this share of the map's area.
LEGEND_FOLD_SHARE = 0.2


class Legend(folium.MacroElement):
    """A fixed legend in the map's bottom-left corner (static markup, no data strings)."""

    _template = folium.template.Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.control({position: "bottomleft"});
        {{ this.get_name() }}.onAdd = function (map) {
            var div = L.DomUtil.create("div");
            div.innerHTML = {{ this.html|tojson }};
            // Folded on a narrow map, where it would cover much of it; a tap opens it.
            if (map.getSize().x < {{ this.fold_below }}) {
                div.querySelector("details").open = false;
            }
            return div;
        };
        {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        // Folded too where, open, it would hide more than a set share of the map: how much
        // that is depends on the browser's fonts and style sheets, so it is measured once the
        // page has loaded them.
        (function (map, control) {
            function fold() {
                var details = control.getContainer().querySelector("details");
                var size = map.getSize();
                var box = details.getBoundingClientRect();
                var share = (box.width * box.height) / (size.x * size.y);
                if (details.open && share > {{ this.fold_share }}) {
                    details.open = false;
                }
            }
            if (document.readyState === "complete") {
                fold();
            } else {
                window.addEventListener("load", fold, {once: true});
            }
        })({{ this._parent.get_name() }}, {{ this.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "Legend"
        self.html = legend_html()
        self.fold_below = LEGEND_FOLD_BELOW
        self.fold_share = LEGEND_FOLD_SHARE


# The pane of the selected item's ring: above markers and cluster bubbles (600), below
# tooltips and popups (650, 700).
SELECTED_PANE = "atlas-selected"


class SelectedPane(folium.MacroElement):
    """Creates :data:`SELECTED_PANE` with the map (the layers that use it come later, with
    each view)."""

    _template = folium.template.Template(
        """
        {% macro script(this, kwargs) %}
        (function (map) {
            var pane = map.createPane({{ this.pane|tojson }});
            pane.style.zIndex = 640;
            pane.style.pointerEvents = "none";
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "SelectedPane"
        self.pane = SELECTED_PANE


class SelectedRing(folium.MacroElement):
    """A ring round the selected item, in :data:`SELECTED_PANE`, above any cluster that
    holds it (bringing the item into view is the caller's: the map's centre argument)."""

    _template = folium.template.Template(
        """
        {% macro script(this, kwargs) %}
        L.circleMarker({{ this.point|tojson }}, {
            radius: 16, color: "#111111", weight: 3, fill: false, interactive: false,
            pane: {{ this.pane|tojson }}, className: "atlas-selected-ring"
        }).addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, point: tuple[float, float]) -> None:
        super().__init__()
        self._name = "SelectedRing"
        self.point = list(point)
        self.pane = SELECTED_PANE


class KeyboardAccess(folium.MacroElement):
    """Markers for keyboard and screen-reader users: each marker and cluster is a button
    named by its item (title, date, place) or its count (``atlasNamedIcon``); Enter or
    Space on one does what a click does (selects the item, opens the cluster), and nothing
    else moves the map. Region shapes stay out of the Tab order (the sidebar's region
    filter is their keyboard way in)."""

    _template = folium.template.Template(
        """
        {% macro script(this, kwargs) %}
        (function (map) {
            // The name arrives escaped for HTML (geo.safe_html); read back as text, never
            // parsed into the page.
            window.atlasNamedIcon = function (options, name) {
                var icon = L.divIcon(options);
                var text = new DOMParser().parseFromString(name || "", "text/html")
                    .documentElement.textContent;
                var create = icon.createIcon;
                icon.createIcon = function (old) {
                    var div = create.call(this, old);
                    div.setAttribute("aria-label", text);
                    return div;
                };
                return icon;
            };
            map.getContainer().addEventListener("keydown", function (e) {
                if (e.key !== "Enter" && e.key !== " ") { return; }
                var icon = e.target.closest && e.target.closest(".leaflet-marker-icon");
                if (!icon) { return; }
                var found = null;
                map.eachLayer(function (layer) { if (layer._icon === icon) { found = layer; } });
                if (!found) { return; }
                e.preventDefault();
                e.stopPropagation();
                found.fire("click", {latlng: found.getLatLng(), originalEvent: e}, true);
            });
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "KeyboardAccess"


class PlaceNames(folium.MacroElement):
    """The offline base map's names (countries and capitals; the other big cities from zoom
    5 on), in a pane between the region shading and the markers that no click reaches; and,
    when an online base layer is chosen whose tiles cannot load, a note on the map saying
    so."""

    _template = folium.template.Template(
        """
        {% macro script(this, kwargs) %}
        (function (map) {
            var pane = map.createPane("atlas-labels");
            pane.style.zIndex = 450;
            pane.style.pointerEvents = "none";
            var names = L.layerGroup(), towns = L.layerGroup();
            {{ this.labels }}.forEach(function (p) {
                L.marker([p[1], p[2]], {
                    pane: "atlas-labels", interactive: false, keyboard: false,
                    icon: L.divIcon({className: "atlas-label atlas-label-" + p[3],
                                     html: "<span>" + p[0] + "</span>", iconSize: null})
                }).addTo(p[3] === "city" ? towns : names);
            });
            names.addTo(map);
            // Other cities once zoomed in far enough for their names not to pile up.
            function showTowns() {
                if (map.getZoom() >= 5) { towns.addTo(map); } else { towns.remove(); }
            }
            map.on("zoomend", showTowns);
            showTowns();
            var note = L.control({position: "bottomright"});
            note.onAdd = function () {
                var box = L.DomUtil.create("div", "atlas-tile-note");
                box.style.display = "none";
                return box;
            };
            note.addTo(map);
            map.on("baselayerchange", function (e) {
                var box = note.getContainer();
                box.style.display = "none";
                if (!e.layer || !e.layer.once) { return; }
                e.layer.once("tileerror", function () {
                    box.textContent = e.name + ": its tiles cannot be loaded here (no "
                        + "internet connection?). Choose \u201cPlain (works offline)\u201d "
                        + "in the layer list.";
                    box.style.display = "block";
                });
            });
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, labels: Sequence[PlaceLabel]) -> None:
        super().__init__()
        self._name = "PlaceNames"
        self.labels = script_json(
            [[safe_html.text(p.name), p.latitude, p.longitude, p.kind] for p in labels]
        )


# Written once in the map's page rather than on every popup (plain CSS: no data in it).
MAP_CSS = (
    ".atlas-popup{font:12px/1.4 system-ui,sans-serif;max-width:300px}"
    ".atlas-popup th{text-align:left;padding-right:6px;vertical-align:top}"
    ".atlas-label{background:none;border:none}"
    ".atlas-label span{display:inline-block;transform:translate(-50%,-50%);white-space:nowrap;"
    "font:600 11px system-ui,sans-serif;color:#333;text-shadow:0 0 3px #fff,0 0 3px #fff}"
    ".atlas-label-country span{font-size:13px;letter-spacing:2px;color:#666}"
    ".atlas-label-capital span{font-size:12px;color:#111}"
    # A city's name sits under its point, clear of the markers drawn on it.
    ".atlas-label-capital span,.atlas-label-city span{transform:translate(-50%,14px)}"
    # Region shapes are out of the Tab order; a click must not draw a focus box on one.
    "path.leaflet-interactive:focus{outline:none}"
    # A region's tooltip follows the pointer: it wraps, so the map's edge does not cut it.
    ".atlas-region-tip{white-space:normal;width:200px}"
    # A marker's tooltip opens beside it, away from the nearer edge: wrapped to under half the
    # map's width, it fits on that side.
    ".atlas-marker-tip{white-space:normal;width:max-content;max-width:min(240px,40vw)}"
    ".atlas-region-filter{margin-top:6px;padding:3px 10px;font:12px system-ui,sans-serif;"
    "border:1px solid #54278f;border-radius:4px;background:#fff;color:#54278f;cursor:pointer}"
    ".atlas-region-filter:hover,.atlas-region-filter:focus{background:#54278f;color:#fff}"
    ".atlas-tile-note{background:#fff8e1;border:1px solid #e0b000;padding:4px 8px;"
    "font:12px system-ui,sans-serif;max-width:260px}"
)


def _use_assets(element: JSCSSMixin, assets: AssetLinks) -> None:
    element.default_js = list(assets.js)
    element.default_css = list(assets.css)


class FocusWithoutScrolling(folium.MacroElement):
    """Leaflet focuses the map on every mouse press so its arrow keys work, and that focus
    scrolls the page until the whole map is in view: when the map is taller than what shows
    of it (a notice above pushes it down), the page moves between press and release and the
    release lands on another spot, so a click on a marker selects nothing. Focusing the map
    first, without scrolling, leaves Leaflet nothing to do."""

    _template = folium.template.Template(
        """
        {% macro script(this, kwargs) %}
        (function (container) {
            container.addEventListener("mousedown", function () {
                if (document.activeElement !== container) {
                    container.focus({preventScroll: true});
                }
            }, true);
        })({{ this._parent.get_name() }}.getContainer());
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "FocusWithoutScrolling"


def base_map(
    borders_geojson: str, assets: AssetLinks, labels: Sequence[PlaceLabel] = ()
) -> folium.Map:
    """The map without data: offline base with place names, online tiles to choose,
    borders, legend."""
    m = folium.Map(
        location=MAP_CENTER,
        zoom_start=MAP_ZOOM,  # type: ignore[arg-type]  # folium hints int; Leaflet zooms by 0.25
        tiles=None,
        control_scale=True,
        zoom_snap=0.25,
        zoom_delta=0.5,
    )
    _use_assets(m, assets)
    FocusWithoutScrolling().add_to(m)
    folium.TileLayer(
        PLAIN_TILE, name="Plain (works offline)", attr="Borders: Natural Earth", max_zoom=18
    ).add_to(m)
    folium.TileLayer("OpenStreetMap", name="OpenStreetMap (online)", show=False).add_to(m)
    folium.TileLayer("OpenTopoMap", name="OpenTopoMap (online)", show=False).add_to(m)
    folium.GeoJson(
        borders_geojson,
        name="Borders (Natural Earth admin-1)",
        style_function=_border_style,
        highlight_function=None,
        smooth_factor=1.0,
        interactive=False,
    ).add_to(m)
    Legend().add_to(m)
    SelectedPane().add_to(m)
    KeyboardAccess().add_to(m)
    if labels:
        PlaceNames(labels).add_to(m)
    root = cast(folium.Figure, m.get_root())  # a Map's root is the Figure it creates
    root.header.add_child(folium.Element(f"<style>{MAP_CSS}</style>"), name="atlas_css")
    return m


def _border_style(feature: dict) -> dict:
    iso = feature["properties"].get("adm0_a3", "")
    fill = {"KAZ": "#cfe3d4", "KGZ": "#e6d9c3", "CHN": "#dcd3e6"}.get(iso, "#dddddd")
    return {"color": "#6b6b6b", "weight": 1, "fillColor": fill, "fillOpacity": 0.55}


# ---- text for popups and tooltips ----


def tooltip_text(title: str, when: str, item_id: str) -> str:
    """Tooltip: title and date; the id in brackets, hidden from readers, ends the text a
    click reports (and is read back by :func:`clicked_id`)."""
    tag = safe_html.hidden_tag(f"[{safe_html.text(item_id)}]")
    return f"{safe_html.text(title, 90)} · {safe_html.text(when)} {tag}"


def marker_name(title: str, when: str, where: str) -> str:
    """What a screen reader says for a marker: title, date and place (escaped; the map's
    script reads it back as text, :class:`KeyboardAccess`)."""
    return safe_html.text(", ".join(p for p in (title, when, where) if p), 300)


def clicked_id(tooltip: object) -> str | None:
    """The event or site id in the text of a clicked marker's tooltip."""
    if not isinstance(tooltip, str):
        return None
    match = _TOOLTIP_ID.search(tooltip.strip())
    return match.group(1) if match else None


def _row(label: str, value: str) -> str:
    return f"<tr><th>{label}</th><td>{value}</td></tr>"


def popup_html(facts: ItemFacts) -> str:
    """Popup markup for an event or a site (:func:`geo.render.item_facts`); every data
    string escaped."""
    rows = [
        _row("Date", safe_html.text(facts.when)),
        _row("Place", safe_html.text(facts.where)),
    ]
    if facts.approximate:
        rows.append(
            _row("Location", f"<b>approximate</b>: {safe_html.text(facts.precision_words)}")
        )
    else:
        rows.append(_row("Location", safe_html.text(facts.precision_words)))
    if facts.actors:
        rows.append(_row("Actors", safe_html.text("; ".join(facts.actors), 300)))
    for figures in facts.figures:
        if figures.figures:
            shown = "<br>".join(safe_html.text(f.text, 200) for f in figures.figures)
            rows.append(_row(figures.label, shown))
    if facts.kind == "site":
        rows.append(_row("Type", safe_html.text(facts.type_words)))
    rows.append(_row("Confidence", safe_html.text(facts.confidence)))
    if facts.source is not None:
        rows.append(_row("Source", safe_html.link(facts.source.url, facts.source.title)))
    return (
        f"<div class='atlas-popup'>"
        f"<b>{safe_html.text(facts.title, 200)}</b><table>{''.join(rows)}</table>"
        f"<i>Click the marker to read the excerpts beside the map.</i></div>"
    )


# A cluster takes the colour of the category most of its items belong to; one that holds
# several categories has a dashed ring, so a reader knows it is worth opening.
_CLUSTER_ICON = """
function (cluster) {
    var kids = cluster.getAllChildMarkers(), n = kids.length, counts = {}, top = null;
    kids.forEach(function (m) {
        var c = m.options.atlasColour || '#555555';
        counts[c] = (counts[c] || 0) + 1;
        if (top === null || counts[c] > counts[top]) { top = c; }
    });
    var mixed = Object.keys(counts).length > 1;
    var size = n < 10 ? 26 : (n < 100 ? 32 : 38);
    var label = n + ' items here' + (mixed ? ', of several categories' : '')
        + ': press Enter to open';
    return atlasNamedIcon({
        html: '<div class="atlas-cluster" data-count="' + n + '" style="width:' + size
            + 'px;height:' + size + 'px;line-height:' + size + 'px;border-radius:50%;'
            + 'background:' + top + ';color:#fff;font:bold 12px system-ui,sans-serif;'
            + 'text-align:center;border:2px ' + (mixed ? 'dashed #111' : 'solid #fff')
            + ';box-shadow:0 0 0 1px ' + top + '">' + n + '</div>',
        className: 'atlas-cluster-icon',
        iconSize: L.point(size, size)
    }, label);
}
"""


# Markers travel as one GeoJSON layer per category: each point's glyph key (under this
# property), tooltip and popup, with the glyphs written once per layer. A thousand markers
# are then a thousand small features, not a thousand folium elements each rendered through
# its own templates.
MARKER_PROPERTY = "mk"
GLYPHS = {("event", False): "e", ("event", True): "ea", ("site", False): "s", ("site", True): "sa"}


def _glyph_key(kind: str, approximate: bool) -> str:
    return GLYPHS[(kind, approximate)]


def glyphs(category: Category) -> dict[str, str]:
    """The marker glyph of each glyph key, for one category."""
    return {
        key: marker_html(category, approximate, kind == "site")
        for (kind, approximate), key in GLYPHS.items()
    }


def script_json(value: object) -> str:
    """``value`` as JSON to place in a script: compact, non-ASCII kept as is (folium's own
    filter writes every ``<`` as six characters), and ``</`` written ``<\\/`` so no string
    can close the script element."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("</", "<\\/").replace("<!--", "<\\!--")


class ScriptElement(folium.MacroElement):
    """A MacroElement of a script alone, written into the page as it is: not compiled as a
    template first, as a MacroElement's script is, only to be written out unchanged (a big
    one, such as markers' or regions' JSON, costs milliseconds each time)."""

    def render(self, **kwargs: object) -> None:  # type: ignore[override]  # as MacroElement's
        figure = self.get_root()
        assert isinstance(figure, branca.element.Figure), f"a {self._name} is drawn in a Figure"
        script = self._template.module.__dict__["script"](self, kwargs)
        figure.script.add_child(Written(script), name=self.get_name())
        for child in self._children.values():
            child.render(**kwargs)


class MarkerLayer(ScriptElement):
    """Point features drawn as markers by ``on_each`` (a ``L.geoJson`` layer), added to the
    parent (a marker cluster, which takes the layer's markers in)."""

    _template = folium.template.Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.geoJson({{ this.data }}, {
            onEachFeature: {{ this.on_each }}
        });
        {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, features: list[dict[str, object]], on_each: folium.JsCode) -> None:
        super().__init__()
        self._name = "MarkerLayer"
        self.data = script_json({"type": "FeatureCollection", "features": features})
        self.on_each = on_each.js_code


class Written(branca.element.Element):
    """Text the page writes as it is (an Element takes its text for a template): markup or
    script with no template in it. As a template, a last newline would be dropped."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "Written"
        self.text = text.removesuffix("\n")

    def render(self, **kwargs: object) -> str:
        return self.text


def _marker_script(category: Category) -> folium.JsCode:
    """Gives each point of a category's layer its glyph with the item's name for screen
    readers (:class:`KeyboardAccess`), tooltip (what st_folium reports on a click) and
    popup; the texts arrive escaped (:mod:`geo.safe_html`)."""
    return folium.JsCode(
        """
function (feature, layer) {
    var glyphs = GLYPHS;
    var p = feature.properties;
    layer.setIcon(atlasNamedIcon({html: glyphs[p.mk], iconSize: [14, 14], iconAnchor: [7, 7],
                                  className: "atlas-marker"}, p.name));
    layer.options.atlasColour = COLOUR;
    layer.bindTooltip("<div>" + p.tip + "</div>", {sticky: false, className: "atlas-marker-tip"});
    // The map never moves on a click: no panning to fit the popup in view.
    layer.bindPopup(p.popup, {maxWidth: 320, autoPan: false});
}
""".replace("GLYPHS", json.dumps(glyphs(category))).replace("COLOUR", json.dumps(category.colour))
    )


REGION_LAYER = "Events per region"

# Each region: its counts on hover; a click opens a popup whose button filters the view to
# it, so a click that only meant to zoom or to reach a marker changes nothing. The button
# reports its text (ending in the region's tag, geo.regions.region_to_filter) as a clicked
# tooltip through streamlit-folium, which sends its value after a map move event; a counter
# makes a second request for the same region a new value. Region shapes stay out of the
# Tab order (KeyboardAccess).
_REGION_SCRIPT = folium.JsCode(
    """
function (feature, layer) {
    var p = feature.properties;
    layer.bindTooltip(p.tip, {sticky: true, className: "atlas-region-tip"});
    layer.bindPopup(p.action, {autoPan: false, className: "atlas-region-popup"});
    layer.on("popupopen", function (e) {
        var button = e.popup.getElement().querySelector("button.atlas-region-filter");
        if (!button) { return; }
        button.onclick = function () {
            var map = layer._map, data = window.__GLOBAL_DATA__;
            window.atlasRegionRequests = (window.atlasRegionRequests || 0) + 1;
            if (data) {
                data.last_object_clicked_tooltip =
                    window.atlasRegionRequests + " " + button.textContent.trim();
            }
            map.closePopup();
            map.fire("moveend");
        };
    });
    layer.on("add", function () {
        var shape = layer.getElement && layer.getElement();
        if (shape) {
            shape.setAttribute("tabindex", "-1");
            shape.setAttribute("aria-hidden", "true");
        }
    });
}
"""
)


# A region's outline, and its fill where it has events in view: regions with nothing in
# view stay clear, so the shade reads as "events here".
REGION_STYLE = {"color": "#54278f", "weight": 0.6}
REGION_SHADED = 0.5
REGION_HIGHLIGHT = {"weight": 2.5, "fillOpacity": 0.6}


class RegionShading(ScriptElement):
    """The regions of a view's choropleth (:func:`geo.regions.choropleth_geojson`, written
    into the script as it is, never read and written again), each filled with its ``fill``
    where it has events in view and outlined more boldly under the pointer; ``on_each``
    gives each its tooltip and popup."""

    _template = folium.template.Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.geoJson({{ this.data }}, {
            smoothFactor: 1.0,
            style: function (feature) {
                var p = feature.properties;
                return Object.assign(
                    {fillColor: p.fill, fillOpacity: p.events ? {{ this.shaded }} : 0},
                    {{ this.style }}
                );
            },
            onEachFeature: function (feature, layer) {
                ({{ this.on_each }})(feature, layer);
                layer.on({
                    mouseout: function (e) { {{ this.get_name() }}.resetStyle(e.target); },
                    mouseover: function (e) { e.target.setStyle({{ this.highlight }}); }
                });
            }
        });
        {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, choropleth_geojson: str, on_each: folium.JsCode) -> None:
        super().__init__()
        self._name = "RegionShading"
        self.data = choropleth_geojson.replace("</", "<\\/").replace("<!--", "<\\!--")
        self.on_each = on_each.js_code
        self.style = script_json(REGION_STYLE)
        self.shaded = script_json(REGION_SHADED)
        self.highlight = script_json(REGION_HIGHLIGHT)


def region_layer(choropleth_geojson: str) -> folium.FeatureGroup:
    """Admin-1 regions shaded by the number of events in view (the GeoJSON of
    :func:`geo.regions.choropleth_geojson`); a click offers to filter to one."""
    group = folium.FeatureGroup(name=REGION_LAYER, show=True)
    RegionShading(choropleth_geojson, _REGION_SCRIPT).add_to(group)
    return group


MARKERS_LAYER = "Markers"


class CategoryLayer(FeatureGroupSubGroup):
    """One category's markers: a layer of its own in the layer control, its markers
    clustered with every other category's (one cluster for all), so items that share a
    point spread out together whatever their category."""

    def __init__(self, cluster: MarkerCluster, name: str, assets: AssetLinks) -> None:
        super().__init__(cluster, name=name, overlay=True, control=True, show=True)
        _use_assets(self, assets)
        # st_folium adds each feature group it is given to the map by the variable name a
        # FeatureGroup gets; a subgroup is one, to the map and the layer control.
        self._name = "FeatureGroup"


class Marker(NamedTuple):
    """One item's marker: its id, point and feature (glyph key, tooltip, name, popup)."""

    item_id: str
    point: tuple[float, float]
    feature: dict[str, object]


def marker(record: dict, kind: str, source_by_id: Mapping[str, Record]) -> Marker:
    """The marker of an event or a site (``kind``) row; every data string escaped."""
    facts = item_facts(record, kind, (), source_by_id, names=False)
    point = (float(record["latitude"]), float(record["longitude"]))
    feature: dict[str, object] = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [point[1], point[0]]},
        "properties": {
            MARKER_PROPERTY: _glyph_key(kind, facts.approximate),
            "tip": tooltip_text(facts.title, facts.when, facts.item_id),
            "name": marker_name(facts.title, facts.when, facts.where),
            "popup": popup_html(facts),
        },
    }
    return Marker(facts.item_id, point, feature)


# How many markers a memo (see data_layers) keeps: five views of the most markers drawn
# (query.THRESHOLD), about 2 KB each.
MARKERS_KEPT = 10_000


def _markers(
    frame: pd.DataFrame,
    kind: str,
    key: str,
    sources: pd.DataFrame,
    memo: MutableMapping[tuple[str, object], Marker] | None,
) -> list[tuple[object, Marker]]:
    """The category and marker of each row, in id order: a marker in ``memo`` is taken from
    it, the others are made (and kept there while it has room)."""
    ordered = frame.sort_values(key)
    ids = ordered[key].tolist()
    known = memo if memo is not None else {}
    made: dict[object, Marker] = {}
    missing = [i for i in ids if (kind, i) not in known]
    if missing:
        rows = ordered if len(missing) == len(ids) else ordered[ordered[key].isin(missing)]
        source_by_id = {str(r.source_id): r for _, r in sources.iterrows()} if len(sources) else {}
        for record in rows.to_dict("records"):
            made[record[key]] = found = marker(record, kind, source_by_id)
            if memo is not None and len(memo) < MARKERS_KEPT:
                memo[(kind, record[key])] = found
    return [
        (category, made[i] if i in made else known[(kind, i)])
        for i, category in zip(ids, ordered["category"].tolist(), strict=True)
    ]


def data_layers(
    filtered: Filtered,
    sources: pd.DataFrame,
    assets: AssetLinks,
    selected: str | None = None,
    choropleth_geojson: str | None = None,
    memo: MutableMapping[tuple[str, object], Marker] | None = None,
) -> list[Layer]:
    """The layers that follow the view: regions shaded by count, one feature group per
    category holding that category's events and sites (clustered, so markers at one point
    spread out when clicked), and a ring around the selection.

    ``memo``: the markers already made from the same data (and ``sources``), by kind and
    id, which this adds to; a marker does not depend on the view."""
    groups: list[Layer] = []
    if choropleth_geojson is not None:
        groups.append(region_layer(choropleth_geojson))
    selected_point: tuple[float, float] | None = None
    markers = folium.FeatureGroup(name=MARKERS_LAYER, show=True, control=False)
    cluster = MarkerCluster(
        control=False,
        options={
            "showCoverageOnHover": False,
            "spiderfyOnMaxZoom": True,
            "maxClusterRadius": 30,
        },
        icon_create_function=_CLUSTER_ICON,
    )
    _use_assets(cluster, assets)
    cluster.add_to(markers)
    groups.append(markers)
    # Each kind's markers in id order, shared out by category.
    by_category: dict[tuple[str, object], list[Marker]] = {}
    for kind, frame, key in (
        ("event", filtered.events, "event_id"),
        ("site", filtered.sites, "site_id"),
    ):
        for category, found in _markers(frame, kind, key, sources, memo):
            by_category.setdefault((kind, category), []).append(found)
    for category in Category:
        events = by_category.get(("event", category.value), [])
        sites = by_category.get(("site", category.value), [])
        count = len(events) + len(sites)
        group = CategoryLayer(cluster, f"{CATEGORY_LABELS[category]} ({count})", assets)
        features: list[dict[str, object]] = []
        for found in (*events, *sites):
            if found.item_id == selected:
                selected_point = found.point
            features.append(found.feature)
        if features:
            MarkerLayer(features, _marker_script(category)).add_to(group)
        groups.append(group)
    groups.append(selection_layer(selected_point))
    return groups


def selection_layer(point: tuple[float, float] | None) -> folium.FeatureGroup:
    """The last of :func:`data_layers`: a ring round the selected item at ``point``, or
    nothing when no item in view is selected."""
    highlight = folium.FeatureGroup(name=SELECTED_LAYER, show=True, control=False)
    if point is not None:
        SelectedRing(point).add_to(highlight)
    return highlight


def selected_point(filtered: Filtered, selected: str | None) -> tuple[float, float] | None:
    """Where :func:`data_layers` rings ``selected``: the point of its marker, if it draws
    one."""
    if not selected:
        return None
    shown = [c.value for c in Category]
    for frame, key in ((filtered.events, "event_id"), (filtered.sites, "site_id")):
        found = frame[(frame[key] == selected) & frame["category"].isin(shown)]
        if len(found):
            return float(found["latitude"].iloc[0]), float(found["longitude"].iloc[0])
    return None
