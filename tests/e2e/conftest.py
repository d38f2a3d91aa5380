"""A real Streamlit server on loopback and headless Debian Chromium driven by Playwright.

The browser resolves no host but the loopback one, so every test runs as on a laptop with no
internet: a map that needs a CDN stays blank here. A failing test leaves a screenshot in
test-artifacts/.
"""

from __future__ import annotations

import csv
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Frame, Page, Playwright, sync_playwright

from atlas_tools.localserver import CHROMIUM_ARGS as LOCAL_CHROMIUM_ARGS
from atlas_tools.localserver import LocalServer, chromium_path
from tests.conftest import SHARED_DIR

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = chromium_path()
CHROMIUM_ARGS = list(LOCAL_CHROMIUM_ARGS)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


class Server(LocalServer):
    """The atlas on a free loopback port, its output logged under test-artifacts/."""

    def __init__(self, env: dict[str, str] | None = None, extra_args: list[str] | None = None):
        ARTIFACTS.mkdir(exist_ok=True)
        self._log = (ARTIFACTS / f"server-{os.getpid()}-{id(self)}.log").open("w")
        super().__init__(env=env, extra_args=extra_args, log=self._log)

    def close(self) -> None:
        super().close()
        self._log.close()


def rewrite_csv(path: Path, key: str, wanted: str, changes: dict[str, str]) -> None:
    """Change some columns of the row whose ``key`` column is ``wanted``, in place."""
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        fields = list(reader.fieldnames or [])
        rows = list(reader)
    for row in rows:
        if row[key] == wanted:
            row.update(changes)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


def corpus_dir() -> str:
    found = os.environ.get("GEO_CORPUS_DIR") or str(SHARED_DIR / "corpus")
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
