"""A throwaway PostgreSQL server on loopback, in a temporary folder: for the tests and the
engine benchmark (``geo bench --engines duckdb,postgis``).

Uses the Debian packages' binaries (``postgresql-15`` and ``postgresql-15-postgis-3``; the
Makefile's ``postgres`` target installs them). PostgreSQL refuses to run as root: as root the
server runs as the ``postgres`` user (``runuser``) in a folder it owns. Only ever listens on
127.0.0.1; local connections are trusted, so the URL carries no password.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from atlas_tools.localserver import free_port

PG_ROOT = Path("/usr/lib/postgresql")
USER = "geo"
DATABASE = "atlas"


class PostgresMissing(RuntimeError):
    """No PostgreSQL binaries, or no PostGIS, on this machine."""


def bin_dir() -> Path:
    """The newest installed PostgreSQL's bin folder (``$GEO_PG_BIN`` overrides)."""
    chosen = os.environ.get("GEO_PG_BIN")
    if chosen:
        return Path(chosen)
    found = sorted(
        (p for p in PG_ROOT.glob("*/bin") if (p / "initdb").exists()),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
    )
    if not found:
        raise PostgresMissing(
            f"no PostgreSQL under {PG_ROOT}: `make postgres` installs postgresql-15 and "
            "postgresql-15-postgis-3"
        )
    return found[-1]


def postgis_installed(binaries: Path) -> bool:
    share = Path("/usr/share/postgresql") / binaries.parent.name / "extension"
    return (share / "postgis.control").exists()


class LocalPostgres:
    """``initdb`` + ``pg_ctl start`` in a fresh temporary folder on a free loopback port;
    :attr:`url` names a database ``atlas`` on it. ``durable`` False turns fsync off (tests:
    nothing there needs to survive a power cut); the benchmark keeps it on."""

    def __init__(self, *, durable: bool = False, timeout: float = 60.0) -> None:
        self.bin = bin_dir()
        if not postgis_installed(self.bin):
            raise PostgresMissing(
                "PostGIS is not installed: `make postgres` installs postgresql-15-postgis-3"
            )
        self.folder = Path(tempfile.mkdtemp(prefix="geo-pg-"))
        self.data = self.folder / "data"
        self.port = free_port()
        self._as_postgres = os.geteuid() == 0
        if self._as_postgres:
            shutil.chown(self.folder, user="postgres", group="postgres")
        self._run(
            [
                str(self.bin / "initdb"),
                "-D",
                str(self.data),
                "-U",
                USER,
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ],
            timeout,
        )
        options = [
            f"-p {self.port}",
            "-c listen_addresses=127.0.0.1",
            f"-c unix_socket_directories={self.folder}",
            "-c max_connections=50",
        ]
        if not durable:
            options += ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]
        self._run(
            [
                str(self.bin / "pg_ctl"),
                "-D",
                str(self.data),
                "-l",
                str(self.folder / "server.log"),
                "-o",
                " ".join(options),
                "-w",
                "-t",
                str(int(timeout)),
                "start",
            ],
            timeout + 5,
        )
        self.server_url = f"postgresql://{USER}@127.0.0.1:{self.port}/postgres"
        self.url = f"postgresql://{USER}@127.0.0.1:{self.port}/{DATABASE}"
        self.create_database(DATABASE)

    def _run(self, command: list[str], timeout: float) -> None:
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(
            command, cwd=self.folder, capture_output=True, text=True, timeout=timeout
        )
        if done.returncode != 0:
            raise RuntimeError(
                f"{Path(command[-1] if command[-1] != 'start' else 'pg_ctl').name} failed "
                f"({done.returncode}): {done.stderr.strip() or done.stdout.strip()}"
            )

    def create_database(self, name: str, template: str | None = None) -> str:
        """A new database on this server (empty, or a copy of ``template``); its URL."""
        import psycopg

        # Names the caller chose, never user text.
        copy = f' TEMPLATE "{template}"' if template else ""
        with psycopg.connect(self.server_url, autocommit=True) as con:
            con.execute(f'CREATE DATABASE "{name}"{copy}')
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{name}"

    def log(self) -> str:
        path = self.folder / "server.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def close(self) -> None:
        """Stop the server (fast shutdown) and delete its folder."""
        if not self.data.exists():
            return
        try:
            self._run([str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "stop"], 60)
        except (RuntimeError, subprocess.TimeoutExpired):
            self._run(
                [str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"], 30
            )
        deadline = time.monotonic() + 10
        while (self.data / "postmaster.pid").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> LocalPostgres:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
