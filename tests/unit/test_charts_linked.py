"""Linked charts: every bar or point names the events it counts, and a selection of bars or
points gives back exactly those events.

Expected counts are worked out here with pandas straight from data/events.csv, not with the
chart code, and compared with what each bar shows and what its pick key matches.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import pytest

from geo import charts, picks
from geo.bundle import load_bundle
from geo.figures import figure_range
from geo.model import Category
from geo.view import ViewState
from tests import oracles

FULL = ViewState("2013-09", "2024-07")
VIEWS = [
    FULL,
    ViewState("2019-01", "2020-12", countries=("KGZ",)),
    ViewState("2016-01", "2016-12", categories=("protest",)),
    ViewState("2018-01", "2021-12", categories=("protest", "detention"), undated=False),
    ViewState("2013-09", "2024-07", query="no such words anywhere"),
]
PAYLOADS = ("<img src=x onerror=alert(1)>", "${alert(1)}", "`whoami`")


@pytest.fixture(scope="module")
def bundle(data_dir: Path):
    return load_bundle(data_dir)


@pytest.fixture(scope="module")
def csv_events(data_dir: Path) -> pd.DataFrame:
    """data/events.csv as text, with the facets worked out independently of the chart code."""
    frame = pd.read_csv(data_dir / "events.csv", dtype=str, keep_default_na=False)
    frame["month"] = frame["event_date"].str.slice(0, 7)  # "" when undated
    frame["actors"] = [
        sorted({a.strip() for cell in cells for a in cell.split(";") if a.strip()})
        for cells in zip(frame["actor1"], frame["assoc_actor_1"], strict=True)
    ]
    return frame.set_index("event_id", drop=False)


def in_view(bundle, csv_events: pd.DataFrame, state: ViewState):
    events = oracles.filter_events(bundle.events, state)
    return events, csv_events.loc[list(events["event_id"])]


def bars(figure: go.Figure) -> list[tuple[str, int]]:
    """(pick key, height) of every bar in the figure."""
    out = []
    for trace in figure.data:
        assert trace.type == "bar"
        heights = trace.x if trace.orientation == "h" else trace.y
        keys = [c[0] for c in trace.customdata]
        assert len(keys) == len(heights)
        out += list(zip(keys, (int(h) for h in heights), strict=True))
    return out


def points(figure: go.Figure) -> list[str]:
    return [c[0] for trace in figure.data for c in (trace.customdata or ())]


def matched_ids(events: pd.DataFrame, *keys: str) -> list[str]:
    return sorted(oracles.events_matching(events, keys)["event_id"])


def expected_for(key: str, rows: pd.DataFrame) -> list[str]:
    """The events a key stands for, from the CSV text alone."""
    keep = pd.Series(True, index=rows.index)
    for part in key.split("+"):
        facet, _, value = part.partition(":")
        column = {"month": "month", "iso": "iso", "category": "category", "event": "event_id"}
        if facet == "actor":
            keep &= rows["actors"].map(lambda names, v=value: v in names)
        else:
            keep &= rows[column[facet]] == value
    return sorted(rows.index[keep])


# ---- every figure: bar heights and pick keys agree with the CSV ----


@pytest.mark.parametrize("state", VIEWS)
def test_month_bars_count_exactly_the_events_their_keys_match(bundle, csv_events, state):
    events, rows = in_view(bundle, csv_events, state)
    figure = oracles.events_per_month(events, state)
    expected = rows[rows["month"] != ""].groupby(["month", "iso"]).size()
    seen = 0
    for key, height in bars(figure):
        month, iso = (part.split(":")[1] for part in key.split("+"))
        assert key == f"month:{month}+iso:{iso}"
        assert height == expected.get((month, iso), 0), key
        matched = matched_ids(events, key)
        assert matched == expected_for(key, rows), key
        assert len(matched) == height
        seen += height
    in_months = rows[(rows["month"] >= state.start) & (rows["month"] <= state.end)]
    assert seen == len(in_months[in_months["month"] != ""])


@pytest.mark.parametrize("state", VIEWS)
def test_category_bars_count_exactly_the_events_their_keys_match(bundle, csv_events, state):
    events, rows = in_view(bundle, csv_events, state)
    figure = oracles.events_by_category(events, state)
    expected = rows["category"].value_counts()
    found = bars(figure)
    for key, height in found:
        assert key.startswith("category:")
        assert height == expected.get(key.split(":", 1)[1], 0), key
        assert matched_ids(events, key) == expected_for(key, rows)
    assert sum(h for _, h in found) == len(rows)
    shown = [k.split(":", 1)[1] for k, _ in found]
    order = [c.value for c in Category]
    assert shown == sorted(shown, key=order.index)  # the model's order, top to bottom
    if state.categories:
        assert shown == list(state.categories)
    else:
        assert set(shown) == set(expected.index)


def test_category_bars_use_the_model_colours(bundle) -> None:
    figure = oracles.events_by_category(bundle.events, FULL)
    keys = [c[0] for c in figure.data[0].customdata]
    from geo.model import CATEGORY_COLOURS

    assert list(figure.data[0].marker.color) == [
        CATEGORY_COLOURS[Category(k.split(":", 1)[1])] for k in keys
    ]


@pytest.mark.parametrize("state", VIEWS)
@pytest.mark.parametrize("n", [12, 3])
def test_actor_bars_count_exactly_the_events_their_keys_match(bundle, csv_events, state, n):
    events, rows = in_view(bundle, csv_events, state)
    figure = oracles.top_actors(events, state, n=n)
    counts = Counter(a for names in rows["actors"] for a in names)
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0].casefold(), kv[0]))[:n]
    found = bars(figure)
    assert [(f"actor:{name}", c) for name, c in ranked] == found
    for key, height in found:
        matched = matched_ids(events, key)
        assert matched == expected_for(key, rows)
        assert len(matched) == height


def test_actors_are_split_on_semicolons_only(bundle) -> None:
    figure = oracles.top_actors(bundle.events, FULL, n=100)
    keys = {k for k, _ in bars(figure)}
    assert "actor:judge Dinara Kuyikbayeva" in keys  # EV050: "lawyer ...; judge ..."
    assert "actor:Maks Bokayev, Talgat Ayan" in keys  # a comma does not split
    assert matched_ids(bundle.events, "actor:judge Dinara Kuyikbayeva") == ["EV050"]
    assert dict(bars(figure))["actor:Democratic Choice of Kazakhstan (DVK)"] == 5


@pytest.mark.parametrize("state", VIEWS)
def test_participant_and_arrest_points_are_one_per_event_with_numbers(
    bundle, csv_events, state
) -> None:
    events, rows = in_view(bundle, csv_events, state)
    figure = charts.participants_and_arrests(events, state)
    for measure in ("participants", "arrests"):
        want = sorted(
            r.event_id
            for r in rows.itertuples()
            if r.month and figure_range(getattr(r, measure))[1] is not None
        )
        traces = [t for t in figure.data if t.name == measure]
        keys = [c[0] for t in traces for c in t.customdata]
        assert sorted(keys) == [f"event:{i}" for i in want], measure
        for key in keys:
            assert matched_ids(events, key) == [key.split(":", 1)[1]]
    assert matched_ids(events, *points(figure)) == sorted(
        r.event_id
        for r in rows.itertuples()
        if r.month
        and (figure_range(r.participants)[1] is not None or figure_range(r.arrests)[1] is not None)
    )


def symbol_at(symbol: Any, i: int) -> str:
    return symbol if isinstance(symbol, str) else symbol[i]


def test_a_point_spans_the_sources_that_disagree(bundle) -> None:
    figure = charts.participants_and_arrests(bundle.events, FULL)

    def point(measure: str, event_id: str) -> tuple[float, float, float, Any, str]:
        for t in figure.data:
            for i, c in enumerate(t.customdata):
                if t.name == measure and c[0] == f"event:{event_id}":
                    return (
                        t.y[i],
                        t.error_y.array[i],
                        t.error_y.arrayminus[i],
                        symbol_at(t.marker.symbol, i),
                        c[1],
                    )
        raise AssertionError((measure, event_id))

    # EV068: ≥2,000 (organisers); 700–800 (govt envoy); ~1,000 (24.kg): median of 2000,
    # 750 and 1000, with a bar from 700 to 2,000.
    y, plus, minus, _, hover = point("participants", "EV068")
    assert (y, y + plus, y - minus) == (1000, 2000, 700)
    assert "700–2,000+" in hover
    for text in ("≥2,000 (organisers)", "700–800 (govt envoy Alymkulov)", "~1,000 (24.kg)"):
        assert text in hover
    # EV033: no arrests ("none (no police came)") sits on the 0 row of the log axis.
    y, plus, minus, _, _ = point("arrests", "EV033")
    assert (y, plus, minus) == (charts.ZERO_Y, 0, 0)
    # EV041: "≥9 detained" is a bound only: a triangle pointing up.
    assert point("arrests", "EV041")[3] == "triangle-up"
    # EV020: "part of 57 total" bounds from above: a triangle pointing down.
    assert point("arrests", "EV020")[3] == "triangle-down"


def test_the_legend_shows_one_entry_per_measure(bundle) -> None:
    figure = charts.participants_and_arrests(bundle.events, FULL)
    shown = [t for t in figure.data if t.showlegend is not False]
    assert [t.name for t in shown] == ["participants", "arrests"]
    assert all(t.marker.symbol == "circle" for t in shown)


# ---- reading a selection ----


def selection(*customdata: Any) -> dict[str, Any]:
    """A selection as st.plotly_chart returns it (see PlotlySelectionState's docs)."""
    points = [
        {
            "curve_number": 0,
            "point_number": i,
            "point_index": i,
            "x": "2019-09-01",
            "y": 3,
            "customdata": data,
            "legendgroup": "",
        }
        for i, data in enumerate(customdata)
    ]
    return {
        "selection": {
            "points": points,
            "point_indices": list(range(len(points))),
            "box": [{"x": [1, 2], "y": [0, 4], "xref": "x", "yref": "y"}],
            "lasso": [],
        }
    }


def test_reads_the_keys_of_a_realistic_selection() -> None:
    value = selection(
        ["month:2019-09+iso:KAZ", "hover"],
        ["category:protest", "hover"],
        ["month:2019-09+iso:KAZ", "again"],
        "event:EV025",  # a one-dimensional customdata arrives as the string itself
    )
    assert picks.pick_keys_from_selection(value) == (
        "category:protest",
        "event:EV025",
        "month:2019-09+iso:KAZ",
    )
    assert picks.pick_keys_from_selection(value["selection"]) == picks.pick_keys_from_selection(
        value
    )


def test_reads_what_streamlit_deserialises() -> None:
    """The same dict through Streamlit's own deserialiser (the object the app receives)."""
    from streamlit.elements.plotly_chart import PlotlyChartSelectionSerde

    state = PlotlyChartSelectionSerde().deserialize(
        json.dumps(selection(["actor:Local residents", "x"], ["event:EV002", "y"]))
    )
    assert picks.pick_keys_from_selection(state) == ("actor:Local residents", "event:EV002")
    empty = PlotlyChartSelectionSerde().deserialize(None)
    assert picks.pick_keys_from_selection(empty) == ()


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "category:protest",
        42,
        [],
        {},
        {"selection": None},
        {"selection": "points"},
        {"selection": {}},
        {"selection": {"points": None}},
        {"selection": {"points": "category:protest"}},
        {"selection": {"points": 7}},
        selection(None, [], [None], [42], [["category:protest"]], {"k": "v"}),
        selection(["category"], [":protest"], ["category:"], ["month:2019-09+"]),
        selection(["+category:protest"], ["colour:red"], ["month:2019-09+month:2019-10"]),
        selection(["event:" + "x" * 5000]),
        {"selection": {"points": [None, 1, "x", ["category:protest"]]}},
    ],
)
def test_malformed_selections_give_no_keys(value) -> None:
    assert picks.pick_keys_from_selection(value) == ()


def test_malformed_points_are_skipped_not_the_whole_selection() -> None:
    value = selection(None, ["category:protest"], ["bogus"], [42, "category:policy"])
    assert picks.pick_keys_from_selection(value) == ("category:protest",)


def test_a_selection_that_raises_on_access_gives_no_keys() -> None:
    class Hostile(dict):
        def get(self, *args: Any) -> Any:
            raise RuntimeError("boom")

    assert picks.pick_keys_from_selection(Hostile(selection=1)) == ()


# ---- matching keys to events ----


def test_a_key_matches_when_all_its_facets_do_and_any_key_matches(bundle) -> None:
    events = bundle.events
    assert matched_ids(events, "month:2021-03+iso:KAZ") == [f"EV0{n}" for n in range(25, 30)] + [
        "EV040"
    ]
    assert matched_ids(events, "month:2021-03+iso:KAZ+category:policy") == ["EV040"]
    assert matched_ids(events, "month:2021-03+iso:KGZ") == []
    assert matched_ids(events, "event:EV040", "event:EV001") == ["EV001", "EV040"]
    assert matched_ids(events, "event:EV040", "month:2021-03+iso:KAZ") == matched_ids(
        events, "month:2021-03+iso:KAZ"
    )


def test_month_is_the_month_of_the_start(bundle) -> None:
    # EV050 runs 9 July to 1 August 2018: it is a July event.
    assert "EV050" in matched_ids(bundle.events, "month:2018-07")
    assert "EV050" not in matched_ids(bundle.events, "month:2018-08")
    # Undated events have no month.
    assert not {"EV036", "EV054"} & set(matched_ids(bundle.events, *_all_months(bundle)))


def _all_months(bundle) -> list[str]:
    return [f"month:{y}-{m:02d}" for y in range(2013, 2025) for m in range(1, 13)]


@pytest.mark.parametrize(
    "keys",
    [
        (),
        ("colour:red",),
        ("region:No such region",),
        ("category:protest+colour:red",),
        ("",),
        ("category",),
        ("category:",),
        ("event:EV001|event:EV002",),
    ],
)
def test_unknown_facets_and_malformed_keys_match_nothing(bundle, keys) -> None:
    matched = oracles.events_matching(bundle.events, keys)
    assert matched.empty
    assert list(matched.columns) == list(bundle.events.columns)


def test_region_facet_uses_the_region_column_when_there_is_one(bundle) -> None:
    events = bundle.events.assign(region=bundle.events["admin1"])
    assert matched_ids(events, "region:Atyrau Region") == sorted(
        events.loc[events["admin1"] == "Atyrau Region", "event_id"]
    )


def test_matching_keeps_the_frame_order_and_index(bundle) -> None:
    events = bundle.events.iloc[::-1]
    matched = oracles.events_matching(events, ["category:policy"])
    assert list(matched.index) == [i for i in events.index if i in set(matched.index)]


def test_describe_pick_reads_a_key_in_words() -> None:
    assert picks.describe_pick("month:2019-09+iso:KAZ") == "September 2019 · Kazakhstan"
    assert picks.describe_pick("category:consulate_embassy") == "Consulates & embassies"
    assert picks.describe_pick(picks.pick_key(("actor", "A & B: C+D"))) == "A & B: C+D"
    assert picks.describe_pick("nonsense") == ""


# ---- hostile text ----


@pytest.fixture(scope="module")
def hostile(bundle) -> pd.DataFrame:
    """Three real events whose names, titles and figures carry script payloads."""
    events = bundle.events.set_index("event_id", drop=False).loc[["EV002", "EV025", "EV068"]]
    events = events.copy()
    events["actor1"] = [
        f"{PAYLOADS[0]}; Plus+Colon: Pipe|",
        f"{PAYLOADS[1]}",
        f"{PAYLOADS[2]}; {PAYLOADS[0]}",
    ]
    events["assoc_actor_1"] = ["", "</script><script>alert(1)</script>", ""]
    events["title"] = [f"Rally {p}" for p in PAYLOADS]
    events["location"] = PAYLOADS
    events["participants"] = [f"~100 ({p})" for p in PAYLOADS]
    events["arrests"] = [f"{PAYLOADS[0]} 5", "3 (`x`)", "none (${x})"]
    events["category"] = ["protest", "<b>odd</b>", "protest"]
    return events.reset_index(drop=True)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def all_figures(events: pd.DataFrame, state: ViewState) -> list[go.Figure]:
    return [
        oracles.events_per_month(events, state),
        oracles.events_by_category(events, state),
        oracles.top_actors(events, state),
        charts.participants_and_arrests(events, state),
    ]


def test_payloads_never_reach_the_figure_raw(hostile) -> None:
    for figure in all_figures(hostile, FULL):
        raw = figure.to_json()
        decoded = _strings(json.loads(raw))
        for payload in (*PAYLOADS, "</script>", "<b>odd</b>", "${x}"):
            assert payload not in raw
            assert not [s for s in decoded if payload in s], payload
        assert not [s for s in decoded if "`" in s or "$" in s or "<script" in s.lower()]


def test_hostile_actor_names_still_round_trip(hostile) -> None:
    figure = oracles.top_actors(hostile, FULL)
    keys = [k for k, _ in bars(figure)]
    assert len(keys) == 5
    for key, height in bars(figure):
        assert picks.pick_keys_from_selection(selection([key, "h"])) == (key,)
        assert len(oracles.events_matching(hostile, [key])) == height
    pipe = picks.pick_key(("actor", "Plus+Colon: Pipe|"))
    assert pipe == "actor:Plus&#43;Colon&#58; Pipe&#124;"
    assert list(oracles.events_matching(hostile, [pipe])["event_id"]) == ["EV002"]
    odd = [k for k, _ in bars(oracles.events_by_category(hostile, FULL)) if "odd" in k]
    assert odd == ["category:&lt;b&gt;odd&lt;/b&gt;"]
    assert list(oracles.events_matching(hostile, odd)["event_id"]) == ["EV025"]


# ---- shared layout and determinism ----


def test_every_figure_selects_on_click_box_and_lasso(bundle) -> None:
    for figure in all_figures(bundle.events, FULL):
        layout = figure.layout
        assert layout.clickmode == "event+select"
        # Streamlit turns clicks into selections only outside select/lasso drag modes; the
        # mode bar offers box and lasso.
        assert layout.dragmode not in ("select", "lasso")
        assert 200 <= layout.height <= 320
        assert layout.xaxis.fixedrange and layout.yaxis.fixedrange
        for trace in figure.data:
            assert trace.customdata is not None and all(c[0] for c in trace.customdata)


def test_figures_do_not_depend_on_row_order(bundle) -> None:
    shuffled = bundle.events.sample(frac=1, random_state=7)
    for a, b in zip(all_figures(bundle.events, FULL), all_figures(shuffled, FULL), strict=True):
        assert a.to_json() == b.to_json()


def test_an_empty_view_gives_empty_figures_not_errors(bundle) -> None:
    state = VIEWS[-1]
    events = oracles.filter_events(bundle.events, state)
    assert events.empty
    for figure in all_figures(events, state):
        assert points(figure) == [] or all(h == 0 for _, h in bars(figure))


def test_an_event_running_into_the_view_is_picked_by_the_first_month_bar(bundle) -> None:
    """EV050 (9 July to 1 August 2018) is on the map for a view starting August 2018; it is
    counted in that view's first month, and that bar's key selects it."""
    state = ViewState("2018-08", "2018-12", undated=False)
    events = oracles.filter_events(bundle.events, state)
    figure = oracles.events_per_month(events, state)
    heights = dict(bars(figure))
    assert heights["month:2018-08+iso:KAZ"] == 1
    picked = oracles.events_matching(events, ["month:2018-08+iso:KAZ"], state.start)
    assert list(picked["event_id"]) == ["EV050"]
    assert sum(heights.values()) == len(events)
