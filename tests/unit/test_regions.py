"""Regions on the map: what a click on one offers, what its button reports back, and the
viewport that frames a chosen region."""

from __future__ import annotations

import math

import geopandas as gpd
import pytest
import shapely

from geo.regions import region_action, region_to_filter, region_tooltip, region_viewport
from tests.dom import text_content

KNOWN = ("Naryn", "Chüy", "A <b>&amp; {{x}}")


def _pressed(name: str) -> str:
    """What the map reports when the popup's button is pressed: a request counter and
    the button's text as the browser reads it."""
    action = region_action(name, 3, 1)
    button = action.split("<button", 1)[1].split(">", 1)[1].split("</button>", 1)[0]
    return "7 " + text_content(button)


@pytest.mark.parametrize("name", KNOWN)
def test_the_popup_button_reports_its_region(name: str) -> None:
    assert region_to_filter(_pressed(name), KNOWN) == name


def test_a_click_on_the_region_itself_filters_nothing() -> None:
    assert region_to_filter(text_content(region_tooltip("Naryn", 3, 1)), KNOWN) is None


@pytest.mark.parametrize(
    "junk", [None, 3, "", "[filter-region:Osh]", "Filter to Naryn", "[filter-region:Naryn"]
)
def test_unknown_or_broken_reports_filter_nothing(junk: object) -> None:
    assert region_to_filter(junk, KNOWN) is None


def test_region_text_is_escaped_in_the_popup_and_the_tooltip() -> None:
    for markup in (region_action(KNOWN[2], 1, 0), region_tooltip(KNOWN[2], 1, 0)):
        assert "<b>&" not in markup and "{{" not in markup
    assert "1 event, 0 sites in view" in text_content(region_action("Naryn", 1, 0))


def _web_mercator_pixels(lat: float, lng: float, zoom: float) -> tuple[float, float]:
    scale = 256 * 2**zoom
    y = math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))
    return (lng + 180) / 360 * scale, (1 - y / math.pi) / 2 * scale


def test_the_viewport_frames_the_region_as_closely_as_the_map_allows() -> None:
    admin1 = gpd.GeoDataFrame(
        {"name": ["Box"], "adm0_a3": ["KGZ"]},
        geometry=[shapely.box(72.0, 40.0, 78.0, 43.0)],
        crs="EPSG:4326",
    )
    fitted = region_viewport(admin1, "Box", size=(480, 560))
    assert fitted is not None
    (lat, lng), zoom = fitted
    assert 40.0 < lat < 43.0 and lng == pytest.approx(75.0)
    assert zoom * 4 == int(zoom * 4)  # the map's quarter steps

    def fits(z: float) -> bool:
        x0, y0 = _web_mercator_pixels(43.0, 72.0, z)
        x1, y1 = _web_mercator_pixels(40.0, 78.0, z)
        return x1 - x0 <= 480 and y1 - y0 <= 560

    assert fits(zoom) and not fits(zoom + 0.25)
    assert region_viewport(admin1, "Elsewhere") is None
