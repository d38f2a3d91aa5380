"""nginx in front of app processes on loopback, configured from the shipped template
(``deploy/nginx/atlas.conf.template``), so what the tests and the load test go through is what
a deployment installs.

Runs as any user: everything nginx writes (pid, logs, temporary files) is in a temporary
folder. Needs Debian's ``nginx`` (the Makefile's ``proxy`` target installs it).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

from atlas_tools import REPO
from atlas_tools.localserver import free_port, wait_until_ready

TEMPLATE = REPO / "deploy" / "nginx" / "atlas.conf.template"
_VARIABLE = re.compile(r"\$\{(ATLAS_[A-Z0-9_]+)\}")


class NginxMissing(RuntimeError):
    """No nginx binary on this machine."""


def nginx_path() -> str:
    found = os.environ.get("NGINX") or shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(found).exists():
        raise NginxMissing("nginx is not installed: `make proxy` installs Debian's nginx")
    return found


def render(template: str, values: dict[str, str]) -> str:
    """``template`` with each ``${ATLAS_*}`` replaced, as envsubst does with those variables
    set; nginx's own ``$variables`` are left alone. A variable without a value is an error."""
    missing = sorted(set(_VARIABLE.findall(template)) - set(values))
    if missing:
        raise KeyError(f"no value for {', '.join(missing)}")
    return _VARIABLE.sub(lambda m: values[m.group(1)], template)


def _main_config(folder: Path, site: Path) -> str:
    """The http-level frame a distribution's nginx.conf provides, with every path in
    ``folder``."""
    user = "user nobody nogroup;\n" if os.geteuid() == 0 else ""
    temps = "\n".join(
        f"    {kind}_temp_path {folder / 'tmp' / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""{user}worker_processes 1;
daemon off;
pid {folder / "nginx.pid"};
error_log {folder / "error.log"} warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
{temps}
    include {site};
}}
"""


class LocalProxy:
    """nginx on a loopback port (``port``, else a free one) in front of ``apps``
    (``host:port``, two of them), the atlas under ``/prefix/`` for the host name
    ``server_name``; :attr:`url` is the atlas's address through it. ``close()`` stops it and
    removes its folder."""

    def __init__(
        self,
        apps: list[str],
        prefix: str = "atlas",
        server_name: str = "127.0.0.1",
        timeout: float = 15.0,
        port: int | None = None,
    ) -> None:
        if len(apps) != 2:
            raise ValueError("the template has two app processes")
        binary = nginx_path()
        self.folder = Path(tempfile.mkdtemp(prefix="geo-nginx-"))
        self.port = port or free_port()
        self.access_log = self.folder / "access.log"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.folder / "tmp" / kind).mkdir(parents=True)
            if os.geteuid() == 0:
                shutil.chown(self.folder / "tmp" / kind, user="nobody")
        self.folder.chmod(0o755)
        self.site = self.folder / "atlas.conf"
        self.site.write_text(
            render(
                TEMPLATE.read_text(encoding="utf-8"),
                {
                    "ATLAS_PREFIX": prefix,
                    "ATLAS_SERVER_NAME": server_name,
                    "ATLAS_LISTEN": f"127.0.0.1:{self.port}",
                    "ATLAS_APP_1": apps[0],
                    "ATLAS_APP_2": apps[1],
                    "ATLAS_ACCESS_LOG": str(self.access_log),
                },
            ),
            encoding="utf-8",
        )
        self.config = self.folder / "nginx.conf"
        self.config.write_text(_main_config(self.folder, self.site), encoding="utf-8")
        command = [binary, "-p", str(self.folder), "-c", str(self.config), "-e", "stderr"]
        checked = subprocess.run([*command, "-t"], capture_output=True, text=True, timeout=30)
        if checked.returncode != 0:
            raise RuntimeError(f"nginx refused the configuration: {checked.stderr.strip()}")
        self.url = f"http://{server_name}:{self.port}/{prefix}"
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=(self.folder / "stderr.log").open("w")
        )

        def listens() -> bool:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return True

        wait_until_ready(
            self.process,
            listens,
            timeout,
            exited=lambda: f"nginx exited: {self.log()}",
            late=f"nginx did not listen on {self.port} within {timeout:.0f} s",
            on_late=self.close,
            pause=0.1,
        )

    def log(self) -> str:
        parts = [self.folder / "stderr.log", self.folder / "error.log"]
        return "\n".join(p.read_text(errors="replace") for p in parts if p.exists())

    def upstreams(self) -> list[tuple[str, str, str]]:
        """(request line, upstream addresses, route key) per proxied request, from the
        template's access log; the addresses are ``"a, b"`` where nginx tried ``a`` and went
        on to ``b``."""
        if not self.access_log.exists():
            return []
        found = re.findall(
            r'"([^"]*)" \d+ \d+ upstream=(.+?) route=(\S+)',
            self.access_log.read_text(errors="replace"),
        )
        return [(request, upstream, route) for request, upstream, route in found]

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> LocalProxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
