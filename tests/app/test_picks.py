"""A chart selection opened from a link, through AppTest: the charts draw its bars
selected, a box's span reads as months and countries, and the events are those of the
span. Expected events come from the CSV files, not from the app's code."""

from __future__ import annotations

from tests.app.helpers import (
    CHARTS_PAGE,
    MAP_PAGE,
    chart_spec,
    errors,
    open_app,
    page_text,
    read_csv,
    summary,
)

SPAN = "month:2018-05..2020-08+iso:KAZ|month:2018-05..2020-08+iso:KGZ"


def test_a_link_with_a_span_draws_its_bars_selected_and_picks_their_events() -> None:
    at = open_app({"pick": SPAN}, page="pages/charts.py")
    assert not at.exception, errors(at)
    words = "Chart selection: May 2018 – August 2020 · Kazakhstan and Kyrgyzstan."
    assert words in page_text(at)

    events = read_csv("events.csv")
    month = events["event_date"].str[:7]
    picked = events[
        (month >= "2018-05") & (month <= "2020-08") & events["iso"].isin(["KAZ", "KGZ"])
    ]
    assert summary(at)[0] == len(picked)

    selected = []
    for trace in chart_spec(at, "Events per month")["data"]:
        keys = [c[0] for c in trace["customdata"]]
        chosen = trace.get("selectedpoints")
        assert chosen is not None, "every trace of the month chart says what is selected"
        selected += [keys[i] for i in chosen]
    assert all(
        "2018-05" <= key[6:13] <= "2020-08" and key[-3:] in ("KAZ", "KGZ") for key in selected
    ), selected
    bars = {
        f"month:{m}+iso:{iso}" for m, iso in zip(month[picked.index], picked["iso"], strict=True)
    }
    assert bars and bars <= set(selected)  # every bar with a picked event stands out
    # The other charts were not chosen in: drawn as they are.
    categories = chart_spec(at, "Events by category")
    assert all(trace.get("selectedpoints") is None for trace in categories["data"])


def test_a_link_picking_a_month_of_every_country_opens_on_both_pages() -> None:
    for page in (MAP_PAGE, CHARTS_PAGE):
        at = open_app({"from": "2019-01", "to": "2019-12", "pick": "month:2019-09"}, page=page)
        assert not at.exception, errors(at)
        assert "September 2019" in page_text(at)
