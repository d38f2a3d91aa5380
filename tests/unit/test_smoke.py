"""The bundled data loads whole: every event and site of the fact table, no row rejected."""

from pathlib import Path

from geo.bundle import load_bundle

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"


def test_bundled_data_loads_every_row() -> None:
    bundle = load_bundle(corpus_dir=CORPUS)
    assert len(bundle.events) == 69
    assert len(bundle.sites) == 20
    assert bundle.errors == []
