"""Load the curated data files into validated frames: events, sites, sources, excerpts.

The article texts are not part of the data folder: they are read from a corpus folder the
atlas is pointed at, and used to check excerpt offsets when present.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, cast

import geopandas as gpd
import pandas as pd
import shapely

from geo import validate as v
from geo.model import (
    AREAS,
    EVENT_COLUMNS,
    EXCERPT_COLUMNS,
    SITE_COLUMNS,
    SOURCE_COLUMNS,
    blank_missing_text,
)
from geo.regions import assign_regions
from geo.settings import default_data_dir
from geo.view import month_key


def __getattr__(name: str) -> Path:
    # DEFAULT_DATA_DIR, for modules still importing the name: found when asked for, since
    # the folder depends on where the app runs (geo.settings.default_data_dir).
    if name == "DEFAULT_DATA_DIR":
        return default_data_dir()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass
class Bundle:
    """Everything the atlas shows, validated, plus what was wrong with the files."""

    events: pd.DataFrame
    sites: pd.DataFrame
    sources: pd.DataFrame
    excerpts: pd.DataFrame
    problems: list[v.Problem] = field(default_factory=list)
    corpus_texts: dict[str, str] = field(default_factory=dict)
    version: str = ""

    @property
    def errors(self) -> list[v.Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def file_errors(self) -> list[v.Problem]:
        """Problems with a whole file (missing, unreadable, without its columns)."""
        return [p for p in self.errors if p.field in ("(file)", "(header)")]

    @property
    def warnings(self) -> list[v.Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    def month_span(self) -> tuple[str, str]:
        """First and last month ("YYYY-MM") covered by dated events and site dates."""
        starts = [d for d in self.events["start"].dropna()]
        stops = [d for d in self.events["stop"].dropna()]
        site_dates = [d for d in pd.concat([self.sites["start"], self.sites["stop"]]).dropna()]
        lows = starts or [date(2013, 1, 1)]
        highs = stops + [d for d in site_dates if d >= min(lows)] or lows
        return month_key(min(lows)), month_key(max(highs))


def _frame(records: list[v.Record], columns: list[str], extra: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(records, columns=[*columns, *extra, "line"])
    return blank_missing_text(frame.reset_index(drop=True))


def read_corpus(
    corpus_dir: Path | None, sources: pd.DataFrame
) -> tuple[dict[str, str], list[v.Problem]]:
    """Texts of the sources whose ``file`` lies in the corpus folder, keyed by source id."""
    texts: dict[str, str] = {}
    problems: list[v.Problem] = []
    if corpus_dir is None:
        return texts, problems
    # The stubs type a row's fields as any scalar; ``line`` holds ints.
    for row in cast(Iterator[Any], sources.itertuples()):
        name = str(row.file or "")
        if not name:
            continue
        path = corpus_dir / name
        if path.resolve().parent != corpus_dir.resolve():
            problems.append(
                v.Problem("sources.csv", int(row.line), "file", f"not a plain file name: {name!r}")
            )
            continue
        text, problem = v.read_text(path)
        if problem is not None:
            problems.append(
                v.Problem(
                    "sources.csv",
                    int(row.line),
                    "file",
                    f"article text unavailable ({problem.reason}); excerpt offsets not checked",
                    "warning",
                    str(row.source_id),
                )
            )
        elif text is not None:
            texts[str(row.source_id)] = text
    return texts, problems


def data_version(data_dir: Path) -> str:
    """A short digest of the data files: changes whenever any of them changes."""
    digest = hashlib.sha256()
    for name in sorted(v.COLUMNS_OF):
        path = data_dir / name
        digest.update(name.encode())
        if path.exists():
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def load_bundle(data_dir: Path | None = None, corpus_dir: Path | None = None) -> Bundle:
    """Read and validate the four data files (of ``data_dir``, by default the bundled data
    folder). Never raises for bad content: problems are returned in :attr:`Bundle.problems`
    and the good rows load."""
    if data_dir is None:
        data_dir = default_data_dir()
    problems: list[v.Problem] = []

    def rows_of(name: str) -> list[v.Row]:
        text, problem = v.read_text(data_dir / name)
        if problem is not None:
            problems.append(problem)
            return []
        rows, read_problems = v.read_rows(text or "", name, v.COLUMNS_OF[name])
        problems.extend(read_problems)
        return rows

    source_records, ps = v.validate_sources(rows_of("sources.csv"), "sources.csv")
    problems += ps
    sources = _frame(source_records, SOURCE_COLUMNS, [])
    texts, ps = read_corpus(corpus_dir, sources)
    problems += ps

    excerpt_records, ps = v.validate_excerpts(rows_of("excerpts.csv"), "excerpts.csv", texts)
    problems += ps
    excerpts = _frame(excerpt_records, EXCERPT_COLUMNS, ["offsets_checked"])
    excerpts["char_start"] = excerpts["char_start"].astype("int64")
    excerpts["char_end"] = excerpts["char_end"].astype("int64")

    site_records, ps = v.validate_sites(rows_of("sites.csv"), "sites.csv")
    problems += ps
    event_records, ps = v.validate_events(rows_of("events.csv"), "events.csv")
    problems += ps

    source_ids = set(sources["source_id"])
    excerpt_ids = set(excerpts["excerpt_id"])
    problems += v.check_links(site_records, "sites.csv", sources=source_ids, excerpts=excerpt_ids)
    problems += v.check_links(
        event_records,
        "events.csv",
        sources=source_ids,
        excerpts=excerpt_ids,
        sites={str(r["site_id"]) for r in site_records},
    )
    sites = _frame(site_records, SITE_COLUMNS, ["start", "stop"])
    events = _frame(event_records, EVENT_COLUMNS, ["start", "stop"])
    for frame in (events, sites):
        frame["latitude"] = frame["latitude"].astype("float64")
        frame["longitude"] = frame["longitude"].astype("float64")
        frame["line"] = frame["line"].astype("int64")

    problems += check_countries(events, "events.csv", "event_id")
    problems += check_countries(sites, "sites.csv", "site_id")
    if (geo_dir() / "admin1.geojson").exists():
        admin1 = load_admin1()
        events["region"] = assign_regions(events, admin1)
        sites["region"] = assign_regions(sites, admin1)
    else:
        events["region"] = ""
        sites["region"] = ""

    excerpt_text = dict(zip(excerpts["excerpt_id"], excerpts["text"], strict=True))
    events["search_text"] = _search_text(
        events,
        ["title", "location", "admin1", "region", "country", "actor1", "assoc_actor_1"],
        excerpt_text,
    )
    sites["search_text"] = _search_text(
        sites,
        ["name", "location", "admin1", "region", "country", "actor1", "site_type"],
        excerpt_text,
    )
    return Bundle(
        events=events,
        sites=sites,
        sources=sources,
        excerpts=excerpts,
        problems=problems,
        corpus_texts=texts,
        version=data_version(data_dir),
    )


def _search_text(
    frame: pd.DataFrame, columns: list[str], excerpt_text: dict[str, str]
) -> pd.Series:
    def one(row: pd.Series) -> str:
        parts = [str(row[c]) for c in columns]
        parts += [excerpt_text.get(x, "") for x in v.split_ids(str(row["excerpt_ids"]))]
        return " ".join(" ".join(parts).split()).casefold()

    if frame.empty:
        return pd.Series([], dtype="object")
    return frame.apply(one, axis=1)


# ---- borders ----


def geo_dir() -> Path:
    """The bundled borders and gazetteer: ``geo/`` of :func:`geo.settings.default_data_dir`."""
    return default_data_dir() / "geo"


@dataclass(frozen=True)
class PlaceLabel:
    """A name the offline base map writes at a point: a city, or a country."""

    name: str
    latitude: float
    longitude: float
    kind: str  # "country", "capital" (of a country or of Xinjiang) or "city"


# Where the base map writes the three areas' names (inside each, clear of the big cities).
COUNTRY_LABELS = (
    PlaceLabel("KAZAKHSTAN", 48.6, 66.0, "country"),
    PlaceLabel("KYRGYZSTAN", 41.7, 73.9, "country"),
    PlaceLabel("XINJIANG (CHINA)", 40.9, 84.6, "country"),
)


# Named at every zoom; the other cities from zoom 5 on (see geo.maps.PlaceNames).
CAPITALS = frozenset({"Astana", "Bishkek", "Ürümqi"})


def place_labels(min_population: int = 500_000, folder: Path | None = None) -> list[PlaceLabel]:
    """The names the offline base map shows: the three areas, and the cities of the bundled
    GeoNames extract (``gazetteer.csv`` in ``folder``, default :func:`geo_dir`) with at least
    ``min_population`` people, largest first."""
    path = (geo_dir() if folder is None else folder) / "gazetteer.csv"
    cities = pd.read_csv(path, usecols=["name", "latitude", "longitude", "population"])
    cities = cities[cities["population"].fillna(0) >= min_population]
    cities = cities.sort_values(["population", "name"], ascending=[False, True])
    rows = cities.to_dict("records")
    return [
        *COUNTRY_LABELS,
        *(
            PlaceLabel(
                str(r["name"]),
                float(r["latitude"]),
                float(r["longitude"]),
                "capital" if r["name"] in CAPITALS else "city",
            )
            for r in rows
        ),
    ]


def load_admin1(folder: Path | None = None) -> gpd.GeoDataFrame:
    """The admin-1 regions of the three areas (Natural Earth), EPSG:4326, from ``folder``
    (default: :func:`geo_dir`). Cached: callers must not modify the frame."""
    return _read_admin1(geo_dir() if folder is None else folder)


@functools.cache
def _read_admin1(folder: Path) -> gpd.GeoDataFrame:
    return gpd.read_file(folder / "admin1.geojson")


def area_shapes(admin1: gpd.GeoDataFrame) -> dict[str, shapely.Geometry]:
    """One polygon per atlas area, by ISO3 code: Kazakhstan, Kyrgyzstan, Xinjiang."""
    shapes: dict[str, shapely.Geometry] = {}
    for iso in AREAS:
        parts = admin1[admin1["adm0_a3"] == iso].geometry
        if len(parts):
            shapes[iso] = shapely.union_all(list(parts))
    return shapes


_SHAPES: dict[str, shapely.Geometry] | None = None


def check_countries(frame: pd.DataFrame, file: str, id_field: str) -> list[v.Problem]:
    """Warn where a point lies outside the polygon of its own country (point in polygon)."""
    global _SHAPES
    if frame.empty or not (geo_dir() / "admin1.geojson").exists():
        return []
    if _SHAPES is None:
        _SHAPES = area_shapes(load_admin1())
    problems = []
    points = shapely.points(frame["longitude"].to_numpy(), frame["latitude"].to_numpy())
    for iso, shape in _SHAPES.items():
        mask = (frame["iso"] == iso).to_numpy()
        inside = shapely.covers(shape, points[mask]) | (
            shapely.distance(shape, points[mask]) < 0.001
        )
        # The stubs type a row's fields as any scalar; ``line`` holds ints.
        for row, ok in zip(cast(Iterator[Any], frame[mask].itertuples()), inside, strict=True):
            if not ok:
                problems.append(
                    v.Problem(
                        file,
                        int(row.line),
                        "latitude",
                        f"point ({row.latitude}, {row.longitude}) lies outside "
                        f"{AREAS[iso].name}'s borders; a better coordinate is needed",
                        "warning",
                        str(getattr(row, id_field)),
                    )
                )
    return problems


def borders_geojson(folder: Path | None = None, tolerance: float = 0.02) -> str:
    """Admin-1 borders (of ``folder``, default :func:`geo_dir`) as compact GeoJSON for the
    map: simplified for display, 3 decimals."""
    admin1 = load_admin1(folder)
    admin1 = admin1[["name", "adm0_a3", "geometry"]].copy()
    admin1["geometry"] = admin1.geometry.simplify(tolerance, preserve_topology=True)
    admin1["geometry"] = shapely.set_precision(admin1.geometry.values, 0.001)
    data = json.loads(admin1.to_json(drop_id=True))
    return json.dumps(data, separators=(",", ":"), sort_keys=True)
