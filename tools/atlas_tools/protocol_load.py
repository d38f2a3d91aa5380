"""``geo loadtest --client protocol``: many sessions speaking Streamlit's WebSocket protocol
directly, with no browser, so the numbers are the server's and not those of twenty headless
Chromiums sharing its cores.

Each session connects to ``/_stcore/stream``, asks for a run of the shared link (a
``rerun_script`` BackMsg carrying the link's query string), reports the map's position as the
map component does once drawn, changes the month slider ``changes`` times (the slider's
widget state, as the browser sends it) and selects an item (the map component's click
report), each time until the server's ``script_finished``. First render: connection to the
end of the run the map's first report makes; rerun: request to the end of its run. The
session checks what the server sends: an exception element, a run that does not finish
successfully, a selection the link does not take up, or a lost connection is an error.
The map's drawing in a browser is not measured here (see the browser client). A browser's map
reports where it is drawn once it is, and only then does the page draw its filters, charts
and items table (:mod:`geo.ui.deferred`): each session does the same after its first run, so
its first render lasts until that report's run has finished with the filters and the charts
on the page, and its later reports (a marker click) carry the map's place too. Only loopback
addresses are contacted, and every wait is bounded.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs, urlsplit

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

from geo.view import DEFAULT_CENTER, DEFAULT_ZOOM

MONTHS_LABEL = "Months shown"
MAP_COMPONENT = "streamlit_folium.st_folium"
# Where a map opened on a link without a place is drawn: the base map's opening view.
MAP_DRAWN_AT = {"lat": DEFAULT_CENTER[0], "lng": DEFAULT_CENTER[1]}
MAP_DRAWN_ZOOM = DEFAULT_ZOOM


class SessionError(RuntimeError):
    """What the server sent was not a finished, error-free run."""


@dataclass
class Run:
    """What one script run sent: elements seen, the link the page wrote, any errors."""

    widgets: dict[str, Any] = field(default_factory=dict)  # label or component name -> proto
    kinds: set[str] = field(default_factory=set)  # every kind of element it sent
    query_string: str | None = None
    exceptions: list[str] = field(default_factory=list)


@dataclass
class ProtocolSession:
    """One simulated reader: a WebSocket to the server and the widget states it reports."""

    stream_url: str
    query_string: str
    timeout_s: float = 60.0
    cookie: str | None = None
    states: dict[str, WidgetState] = field(default_factory=dict)
    slider_id: str = ""
    slider_value: list[int] = field(default_factory=list)  # option indices
    slider_options: list[str] = field(default_factory=list)
    map_id: str = ""
    # Where the map is drawn: the link's place, else the base map's opening view.
    map_at: tuple[dict[str, float], float] = (MAP_DRAWN_AT, MAP_DRAWN_ZOOM)
    reconnects: int = 0
    _ws: Any = None

    async def connect(self) -> None:
        import websockets

        headers = {"Cookie": self.cookie} if self.cookie else None
        self._ws = await websockets.connect(
            self.stream_url,
            subprotocols=[websockets.Subprotocol("streamlit")],
            additional_headers=headers,
            max_size=None,
            open_timeout=self.timeout_s,
            # A browser sends no WebSocket pings: a server busy with other sessions' runs
            # must not lose a reader for answering one late.
            ping_interval=None,
        )
        if self.cookie is None:
            # The proxy's routing cookie keeps this reader on one process, as a browser's.
            set_cookie = self._ws.response.headers.get("Set-Cookie")
            if set_cookie:
                jar = SimpleCookie(set_cookie)
                self.cookie = "; ".join(f"{k}={v.value}" for k, v in jar.items())

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()

    async def rerun(self) -> Run:
        """Ask for a run with the current link and widget states; what it sent."""
        message = BackMsg()
        message.rerun_script.query_string = self.query_string
        message.rerun_script.widget_states.widgets.extend(self.states.values())
        await self._ws.send(message.SerializeToString())
        return await asyncio.wait_for(self._until_finished(), self.timeout_s)

    async def _until_finished(self) -> Run:
        run = Run()
        while True:
            forward = ForwardMsg()
            forward.ParseFromString(await self._ws.recv())
            kind = forward.WhichOneof("type")
            if kind == "delta" and forward.delta.WhichOneof("type") == "new_element":
                element = forward.delta.new_element
                name = element.WhichOneof("type")
                proto = getattr(element, name)
                run.kinds.add(name)
                if name == "exception":
                    run.exceptions.append(f"{proto.type}: {proto.message}"[:200])
                elif name == "component_instance":
                    run.widgets[proto.component_name] = proto
                elif hasattr(proto, "label") and hasattr(proto, "id"):
                    run.widgets.setdefault(proto.label, proto)
            elif kind == "page_info_changed":
                run.query_string = forward.page_info_changed.query_string
            elif kind == "script_finished":
                status = forward.script_finished
                if status != ForwardMsg.FINISHED_SUCCESSFULLY:
                    raise SessionError(f"the run ended with status {status}")
                if run.exceptions:
                    raise SessionError(f"the page shows an exception: {run.exceptions[0]}")
                if run.query_string is not None:
                    self.query_string = run.query_string
                return run

    async def open(self) -> Run:
        """Connect, run the link, and report where the map is drawn, as the map component
        does (the page then draws what it held back); learn the slider and the map."""
        await self.connect()
        first = await self.rerun()
        if MAP_COMPONENT not in first.widgets:
            raise SessionError("the first render has no map")
        self.map_id = first.widgets[MAP_COMPONENT].id
        args = json.loads(first.widgets[MAP_COMPONENT].json_args or "{}")
        center, zoom = args.get("center"), args.get("zoom")
        if isinstance(center, list) and len(center) == 2 and isinstance(zoom, int | float):
            self.map_at = ({"lat": center[0], "lng": center[1]}, zoom)
        run = await self._report_map(None)
        slider = run.widgets.get(MONTHS_LABEL) or first.widgets.get(MONTHS_LABEL)
        if slider is None:
            raise SessionError("the map reported where it is drawn, and no month slider came")
        if "plotly_chart" not in run.kinds | first.kinds:
            raise SessionError("the map reported where it is drawn, and no chart came")
        self.slider_id = slider.id
        self.slider_options = list(slider.options)
        self.slider_value = [int(x) for x in (list(slider.value) or list(slider.default))]
        return run

    async def _report_map(self, clicked: str | None) -> Run:
        """Send what the map component reports (a clicked marker's tooltip, and where the
        map is) and wait for the run it asks for."""
        state = WidgetState(id=self.map_id)
        center, zoom = self.map_at
        state.json_value = json.dumps(
            {"last_object_clicked_tooltip": clicked, "center": center, "zoom": zoom}
        )
        self.states[self.map_id] = state
        return await self.rerun()

    async def change_months(self) -> Run:
        """Move the slider's end one month back (its start one forward once they meet)."""
        start, end = self.slider_value
        if end - 1 > start:
            end -= 1
        else:
            start, end = start + 1, min(end + 12, len(self.slider_options) - 1)
        self.slider_value = [start, end]
        # A select slider reports the options it shows, as text.
        state = WidgetState(id=self.slider_id)
        state.string_array_value.data.extend(self.slider_options[i] for i in self.slider_value)
        self.states[self.slider_id] = state
        return await self.rerun()

    async def select(self, item_id: str) -> Run:
        """Report a click on the marker of ``item_id``, as the map component does."""
        run = await self._report_map(f"{item_id} [{item_id}]")
        selected = parse_qs(self.query_string).get("sel", [None])[-1]
        if selected != item_id:
            raise SessionError(f"selected {item_id} but the link says sel={selected}")
        return run


@dataclass
class ProtocolReport:
    sessions: int
    changes: int
    first_render_s: list[float] = field(default_factory=list)
    rerun_s: list[float] = field(default_factory=list)
    select_s: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    reconnects: int = 0
    reopened_same_view: int = 0


async def reader(
    stream_url: str,
    link: str,
    changes: int,
    item_ids: list[str],
    report: ProtocolReport,
    timeout_s: float,
    index: int,
    on_change: Callable[[int, int], None] | None = None,
) -> None:
    """One reader's visit: open the link, change the months ``changes`` times, select an item.
    A connection lost on the way (a process behind the proxy died) is reopened once, on the
    link the page last wrote, and must show the same view."""
    session = ProtocolSession(stream_url, link, timeout_s)
    step = "first render"
    try:
        started = time.monotonic()
        await session.open()
        report.first_render_s.append(time.monotonic() - started)
        for n in range(changes):
            step = f"filter change {n + 1}"
            started = time.monotonic()
            try:
                await session.change_months()
            except (OSError, EOFError, _closed_errors()) as lost:
                await _reopen(session, report, lost)
                await session.change_months()
            report.rerun_s.append(time.monotonic() - started)
            if on_change is not None:
                on_change(index, n)
        step = "selection"
        started = time.monotonic()
        await session.select(item_ids[index % len(item_ids)])
        report.select_s.append(time.monotonic() - started)
    except Exception as exc:  # every failure counts and is reported, none stops the run
        report.errors.append(f"{step}: {type(exc).__name__}: {str(exc)[:200]}")
    finally:
        await session.close()


def _closed_errors() -> type[Exception]:
    from websockets.exceptions import ConnectionClosed

    return ConnectionClosed


async def _reopen(session: ProtocolSession, report: ProtocolReport, lost: BaseException) -> None:
    """Reconnect (through the proxy: to a live process) and run the link the page last wrote,
    as the browser does; the view must come back the same."""
    report.reconnects += 1
    before = session.query_string
    session.states.clear()
    await session.close()
    await session.open()
    if _view_of(session.query_string) != _view_of(before):
        raise SessionError(f"reopened on {session.query_string!r}, not {before!r}")
    report.reopened_same_view += 1


def _view_of(query_string: str) -> dict[str, list[str]]:
    """A link's view, less where the map is (the map reports its own place once drawn)."""
    return {k: v for k, v in parse_qs(query_string).items() if k != "map"}


def stream_url(url: str) -> str:
    """The session stream of the app at ``url`` (http(s)://host[:port][/prefix]/...)."""
    parts = urlsplit(url)
    scheme = "wss" if parts.scheme == "https" else "ws"
    path = parts.path.rstrip("/")
    return f"{scheme}://{parts.netloc}{path}/_stcore/stream"


async def drive(
    url: str,
    link: str,
    sessions: int,
    changes: int,
    item_ids: list[str],
    timeout_s: float,
    on_change: Callable[[int, int], None] | None = None,
) -> ProtocolReport:
    """One unmeasured reader first (the server's first run loads the data and libraries, long
    done before a team arrives), then ``sessions`` readers at once."""
    stream = stream_url(url)
    warm = ProtocolReport(1, 1)
    await reader(stream, link, 1, item_ids, warm, timeout_s, 0)
    report = ProtocolReport(sessions, changes)
    await asyncio.gather(
        *(
            reader(stream, link, changes, item_ids, report, timeout_s, i, on_change)
            for i in range(sessions)
        )
    )
    return report
