"""GeoJSON, AidData and facility lists are read a piece at a time: the same rows load
through a window of a few dozen characters as through one that holds the whole file, a
broken spot costs what it breaks and no more, and one value past the limit stops the import
with one sentence. (Peak memory itself is measured by ``geo bench --import-memory``.)"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from geo import cli
from geo.bundle import load_bundle
from geo.importers import (
    UnreadableFile,
    generic,
    import_aiddata,
    import_csv_sites,
    import_geojson,
    jsonstream,
    parse_mapping,
)
from geo.model import Category
from geo.store.base import Store
from tests.conftest import EXTERNAL_DIR

V2 = EXTERNAL_DIR / "aiddata-gcdf-kaz-kgz.small.geojson"
ASPI = EXTERNAL_DIR / "aspi-xjdp-detention-facilities-v1.csv"
ASPI_MAP = "lat=Lat,lon=Long,name=Name_Code,id=Number"


@pytest.fixture
def store(new_store: Callable[[], Store]) -> Store:
    s = new_store()
    s.load_bundle(load_bundle())
    return s


def points(count: int) -> dict[str, object]:
    return {
        "type": "FeatureCollection",
        "name": "protests",
        "features": [
            {
                "type": "Feature",
                "id": f"P{i}",
                "geometry": {"type": "Point", "coordinates": [76.9 + i / 1000, 43.2]},
                "properties": {"day": f"2021-03-{10 + i}", "label": f"Rally {i} «Алматы»"},
            }
            for i in range(count)
        ],
    }


def imported_events(store: Store) -> list[tuple[str, str, str]]:
    rows = store.table().query("origin == 'geojson'")
    return sorted(zip(rows["event_id"], rows["event_date"], rows["title"], strict=True))


@pytest.mark.parametrize("indent", [None, 2], ids=["one-line", "pretty"])
def test_a_geojson_reads_the_same_through_a_small_window(
    new_store: Callable[[], Store],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    indent: int | None,
) -> None:
    path = tmp_path / "points.geojson"
    path.write_text(json.dumps(points(12), indent=indent, ensure_ascii=False), encoding="utf-8")
    mapping = parse_mapping("date=day,title=label")
    whole = new_store()
    import_geojson(path, whole, mapping)
    monkeypatch.setattr(jsonstream, "BLOCK_CHARS", 40)  # smaller than any feature
    monkeypatch.setattr(generic, "KEY_SAMPLE", 3)  # the property names of the first 3 decide
    windowed = new_store()
    result = import_geojson(path, windowed, mapping)
    assert (result.loaded, result.rejected) == (12, 0)
    assert imported_events(windowed) == imported_events(whole)
    assert imported_events(windowed)[0] == ("P0", "2021-03-10", "Rally 0 «Алматы»")


def test_one_feature_past_the_limit_stops_the_import_with_one_sentence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data = points(3)
    features = data["features"]
    assert isinstance(features, list)
    features[1]["properties"]["notes"] = "x" * 5000
    path = tmp_path / "big.geojson"
    path.write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.setattr(jsonstream, "BLOCK_CHARS", 256)
    monkeypatch.setattr(jsonstream, "MAX_VALUE_CHARS", 2000)
    store_file = tmp_path / "s.duckdb"
    assert cli.main(["import", "geojson", str(path), "--store", str(store_file), "--quiet"]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(f"geo import: {path}: a value starting at line 1 is larger than ")
    assert line.endswith("split the file, or simplify its geometries")


def test_a_geojson_that_stops_half_way_imports_nothing(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "cut.geojson"
    path.write_text(json.dumps(points(6))[:-150], encoding="utf-8")
    before = store.size()
    with pytest.raises(UnreadableFile, match=r"cannot read .* as GeoJSON"):
        import_geojson(path, store, {})
    assert store.size() == before  # one transaction: the features before the cut are undone


def test_aiddata_features_before_a_broken_one_load_and_the_break_is_named(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A collection written one feature per line, cut inside its fourth feature: the three
    before it load, the fourth is rejected with the line where reading stopped."""
    features = json.loads(V2.read_text(encoding="utf-8"))["features"][:6]
    lines = [json.dumps(f) for f in features]
    lines[3] = lines[3][: len(lines[3]) // 2]
    text = '{"type": "FeatureCollection", "features": [\n' + ",\n".join(lines) + "\n]}\n"
    path = tmp_path / "cut.geojson"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setattr(jsonstream, "BLOCK_CHARS", 1000)
    result = import_aiddata(path, store)
    assert result.loaded == 3
    (reject,) = result.rejects
    assert reject.line == 4 and reject.reason.startswith("json: unreadable at line 5: ")


def test_a_facility_list_staged_in_small_chunks_gives_the_same_sites(
    new_store: Callable[[], Store], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not ASPI.exists():
        pytest.fail(f"the facility list is missing: {ASPI}")
    lines = ASPI.read_text(encoding="utf-8").splitlines()
    path = tmp_path / "facilities.csv"
    # The fourth facility again at the end: a duplicate id in another chunk than its first.
    path.write_text("\n".join([*lines, lines[4]]) + "\n", encoding="utf-8")
    mapping = parse_mapping(ASPI_MAP, sites=True)

    def sites_of(store: Store) -> list[tuple[str, str, float]]:
        rows = store.table("sites").query("category == 'detention'")
        return sorted(zip(rows["site_id"], rows["name"], rows["latitude"], strict=True))

    whole = new_store()
    first = import_csv_sites(path, whole, mapping, category=Category.DETENTION)
    monkeypatch.setattr(generic, "SITE_CHUNK_ROWS", 7)
    chunked = new_store()
    again = import_csv_sites(path, chunked, mapping, category=Category.DETENTION)
    assert first.loaded == again.loaded == 380
    # (On PostGIS both stores are one database: the second import finds the sites there.)
    assert again.counts.new + again.counts.unchanged == 380
    assert again.rejects == first.rejects
    assert [r.line for r in again.rejects] == [len(lines) + 1]
    assert "duplicate" in again.rejects[0].reason
    assert sites_of(chunked) == sites_of(whole)
