"""An accept killed part way (SIGKILL, in a real process, right after one of its files is
replaced) is completed by the next accept in a fresh process, or by opening the Ingest page:
each row once, the candidate accepted, the data valid. Before, a kill right after
events.csv left the candidate waiting forever ("already in events.csv")."""

from __future__ import annotations

import csv
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.bundle import load_bundle
from geo.ingest import pipeline
from geo.ingest.pipeline import Settings
from tests.app.helpers import errors, open_app, unescape_md

DATA_FILES = ("events.csv", "sites.csv", "sources.csv", "excerpts.csv", "aliases.csv")
ARTICLE = """Example News - Bishkek

Published: 12 June 2020

On Saturday, about 200 residents of At-Bashi rallied against a Chinese logistics hub in \
the Naryn region. Police detained 15 people.
"""

# Accepts one candidate; when KILL_AFTER names a file, the process kills itself (SIGKILL:
# no cleanup, no finally) as soon as that file has been replaced.
CHILD = """
import os, signal, sys
from pathlib import Path

kill_after = os.environ.get("KILL_AFTER", "")
real_replace = os.replace

def replace(src, dst, *args, **kwargs):
    real_replace(src, dst, *args, **kwargs)
    if kill_after and Path(dst).name == kill_after:
        os.kill(os.getpid(), signal.SIGKILL)

os.replace = replace

from geo.ingest import review
from geo.ingest.queue import ReviewQueue

queue, cid, data, store = sys.argv[1:5]
decision = review.accept(ReviewQueue(Path(queue)), cid, Path(data), Path(store))
print(decision.ok)
print(decision.message)
"""

# The points where an accept can be cut: its journal, each data file, the queue.
KILL_POINTS = (".accept.journal.json", "sources.csv", "excerpts.csv", "events.csv", "queue.jsonl")


@pytest.fixture
def settings(tmp_path: Path, data_dir: Path) -> Settings:
    data = tmp_path / "data"
    data.mkdir()
    for name in DATA_FILES:
        shutil.copy(data_dir / name, data / name)
    config = Settings.for_data(data, store=tmp_path / "store", queue=tmp_path / "queue.jsonl")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "kg.txt").write_text(ARTICLE, encoding="utf-8")
    pipeline.ingest_paths([folder / "kg.txt"], config)
    return config


def rally(settings: Settings) -> dict:
    (item,) = [i for i in settings.queue.items() if "At-Bashi rallied" in i["excerpt"]]
    return item


def accept_in_a_process(settings: Settings, kill_after: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            "-c",
            CHILD,
            str(settings.queue_path),
            rally(settings)["candidate_id"],
            str(settings.data_dir),
            str(settings.store_dir),
        ],
        env={**os.environ, "KILL_AFTER": kill_after},
        capture_output=True,
        text=True,
        timeout=120,
    )


def ids(folder: Path, name: str, key: str) -> list[str]:
    with (folder / name).open(encoding="utf-8", newline="") as handle:
        return [row[key] for row in csv.DictReader(handle)]


def assert_accepted_once(settings: Settings, event_id: str) -> None:
    data = settings.data_dir
    assert ids(data, "events.csv", "event_id").count(event_id) == 1
    excerpts = ids(data, "excerpts.csv", "excerpt_id")
    assert len(excerpts) == len(set(excerpts))
    sources = ids(data, "sources.csv", "source_id")
    assert len(sources) == len(set(sources)) and "kg" in sources
    item = rally(settings)
    assert (item["status"], item["event_id"]) == ("accepted", event_id)
    bundle = load_bundle(data, settings.store_dir)
    assert not bundle.errors, bundle.errors
    event = bundle.events.set_index("event_id").loc[event_id]
    assert set(event["excerpt_ids"].split(";")) <= set(bundle.excerpts["excerpt_id"])
    leftovers = [p.name for p in data.rglob(".*") if p.is_file() and not p.name.endswith(".lock")]
    assert leftovers == [], "no journal or temporary file is left behind"


@pytest.mark.parametrize("kill_after", KILL_POINTS)
def test_a_killed_accept_is_completed_by_the_next_accept(
    settings: Settings, kill_after: str
) -> None:
    killed = accept_in_a_process(settings, kill_after)
    assert killed.returncode == -signal.SIGKILL, (killed.stdout, killed.stderr)

    retry = accept_in_a_process(settings)
    assert retry.returncode == 0, retry.stderr
    ok, message = retry.stdout.splitlines()[:2]
    assert ok == "True", message
    event_id = message.split()[2]
    assert event_id.startswith("EV-") and "accepted as" in message
    assert_accepted_once(settings, event_id)

    again = accept_in_a_process(settings)
    assert again.stdout.splitlines()[:2] == ["False", f"already accepted as {event_id}"]


def test_opening_the_ingest_page_completes_a_killed_accept(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    killed = accept_in_a_process(settings, "events.csv")
    assert killed.returncode == -signal.SIGKILL, (killed.stdout, killed.stderr)
    assert rally(settings)["status"] == "pending"

    monkeypatch.setenv("GEO_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("GEO_STORE_DIR", str(settings.store_dir))
    monkeypatch.setenv("GEO_QUEUE", str(settings.queue_path))
    monkeypatch.setenv("GEO_CORPUS_DIR", str(settings.store_dir))
    at: AppTest = open_app(page="pages/ingest.py")
    assert not at.exception, errors(at)
    event_id = rally(settings)["event_id"]
    assert [unescape_md(str(s.value)) for s in at.success] == [
        f"An accept that was interrupted is now complete: {event_id} is in the data."
    ]
    assert any("1 accepted" in str(c.value) for c in at.caption)
    assert_accepted_once(settings, event_id)


def test_an_accept_cut_short_before_the_journal_existed_completes_on_retry(
    settings: Settings,
) -> None:
    # The state an older accept killed after events.csv left: the row in the data, the
    # candidate still waiting, no journal.
    done = accept_in_a_process(settings)
    event_id = done.stdout.splitlines()[1].split()[2]
    settings.queue.update(rally(settings)["candidate_id"], status="pending", event_id="")

    retry = accept_in_a_process(settings)
    ok, message = retry.stdout.splitlines()[:2]
    assert ok == "True" and f"accepted as {event_id}" in message, message
    assert_accepted_once(settings, event_id)
