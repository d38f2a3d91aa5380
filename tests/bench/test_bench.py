"""A small run of `geo bench` (10k events, atlas only, no browser), so the benchmark cannot
rot: the dataset is deterministic and clustered on real towns, the records are complete
where measured, the JSON has the agreed fields, and the table prints."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from atlas_tools import bench, workload
from geo import cli
from geo.store import DuckStore


def test_the_synthetic_export_is_deterministic_and_on_towns(tmp_path: Path) -> None:
    one = workload.synthetic_acled(500, tmp_path / "a.csv")
    two = workload.synthetic_acled(500, tmp_path / "b.csv")
    assert one.read_bytes() == two.read_bytes()
    frame = pd.read_csv(one, dtype=str, keep_default_na=False)
    assert list(frame.columns) == workload.COLUMNS
    assert set(frame["iso"]) <= {"398", "417", "156"}
    assert frame["event_id_cnty"].is_unique
    towns = set(workload.towns()["name"])
    assert set(frame["location"]) <= towns


def test_a_small_run_measures_the_atlas(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    code = cli.main(
        [
            "bench",
            "--sizes",
            "10000",
            "--no-naive",
            "--no-browser",
            "--work-dir",
            str(tmp_path),
            "--json",
            str(out),
        ]
    )
    assert code == 0
    (record,) = json.loads(out.read_text())
    assert set(record) == {
        "approach",
        "size",
        "import_s",
        "query_p50_s",
        "query_p95_s",
        "payload_bytes",
        "rerun_s",
        "map_ready_s",
        "peak_rss_mb",
    }
    assert (record["approach"], record["size"]) == ("atlas", 10000)
    for name in ("import_s", "query_p50_s", "query_p95_s", "rerun_s"):
        assert record[name] > 0
    assert record["query_p95_s"] >= record["query_p50_s"]
    # Hexagons, not 10,000 markers: well under the naive map's ~10 MB.
    assert 1000 < record["payload_bytes"] < 1_500_000
    assert record["map_ready_s"] is None and record["peak_rss_mb"] is None


def test_both_maps_draw_in_chromium(tmp_path: Path) -> None:
    """The naive map is a fair opponent only if it draws: at a small size both maps must
    reach the browser's "drawn" state, or the comparison is measuring a broken page."""
    records = bench.run([400], work_dir=tmp_path, rerun=False, log=lambda _: None)
    assert [r.approach for r in records] == ["atlas", "naive"]
    for record in records:
        assert record.map_ready_s is not None and 0 < record.map_ready_s < 60, record
        assert record.peak_rss_mb is not None and record.peak_rss_mb > 50
    naive = records[1]
    assert naive.payload_bytes is not None and naive.payload_bytes > 400 * 1000


def test_the_table_shows_ratios() -> None:
    records = [
        bench.Record("atlas", 10, payload_bytes=100, rerun_s=0.5),
        bench.Record("naive", 10, payload_bytes=1000, rerun_s=5.0),
    ]
    text = bench.table(records)
    assert "| atlas | 10 |" in text and "payload_bytes 10.0×" in text
    # A naive map that was tried in the browser but never drawn gives a lower bound.
    records += [
        bench.Record("atlas", 100, map_ready_s=1.5),
        bench.Record("naive", 100, rerun_s=70.0, peak_rss_mb=2000.0),
    ]
    text = bench.table(records, naive_limit_s=120.0)
    assert "- 100: naive/atlas rerun_s" not in text  # the atlas rerun was not measured
    assert "map_ready_s ≥ 80× (naive not drawn in 120 s)" in text


def test_a_small_import_memory_run_measures_both_ways(tmp_path: Path, capsys) -> None:
    out = tmp_path / "memory.json"
    code = cli.main(
        [
            "bench",
            "--import-memory",
            "--csv-rows",
            "3000",
            "--acled-rows",
            "500",
            "--geojson-rows",
            "400",
            "--aiddata-rows",
            "60",
            "--site-rows",
            "300",
            "--bad-rows",
            "600",
            "--duplicate-rows",
            "300",
            "--no-browser",
            "--work-dir",
            str(tmp_path),
            "--json",
            str(out),
        ]
    )
    assert code == 0
    found = json.loads(out.read_text())
    assert found["upload"] is None
    imports = found["imports"]
    assert [(r["file"], r["rows"], r["approach"]) for r in imports] == [
        ("csv", 3000, "atlas"),
        ("csv", 3000, "naive"),
        ("acled", 500, "atlas"),
        ("acled", 500, "naive"),
        ("geojson", 400, "atlas"),
        ("geojson", 400, "naive"),
        ("aiddata", 60, "atlas"),
        ("aiddata", 60, "naive"),
        ("sites", 300, "atlas"),
        ("sites", 300, "naive"),
        ("acled (all bad)", 600, "atlas"),
        ("acled (all bad)", 600, "whole list"),
        ("csv (duplicates)", 300, "atlas"),
        ("csv (duplicates)", 300, "whole list"),
    ]
    for record in imports:
        # A file of nothing but bad rows loads nothing, which the command says by its status.
        assert record["exit_status"] == (1 if record["file"] == "acled (all bad)" else 0), record
        assert 50 < record["peak_rss_mb"] < 2000, record
    assert "peak RSS naive/atlas" in capsys.readouterr().out
    # Both ways loaded every row.
    for kind, rows in (("csv", 3000), ("acled", 500), ("geojson", 400)):
        for approach in ("atlas", "naive"):
            store = DuckStore(tmp_path / f"{kind}-{approach}.duckdb", read_only=True)
            imported = store.table()["origin"] != "bundle"  # beside the curated events
            assert int(imported.sum()) == rows, (kind, approach)
            store.close()
    for kind, rows, category in (("aiddata", 60, "bri_site"), ("sites", 300, "detention")):
        for approach in ("atlas", "naive"):
            store = DuckStore(tmp_path / f"{kind}-{approach}.duckdb", read_only=True)
            sites = store.table("sites")
            imported = (sites["origin"] != "bundle") & (sites["category"] == category)
            assert int(imported.sum()) == rows, (kind, approach)
            store.close()
