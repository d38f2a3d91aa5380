"""A published atlas, read-only for visitors, against requests forged at the protocol level.

The Ingest and Import pages are not in a visitor's navigation, but a visitor can still speak
Streamlit's WebSocket protocol by hand: ask for a run of a hidden page by its name or its
script hash, upload bytes to the upload endpoint, and send widget states the page never drew.
None of it may run a page that writes, or write anything.
"""

from __future__ import annotations

import asyncio
import shutil
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from streamlit.util import calc_hash

from atlas_tools import loadtest, protocol_load
from tests.e2e.conftest import Server

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Path]]:
    """The atlas published at a public address without sign-in, on a copy of the data, its
    store, article store and review queue in a folder of their own."""
    folder = tmp_path_factory.mktemp("published")
    shutil.copytree(REPO / "data", folder / "data")
    server = Server(
        env={
            "GEO_PUBLIC_URL": "https://atlas.example.org/",
            "GEO_DATA_DIR": str(folder / "data"),
            "GEO_STORE": str(folder / "atlas.duckdb"),
            "GEO_STORE_DIR": str(folder / "articles"),
            "GEO_QUEUE": str(folder / "queue.jsonl"),
        }
    )
    try:
        yield server, folder
    finally:
        server.close()


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


async def _forged_run(
    url: str, page: str, how: str = "name", upload: bytes | None = None
) -> dict[str, object]:
    """Ask for a run of ``page`` by its name or its script hash (``how``; "": the default
    page), optionally after putting
    ``upload`` to the upload endpoint and claiming it in a file uploader's widget state;
    what the run sent."""
    session = protocol_load.ProtocolSession(protocol_load.stream_url(url), "", 60)
    await session.connect()
    ws = session._ws
    try:
        message = BackMsg()
        message.rerun_script.SetInParent()
        if page and how == "name":
            message.rerun_script.page_name = page
        elif page:
            # The hash Streamlit gives a page: that of its address.
            message.rerun_script.page_script_hash = calc_hash(page)
        claimed = "$$ID-forged-uploader"
        if upload is not None:
            state = WidgetState(id=claimed)
            state.file_uploader_state_value.uploaded_file_info.add(
                file_id="forged", name="acled.csv", size=len(upload)
            )
            message.rerun_script.widget_states.widgets.append(state)
        seen: dict[str, object] = {"elements": [], "session_id": None, "upload": None}
        await ws.send(message.SerializeToString())
        while True:
            forward = ForwardMsg()
            forward.ParseFromString(await asyncio.wait_for(ws.recv(), 60))
            kind = forward.WhichOneof("type")
            if kind == "new_session":
                seen["session_id"] = forward.new_session.initialize.session_id
                if upload is not None:
                    seen["upload"] = _put(url, str(seen["session_id"]), upload)
            elif kind == "delta" and forward.delta.WhichOneof("type") == "new_element":
                element = forward.delta.new_element
                name = element.WhichOneof("type")
                proto = getattr(element, name)
                shown = getattr(proto, "component_name", "") or getattr(proto, "body", "")
                seen["elements"].append((name, str(shown)[:400]))  # type: ignore[union-attr]
            elif kind == "script_finished":
                return seen
    finally:
        await session.close()


def _put(url: str, session_id: str, body: bytes) -> int:
    """PUT ``body`` as a file to the session's upload endpoint, with the XSRF cookie and
    header a browser of this session would send; the status."""
    health = f"{url.rstrip('/')}/_stcore/health"  # where the page gets its XSRF cookie
    with urllib.request.urlopen(health, timeout=30) as response:
        cookies = response.headers.get_all("Set-Cookie") or []
    xsrf = next((c.split(";")[0].split("=", 1)[1] for c in cookies if "_xsrf" in c), "")
    boundary = uuid.uuid4().hex
    payload = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="acled.csv"'
        f"\r\nContent-Type: text/csv\r\n\r\n".encode()
        + body
        + f"\r\n--{boundary}--\r\n".encode()
    )
    request = urllib.request.Request(
        f"{url.rstrip('/')}/_stcore/upload_file/{session_id}/forged",
        data=payload,
        method="PUT",
        headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "X-Xsrftoken": xsrf,
            "Cookie": f"_streamlit_xsrf={xsrf}",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as refused:
        return int(refused.code)


ACLED_ROW = (
    b"event_id_cnty,event_date,iso,latitude,longitude,event_type,timestamp\n"
    b"KAZ9999,2020-01-01,398,43.25,76.91,Protests,1\n"
)


@pytest.mark.parametrize("how", ["name", "hash"])
@pytest.mark.parametrize("hidden", ["import", "ingest"])
def test_a_forged_run_of_a_hidden_page_runs_the_map_and_writes_nothing(
    published: tuple[Server, Path], hidden: str, how: str
) -> None:
    server, folder = published
    # A visit first: the map page builds the store from the data folder on its first run.
    loadtest.in_own_thread(_forged_run(f"{server.url}/", ""))
    before = _files(folder)
    seen = loadtest.in_own_thread(_forged_run(f"{server.url}/", hidden, how, upload=ACLED_ROW))
    kinds = [name for name, _ in seen["elements"]]  # type: ignore[attr-defined]
    # The map page ran in its place: its map, and no uploader, no page that writes.
    assert ("component_instance", protocol_load.MAP_COMPONENT) in seen["elements"]
    assert "file_uploader" not in kinds
    assert not any("Import" in shown or "Ingest" in shown for _, shown in seen["elements"])
    # Streamlit takes a session's upload whatever page it is on; nothing read it.
    assert seen["upload"] in (200, 204), seen["upload"]
    # Not a byte changed: the data, the store, the article store and the review queue.
    assert _files(folder) == before
