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
