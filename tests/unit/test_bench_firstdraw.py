"""`geo bench --first-draw`: its views are distinct, and its report compares the naive first
draws with the atlas's."""

from __future__ import annotations

import pytest


def test_first_draw_report_compares_the_naive_draws_with_the_atlas() -> None:
    from atlas_tools.bench_firstdraw import Run, table, views

    assert len(set(views(60))) == 60
    with pytest.raises(ValueError, match="at most"):
        views(10_000)
    naive = Run("naive", "bundled", [0.09, 0.08, 0.07, 0.08])
    atlas = Run("atlas", "bundled", [0.06, 0.01, 0.02, 0.01])
    text = table([(naive, atlas, 4)])
    assert "| bundled | naive | 4 | 0.320 s | 80.0 ms | 80.0 ms | 90.0 ms | 4/4 |" in text
    assert "| bundled | atlas | 4 | 0.100 s | 25.0 ms | 15.0 ms | 60.0 ms | 4/4 |" in text
    assert "- bundled: naive/atlas 3.2× CPU (55 ms less per new view)" in text
