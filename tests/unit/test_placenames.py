"""One place under all its names: the shown name and the others (renamings with their dates,
Cyrillic, Chinese, Uyghur, Latin spellings), the search that finds the same events and sites
whichever name is typed, on both engines, and the regions under the names the atlas shows."""

from __future__ import annotations

import json

import pytest

from geo import placenames, query, render
from geo.bundle import Bundle, load_admin1
from geo.regions import choropleth_geojson, region_shapes, region_to_filter
from geo.store.pg import PgStore
from geo.view import ViewState, decode
from tests import oracles
from tests.dom import text_content

SPAN = ("2013-09", "2024-07")

# Each alias group of the issue, with what the bundled data holds for it (events, sites).
ALIAS_GROUPS: dict[str, tuple[list[str], set[str], set[str]]] = {
    "Astana": (
        ["Astana", "Nur-Sultan", "Астана", "NUR SULTAN", "Nursultan", "Нұр-Сұлтан"],
        {"EV019", "EV020", "EV047"},  # among its events: the embassy protests, the MFA
        {"PL001", "PL008"},
    ),
    "Aktobe": (
        ["Aktobe", "Aqtöbe", "Актобе", "AQTOBE", "Ақтөбе"],
        {"EV003", "EV016", "EV023", "EV029"},
        {"PL003", "PL015"},
    ),
    "Zhanaozen": (
        ["Zhanaozen", "Janaozen", "Жанаозен", "Zhanaozan", "Жаңаөзен", "zhanaozen"],
        {"EV005", "EV011", "EV012"},
        set(),
    ),
    "Khorgos": (
        ["Khorgos", "Khorgas", "Хоргос", "霍尔果斯", "Horgos"],
        set(),
        {"PL009", "PL010", "PL011", "PL015"},
    ),
    "Bishkek": (
        ["Bishkek", "Бишкек", "比什凯克", "Frunze"],
        {"EV056", "EV057", "EV058"},
        {"PL004", "PL020"},
    ),
    # A name of three letters or two, in every script: found as a whole word only.
    "Osh": (
        ["Osh", "Ош", "OSH", "ош", "奥什", "奧什", "Oš", "Өш"],
        {"EV065"},
        {"PL005"},
    ),
}
NAMES = [(group, name) for group, (names, _, _) in ALIAS_GROUPS.items() for name in names]


def found(bundle: Bundle, text: str) -> tuple[set[str], set[str]]:
    """The events and sites a search finds, as the store answers and as the filters' SQL
    does on the bundle's frames (the two must agree)."""
    state = ViewState(*SPAN, query=text)
    result = query.apply(bundle, state)
    events, sites = set(result.events["event_id"]), set(result.sites["site_id"])
    assert events == set(oracles.filter_events(bundle.events, state)["event_id"])
    assert sites == set(oracles.filter_sites(bundle.sites, state)["site_id"])
    return events, sites


@pytest.mark.parametrize(("group", "name"), NAMES)
def test_every_name_of_a_place_finds_the_same_events_and_sites(
    bundled: Bundle, group: str, name: str
) -> None:
    names, some_events, sites = ALIAS_GROUPS[group]
    expected = found(bundled, names[0])
    assert found(bundled, name) == expected
    assert some_events <= expected[0] and expected[1] == sites


def test_the_shared_database_finds_the_same_ids_for_every_name(
    bundled: Bundle, database_url: str
) -> None:
    store = PgStore(database_url)
    try:
        store.load_bundle(bundled)
        for _, name in NAMES:
            state = ViewState(*SPAN, query=name)
            events = set(store.events(state)["event_id"])
            sites = set(store.sites(state)["site_id"])
            assert (events, sites) == found(bundled, name), name
    finally:
        store.close()


def test_a_place_search_still_finds_its_text_and_nothing_else_changes(bundled: Bundle) -> None:
    # Zhanaozen's events are found by name; words that name no place search as before.
    assert found(bundled, "Zhanaozen")[0] == {"EV005", "EV011", "EV012"}
    assert found(bundled, "twenty-two")[0] == {"EV025", "EV026", "EV027", "EV028", "EV029"}
    assert found(bundled, "no such words anywhere") == (set(), set())
    assert found(bundled, "twenty.two") == (set(), set())  # still literal, not a pattern


def test_a_short_name_is_a_whole_word_and_two_letters_name_nothing_by_chance(
    bundled: Bundle,
) -> None:
    # EV060 (Bishkek) names an activist "Zholdoshbek": not an Osh event.
    assert "zholdoshbek" in bundled.events.set_index("event_id").loc["EV060", "search_text"]
    assert found(bundled, "Osh") == ({"EV065"}, {"PL005"})
    # Two letters that are only a GeoNames spelling of some place, typed plainly, name no
    # place: they search the text as any other words do.
    for typed in ("Os", "Aq", "Ox"):
        terms = placenames.search_terms(typed)
        assert terms.places == () and terms.words == (), typed
        assert typed.casefold() in terms.texts
    assert found(bundled, "Os")[0] >= {"EV002", "EV060"}  # "protest", "zholdoshbek"
    # Other names of Osh in its panel: its Cyrillic name among them, not exonyms of others.
    names = [n.name for n in placenames.other_names("Osh", "KGZ")]
    assert "Ош" in names and "Osa" not in names and "Och" not in names
    # Nor, in Bishkek's, the GeoNames entries that join it to Osh.
    bishkek = {n.name for n in placenames.other_names("Bishkek", "KGZ")}
    assert {"Бишкек", "Frunze", "Bichkek"} <= bishkek
    assert not {"Bishkek osh", "Бишкек ош"} & bishkek


def test_a_region_is_searched_by_any_of_its_names_and_its_events(bundled: Bundle) -> None:
    by_key = found(bundled, "Mangghystau")
    assert "EV015" in by_key[0]  # an event in the region whose text names no town of it
    assert found(bundled, "Маңғыстау облысы") == by_key
    assert found(bundled, "Mangistau") == by_key


def test_cyrillic_and_latin_text_match_across_transliteration(rows, write_folder) -> None:
    folder = write_folder(
        events=[
            rows.event("R1", title="Митинг у акимата"),
            rows.event("L1", title="Maslikhat session on land"),
        ],
    )
    from geo.bundle import load_bundle

    bundle = load_bundle(folder.data)
    assert found(bundle, "miting")[0] == {"R1"}
    assert found(bundle, "Маслихат")[0] == {"L1"}


def test_the_names_of_a_place_carry_their_dates_and_scripts() -> None:
    names = {n.words() for n in placenames.other_names("Nur-Sultan (Chinese Embassy)", "KAZ")}
    assert {"Nur-Sultan (2019–2022)", "Astana (1998–2019)", "Astana (since 2022)"} <= names
    assert {"Akmola (1992–1998)", "Tselinograd (1961–1992)", "阿斯塔纳"} <= names
    zhanaozen = {n.name for n in placenames.other_names("Zhanaozen (central square)", "KAZ")}
    assert {"Janaozen", "Жанаозен", "Жаңаөзен"} <= zhanaozen
    khorgos = {n.name for n in placenames.other_names("Khorgos", "KAZ")}
    assert {"Хоргос", "Khorgas"} <= khorgos
    catalog = placenames.load()
    assert catalog.place("Aqtöbe", "KAZ").name == "Aktobe"  # type: ignore[union-attr]
    assert catalog.place("霍尔果斯").name == "Horgos"  # type: ignore[union-attr]


def test_the_panel_shows_a_places_other_names(bundled: Bundle) -> None:
    record = bundled.events.set_index("event_id").loc["EV013"].to_dict()
    record["event_id"] = "EV013"
    facts = render.item_facts(record, "event")
    assert "Nur-Sultan (2019–2022)" in facts.other_names
    lines = render.item_markdown_lines(facts)
    assert any(line.startswith("**Also called:**") and "Астана" in line for line in lines)


def test_regions_have_one_shown_name_and_answer_to_all_their_names() -> None:
    assert placenames.region_label("Qaraghandy") == "Karaganda Region"
    assert placenames.region_label("Mangghystau") == "Mangystau Region"
    assert placenames.region_label("Ysyk-Köl") == "Issyk-Kul Region"
    for name in ("Karaganda Region", "Qaraghandy", "Карагандинская область", "Қарағанды облысы"):
        assert placenames.region_key(name) == "Qaraghandy", name
    assert placenames.region_key("Atlantis") is None
    shown = {placenames.region_label(r) for r in load_admin1()["name"]}
    assert len(shown) == 25 and not shown & {"Mangghystau", "Qaraghandy", "Aqtöbe"}


def test_a_link_names_a_region_by_any_of_its_names(bundled: Bundle) -> None:
    bounds = query.bounds_for(bundled)
    for name in ("Qaraghandy", "Karaganda Region", "Карагандинская область"):
        decoded = decode({"region": [name]}, bounds)
        assert decoded.state.regions == ("Qaraghandy",) and not decoded.notices
    assert decode({"region": ["Atlantis"]}, bounds).state.regions == ()


def test_region_tooltips_use_the_shown_name_and_the_filter_button_still_reads_back() -> None:
    admin1 = load_admin1()
    labels = {n: placenames.region_label(n) for n in admin1["name"]}
    features = json.loads(choropleth_geojson(region_shapes(admin1), {}, labels=labels))["features"]
    shown = {f["properties"]["name"]: f["properties"] for f in features}
    assert shown["Qaraghandy"]["tip"].startswith("Karaganda Region: 0 events")
    button = text_content(shown["Qaraghandy"]["action"])
    assert "Filter to Karaganda Region" in button
    assert region_to_filter(button, tuple(labels)) == "Qaraghandy"


def test_the_view_in_words_names_regions_as_shown() -> None:
    state = ViewState(*SPAN, regions=("Mangghystau",))
    assert "Mangystau Region" in render.summary_markdown(state, 1, 0)
    assert render.describe_view(state, 1, 0).startswith("Events and sites in Mangystau Region")


def test_nothing_matches_suggests_the_nearest_known_names() -> None:
    text = render.nothing_matches_markdown(ViewState(*SPAN, query="Zhnaozn"), *SPAN)
    assert "Did you mean “Zhanaozen”" in text
    plain = render.nothing_matches_markdown(ViewState(*SPAN, query="qqqqqq"), *SPAN)
    assert "Did you mean" not in plain
    # A known place that the other filters leave out is not "meant" as something else.
    elsewhere = ViewState(*SPAN, query="Жанаозен", countries=("KGZ",))
    assert "Did you mean" not in render.nothing_matches_markdown(elsewhere, *SPAN)


def test_a_region_answers_to_the_spellings_data_files_use() -> None:
    # ACLED's admin1 and other exports: with or without the word for a region.
    for name, key in (
        ("Mangistau", "Mangghystau"),
        ("Almaty Oblast", "Almaty"),
        ("Karagandy", "Qaraghandy"),
        ("Osh Oblast", "Osh"),
        ("Chuy", "Chuy"),
        ("Issyk-Kul Oblast", "Ysyk-Köl"),
        ("Jalal-Abad Oblast", "Jalal-Abad"),
        ("East Kazakhstan Oblast", "East Kazakhstan"),
        ("Nur-Sultan", "Astana"),
        ("Almaty City", "Almaty City"),
        ("Karagandi", "Qaraghandy"),  # one letter off
    ):
        assert placenames.region_key(name) == key, name
    assert placenames.region_key("Osh Oblast", "KAZ") is None  # not a region of Kazakhstan
    assert placenames.admin1_name("Mangistau", "KAZ") == "Mangystau Region"
    assert placenames.admin1_name("Osh Oblast", "KGZ") == "Osh Region"
    assert placenames.admin1_name("Atlantis", "KAZ") == "Atlantis"
    assert placenames.admin1_name("", "KAZ") == ""


def test_the_start_of_a_regions_name_in_any_script_finds_it() -> None:
    assert placenames.regions_starting("Aq") == ["Aqmola", "Aqtöbe"]
    for typed in ("Aqtö", "aqto", "Aktob", "Актоб", "Ақтө"):
        assert placenames.regions_starting(typed) == ["Aqtöbe"], typed
    for typed in ("Karag", "Карага", "Қарағ", "qaragh"):
        assert placenames.regions_starting(typed) == ["Qaraghandy"], typed
    assert placenames.regions_starting("Ысык") == ["Ysyk-Köl"]
    assert placenames.regions_starting("Kazakh", ["KAZ"]) == [
        "East Kazakhstan",
        "North Kazakhstan",
        "South Kazakhstan",
        "West Kazakhstan",
    ]
    assert placenames.regions_starting("Kazakh", ["KGZ"]) == []
    assert placenames.regions_starting("Zzz") == []
    # A whole name means that region alone, not every region it starts.
    assert placenames.regions_starting("Almaty") == ["Almaty"]


def test_a_short_name_is_a_whole_word_in_cyrillic_and_latin_on_both_engines(
    rows, write_folder, database_url: str
) -> None:
    from geo.bundle import load_bundle

    folder = write_folder(
        events=[
            rows.event("C1", title="Митинг в Ош, у рынка"),
            rows.event("C2", title="«Ош» — город на юге"),
            rows.event("L1", title="Rally in Osh."),
            rows.event("N1", title="Всё прошло хорошо"),  # "ош" inside two words
            rows.event("N2", title="Talk with Zholdoshbek"),
            rows.event("N3", title="Ошская дорога"),  # a longer word that starts so
        ],
    )
    bundle = load_bundle(folder.data)
    for typed in ("Osh", "Ош", "奥什"):
        assert found(bundle, typed)[0] == {"C1", "C2", "L1"}, typed
    store = PgStore(database_url)
    try:
        store.load_bundle(bundle)
        for typed in ("Osh", "Ош"):
            state = ViewState(*SPAN, query=typed)
            assert set(store.events(state)["event_id"]) == {"C1", "C2", "L1"}, typed
    finally:
        store.close()
