"""AidData's Global Chinese Development Finance (GCDF) geospatial GeoJSON, as sites.

Both schemas are read, recognised from each feature's properties: 2.0 (``Title``,
``Recipient``, ``AidData Sector Name``, ``Amount (Constant USD2017)``, dates as text
"2012-09-10 00:00:00") and 3.0 (``Recipient.ISO-3``, ``Amount.(Constant.USD.2021)``,
``Sector.Name``, ``osm_links``, dates "YYYY-MM-DD"). A file may hold one FeatureCollection,
several concatenated, or one Feature per line. Each project becomes a ``bri_site`` at a
representative point inside its footprint (the footprint is kept as WKT), in the recipient's
country: a footprint lying in another area is flagged, never moved. A project is on the map
from its commitment on; its completion is kept (``completed``) and shown, but a finished
build is still a site, so it does not close it. Rejects name the feature
by its number in the file (1 for the first).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import TextIO

import shapely
from shapely.geometry import shape

from geo.importers import jsonstream
from geo.importers.base import Progress, UnreadableFile
from geo.importers.generic import COUNTRY_CODES, SiteImportResult, _Areas, run_site_import
from geo.importers.rejects import Reject, Rejects, RejectSink
from geo.model import AREAS, Category, Confidence, GeoPrecision, TimePrecision
from geo.store.base import StoreWriter
from geo.validate import RowError, check_plausible

LICENCE = (
    'data ODC-By 1.0 "AidData"; geometry ODbL 1.0 "© OpenStreetMap contributors" '
    "(derived from OpenStreetMap)"
)
_AMOUNT = re.compile(r"^amountconstantusd(\d{4})$")
_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00:00(?:\.0+)?)?$")
_US_DAY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def _key(name: str) -> str:
    """A property name reduced to lower-case letters and digits, so "Commitment Year" and
    "Commitment.Year" are one key."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


def read_features(
    handle: TextIO,
    rejects: RejectSink,
    path: str | Path = "the file",
    progress: Progress | None = None,
) -> Iterator[tuple[int, dict[str, object]]]:
    """Every Feature of the text (one FeatureCollection, several concatenated, or one Feature
    per line) with its number in the file, read one at a time; what cannot be read is
    rejected and skipped (a line that is not JSON costs that line; inside a collection,
    reading stops there, the features before it kept). Raises
    :class:`~geo.importers.base.UnreadableFile` for a value nested too deeply to read
    (where it ends cannot be known, so nothing after it can be read either)."""
    number = skipped = 0  # an unreadable stretch counts as one feature
    for found in jsonstream.features(handle, path, progress=progress):
        if isinstance(found, jsonstream.JsonError):
            number += 1
            skipped += 1
            rejects.append(Reject(number, f"json: unreadable at line {found.line}: {found.reason}"))
            continue
        number = found.number + skipped
        value = found.value
        kind = value.get("type") if isinstance(value, dict) else None
        if found.in_collection:
            if isinstance(value, dict):
                yield number, value
            else:
                rejects.append(Reject(number, "feature: not a GeoJSON Feature"))
        elif kind == "Feature" and isinstance(value, dict):
            yield number, value
        else:
            rejects.append(
                Reject(
                    number,
                    f"json: line {found.line} is not a GeoJSON Feature or FeatureCollection",
                )
            )


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _day(value: object, field: str) -> date | None:
    text = _text(value)
    if not text:
        return None
    day: date | None = None
    try:
        if found := _DAY.match(text):
            day = date(int(found[1]), int(found[2]), int(found[3]))
        elif found := _US_DAY.match(text):
            day = date(int(found[3]), int(found[1]), int(found[2]))
    except ValueError:
        pass
    if day is None:
        raise RowError(field, f"not a date: {text[:30]!r}")
    check_plausible(day, day, field, text)
    return day


def _year(value: object, field: str) -> int | None:
    text = _text(value)
    if not text:
        return None
    try:
        year = int(float(text))
    except ValueError:
        raise RowError(field, f"not a year: {text[:30]!r}") from None
    if not 1 <= year <= 9999:
        raise RowError(field, f"year {year} out of range")
    check_plausible(date(year, 1, 1), date(year, 12, 31), field, text)
    return year


def _dated(day: date | None, year: int | None, *, end: bool) -> tuple[str, str, date | None]:
    """(text, precision, bound) of a date known to the day, else to the year."""
    if day is not None:
        return day.isoformat(), TimePrecision.DAY.value, day
    if year is not None:
        bound = date(year, 12, 31) if end else date(year, 1, 1)
        return str(year), TimePrecision.YEAR.value, bound
    return "", "", None


def schema_of(keys: set[str]) -> str:
    """The GCDF schema a feature's (reduced) property names belong to: "3.0", "2.0" or ""."""
    if "recipientiso3" in keys or "amountconstantusd2021" in keys or "sectorname" in keys:
        return "3.0"
    if "aiddatasectorname" in keys or "amountconstantusd2017" in keys:
        return "2.0"
    if "title" in keys and "recipient" in keys:
        return "2.0" if any(_AMOUNT.match(k) for k in keys) else ""
    return ""


class _Parser:
    def __init__(self, file: str) -> None:
        self.file = file
        self.areas = _Areas()
        self.schemas: set[str] = set()

    def __call__(self, feature: dict[str, object]) -> dict[str, object]:
        raw = feature.get("properties")
        if not isinstance(raw, dict):
            raise RowError("properties", "missing")
        props = {_key(str(k)): v for k, v in raw.items()}
        schema = schema_of(set(props))
        if not schema:
            raise RowError("properties", "not an AidData GCDF project (no Title, Recipient)")
        self.schemas.add(schema)
        project = next(
            (
                _text(props[k])
                for k in ("aiddatarecordid", "aiddatatuffprojectid", "id")
                if _text(props.get(k))
            ),
            _text(feature.get("id")),
        )
        if not re.fullmatch(r"[A-Za-z0-9_.-]{1,40}", project):
            raise RowError("id", f"missing or unusable project id: {project[:30]!r}")
        iso = _text(props.get("recipientiso3")).upper()
        recipient = _text(props.get("recipient"))
        if iso not in AREAS:
            iso = COUNTRY_CODES.get(recipient.upper(), "")
        if not iso:
            raise RowError("Recipient", f"{recipient[:40]!r} is not one of the atlas's areas")
        geometry = feature.get("geometry")
        if not isinstance(geometry, dict):
            raise RowError("geometry", "missing (no footprint)")
        try:
            footprint = shape(geometry)
        except (ValueError, TypeError, AttributeError, KeyError, IndexError) as exc:
            raise RowError("geometry", f"not a readable geometry: {exc}") from None
        if footprint.is_empty:
            raise RowError("geometry", "empty")
        if not footprint.is_valid:
            footprint = shapely.make_valid(footprint)
        point = footprint.representative_point()
        lon, lat = float(point.x), float(point.y)
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise RowError("geometry", f"point ({lat}, {lon}) out of range")
        amount_key = next((k for k in props if _AMOUNT.match(k)), "")
        amount_raw = props.get(amount_key) if amount_key else None
        amount: float | None = None
        if _text(amount_raw):
            try:
                amount = float(str(amount_raw).replace(",", ""))
            except ValueError:
                raise RowError("amount", f"not a number: {_text(amount_raw)[:30]!r}") from None
            if amount != amount or amount < 0:
                raise RowError("amount", f"not a usable amount: {amount}")
        found = _AMOUNT.match(amount_key) if amount_key else None
        currency_year = f"USD{found[1]}" if found else ""
        opened = _dated(
            _day(props.get("commitmentdatemmddyyyy"), "commitment date"),
            _year(props.get("commitmentyear"), "commitment year"),
            end=False,
        )
        closed = _dated(
            _day(props.get("actualcompletiondatemmddyyyy"), "completion date"),
            _year(props.get("completionyear"), "completion year"),
            end=True,
        )
        flags: list[str] = []
        inside = [a for a, s in self.areas.shapes.items() if shapely.intersects(s, footprint)]
        if iso not in inside:
            where = (
                "in " + " and ".join(AREAS[a].name for a in inside)
                if inside
                else "outside the atlas's three areas"
            )
            flags.append(
                f"footprint lies {where}, not in the recipient {AREAS[iso].name} "
                "(kept at the recipient; check the project)"
            )
        if opened[2] and closed[2] and closed[2] < opened[2]:
            flags.append("completed before its commitment date")
        started = _day(
            props.get("actualimplementationstartdatemmddyyyy"), "implementation start date"
        ) or _year(props.get("implementationstartyear"), "implementation start year")
        notes = [
            f"{label}: {_text(props.get(key))}"
            for label, key in (
                ("Flow type", "flowtype"),
                ("Flow class", "flowclass"),
                ("Receiving agencies", "receivingagencies"),
                ("Implementing agencies", "implementingagencies"),
                ("OpenStreetMap", "osmlinks"),
            )
            if _text(props.get(key))
        ]
        if started:
            notes.append(f"Implementation start: {started}")
        precision = _text(props.get("osmprecisionlist")).lower()
        funder = _text(props.get("fundingagencies"))
        return {
            "site_id": f"aiddata-{project}",
            "category": Category.BRI_SITE.value,
            "site_type": _text(props.get("flowtype")) or "development finance",
            "name": _text(props.get("title")) or f"AidData project {project}",
            "country": AREAS[iso].name,
            "iso": iso,
            "admin1": "",
            "location": "",
            "latitude": lat,
            "longitude": lon,
            "geo_precision": (
                GeoPrecision.EXACT if precision in ("", "precise") else GeoPrecision.REGION
            ).value,
            "date_open": opened[0],
            "open_precision": opened[1],
            # A completed build is not a closed site: completion is shown (``completed``),
            # and the site stays on the map after it.
            "date_close": "",
            "close_precision": "",
            "completed": closed[0],
            "dates_basis": "from the commitment (AidData); completion shown, not a closing",
            "actor1": funder,
            "confidence": Confidence.MEDIUM.value,
            "notes": "\n".join(notes),
            "start": opened[2],
            "stop": None,
            "geometry_wkt": footprint.wkt,
            "amount": amount,
            "currency_year": currency_year,
            "sector": _text(props.get("aiddatasectorname") or props.get("sectorname")),
            "status": _text(props.get("status")),
            # AidData marks records that would double count (umbrella projects, cancelled
            # or superseded commitments) "No": totals leave them out.
            "for_aggregates": _text(props.get("recommendedforaggregates")),
            "funder": funder,
            "flags": "; ".join(flags),
            "provenance": f"AidData GCDF {schema} ({self.file}), project {project}",
            "licence": LICENCE,
        }


def import_aiddata(
    path: str | Path, store: StoreWriter, progress: Progress | None = None
) -> SiteImportResult:
    """Import an AidData GCDF geospatial GeoJSON file as ``bri_site`` sites, idempotent by
    the publisher's project id. ``progress`` hears (bytes, file size) as the features are
    read. Features are read one at a time, and staged in chunks."""
    try:
        handle = open(path, encoding="utf-8-sig")  # noqa: SIM115 (closed below)
    except OSError as exc:
        raise UnreadableFile(f"cannot read {path}: {exc}") from exc
    rejects = Rejects()
    name = Path(path).name
    parse = _Parser(name)
    with handle, rejects.closed_on_error():
        try:
            features = read_features(handle, rejects, path, progress)
            first = next(features, None)
            if first is None:
                if jsonstream.blank(handle):
                    raise UnreadableFile(f"{path} is empty")
                if rejects:
                    raise UnreadableFile(
                        f"{path}: no GeoJSON feature could be read ({rejects[0].reason})"
                    )
            result = run_site_import(
                store,
                itertools.chain([first] if first else [], features),
                parse,
                rejects,
                file=name,
                kind="aiddata",
                provenance=f"AidData GCDF geospatial ({name})",
                licence=LICENCE,
            )
        except UnicodeDecodeError as exc:
            raise UnreadableFile(f"cannot read {path}: {exc}") from exc
    versions = ", ".join(sorted(parse.schemas)) or "none"
    result.warnings.insert(0, f"AidData GCDF schema(s) read: {versions}")
    return result
