"""The stores, embedded (DuckDB) and shared (PostGIS), run the same tests: the app's queries
in SQL give the answers worked out by hand on a small dataset, and exactly what the pandas
filters gave on the bundled data; filter values are bound parameters, never SQL."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import h3
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo import cells, placenames, query
from geo.bundle import Bundle
from geo.model import is_text_column
from geo.store import DuckStore, close_all, open_store, store_for
from geo.store.base import EVENT_FRAME_COLUMNS, Store, frame_from_ipc, frame_to_ipc
from geo.view import ViewState
from tests import oracles

ALMATY = ("43.222", "76.8512")
BISHKEK = ("42.8746", "74.5698")
URUMQI = ("43.8256", "87.6168")


# ---- the filters as pandas ran them before the store: the reference ----


def _common(frame: pd.DataFrame, state: ViewState) -> pd.Series:
    keep = pd.Series(True, index=frame.index)
    if state.countries:
        keep &= frame["iso"].isin(state.countries)
    if state.categories:
        keep &= frame["category"].isin(state.categories)
    if state.regions and "region" in frame:
        keep &= frame["region"].isin(state.regions)
    if state.query:
        # The query, or any name of the place it names (geo.placenames), as a substring.
        terms = placenames.search_terms(state.query)
        found = pd.Series(False, index=frame.index)
        for text in terms.texts:
            found |= frame["search_text"].str.contains(text, regex=False)
        for word in terms.words:  # a short name: no letter of the region's scripts beside it
            letters = "0-9a-z\u00c0-\u024f\u0400-\u04ff\u0600-\u06ff"
            found |= frame["search_text"].str.contains(
                f"(?<![{letters}]){re.escape(word)}(?![{letters}])", regex=True
            )
        if terms.regions and "region" in frame:
            found |= frame["region"].isin(terms.regions)
        keep &= found
    return keep


def reference_events(events: pd.DataFrame, state: ViewState) -> pd.DataFrame:
    first, last = query.month_range(state)
    dated = events["start"].notna()
    overlaps = dated & (events["start"] <= last) & (events["stop"] >= first)
    return events[_common(events, state) & (overlaps | (~dated & state.undated))]


def reference_sites(sites: pd.DataFrame, state: ViewState) -> pd.DataFrame:
    first, last = query.month_range(state)
    opened = sites["start"].isna() | (sites["start"] <= last)
    still_open = sites["stop"].isna() | (sites["stop"] >= first)
    return sites[_common(sites, state) & opened & still_open]


MONTHS = [f"{y}-{m:02d}" for y in range(2013, 2025) for m in (1, 4, 7, 10)]


@st.composite
def views(draw: st.DrawFn, regions: tuple[str, ...]) -> ViewState:
    start, end = sorted(draw(st.lists(st.sampled_from(MONTHS), min_size=2, max_size=2)))
    return ViewState(
        start=start,
        end=end,
        countries=tuple(draw(st.sets(st.sampled_from(["KAZ", "KGZ", "CHN"]), max_size=2))),
        categories=tuple(
            draw(st.sets(st.sampled_from(["protest", "policy", "bri_site", "detention"])))
        ),
        regions=tuple(draw(st.sets(st.sampled_from(regions), max_size=2))) if regions else (),
        query=draw(st.sampled_from(["", "almaty", "ZHANAOZEN", "china", "ü", "x'", "consul"])),
        undated=draw(st.booleans()),
    )


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_apply_matches_the_pandas_filters_on_the_bundled_data(
    bundled: Bundle, data: st.DataObject
) -> None:
    regions = tuple(sorted({r for r in bundled.events["region"] if r}))[:6]
    state = data.draw(views(regions))
    shown = query.apply(bundled, state)
    pd.testing.assert_frame_equal(shown.events, reference_events(bundled.events, state))
    pd.testing.assert_frame_equal(shown.sites, reference_sites(bundled.sites, state))
    pd.testing.assert_frame_equal(
        oracles.filter_events(bundled.events, state), reference_events(bundled.events, state)
    )
    pd.testing.assert_frame_equal(
        oracles.filter_sites(bundled.sites, state), reference_sites(bundled.sites, state)
    )


def test_monthly_counts_in_sql_equal_the_chart_table(bundled: Bundle) -> None:
    store = store_for(bundled)
    for state in (
        ViewState("2013-01", "2024-12"),
        ViewState("2019-06", "2021-03", countries=("KAZ",)),
        ViewState("2016-01", "2016-12", undated=False),
    ):
        table, undated = store.monthly_counts(state)
        events = oracles.filter_events(bundled.events, state)
        pd.testing.assert_frame_equal(
            table, oracles.monthly_counts(events, state), check_names=False
        )
        assert undated == int(events["start"].isna().sum())


# ---- a small dataset, answers worked out by hand ----


@pytest.fixture
def small(write_folder, rows: SimpleNamespace) -> Bundle:
    e = rows.event
    # fmt: off
    events = [
        e("A1", event_date="2020-01-05", title="Rally at the consulate", excerpt_ids=""),
        e("A2", event_date="2020-01-20", category="detention", excerpt_ids="",
          title="5% of staff_list held \\ two days"),
        e("A3", event_date="2020-03", time_precision="month", excerpt_ids=""),
        e("B1", event_date="2019-12-30", date_end="2020-02-02", iso="KGZ", country="Kyrgyzstan",
          latitude=BISHKEK[0], longitude=BISHKEK[1], excerpt_ids="",
          actor1="O'Brien -- ; DROP TABLE events"),
        e("C1", event_date="2020-02-14", iso="CHN", country="China", latitude=URUMQI[0],
          longitude=URUMQI[1], title="Ürümqi «sit-in»", excerpt_ids=""),
        e("U1", event_date="", time_precision="unknown", excerpt_ids=""),
    ]
    # fmt: on
    sources = [rows.source("SRC1")]
    return write_folder(events, [], sources, []).load(corpus=False)


MakeStore = Callable[[], Store]


def loaded(new_store: MakeStore, bundle: Bundle) -> Store:
    """A store of the test's engine holding ``bundle``."""
    store = new_store()
    store.load_bundle(bundle)
    return store


def ids(frame: pd.DataFrame) -> list[str]:
    return list(frame["event_id"])


def test_filters_give_the_hand_computed_rows(small: Bundle, new_store: MakeStore) -> None:
    store = loaded(new_store, small)
    everything = ViewState("2019-01", "2021-12")
    assert ids(store.events(everything)) == ["A1", "A2", "A3", "B1", "C1", "U1"]
    assert store.count_events(everything) == 6
    # B1 runs from December 2019 into February 2020, so a February view holds it.
    assert ids(store.events(ViewState("2020-02", "2020-02"))) == ["B1", "C1", "U1"]
    assert ids(store.events(ViewState("2020-02", "2020-02", undated=False))) == ["B1", "C1"]
    assert ids(store.events(ViewState("2020-03", "2020-03", undated=False))) == ["A3"]
    assert ids(store.events(ViewState("2019-01", "2021-12", countries=("KGZ", "CHN")))) == [
        "B1",
        "C1",
    ]
    assert ids(store.events(ViewState("2019-01", "2021-12", categories=("detention",)))) == ["A2"]
    assert ids(store.events(ViewState("2019-01", "2021-12", query="CONSULATE"))) == ["A1"]
    assert ids(store.events(ViewState("2019-01", "2021-12", query="ürümqi «sit"))) == ["C1"]
    almaty = store.events(everything)["region"].iloc[0]
    assert almaty
    assert ids(store.events(ViewState("2019-01", "2021-12", regions=(almaty,)))) == [
        "A1",
        "A2",
        "A3",
        "U1",
    ]


def test_aggregates_give_the_hand_computed_counts(small: Bundle, new_store: MakeStore) -> None:
    store = loaded(new_store, small)
    state = ViewState("2020-01", "2020-03")
    table, undated = store.monthly_counts(state)
    # B1 started before the view: it counts in the view's first month.
    assert table.loc["2020-01"].to_dict() == {"KAZ": 2, "KGZ": 1, "CHN": 0}
    assert table.loc["2020-02"].to_dict() == {"KAZ": 0, "KGZ": 0, "CHN": 1}
    assert table.loc["2020-03"].to_dict() == {"KAZ": 1, "KGZ": 0, "CHN": 0}
    assert undated == 1
    regions = store.region_counts(state)
    assert sorted(regions.values()) == [1, 1, 4]
    for resolution in cells.RESOLUTIONS:
        counted = store.cell_counts(state, resolution)
        assert counted["events"].sum() == 6
        almaty = h3.str_to_int(h3.latlng_to_cell(float(ALMATY[0]), float(ALMATY[1]), resolution))
        assert dict(zip(counted["cell"], counted["events"], strict=True))[almaty] == 4
    # A box around Bishkek only.
    boxed = store.cell_counts(state, 5, bbox=(42.5, 74.0, 43.1, 75.0))
    assert boxed["events"].tolist() == [1]


def test_events_in_a_cell_page_in_date_order(small: Bundle, new_store: MakeStore) -> None:
    store = loaded(new_store, small)
    state = ViewState("2019-01", "2021-12")
    almaty = h3.str_to_int(h3.latlng_to_cell(float(ALMATY[0]), float(ALMATY[1]), 6))
    assert store.count_in_cell(state, 6, almaty) == 4
    assert ids(store.events_in_cell(state, 6, almaty, limit=3)) == ["A1", "A2", "A3"]
    assert ids(store.events_in_cell(state, 6, almaty, limit=3, offset=3)) == ["U1"]


def test_a_read_returns_the_bundle_frame_shape(small: Bundle, new_store: MakeStore) -> None:
    store = loaded(new_store, small)
    frame = store.events(ViewState("2019-01", "2021-12"))
    assert list(frame.columns) == EVENT_FRAME_COLUMNS
    assert frame.loc[frame["event_id"] == "A3", "start"].iloc[0] == date(2020, 3, 1)
    assert frame.loc[frame["event_id"] == "A3", "stop"].iloc[0] == date(2020, 3, 31)
    assert frame.loc[frame["event_id"] == "U1", "start"].iloc[0] is None
    assert store.event("B1")["actor1"] == "O'Brien -- ; DROP TABLE events"
    assert store.event("nope") is None
    assert store.month_span() == ("2019-12", "2020-03")


def missing_text(frame: pd.DataFrame) -> dict[str, int]:
    """The text columns of ``frame`` (not the H3 cell columns) holding a NaN or None."""
    text = [c for c in frame.columns if is_text_column(str(c)) and not str(c).startswith("h3_")]
    return {str(c): int(frame[c].isna().sum()) for c in text if frame[c].isna().any()}


def test_store_reads_give_missing_text_as_empty(bundled: Bundle) -> None:
    store = DuckStore.from_bundle(bundled)
    # NULLs, as a store file holds them for a column added after its rows were written.
    store._con.execute("UPDATE events SET notes = NULL, date_end = NULL, admin1 = NULL")
    store._con.execute("UPDATE sites SET notes = NULL, sector = NULL, funder = NULL")
    state = ViewState(*bundled.month_span())
    event_id, site_id = bundled.events["event_id"].iloc[0], bundled.sites["site_id"].iloc[0]
    reads = {
        "events": store.events(state),
        "events page": store.events_page(state, 20),
        "events table": store.table("events"),
        "sites": store.sites(state),
        "sites table": store.table("sites"),
        "site details": store.site_details(state, ["sector", "funder", "amount"]),
        "event": store.event(event_id).to_frame().T,
        "site": store.site(site_id).to_frame().T,
    }
    try:
        for name, frame in reads.items():
            assert missing_text(frame) == {}, name
        assert store.event(event_id)[["notes", "date_end", "admin1"]].tolist() == ["", "", ""]
        # Dates, numbers and whole numbers keep their missing values.
        events = reads["events table"]
        assert events["start"].isna().sum() == bundled.events["start"].isna().sum() > 0
        assert events["updated"].isna().all() and reads["site details"]["amount"].isna().all()
    finally:
        store.close()


def test_curated_frames_read_back_with_missing_text_as_empty() -> None:
    frame = pd.DataFrame(
        {
            "source_id": ["S1", "S2"],
            "publisher": pd.Series(["P", None], dtype="str"),
            "region": pd.Series(["R", None], dtype=object),
            "start": [date(2020, 1, 1), None],
            "latitude": [43.2, np.nan],
        }
    )
    read = frame_from_ipc(frame_to_ipc(frame))
    assert read["publisher"].tolist() == ["P", ""] and read["region"].tolist() == ["R", ""]
    assert read["start"].tolist() == [date(2020, 1, 1), None]
    assert read["latitude"].isna().tolist() == [False, True]


HOSTILE = [
    "'",
    "' OR '1'='1",
    "x'); DROP TABLE events; --",
    "--",
    ";",
    'O"Brien',
    "%",
    "_",
    "\\",
    "ürümqi",
    "烏魯木齊",
    "O'Brien -- ; DROP TABLE events",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_filter_values_match_literally_and_change_nothing(
    small: Bundle, new_store: MakeStore, value: str
) -> None:
    store = loaded(new_store, small)
    before = (store.size(), store.version, store.table().to_json())
    everything = ViewState("2019-01", "2021-12")
    # What a search looks for: the value itself, or every name of a place it names
    # ("烏魯木齊" is Ürümqi), each a literal substring.
    texts = placenames.search_terms(value).texts
    assert value.casefold() in texts or value.casefold().strip() == ""
    literal = [
        i
        for i, text in zip(
            store.events(everything)["event_id"],
            store.events(everything)["search_text"],
            strict=True,
        )
        if any(t in text for t in texts)
    ]
    if value in ("%", "_", "\\"):  # LIKE's own characters, held by one title
        assert literal == ["A2"]
    if value == "烏魯木齊":  # the Chinese name finds the event in Ürümqi
        assert literal == ["C1"]
    assert ids(store.events(ViewState("2019-01", "2021-12", query=value))) == literal
    for state in (
        ViewState("2019-01", "2021-12", countries=(value,)),
        ViewState("2019-01", "2021-12", categories=(value,)),
        ViewState("2019-01", "2021-12", regions=(value,)),
    ):
        assert store.count_events(state) == 0
        assert store.cell_counts(state, 4).empty
        assert store.region_counts(state) == {}
    assert store.event(value) is None
    assert (store.size(), store.version, store.table().to_json()) == before


def test_the_semicolon_actor_is_found_by_its_literal_text(
    small: Bundle, new_store: MakeStore
) -> None:
    store = loaded(new_store, small)
    found = store.events(ViewState("2019-01", "2021-12", query="; drop table events"))
    assert ids(found) == ["B1"]


# ---- cells, files, the app's store ----


def test_cells_equal_h3s_own() -> None:
    rng = np.random.default_rng(7)
    lat, lon = rng.uniform(35, 55, 500), rng.uniform(47, 95, 500)
    found = cells.cells_for(lat, lon)
    for i in range(0, 500, 25):
        for resolution in cells.RESOLUTIONS:
            expected = h3.str_to_int(h3.latlng_to_cell(lat[i], lon[i], resolution))
            assert int(found[resolution][i]) == expected


def test_a_store_file_keeps_imports_across_restarts(small: Bundle, tmp_path: Path) -> None:
    path = tmp_path / "atlas.duckdb"
    store = DuckStore(path)
    store.load_bundle(small)
    extra = small.events[small.events["event_id"] == "A1"].copy()
    extra["event_id"] = "IMPORTED-1"
    extra["origin"] = "test"
    with store.importing() as batch:
        batch.add(extra)
    assert batch.counts.new == 1
    store.close()
    again = DuckStore(path)
    assert again.size() == 7
    assert again.event("IMPORTED-1")["title"] == "Rally at the consulate"
    again.close()


def test_a_failed_import_changes_nothing(small: Bundle, new_store: MakeStore) -> None:
    store = loaded(new_store, small)
    before = store.table().to_json()
    extra = small.events.copy()
    extra["event_id"] = extra["event_id"] + "-new"
    with pytest.raises(RuntimeError), store.importing() as batch:
        batch.add(extra)
        raise RuntimeError("the file broke half way")
    assert store.table().to_json() == before
    assert store.size() == 6


def test_the_app_uses_the_store_file_named_by_geo_store(
    small: Bundle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "app.duckdb"
    monkeypatch.setenv("GEO_STORE", str(path))
    try:
        store = store_for(small)
        assert store.path == str(path)
        assert store.size() == 6
        assert store_for(small) is store  # one per process
        assert open_store(str(path)) is store
    finally:
        close_all()
    assert path.exists()


def test_the_in_memory_store_is_one_per_bundle(small: Bundle, bundled: Bundle) -> None:
    assert store_for(small) is store_for(small)
    assert store_for(small) is not store_for(bundled)


# ---- the shared database: the bundled data, another process's writes ----


@pytest.fixture(scope="module")
def bundled_db(postgres, pg_template: str, bundled: Bundle):
    from geo.store.pg import PgStore

    store = PgStore(postgres.create_database("bundled_module", pg_template))
    store.load_bundle(bundled)
    yield store
    store.close()


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_the_database_gives_the_pandas_filters_answers_on_the_bundled_data(
    bundled: Bundle, bundled_db: Store, data: st.DataObject
) -> None:
    regions = tuple(sorted({r for r in bundled.events["region"] if r}))[:6]
    state = data.draw(views(regions))
    pd.testing.assert_frame_equal(bundled_db.events(state), reference_events(bundled.events, state))
    pd.testing.assert_frame_equal(bundled_db.sites(state), reference_sites(bundled.sites, state))
    table, undated = bundled_db.monthly_counts(state)
    events = reference_events(bundled.events, state)
    pd.testing.assert_frame_equal(table, oracles.monthly_counts(events, state), check_names=False)
    assert undated == int(events["start"].isna().sum())


def test_every_dashboard_sees_what_one_imported(small: Bundle, database_url: str) -> None:
    from geo.store.pg import PgStore

    analyst, dashboard = PgStore(database_url), PgStore(database_url)
    try:
        analyst.load_bundle(small)
        seen = dashboard.version
        extra = small.events[small.events["event_id"] == "A1"].copy()
        extra["event_id"] = "IMPORTED-1"
        extra["origin"] = "test"
        with analyst.importing() as batch:
            batch.add(extra)
        assert batch.counts.new == 1
        assert dashboard.version != seen  # the cache key moves for every reader
        assert dashboard.size() == 7
        assert dashboard.event("IMPORTED-1")["title"] == "Rally at the consulate"
        assert ids(dashboard.events(ViewState("2019-01", "2021-12")))[-1] == "IMPORTED-1"
    finally:
        analyst.close()
        dashboard.close()


def test_the_app_uses_the_database_named_by_geo_database_url(
    small: Bundle, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from geo.store.pg import PgStore

    monkeypatch.setenv("GEO_DATABASE_URL", database_url)
    monkeypatch.setenv("GEO_STORE", "ignored.duckdb")
    try:
        store = store_for(small)
        assert isinstance(store, PgStore)
        assert store_for(small) is store  # one per process
        assert store.size() == 6
        shown = query.apply(small, ViewState("2019-01", "2021-12", countries=("KGZ",)))
        assert ids(shown.events) == ["B1"]
    finally:
        close_all()
