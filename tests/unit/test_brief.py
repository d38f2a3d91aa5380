"""What a brief says, whatever it is printed in: the filters box in words, one table row per
item (short date and place, figures, its citation's number, its excerpts), citations
numbered once each, items without coordinates kept in the table and off the map, an empty
view that says how to see more, and which links are local."""

from __future__ import annotations

import pytest

from geo import brief, export, query
from geo.bundle import Bundle
from geo.view import Bounds, ViewState


def brief_of(bundled: Bundle, link: str) -> brief.Brief:
    bounds = export.view_bounds(bundled)
    decoded = export.view_from_link(link, bounds)
    assert decoded.notices == []
    state = decoded.state
    return export.compose_brief(bundled, query.apply(bundled, state), state)


def test_the_filters_box_states_every_filter_in_words(bundled: Bundle) -> None:
    made = brief_of(bundled, "/?from=2019-01&to=2019-12&country=KAZ&sel=EV017")
    assert made.filters == (
        ("Dates", "January 2019 to December 2019"),
        ("Countries", "Kazakhstan"),
        ("Categories", "all"),
        ("Regions", "all"),
        ("Search", "none"),
        ("Chart selection", "none"),
        ("Undated events", "included (1 in this view)"),
    )
    made = brief_of(
        bundled,
        "/?from=2019-03&to=2020-06&cat=protest,policy&region=Naryn&q=rally&undated=0"
        "&pick=month%3A2019-09%2Biso%3AKGZ",
    )
    words = dict(made.filters)
    assert words["Dates"] == "March 2019 to June 2020"
    assert words["Countries"] == "all (Kazakhstan, Kyrgyzstan, Xinjiang (China))"
    assert words["Categories"] == "Protests, Policy"
    assert words["Regions"] == "Naryn Region" and words["Search"] == "“rally”"
    assert words["Chart selection"].startswith("September 2019")
    assert words["Undated events"].startswith("left out")


def test_the_filters_box_names_regions_as_the_atlas_shows_them(bundled: Bundle) -> None:
    # Natural Earth's spellings are the links' keys, not the names a reader is shown.
    made = brief_of(bundled, "/?region=Qaraghandy,Mangghystau,Ysyk-K%C3%B6l")
    assert dict(made.filters)["Regions"] == ("Mangystau Region, Karaganda Region, Issyk-Kul Region")


def test_the_table_has_every_item_with_its_citation_number_and_excerpts(
    bundled: Bundle,
) -> None:
    made = brief_of(bundled, "/?from=2019-01&to=2019-12&country=KAZ")
    assert (made.n_events, made.n_sites) == (19, 8)
    ids = [r.facts.item_id for r in made.rows]
    assert len(ids) == len(set(ids)) == 27
    assert [r.number for r in made.rows] == list(range(1, 28))
    assert [r.facts.kind for r in made.rows] == ["event"] * 19 + ["site"] * 8
    first = made.rows[0]
    assert (first.facts.item_id, first.date, first.place) == (
        "EV051",
        "9 Jan 2019",
        "Astana (Kazakh MFA statement)",
    )
    assert first.figures == "Participants: 2,000+ (people affected)"
    assert first.cite == 1 and made.citations[0] == first.facts.source
    assert [q.cite for q in first.quotes] == [2]
    assert first.quotes[0].text.startswith("Mounting tension has led China")
    # The undated event comes after the dated ones; each citation is listed once and every
    # number a row gives is one of them.
    events = [r for r in made.rows if r.facts.kind == "event"]
    assert events[-1].facts.item_id == "EV036" and events[-1].date == "undated"
    assert len(set(made.citations)) == len(made.citations)
    numbers = {r.cite for r in made.rows} | {q.cite for r in made.rows for q in r.quotes}
    assert numbers - {None} == set(range(1, len(made.citations) + 1))
    assert made.unmapped == ()


@pytest.mark.parametrize(
    ("when", "short"),
    [
        ("27 March 2021", "27 Mar 2021"),
        ("August 2019 (month known, not the day)", "Aug 2019"),
        ("2019 (year known only)", "2019"),
        ("date unknown", "undated"),
        ("3 September 2019 to 4 September 2019", "3 Sep 2019 to 4 Sep 2019"),
        ("from 2012 (year known only) until 29 August 2019", "from 2012 until 29 Aug 2019"),
    ],
)
def test_dates_in_the_table_are_short(when: str, short: str) -> None:
    assert brief.short_date(when) == short


def test_an_item_without_coordinates_stays_in_the_table_and_off_the_map(
    bundled: Bundle,
) -> None:
    state = ViewState.default(export.view_bounds(bundled))
    filtered = query.apply(bundled, state)
    lookup = export._Lookup(bundled)
    records = filtered.events.head(3).to_dict("records")
    records[1] = {**records[1], "latitude": float("nan")}
    records[2] = {**records[2], "longitude": None}
    made = brief.compose(
        state,
        [(r, lookup.facts(r, "event")) for r in records],
        [],
        n_undated=0,
        undated="included",
        first_month=state.start,
        last_month=state.end,
    )
    assert len(made.rows) == 3
    unmapped = {r.facts.item_id for r in made.unmapped}
    assert unmapped == {records[1]["event_id"], records[2]["event_id"]}
    assert len(made.mapped) == 1


def test_an_empty_view_says_how_to_see_more(bundled: Bundle) -> None:
    made = brief_of(bundled, "/?from=2019-01&to=2019-12&country=KGZ&q=zzz")
    assert made.rows == () and made.citations == ()
    assert made.empty_words == (
        "No event or site matches this view. To see more, clear the search “zzz”, add "
        "countries (now Kyrgyzstan only) or widen the months (now 2019)."
    )
    bounds = Bounds("2019-01", "2019-12")
    assert brief.compose(
        ViewState.default(bounds), [], [], n_undated=0, undated="", first_month="2019-01",
        last_month="2019-12",
    ).empty_words == "No event or site matches this view."  # fmt: skip


@pytest.mark.parametrize(
    ("link", "local"),
    [
        ("http://127.0.0.1:8501/?country=KAZ", True),
        ("http://localhost:8501/", True),
        ("http://[::1]:8501/", True),
        ("http://0.0.0.0:8501/", True),
        ("/?country=KAZ", True),
        (None, True),
        ("https://atlas.example.org/atlas/?country=KAZ", False),
        ("http://10.0.0.5:8501/", False),
    ],
)
def test_a_link_to_this_machine_is_local(link: str | None, local: bool) -> None:
    assert brief.is_local(link) is local
