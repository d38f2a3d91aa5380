"""``geo loadtest``: many concurrent sessions against the atlas on loopback.

Two clients: ``--client browser`` (this module: headless Chromium sessions, for small runs;
below) and ``--client protocol`` (:mod:`atlas_tools.protocol_load`: Streamlit's WebSocket
protocol with no browser, for twenty sessions and more, optionally behind nginx with two app
processes, one of them killed mid-run).


Each session opens the map (first render: navigation until the map's markers are drawn),
makes a number of filter changes with the month slider (rerun: key press until the summary
line shows the new month) and clicks a marker (until the excerpt panel shows the item). The
server's resident memory is sampled before, during and after. Only loopback addresses are
ever contacted, and every wait is bounded.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import os
import socket
import sys
import threading
import time
from collections.abc import Coroutine
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TypeVar
from urllib.parse import parse_qs, urlsplit

from atlas_tools.localserver import LocalServer, chromium_args, chromium_path

IDLE_JS = "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")
REFUSED = "geo loadtest only targets servers on this machine: {host} is not a loopback address"


def on_this_machine(url: str) -> bool:
    """Whether the URL's host is this machine: a loopback address, or a name (the atlas's
    public one, mapped in /etc/hosts, say) whose every address is a loopback one."""
    host = urlsplit(url).hostname
    if not host:
        return False
    if host in LOOPBACK:
        return True
    try:
        found = socket.getaddrinfo(host, None)
    except OSError:
        return False
    return bool(found) and all(
        ipaddress.ip_address(str(info[4][0]).split("%")[0]).is_loopback for info in found
    )


SUMMARY_JS = """() => {
  const p = [...document.querySelectorAll('[data-testid="stMarkdownContainer"] p')]
    .find(e => /^\\d+ events? and \\d+ sites?/.test(e.innerText));
  return p ? p.innerText : null;
}"""
MARKERS_JS = """() => {
  const f = document.querySelector("iframe[title='streamlit_folium.st_folium']");
  const d = f && f.contentDocument;
  return d ? d.querySelectorAll('.leaflet-marker-icon').length : 0;
}"""

# The first single marker that nothing (the legend, a cluster) covers at its centre.
UNCOVERED_MARKER_JS = """() => {
  const all = [...document.querySelectorAll('.leaflet-marker-icon .atlas-mk')];
  for (let i = 0; i < all.length; i++) {
    const box = all[i].getBoundingClientRect();
    const hit = document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
    if (hit === all[i]) return i;
  }
  return null;
}"""


@dataclass
class Report:
    sessions: int
    changes: int
    first_render_s: list[float] = field(default_factory=list)
    rerun_s: list[float] = field(default_factory=list)
    click_s: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    rss_before_mb: float = 0.0
    rss_peak_mb: float = 0.0
    rss_after_mb: list[float] = field(default_factory=list)
    wall_s: float = 0.0
    retries: int = 0

    def summary(self) -> dict[str, object]:
        def pct(values: list[float], q: float) -> float | None:
            if not values:
                return None
            ordered = sorted(values)
            return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 3)

        return {
            "sessions": self.sessions,
            "changes_per_session": self.changes,
            "first_render_p50_s": pct(self.first_render_s, 0.5),
            "first_render_p95_s": pct(self.first_render_s, 0.95),
            "rerun_p50_s": pct(self.rerun_s, 0.5),
            "rerun_p95_s": pct(self.rerun_s, 0.95),
            "marker_click_p50_s": pct(self.click_s, 0.5),
            "errors": len(self.errors),
            "click_retries": self.retries,
            "rss_before_mb": round(self.rss_before_mb, 1),
            "rss_peak_mb": round(self.rss_peak_mb, 1),
            "rss_after_mb": [round(x, 1) for x in self.rss_after_mb],
            "wall_s": round(self.wall_s, 1),
        }


def cpu_s(pid: int) -> float:
    """User and system CPU seconds a process has used (Linux /proc); 0 when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, in MB (Linux /proc)."""
    total = 0
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
    except OSError:
        pass
    for one in pids:
        try:
            for line in Path(f"/proc/{one}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


async def one_session(browser, url: str, changes: int, report: Report, timeout_ms: int) -> None:
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await context.new_page()
    page.set_default_timeout(timeout_ms)
    step = "first render"
    try:
        started = time.monotonic()
        await page.goto(url)
        await page.wait_for_function(f"() => ({MARKERS_JS})() > 0")
        report.first_render_s.append(time.monotonic() - started)
        thumb = page.get_by_role("slider", name="Months shown — end")
        for n in range(changes):
            step = f"filter change {n + 1}"
            before = await page.evaluate(SUMMARY_JS)
            started = time.monotonic()
            await thumb.focus()
            await page.keyboard.press("ArrowLeft")
            await page.wait_for_function(
                f"(before) => {{ const now = ({SUMMARY_JS})(); return now && now !== before; }}",
                arg=before,
            )
            report.rerun_s.append(time.monotonic() - started)
        step = "marker click"
        # Let the last change reach the map before clicking one of its markers.
        await page.wait_for_function(IDLE_JS)
        await page.wait_for_timeout(500)
        frame = page.frame_locator("iframe[title='streamlit_folium.st_folium']")
        started = time.monotonic()
        for attempt in (1, 2):
            index = await frame.locator("body").evaluate(UNCOVERED_MARKER_JS)
            if index is None:
                raise RuntimeError("no marker free to click")
            await frame.locator(".leaflet-marker-icon .atlas-mk").nth(index).click()
            try:
                await page.wait_for_function(
                    "() => window.location.search.includes('sel=')",
                    timeout=timeout_ms // 3 if attempt == 1 else timeout_ms,
                )
                break
            except Exception:
                if attempt == 2:
                    raise
                report.retries += 1  # a click lost while the map was being redrawn
        report.click_s.append(time.monotonic() - started)
        if await page.get_by_text("This app has encountered an error").count():
            report.errors.append("the page shows an app error")
    except Exception as exc:  # every failure counts and is reported, none stops the run
        first_line = str(exc).splitlines()[0][:200] if str(exc) else ""
        report.errors.append(f"{step}: {type(exc).__name__}: {first_line}")
    finally:
        await context.close()


async def drive(url: str, sessions: int, changes: int, chromium: str, timeout_ms: int) -> Report:
    from playwright.async_api import async_playwright

    report = Report(sessions, changes)
    async with async_playwright() as pw:
        host = urlsplit(url).hostname or ""
        args = chromium_args() if host in LOOPBACK else chromium_args(host)
        browser = await pw.chromium.launch(executable_path=chromium, args=args)
        try:
            # One unmeasured visit first: the server's first run loads the data and the
            # libraries, which a deployed dashboard has long done before a team arrives.
            await one_session(browser, url, 1, Report(1, 1), timeout_ms)
            await asyncio.gather(
                *(one_session(browser, url, changes, report, timeout_ms) for _ in range(sessions))
            )
        finally:
            await browser.close()
    return report


T = TypeVar("T")


def in_own_thread(work: Coroutine[object, object, T]) -> T:
    """Run the sessions on an event loop of their own thread, so the command also works from
    code that already runs an event loop (Playwright's sync API in the tests does)."""
    result: list[T] = []
    failure: list[BaseException] = []

    def target() -> None:
        try:
            result.append(asyncio.run(work))
        except BaseException as exc:  # handed to the caller below
            failure.append(exc)

    thread = threading.Thread(target=target, name="loadtest")
    thread.start()
    thread.join()
    if failure:
        raise failure[0]
    return result[0]


def run(
    sessions: int = 20,
    changes: int = 10,
    url: str | None = None,
    chromium: str | None = None,
    timeout_s: float = 60.0,
    settle_s: float = 6.0,
) -> Report:
    """Start a server (unless ``url`` points at a loopback one), drive it, measure it."""
    chromium = chromium or chromium_path()
    server = None
    if url is None:
        server = LocalServer()
        url = f"{server.url}/"
    elif not on_this_machine(url):
        raise ValueError(REFUSED.format(host=urlsplit(url).hostname))
    try:
        pid = server.pid if server else None
        before = rss_mb(pid) if pid else 0.0
        peak = [before]
        stop = threading.Event()

        def sample() -> None:
            while not stop.wait(0.25):
                if pid:
                    peak[0] = max(peak[0], rss_mb(pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        started = time.monotonic()
        report = in_own_thread(drive(url, sessions, changes, chromium, int(timeout_s * 1000)))
        report.wall_s = time.monotonic() - started
        stop.set()
        sampler.join()
        report.rss_before_mb, report.rss_peak_mb = before, peak[0]
        # After the sessions end: does memory level off? Three samples, settle_s apart.
        for _ in range(3):
            time.sleep(settle_s)
            report.rss_after_mb.append(rss_mb(pid) if pid else 0.0)
        return report
    finally:
        if server is not None:
            server.close()


def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 3)


DEFAULT_LINK = "from=2019-01&to=2020-12"


def _items_in(link: str) -> list[str]:
    """The ids of the events the link shows (the items the readers select)."""
    from geo.bundle import load_bundle
    from geo.query import bounds_for, view_result
    from geo.view import decode

    bundle = load_bundle()
    state = decode({k: v[-1] for k, v in parse_qs(link).items()}, bounds_for(bundle)).state
    events = view_result(bundle, state).filtered.events
    return sorted(str(x) for x in events["event_id"])[:50]


def run_protocol(
    sessions: int = 20,
    changes: int = 10,
    url: str | None = None,
    link: str = DEFAULT_LINK,
    timeout_s: float = 60.0,
    proxy: bool = False,
    kill_one: bool = False,
) -> dict[str, object]:
    """Start one app process (or, with ``proxy``, two behind nginx from the shipped template,
    on one PostgreSQL database; ``kill_one`` kills one of them half-way through the
    readers' changes) unless ``url`` names a loopback server; drive it with protocol
    sessions; the run's figures."""
    from atlas_tools import protocol_load

    item_ids = _items_in(link)
    servers: list[LocalServer] = []
    closers: list[object] = []
    killed: list[int] = []
    try:
        if url is not None:
            if not on_this_machine(url):
                raise ValueError(REFUSED.format(host=urlsplit(url).hostname))
        elif proxy:
            url = _start_published(servers, closers)
        else:
            servers.append(LocalServer())
            url = f"{servers[0].url}/"
        pids = [server.pid for server in servers]
        before = sum(rss_mb(pid) for pid in pids)
        peak = [before]
        stop = threading.Event()

        def sample() -> None:
            while not stop.wait(0.25):
                peak[0] = max(peak[0], sum(rss_mb(pid) for pid in pids if pid not in killed))

        def on_change(index: int, change: int) -> None:
            # Half-way through, once: the first process dies (SIGKILL, no goodbye).
            if kill_one and not killed and change >= changes // 2 and servers:
                killed.append(servers[0].pid)
                servers[0].process.kill()

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        cpu_before = sum(cpu_s(pid) for pid in pids)
        started = time.monotonic()
        report = in_own_thread(
            protocol_load.drive(
                url,
                link,
                sessions,
                changes,
                item_ids,
                timeout_s,
                on_change if kill_one else None,
            )
        )
        wall = time.monotonic() - started
        cpu = sum(cpu_s(pid) for pid in pids) - cpu_before
        # A first render is two runs: the link's, and the one the map's first report makes.
        runs = 2 * len(report.first_render_s) + len(report.rerun_s) + len(report.select_s)
        stop.set()
        sampler.join()
        return {
            "client": "protocol",
            # A server at a given address: started elsewhere, so neither its processes nor
            # its memory are known here (null), only what its readers saw.
            "url": url,
            "processes": len(servers) or None,
            "behind_proxy": proxy,
            "killed_one_process": bool(killed),
            "sessions": sessions,
            "changes_per_session": changes,
            "first_render_p50_s": pct(report.first_render_s, 0.5),
            "first_render_p95_s": pct(report.first_render_s, 0.95),
            "rerun_p50_s": pct(report.rerun_s, 0.5),
            "rerun_p95_s": pct(report.rerun_s, 0.95),
            "select_p50_s": pct(report.select_s, 0.5),
            "select_p95_s": pct(report.select_s, 0.95),
            "reruns": len(report.rerun_s),
            "errors": len(report.errors),
            "error_messages": report.errors[:20],
            "reconnects": report.reconnects,
            "reopened_same_view": report.reopened_same_view,
            "server_rss_before_mb": round(before, 1) if pids else None,
            "server_rss_peak_mb": round(peak[0], 1) if pids else None,
            "wall_s": round(wall, 1),
            # On a shared machine the wall-clock figures include other work; the server's
            # own CPU time per script run does not.
            "server_cpu_s": round(cpu, 1) if pids else None,
            "server_cpu_per_run_s": round(cpu / runs, 3) if pids and runs else None,
            "load_average_1min": round(os.getloadavg()[0], 1),
        }
    finally:
        for server in servers:
            server.close()
        for closer in closers:
            closer.close()  # type: ignore[attr-defined]


def _start_published(servers: list[LocalServer], closers: list[object]) -> str:
    """Two app processes on one fresh PostgreSQL database, behind nginx under /atlas/."""
    import secrets

    from atlas_tools.pgserver import LocalPostgres
    from atlas_tools.proxy import LocalProxy
    from geo.bundle import load_bundle
    from geo.store.pg import PgStore, migrate

    postgres = LocalPostgres()
    closers.append(postgres)
    migrate(postgres.url)
    store = PgStore(postgres.url)
    store.sync_bundle(load_bundle())
    store.close()
    env = {
        "GEO_DATABASE_URL": postgres.url,
        "STREAMLIT_SERVER_COOKIE_SECRET": secrets.token_hex(16),
    }
    for _ in range(2):
        servers.append(LocalServer(env=env, extra_args=["--server.baseUrlPath=atlas"]))
    proxy = LocalProxy([f"127.0.0.1:{server.port}" for server in servers])
    closers.insert(0, proxy)
    return f"{proxy.url}/"


def command(args: argparse.Namespace) -> int:
    """Run ``geo loadtest`` with the arguments :mod:`geo.cli_tools` parsed; the exit status."""
    if args.url is not None and not on_this_machine(args.url):
        print(REFUSED.format(host=urlsplit(args.url).hostname), file=sys.stderr)
        return 2
    if getattr(args, "client", "browser") == "protocol":
        figures = run_protocol(
            args.sessions,
            args.changes,
            args.url,
            args.link or DEFAULT_LINK,
            args.timeout,
            proxy=args.proxy,
            kill_one=args.kill_one,
        )
        for key, value in figures.items():
            if key != "error_messages":
                print(f"{key:>22}: {value}")
        for error in figures["error_messages"]:  # type: ignore[attr-defined]
            print(f"error: {error}", file=sys.stderr)
        if args.json:
            Path(args.json).write_text(json.dumps(figures, indent=2))
        return 1 if figures["errors"] else 0
    report = run(args.sessions, args.changes, args.url, args.chromium, args.timeout)
    result = report.summary()
    for key, value in result.items():
        print(f"{key:>22}: {value}")
    for error in report.errors[:20]:
        print(f"error: {error}", file=sys.stderr)
    if args.json:
        Path(args.json).write_text(json.dumps({**result, "raw": asdict(report)}, indent=2))
    return 1 if report.errors else 0
