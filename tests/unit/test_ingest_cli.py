"""``geo ingest`` as a user runs it: a folder with bad files among good ones (each bad file
named with its reason, the rest ingested, exit status 1), --dry-run, --published, usage."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import read_only

GEO = Path(sys.executable).parent / "geo"
DATA_FILES = (
    "events.csv",
    "sites.csv",
    "sources.csv",
    "excerpts.csv",
    "aliases.csv",
    "lexicon.csv",
)
OSH = "On March 27, about 300 people rallied in Osh against a Chinese mining project.\n"


def run_geo(*args: str | Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("GEO_STORE_DIR", "GEO_QUEUE")}
    return subprocess.run(
        [str(GEO), *map(str, args)], capture_output=True, text=True, env=env, timeout=120
    )


def private(tmp_path: Path, data_dir: Path) -> list[str | Path]:
    data = tmp_path / "data"
    data.mkdir()
    for name in DATA_FILES:
        shutil.copy(data_dir / name, data / name)
    return ["--data", data, "--store", tmp_path / "store", "--queue", tmp_path / "queue.jsonl"]


def test_bad_files_are_named_with_their_reason_and_stop_nothing(tmp_path, data_dir) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "empty.txt").write_bytes(b"")
    (folder / "photo.html").write_bytes(bytes(range(256)) * 8)
    (folder / "huge.txt").write_bytes(b"a" * 5_000_000)
    (folder / "cyrillic.txt").write_bytes("Митинг в Алматы".encode("cp1251"))
    (folder / "paris.txt").write_text("On 3 May 2021, thousands marched in Paris.\n")
    (folder / "sources.csv").write_text(
        "source_id,file,title,publisher,author,published,url\n"
        "osh-rally,osh.txt,Rally in Osh,Osh Times,,2020-04-08,https://example.org/osh\n"
    )
    (folder / "osh.txt").write_text(OSH)
    result = run_geo("ingest", "--json", *private(tmp_path, data_dir), folder)
    assert result.returncode == 1, result.stderr
    err = result.stderr
    assert "empty.txt: refused: the file is empty" in err
    assert "photo.html: refused: this is a binary file" in err
    assert "huge.txt: refused: the file is 5.0 MB; the limit is 2.0 MB" in err
    assert "cyrillic.txt: refused: the file is not UTF-8 text" in err
    assert "paris.txt: no place in Kazakhstan, Kyrgyzstan or Xinjiang" in err
    assert "[6/6]" in err and "6 file(s), 4 refused; 1 candidate(s), 1 new" in err
    (record,) = [json.loads(line) for line in result.stdout.splitlines()]
    # The sources.csv beside the files gives the id and the publication date.
    assert (record["source_id"], record["event_date"], record["location"]) == (
        "osh-rally",
        "2020-03-27",
        "Osh",
    )
    assert record["source_meta"]["title"] == "Rally in Osh"
    assert record["participants"] == "about 300"


def test_published_flag_dry_run_and_plain_output(tmp_path: Path, data_dir: Path) -> None:
    article = tmp_path / "osh.txt"
    article.write_text(OSH)
    args = private(tmp_path, data_dir)
    result = run_geo("ingest", "--dry-run", "--published", "2019-01-10", *args, article)
    assert result.returncode == 0, result.stderr
    assert "osh.txt: 1 candidate(s), 1 new" in result.stdout
    assert "nothing written (--dry-run)" in result.stdout
    assert not (tmp_path / "queue.jsonl").exists() and not (tmp_path / "store").exists()

    shown = run_geo("ingest", "--json", "--published", "2019-01-10", *args, article)
    (record,) = [json.loads(line) for line in shown.stdout.splitlines()]
    assert record["event_date"] == "2018-03-27"  # the latest 27 March before publication
    assert (tmp_path / "store" / "osh.txt").read_text() == OSH


def test_usage_errors(tmp_path: Path) -> None:
    assert run_geo("ingest").returncode == 2
    missing = run_geo("ingest", "--dry-run", "--data", tmp_path, tmp_path / "nope.txt")
    assert missing.returncode == 1 and "nope.txt: refused: not found" in missing.stderr
    bad_date = run_geo("ingest", "--published", "8 April", tmp_path)
    assert bad_date.returncode == 2 and "--published" in bad_date.stderr


def test_a_read_only_data_folder_is_reported_per_file_without_a_traceback(
    tmp_path: Path, data_dir: Path
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    for name in DATA_FILES:
        shutil.copy(data_dir / name, data / name)
    articles = tmp_path / "in"
    articles.mkdir()
    (articles / "osh.txt").write_text(OSH)
    (articles / "naryn.txt").write_text(OSH.replace("Osh", "Naryn"))
    before = {p: p.read_bytes() for p in data.rglob("*") if p.is_file()}
    with read_only(data):
        # The queue and the article store are where they are by default: in the data folder.
        result = run_geo("ingest", "--data", data, articles)
    assert result.returncode in (1, 2), result.stderr
    assert "Traceback" not in result.stderr
    for name in ("naryn.txt", "osh.txt"):
        (line,) = [x for x in result.stderr.splitlines() if f"{name}: refused:" in x]
        assert f"cannot write {data}" in line
    assert "2 file(s), 2 refused" in result.stdout
    assert {p: p.read_bytes() for p in data.rglob("*") if p.is_file()} == before
