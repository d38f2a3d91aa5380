"""Any CSV or GeoJSON of events, with a column mapping onto the atlas's fields.

``--map lat=Y,lon=X,id=uid,date=when,country=cc`` names, for each field of the atlas, the
column (or GeoJSON property) that holds it; a field left out is read from a column of its
own name when the file has one. Without an id, a row's id is a digest of its values (so
importing the same rows again changes nothing); without a country, the point's area decides.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path

import shapely

from geo.bundle import area_shapes, load_admin1
from geo.importers.acled import category_of, parse_date
from geo.importers.base import (
    ImportResult,
    Progress,
    Record,
    Reject,
    RowParser,
    UnreadableFile,
    read_deletions,
    read_records,
    run_import,
)
from geo.model import AREAS, Category, Confidence, GeoPrecision, TimePrecision
from geo.store.duck import DuckStore
from geo.validate import (
    MAX_FIELD,
    RowError,
    infer_precision,
    parse_enum,
    parse_float,
    parse_id,
    parse_partial_date,
    parse_point,
)

_ISO_PARTIAL = re.compile(r"^[0-9]{4}(-[0-9]{2}){0,2}$")
# The atlas's fields a mapping can name, and the short names it accepts for them.
FIELDS = (
    "event_id",
    "event_date",
    "latitude",
    "longitude",
    "iso",
    "category",
    "title",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "admin1",
    "location",
    "geo_precision",
    "fatalities",
    "tags",
    "notes",
    "updated",
)
ALIASES = {
    "id": "event_id",
    "date": "event_date",
    "lat": "latitude",
    "lon": "longitude",
    "lng": "longitude",
    "country": "iso",
    "timestamp": "updated",
}
COUNTRY_CODES = {
    **{iso: iso for iso in AREAS},
    "KZ": "KAZ",
    "KG": "KGZ",
    "CN": "CHN",
    "398": "KAZ",
    "417": "KGZ",
    "156": "CHN",
    "KAZAKHSTAN": "KAZ",
    "KYRGYZSTAN": "KGZ",
    "CHINA": "CHN",
    "XINJIANG": "CHN",
}


def parse_mapping(text: str) -> dict[str, str]:
    """``field=column`` pairs separated by commas, as a dict keyed by the atlas's field."""
    mapping: dict[str, str] = {}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        name, equals, column = part.partition("=")
        target = ALIASES.get(name.strip().lower(), name.strip().lower())
        if not equals or not column.strip():
            raise ValueError(f"mapping part {part.strip()!r} is not field=column")
        if target not in FIELDS:
            raise ValueError(f"unknown field {name.strip()!r} (known: {', '.join(FIELDS)})")
        mapping[target] = column.strip()
    return mapping


def resolve(mapping: Mapping[str, str], columns: list[str]) -> dict[str, str]:
    """The column read for each field: the mapped one, else one named like the field."""
    resolved = {f: c for f, c in mapping.items()}
    for name in FIELDS:
        if name not in resolved and name in columns:
            resolved[name] = name
    return resolved


class _Areas:
    """Which of the three areas holds a point (for rows that do not say)."""

    def __init__(self) -> None:
        self.shapes = area_shapes(load_admin1())
        for shape in self.shapes.values():
            shapely.prepare(shape)

    def of(self, lat: float, lon: float) -> str:
        for iso, shape in self.shapes.items():
            if shapely.contains_xy(shape, lon, lat):
                return iso
        raise RowError(
            "latitude",
            f"({lat}, {lon}) lies outside the atlas's three areas (Kazakhstan, Kyrgyzstan, "
            "Xinjiang)",
        )


def row_parser(fields: Mapping[str, str], origin: str) -> RowParser:
    """A parser of one record into a store row, reading each field from its column."""
    areas: _Areas | None = None

    def get(values: dict[str, str], name: str) -> str:
        column = fields.get(name)
        return values.get(column, "").strip() if column else ""

    def parse(values: dict[str, str]) -> dict[str, object]:
        nonlocal areas
        for name, value in values.items():
            if len(value) > MAX_FIELD:
                raise RowError(name, f"value of {len(value)} characters exceeds {MAX_FIELD}")
        if not get(values, "latitude") and not get(values, "longitude"):
            raise RowError("latitude", "missing coordinates")
        raw_id = get(values, "event_id")
        if raw_id:
            event_id = parse_id(raw_id, "event_id")
        else:
            digest = hashlib.sha1(
                json.dumps([get(values, f) for f in FIELDS], ensure_ascii=False).encode()
            ).hexdigest()
            event_id = f"{origin}-{digest[:16]}"
        country = get(values, "iso")
        if country:
            iso = COUNTRY_CODES.get(country.upper())
            if iso is None:
                raise RowError("iso", f"unknown country {country[:30]!r} (KAZ, KGZ or CHN)")
        else:
            if areas is None:
                areas = _Areas()
            lat = parse_float(get(values, "latitude"), "latitude")
            lon = parse_float(get(values, "longitude"), "longitude")
            iso = areas.of(lat, lon)
        point = {"latitude": get(values, "latitude"), "longitude": get(values, "longitude")}
        latitude, longitude = parse_point(point, iso)
        raw_date = get(values, "event_date")
        if not raw_date:
            event_date, precision, start, stop = "", TimePrecision.UNKNOWN, None, None
        elif _ISO_PARTIAL.match(raw_date):
            precision = infer_precision(raw_date)
            start, stop = parse_partial_date(raw_date, precision, "event_date")
            event_date = raw_date
        else:
            day = parse_date(raw_date)
            precision, start, stop, event_date = TimePrecision.DAY, day, day, day.isoformat()
        event_type = get(values, "event_type")
        category = (
            parse_enum(get(values, "category"), "category", Category)
            if get(values, "category")
            else category_of(event_type, get(values, "sub_event_type"))
        )
        geo = parse_enum(
            get(values, "geo_precision"), "geo_precision", GeoPrecision, GeoPrecision.CITY
        )
        updated = get(values, "updated")
        if updated and not updated.lstrip("-").isdigit():
            raise RowError("updated", f"not a whole number: {updated[:40]!r}")
        location = get(values, "location")
        return {
            "event_id": event_id,
            "event_date": event_date,
            "time_precision": precision.value,
            "category": category.value,
            "event_type": event_type,
            "sub_event_type": get(values, "sub_event_type"),
            "title": get(values, "title") or f"{event_type or category.label} in {location or iso}",
            "actor1": get(values, "actor1"),
            "assoc_actor_1": get(values, "assoc_actor_1"),
            "country": AREAS[iso].name,
            "iso": iso,
            "admin1": get(values, "admin1"),
            "location": location,
            "latitude": latitude,
            "longitude": longitude,
            "geo_precision": geo.value,
            "fatalities": get(values, "fatalities"),
            "confidence": Confidence.MEDIUM.value,
            "tags": get(values, "tags"),
            "notes": get(values, "notes"),
            "start": start,
            "stop": stop,
            "updated": int(updated or 0),
        }

    return parse


def import_csv(
    path: str | Path,
    store: DuckStore,
    mapping: Mapping[str, str],
    *,
    deletions: str | Path | None = None,
    progress: Progress | None = None,
    origin: str = "csv",
) -> ImportResult:
    """Import a CSV of events; ``mapping`` must give (or the header hold) latitude and
    longitude."""
    rejects: list[Reject] = []
    required = [mapping.get(f, f) for f in ("latitude", "longitude")]
    header, records = read_records(path, required, rejects, progress)
    parse = row_parser(resolve(mapping, header), origin)
    deleted = read_deletions(deletions) if deletions else ()
    return run_import(store, records, parse, rejects, origin=origin, deletions=deleted)


def _features(path: str | Path) -> list[object]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UnreadableFile(f"cannot read {path} as GeoJSON: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("features"), list):
        raise UnreadableFile(f"{path} is not a GeoJSON FeatureCollection")
    return list(data["features"])


def geojson_records(features: list[object], rejects: list[Reject]) -> Iterator[Record]:
    """Point features as records (``line`` is the feature's number, from 1), with the
    point's coordinates as ``longitude`` and ``latitude``."""
    for number, feature in enumerate(features, start=1):
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        if not isinstance(geometry, dict) or geometry.get("type") != "Point":
            rejects.append(Reject(number, "geometry: not a GeoJSON Point"))
            continue
        coords = geometry.get("coordinates")
        if not isinstance(coords, list) or len(coords) < 2:
            rejects.append(Reject(number, "geometry: a Point needs [longitude, latitude]"))
            continue
        props = feature.get("properties") or {}
        values = {
            str(k): "" if v is None else str(v)
            for k, v in (props.items() if isinstance(props, dict) else [])
        }
        values["longitude"], values["latitude"] = str(coords[0]), str(coords[1])
        if "id" in feature and "id" not in values:
            values["id"] = str(feature["id"])
        yield Record(number, values)


def import_geojson(
    path: str | Path,
    store: DuckStore,
    mapping: Mapping[str, str],
    *,
    deletions: str | Path | None = None,
    origin: str = "geojson",
) -> ImportResult:
    """Import the Point features of a GeoJSON FeatureCollection; rejects name the feature
    by its number (1 for the first)."""
    rejects: list[Reject] = []
    features = _features(path)
    keys = {
        str(k)
        for f in features[:1000]
        if isinstance(f, dict) and isinstance(f.get("properties"), dict)
        for k in f["properties"]
    }
    fields = {**resolve(mapping, sorted(keys)), "latitude": "latitude", "longitude": "longitude"}
    fields.setdefault("event_id", "id")  # the feature's own id, when it has one
    deleted = read_deletions(deletions) if deletions else ()
    parse = row_parser(fields, origin)
    return run_import(
        store, geojson_records(features, rejects), parse, rejects, origin=origin, deletions=deleted
    )
