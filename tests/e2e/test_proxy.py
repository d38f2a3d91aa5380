"""The atlas published behind nginx, configured from the shipped template
(deploy/nginx/atlas.conf.template): two app processes on one PostgreSQL database, the app under
/atlas/. Through the proxy every page opens and the map draws under its Content-Security-Policy,
a share link reopens its view, a download works, each browser stays on one process; the
metrics, requests that are not WebSocket upgrades, paths outside the prefix, long URLs and
unknown host names get nginx's plain answer.

The atlas is reached by a host name, as readers reach it, and on a port other than 80: the
browser maps ``atlas.test`` to loopback. Loopback addresses would hide what a name shows:
Streamlit takes any WebSocket from a page on 127.0.0.1, whatever Host the proxy passes on."""

from __future__ import annotations

import http.client
import re
import socket
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import pandas as pd
import pytest
from playwright.sync_api import Browser, ConsoleMessage, Playwright, expect
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from atlas_tools import loadtest
from atlas_tools.localserver import chromium_args, free_port
from atlas_tools.proxy import LocalProxy, NginxMissing
from geo.bundle import load_bundle
from geo.store.pg import PgStore
from tests.app.helpers import expected_counts, expected_events
from tests.e2e.conftest import (
    CHROMIUM,
    Server,
    corpus_dir,
    drawn_markers,
    wait_for_app,
)
from tests.e2e.test_base_path import KGZ, KGZ_VIEW, share_link
from tests.e2e.test_export import download

COOKIE_SECRET = "one-secret-for-every-process-of-the-test"
# The atlas's public host name (a reserved top-level domain), mapped to loopback.
HOST = "atlas.test"


@pytest.fixture(scope="module")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    """Chromium that finds the atlas's host name on loopback, and nothing else outside."""
    b = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=chromium_args(HOST))
    yield b
    b.close()


@dataclass
class Published:
    proxy: LocalProxy
    apps: list[Server]

    @property
    def url(self) -> str:
        return self.proxy.url


@pytest.fixture(scope="module")
def published(postgres, pg_template: str) -> Iterator[Published]:
    url = postgres.create_database("e2e_proxy", pg_template)
    store = PgStore(url)
    store.sync_bundle(load_bundle())
    store.close()
    port = free_port()
    env = {
        # Published: visitors get the read-only atlas.
        "GEO_PUBLIC_URL": f"http://{HOST}:{port}/atlas/",
        "GEO_DATABASE_URL": url,
        "GEO_CORPUS_DIR": corpus_dir(),
        "STREAMLIT_SERVER_COOKIE_SECRET": COOKIE_SECRET,
    }
    args = ["--server.baseUrlPath=atlas"]
    apps = [Server(env=env, extra_args=args) for _ in range(2)]
    try:
        proxy = LocalProxy([f"127.0.0.1:{app.port}" for app in apps], server_name=HOST, port=port)
    except NginxMissing as exc:
        for app in apps:
            app.close()
        pytest.fail(str(exc))
    yield Published(proxy, apps)
    proxy.close()
    for app in apps:
        app.close()


def fetch(
    url: str, headers: dict[str, str] | None = None, timeout: float = 30
) -> tuple[int, dict[str, str], str]:
    """GET ``url`` from its server on loopback, with the URL's host name in ``Host``."""
    parts = urlsplit(url)
    con = http.client.HTTPConnection("127.0.0.1", parts.port, timeout=timeout)
    try:
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        con.request("GET", path or "/", headers={"Host": parts.netloc, **(headers or {})})
        response = con.getresponse()
        return (
            response.status,
            dict(response.getheaders()),
            response.read().decode(errors="replace"),
        )
    finally:
        con.close()


def plain(status: int, body: str) -> bool:
    """nginx's own short error page: a title naming the status, no trace of the app."""
    return (
        re.search(rf"<title>{status} [^<]+</title>", body) is not None
        and "Traceback" not in body
        and "streamlit" not in body.lower()
        and len(body) < 1000
    )


def test_the_proxy_sets_the_headers_and_refuses_what_is_not_the_atlas(
    published: Published,
) -> None:
    status, headers, body = fetch(f"{published.url}/")
    assert status == 200 and 'id="root"' in body, body[:300]
    csp = headers["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in csp and "connect-src 'self'" in csp
    assert "object-src 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert headers["X-Frame-Options"] == "SAMEORIGIN"
    assert re.match(r"atlas_route=\w+; Path=/atlas/", headers["Set-Cookie"])

    # The metrics answer on the process itself, never through the proxy.
    direct, _, _ = fetch(f"{published.apps[0].url}/_stcore/metrics")
    assert direct == 200
    status, headers, body = fetch(f"{published.url}/_stcore/metrics")
    assert status == 404 and plain(404, body)
    assert "frame-ancestors" in headers["Content-Security-Policy"]

    # The session stream without an upgrade header.
    status, _, body = fetch(f"{published.url}/_stcore/stream")
    assert status == 400 and plain(400, body)

    # Outside the prefix, under another host name, past nginx's header size.
    origin = published.url.removesuffix("/atlas")
    status, _, body = fetch(f"{origin}/app/static/vendor/leaflet.js")
    assert status == 404 and plain(404, body)
    status, _, body = fetch(f"{origin}/atlas/", headers={"Host": "atlas.evil.example"})
    assert status == 421 and plain(421, body)
    status, _, body = fetch(f"{published.url}/?q={'x' * 140_000}")
    assert status in (400, 414) and plain(status, body)
    status, headers, _ = fetch(origin + "/atlas")
    assert status == 301 and headers["Location"].endswith("/atlas/")


def test_websockets_upgrade_and_each_browser_stays_on_one_process(
    published: Published,
) -> None:
    stream = published.url.replace("http://", "ws://") + "/_stcore/stream"
    page_origin = published.url.removesuffix("/atlas")

    def loopback() -> socket.socket:
        return socket.create_connection(("127.0.0.1", published.proxy.port), timeout=10)

    routes = [f"browser{i:02d}" for i in range(12)]
    for _ in range(3):
        for route in routes:
            # As the atlas's own page opens it: its origin, host name and port.
            with connect(
                stream,
                sock=loopback(),
                origin=page_origin,  # type: ignore[arg-type]
                additional_headers={"Cookie": f"atlas_route={route}"},
            ) as ws:
                assert ws.response.status_code == 101
    seen: dict[str, set[str]] = defaultdict(set)
    for request, upstream, route in published.proxy.upstreams():
        if route in routes and "_stcore/stream" in request:
            seen[route].add(upstream)
    assert sorted(seen) == routes
    assert all(len(upstreams) == 1 for upstreams in seen.values()), seen
    # Different browsers are spread over both processes.
    assert len(set().union(*seen.values())) == 2, seen

    # An origin that is not the atlas's is refused by the app behind the proxy.
    with pytest.raises(InvalidStatus):
        connect(stream, sock=loopback(), origin="http://evil.example", open_timeout=10)  # type: ignore[arg-type]


def test_every_page_the_map_a_share_link_and_a_download_through_the_proxy(
    published: Published, browser: Browser, tmp_path_factory: pytest.TempPathFactory
) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    refused: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            refused.append(message.text)

    page = context.new_page()
    page.set_default_timeout(30_000)
    page.on("console", on_console)
    context.on("page", lambda other: other.on("console", on_console))
    try:
        page.goto(f"{published.url}/{KGZ}")
        wait_for_app(page)
        want = sum(expected_counts(**KGZ_VIEW))
        assert drawn_markers(page, expected=want) == want
        link = share_link(page)
        assert link.startswith(f"{published.url}/?from=2019-01&to=2020-12&country=KGZ")
        target = download(page, "CSV (ACLED columns)", tmp_path_factory.mktemp("proxy"))
        table = pd.read_csv(target, dtype=str, keep_default_na=False)
        # The ACLED-column file holds the view's events, and nothing else.
        assert sorted(table["event_id_cnty"]) == sorted(expected_events(**KGZ_VIEW)["event_id"])

        other = context.new_page()
        other.goto(link)
        wait_for_app(other)
        assert drawn_markers(other, expected=want) == want
        other.close()

        for path, heading in (
            ("charts", "Charts"),
            ("sources", "Sources"),
            ("about", "About the data"),
        ):
            page.goto(f"{published.url}/{path}{KGZ}")
            wait_for_app(page)
            expect(page.get_by_role("heading", name=heading).first).to_be_visible()
            assert urlsplit(page.url).path == f"/atlas/{path}"
        page.goto(f"{published.url}/charts{KGZ}")
        wait_for_app(page)
        expect(page.locator(".js-plotly-plot").first).to_be_visible(timeout=60_000)
        nav = page.locator("[data-testid='stSidebarNav']")
        expect(nav.get_by_role("link", name="About the data")).to_be_visible()
        assert nav.get_by_role("link", name="Import").count() == 0
        assert nav.get_by_role("link", name="Ingest").count() == 0
        # A visitor who types the Import page's address gets no upload field.
        page.goto(f"{published.url}/import")
        wait_for_app(page)
        expect(page.get_by_role("heading", name="China in Central Asia")).to_be_visible()
        expect(page.get_by_role("heading", name="Import events and sites")).to_have_count(0)
        assert page.locator("[data-testid='stFileUploader']").count() == 0
        page.screenshot(path="/tmp/deploy-visitor-import.png")
    finally:
        context.close()
    assert refused == [], refused
    # The sessions' streams went through the proxy, upgraded.
    log = published.proxy.access_log.read_text()
    assert re.search(r'"GET /atlas/_stcore/stream HTTP/1.1" 101 ', log), log[-2000:]


def test_a_database_that_goes_away_gives_every_process_the_notice_and_comes_back(
    published: Published, postgres
) -> None:
    """The database stops answering: a new reader on either process gets the notice, not a
    traceback; once it answers again, new readers on both get the map, with no restart."""
    import psycopg

    from tests.e2e.test_forged import _forged_run

    def allow(yes: bool) -> None:
        with psycopg.connect(postgres.server_url, autocommit=True) as con:
            con.execute(f"ALTER DATABASE e2e_proxy ALLOW_CONNECTIONS {str(yes).lower()}")
            if not yes:  # and drop every open session, as a server restart would
                con.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = 'e2e_proxy'"
                )

    def shown(app: Server) -> list[tuple[str, str]]:
        run = loadtest.in_own_thread(_forged_run(f"{app.url}/", ""))
        return list(run["elements"])  # type: ignore[call-overload]

    allow(False)
    try:
        for app in published.apps:
            notices = [body for kind, body in shown(app) if kind == "alert"]
            assert any(n.startswith("The shared events database") for n in notices), notices
            # The database's user and password stay off the page.
            assert not any("geo@" in n or "geo\u2060@" in n for n in notices), notices
    finally:
        allow(True)
    for app in published.apps:
        elements = shown(app)
        assert ("component_instance", "streamlit_folium.st_folium") in elements, app.port
        assert not any("stopped answering" in body for _, body in elements)


def test_a_process_that_stops_answering_is_passed_over_before_the_page_gives_up(
    published: Published,
) -> None:
    """An app process whose address stops answering (a container killed, a machine gone)
    leaves connections hanging, not refused. A reader's page, reconnecting, waits 15 s for
    the atlas's health answer before it tries again: the proxy must pass the request to the
    live process well within that."""
    # A listening socket that never accepts: once its one queued connection is taken, new
    # connections hang, as they do to a dead host's address.
    frozen = socket.socket()
    frozen.bind(("127.0.0.1", 0))
    frozen.listen(0)
    held = socket.create_connection(frozen.getsockname(), timeout=5)
    dead = f"127.0.0.1:{frozen.getsockname()[1]}"
    live = f"127.0.0.1:{published.apps[0].port}"
    proxy = LocalProxy([dead, live], server_name=HOST)
    try:
        routes = [f"reader{i:02d}" for i in range(8)]
        for route in routes:
            status, _, body = fetch(
                f"{proxy.url}/_stcore/health",
                headers={"Cookie": f"atlas_route={route}"},
                timeout=14,
            )
            assert (status, body) == (200, "ok"), route
        tried = {route: upstream for _, upstream, route in proxy.upstreams() if route in routes}
        # Some readers' route led to the frozen process first, and went on to the live one.
        assert f"{dead}, {live}" in tried.values(), tried
        assert set(tried.values()) <= {live, f"{dead}, {live}"}, tried
    finally:
        proxy.close()
        held.close()
        frozen.close()
