"""`geo import`: an ACLED export written here with good rows, broken rows and an update;
every broken row is reported with its line, every good row is in the store once, the
update is applied; generic CSV and GeoJSON with a column mapping; atomic and idempotent."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest

from geo import cli
from geo.importers import acled, base, import_acled, import_csv, import_geojson, parse_mapping
from geo.importers.base import Reject, UnreadableFile
from geo.importers.columns import preview_csv
from geo.importers.generic import geojson_records
from geo.store import DuckStore
from geo.store.base import Store
from geo.view import ViewState

COLUMNS = acled.COLUMNS
EVERYTHING = ViewState("1990-01", "2030-12")


def acled_row(event_id: str, **values: str) -> dict[str, str]:
    row = {c: "" for c in COLUMNS}
    row.update(
        event_id_cnty=event_id,
        event_date="27 March 2021",
        year="2021",
        time_precision="1",
        disorder_type="Demonstrations",
        event_type="Protests",
        sub_event_type="Peaceful protest",
        actor1="Protesters (Kazakhstan)",
        inter1="6",
        interaction="60",
        civilian_targeting="",
        iso="398",
        region="Central Asia",
        country="Kazakhstan",
        admin1="Almaty",
        location="Almaty",
        latitude="43.2567",
        longitude="76.9286",
        geo_precision="1",
        source="Radio Azattyq",
        source_scale="National",
        notes="On 27 March 2021, protesters rallied against Chinese expansion.",
        fatalities="0",
        tags="crowd size=dozens",
        timestamp="1618000000",
    )
    row.update(values)
    return row


def line_of(row: dict[str, str], delimiter: str = ",") -> str:
    buffer = io.StringIO()
    csv.DictWriter(buffer, COLUMNS, lineterminator="\n", delimiter=delimiter).writerow(row)
    return buffer.getvalue()


HEADER = ",".join(COLUMNS) + "\n"


def write(path: Path, lines: list[str], bom: bool = False) -> Path:
    path.write_text(("\ufeff" if bom else "") + HEADER + "".join(lines), encoding="utf-8")
    return path


@pytest.fixture
def store(new_store: Callable[[], Store]) -> Store:
    """An empty store of each engine (embedded and shared): imports mean the same on both."""
    return new_store()


@pytest.fixture
def export(tmp_path: Path) -> tuple[Path, dict[int, str], set[str]]:
    """An export with its broken lines (line -> words of the reason) and good ids."""
    # fmt: off
    lines = [
        line_of(acled_row("KAZ1")),  # 2
        line_of(acled_row("KAZ2", event_date="2021-03-28", notes='He said "no more", twice')),  # 3
        line_of(acled_row("KAZ3", event_date="March 27th, 2021")),  # 4: bad date
        line_of(acled_row("KAZ4", latitude="76.9286", longitude="43.2567")),  # 5: swapped
        line_of(acled_row("KAZ5", latitude="north")),  # 6: not a number
        "KAZ6,27 March 2021,2021,1\n",  # 7: missing columns
        line_of(acled_row("KAZ7"), delimiter=";"),  # 8: wrong delimiter
        line_of(acled_row("KGZ1", iso="417", country="Kyrgyzstan", latitude="42.87",
                          longitude="74.59", location="Bishkek", event_date="2020-10-06",
                          sub_event_type="Arrests", time_precision="3")),  # 9
        line_of(acled_row("CHN1", iso="156", country="China", latitude="43.8256",
                          longitude="87.6168", location="Urumqi",
                          notes="Quotes: 'single', \"double\", `back`; -- and ;")),  # 10
        line_of(acled_row("UZB1", iso="860", country="Uzbekistan")),  # 11: not in the atlas
        line_of(acled_row("CHN2", iso="156", latitude="39.9", longitude="116.4")),  # 12: Beijing
        line_of(acled_row("KAZ1", timestamp="1619000000", fatalities="2",
                          notes="Updated: two died")),  # 13: newer version of KAZ1
        line_of(acled_row("KAZ8", timestamp="soon")),  # 14: bad timestamp
        line_of(acled_row("KAZ9", geo_precision="7")),  # 15: bad precision code
        line_of(acled_row("", location="nowhere")),  # 16: no id
        line_of(acled_row("KAZ2", event_date="2021-03-28")),  # 17: same id, same timestamp
        line_of(acled_row("KAZ10", event_date="2021-02-30")),  # 18: impossible date
    ]
    # fmt: on
    path = write(tmp_path / "acled.csv", lines, bom=True)
    broken = {
        4: "unparseable date",
        5: "swapped",
        6: "not a number",
        7: "has 4 field(s)",
        8: "wrong delimiter",
        11: "outside the atlas",
        12: "outside",
        14: "not a whole number",
        15: "not 1, 2 or 3",
        16: "missing",
        17: "same timestamp as line 3",
        18: "impossible date",
    }
    return path, broken, {"KAZ1", "KAZ2", "KGZ1", "CHN1"}


def test_every_broken_row_is_reported_and_every_good_row_loads_once(
    store: Store, export: tuple[Path, dict[int, str], set[str]]
) -> None:
    path, broken, good = export
    result = import_acled(path, store)
    got = {r.line: r.reason for r in result.rejects}
    assert sorted(got) == sorted(broken)
    for line, words in broken.items():
        assert words in got[line], (line, got[line])
    table = store.table()
    assert sorted(table["event_id"]) == sorted(good)
    assert result.loaded == len(good)
    assert result.counts.new == len(good)
    assert result.superseded == 1
    kaz1 = store.event("KAZ1")
    assert kaz1["fatalities"] == "2" and kaz1["notes"].startswith("Updated: two died")
    assert store.event("KAZ2")["notes"].startswith('He said "no more", twice')
    assert "`back`; -- and ;" in store.event("CHN1")["notes"]


@pytest.mark.parametrize("chunk", [1, 2, 3, 5])
def test_rejects_and_counts_are_the_same_whatever_the_chunks(
    store: Store,
    export: tuple[Path, dict[int, str], set[str]],
    monkeypatch: pytest.MonkeyPatch,
    chunk: int,
) -> None:
    # Rows are staged a chunk at a time: a duplicate, a newer version and a broken row in
    # other chunks than the rows they follow are reported at the same lines, for the same
    # reasons, as when every row is in one chunk.
    path, broken, good = export
    monkeypatch.setattr(base, "CHUNK_ROWS", chunk)
    result = import_acled(path, store)
    got = {r.line: r.reason for r in result.rejects}
    assert sorted(got) == sorted(broken)
    assert "duplicate 'KAZ2' with the same timestamp as line 3" in got[17]
    assert (result.loaded, result.superseded, result.counts.new) == (len(good), 1, len(good))
    assert sorted(store.table()["event_id"]) == sorted(good)
    assert store.event("KAZ1")["notes"].startswith("Updated: two died")


def test_versions_of_one_id_across_chunks_keep_the_newest(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(base, "CHUNK_ROWS", 2)
    lines = [
        line_of(acled_row("KAZ1", timestamp="5", notes="five")),  # 2
        line_of(acled_row("KAZ1", timestamp="3", notes="three")),  # 3: older, superseded
        line_of(acled_row("KAZ1", timestamp="3", notes="three again")),  # 4: older too
        line_of(acled_row("KAZ1", timestamp="5", notes="five again")),  # 5: same as line 2
        line_of(acled_row("KAZ1", timestamp="9", notes="nine")),  # 6: newer
        line_of(acled_row("KAZ1", timestamp="9", notes="nine again")),  # 7: same as line 6
    ]
    result = import_acled(write(tmp_path / "versions.csv", lines), store)
    assert [(r.line, r.reason) for r in sorted(result.rejects, key=lambda r: r.line)] == [
        (5, "event_id: duplicate 'KAZ1' with the same timestamp as line 2"),
        (7, "event_id: duplicate 'KAZ1' with the same timestamp as line 6"),
    ]
    assert (result.loaded, result.superseded) == (1, 3)
    assert store.event("KAZ1")["notes"].startswith("nine")


def test_acled_fields_map_onto_the_atlas_model(
    store: Store, export: tuple[Path, dict[int, str], set[str]]
) -> None:
    import_acled(export[0], store)
    table = store.table().set_index("event_id")
    kaz1 = table.loc["KAZ1"]
    assert (kaz1["iso"], kaz1["category"], kaz1["event_date"]) == ("KAZ", "protest", "2021-03-27")
    assert (kaz1["geo_precision"], kaz1["geo_precision_code"]) == ("city", 1)
    assert kaz1["title"] == "Peaceful protest in Almaty"
    assert kaz1["region"] and kaz1["search_text"].startswith("peaceful protest in almaty")
    assert kaz1["updated"] == 1619000000
    kgz1 = table.loc["KGZ1"]
    assert (kgz1["iso"], kgz1["category"], kgz1["time_precision"]) == ("KGZ", "detention", "month")
    assert kgz1["time_precision_code"] == 3
    assert str(kgz1["start"]) == "2020-10-01" and str(kgz1["stop"]) == "2020-10-31"
    assert table.loc["CHN1", "iso"] == "CHN"
    assert store.count_events(ViewState("2021-03", "2021-03", countries=("KAZ",))) == 2


def test_importing_again_changes_nothing_and_a_newer_timestamp_replaces(
    store: Store, export: tuple[Path, dict[int, str], set[str]], tmp_path: Path
) -> None:
    path, _, good = export
    import_acled(path, store)
    before = store.table().to_json()
    again = import_acled(path, store)
    assert (again.counts.new, again.counts.updated, again.counts.unchanged) == (0, 0, len(good))
    assert store.table().to_json() == before
    newer = write(
        tmp_path / "newer.csv",
        [
            line_of(acled_row("KAZ2", timestamp="1700000000", location="Astana",
                              latitude="51.1694", longitude="71.4491")),
            line_of(acled_row("KGZ1", timestamp="1500000000", location="Older")),
        ],
    )  # fmt: skip
    result = import_acled(newer, store)
    assert (result.counts.updated, result.counts.unchanged) == (1, 1)
    assert store.event("KAZ2")["location"] == "Astana"
    assert store.event("KGZ1")["location"] == "Bishkek"
    assert store.size() == len(good)


def test_a_deletions_list_removes_rows(
    store: Store, export: tuple[Path, dict[int, str], set[str]], tmp_path: Path
) -> None:
    path, _, good = export
    deletions = tmp_path / "deleted.csv"
    deletions.write_text("event_id_cnty,deleted_timestamp\nKGZ1,1700000000\nNOPE,1\n")
    result = import_acled(path, store, deletions=deletions)
    assert result.counts.deleted == 1
    assert sorted(store.table()["event_id"]) == sorted(good - {"KGZ1"})


def test_an_unclosed_quote_costs_only_its_own_row(store: Store, tmp_path: Path) -> None:
    good = line_of(acled_row("KAZ20"))
    inside = good.replace(",Radio Azattyq,", ',"Radio Azattyq,').replace("KAZ20", "KAZ21")
    at_end = good.replace(",1618000000", ',"1618000000').replace("KAZ20", "KAZ23")
    lines = [good, inside, line_of(acled_row("KAZ22")), at_end, line_of(acled_row("KAZ24"))]
    result = import_acled(write(tmp_path / "quote.csv", lines), store)
    assert [r.line for r in result.rejects] == [3, 5]
    assert "unclosed quote" in result.rejects[1].reason
    assert sorted(store.table()["event_id"]) == ["KAZ20", "KAZ22", "KAZ24"]


def test_a_semicolon_delimited_export_is_read(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "semi.csv"
    path.write_text(";".join(COLUMNS) + "\n" + line_of(acled_row("KAZ30"), delimiter=";"))
    assert import_acled(path, store).loaded == 1


def test_a_file_that_cannot_be_read_raises(store: Store, tmp_path: Path) -> None:
    with pytest.raises(UnreadableFile):
        import_acled(tmp_path / "missing.csv", store)
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(UnreadableFile):
        import_acled(tmp_path / "empty.csv", store)
    (tmp_path / "other.csv").write_text("a,b,c\n1,2,3\n")
    with pytest.raises(UnreadableFile, match="lacks column"):
        import_acled(tmp_path / "other.csv", store)
    (tmp_path / "binary.csv").write_bytes(b"\xff\xfe\x00\x01garbage\n")
    with pytest.raises(UnreadableFile):
        import_acled(tmp_path / "binary.csv", store)
    assert store.size() == 0


def test_a_failure_half_way_leaves_the_store_as_it_was(
    store: Store, export: tuple[Path, dict[int, str], set[str]]
) -> None:
    import_acled(export[0], store)
    before = store.table().to_json()

    def explode(done: int, total: int) -> None:
        if done > 0:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        import_acled(export[0], store, progress=explode)
    assert store.table().to_json() == before


def test_the_cli_writes_rejects_and_prints_the_counts(
    export: tuple[Path, dict[int, str], set[str]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path, broken, good = export
    store_file, rejects = tmp_path / "s.duckdb", tmp_path / "rejects.csv"
    args = ["import", "acled", str(path), "--store", str(store_file), "--rejects", str(rejects)]
    assert cli.main([*args, "--quiet"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert out[-1] == f"loaded {len(good)}, rejected {len(broken)}"
    with rejects.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [int(r["line"]) for r in rows] == sorted(broken)
    # The store keeps the curated data beside the import.
    store = DuckStore(store_file)
    assert store.size() > len(good)
    store.close()
    assert (
        cli.main(["import", "acled", str(tmp_path / "nope.csv"), "--store", str(store_file)]) == 2
    )


@pytest.mark.parametrize("where", ["missing/rejects.csv", "a-folder"])
def test_a_rejects_report_that_cannot_be_written_stops_the_import_before_it_starts(
    export: tuple[Path, dict[int, str], set[str]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    where: str,
) -> None:
    (tmp_path / "a-folder").mkdir()
    store_file = tmp_path / "s.duckdb"
    args = ["import", "acled", str(export[0]), "--store", str(store_file), "--quiet"]
    assert cli.main([*args, "--rejects", str(tmp_path / where)]) == 2
    err = capsys.readouterr().err
    assert f"cannot write the rejects report {tmp_path / where}" in err
    assert "Traceback" not in err
    assert not store_file.exists()  # nothing was imported, and no report was half-written


def test_the_cli_draws_a_progress_bar_on_stderr(
    export: tuple[Path, dict[int, str], set[str]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main(["import", "acled", str(export[0]), "--store", str(tmp_path / "p.db")]) == 0
    assert "100%" in capsys.readouterr().err


def test_a_generic_csv_with_a_column_mapping(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "mine.csv"
    path.write_text(
        "uid,Y,X,when,what,cc\n"
        "m1,43.2567,76.9286,2021-03-27,Rally in Almaty,KZ\n"
        "m2,42.87,74.59,2020-10,Sit-in,\n"
        "m3,north,74.59,2020-10,Bad,\n"
        "m4,48.85,2.35,2020-10,Paris,\n",
        encoding="utf-8",
    )
    mapping = parse_mapping("id=uid,lat=Y,lon=X,date=when,title=what,country=cc")
    result = import_csv(path, store, mapping)
    assert [r.line for r in result.rejects] == [4, 5]
    m2 = store.event("m2")
    assert (m2["iso"], m2["time_precision"], m2["title"]) == ("KGZ", "month", "Sit-in")
    assert store.event("m1")["iso"] == "KAZ"
    with pytest.raises(ValueError, match="unknown field"):
        parse_mapping("colour=c")


def test_a_geojson_with_a_column_mapping(store: Store, tmp_path: Path) -> None:
    features = [
        {
            "type": "Feature",
            "id": "g1",
            "geometry": {"type": "Point", "coordinates": [76.9286, 43.2567]},
            "properties": {"day": "27 March 2021", "label": "Rally", "kind": "protest"},
        },
        {
            "type": "Feature",
            "geometry": {"type": "LineString", "coordinates": [[76, 43], [77, 44]]},
            "properties": {},
        },
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [87.6168, 43.8256]},
            "properties": {"day": "2019", "label": "Urumqi", "kind": "detention"},
        },
    ]
    path = tmp_path / "points.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    result = import_geojson(path, store, parse_mapping("date=day,title=label,category=kind"))
    assert [(r.line, r.reason.split(":")[0]) for r in result.rejects] == [(2, "geometry")]
    assert store.event("g1")["event_date"] == "2021-03-27"
    third = store.table().set_index("title").loc["Urumqi"]
    assert (third["iso"], third["category"], third["time_precision"]) == (
        "CHN",
        "detention",
        "year",
    )
    again = import_geojson(path, store, parse_mapping("date=day,title=label,category=kind"))
    assert again.counts.unchanged == 2 and store.size() == 2


# ---- dates outside the plausible span ----

LAST_PLAUSIBLE = date(date.today().year + 1, 12, 31)
PLAUSIBLE = ["1900-01-01", LAST_PLAUSIBLE.isoformat()]
IMPLAUSIBLE = [
    "9999-12-31",
    "0001-01-01",
    "0999-12-31",
    "1899-12-31",
    (LAST_PLAUSIBLE + timedelta(days=1)).isoformat(),
    "31 December 9999",
]


def _dated_file(kind: str, folder: Path) -> Path:
    """Two plausible dates, then the implausible ones, one row (or feature) each."""
    dates = [*PLAUSIBLE, *IMPLAUSIBLE]
    if kind == "acled":
        return write(
            folder / "dates.csv",
            [line_of(acled_row(f"KAZD{n}", event_date=d)) for n, d in enumerate(dates)],
        )
    if kind == "csv":
        path = folder / "dates.csv"
        rows = [f"D{n},43.2567,76.9286,{d}\n" for n, d in enumerate(dates)]
        path.write_text("id,latitude,longitude,date\n" + "".join(rows), encoding="utf-8")
        return path
    features = [
        {
            "type": "Feature",
            "id": f"D{n}",
            "geometry": {"type": "Point", "coordinates": [76.9286, 43.2567]},
            "properties": {"date": d},
        }
        for n, d in enumerate(dates)
    ]
    path = folder / "dates.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


@pytest.mark.parametrize("kind", ["acled", "csv", "geojson"])
def test_dates_outside_the_plausible_span_are_rejected_with_line_and_reason(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _dated_file(kind, tmp_path)
    store_file, rejects = tmp_path / "s.duckdb", tmp_path / "rejects.csv"
    args = ["import", kind, str(path), "--store", str(store_file), "--rejects", str(rejects)]
    if kind != "acled":
        args += ["--map", "date=date"]
    assert cli.main([*args, "--quiet"]) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1] == (
        f"loaded {len(PLAUSIBLE)}, rejected {len(IMPLAUSIBLE)}"
    )
    with rejects.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    first = len(PLAUSIBLE) + (1 if kind == "geojson" else 2)  # features count from 1
    assert [int(r["line"]) for r in rows] == list(range(first, first + len(IMPLAUSIBLE)))
    for row in rows:
        assert row["reason"].startswith("event_date: "), row
        assert "outside the plausible span 1900-01-01 to" in row["reason"], row
    store = DuckStore(store_file)
    imported = store.table().query("origin != 'bundle'")
    assert sorted(imported["event_date"]) == PLAUSIBLE
    store.close()


def test_the_shared_database_takes_no_implausible_date_either(store: Store, tmp_path: Path) -> None:
    result = import_acled(_dated_file("acled", tmp_path), store)
    assert result.loaded == len(PLAUSIBLE)
    assert all("plausible span" in r.reason for r in result.rejects)
    assert sorted(store.table()["event_date"]) == PLAUSIBLE


# ---- GeoJSON nested past any real file ----

DEEP_ARRAYS = "[" * 1000 + "]" * 1000
DEEP_OBJECTS = '{"a":' * 50_000 + "1" + "}" * 50_000
DEEP_FEATURE = (
    '{"type":"FeatureCollection","features":[{"type":"Feature","geometry":'
    '{"type":"Point","coordinates":[76.9,43.2]},"properties":{"title":'
    + "[" * 5000
    + "]" * 5000
    + "}}]}"
)


@pytest.mark.parametrize("kind", ["geojson", "aiddata"])
@pytest.mark.parametrize("text", [DEEP_ARRAYS, DEEP_OBJECTS, DEEP_FEATURE], ids=["a", "o", "f"])
def test_deeply_nested_geojson_exits_2_with_one_sentence(
    kind: str, text: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "deep.geojson"
    path.write_text(text, encoding="utf-8")
    store_file = tmp_path / "s.duckdb"
    assert cli.main(["import", kind, str(path), "--store", str(store_file), "--quiet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"geo import: {path} is nested too deeply to be read as GeoJSON."]


def test_a_feature_holding_a_deeply_nested_value_is_rejected_alone() -> None:
    deep: list[object] = []
    for _ in range(100_000):  # built in Python: no JSON reader would give this back
        deep = [deep]
    point = {"type": "Point", "coordinates": [76.9286, 43.2567]}
    features: list[object] = [
        {"type": "Feature", "geometry": point, "properties": {"title": "fine"}},
        {"type": "Feature", "geometry": point, "properties": {"title": deep}},
        {"type": "Feature", "geometry": point, "properties": {"title": "fine too"}},
    ]
    rejects: list[Reject] = []
    records = list(geojson_records(features, rejects))
    assert [r.line for r in records] == [1, 3]
    assert rejects == [Reject(2, "value nested too deeply to read")]


# ---- carriage returns: classic-Mac line endings, and a stray CR ----

MAC_HEADER = "event_id_cnty,event_date,iso,latitude,longitude,event_type,timestamp"


def _mac_line(event_id: str, event_type: str = "Protests") -> str:
    return f"{event_id},2021-03-27,398,43.25,76.91,{event_type},1"


def _import_bytes(kind: str, content: bytes, tmp_path: Path) -> tuple[list[str], list[Reject]]:
    path = tmp_path / "cr.csv"
    path.write_bytes(content)
    store = DuckStore()
    try:
        if kind == "acled":
            result = import_acled(path, store)
        else:
            result = import_csv(path, store, parse_mapping("id=event_id_cnty,date=event_date"))
        return sorted(store.table()["event_id"]), result.rejects
    finally:
        store.close()


@pytest.mark.parametrize("kind", ["acled", "csv"])
def test_classic_mac_line_endings_are_read(kind: str, tmp_path: Path) -> None:
    lines = [MAC_HEADER, _mac_line("M1"), "M2,not a date,398,43.25,76.91,Protests,1"]
    lines += [_mac_line("M3")]
    ids, rejects = _import_bytes(kind, ("\r".join(lines) + "\r").encode(), tmp_path)
    assert ids == ["M1", "M3"]
    assert [r.line for r in rejects] == [3]


@pytest.mark.parametrize("kind", ["acled", "csv"])
def test_a_header_ending_in_a_bare_cr_is_read(kind: str, tmp_path: Path) -> None:
    content = MAC_HEADER + "\r" + _mac_line("M1") + "\n" + _mac_line("M2") + "\r\n"
    ids, rejects = _import_bytes(kind, content.encode(), tmp_path)
    assert (ids, rejects) == (["M1", "M2"], [])


@pytest.mark.parametrize("kind", ["acled", "csv"])
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_a_bare_cr_inside_a_line_costs_that_line_only(
    kind: str, newline: str, tmp_path: Path
) -> None:
    lines = [
        MAC_HEADER,  # 1
        _mac_line("M1"),  # 2
        _mac_line("M2", "Pro\rtests"),  # 3: the CR splits a field
        _mac_line("M3"),  # 4
        _mac_line("M4") + "\r" + _mac_line("M5"),  # 5: a CR where a line break belonged
        _mac_line("M6"),  # 6
    ]
    ids, rejects = _import_bytes(kind, (newline.join(lines) + newline).encode(), tmp_path)
    assert ids == ["M1", "M3", "M4", "M5", "M6"]
    assert [r.line for r in rejects] == [3]
    assert "carriage return" in rejects[0].reason


def test_the_import_page_previews_a_classic_mac_csv() -> None:
    preview = preview_csv(b"Lat,Long,Name\r43.8,87.6,A\r43.9,87.7,B\r")
    assert preview.header == ["Lat", "Long", "Name"]
    assert preview.rows == [["43.8", "87.6", "A"], ["43.9", "87.7", "B"]]


@pytest.mark.parametrize("block", [1, 2, 3, 5, 64])
def test_line_ends_are_found_across_read_blocks(
    block: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(base, "_BLOCK", block)
    lines = list(base._any_lines(io.BytesIO(b"ab\r\ncd\ref\n\rgh")))
    assert lines == [b"ab\r\n", b"cd\r", b"ef\n", b"\r", b"gh"]


def test_acled_admin1_spellings_become_the_region_names_the_atlas_shows(
    store: Store, tmp_path: Path
) -> None:
    from geo import render

    # (id, ACLED's admin1, iso, lat, lon, the name the atlas shows)
    rows = [
        ("KAZ21", "Mangistau", "398", "43.34", "52.86", "Mangystau Region"),  # Zhanaozen
        ("KAZ22", "Almaty Oblast", "398", "45.0156", "78.3739", "Almaty Region"),  # Taldykorgan
        ("KAZ23", "Karagandy", "398", "49.806", "73.085", "Karaganda Region"),
        ("KAZ24", "Almaty", "398", "43.2567", "76.9286", "Almaty (city)"),  # in the city
        ("KAZ25", "Zhetysu", "398", "45.0156", "78.3739", "Zhetysu"),  # not a region here
        ("KGZ21", "Osh Oblast", "417", "40.77", "73.30", "Osh Region"),  # Uzgen
        ("KGZ22", "Chuy", "417", "42.84", "75.30", "Chuy Region"),  # Tokmok
    ]
    path = write(
        tmp_path / "admin1.csv",
        [
            line_of(acled_row(i, admin1=a, iso=iso, latitude=lat, longitude=lon, location="X"))
            for i, a, iso, lat, lon, _ in rows
        ],
    )
    assert import_acled(path, store).loaded == len(rows)
    table = store.table().set_index("event_id")
    for event_id, original, _, _, _, shown in rows:
        row = table.loc[event_id]
        assert row["admin1"] == shown, event_id
        record = {**row.to_dict(), "event_id": event_id}
        assert render.place_words(record).startswith(f"X, {shown}, "), event_id
        if shown != original:  # the file's own name is kept with the row
            assert row["notes"].endswith(f" | admin1 as imported: {original}"), row["notes"]
        else:
            assert "admin1 as imported" not in row["notes"]
    # A row with no place name is titled by its region, under the name the atlas shows.
    unnamed = write(
        tmp_path / "unnamed.csv",
        [
            line_of(
                acled_row(
                    "KAZ26", admin1="Mangistau", location="", latitude="43.34", longitude="52.86"
                )
            )
        ],
    )
    assert import_acled(unnamed, store).loaded == 1
    assert store.table().set_index("event_id").loc["KAZ26", "title"] == (
        "Peaceful protest in Mangystau Region"
    )
    # The region filter and the search find them under any name of the region.
    assert store.count_events(ViewState("2021-01", "2021-12", regions=("Mangghystau",))) == 2
    assert table.loc["KAZ21", "region"] == "Mangghystau"
