"""The shared database's rollups (migration 004) give the page the same numbers as the events
themselves, and as the embedded store, after every kind of write: a first import, a newer
export updating rows, a deletions file, the bundle loaded again, and on a database that held
events before the rollups existed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import psycopg
import pytest

from geo import viewport
from geo.bundle import Bundle
from geo.importers.acled import import_acled
from geo.store import DuckStore
from geo.store.pg import CUBE_RESOLUTIONS, PgStore, migrate
from geo.view import ViewState
from tests.conftest import acled_export, assert_rollups_add_up


def _with_actors(name: str) -> Callable[[pd.DataFrame], None]:
    """Associated actors named twice and spaced oddly (so the rollup's split is tested)."""

    def edit(frame: pd.DataFrame) -> None:
        frame.loc[::3, "assoc_actor_1"] = "Students; Workers ;Students"
        frame.loc[1::7, "assoc_actor_1"] = f"Pensioners ({name})"

    return edit


def _views(store: PgStore) -> list[ViewState]:
    regions = sorted(store.region_counts(ViewState("2010-01", "2025-12")))
    assert len(regions) >= 3
    wide = ViewState("2010-01", "2025-12")
    return [
        wide,
        ViewState("2010-01", "2025-12", undated=True),
        ViewState("2016-01", "2016-12", countries=("KAZ",)),
        ViewState("2019-06", "2021-06", categories=("protest",), undated=True),
        ViewState("2018-03", "2018-03", countries=("KGZ", "CHN")),
        ViewState("2014-01", "2024-12", regions=tuple(regions[:2])),
        ViewState("2014-01", "2024-12", picks=("month:2019-07", "iso:KAZ+category:protest")),
        ViewState("2019-07", "2020-12", picks=("month:2019-07", f"region:{regions[2]}")),
        ViewState("2014-01", "2024-12", picks=("category:protest+month:2022-02",)),
    ]


BOXES = [
    None,
    viewport.view_bbox((43.25, 76.9), 4.0),
    viewport.view_bbox((43.25, 76.9), 6.0),
    viewport.view_bbox((42.9, 74.6), 7.0),
    (42.5, 74.0, 43.1, 75.0),  # cuts through hexagons at every kept resolution
]


def _answers(store: PgStore | DuckStore, views: list[ViewState]) -> list[object]:
    out: list[object] = [store.month_span()]
    for view in views:
        months, undated = store.monthly_counts(view)
        out += [
            store.count_events(view),
            store.category_counts(view),
            store.region_counts(view),
            (months.to_dict(), undated),
            store.actor_counts(view, 12),
        ]
        for resolution in CUBE_RESOLUTIONS:
            for box in BOXES:
                out.append(store.cell_counts(view, resolution, box).to_dict("list"))
    return out


@pytest.fixture
def stores(database_url: str) -> Iterator[tuple[PgStore, PgStore, DuckStore]]:
    rolled, raw, embedded = PgStore(database_url), PgStore(database_url, rollups=False), DuckStore()
    yield rolled, raw, embedded
    for store in (rolled, raw, embedded):
        store.close()


def test_rollups_answer_as_the_events_and_the_embedded_store_after_every_write(
    stores: tuple[PgStore, PgStore, DuckStore],
    database_url: str,
    bundled: Bundle,
    tmp_path: Path,
) -> None:
    rolled, raw, embedded = stores
    first = acled_export(tmp_path, "first", 3000, 0, 1_700_000_000, _with_actors("first"))
    # EV2000..EV2999 again, newer, and EV3000..EV3499 new.
    newer = acled_export(tmp_path, "newer", 1500, 2000, 1_800_000_000, _with_actors("newer"))
    gone = tmp_path / "deleted.csv"
    gone.write_text("event_id_cnty\n" + "\n".join(f"EV{i}" for i in range(0, 3000, 5)) + "\n")
    steps = [
        lambda s: s.load_bundle(bundled),
        lambda s: import_acled(first, s),
        lambda s: import_acled(newer, s),
        lambda s: import_acled(newer, s, deletions=gone),
        lambda s: s.load_bundle(bundled),
    ]
    for number, step in enumerate(steps):
        step(rolled)
        step(embedded)
        views = _views(rolled)
        expected = _answers(raw, views)
        assert _answers(rolled, views) == expected, f"after step {number}"
        assert _answers(embedded, views) == expected, f"after step {number}"
        assert_rollups_add_up(database_url)
    assert rolled.size() == 3000 + 500 - 600 + len(bundled.events)


def test_a_database_filled_before_the_rollups_gets_them_on_upgrade(
    database_url: str, bundled: Bundle, tmp_path: Path
) -> None:
    store = PgStore(database_url)
    store.load_bundle(bundled)
    import_acled(acled_export(tmp_path, "old", 800, 0, 1_700_000_000, _with_actors("old")), store)
    with psycopg.connect(database_url, autocommit=True) as con:  # the schema as it was at 003
        con.execute("DROP TABLE event_cube, actor_cube, cell_cube")
        con.execute("DROP FUNCTION rollup_events CASCADE")
        con.execute("DROP FUNCTION rollup_sql")
        con.execute("DELETE FROM schema_version WHERE version = 4")
    assert migrate(database_url) == ["004_rollups.sql"]
    raw = PgStore(database_url, rollups=False)
    try:
        views = _views(store)
        assert _answers(store, views) == _answers(raw, views)
        assert_rollups_add_up(database_url)
    finally:
        raw.close()
        store.close()


def test_search_text_and_actor_picks_are_counted_from_the_events(
    database_url: str, bundled: Bundle
) -> None:
    """The rollups hold no text and no event ids: a view searching text or picking an actor
    or an event is counted from the events (and so still agrees with the embedded store)."""
    rolled, embedded = PgStore(database_url), DuckStore()
    try:
        for store in (rolled, embedded):
            store.load_bundle(bundled)
        event = bundled.events.iloc[0]
        actor = str(event["actor1"]).split(";")[0].strip()
        views = [
            ViewState("2010-01", "2025-12", query="urumqi"),
            ViewState("2010-01", "2025-12", picks=(f"actor:{actor}",)),
            ViewState("2010-01", "2025-12", picks=(f"event:{event['event_id']}",)),
        ]
        assert _answers(rolled, views) == _answers(embedded, views)
        assert rolled.count_events(views[2]) == 1
    finally:
        rolled.close()
        embedded.close()
