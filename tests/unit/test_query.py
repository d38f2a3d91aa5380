"""What a view shows: events and sites by time, country, category and text; the selection."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from geo import query
from geo.view import ViewState, months_between
from tests import oracles

SPAN = ("2013-09", "2024-07")
UNDATED = {"EV036", "EV054"}
KGZ_EVENTS = {f"EV{n:03d}" for n in range(56, 70)}
POLICY_EVENTS = {"EV001", "EV007", "EV040", "EV051", "EV055", "EV061", "EV064", "EV069"}
CONSULATES = {f"PL{n:03d}" for n in range(1, 8)}


def view(start: str = SPAN[0], end: str = SPAN[1], **kwargs) -> ViewState:
    return ViewState(start, end, **kwargs)


def event_ids(bundle, state: ViewState) -> set[str]:
    """The events in view, as the store filters them and as the filters' SQL does on the
    bundle's frame (the two must agree)."""
    shown = set(query.apply(bundle, state).events["event_id"])
    assert shown == set(oracles.filter_events(bundle.events, state)["event_id"])
    return shown


def site_ids(bundle, state: ViewState) -> set[str]:
    shown = set(query.apply(bundle, state).sites["site_id"])
    assert shown == set(oracles.filter_sites(bundle.sites, state)["site_id"])
    return shown


def test_the_default_view_shows_everything(bundled) -> None:
    shown = query.apply(bundled, view())
    assert len(shown.events) == 69 and len(shown.sites) == 20
    assert shown.count == 89


def test_month_range_runs_from_the_first_to_the_last_day() -> None:
    assert query.month_range(view("2020-02", "2020-02")) == (date(2020, 2, 1), date(2020, 2, 29))
    assert query.month_range(view("2019-12", "2021-12")) == (date(2019, 12, 1), date(2021, 12, 31))


# ---- time ----


def test_a_month_precision_event_counts_in_its_month(bundled) -> None:
    # EV034 is known only as "August 2019".
    assert "EV034" in event_ids(bundled, view("2019-08", "2019-08"))
    assert "EV034" not in event_ids(bundled, view("2019-07", "2019-07"))
    assert "EV034" not in event_ids(bundled, view("2019-09", "2019-09"))


def test_a_multi_day_event_shows_in_every_range_it_overlaps(bundled) -> None:
    # EV050 runs from 9 July to 1 August 2018.
    assert "EV050" in event_ids(bundled, view("2018-08", "2018-12"))  # only its last day
    assert "EV050" in event_ids(bundled, view("2013-09", "2018-07"))  # only its first days
    assert "EV050" not in event_ids(bundled, view("2013-09", "2018-06"))
    assert "EV050" not in event_ids(bundled, view("2018-09", "2024-07"))


def test_a_single_month_shows_exactly_the_events_that_touch_it(bundled) -> None:
    march_2021 = event_ids(bundled, view("2021-03", "2021-03", undated=False))
    assert march_2021 == {"EV025", "EV026", "EV027", "EV028", "EV029", "EV040"}
    september_2019 = event_ids(bundled, view("2019-09", "2019-09", undated=False))
    assert september_2019 == {f"EV{n:03d}" for n in range(11, 21)}


def test_undated_events_show_only_when_the_view_includes_them(bundled) -> None:
    narrow = view("2021-03", "2021-03")
    assert event_ids(bundled, narrow) >= UNDATED
    assert not UNDATED & event_ids(bundled, view("2021-03", "2021-03", undated=False))
    assert not UNDATED & event_ids(bundled, view(undated=False))
    assert len(oracles.filter_events(bundled.events, view(undated=False))) == 67


def test_sites_with_unknown_dates_are_always_shown(bundled) -> None:
    undated_sites = set(bundled.sites[bundled.sites["start"].isna()]["site_id"])
    assert {"PL001", "PL004", "PL007"} <= undated_sites
    for months in (("2013-09", "2013-09"), ("2019-08", "2019-08"), ("2024-07", "2024-07")):
        assert undated_sites <= site_ids(bundled, view(*months))


def test_a_site_is_hidden_before_it_opened(bundled) -> None:
    # PL003, the consulate in Aktobe, opened on 30 July 2024.
    assert "PL003" not in site_ids(bundled, view(end="2023-12"))
    assert "PL003" not in site_ids(bundled, view(end="2024-06"))
    assert "PL003" in site_ids(bundled, view(end="2024-07"))
    assert "PL003" in site_ids(bundled, view("2024-07", "2024-07"))


def test_a_site_is_hidden_after_it_closed(bundled) -> None:
    # PL005, the consulate in Osh, suspended on 29 August 2019 (opened in 2012).
    assert "PL005" not in site_ids(bundled, view("2020-01"))
    assert "PL005" not in site_ids(bundled, view("2019-09"))
    assert "PL005" in site_ids(bundled, view("2019-08"))
    assert "PL005" in site_ids(bundled, view("2013-09", "2013-09"))
    # PL019, the At-Bashy site, from June 2019 until 24 February 2020.
    assert "PL019" not in site_ids(bundled, view("2013-09", "2019-05"))
    assert "PL019" in site_ids(bundled, view("2013-09", "2019-06"))
    assert "PL019" not in site_ids(bundled, view("2020-03"))


# ---- country, category, text ----


def test_country_filter(bundled) -> None:
    assert event_ids(bundled, view(countries=("KGZ",))) == KGZ_EVENTS
    assert event_ids(bundled, view(countries=("CHN",))) == {"EV052", "EV053", "EV054"}
    both = event_ids(bundled, view(countries=("KGZ", "CHN")))
    assert both == KGZ_EVENTS | {"EV052", "EV053", "EV054"}
    shown = oracles.filter_sites(bundled.sites, view(countries=("CHN",)))
    assert set(shown["iso"]) == {"CHN"}
    assert set(shown["site_id"]) == {"PL006", "PL007", "PL009", "PL013", "PL016"}


def test_category_filter(bundled) -> None:
    assert event_ids(bundled, view(categories=("policy",))) == POLICY_EVENTS
    assert site_ids(bundled, view(categories=("consulate_embassy",))) == CONSULATES
    assert event_ids(bundled, view(categories=("consulate_embassy",))) == set()
    combined = view(countries=("KGZ",), categories=("policy",))
    assert event_ids(bundled, combined) == {"EV061", "EV064", "EV069"}


@pytest.mark.parametrize("text", ["Twenty-two", "twenty-TWO", "people were arrested"])
def test_text_search_finds_words_of_the_excerpts(bundled, text: str) -> None:
    # Only excerpt X002 ("Twenty-two people were arrested.") says this; EV025-EV029 cite it.
    state = view(query=text)
    assert event_ids(bundled, state) == {"EV025", "EV026", "EV027", "EV028", "EV029"}
    assert site_ids(bundled, state) == set()


def test_text_search_covers_titles_places_and_site_excerpts(bundled) -> None:
    assert site_ids(bundled, view(query="staging protests")) == {"PL002"}
    assert event_ids(bundled, view(query="staging protests")) == {"EV038"}
    assert site_ids(bundled, view(query="khorgos")) == {"PL009", "PL010", "PL011", "PL015"}
    assert event_ids(bundled, view(query="no such words anywhere")) == set()


def test_text_search_is_literal_not_a_pattern(bundled) -> None:
    assert event_ids(bundled, view(query=".*")) == set()
    assert event_ids(bundled, view(query="twenty.two")) == set()  # a pattern would match
    assert event_ids(bundled, view(query="twenty[-]two")) == set()


def test_filters_and_time_combine(bundled) -> None:
    state = view("2021-03", "2021-03", countries=("KAZ",), query="twenty-two", undated=False)
    assert event_ids(bundled, state) == {"EV025", "EV026", "EV027", "EV028", "EV029"}
    assert event_ids(bundled, view("2021-04", "2021-04", query="twenty-two")) == set()


def test_filtering_an_empty_or_undated_only_frame(rows, write_folder) -> None:
    folder = write_folder(
        events=[rows.event("U1", event_date="", time_precision="unknown")], name="undated"
    )
    bundle = folder.load()
    assert event_ids(bundle, view()) == {"U1"}
    assert event_ids(bundle, view(undated=False)) == set()
    assert site_ids(bundle, view()) == set()


# ---- a chart selection and the counts of a view ----

PICKED = (
    view(picks=("month:2019-09+iso:KAZ", "category:consulate_embassy")),
    view("2018-08", "2018-12", picks=("month:2018-08+iso:KAZ",)),  # EV050 runs into the view
    view(countries=("KGZ",), picks=("actor:Local residents", "event:EV001")),
    view(picks=("region:Almaty", "nofacet:x")),
    view(picks=("month:1999-01",)),  # picks nothing
)


@pytest.mark.parametrize("state", PICKED)
def test_a_chart_selection_keeps_the_events_its_keys_pick(bundled, state: ViewState) -> None:
    shown = query.apply(bundled, state)
    before = query.apply(bundled, state.with_picks(()))
    expected = oracles.events_matching(before.events, state.picks, state.start)
    pd.testing.assert_frame_equal(shown.events, expected)  # same rows, order and index
    pd.testing.assert_frame_equal(shown.unpicked, before.events)
    assert (shown.event_count, shown.unpicked_count) == (len(expected), len(before.events))
    assert not shown.lazy


@pytest.mark.parametrize("state", [view(), view("2016-01", "2016-12", undated=False), *PICKED])
def test_a_views_counts_are_those_of_its_events(bundled, state: ViewState) -> None:
    shown = query.apply(bundled, state)
    assert shown.region_counts() == oracles.region_counts(shown.events, shown.sites)
    table, undated = shown.month_counts()
    expected = oracles.monthly_counts(shown.events, state)
    pd.testing.assert_frame_equal(table, expected, check_names=False)
    assert undated == shown.undated_count() == int(shown.events["start"].isna().sum())


def test_the_sites_alone_have_no_events_to_count(bundled) -> None:
    state = view("2019-01", "2020-12", countries=("KAZ", "CHN"))
    shown = query.apply(bundled, state)
    sites = shown.sites_only()
    assert sites.events.empty and sites.count == len(shown.sites) > 0
    counts = sites.region_counts()
    assert counts == oracles.region_counts(sites.events, shown.sites)
    assert sum(n for _, n in counts.values()) <= len(shown.sites)
    assert all(events == 0 for events, _ in counts.values())
    table, undated = sites.month_counts()
    assert table.index.tolist() == months_between(state.start, state.end)
    assert int(table.to_numpy().sum()) == 0 and undated == sites.undated_count() == 0
    assert sites.first_events(5)[1] == 0 and not sites.shows_event("EV001")


def test_events_are_counted_in_the_store_they_came_from(bundled) -> None:
    with pytest.raises(ValueError, match="store"):
        query.Filtered(bundled.events, bundled.sites)


# ---- selection ----


def test_selection_returns_the_excerpts_in_order_with_their_citation(bundled) -> None:
    chosen = query.selection(bundled, "EV025")
    assert chosen is not None
    assert chosen.kind == "event"
    assert chosen.record["event_id"] == "EV025"
    excerpts = chosen.excerpts
    assert excerpts["excerpt_id"].tolist() == ["X001", "X002", "X003"]
    assert excerpts["text"].tolist()[1] == "Twenty-two people were arrested."
    for column in ("title", "publisher", "author", "published", "url", "char_start"):
        assert column in excerpts.columns
    assert set(excerpts["title"]) == {"Anti-China Protests Held in Several Kazakhstani Cities"}
    assert set(excerpts["author"]) == {"Dante Schulz"}
    assert excerpts["url"].str.startswith("https://caspianpolicy.org/").all()
    assert chosen.source is not None
    assert chosen.source["source_id"] == chosen.record["source_id"]


def test_selection_of_a_site(bundled) -> None:
    chosen = query.selection(bundled, "PL002")
    assert chosen is not None and chosen.kind == "site"
    assert chosen.excerpts["excerpt_id"].tolist() == ["X008"]
    assert chosen.excerpts["text"].iloc[0].startswith("Dozens of Kazakhstanis")


def test_selection_keeps_the_order_the_event_cites_its_excerpts_in(bad_folder) -> None:
    bundle = bad_folder.load()
    chosen = query.selection(bundle, "GOOD07")  # cites "X2;X1"
    assert chosen is not None
    assert chosen.excerpts["excerpt_id"].tolist() == ["X2", "X1"]
    assert chosen.excerpts["text"].tolist() == [
        "Twenty-two people were arrested.",
        "On March 27, hundreds gathered in Almaty.",
    ]
    assert chosen.excerpts["title"].tolist() == ["Source SRC1", "Source SRC1"]


def test_selection_without_excerpts_or_source(bad_folder) -> None:
    bundle = bad_folder.load()
    chosen = query.selection(bundle, "S-WARN")  # its source did not load; no excerpts
    assert chosen is not None and chosen.kind == "site"
    assert chosen.source is None
    assert chosen.excerpts.empty


@pytest.mark.parametrize("selected", [None, "", "EV999", "ev025"])
def test_nothing_is_selected_for_an_unknown_id(bundled, selected) -> None:
    assert query.selection(bundled, selected) is None


# ---- one read per data version and view, for every session ----


def test_sessions_on_the_same_view_share_its_rows_and_another_view_has_its_own(bundled) -> None:
    # Two visitors on one link: one has selected an item and moved the map, which changes
    # neither the filters nor the rows.
    first = query.apply(bundled, view("2019-01", "2020-12"))
    second = query.apply(bundled, view("2019-01", "2020-12", selected="EV068", zoom=7.0))
    assert second.events is first.events and second.sites is first.sites  # read once
    other = view("2019-01", "2020-12", countries=("KGZ",))
    assert event_ids(bundled, other) == set(
        oracles.filter_events(bundled.events, other)["event_id"]
    )
    assert event_ids(bundled, other) < set(first.events["event_id"])


def test_new_data_is_read_afresh_on_the_same_view(
    data_dir, corpus_dir, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from geo.bundle import load_bundle
    from geo.importers import import_csv, parse_mapping
    from geo.store import close_all, store_for

    monkeypatch.setenv("GEO_STORE", str(tmp_path / "atlas.duckdb"))
    try:
        data = load_bundle(data_dir, corpus_dir)
        state = view("2019-01", "2025-12", countries=("KGZ",))
        before = query.apply(data, state)
        assert query.bounds_for(data).last_month == SPAN[1]
        rows = tmp_path / "new.csv"
        rows.write_text(
            "uid,Y,X,when,what,cc\n"
            "EV901,42.87,74.59,2020-06-03,Sit-in,KG\n"
            "EV902,42.87,74.59,2025-03-10,Rally,KG\n",
            encoding="utf-8",
        )
        mapping = parse_mapping("id=uid,lat=Y,lon=X,date=when,title=what,country=cc")
        assert import_csv(rows, store_for(data), mapping).loaded == 2
        after = query.apply(data, state)
        assert set(after.events["event_id"]) == set(before.events["event_id"]) | {
            "EV901",
            "EV902",
        }
        # The month slider reaches the new last month.
        assert query.bounds_for(data).last_month == "2025-03"
    finally:
        close_all()
