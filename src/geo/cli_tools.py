"""``geo loadtest`` and ``geo bench``: development tools that are not part of the product.

Their code is the ``atlas_tools`` package (``tools/`` in the repository), which ``make
setup-dev`` installs beside ``geo``; the product wheel does not ship it. The ``geo`` command
parses their arguments and imports the package only when one of them runs; without it the
command says so on one line and exits with status 2.

Registered through :data:`geo.cli.COMMAND_MODULES` (``geo bench``'s arguments are in
:mod:`geo.cli_data`).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from types import ModuleType
from typing import Any

TOOLS_PACKAGE = "atlas_tools"
MISSING_EXIT = 2


def load_tool(module: str, command: str) -> ModuleType | None:
    """``atlas_tools.<module>``, or None (after saying so on stderr) when the development tools
    are not installed. A module the tools themselves lack still raises."""
    try:
        return importlib.import_module(f"{TOOLS_PACKAGE}.{module}")
    except ModuleNotFoundError as exc:
        if exc.name != TOOLS_PACKAGE:
            raise
    print(
        f"geo {command}: the development tools ({TOOLS_PACKAGE}) are not installed; "
        "run `make setup-dev`",
        file=sys.stderr,
    )
    return None


def run_tool(module: str, command: str, args: argparse.Namespace) -> int:
    """Run ``command(args)`` of ``atlas_tools.<module>``; its exit status."""
    tool = load_tool(module, command)
    return MISSING_EXIT if tool is None else int(tool.command(args))


def _loadtest(args: argparse.Namespace) -> int:
    return run_tool("loadtest", "loadtest", args)


def register(commands: Any) -> None:
    """Add ``loadtest`` to the ``geo`` command's subparsers."""
    parser = commands.add_parser(
        "loadtest", help="concurrent browser sessions against one server on loopback"
    )
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--changes", type=int, default=10, help="filter changes per session")
    parser.add_argument("--url", help="a running server on loopback (default: start one)")
    parser.add_argument("--chromium", help="path to Chromium (default: chromium on PATH)")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per wait")
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument(
        "--client",
        choices=("browser", "protocol"),
        default="browser",
        help="headless Chromium sessions, or Streamlit's WebSocket protocol with no browser",
    )
    parser.add_argument("--link", help="protocol: the shared link's query string")
    parser.add_argument(
        "--proxy",
        action="store_true",
        help="protocol: two app processes on PostgreSQL behind nginx (deploy/)",
    )
    parser.add_argument(
        "--kill-one",
        action="store_true",
        help="protocol, with --proxy: kill one process half-way through",
    )
    parser.add_argument(
        "--map-reports",
        action="store_true",
        help="protocol: each session's map reports where it is drawn, as a browser's does, "
        "so the charts and the table under the map are drawn too",
    )
    parser.set_defaults(func=_loadtest)
