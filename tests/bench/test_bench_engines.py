"""A small run of `geo bench --engines duckdb,postgis,postgis-events`, so the engine
comparison cannot rot: the engines import the same rows, answer every query kind, rerun the
map page, and the table prints them side by side."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from atlas_tools import bench_engines
from geo import cli


def test_a_small_run_compares_both_engines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "engines.json"
    args = ["bench", "--engines", "duckdb,postgis,postgis-events", "--sizes", "500"]
    code = cli.main([*args, "--work-dir", str(tmp_path), "--json", str(out)])
    assert code == 0
    records = json.loads(out.read_text())
    assert [(r["engine"], r["size"]) for r in records] == [
        ("duckdb", 500),
        ("postgis", 500),
        ("postgis-events", 500),
    ]
    imports = [r["import_s"] for r in records]
    assert imports[0] > 0 and imports[1] > 0
    assert imports[2] is None  # the events baseline reads the postgis run's database
    for record in records:
        assert set(record["queries"]) == set(bench_engines.QUERIES)
        assert 0 < record["rerun_s"] < 60
    table = capsys.readouterr().out
    assert "| size | measure | duckdb | postgis | postgis-events |" in table
    assert "| 500 | import |" in table and "(same database)" in table
    assert "| 500 | cells p50 / p95 |" in table
    assert "| 500 | page rerun |" in table
    assert cli.main(["bench", "--engines", "duckdb,oracle", "--sizes", "10"]) == 2
