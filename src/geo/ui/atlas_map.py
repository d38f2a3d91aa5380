"""The map on the map page: the static base drawn once, the view's layers sent as feature
groups (so a filter change does not remount it), and its clicks and viewport reported back
to :mod:`geo.ui.state`.

What the map component receives for a view (the base map's script, the layers' script, the
layer control, the script links) is drawn by streamlit-folium once per (data version, view)
and kept for every session (:mod:`geo.ui.viewcache`); each run hands it over with the
session's own centre and zoom. A view drawn for the first time reuses what does not depend on
it: the base map, drawn once for all views, and the markers made for earlier views of the
same data."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, MutableMapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

import folium
import pandas as pd
import streamlit as st
import streamlit_folium
from branca.element import Element
from folium.elements import JSCSSMixin
from folium.map import Layer
from streamlit_folium import st_folium

from geo import footprints, safe_html, scale
from geo.assets import AssetLinks
from geo.bundle import PlaceLabel
from geo.maps import Marker, base_map, selection_layer
from geo.query import ViewResult, view_result
from geo.regions import choropleth_geojson
from geo.ui import data as loaders
from geo.ui import keys, state, viewcache
from geo.ui.state import PageView


def missing_scripts_notice() -> None:
    """A warning when the map's scripts are not served by the app (so it needs internet)."""
    if not loaders.asset_links().local:
        st.warning(
            "Map scripts are not installed locally (run `geo assets`): loading them from "
            "public CDNs, so the map needs internet access."
        )


# Where the map opens is the session's own: everything else st_folium sends is the view's.
_PER_SESSION = ("center", "zoom")
_drawing = threading.local()
_send = streamlit_folium._component_func


def _component(**kwargs: Any) -> Any:
    """streamlit-folium's component, or, while :func:`_capturing` in this thread, a note of
    what it would have been sent."""
    captured = getattr(_drawing, "args", None)
    if captured is None:
        return _send(**kwargs)
    captured.update(kwargs)
    return None


streamlit_folium._component_func = _component


@contextmanager
def _capturing() -> Iterator[dict[str, Any]]:
    args: dict[str, Any] = {}
    _drawing.args = args
    try:
        yield args
    finally:
        _drawing.args = None


@dataclass(frozen=True)
class Drawing:
    """What the map component is sent for one view (but where it opens), and which of its
    feature groups is the selection's ring (:func:`geo.maps.selection_layer`)."""

    args: dict[str, Any]
    ring_group: int


@dataclass(frozen=True)
class Layers:
    """A view's layers for the map, and which of them is the selection's ring."""

    groups: list[Layer]
    ring_group: int


def view_layers(
    result: ViewResult,
    sources: pd.DataFrame,
    links: AssetLinks,
    regions: str,
    memo: MutableMapping[tuple[str, object], Marker] | None = None,
) -> Layers:
    """The layers of ``result``'s view over the region shading ``regions``
    (:mod:`geo.regions`; ``memo``: see :func:`geo.maps.data_layers`)."""
    # Markers up to query.THRESHOLD (exactly maps.data_layers), H3 hexagons past it; the
    # selection's ring last of them. Zoomed in (footprints.MIN_ZOOM), the projects'
    # footprints as polygons too.
    layers = scale.layers(result, sources, links, regions, memo)
    ring_group = len(layers) - 1
    layers += footprints.layers(result)
    return Layers(layers, ring_group)


def layer_control() -> folium.LayerControl:
    return folium.LayerControl(collapsed=True, position="topright")


def component_args(
    m: folium.Map, groups: list[Layer], control: folium.LayerControl | None
) -> dict[str, Any]:
    """What st_folium sends the map component for ``m`` with the feature groups ``groups``
    and the layer control ``control`` (but where the map opens, each session's own)."""
    with _capturing() as args:
        st_folium(
            m,
            key=keys.MAP_KEY,
            height=600,
            use_container_width=True,
            feature_group_to_add=groups,
            layer_control=control,
            returned_objects=["last_object_clicked_tooltip", "center", "zoom"],
        )
    return {k: v for k, v in args.items() if k not in _PER_SESSION}


@dataclass(frozen=True)
class _Slot:
    """One of the base map's layers as the layer control names it."""

    key: str  # among the map's children
    kind: str  # folium's name of its class
    id: str  # as streamlit-folium renamed it
    name: str
    overlay: bool
    control: bool


class _StandIn(Layer):
    """A base map's layer, for the layer control's list: its name and its script's
    variable, nothing drawn."""

    def __init__(self, slot: _Slot) -> None:
        super().__init__(name=slot.name, overlay=slot.overlay, control=slot.control)
        self._name = slot.kind
        self._id = slot.id


@dataclass(frozen=True)
class Base:
    """What the map component is sent for the base map (tiles, borders, legend, place
    names): the same for every view. ``slots``: its layers, which the layer control lists
    before each view's own."""

    args: dict[str, Any]
    slots: tuple[_Slot, ...]

    def stand_in(self) -> folium.Map:
        """An empty map holding the base's layers by name: the view's layers and layer
        control are written against it as streamlit-folium writes them against the base."""
        m = folium.Map(tiles=None)
        for slot in self.slots:
            m.add_child(_StandIn(slot), name=slot.key)
        return m


def draw_base(borders: str, links: AssetLinks, labels: Sequence[PlaceLabel]) -> Base:
    """The base map, drawn by streamlit-folium with no layers of a view."""
    m = base_map(borders, links, labels)
    args = component_args(m, [], None)
    slots = tuple(
        _Slot(key, child._name, child._id, child.layer_name, child.overlay, child.control)
        for key, child in m._children.items()
        if isinstance(child, Layer)
    )
    drawn = {k: v for k, v in args.items() if k not in ("feature_group", "layer_control")}
    return Base(drawn, slots)


def _script_links(elements: Iterable[Element]) -> tuple[list[str], list[str]]:
    """The style sheets and scripts the elements ask for, as streamlit-folium lists them."""
    css: list[str] = []
    js: list[str] = []

    def walk(element: Element) -> Iterator[Element]:
        yield element
        for child in element._children.values():
            yield from walk(child)

    for element in elements:
        for found in walk(element):
            if isinstance(found, JSCSSMixin):
                css.extend(href for _, href in found.default_css)
                js.extend(src for _, src in found.default_js)
    return css, js


def draw(result: ViewResult, sources: pd.DataFrame, links: AssetLinks) -> Drawing:
    """The map of ``result``'s view: the base map drawn once for every view
    (:func:`draw_base`), with the view's layers and layer control; what streamlit-folium
    sends for the whole map drawn at once (:func:`component_args` of :func:`base_map` with
    the view's layers over :func:`geo.regions.choropleth_geojson`)."""
    labels = loaders.place_labels()
    borders = loaders.borders()
    base = viewcache.base_map(
        (borders, tuple(links.js), tuple(links.css), links.local, tuple(labels)),
        lambda: draw_base(borders, links, labels),
    )
    regions = choropleth_geojson(
        loaders.region_shapes(), result.region_counts(), labels=loaders.region_labels()
    )
    layers = view_layers(result, sources, links, regions, viewcache.markers(result))
    m = base.stand_in()
    groups = "".join(
        streamlit_folium._get_feature_group_string(group, m, index)
        for index, group in enumerate(layers.groups)
    )
    control = layer_control()
    control_script = streamlit_folium._get_layer_control_string(control, m)
    css, js = _script_links([*layers.groups, control])
    args = {
        **base.args,
        "feature_group": groups,
        "layer_control": control_script,
        "css_links": list(dict.fromkeys([*base.args["css_links"], *css])),
        "js_links": list(dict.fromkeys([*base.args["js_links"], *js])),
    }
    return Drawing(args, layers.ring_group)


def _group_script(group: folium.FeatureGroup, index: int) -> str:
    """A feature group's script as st_folium writes it at ``index`` among the groups (on
    any map: st_folium names the map ``map_div`` in it)."""
    return str(streamlit_folium._get_feature_group_string(group, folium.Map(tiles=None), index))


def with_ring(plain: Drawing, point: tuple[float, float]) -> Drawing | None:
    """``plain`` (a view's map with nothing selected) with the ring round the selected item
    at ``point``: the selection's group swapped, everything else as it was. None if that
    group's script is not found once in it (then the map is drawn in full)."""
    empty = _group_script(selection_layer(None), plain.ring_group)
    scripts = str(plain.args["feature_group"])
    if scripts.count(empty) != 1:
        return None
    ring = _group_script(selection_layer(point), plain.ring_group)
    args = {**plain.args, "feature_group": scripts.replace(empty, ring)}
    return Drawing(args, plain.ring_group)


def atlas_map(page: PageView) -> None:
    result = page.result
    assert result is not None
    links = loaders.asset_links()
    selection = result.selection()
    selected_at = (
        (float(selection.record["latitude"]), float(selection.record["longitude"]))
        if selection is not None and selection.record.notna()[["latitude", "longitude"]].all()
        else None
    )
    center, zoom = state.map_viewport_args(page.view, selected_at)
    sources = page.data.sources
    extra = (tuple(links.js), tuple(links.css), links.local)
    # Markers are drawn whatever the map shows; hexagons and footprints only near it.
    where = scale.at_scale(result.filtered.count) or footprints.shown_at(result.view.zoom)

    def drawing() -> Drawing:
        # A selection changes only the ring: the view's map without it is drawn (or found)
        # once, and each selection swaps its ring in.
        ring_at = scale.selected_at(result)
        if ring_at is not None:
            unselected = view_result(page.data, result.view.with_selected(None))
            plain = viewcache.map_drawing(
                unselected, extra, lambda: draw(unselected, sources, links), where=where
            )
            ringed = with_ring(plain, ring_at)
            if ringed is not None:
                return ringed
        return draw(result, sources, links)

    # The component's change handler copies the map's report into session_state[MAP_KEY]
    # for whichever session's run calls it, so one drawing serves every session.
    drawn = viewcache.map_drawing(result, extra, drawing, where=where)
    _send(**drawn.args, center=center, zoom=zoom)


def region_filter_bar(page: PageView) -> None:
    """The region filter in force (set from the map or the sidebar), with a control that
    removes it. Its container is there, empty, without one: an element appearing above
    the map would make Streamlit draw the map anew, losing its place."""
    bar = st.container()
    view = page.view
    if not view.regions:
        return
    labels = loaders.region_labels()
    names = ", ".join(labels.get(r, r) for r in view.regions)
    cols = bar.columns([0.75, 0.25], vertical_alignment="center")
    cols[0].info(f"Showing only {safe_html.markdown(names)}.", icon=":material/map:")
    # A callback runs before the next run's widgets are read, so it cannot lose a race
    # with a report from the map.
    cols[1].button(
        "Show all regions",
        icon=":material/close:",
        key="clear_regions",
        on_click=lambda: state.set_view(replace(view, regions=()), before_widgets=True),
    )
