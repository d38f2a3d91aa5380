"""A small run of `geo bench --engines duckdb,postgis`, so the engine comparison cannot rot:
both engines import the same rows, answer every query kind, and the table prints them side
by side."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from geo import bench_engines, cli


def test_a_small_run_compares_both_engines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "engines.json"
    args = ["bench", "--engines", "duckdb,postgis", "--sizes", "500"]
    code = cli.main([*args, "--work-dir", str(tmp_path), "--json", str(out)])
    assert code == 0
    records = json.loads(out.read_text())
    assert [(r["engine"], r["size"]) for r in records] == [("duckdb", 500), ("postgis", 500)]
    for record in records:
        assert record["import_s"] > 0
        assert set(record["queries"]) == set(bench_engines.QUERIES)
    table = capsys.readouterr().out
    assert "| size | measure | duckdb | postgis |" in table
    assert "| 500 | cells p50 / p95 |" in table
    assert cli.main(["bench", "--engines", "duckdb,oracle", "--sizes", "10"]) == 2
