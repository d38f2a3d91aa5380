"""Short runs of ``geo loadtest``, so the load command cannot rot: 5 browser sessions × 3
filter changes and a marker click each, and 4 protocol sessions × 3 changes and a selection
(and 2 whose map reports where it is drawn); every session completes without an error."""

from __future__ import annotations

import pytest

from atlas_tools import loadtest, protocol_load
from tests.e2e.conftest import Server


def test_five_concurrent_sessions_complete_without_errors() -> None:
    report = loadtest.run(sessions=5, changes=3, timeout_s=120, settle_s=2)
    summary = report.summary()
    assert report.errors == [], report.errors
    assert len(report.first_render_s) == 5
    assert len(report.rerun_s) == 15
    assert len(report.click_s) == 5
    assert summary["rss_peak_mb"] >= summary["rss_before_mb"] > 0


def test_protocol_sessions_open_the_link_change_months_and_select_without_errors(
    server: Server,
) -> None:
    """Each session's map reports where it is drawn, as a browser's does, and its first
    render lasts until the filters and the charts are on the page (the client checks that
    they came: an error otherwise)."""
    figures = loadtest.run_protocol(sessions=4, changes=3, url=f"{server.url}/", timeout_s=120)
    assert figures["errors"] == 0, figures["error_messages"]
    assert figures["reruns"] == 12 and figures["sessions"] == 4
    assert figures["first_render_p95_s"] is not None and figures["select_p95_s"] is not None
    # A server it did not start: what its readers saw, and nothing made up about its memory.
    assert figures["url"] == f"{server.url}/" and figures["processes"] is None
    assert figures["server_rss_peak_mb"] is None and figures["server_cpu_s"] is None


def test_a_protocol_session_notices_a_view_the_server_did_not_take_up(server: Server) -> None:
    """The client checks what the server sends: selecting an id the data lacks leaves the
    link without it, and that is an error, not a measurement."""

    async def visit() -> None:
        session = protocol_load.ProtocolSession(
            protocol_load.stream_url(f"{server.url}/"), loadtest.DEFAULT_LINK, 60
        )
        try:
            await session.open()
            await session.change_months()
            assert "to=2020-11" in session.query_string
            with pytest.raises(protocol_load.SessionError, match="sel="):
                await session.select("NO-SUCH-ITEM")
        finally:
            await session.close()

    # On a loop of its own thread: Playwright's sync API may hold this one's loop.
    loadtest.in_own_thread(visit())
