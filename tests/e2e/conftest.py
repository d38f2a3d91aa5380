"""A real Streamlit server on loopback and headless Debian Chromium driven by Playwright.

The browser resolves no host but the loopback one, so every test runs as on a laptop with no
internet: a map that needs a CDN stays blank here. A failing test leaves a screenshot in
test-artifacts/.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Frame, Page, Playwright, sync_playwright

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # No internet: only loopback names resolve.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """``streamlit run app.py`` on a free loopback port, stopped on close."""

    def __init__(self, env: dict[str, str] | None = None, extra_args: list[str] | None = None):
        self.port = _free_port()
        self.base_path = ""
        args = list(extra_args or [])
        for i, arg in enumerate(args):
            if arg.startswith("--server.baseUrlPath"):
                self.base_path = "/" + (arg.split("=", 1)[1] if "=" in arg else args[i + 1]).strip(
                    "/"
                )
        self.url = f"http://127.0.0.1:{self.port}{self.base_path}"
        ARTIFACTS.mkdir(exist_ok=True)
        self.log_path = ARTIFACTS / f"server-{self.port}.log"
        self._log = self.log_path.open("w")
        full_env = {**os.environ, **(env or {})}
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                str(REPO / "app.py"),
                "--server.port",
                str(self.port),
                "--server.address",
                "127.0.0.1",
                "--server.headless",
                "true",
                "--browser.gatherUsageStats",
                "false",
                *args,
            ],
            cwd=REPO,
            env=full_env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self._wait_healthy()

    def _wait_healthy(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        health = f"{self.url}/_stcore/health"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"streamlit exited: {self.log_path.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(health, timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"streamlit did not answer on {health}")

    def close(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self._log.close()


def corpus_dir() -> str:
    found = os.environ.get("GEO_CORPUS_DIR") or str(REPO.parent / "shared" / "corpus")
    if not Path(found).is_dir():
        pytest.fail(f"corpus folder not found: {found} (set GEO_CORPUS_DIR)")
    return found


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    srv = Server(env={"GEO_CORPUS_DIR": corpus_dir()})
    yield srv
    srv.close()


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Playwright]:
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: `make browser` installs Debian's chromium")
    b = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield b
    b.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed:
        for name in ("page",):
            page = item.funcargs.get(name) if hasattr(item, "funcargs") else None
            if page is not None:
                ARTIFACTS.mkdir(exist_ok=True)
                with_suppress_screenshot(page, ARTIFACTS / f"{item.name}.png")


def with_suppress_screenshot(page: Page, path: Path) -> None:
    try:
        page.screenshot(path=str(path), full_page=True)
    except Exception as exc:  # a failing page must not hide the test's own failure
        print(f"screenshot failed: {exc}")


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    yield pg
    context.close()


# ---- helpers used by the tests ----


def map_frame(page: Page, timeout: float = 30) -> Frame:
    """The st_folium iframe, once Leaflet has drawn markers in it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        # Found through its element: page.frames can miss a component iframe in Chromium.
        handle = page.query_selector("iframe[title='streamlit_folium.st_folium']")
        frame = handle.content_frame() if handle else None
        if frame is not None:
            try:
                if frame.evaluate("() => !!(window.map && window.L)"):
                    return frame
            except Exception:
                pass
        time.sleep(0.25)
    raise AssertionError("the map never appeared (no Leaflet map in the st_folium iframe)")


COUNT_JS = """
() => {
  const singles = document.querySelectorAll('.leaflet-marker-icon .atlas-mk').length;
  let clustered = 0;
  document.querySelectorAll('.atlas-cluster').forEach(c => clustered += Number(c.dataset.count));
  return singles + clustered;
}
"""


def drawn_markers(page: Page, expected: int | None = None, timeout: float = 30) -> int:
    """Markers a user sees: single markers plus the counts on cluster bubbles. Waits for the
    number to settle (and to equal ``expected`` when given)."""
    deadline = time.monotonic() + timeout
    last, stable_since = -1, time.monotonic()
    while time.monotonic() < deadline:
        frame = map_frame(page, timeout=max(1.0, deadline - time.monotonic()))
        try:
            count = int(frame.evaluate(COUNT_JS))
        except Exception:
            count = -1
        if count != last:
            last, stable_since = count, time.monotonic()
        elif (expected is None or count == expected) and time.monotonic() - stable_since > 1.0:
            return count
        time.sleep(0.25)
    return last


def wait_for_app(page: Page) -> None:
    """Wait until the script run has finished (no 'Running' status widget)."""
    page.wait_for_selector("[data-testid='stApp']")
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000
    )
