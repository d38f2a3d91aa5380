"""``geo bench --import-memory``: the peak memory of an import, against the whole-file way.

Two files are written to a temporary folder: a plain CSV of ``--csv-rows`` events (about 50
bytes a row: 1,000,000 rows make about 50 MB) and a synthetic ACLED export of
``--acled-rows`` events (about 260 bytes a row). Each is imported into a fresh store file
twice, each time in a process of its own, whose peak resident set size is read from the
kernel when it ends (``os.wait4``, as ``/usr/bin/time -v`` does):

- ``atlas``: ``geo import csv|acled``, which parses and stages the rows in chunks;
- ``naive``: the whole file read into one frame (``pandas.read_csv``), every row parsed into
  one list, one frame of store rows inserted at once.

The same rows are loaded both ways; only the memory differs.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

Log = Callable[[str], None]

# The naive importer: read the whole file, parse every row, insert one frame.
NAIVE = """
import sys
import pandas as pd
from geo.importers import acled, generic
from geo.importers.base import finish
from geo.store import DuckStore
from geo.store.base import to_arrow
from geo.store.reads import EVENT_TABLE_COLUMNS
from geo.validate import RowError

kind, path, store_path = sys.argv[1:4]
frame = pd.read_csv(path, dtype=str, keep_default_na=False)
if kind == "acled":
    parse = acled.parse_row
else:
    parse = generic.row_parser(generic.resolve({}, list(frame.columns)), "csv")
rows = []
for line, values in enumerate(frame.to_dict("records"), start=2):
    try:
        row = parse(values)
    except RowError:
        continue
    row.update(line=line, origin=kind, updated=int(str(row.get("updated") or 0)))
    rows.append(row)
table = to_arrow(finish(rows), EVENT_TABLE_COLUMNS)
store = DuckStore(store_path)
store._con.register("incoming", table)
store._con.execute("INSERT INTO events SELECT * FROM incoming")
print(len(rows))
"""


@dataclass
class MemoryRecord:
    file: str
    rows: int
    size_mb: float
    approach: str  # "atlas" or "naive"
    peak_rss_mb: float | None = None
    seconds: float | None = None
    exit_status: int | None = None


def plain_csv(rows: int, path: Path, seed: int = 20241205) -> Path:
    """A deterministic CSV of ``rows`` events in Kazakhstan: id, point, date, country,
    title."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write("event_id,latitude,longitude,event_date,iso,title\n")
        for i in range(rows):
            handle.write(
                f"G{i},{43 + rng.random():.4f},{76 + rng.random():.4f},"
                f"20{10 + i % 12}-0{1 + i % 9}-1{i % 9},KAZ,Protest {i % 97}\n"
            )
    return path


def peak_of(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float, int]:
    """Run ``command``; its peak resident set size in MB, its seconds and exit status."""
    started = time.perf_counter()
    with subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    ) as process:
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    return usage.ru_maxrss / 1024, seconds, process.returncode  # ru_maxrss is in kB on Linux


def run(csv_rows: int, acled_rows: int, work_dir: Path | None, log: Log) -> list[MemoryRecord]:
    """Measure both imports of both files; the records, atlas then naive for each file."""
    from atlas_tools.bench import synthetic_acled

    folder = Path(work_dir or tempfile.mkdtemp(prefix="geo-bench-memory-"))
    folder.mkdir(parents=True, exist_ok=True)
    files = [
        ("csv", _written(folder / f"plain-{csv_rows}.csv", csv_rows, plain_csv, log), csv_rows),
        (
            "acled",
            _written(folder / f"acled-{acled_rows}.csv", acled_rows, synthetic_acled, log),
            acled_rows,
        ),
    ]
    geo = str(Path(sys.executable).with_name("geo"))
    records = []
    for kind, path, rows in files:
        size = path.stat().st_size / 1e6
        for approach in ("atlas", "naive"):
            store = folder / f"{kind}-{approach}.duckdb"
            for stale in (store, store.with_suffix(".duckdb.wal")):
                stale.unlink(missing_ok=True)
            if approach == "atlas":
                command = [geo, "import", kind, str(path), "--store", str(store), "--quiet"]
            else:
                command = [sys.executable, "-c", NAIVE, kind, str(path), str(store)]
            log(f"[{kind} {rows:,} rows, {size:.0f} MB] {approach} import")
            peak, seconds, status = peak_of(command)
            record = MemoryRecord(kind, rows, round(size, 1), approach)
            record.peak_rss_mb, record.seconds = round(peak), round(seconds, 1)
            record.exit_status = status
            log(f"  {asdict(record)}")
            records.append(record)
    return records


def _status_mb(pid: int, field: str) -> float | None:
    """A ``/proc/<pid>/status`` memory field (VmRSS now, VmHWM the peak) in MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return round(int(line.split()[1]) / 1024)
    except OSError:
        return None
    return None


@dataclass
class UploadRecord:
    file: str
    size_mb: float
    resting_mb: float | None = None  # the server's RSS on the Import page, before
    peak_mb: float | None = None  # its peak RSS over the upload and import
    after_mb: float | None = None  # its RSS once the result is shown, and a while after
    loaded: str = ""


def upload(path: Path, folder: Path, log: Log) -> UploadRecord:
    """Upload ``path`` (an ACLED export) on the Import page of a fresh server, in headless
    Chromium, import it into a store file, and read the server's memory around it."""
    from playwright.sync_api import sync_playwright

    from atlas_tools.localserver import CHROMIUM_ARGS, LocalServer, chromium_path

    store = folder / "upload.duckdb"
    for stale in (store, store.with_suffix(".duckdb.wal")):
        stale.unlink(missing_ok=True)
    record = UploadRecord(path.name, round(path.stat().st_size / 1e6, 1))
    with (folder / "upload-server.log").open("w") as log_file:
        server = LocalServer(env={"GEO_STORE": str(store)}, log=log_file)
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(
                    executable_path=chromium_path(), args=list(CHROMIUM_ARGS)
                )
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.goto(f"{server.url}/import")
                page.get_by_role("button", name="Import").wait_for(timeout=120_000)
                time.sleep(2)
                record.resting_mb = _status_mb(server.pid, "VmRSS")
                log(f"[upload {record.size_mb:g} MB] resting at {record.resting_mb} MB")
                dropzone = page.locator("[data-testid='stFileUploaderDropzoneInput']").first
                dropzone.set_input_files(str(path))
                page.get_by_text(path.name).first.wait_for(timeout=300_000)
                page.get_by_role("button", name="Import").click()
                done = page.get_by_text("Loaded ").first
                done.wait_for(timeout=1_800_000)
                record.loaded = done.inner_text()
                time.sleep(5)
                record.peak_mb = _status_mb(server.pid, "VmHWM")
                record.after_mb = _status_mb(server.pid, "VmRSS")
                browser.close()
        finally:
            server.close()
    log(f"  {asdict(record)}")
    return record


def upload_run(rows: int, work_dir: Path | None, log: Log) -> UploadRecord:
    """Write an ACLED export of ``rows`` events and measure its upload (see :func:`upload`)."""
    from atlas_tools.bench import synthetic_acled

    folder = Path(work_dir or tempfile.mkdtemp(prefix="geo-bench-memory-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = _written(folder / f"upload-{rows}.csv", rows, synthetic_acled, log)
    return upload(path, folder, log)


def _written(path: Path, rows: int, write: Callable[[int, Path], Path], log: Log) -> Path:
    if not path.exists():
        log(f"writing {path.name}")
        write(rows, path)
    return path


def table(records: list[MemoryRecord], uploaded: UploadRecord | None = None) -> str:
    """A Markdown table of the records, the naive/atlas ratio of each file's peak, and the
    server's memory around an upload."""
    lines = [
        "| file | rows | MB | approach | peak RSS (MB) | seconds | exit |",
        "|---|---:|---:|---|---:|---:|---:|",
    ]
    for r in records:
        lines.append(
            f"| {r.file} | {r.rows:,} | {r.size_mb:g} | {r.approach} | {r.peak_rss_mb:,} | "
            f"{r.seconds:g} | {r.exit_status} |"
        )
    by = {(r.file, r.approach): r for r in records}
    notes = []
    for kind in dict.fromkeys(r.file for r in records):
        atlas, naive = by.get((kind, "atlas")), by.get((kind, "naive"))
        if atlas and naive and atlas.peak_rss_mb and naive.peak_rss_mb:
            notes.append(
                f"- {kind}: peak RSS naive/atlas {naive.peak_rss_mb / atlas.peak_rss_mb:.1f}×"
            )
    if uploaded is not None:
        notes.append(
            f"- upload of {uploaded.file} ({uploaded.size_mb:g} MB) on the Import page: server "
            f"RSS {uploaded.resting_mb} MB before, peak {uploaded.peak_mb} MB, "
            f"{uploaded.after_mb} MB after ({uploaded.loaded.splitlines()[0][:80]})"
        )
    return "\n".join(lines + (["", *notes] if notes else []))


def write_json(records: list[MemoryRecord], uploaded: UploadRecord | None, path: Path) -> None:
    found = {"imports": [asdict(r) for r in records], "upload": uploaded and asdict(uploaded)}
    path.write_text(json.dumps(found, indent=2) + "\n")
