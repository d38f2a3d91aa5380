"""The map page as a plain link opens it: every event and site, the map and the chart."""

from __future__ import annotations

from .helpers import (
    LINK_NOTICE,
    categories,
    chart_spec,
    countries,
    errors,
    folium_args,
    marker_features,
    marker_ids,
    month_slider,
    open_app,
    read_csv,
    search_box,
    summary,
    summary_text,
    tooltips,
    undated_box,
)


def test_default_link_shows_every_event_and_site() -> None:
    at = open_app()
    assert not at.exception, errors(at)
    assert [t.value for t in at.title] == ["China in Central Asia: event atlas"]
    events, sites = read_csv("events.csv"), read_csv("sites.csv")
    assert (len(events), len(sites)) == (69, 20)
    assert summary(at) == (69, 20)
    assert summary_text(at).startswith("69 events and 20 sites")
    assert "all countries" in summary_text(at) and "all categories" in summary_text(at)
    assert not [w for w in at.warning if LINK_NOTICE in str(w.value)]
    assert not at.error
    assert at.query_params == {}


def test_default_link_sets_widgets_to_the_whole_data() -> None:
    at = open_app()
    slider = month_slider(at)
    assert slider.value == (slider.options[0], slider.options[-1])
    assert countries(at).value == []
    assert categories(at).value == []
    assert search_box(at).value == ""
    assert undated_box(at).value is True
    # No selection: the panel invites a click.
    assert any("Click a marker" in str(c.value) for c in at.caption)


def test_map_draws_borders_and_one_marker_per_event_and_site() -> None:
    at = open_app()
    args = folium_args(at)
    # The borders layer lives in the static base map, named in the layer control.
    assert "L.geoJson(" in args["script"]
    assert "FeatureCollection" in args["script"]
    assert "Borders (Natural Earth admin-1)" in args["layer_control"]
    group = args["feature_group"]
    assert len(marker_features(group)) == 89
    ids = marker_ids(args)
    assert len(ids) == 89
    expected = set(read_csv("events.csv")["event_id"]) | set(read_csv("sites.csv")["site_id"])
    assert sorted(ids) == sorted(expected)
    assert all(tip.endswith(f"[{i}]") for tip, i in zip(tooltips(args), ids, strict=True))


def test_chart_counts_every_dated_event() -> None:
    at = open_app()
    spec = chart_spec(at)
    events = read_csv("events.csv")
    dated = events[events["event_date"] != ""]
    bars = spec["data"]
    assert {bar["type"] for bar in bars} == {"bar"}
    assert sum(sum(bar["y"]) for bar in bars) == len(dated)
    undated = len(events) - len(dated)
    assert f"{undated} undated not shown" in spec["layout"]["title"]["text"]
