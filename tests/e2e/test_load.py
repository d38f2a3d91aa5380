"""A short run of ``geo loadtest`` (5 sessions × 3 filter changes and a marker click each),
so the load command cannot rot: every session completes without an error."""

from __future__ import annotations

from atlas_tools import loadtest


def test_five_concurrent_sessions_complete_without_errors() -> None:
    report = loadtest.run(sessions=5, changes=3, timeout_s=120, settle_s=2)
    summary = report.summary()
    assert report.errors == [], report.errors
    assert len(report.first_render_s) == 5
    assert len(report.rerun_s) == 15
    assert len(report.click_s) == 5
    assert summary["rss_peak_mb"] >= summary["rss_before_mb"] > 0
