"""The house's rules, read from the source's import statements: pages import only the UI
package, renderers never the store, and no layer imports one above it.

Layers, bottom up (a module may import its own layer and those below):

- domain: the vocabulary and pure helpers (model, view, validation, safe text, ...);
- data: the bundled files (bundle, gazetteer, the sources' texts);
- store: the two engines and their SQL;
- writers: importers and ingestion, which write through the store;
- query: the only reader of the store for what a view shows;
- renderers: what turns a view's result into words, maps, charts and files;
- interfaces: the Streamlit UI and the ``geo`` command;
- pages: ``pages/*.py`` and ``app.py``, which import ``geo.ui`` and nothing else of geo.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "src" / "geo"

LAYERS: dict[str, tuple[str, ...]] = {
    "domain": (
        "model",
        "safe_html",
        "figures",
        "cells",
        "settings",
        "picks",
        "view",
        "viewport",
        "playback",
        "validate",
        "regions",
        "provenance",
        "assets",
        "funding",
        "sharedcache",
    ),
    "data": ("bundle", "gazetteer", "placenames", "sources"),
    "store": ("store",),
    "writers": ("importers", "ingest"),
    "query": ("query",),
    "renderers": ("render", "brief", "maps", "charts", "printed", "scale", "footprints", "export"),
    "interfaces": ("ui", "cli", "cli_data", "cli_db", "cli_export", "cli_ingest", "cli_tools"),
}
ORDER = list(LAYERS)
RENDERERS = LAYERS["renderers"]
# The UI modules that may reach the store itself: the shared-database notices, the Import
# page (it writes), and the navigation (it catches the store's error).
UI_STORE_USERS = {"geo.ui.database", "geo.ui.imports", "geo.ui.navigation"}


def unit_of(module: str) -> str:
    """``geo.store.pg`` -> ``store``; ``geo.ui.state`` -> ``ui``; ``geo`` -> ``""``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def layer_of(module: str) -> str:
    unit = unit_of(module)
    for layer, units in LAYERS.items():
        if unit in units:
            return layer
    raise AssertionError(f"{module} is in no layer: add it to LAYERS in {__file__}")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported(path: Path) -> set[str]:
    """The geo modules a file imports, anywhere in it (functions included); ``from geo
    import x`` counts as importing ``geo.x``."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name == "geo" or a.name.startswith("geo.")}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "geo":
                found |= {f"geo.{a.name}" for a in node.names}
            elif node.module.startswith("geo."):
                found.add(node.module)
    return found


def package_imports() -> dict[str, set[str]]:
    return {module_name(p): imported(p) for p in sorted(PACKAGE.rglob("*.py"))}


def violations(graph: dict[str, set[str]]) -> list[str]:
    """Every import that breaks a rule, as 'importer -> imported: rule'."""
    found = []
    for module, targets in sorted(graph.items()):
        if module == "geo":
            continue
        own = ORDER.index(layer_of(module))
        for target in sorted(targets):
            if target == "geo" or unit_of(target) == unit_of(module):
                continue
            theirs = ORDER.index(layer_of(target))
            if theirs > own:
                found.append(f"{module} -> {target}: imports the {ORDER[theirs]} layer upward")
            if unit_of(target) == "store":
                if unit_of(module) in RENDERERS:
                    found.append(f"{module} -> {target}: a renderer asks the store")
                if unit_of(module) == "ui" and module not in UI_STORE_USERS:
                    found.append(f"{module} -> {target}: a UI piece asks the store")
    return found


def test_the_package_keeps_its_layers() -> None:
    assert violations(package_imports()) == []


@pytest.mark.parametrize("script", [*sorted((REPO / "pages").glob("*.py")), REPO / "app.py"])
def test_pages_import_the_ui_package_and_nothing_else_of_geo(script: Path) -> None:
    assert imported(script) <= {"geo.ui"}, script.name


def test_pages_only_lay_out() -> None:
    """A page is a screen of layout: short, no SQL, no URL parsing, no store."""
    for script in sorted((REPO / "pages").glob("*.py")):
        text = script.read_text(encoding="utf-8")
        assert len(text.splitlines()) <= 60, script.name
        for word in ("query_params", "SELECT ", "store_for", "session_state"):
            assert word not in text, f"{script.name} uses {word}"


@pytest.mark.parametrize(
    ("module", "targets", "rule"),
    [
        ("geo.maps", {"geo.store"}, "a renderer asks the store"),
        ("geo.export", {"geo.store.duck"}, "a renderer asks the store"),
        ("geo.model", {"geo.query"}, "imports the query layer upward"),
        ("geo.store.sql", {"geo.ui.state"}, "imports the interfaces layer upward"),
        ("geo.ui.panels", {"geo.store"}, "a UI piece asks the store"),
    ],
)
def test_the_rules_catch_what_they_forbid(module: str, targets: set[str], rule: str) -> None:
    found = violations({module: targets})
    assert len(found) == 1 and found[0].endswith(rule)


def test_a_function_level_import_counts(tmp_path: Path) -> None:
    script = tmp_path / "page.py"
    script.write_text("def f():\n    from geo.store import store_for\n", encoding="utf-8")
    assert imported(script) == {"geo.store"}
