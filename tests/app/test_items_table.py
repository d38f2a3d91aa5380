"""The table of the items in view: every event and site the map shows, one row each; a row
clicked selects its item."""

from __future__ import annotations

from tests.app.helpers import errors, folium_args, marker_ids, open_app, summary


def _table(at):
    (frame,) = [d for d in at.dataframe if "Title" in d.value.columns and "Id" in d.value.columns]
    return frame


def test_the_table_lists_exactly_what_the_map_shows() -> None:
    at = open_app({"from": "2019-01", "to": "2019-12", "country": "KAZ"})
    assert not at.exception, errors(at)
    table = _table(at).value
    events, sites = summary(at)
    assert len(table) == events + sites
    assert sorted(table["Id"]) == sorted(marker_ids(folium_args(at)))
    karaganda = table[table["Id"] == "EV017"].iloc[0]
    assert karaganda["Date"] == "4 September 2019"
    assert "Karaganda" in karaganda["Place"] and karaganda["Category"] == "Protests"


def test_clicking_a_row_selects_its_item_on_the_map() -> None:
    at = open_app({"from": "2019-01", "to": "2019-12", "country": "KAZ"})
    frame = _table(at)
    row = list(frame.value["Id"]).index("EV017")
    at.session_state[frame.key] = {"selection": {"rows": [row], "columns": [], "cells": []}}
    at.run()
    assert not at.exception, errors(at)
    assert at.query_params["sel"] == "EV017"
    assert any("Karaganda" in str(m.value) for m in at.markdown if str(m.value).startswith("####"))
