"""The committed configuration is safe to deploy, and no secret is tracked by git."""

from __future__ import annotations

import re
import subprocess
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

SECRET_PATTERNS = {
    "private key": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    "AWS access key": re.compile(r"\bAKIA[0-9A-Z]{16}\b"),
    "GitHub token": re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"),
    "Slack token": re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}"),
    "password or secret assignment": re.compile(
        r"""(?ix)\b(password|passwd|secret|api[_-]?key|client[_-]?secret|token)\b
        \s*[:=]\s*["'][^"'\s]{8,}["']"""
    ),
    "database URL with a password": re.compile(r"\b\w+://[^/\s:@]+:[^/\s@]{3,}@[\w.-]+"),
}


def tracked_files() -> list[Path]:
    out = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True
    ).stdout.decode()
    return [REPO / name for name in out.split("\0") if name]


def test_streamlit_config_hides_errors_and_keeps_xsrf_on() -> None:
    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["showErrorDetails"] == "none"
    assert config["server"]["enableXsrfProtection"] is True
    assert 0 < config["server"]["maxUploadSize"] <= 50
    assert config["server"]["enableStaticServing"] is True


def test_no_secrets_file_is_tracked() -> None:
    names = [p.name for p in tracked_files()]
    assert "secrets.toml" not in names
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", ".streamlit/secrets.toml"], cwd=REPO, check=False
    )
    assert ignored.returncode == 0, ".streamlit/secrets.toml must be git-ignored"


def scan(text: str) -> list[str]:
    return [name for name, pattern in SECRET_PATTERNS.items() if pattern.search(text)]


@pytest.mark.parametrize(
    "sample",
    [
        'password = "hunter2hunter2"',
        "postgresql://atlas:s3cretpw@db.example.org/atlas",
        "-----BEGIN RSA PRIVATE KEY-----",
        "AKIAABCDEFGHIJKLMNOP",
    ],
)
def test_the_scanner_finds_secret_looking_values(sample: str) -> None:
    assert scan(sample)


def test_no_tracked_file_holds_a_secret_looking_value() -> None:
    found = []
    for path in tracked_files():
        if path == Path(__file__) or not path.is_file() or path.stat().st_size > 2_000_000:
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for name in scan(text):
            found.append(f"{path.relative_to(REPO)}: {name}")
    assert found == []


def test_a_local_env_file_is_never_committed() -> None:
    """``.env`` is where a database URL with its password ends up when set by hand."""
    for name in (".env", "deploy/.env"):
        found = subprocess.run(["git", "check-ignore", "-q", name], cwd=REPO, check=False)
        assert found.returncode == 0, f"{name} is not ignored by .gitignore"
