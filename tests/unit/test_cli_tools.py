"""`geo bench` and `geo loadtest` run the development tools (package atlas_tools, outside the
product wheel): without them the command says so on one line, with what to run."""

from __future__ import annotations

import sys
from importlib.abc import MetaPathFinder

import pytest

from geo import cli


class _NotInstalled(MetaPathFinder):
    """Finds no ``atlas_tools``, as where the development tools are not installed."""

    def find_spec(self, name: str, path: object, target: object = None) -> None:
        if name.split(".")[0] == "atlas_tools":
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


@pytest.fixture
def without_tools(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [m for m in sys.modules if m.split(".")[0] == "atlas_tools"]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setattr(sys, "meta_path", [_NotInstalled(), *sys.meta_path])


@pytest.mark.parametrize(
    "argv",
    [
        ["bench", "--sizes", "10", "--no-browser"],
        ["bench", "--engines", "duckdb", "--sizes", "10"],
        ["loadtest", "--sessions", "1"],
    ],
)
def test_without_the_tools_the_command_says_to_set_them_up(
    argv: list[str], without_tools: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    (line,) = captured.err.splitlines()
    assert line.startswith(f"geo {argv[0]}: ")
    assert "make setup-dev" in line


def test_the_product_package_holds_no_tool() -> None:
    import geo

    for name in ("bench", "bench_engines", "loadtest", "localserver", "pgserver"):
        with pytest.raises(ModuleNotFoundError):
            __import__(f"geo.{name}")
    assert not hasattr(geo, "bench")


def test_the_tools_find_the_checkout() -> None:
    from atlas_tools import REPO, bench, localserver

    assert (REPO / "app.py").is_file()
    assert (REPO / ".streamlit" / "config.toml").is_file()
    assert bench.REPO == localserver.REPO == REPO


def test_first_visit_report_compares_medians_with_the_floor_against_the_targets() -> None:
    from atlas_tools.firstvisit import Visits, report, table

    atlas = Visits("atlas", cold=[6.0, 9.0, 7.0], warm=[2.4, 2.6, 3.5, 2.5])
    floor = Visits("floor", cold=[4.0, 3.0, 3.5], warm=[2.0, 2.0, 2.1, 1.9])
    found = report(atlas, floor)
    # Medians: atlas cold 7.0 / floor 3.5 = 2.0 (met), warm 2.55 / 2.0 = 1.27 (met).
    assert found["cold_ratio"] == 2.0 and found["cold_met"]
    assert found["warm_ratio"] == 1.27 and found["warm_met"]
    slower = report(Visits("atlas", cold=[8.0], warm=[2.8]), floor)
    assert not slower["cold_met"] and not slower["warm_met"]
    text = table(slower)
    assert "| cold (median of 1) | 8.00 s | 3.50 s | 2.29× | ≤ 2.0× MISSED |" in text
    assert "| warm (median of 1) | 2.80 s | 2.00 s | 1.4× | ≤ 1.3× MISSED |" in text
