"""Filters change what is shown, whether they come from a link or from the sidebar, and the
sidebar writes them back to the URL so the link reproduces the view. Expected counts come
from the CSV files."""

from __future__ import annotations

from .helpers import (
    ABOUT_PAGE,
    MAP_PAGE,
    W_CAT,
    W_COUNTRY,
    W_QUERY,
    W_RANGE,
    W_UNDATED,
    chart_spec,
    expected_counts,
    expected_events,
    expected_sites,
    folium_args,
    link_notices,
    marker_ids,
    open_app,
    summary,
    summary_text,
)


def _ids(countries=(), categories=(), months=None, undated=True, query="") -> list[str]:
    events = expected_events(countries, categories, months, undated, query)
    sites = expected_sites(countries, categories, months, query)
    return sorted([*events["event_id"], *sites["site_id"]])


def _chart_total(at) -> int:
    return sum(sum(bar["y"]) for bar in chart_spec(at)["data"])


def test_country_link_shows_the_kyrgyz_events_and_sites() -> None:
    at = open_app({"country": "KGZ"})
    assert not at.exception
    assert not link_notices(at)
    n_events, n_sites = expected_counts(countries=["KGZ"])
    assert 0 < n_events < 69 and 0 < n_sites < 20
    assert summary(at) == (n_events, n_sites)
    assert summary_text(at).startswith(f"{n_events} events and {n_sites} sites")
    assert "Kyrgyzstan" in summary_text(at)
    assert at.multiselect(key=W_COUNTRY).value == ["KGZ"]
    assert sorted(marker_ids(folium_args(at))) == _ids(countries=["KGZ"])
    dated = expected_events(countries=["KGZ"])
    assert _chart_total(at) == int((dated["event_date"] != "").sum())
    assert at.query_params == {"country": "KGZ"}


def test_readme_example_link_opens_that_view() -> None:
    query = {"from": "2019-01", "to": "2020-12", "country": "KGZ", "cat": "protest", "sel": "EV068"}
    at = open_app(query)
    assert not at.exception
    assert not link_notices(at)
    view = {"countries": ["KGZ"], "categories": ["protest"], "months": ("2019-01", "2020-12")}
    assert summary(at) == expected_counts(**view)
    assert sorted(marker_ids(folium_args(at))) == _ids(**view)
    assert at.select_slider(key=W_RANGE).value == ("2019-01", "2020-12")
    assert at.multiselect(key=W_CAT).value == ["protest"]
    assert at.query_params == query


def test_undated_link_hides_events_without_dates() -> None:
    at = open_app({"undated": "0"})
    assert not at.exception
    assert at.checkbox(key=W_UNDATED).value is False
    assert summary(at) == expected_counts(undated=False)
    assert summary(at)[0] < 69


def test_country_widget_changes_counts_and_url() -> None:
    at = open_app()
    at.multiselect(key=W_COUNTRY).select("KGZ").run()
    assert not at.exception, [e.value for e in at.exception]
    assert summary(at) == expected_counts(countries=["KGZ"])
    assert at.query_params == {"country": "KGZ"}
    at.multiselect(key=W_COUNTRY).select("KAZ").run()
    assert not at.exception
    assert summary(at) == expected_counts(countries=["KAZ", "KGZ"])
    # Canonical order, whatever the order of the clicks.
    assert at.query_params == {"country": "KAZ,KGZ"}


def test_month_slider_changes_counts_and_url() -> None:
    at = open_app()
    at.select_slider(key=W_RANGE).set_range("2019-01", "2020-12").run()
    assert not at.exception, [e.value for e in at.exception]
    months = ("2019-01", "2020-12")
    assert summary(at) == expected_counts(months=months)
    assert summary(at) != (69, 20)
    assert sorted(marker_ids(folium_args(at))) == _ids(months=months)
    assert at.query_params == {"from": "2019-01", "to": "2020-12"}
    # The chart follows the months shown: one bar per month and country.
    assert {len(bar["x"]) for bar in chart_spec(at)["data"]} == {24}


def test_category_widget_changes_counts_and_url() -> None:
    at = open_app()
    at.multiselect(key=W_CAT).select("detention").select("protest").run()
    assert not at.exception, [e.value for e in at.exception]
    assert summary(at) == expected_counts(categories=["protest", "detention"])
    assert at.query_params == {"cat": "protest,detention"}


def test_search_text_changes_counts_and_url() -> None:
    at = open_app()
    at.text_input(key=W_QUERY).input("Bishkek").run()
    assert not at.exception, [e.value for e in at.exception]
    assert summary(at) == expected_counts(query="Bishkek")
    assert 0 < summary(at)[0] < 69
    assert "Bishkek" in summary_text(at)
    assert sorted(marker_ids(folium_args(at))) == _ids(query="Bishkek")
    assert at.query_params == {"q": "Bishkek"}


def test_undated_checkbox_changes_counts_and_url() -> None:
    at = open_app()
    at.checkbox(key=W_UNDATED).uncheck().run()
    assert not at.exception, [e.value for e in at.exception]
    assert summary(at) == expected_counts(undated=False)
    assert at.query_params == {"undated": "0"}


def test_combined_filters_round_trip_through_the_url_and_reset() -> None:
    at = open_app()
    at.select_slider(key=W_RANGE).set_range("2016-01", "2021-12")
    at.multiselect(key=W_COUNTRY).select("KAZ")
    at.multiselect(key=W_CAT).select("protest")
    at.text_input(key=W_QUERY).input("land")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    view = {
        "countries": ["KAZ"],
        "categories": ["protest"],
        "months": ("2016-01", "2021-12"),
        "query": "land",
    }
    assert summary(at) == expected_counts(**view)
    link = dict(at.query_params)
    assert link == {"from": "2016-01", "to": "2021-12", "country": "KAZ", "cat": "protest", "q": "land"}

    # The shared link opens exactly this view.
    shared = open_app(link)
    assert not shared.exception
    assert not link_notices(shared)
    assert summary(shared) == summary(at)
    assert sorted(marker_ids(folium_args(shared))) == sorted(marker_ids(folium_args(at)))

    # Reset view brings every widget, the counts and the URL back to the defaults.
    next(b for b in at.button if b.label == "Reset view").click().run()
    assert not at.exception, [e.value for e in at.exception]
    slider = at.select_slider(key=W_RANGE)
    assert slider.value == (slider.options[0], slider.options[-1])
    assert at.multiselect(key=W_COUNTRY).value == []
    assert at.multiselect(key=W_CAT).value == []
    assert at.text_input(key=W_QUERY).value == ""
    assert summary(at) == (69, 20)
    assert at.query_params == {}


def test_view_survives_a_visit_to_the_about_page() -> None:
    at = open_app({"country": "KGZ", "cat": "protest"})
    at.switch_page(ABOUT_PAGE).run()
    assert not at.exception
    assert [t.value for t in at.title] == ["About the data"]
    at.switch_page(MAP_PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.multiselect(key=W_COUNTRY).value == ["KGZ"]
    assert at.multiselect(key=W_CAT).value == ["protest"]
    assert summary(at) == expected_counts(countries=["KGZ"], categories=["protest"])
