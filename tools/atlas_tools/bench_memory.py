"""``geo bench --import-memory``: the peak memory of an import, against the whole-file way.

Files are written to a temporary folder: a plain CSV of ``--csv-rows`` events (about 50
bytes a row: 1,000,000 rows make about 50 MB), a synthetic ACLED export of ``--acled-rows``
events (about 260 bytes a row), a GeoJSON FeatureCollection of ``--geojson-rows`` point
events, an AidData GCDF 2.0 GeoJSON of ``--aiddata-rows`` projects with polygon footprints,
and a facility list (a CSV of sites) of ``--site-rows`` rows. Each is imported into a fresh
store file twice, each time in a process of its own, whose peak resident set size is read
from the kernel when it ends (``os.wait4``, as ``/usr/bin/time -v`` does):

- ``atlas``: ``geo import ...``, which reads, parses and stages the rows in chunks;
- ``naive``: the whole file read at once (``pandas.read_csv``, or ``json.load``), every row
  parsed into one list, one frame of store rows inserted (or merged, for sites) at once.

The same rows are loaded both ways; only the memory differs.

An ACLED export of ``--bad-rows`` rows that are all bad (an unreadable date, a country
outside the atlas, a latitude out of range, in turn), and a CSV of ``--duplicate-rows``
rows that all repeat one id (every tenth with a bad latitude), are each imported twice with
``--rejects FILE``, also each in a process of its own:

- ``atlas``: ``geo import acled ... --rejects FILE``, which keeps the first rejects in
  memory and writes the rest to a temporary file as they come;
- ``whole list``: the same command with every reject held in memory until the report is
  written (the way before: one object per bad row, sorted at the end).
"""

from __future__ import annotations

import json
import math
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

# The facility list's columns, for both ways of importing it.
SITE_MAP = "lat=Lat,lon=Long,name=Name,id=Number"
# The naive importer: read the whole file, parse every row, insert one frame.
NAIVE = """
import json
import sys
import pandas as pd
from geo.importers import acled, generic
from geo.importers.base import finish
from geo.store import DuckStore
from geo.store.base import to_arrow
from geo.store.reads import EVENT_TABLE_COLUMNS
from geo.validate import RowError
SITE_MAP = "{SITE_MAP}"

kind, path, store_path = sys.argv[1:4]
store = DuckStore(store_path)
if kind in ("aiddata", "sites"):
    from geo.importers import aiddata
    from geo.model import Category

    if kind == "aiddata":
        data = json.load(open(path, encoding="utf-8"))
        items = list(enumerate(data["features"], start=1))
        parse = aiddata._Parser("gcdf.geojson")
    else:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        items = list(enumerate(frame.to_dict("records"), start=2))
        fields = generic.resolve(generic.parse_mapping(SITE_MAP, sites=True), list(frame.columns),
                                 generic.SITE_FIELDS)
        parse = generic.site_parser(fields, list(frame.columns), "facilities", Category.DETENTION)
    rows = []
    for position, values in items:
        try:
            row = parse(values)
        except RowError:
            continue
        row.update(line=position, origin=kind)
        rows.append(row)
    store.merge_sites(generic.finish_sites(rows), file=kind, kind=kind)
    print(len(rows))
    sys.exit(0)
if kind == "geojson":
    data = json.load(open(path, encoding="utf-8"))
    values = list(generic.geojson_records(data["features"], []))
    parse = generic.row_parser({**generic.resolve({}, sorted(values[0].values)),
                                "latitude": "latitude", "longitude": "longitude"}, kind)
    records = [(r.line, r.values) for r in values]
else:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    if kind == "acled":
        parse = acled.parse_row
    else:
        parse = generic.row_parser(generic.resolve({}, list(frame.columns)), "csv")
    records = list(enumerate(frame.to_dict("records"), start=2))
rows = []
for line, values in records:
    try:
        row = parse(values)
    except RowError:
        continue
    row.update(line=line, origin=kind, updated=int(str(row.get("updated") or 0)))
    rows.append(row)
table = to_arrow(finish(rows), EVENT_TABLE_COLUMNS)
store._con.register("incoming", table)
store._con.execute("INSERT INTO events SELECT * FROM incoming")
print(len(rows))
""".replace("{SITE_MAP}", SITE_MAP)


@dataclass
class MemoryRecord:
    file: str
    rows: int
    size_mb: float
    approach: str  # "atlas", "naive" or (the all-bad file) "whole list"
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


def bad_acled(rows: int, path: Path) -> Path:
    """A deterministic ACLED export of ``rows`` events that are all bad, in turn: an
    unreadable date, a country code outside the atlas, a latitude out of range (about 256
    bytes a row: 2,000,000 rows make about 510 MB)."""
    from geo.importers.acled import COLUMNS

    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(",".join(COLUMNS) + "\n")
        for i in range(rows):
            date, iso, lat = "27 March 2021", "398", "43.2567"
            if i % 3 == 0:
                date = f"not recorded {i % 1000}"
            elif i % 3 == 1:
                iso = str(500 + i % 400)
            else:
                lat = f"{143 + i % 40}.2567"
            handle.write(
                f"KAZB{i},{date},2021,1,Demonstrations,Protests,Peaceful protest,"
                f"Protesters (Kazakhstan),,6,,,0,60,,{iso},Central Asia,Kazakhstan,Almaty,,,"
                f"Almaty,{lat},76.9286,1,Radio Azattyq,National,"
                f'"Protesters rallied in Almaty, report {i}.",0,,1618000000\n'
            )
    return path


def duplicate_csv(rows: int, path: Path) -> Path:
    """A CSV of ``rows`` events that all repeat the first one's id and timestamp, but for
    every tenth, whose latitude is out of range: rejected as they are read, while the
    duplicates are found only once every row is staged, so the two kinds of rejects come
    out of line order."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write("event_id,latitude,longitude,event_date,iso,title\n")
        for i in range(rows):
            lat = "243.1" if i % 10 == 3 else "43.2567"
            handle.write(f"DUP,{lat},76.9286,2021-03-27,KAZ,Protest\n")
    return path


# The whole-list way: ``geo import`` with every reject held in memory to the end.
WHOLE_LIST = """
import sys
from geo import cli
from geo.importers import rejects
rejects.BUFFER = 1 << 62
sys.exit(cli.main(sys.argv[1:]))
"""


def point_geojson(rows: int, path: Path, seed: int = 20241206) -> Path:
    """A deterministic GeoJSON FeatureCollection of ``rows`` point events in Kazakhstan,
    written a feature at a time (one per line, as exporters write them)."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as handle:
        handle.write('{"type": "FeatureCollection", "features": [\n')
        for i in range(rows):
            feature = {
                "type": "Feature",
                "id": f"J{i}",
                "geometry": {
                    "type": "Point",
                    "coordinates": [round(76 + rng.random(), 4), round(43 + rng.random(), 4)],
                },
                "properties": {
                    "event_date": f"20{10 + i % 12}-0{1 + i % 9}-1{i % 9}",
                    "iso": "KAZ",
                    "title": f"Protest {i % 97}",
                    "notes": f"Reported by local media, item {i}.",
                },
            }
            handle.write(("," if i else "") + json.dumps(feature) + "\n")
        handle.write("]}\n")
    return path


def aiddata_geojson(rows: int, path: Path, seed: int = 20241207) -> Path:
    """A deterministic AidData GCDF 2.0 geospatial GeoJSON of ``rows`` projects in
    Kazakhstan, each footprint a polygon of 24 points around a town-sized area."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as handle:
        handle.write('{"type": "FeatureCollection", "features": [\n')
        for i in range(rows):
            lat, lon = 43 + rng.random(), 76 + rng.random()
            ring = [
                [round(lon + 0.01 * math.cos(a / 4), 5), round(lat + 0.01 * math.sin(a / 4), 5)]
                for a in range(24)
            ]
            feature = {
                "type": "Feature",
                "properties": {
                    "id": 100000 + i,
                    "AidData TUFF Project ID": 100000 + i,
                    "Recommended For Aggregates": "Yes",
                    "Title": f"China Development Bank loan for project {i}",
                    "Status": "Completion",
                    "Flow Type": "Loan",
                    "AidData Sector Name": "ENERGY",
                    "Commitment Year": 2010 + i % 10,
                    "Completion Year": 2015 + i % 5,
                    "Funding Agencies": "China Development Bank (CDB)",
                    "Recipient": "Kazakhstan",
                    "Amount (Constant USD2017)": 1000000.0 + i,
                },
                "geometry": {"type": "Polygon", "coordinates": [[*ring, ring[0]]]},
            }
            handle.write(("," if i else "") + json.dumps(feature) + "\n")
        handle.write("]}\n")
    return path


def facility_csv(rows: int, path: Path, seed: int = 20241208) -> Path:
    """A deterministic facility list of ``rows`` sites in Xinjiang, shaped as ASPI's (a
    number, a name, Lat/Long, and text columns kept in the notes)."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write("Number,Name,Lat,Long,Tier,Prefecture,Description\n")
        for i in range(rows):
            handle.write(
                f"{i + 1},Facility {i + 1},{43 + rng.random() * 0.6:.5f},"
                f"{87 + rng.random() * 0.6:.5f},{1 + i % 4},Urumqi,"
                f"Walled compound with watchtowers number {i}\n"
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


# How ``geo import`` reads each file (the facility list as sites, with its columns named).
IMPORT_ARGS: dict[str, list[str]] = {
    "csv": ["csv"],
    "acled": ["acled"],
    "geojson": ["geojson"],
    "aiddata": ["aiddata"],
    "sites": ["csv", "--as", "sites", "--category", "detention", "--map", SITE_MAP],
}


def run(
    csv_rows: int,
    acled_rows: int,
    work_dir: Path | None,
    log: Log,
    *,
    geojson_rows: int = 0,
    aiddata_rows: int = 0,
    site_rows: int = 0,
    bad_rows: int = 0,
    duplicate_rows: int = 0,
) -> list[MemoryRecord]:
    """Measure both imports of each file (a file of 0 rows is left out); the records, atlas
    then naive for each file, then the all-bad file (``bad_rows``) and the file of
    duplicates (``duplicate_rows``), atlas then whole list."""
    from atlas_tools.workload import synthetic_acled

    folder = Path(work_dir or tempfile.mkdtemp(prefix="geo-bench-memory-"))
    folder.mkdir(parents=True, exist_ok=True)
    wanted: list[tuple[str, str, int, Callable[[int, Path], Path]]] = [
        ("csv", "plain-{}.csv", csv_rows, plain_csv),
        ("acled", "acled-{}.csv", acled_rows, synthetic_acled),
        ("geojson", "points-{}.geojson", geojson_rows, point_geojson),
        ("aiddata", "gcdf-{}.geojson", aiddata_rows, aiddata_geojson),
        ("sites", "facilities-{}.csv", site_rows, facility_csv),
    ]
    files = [
        (kind, _written(folder / name.format(rows), rows, write, log), rows)
        for kind, name, rows, write in wanted
        if rows
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
                command = [geo, "import", *IMPORT_ARGS[kind][:1], str(path)]
                command += [*IMPORT_ARGS[kind][1:], "--store", str(store), "--quiet"]
            else:
                command = [sys.executable, "-c", NAIVE, kind, str(path), str(store)]
            log(f"[{kind} {rows:,} rows, {size:.0f} MB] {approach} import")
            records.append(
                _measured(command, MemoryRecord(kind, rows, round(size, 1), approach), log)
            )
    if bad_rows:
        path = _written(folder / f"acled-bad-{bad_rows}.csv", bad_rows, bad_acled, log)
        records += _rejects_run(folder, geo, "acled", path, bad_rows, "acled (all bad)", log)
    if duplicate_rows:
        path = _written(folder / f"dup-{duplicate_rows}.csv", duplicate_rows, duplicate_csv, log)
        label = "csv (duplicates)"
        records += _rejects_run(folder, geo, "csv", path, duplicate_rows, label, log)
    return records


def _measured(command: list[str], record: MemoryRecord, log: Log) -> MemoryRecord:
    """``record`` with the peak memory, time and exit status of ``command``."""
    peak, seconds, status = peak_of(command)
    record.peak_rss_mb, record.seconds = round(peak), round(seconds, 1)
    record.exit_status = status
    log(f"  {asdict(record)}")
    return record


def _rejects_run(
    folder: Path, geo: str, kind: str, path: Path, rows: int, label: str, log: Log
) -> list[MemoryRecord]:
    """Both imports of a file of rejects, each writing its rejects report; the two reports
    must agree."""
    size = path.stat().st_size / 1e6
    records = []
    reports = []
    for approach in ("atlas", "whole list"):
        store = folder / f"rejects-{kind}-{approach.replace(' ', '-')}.duckdb"
        report = store.with_suffix(".rejects.csv")
        for stale in (store, store.with_suffix(".duckdb.wal"), report):
            stale.unlink(missing_ok=True)
        command = ["import", kind, str(path), "--store", str(store), "--quiet"]
        command += ["--rejects", str(report)]
        if approach == "atlas":
            command = [geo, *command]
        else:
            command = [sys.executable, "-c", WHOLE_LIST, *command]
        log(f"[{label}, {rows:,} rows, {size:.0f} MB] {approach} import")
        records.append(_measured(command, MemoryRecord(label, rows, round(size, 1), approach), log))
        reports.append(report)
    if _digest(reports[0]) != _digest(reports[1]):
        raise RuntimeError(f"the rejects reports differ: {reports[0]} and {reports[1]}")
    lines = sum(1 for _ in reports[0].open(encoding="utf-8")) - 1
    log(f"  both reports list {lines:,} rejects, the same")
    for report in reports:
        report.unlink()
    return records


def _digest(path: Path) -> str:
    import hashlib

    found = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            found.update(block)
    return found.hexdigest()


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
    format: str = "ACLED export (CSV)"  # the Import page's format choice
    resting_mb: float | None = None  # the server's RSS on the Import page, before
    peak_mb: float | None = None  # its peak RSS over the upload and import
    after_mb: float | None = None  # its RSS once the result is shown, and a while after
    loaded: str = ""


def upload(
    path: Path, folder: Path, log: Log, format_label: str = "ACLED export (CSV)"
) -> UploadRecord:
    """Upload ``path`` as ``format_label`` on the Import page of a fresh server, in headless
    Chromium, import it into a store file, and read the server's memory around it."""
    from playwright.sync_api import sync_playwright

    from atlas_tools.localserver import CHROMIUM_ARGS, LocalServer, chromium_path

    store = folder / "upload.duckdb"
    for stale in (store, store.with_suffix(".duckdb.wal")):
        stale.unlink(missing_ok=True)
    record = UploadRecord(path.name, round(path.stat().st_size / 1e6, 1), format_label)
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
                page.get_by_text(format_label, exact=True).first.click()
                time.sleep(2)
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


def upload_run(rows: int, work_dir: Path | None, log: Log) -> list[UploadRecord]:
    """Measure uploads (see :func:`upload`) of an ACLED export of ``rows`` events, a GeoJSON
    of as many points, an AidData file of a quarter as many projects and an ACLED export of
    ``rows`` bad rows (each about 21-23 MB at the default 90,000: under the page's 25 MB
    upload limit)."""
    from atlas_tools.workload import synthetic_acled

    folder = Path(work_dir or tempfile.mkdtemp(prefix="geo-bench-memory-"))
    folder.mkdir(parents=True, exist_ok=True)
    files = [
        (f"upload-{rows}.csv", rows, synthetic_acled, "ACLED export (CSV)"),
        (f"points-{rows}.geojson", rows, point_geojson, "GeoJSON"),
        (
            f"gcdf-{rows // 4}.geojson",
            rows // 4,
            aiddata_geojson,
            "AidData GCDF projects (GeoJSON)",
        ),
        (f"acled-bad-{rows}.csv", rows, bad_acled, "ACLED export (CSV)"),
    ]
    return [
        upload(_written(folder / name, count, write, log), folder, log, label)
        for name, count, write, label in files
    ]


def _written(path: Path, rows: int, write: Callable[[int, Path], Path], log: Log) -> Path:
    if not path.exists():
        log(f"writing {path.name}")
        write(rows, path)
    return path


def table(records: list[MemoryRecord], uploaded: list[UploadRecord] | None = None) -> str:
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
        atlas = by.get((kind, "atlas"))
        for other in ("naive", "whole list"):
            naive = by.get((kind, other))
            if atlas and naive and atlas.peak_rss_mb and naive.peak_rss_mb:
                notes.append(
                    f"- {kind}: peak RSS {other}/atlas {naive.peak_rss_mb / atlas.peak_rss_mb:.1f}×"
                )
    for up in uploaded or []:
        notes.append(
            f"- upload of {up.file} ({up.size_mb:g} MB, {up.format}) on the Import page: server "
            f"RSS {up.resting_mb} MB before, peak {up.peak_mb} MB, "
            f"{up.after_mb} MB after ({(up.loaded.splitlines() or [''])[0][:80]})"
        )
    return "\n".join(lines + (["", *notes] if notes else []))


def write_json(
    records: list[MemoryRecord], uploaded: list[UploadRecord] | None, path: Path
) -> None:
    found = {
        "imports": [asdict(r) for r in records],
        "upload": asdict(uploaded[0]) if uploaded else None,  # the ACLED export
        "uploads": [asdict(u) for u in uploaded or []],
    }
    path.write_text(json.dumps(found, indent=2) + "\n")
