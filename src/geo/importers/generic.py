"""Any CSV or GeoJSON of events (or a CSV of sites), with a column mapping onto the atlas's
fields.

``--map lat=Y,lon=X,id=uid,date=when,country=cc`` names, for each field of the atlas, the
column (or GeoJSON property) that holds it; a field left out is read from a column of its
own name when the file has one. Without an id, a row's id is a digest of its values (so
importing the same rows again changes nothing); without a country, the point's area decides.

A facility list (``--as sites --category detention``) becomes sites on that category's layer:
its ids are the file's name and the row's id (so importing it again changes nothing), and the
columns the mapping does not name that hold text are kept in the site's notes. When a column
holds the names, a row without one is rejected.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import shapely

from geo.bundle import area_shapes, load_admin1
from geo.importers import jsonstream
from geo.importers.acled import category_of, parse_date
from geo.importers.base import (
    ROW_TOO_DEEP,
    ImportResult,
    Progress,
    Record,
    RowParser,
    UnreadableFile,
    read_deletions,
    read_records,
    run_import,
    shown_admin1,
)
from geo.importers.rejects import Reject, Rejects, RejectSink
from geo.model import AREAS, Category, Confidence, GeoPrecision, TimePrecision
from geo.regions import assign_regions
from geo.store.base import ImportCounts, StoreWriter
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
# The site fields a mapping can name (``--as sites``), and their short names.
SITE_FIELDS = (
    "site_id",
    "name",
    "latitude",
    "longitude",
    "iso",
    "category",
    "site_type",
    "admin1",
    "location",
    "geo_precision",
    "date_open",
    "date_close",
    "actor1",
    "notes",
)
SITE_ALIASES = {**ALIASES, "id": "site_id", "title": "name", "date": "date_open"}
SITE_SEARCH_COLUMNS = ("name", "location", "admin1", "region", "country", "actor1", "site_type")
NOT_TEXT = {"", "N/A", "#N/A", "NA", "NAN", "NONE", "NULL", "-"}
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
    "KYRGYZ REPUBLIC": "KGZ",
}


def parse_mapping(text: str, *, sites: bool = False) -> dict[str, str]:
    """``field=column`` pairs separated by commas, as a dict keyed by the atlas's field (a
    site's fields with ``sites``)."""
    known, aliases = (SITE_FIELDS, SITE_ALIASES) if sites else (FIELDS, ALIASES)
    mapping: dict[str, str] = {}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        name, equals, column = part.partition("=")
        target = aliases.get(name.strip().lower(), name.strip().lower())
        if not equals or not column.strip():
            raise ValueError(f"mapping part {part.strip()!r} is not field=column")
        if target not in known:
            raise ValueError(f"unknown field {name.strip()!r} (known: {', '.join(known)})")
        mapping[target] = column.strip()
    return mapping


def resolve(
    mapping: Mapping[str, str], columns: list[str], known: Iterable[str] = FIELDS
) -> dict[str, str]:
    """The column read for each field: the mapped one, else one named like the field."""
    resolved = {f: c for f, c in mapping.items()}
    for name in known:
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


def row_parser(
    fields: Mapping[str, str], origin: str, default_category: Category | None = None
) -> RowParser:
    """A parser of one record into a store row, reading each field from its column (the
    ``category`` given for rows whose own column does not name one)."""
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
            else default_category or category_of(event_type, get(values, "sub_event_type"))
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
    store: StoreWriter,
    mapping: Mapping[str, str],
    *,
    deletions: str | Path | None = None,
    progress: Progress | None = None,
    origin: str = "csv",
    category: Category | None = None,
) -> ImportResult:
    """Import a CSV of events; ``mapping`` must give (or the header hold) latitude and
    longitude."""
    rejects = Rejects()
    required = [mapping.get(f, f) for f in ("latitude", "longitude")]
    header, records = read_records(path, required, rejects, progress)
    parse = row_parser(resolve(mapping, header), origin, category)
    deleted = read_deletions(deletions) if deletions else ()
    return run_import(store, records, parse, rejects, origin=origin, deletions=deleted)


# The features whose property names decide which fields are read from columns of their
# own name (read ahead of the import, and kept until it starts).
KEY_SAMPLE = 1000


def _features(path: str | Path, progress: Progress | None = None) -> Iterator[object]:
    """The features of one GeoJSON FeatureCollection, read one at a time. Anything else, or
    text that is not JSON anywhere in the file, raises :class:`UnreadableFile` (then the
    import, one transaction, changes nothing)."""
    try:
        handle = open(path, encoding="utf-8-sig")  # noqa: SIM115 (closed below)
    except OSError as exc:
        raise UnreadableFile(f"cannot read {path} as GeoJSON: {exc}") from exc
    with handle:
        seen = False
        try:
            for found in jsonstream.features(handle, path, recover=False, progress=progress):
                if isinstance(found, jsonstream.JsonError):
                    raise UnreadableFile(f"cannot read {path} as GeoJSON: {found}")
                if not found.in_collection:
                    raise UnreadableFile(f"{path} is not a GeoJSON FeatureCollection")
                seen = True
                yield found.value
            if not seen and jsonstream.blank(handle):
                raise UnreadableFile(f"cannot read {path} as GeoJSON: the file is empty")
        except UnicodeDecodeError as exc:
            raise UnreadableFile(f"cannot read {path} as GeoJSON: {exc}") from exc


def geojson_records(features: Iterable[object], rejects: RejectSink) -> Iterator[Record]:
    """Point features as records (``line`` is the feature's number, from 1), with the
    point's coordinates as ``longitude`` and ``latitude``."""
    for number, feature in enumerate(features, start=1):
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        if (
            not isinstance(feature, dict)
            or not isinstance(geometry, dict)
            or geometry.get("type") != "Point"
        ):
            rejects.append(Reject(number, "geometry: not a GeoJSON Point"))
            continue
        coords = geometry.get("coordinates")
        if not isinstance(coords, list) or len(coords) < 2:
            rejects.append(Reject(number, "geometry: a Point needs [longitude, latitude]"))
            continue
        props = feature.get("properties") or {}
        try:
            values = {
                str(k): "" if v is None else str(v)
                for k, v in (props.items() if isinstance(props, dict) else [])
            }
            values["longitude"], values["latitude"] = str(coords[0]), str(coords[1])
            if "id" in feature and "id" not in values:
                values["id"] = str(feature["id"])
        except RecursionError:  # str() of a list nested hundreds of levels deep
            rejects.append(Reject(number, ROW_TOO_DEEP))
            continue
        yield Record(number, values)


def import_geojson(
    path: str | Path,
    store: StoreWriter,
    mapping: Mapping[str, str],
    *,
    deletions: str | Path | None = None,
    origin: str = "geojson",
    progress: Progress | None = None,
) -> ImportResult:
    """Import the Point features of a GeoJSON FeatureCollection, read one feature at a
    time; rejects name the feature by its number (1 for the first)."""
    rejects = Rejects()
    features = _features(path, progress)
    ahead = list(itertools.islice(features, KEY_SAMPLE))
    keys = {
        str(k)
        for f in ahead
        if isinstance(f, dict) and isinstance(f.get("properties"), dict)
        for k in f["properties"]
    }
    fields = {**resolve(mapping, sorted(keys)), "latitude": "latitude", "longitude": "longitude"}
    fields.setdefault("event_id", "id")  # the feature's own id, when it has one
    deleted = read_deletions(deletions) if deletions else ()
    parse = row_parser(fields, origin)
    records = geojson_records(itertools.chain(ahead, features), rejects)
    del ahead  # the chain holds the features read ahead until they are parsed
    return run_import(store, records, parse, rejects, origin=origin, deletions=deleted)


# ---- sites ----


@dataclass
class SiteImportResult(ImportResult):
    """An import of sites: also the warnings (kept rows worth a look, e.g. flagged ones)."""

    warnings: list[str] = field(default_factory=list)


def finish_sites(rows: list[dict[str, object]]) -> pd.DataFrame:
    """Parsed site rows as store rows: admin-1 region (point in polygon) and search text."""
    frame = pd.DataFrame.from_records(rows)
    frame["region"] = assign_regions(frame, load_admin1()).astype(str)
    shown_admin1(frame)
    columns = [frame[c].fillna("").astype(str).tolist() for c in SITE_SEARCH_COLUMNS]
    frame["search_text"] = [
        " ".join(" ".join(parts).split()).casefold() for parts in zip(*columns, strict=True)
    ]
    return frame


SiteParser = Callable[[dict[str, object]], dict[str, object]]
# Sites parsed and staged at a time: an AidData project carries its footprint's WKT.
SITE_CHUNK_ROWS = 2_000


def run_site_import(
    store: StoreWriter,
    items: Iterable[tuple[int, dict[str, object]]],
    parse: SiteParser,
    rejects: Rejects,
    *,
    file: str,
    kind: str,
    provenance: str,
    licence: str,
) -> SiteImportResult:
    """Parse each item (its position, its values) into a site row, a
    :class:`~geo.validate.RowError` rejecting it, and merge the good rows into the store in
    one transaction, by site id, staged :data:`SITE_CHUNK_ROWS` at a time (the items are
    read as the store takes the chunks). A row whose ``flags`` are set is kept and warned
    about. ``rejects`` are closed when the import fails."""
    with rejects.closed_on_error():
        result = SiteImportResult(rejects=rejects)
        curated = store.bundle_site_ids()
        seen: dict[str, int] = {}

        def frames() -> Iterator[pd.DataFrame]:
            rows: list[dict[str, object]] = []
            for position, values in items:
                try:
                    row = parse(values)
                except RowError as err:
                    rejects.append(Reject(position, f"{err.field}: {err.reason}"))
                    continue
                except RecursionError:  # a GeoJSON property nested hundreds of levels deep
                    rejects.append(Reject(position, ROW_TOO_DEEP))
                    continue
                site_id = str(row["site_id"])
                if site_id in curated:
                    rejects.append(
                        Reject(position, f"site_id: {site_id!r} belongs to the curated data")
                    )
                    continue
                if site_id in seen:
                    rejects.append(
                        Reject(position, f"site_id: duplicate {site_id!r} (of {seen[site_id]})")
                    )
                    continue
                seen[site_id] = position
                row["line"] = position
                row["origin"] = kind.split(" ")[0]  # anything but the bundle's origin
                row.setdefault("provenance", provenance)
                row.setdefault("licence", licence)
                if row.get("flags"):
                    result.warnings.append(f"{position}: {site_id}: {row['flags']}")
                rows.append(row)
                if len(rows) >= SITE_CHUNK_ROWS:
                    result.loaded += len(rows)
                    yield finish_sites(rows)
                    rows = []
            if rows:
                result.loaded += len(rows)
                yield finish_sites(rows)

        chunks = frames()
        first = next(chunks, None)  # a file with no good row records no import
        result.counts = (
            store.merge_sites(
                itertools.chain([first], chunks),
                file=file,
                kind=kind,
                provenance=provenance,
                licence=licence,
            )
            if first is not None
            else ImportCounts()
        )
        return result


def _slug(text: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-.") or "file"
    return slug[:40]


def site_parser(
    fields: Mapping[str, str], header: list[str], prefix: str, category: Category
) -> SiteParser:
    """A parser of one CSV record into a site row. The site's id is ``prefix-<id>`` (the row's
    own id, else a digest of its values); unmapped columns holding text go to its notes."""
    areas: _Areas | None = None
    mapped = set(fields.values())
    extra = [h for h in header if h and h not in mapped]

    def get(values: dict[str, object], name: str) -> str:
        column = fields.get(name)
        return str(values.get(column, "") or "").strip() if column else ""

    def parse(values: dict[str, object]) -> dict[str, object]:
        nonlocal areas
        for name, value in values.items():
            if len(str(value)) > MAX_FIELD:
                raise RowError(name, f"value of {len(str(value))} characters exceeds {MAX_FIELD}")
        raw_id = get(values, "site_id")
        if not raw_id:
            raw_id = hashlib.sha1(
                json.dumps([get(values, f) for f in SITE_FIELDS], ensure_ascii=False).encode()
            ).hexdigest()[:16]
        site_id = parse_id(f"{prefix}-{raw_id}", "site_id")
        point = {"latitude": get(values, "latitude"), "longitude": get(values, "longitude")}
        country = get(values, "iso")
        if country:
            iso = COUNTRY_CODES.get(country.upper())
            if iso is None:
                raise RowError("iso", f"unknown country {country[:30]!r} (KAZ, KGZ or CHN)")
        else:
            # The range checks first (a latitude of 200 is out of range, not "elsewhere").
            lat = parse_float(point["latitude"], "latitude")
            lon = parse_float(point["longitude"], "longitude")
            if not (-90 <= lat <= 90):
                raise RowError("latitude", f"latitude {lat} out of range -90..90")
            if not (-180 <= lon <= 180):
                raise RowError("longitude", f"longitude {lon} out of range -180..180")
            if areas is None:
                areas = _Areas()
            iso = areas.of(lat, lon)
        latitude, longitude = parse_point(point, iso)
        kind = (
            parse_enum(get(values, "category"), "category", Category)
            if get(values, "category")
            else category
        )
        dates: dict[str, object] = {}
        for name, edge in (("date_open", 0), ("date_close", 1)):
            raw = get(values, name)
            precision = TimePrecision.UNKNOWN
            bound = None
            if raw:
                if not _ISO_PARTIAL.match(raw):
                    raise RowError(name, f"not a date (YYYY, YYYY-MM or YYYY-MM-DD): {raw[:30]!r}")
                precision = infer_precision(raw)
                bound = parse_partial_date(raw, precision, name)[edge]
            dates[name] = raw
            dates["open_precision" if edge == 0 else "close_precision"] = (
                precision.value if raw else ""
            )
            dates["start" if edge == 0 else "stop"] = bound
        name = get(values, "name")
        if fields.get("name") and name.upper() in NOT_TEXT:
            # A list that names its sites names every one: a nameless row is a broken row.
            raise RowError("name", f"no name in column {fields['name'][:60]!r}")
        notes = [get(values, "notes")] if get(values, "notes") else []
        for column in extra:
            text = str(values.get(column, "") or "").strip()
            if text.upper() not in NOT_TEXT and any(ch.isalpha() for ch in text):
                notes.append(f"{column}: {text}")
        return {
            "site_id": site_id,
            "category": kind.value,
            "site_type": get(values, "site_type"),
            "name": name or f"{kind.label} site {raw_id}",
            "country": AREAS[iso].name,
            "iso": iso,
            "admin1": get(values, "admin1"),
            "location": get(values, "location"),
            "latitude": latitude,
            "longitude": longitude,
            "geo_precision": parse_enum(
                get(values, "geo_precision"), "geo_precision", GeoPrecision, GeoPrecision.EXACT
            ).value,
            **dates,
            "dates_basis": "from the imported file" if dates["date_open"] else "",
            "actor1": get(values, "actor1"),
            "confidence": Confidence.MEDIUM.value,
            "notes": "\n".join(notes),
        }

    return parse


def import_csv_sites(
    path: str | Path,
    store: StoreWriter,
    mapping: Mapping[str, str],
    *,
    category: Category = Category.OTHER,
    progress: Progress | None = None,
    provenance: str = "",
    licence: str = "",
) -> SiteImportResult:
    """Import a CSV of sites (a facility list) onto ``category``'s layer; ``mapping`` names
    the site fields' columns (see :data:`SITE_FIELDS`), and must give (or the header hold)
    latitude and longitude."""
    rejects = Rejects()
    required = [mapping.get(f, f) for f in ("latitude", "longitude")]
    header, records = read_records(path, required, rejects, progress)
    fields = resolve(mapping, header, SITE_FIELDS)
    name = Path(path).name
    parse = site_parser(fields, header, _slug(Path(path).stem), category)
    items = ((r.line, dict[str, object](r.values)) for r in records)
    return run_site_import(
        store,
        items,
        parse,
        rejects,
        file=name,
        kind=f"csv sites ({category.value})",
        provenance=provenance or f"{name} (CSV import)",
        licence=licence or "not recorded",
    )
