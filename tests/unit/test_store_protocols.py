"""The store's interfaces: both engines have every method the protocols name, callable the
same way, and nothing in the app imports an engine's module directly (it goes through
:mod:`geo.store` and :mod:`geo.store.shared`)."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

import geo
from geo.store import DuckStore, Store, StoreReader, StoreWriter
from geo.store.base import ImportBatch
from geo.store.pg import PgStore
from geo.store.shared import SharedDatabase

SOURCE = Path(geo.__file__).parent
ROOT = SOURCE.parent.parent
ENGINE_MODULES = ("geo.store.pg", "geo.store.duck")


def members(protocol: type) -> set[str]:
    """The public attributes a protocol names, its bases' included."""
    found: set[str] = set()
    for klass in protocol.__mro__:
        if klass is object or not getattr(klass, "_is_protocol", False):
            continue
        found |= {name for name in vars(klass) if not name.startswith("_")}
    return found


def incompatibility(protocol: type, engine: type, name: str) -> str | None:
    """Why ``engine.name`` cannot stand in for ``protocol.name``; None when it can: a
    property for a property, and a method taking every argument the protocol's takes, by the
    same name, kind and annotation, with a default wherever the protocol has one (and any
    extra parameter optional)."""
    wanted = inspect.getattr_static(protocol, name)
    found = inspect.getattr_static(engine, name, None)
    if found is None:
        return "missing"
    if isinstance(wanted, property):
        return None if isinstance(found, property) else "not a property"
    if isinstance(found, property) or not callable(getattr(engine, name)):
        return "not a method"
    theirs = inspect.signature(getattr(engine, name)).parameters
    for param in inspect.signature(getattr(protocol, name)).parameters.values():
        other = theirs.get(param.name)
        if other is None:
            return f"no parameter {param.name}"
        if other.kind != param.kind:
            return f"{param.name} is {other.kind.description}, not {param.kind.description}"
        if other.annotation != param.annotation:
            return f"{param.name} is {other.annotation}, not {param.annotation}"
        if param.default is not param.empty and other.default != param.default:
            return f"{param.name} defaults to {other.default!r}, not {param.default!r}"
    extra = [
        p.name
        for p in theirs.values()
        if p.name not in inspect.signature(getattr(protocol, name)).parameters
        and p.default is p.empty
        and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]
    return f"required parameter(s) {', '.join(extra)} the protocol lacks" if extra else None


def test_the_protocols_split_the_store_into_reads_and_writes() -> None:
    reads, writes = members(StoreReader), members(StoreWriter)
    assert not reads & writes
    assert members(Store) == reads | writes
    assert {"events", "monthly_counts", "cell_counts", "site_details", "imports"} <= reads
    assert {"importing", "merge_sites", "load_bundle", "sync_bundle", "bundle_ids"} <= writes
    assert members(SharedDatabase) - members(Store) == {
        "curated_version",
        "curated_bundle",
        "can_write",
        "publish_bundle",
    }


@pytest.mark.parametrize(
    ("protocol", "engine"),
    [
        (StoreReader, DuckStore),
        (StoreWriter, DuckStore),
        (StoreReader, PgStore),
        (StoreWriter, PgStore),
        (SharedDatabase, PgStore),
    ],
    ids=lambda c: c.__name__,
)
def test_each_engine_has_what_the_protocols_name(protocol: type, engine: type) -> None:
    faults = {
        name: why
        for name in sorted(members(protocol))
        if (why := incompatibility(protocol, engine, name)) is not None
    }
    assert not faults, f"{engine.__name__} as {protocol.__name__}: {faults}"


def test_each_engines_import_batch_has_what_the_protocol_names() -> None:
    from geo.store.duck import _DuckBatch
    from geo.store.pg import _PgBatch

    for batch in (_DuckBatch, _PgBatch):
        faults = {n: incompatibility(ImportBatch, batch, n) for n in members(ImportBatch)}
        assert not any(faults.values()), f"{batch.__name__}: {faults}"


def imported_modules(path: Path) -> set[str]:
    """The modules a file imports (``from geo.store import pg`` counts as ``geo.store.pg``),
    at its top or inside functions."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def test_no_module_outside_the_store_imports_an_engine() -> None:
    files = [
        *(p for p in SOURCE.rglob("*.py") if (SOURCE / "store") not in p.parents),
        *(ROOT / "pages").glob("*.py"),
        ROOT / "app.py",
    ]
    assert len(files) > 30
    offenders = {
        str(path.relative_to(ROOT)): sorted(
            m for m in imported_modules(path) if m.startswith(ENGINE_MODULES)
        )
        for path in files
        if path.is_file()
    }
    assert not {k: v for k, v in offenders.items() if v}


def test_the_import_check_sees_every_way_of_importing_an_engine(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import geo.store.duck\n"
        "from geo.store import pg\n"
        "def f():\n"
        "    from geo.store.pg import PgStore\n",
        encoding="utf-8",
    )
    found = {m for m in imported_modules(sample) if m.startswith(ENGINE_MODULES)}
    assert found == {"geo.store.duck", "geo.store.pg", "geo.store.pg.PgStore"}
