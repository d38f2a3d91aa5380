"""Filters change what is shown, whether they come from a link or from the sidebar, and the
sidebar writes them back to the URL so the link reproduces the view. Expected counts come
from the CSV files."""

from __future__ import annotations

from .helpers import (
    ABOUT_PAGE,
    MAP_PAGE,
    button,
    categories,
    chart_spec,
    countries,
    errors,
    expected_counts,
    expected_events,
    expected_sites,
    folium_args,
    link_notices,
    marker_ids,
    month_slider,
    open_app,
    search_box,
    summary,
    summary_text,
    undated_box,
)


def _ids(countries=(), categories=(), months=None, undated=True, query="") -> list[str]:
    events = expected_events(countries, categories, months, undated, query)
    sites = expected_sites(countries, categories, months, query)
    return sorted([*events["event_id"], *sites["site_id"]])


def _chart_total(at) -> int:
    return sum(sum(bar["y"]) for bar in chart_spec(at)["data"])


def test_country_link_shows_the_kyrgyz_events_and_sites() -> None:
    at = open_app({"country": "KGZ"})
    assert not at.exception, errors(at)
    assert not link_notices(at)
    n_events, n_sites = expected_counts(countries=["KGZ"])
    assert 0 < n_events < 69 and 0 < n_sites < 20
    assert summary(at) == (n_events, n_sites)
    assert summary_text(at).startswith(f"{n_events} events and {n_sites} sites")
    assert "Kyrgyzstan" in summary_text(at)
    assert countries(at).value == ["KGZ"]
    assert sorted(marker_ids(folium_args(at))) == _ids(countries=["KGZ"])
    dated = expected_events(countries=["KGZ"])
    assert _chart_total(at) == int((dated["event_date"] != "").sum())
    assert at.query_params == {"country": "KGZ"}


def test_readme_example_link_opens_that_view() -> None:
    query = {"from": "2019-01", "to": "2020-12", "country": "KGZ", "cat": "protest", "sel": "EV068"}
    at = open_app(query)
    assert not at.exception, errors(at)
    assert not link_notices(at)
    view = {"countries": ["KGZ"], "categories": ["protest"], "months": ("2019-01", "2020-12")}
    assert summary(at) == expected_counts(**view)
    assert sorted(marker_ids(folium_args(at))) == _ids(**view)
    assert month_slider(at).value == ("2019-01", "2020-12")
    assert categories(at).value == ["protest"]
    assert at.query_params == query


def test_undated_link_hides_events_without_dates() -> None:
    at = open_app({"undated": "0"})
    assert not at.exception, errors(at)
    assert undated_box(at).value is False
    assert summary(at) == expected_counts(undated=False)
    assert summary(at)[0] < 69


def test_country_widget_changes_counts_and_url() -> None:
    at = open_app()
    countries(at).select("KGZ").run()
    assert not at.exception, errors(at)
    assert summary(at) == expected_counts(countries=["KGZ"])
    assert at.query_params == {"country": "KGZ"}
    countries(at).select("KAZ").run()
    assert not at.exception, errors(at)
    assert summary(at) == expected_counts(countries=["KAZ", "KGZ"])
    # Canonical order, whatever the order of the clicks.
    assert at.query_params == {"country": "KAZ,KGZ"}


def test_month_slider_changes_counts_and_url() -> None:
    at = open_app()
    month_slider(at).set_range("2019-01", "2020-12").run()
    assert not at.exception, errors(at)
    months = ("2019-01", "2020-12")
    assert summary(at) == expected_counts(months=months)
    assert summary(at) != (69, 20)
    assert sorted(marker_ids(folium_args(at))) == _ids(months=months)
    assert at.query_params == {"from": "2019-01", "to": "2020-12"}
    # The chart follows the months shown: one bar per month and country.
    assert {len(bar["x"]) for bar in chart_spec(at)["data"]} == {24}


def test_category_widget_changes_counts_and_url() -> None:
    at = open_app()
    categories(at).select("detention").select("protest").run()
    assert not at.exception, errors(at)
    assert summary(at) == expected_counts(categories=["protest", "detention"])
    assert at.query_params == {"cat": "protest,detention"}


def test_search_text_changes_counts_and_url() -> None:
    at = open_app()
    search_box(at).input("Bishkek").run()
    assert not at.exception, errors(at)
    assert summary(at) == expected_counts(query="Bishkek")
    assert 0 < summary(at)[0] < 69
    assert "Bishkek" in summary_text(at)
    assert sorted(marker_ids(folium_args(at))) == _ids(query="Bishkek")
    assert at.query_params == {"q": "Bishkek"}


def test_undated_checkbox_changes_counts_and_url() -> None:
    at = open_app()
    undated_box(at).uncheck().run()
    assert not at.exception, errors(at)
    assert summary(at) == expected_counts(undated=False)
    assert at.query_params == {"undated": "0"}


def test_combined_filters_round_trip_through_the_url_and_reset() -> None:
    at = open_app()
    month_slider(at).set_range("2016-01", "2021-12")
    countries(at).select("KAZ")
    categories(at).select("protest")
    search_box(at).input("land")
    at.run()
    assert not at.exception, errors(at)
    view = {
        "countries": ["KAZ"],
        "categories": ["protest"],
        "months": ("2016-01", "2021-12"),
        "query": "land",
    }
    assert summary(at) == expected_counts(**view)
    link = dict(at.query_params)
    assert link == {
        "from": "2016-01",
        "to": "2021-12",
        "country": "KAZ",
        "cat": "protest",
        "q": "land",
    }

    # The shared link opens exactly this view.
    shared = open_app(link)
    assert not shared.exception, errors(shared)
    assert not link_notices(shared)
    assert summary(shared) == summary(at)
    assert sorted(marker_ids(folium_args(shared))) == sorted(marker_ids(folium_args(at)))

    # Reset view brings every widget, the counts and the URL back to the defaults.
    button(at, "Reset view").click().run()
    assert not at.exception, errors(at)
    slider = month_slider(at)
    assert slider.value == (slider.options[0], slider.options[-1])
    assert countries(at).value == []
    assert categories(at).value == []
    assert search_box(at).value == ""
    assert summary(at) == (69, 20)
    assert at.query_params == {}


def test_view_survives_a_visit_to_the_about_page() -> None:
    at = open_app({"country": "KGZ", "cat": "protest"})
    at.switch_page(ABOUT_PAGE).run()
    assert not at.exception, errors(at)
    assert [t.value for t in at.title] == ["About the data"]
    at.switch_page(MAP_PAGE).run()
    assert not at.exception, errors(at)
    assert countries(at).value == ["KGZ"]
    assert categories(at).value == ["protest"]
    assert summary(at) == expected_counts(countries=["KGZ"], categories=["protest"])
