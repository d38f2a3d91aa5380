"""A Streamlit server of the atlas on a free loopback port, and the headless Chromium flags
that go with it: what the browser tests, ``geo loadtest`` and ``geo bench`` all start.

The browser resolves no host but the loopback one, so everything runs as on a laptop with
no internet.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import IO

from atlas_tools import REPO

CHROMIUM_ARGS: tuple[str, ...] = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these Chromium keeps trying to reach outside hosts.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # No internet: only loopback names resolve.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
)


def chromium_args(*hosts: str) -> list[str]:
    """:data:`CHROMIUM_ARGS`, with each of ``hosts`` (a public name of the atlas, say) found on
    loopback as well; still nothing outside."""
    mapped = "".join(f"MAP {host} 127.0.0.1, " for host in hosts)
    return [
        a.replace("=", f"={mapped}", 1) if a.startswith("--host-resolver-rules=") else a
        for a in CHROMIUM_ARGS
    ]


def chromium_path() -> str:
    """Debian's Chromium (Playwright cannot download its own here); $CHROMIUM overrides."""
    return os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_ready(
    process: subprocess.Popen[bytes],
    ready: Callable[[], bool],
    timeout: float,
    *,
    exited: Callable[[], str],
    late: str,
    on_late: Callable[[], None],
    pause: float = 0.2,
) -> None:
    """Poll ``ready`` (an OSError counts as not yet) until it holds; raise RuntimeError with
    ``exited()`` if the process ends first, or with ``late`` (after ``on_late``) at the
    deadline."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(exited())
        try:
            if ready():
                return
        except OSError:
            pass
        time.sleep(pause)
    on_late()
    raise RuntimeError(late)


class LocalServer:
    """``streamlit run app.py`` (or ``script``) on a free loopback port, healthy on return;
    ``close()`` stops it. ``extra_args`` go to streamlit; ``--server.baseUrlPath=atlas`` sets
    the path of :attr:`url`."""

    def __init__(
        self,
        env: dict[str, str] | None = None,
        extra_args: list[str] | None = None,
        log: IO[str] | None = None,
        timeout: float = 60.0,
        script: Path = REPO / "app.py",
        cwd: Path = REPO,
    ) -> None:
        self.port = free_port()
        args = list(extra_args or [])
        self.base_path = ""
        for i, arg in enumerate(args):
            if arg.startswith("--server.baseUrlPath"):
                value = arg.split("=", 1)[1] if "=" in arg else args[i + 1]
                self.base_path = "/" + value.strip("/")
        self.url = f"http://127.0.0.1:{self.port}{self.base_path}"
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                str(script),
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
            cwd=cwd,
            env={**os.environ, **(env or {})},
            stdout=log if log is not None else subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        self._wait_healthy(timeout)

    @property
    def pid(self) -> int:
        return self.process.pid

    def _wait_healthy(self, timeout: float) -> None:
        health = f"{self.url}/_stcore/health"

        def answers() -> bool:
            with urllib.request.urlopen(health, timeout=2) as response:
                return bool(response.status == 200)

        wait_until_ready(
            self.process,
            answers,
            timeout,
            exited=lambda: f"streamlit exited with code {self.process.returncode}",
            late=f"streamlit did not answer on {health} within {timeout:.0f} s",
            on_late=self.close,
            pause=0.3,
        )

    def close(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
