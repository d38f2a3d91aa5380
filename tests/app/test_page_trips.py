"""Moving between pages keeps the whole view: every link parameter, read back from the URL
and from the widgets a user sees, after each page of a trip."""

from __future__ import annotations

import pytest

from tests.app.helpers import countries, month_slider, open_app

EVERY = {
    "from": "2016-01",
    "to": "2020-12",
    "country": "KAZ,KGZ",
    "cat": "protest,policy",
    "region": "Almaty",
    "q": "rally",
    "sel": "EV014",
    "undated": "0",
    "pick": "category:protest",
    "map": "43.2500,76.9000,7",
    "play": "cumulative",
    "win": "6",
}
TRIP = ["pages/charts.py", "pages/sources.py", "pages/about.py", "pages/map.py"]


@pytest.mark.parametrize("drop", [None, "pick", "sel"])
def test_every_parameter_survives_a_trip_through_every_page(drop: str | None) -> None:
    link = {k: v for k, v in EVERY.items() if k != drop}
    at = open_app(link)
    assert not at.exception
    assert dict(at.query_params) == link
    for page in TRIP:
        at.switch_page(page)
        at.run()
        assert not at.exception, page
        shown = {k: v for k, v in at.query_params.items() if k != "src"}
        assert shown == link, page
    assert countries(at).value == ["KAZ", "KGZ"]
    assert month_slider(at).value == ("2016-01", "2020-12")
    (undated,) = [c for c in at.checkbox if c.label == "Include events with unknown dates"]
    assert undated.value is False
