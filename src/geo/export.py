"""Exports of the filtered view: its events as CSV with ACLED's column names, its sites as a
CSV of their own (both in a zip for everything), GeoJSON, and a standalone HTML brief; and
the words and link that share a view.

Every export holds exactly what :func:`geo.query.apply` gives for the view: its events, then
its sites, in the order of the data files.

**Events CSV** (one row per event, and nothing else: ACLED's files hold events). ACLED's
names where ACLED has the concept, then the atlas's own columns (``EVENT_COLUMNS``):

- ``event_id_cnty`` is the atlas id (``EV001``);
- ``event_date`` is ISO ``YYYY-MM-DD``: the day, or the first day of the month or year when
  only that is known;
- ``time_precision`` is ACLED's code: 1 the day is known, 3 only the month or the year (ACLED
  has no coarser code); empty when the date is unknown. ``time_precision_atlas`` keeps the
  atlas's word (day, month, year, unknown);
- ``iso`` is the ISO 3166 **alpha-3** code (KAZ, KGZ, CHN), not ACLED's numeric code;
- ``geo_precision`` is ACLED's code: 1 the town is known (the atlas's ``exact`` and ``city``),
  3 only a larger area (``region`` and ``country``: the point stands in for it);
  ``geo_precision_atlas`` keeps the word;
- ``source`` names the publisher of the item's source; ``notes``, ``fatalities`` and ``tags``
  are the atlas's own.

**Sites CSV** (one row per site, ``SITE_COLUMNS``): ``site_id``, ``name``, ``site_type``,
``date_open`` (ISO, with ``date_precision``) and ``date_close``, the place columns as above,
the source and excerpt columns, and what an imported site's file gave: ``amount`` with its
``currency_year`` (AidData's constant dollars of that year), ``sector``, ``status``,
``completed``, and for every site ``provenance`` (the imported file, or the curated data) and
``licence``.

**Everything** (:func:`to_zip`): both CSVs in one zip, with a README.txt naming the view.

A text cell that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``,
``@``, tab or carriage return) gets a leading apostrophe.

**GeoJSON** (RFC 7946, so EPSG:4326 longitude/latitude): one Point Feature per event and per
site, with the export row's values as properties (``COLUMNS``; ``kind`` is ``event`` or
``site``); the collection carries the data version, the as-of date, the view, its link, and
the credits: the curated data and each imported file with its provenance and licence (``imports``).

**Brief**: one self-contained HTML file (Leaflet, markercluster and plotly.js inline; a
Content-Security-Policy that allows no network at all), laid out for reading and for printing
on A4 (a country's year on one to three pages): the title, the view in one line, the filters
in a box, the map fitted to the items in view with the place names and the legend under it,
the monthly chart, a table of every item with its citation's number and its excerpts quoted
under it, the numbered citations, and a short "Method and data" appendix (the data version,
the link when it is this machine's own address, the credits and licences). What it says is
composed in :mod:`geo.brief`. Every string from data or from the link goes through
:mod:`geo.safe_html`.

**PDF brief** (:func:`brief_pdf`): the same brief as an A4 PDF, with a static map and chart;
**map image** (:func:`map_png`): the map for a slide, 1600 x 900 pixels, with the view in
words, the filters line, the legend and the credits. Both are drawn in Python, with no
browser and no network (:mod:`geo.printed`).

**As of** (:func:`data_as_of`): the latest date any event or site in the data mentions (an
event's end, a site's opening or closing). File dates are not used: a clone, a copy or a
container build resets them, while the data's own dates travel with it.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import re
import zipfile
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any, cast
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import folium
import pandas as pd

from geo import assets, charts, query, render, safe_html
from geo import brief as brief_model
from geo.bundle import Bundle, place_labels
from geo.maps import Legend, base_map, data_layers
from geo.model import CATEGORY_LABELS, Category
from geo.provenance import CURATED, ImportCredit, credits
from geo.query import Filtered
from geo.render import ItemFacts, inert, plural
from geo.settings import static_dir as default_static_dir
from geo.validate import infer_precision, split_ids
from geo.view import Bounds, Decoded, ViewState, decode, encode

MIME = {
    "pdf": "application/pdf",
    "png": "image/png",
    "csv": "text/csv",
    "sites": "text/csv",
    "zip": "application/zip",
    "geojson": "application/geo+json",
    "brief": "text/html",
}
SUFFIX = {
    "csv": "csv",
    "sites": "csv",
    "zip": "zip",
    "geojson": "geojson",
    "brief": "html",
    "pdf": "pdf",
    "png": "png",
}
# What a format adds to the file name, after the view's own parts.
_NAME_TAG = {"csv": "events", "sites": "sites", "png": "map"}

ACLED_COLUMNS: tuple[str, ...] = (
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "country",
    "iso",
    "admin1",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "notes",
    "fatalities",
    "tags",
)
ATLAS_COLUMNS: tuple[str, ...] = (
    "kind",
    "time_precision_atlas",
    "geo_precision_atlas",
    "category",
    "title",
    "date_end",
    "participants",
    "arrests",
    "confidence",
    "site_id",
    "site_type",
    "source_id",
    "source_url",
    "source_citation",
    "excerpt_ids",
    "excerpt_text",
    "excerpt_citation",
    "amount",
    "currency_year",
    "sector",
    "status",
    "completed",
    "provenance",
    "licence",
)
# What an imported site adds (AidData's amount and sector, a file's provenance and licence).
SITE_EXTRA: tuple[str, ...] = (
    "amount",
    "currency_year",
    "sector",
    "status",
    "completed",
    "provenance",
    "licence",
)
COLUMNS: tuple[str, ...] = ACLED_COLUMNS + ATLAS_COLUMNS
# The events CSV: ACLED's columns, then the atlas's own that an event has (no site columns).
_SITE_ONLY = frozenset({"kind", "site_type", *SITE_EXTRA})
EVENT_COLUMNS: tuple[str, ...] = ACLED_COLUMNS + tuple(
    c for c in ATLAS_COLUMNS if c not in _SITE_ONLY
)
# The sites CSV: its own names (a site is a place, open from one date to another), each taken
# from the export row's column named beside it.
SITE_COLUMNS: dict[str, str] = {
    "site_id": "event_id_cnty",
    "name": "title",
    "site_type": "site_type",
    "category": "category",
    "date_open": "event_date",
    "date_precision": "time_precision_atlas",
    "date_close": "date_end",
    "country": "country",
    "iso": "iso",
    "admin1": "admin1",
    "location": "location",
    "latitude": "latitude",
    "longitude": "longitude",
    "geo_precision": "geo_precision_atlas",
    "confidence": "confidence",
    "source": "source",
    "source_id": "source_id",
    "source_url": "source_url",
    "source_citation": "source_citation",
    "excerpt_ids": "excerpt_ids",
    "excerpt_text": "excerpt_text",
    "excerpt_citation": "excerpt_citation",
    "notes": "notes",
    "tags": "tags",
    **{c: c for c in SITE_EXTRA},
}

# ACLED's codes: time 1 = day known, 2 = week known, 3 = month known; place 1 = town known,
# 2 = near a town or part of a region, 3 = only a larger region (its capital stands in).
TIME_CODES: dict[str, int] = {"day": 1, "month": 3, "year": 3}
GEO_CODES: dict[str, int] = {"exact": 1, "city": 1, "region": 3, "country": 3}
# Between the texts of an item's excerpts (and their citations) in one CSV cell.
JOIN = " | "
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMERIC = frozenset({"latitude", "longitude", "year", "time_precision", "geo_precision"})


# ---- the view: its bounds, its link, its words ----


def view_bounds(bundle: Bundle) -> Bounds:
    """What a link to ``bundle`` may ask for: the app's own bounds (months, ids, regions)."""
    return query.bounds_for(bundle)


def link_params(link: str) -> dict[str, list[str]]:
    """The query parameters of a link (or of a bare ``?a=b`` query), every value kept, as
    ``st.query_params.get_all`` gives them to the app."""
    query = urlsplit(link.strip()).query if "?" in link else link.strip()
    return parse_qs(query, keep_blank_values=True)


def view_from_link(link: str, bounds: Bounds) -> Decoded:
    """The view a link opens, with a notice for each parameter that fell back (exactly as the
    app decodes it)."""
    return decode(link_params(link), bounds)


# The app's pages other than the main one, by their URL path (app.py's navigation).
PAGE_PATHS = frozenset({"charts", "sources", "about", "ingest", "import"})


def permalink(
    page_url: str | None,
    state: ViewState,
    bounds: Bounds,
    base_path: str = "",
    public_url: str | None = None,
) -> str:
    """The link to ``state`` on the page at ``page_url`` (``st.context.url``: no query, no
    trailing slash). The app's main page gets a trailing slash, under the server's URL path
    prefix too (``/atlas/``), so the link needs no redirect; other pages keep their path.

    With ``public_url`` (the address the atlas is published at, prefix included:
    :attr:`geo.settings.Settings.public_base`) the link is on that address: the same page
    there, whatever address this server was reached at."""
    parts = urlsplit(page_url or "")
    prefix = "/" + base_path.strip("/") if base_path.strip("/") else ""
    path = parts.path
    query_string = urlencode(encode(state, bounds))
    if public_url:
        public = urlsplit(public_url)
        page = path.rstrip("/").rsplit("/", 1)[-1]
        page_path = f"/{page}" if page in PAGE_PATHS else "/"
        return urlunsplit(
            (public.scheme, public.netloc, public.path.rstrip("/") + page_path, query_string, "")
        )
    if path.rstrip("/") == prefix:
        path = prefix + "/"
    return urlunsplit((parts.scheme, parts.netloc, path, query_string, ""))


def describe_view(state: ViewState, filtered: Filtered) -> str:
    """The view in one plain line, e.g. 'Protests in Kyrgyzstan, 2019–2020: 9 events, 2
    sites' (:func:`geo.render.describe_view`). Plain text: escape it for wherever it is
    shown."""
    return render.describe_view(
        state, filtered.event_count, len(filtered.sites), n_undated=filtered.undated_count()
    )


def undated_line(bundle: Bundle, state: ViewState, filtered: Filtered) -> str:
    """Whether the view includes the events whose date is unknown, and how many there are:
    'Undated events: included (2 in this view)' or 'Undated events: left out (2 match the
    other filters)'. Plain text."""
    if state.undated:
        n = filtered.undated_count()
        return (
            f"Undated events: included ({n} in this view)"
            if n
            else ("Undated events: included (none match this view)")
        )
    n = query.apply(bundle, replace(state, undated=True)).undated_count()
    if not n:
        return "Undated events: left out (none match the other filters)"
    return f"Undated events: left out ({plural(n, 'event')} would match the other filters)"


def share_text(state: ViewState, filtered: Filtered, link: str) -> str:
    """What "Share this view" offers to paste: the line in words, then the link."""
    return f"{describe_view(state, filtered)}\n{link}"


def file_name(state: ViewState, fmt: str) -> str:
    """A download's file name from the view: months, countries, categories (safe characters
    only)."""
    parts = ["atlas", state.start, state.end, *state.countries, *state.categories]
    stem = "_".join(re.sub(r"[^A-Za-z0-9-]", "", p) for p in parts)[:120]
    tag = f"_{_NAME_TAG[fmt]}" if fmt in _NAME_TAG else ""
    return f"{stem}{tag}.{SUFFIX[fmt]}"


def data_as_of(bundle: Bundle) -> date | None:
    """The latest date any event or site mentions (see the module's docstring)."""
    dates = [
        d
        for column in (bundle.events["stop"], bundle.sites["start"], bundle.sites["stop"])
        for d in column.dropna()
        if isinstance(d, date)
    ]
    return max(dates, default=None)


def version_line(bundle: Bundle) -> str:
    """'Data version 016afdfd4ee1, as of 30 July 2024' (plain text)."""
    as_of = data_as_of(bundle)
    when = f"{as_of.day} {as_of:%B %Y}" if as_of else "an unknown date"
    return f"Data version {bundle.version or 'unknown'}, as of {when}"


# ---- rows ----


def _text(value: object) -> str:
    """A data cell as it is (verbatim: an excerpt's offsets count its characters); missing
    values and NaN as the empty string. Markup gets it through safe_html."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value)


def citation_text(source: Mapping[str, Any]) -> str:
    """'Title', Publisher, Author, published, URL (the URL only when it is http(s)):
    :func:`geo.render.citation_text`."""
    return render.citation_text(render.citation(source))


def _date_cell(value: object) -> str:
    return value.isoformat() if isinstance(value, date) else ""


def _fatalities(value: object) -> int | str | None:
    text = _text(value)
    if not text:
        return None
    return int(text) if text.isascii() and text.isdigit() else text


class _Lookup:
    """Sources and excerpts by id, for the citation columns."""

    def __init__(self, bundle: Bundle) -> None:
        self.sources = {str(r["source_id"]): r for r in bundle.sources.to_dict("records")}
        self.excerpts = {str(r["excerpt_id"]): r for r in bundle.excerpts.to_dict("records")}

    def excerpts_of(self, record: render.Record) -> list[dict[Hashable, Any]]:
        ids = split_ids(_text(record.get("excerpt_ids")))
        return [self.excerpts[i] for i in ids if i in self.excerpts]

    def facts(self, record: render.Record, kind: str) -> ItemFacts:
        """The item's facts (:func:`geo.render.item_facts`), its excerpts and citations."""
        return render.item_facts(record, kind, self.excerpts_of(record), self.sources)


def import_credits(bundle: Bundle) -> list[ImportCredit]:
    """The files imported into the bundle's store, with their provenance and licence."""
    return credits(query.imports(bundle))


def credit_lines(bundle: Bundle) -> list[str]:
    """Where the export's data comes from, one plain line per origin: the curated data,
    then each imported file with its licence."""
    return [CURATED, *(f"{c.file}: {c.words()}" for c in import_credits(bundle))]


def _site_extras(bundle: Bundle, sites: pd.DataFrame) -> dict[str, dict[Hashable, Any]]:
    """SITE_EXTRA of the imported sites among ``sites``, by site id."""
    if sites.empty:
        return {}
    table = query.site_table(bundle, ["site_id", *SITE_EXTRA])
    table = table[table["site_id"].isin(set(sites["site_id"]))]
    return {str(r["site_id"]): r for r in table.to_dict("records")}


def _row(record: render.Record, kind: str, lookup: _Lookup) -> dict[str, Any]:
    event = kind == "event"
    start, stop = record.get("start"), record.get("stop")
    time_word = _text(record["time_precision"]) if event else _text(record["open_precision"])
    if not event and not time_word and isinstance(start, date):
        time_word = str(infer_precision(_text(record["date_open"])))
    if not isinstance(start, date):
        time_word = "unknown"
    geo_word = _text(record["geo_precision"])
    facts = lookup.facts(record, kind)
    source = facts.source
    return {
        "event_id_cnty": facts.item_id,
        "event_date": _date_cell(start),
        "year": start.year if isinstance(start, date) else None,
        "time_precision": TIME_CODES.get(time_word),
        "event_type": _text(record["event_type"]) if event else "",
        "sub_event_type": _text(record["sub_event_type"]) if event else "",
        "actor1": _text(record.get("actor1")),
        "assoc_actor_1": _text(record.get("assoc_actor_1")),
        "country": _text(record["country"]),
        "iso": _text(record["iso"]),
        "admin1": _text(record["admin1"]),
        "location": _text(record["location"]),
        "latitude": float(record["latitude"]),
        "longitude": float(record["longitude"]),
        "geo_precision": GEO_CODES.get(geo_word),
        "source": (source.publisher or source.title) if source else "",
        "notes": facts.notes,
        "fatalities": _fatalities(record.get("fatalities")) if event else None,
        "tags": _text(record.get("tags")),
        "kind": kind,
        "time_precision_atlas": time_word,
        "geo_precision_atlas": geo_word,
        "category": _text(record["category"]),
        "title": facts.title,
        "date_end": _text(record["date_end"]) if event else _date_cell(stop),
        "participants": facts.written("Participants"),
        "arrests": facts.written("Arrests"),
        "confidence": facts.confidence,
        "site_id": _text(record["site_id"]),
        "site_type": "" if event else facts.type_words,
        "source_id": _text(record["source_id"]),
        "source_url": (source.url or "") if source else "",
        "source_citation": render.citation_text(source) if source else "",
        "excerpt_ids": ";".join(x.excerpt_id for x in facts.excerpts),
        "excerpt_text": JOIN.join(x.text for x in facts.excerpts),
        "excerpt_citation": JOIN.join(render.excerpt_citation_text(x) for x in facts.excerpts),
        **{c: _text(record.get(c)) for c in SITE_EXTRA if c != "amount"},
        "amount": _amount(record.get("amount")),
        "provenance": "" if event else _text(record.get("provenance")) or CURATED,
    }


def _amount(value: float | str | None) -> float | None:
    if value is None or (isinstance(value, float) and value != value) or value == "":
        return None
    return float(value)


def rows(bundle: Bundle, filtered: Filtered) -> list[dict[str, Any]]:
    """One export row per event, then per site, of the filtered view (columns: COLUMNS)."""
    lookup = _Lookup(bundle)
    out = [_row(r, "event", lookup) for r in filtered.events.to_dict("records")]
    extras = _site_extras(bundle, filtered.sites)
    out += [
        _row({**r, **extras.get(str(r["site_id"]), {})}, "site", lookup)
        for r in filtered.sites.to_dict("records")
    ]
    return out


def _spreadsheet_safe(column: str, value: Any) -> Any:
    if column in _NUMERIC or not isinstance(value, str) or not value.startswith(_FORMULA_START):
        return value
    return "'" + value


def _csv(columns: Sequence[str], table: Sequence[Mapping[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    for row in table:
        writer.writerow(
            {k: "" if row[k] is None else _spreadsheet_safe(k, row[k]) for k in columns}
        )
    return buffer.getvalue()


def to_csv(bundle: Bundle, filtered: Filtered) -> str:
    """The view's events as CSV, ACLED's columns first (see the module's docstring); its
    sites are in :func:`sites_csv`."""
    lookup = _Lookup(bundle)
    table = [_row(r, "event", lookup) for r in filtered.events.to_dict("records")]
    return _csv(EVENT_COLUMNS, table)


def sites_csv(bundle: Bundle, filtered: Filtered) -> str:
    """The view's sites as CSV, one row per site (columns: SITE_COLUMNS)."""
    lookup = _Lookup(bundle)
    extras = _site_extras(bundle, filtered.sites)
    table = [
        _row({**r, **extras.get(str(r["site_id"]), {})}, "site", lookup)
        for r in filtered.sites.to_dict("records")
    ]
    renamed = [{name: row[key] for name, key in SITE_COLUMNS.items()} for row in table]
    return _csv(list(SITE_COLUMNS), renamed)


def to_zip(bundle: Bundle, filtered: Filtered, state: ViewState, link: str | None = None) -> bytes:
    """Everything in view: the events CSV, the sites CSV, and a README naming the view, its
    link, the data version and the credits (the files dated by the data's as-of date, so the
    same view of the same data gives the same bytes)."""
    as_of = data_as_of(bundle) or date(1980, 1, 1)
    stamp = (max(as_of.year, 1980), as_of.month, as_of.day, 0, 0, 0)
    readme = "\n".join(
        [
            "China in Central Asia: event atlas",
            describe_view(state, filtered),
            f"Link: {link}" if link else "Link: (none given)",
            version_line(bundle),
            undated_line(bundle, state, filtered),
            "",
            "events.csv: one row per event, ACLED's column names first.",
            "sites.csv: one row per site (consulates, BRI sites, facilities).",
            "",
            "Credits:",
            *(f"- {line}" for line in credit_lines(bundle)),
            "",
        ]
    )
    files = {
        "events.csv": to_csv(bundle, filtered),
        "sites.csv": sites_csv(bundle, filtered),
        "README.txt": readme,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(zipfile.ZipInfo(name, stamp), text.encode("utf-8"))
    return buffer.getvalue()


def to_geojson(
    bundle: Bundle, filtered: Filtered, state: ViewState, link: str | None = None
) -> str:
    """The filtered view as a GeoJSON FeatureCollection (EPSG:4326), one Feature per item."""
    features = [
        {
            "type": "Feature",
            "id": row["event_id_cnty"],
            "geometry": {"type": "Point", "coordinates": [row["longitude"], row["latitude"]]},
            "properties": row,
        }
        for row in rows(bundle, filtered)
    ]
    as_of = data_as_of(bundle)
    collection = {
        "type": "FeatureCollection",
        "atlas": {
            "title": "China in Central Asia: event atlas",
            "data_version": bundle.version,
            "as_of": as_of.isoformat() if as_of else None,
            "view": describe_view(state, filtered),
            "link": link,
            "credits": credit_lines(bundle),
            "imports": [c.as_dict() for c in import_credits(bundle)],
        },
        "features": features,
    }
    return json.dumps(collection, ensure_ascii=False, indent=1) + "\n"


# ---- the brief ----

MAP_CREDIT = (
    "Map: borders made with Natural Earth (public domain); place names from GeoNames (CC BY 4.0)"
)


class BriefUnavailable(RuntimeError):
    """The brief cannot be made self-contained: the map's scripts are not installed."""


def _vendor(static_dir: Path, fetch: bool) -> Path:
    if not assets.local_complete(static_dir) and fetch:
        try:
            assets.fetch(static_dir)
        except (OSError, RuntimeError) as exc:  # npm missing or the registry unreachable
            raise BriefUnavailable(f"could not fetch the map scripts from npm: {exc}") from exc
    if not assets.local_complete(static_dir):
        raise BriefUnavailable(
            "the map scripts are not installed in static/vendor (run `geo assets`), so the "
            "brief cannot include them"
        )
    return static_dir / assets.VENDOR


def _inline_script(code: str) -> str:
    # "</script" would end the element early; "<\/script" means the same inside JavaScript.
    return "<script>" + re.sub(r"</(script)", r"<\\/\1", code, flags=re.I) + "</script>"


def _inline_style(css: str, images: Path) -> str:
    def data_url(match: re.Match[str]) -> str:
        path = images / match.group(1)
        if not path.is_file():
            return match.group(0)
        return f"url(data:image/png;base64,{base64.b64encode(path.read_bytes()).decode()})"

    css = re.sub(r"url\(\s*['\"]?images/([\w.-]+\.png)['\"]?\s*\)", data_url, css)
    return "<style>" + re.sub(r"</(style)", r"<\\/\1", css, flags=re.I) + "</style>"


def _vendor_head(vendor: Path) -> str:
    """Leaflet, markercluster and jQuery (folium's popups use it), inline."""
    parts = [
        _inline_style((vendor / a.name).read_text(encoding="utf-8"), vendor / "images")
        for a in assets.ASSETS
        if a.kind == "css"
    ]
    parts += [
        _inline_script((vendor / a.name).read_text(encoding="utf-8"))
        for a in assets.ASSETS
        if a.kind == "js"
    ]
    return "\n".join(parts)


_SCHEME = re.compile(r"((?:java|vb)script):", re.I)
_POPUP_HINT = "Click the marker to read the excerpts beside the map."
_BRIEF_HINT = "Its row in the table below the map gives its excerpts and citation."
# The map's size on screen and on paper alike (Leaflet fits the items to this box once;
# A4 less the margins is 182 mm, about 688 CSS pixels).
MAP_WIDTH, MAP_HEIGHT = 686, 400
CHART_WIDTH, CHART_HEIGHT = 686, 250
# The month chart as the brief draws it: a fixed size for A4, the legend under the bars so
# that it never covers the title, and no controls.
BRIEF_CHART_LAYOUT: dict[str, Any] = {
    "dragmode": False,
    "clickmode": "none",
    "width": CHART_WIDTH,
    "height": CHART_HEIGHT,
    "autosize": False,
    "xaxis_tickformat": "%b %Y",
    "margin": {"l": 48, "r": 12, "t": 36, "b": 64},
    "legend": {"orientation": "h", "x": 0, "xanchor": "left", "y": -0.22, "yanchor": "top"},
    "title": {"x": 0, "xanchor": "left", "font": {"size": 14}},
}


class _Shown:
    """The items the brief's map draws (those with both coordinates), as data_layers reads
    a view: ``events`` and ``sites``."""

    def __init__(self, filtered: Filtered) -> None:
        def located(frame: pd.DataFrame) -> pd.DataFrame:
            if frame.empty:
                return frame
            points = [brief_model.point_of(r) is not None for r in frame.to_dict("records")]
            return frame[points]

        self.events = located(filtered.events)
        self.sites = located(filtered.sites)


def _brief_map(
    bundle: Bundle, filtered: Filtered, borders: str, selected: str | None
) -> tuple[str, str]:
    """The folium map with the view's markers and the place names, fitted to the items in
    view, as (what goes in the head, the map's element and script); without legend, layer
    control, script or style links (the brief inlines the scripts and writes the legend
    beside the map)."""
    no_links = assets.AssetLinks(js=[], css=[], local=True)
    # Every bundled city is named whatever the zoom the items are fitted at (the app names
    # the smaller ones from zoom 5): a printed map cannot be zoomed in to read them.
    labels = [replace(p, kind="place") if p.kind == "city" else p for p in place_labels()]
    m = base_map(borders, no_links, labels)
    # The brief works offline: leave out the online tile layers the app offers, and the
    # legend drawn over the map (the brief's own is under it).
    for key, child in list(m._children.items()):
        online = isinstance(child, folium.TileLayer) and str(child.tiles).startswith("http")
        if online or isinstance(child, Legend):
            del m._children[key]
    shown = _Shown(filtered)
    for group in data_layers(cast(Filtered, shown), bundle.sources, no_links, selected):
        group.add_to(m)
    points = pd.concat(
        [shown.events[["latitude", "longitude"]], shown.sites[["latitude", "longitude"]]]
    )
    if len(points):
        south, west = float(points["latitude"].min()), float(points["longitude"].min())
        north, east = float(points["latitude"].max()), float(points["longitude"].max())
        m.fit_bounds([[south, west], [north, east]], padding=(28, 28), max_zoom=7)
    root = cast(folium.Figure, m.get_root())  # a Map's root is the Figure it creates
    root.render()  # lays the map's parts into the figure's header, body and script
    head, body, script = (part.render() for part in (root.header, root.html, root.script))
    # Data text reaches the script as markup (popups, tooltips): a scheme in it stays words.
    script = _SCHEME.sub(r"\1&#58;", script.replace(_POPUP_HINT, _BRIEF_HINT))
    script = _inline_script(script)
    return head, f'<div class="map-box">{body}</div>\n{script}'


_CSP = (
    "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; "
    "img-src data: blob:; font-src data:; connect-src 'none'; base-uri 'none'; "
    "form-action 'none'"
)

_CSS = f"""
@page {{ size: A4; margin: 13mm 14mm 14mm; }}
html, body {{ height: auto; }}
body {{ margin: 0 auto; padding: 20px 12px 40px; max-width: {MAP_WIDTH + 2}px; color: #1d2329;
  font: 13px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }}
h1 {{ font-size: 22px; margin: 0 0 2px; }}
h2 {{ font-size: 15px; margin: 18px 0 6px; border-bottom: 1px solid #d8dde2;
  padding-bottom: 2px; break-after: avoid; }}
.meta, .muted {{ color: #5b6770; font-size: 12px; }}
.summary {{ font-size: 15px; font-weight: 600; margin: 8px 0 6px; }}
h1, .summary, td, li, dd, .note {{ overflow-wrap: anywhere; }}
.filters {{ border: 1px solid #b9c3cc; border-radius: 4px; background: #f6f8fa;
  padding: 6px 10px; margin: 6px 0 10px; }}
.filters dl {{ display: grid; grid-template-columns: max-content 1fr; gap: 0 12px;
  margin: 0; font-size: 12px; }}
.filters dt {{ font-weight: 600; }}
.filters dd {{ margin: 0; }}
.link {{ font-size: 12px; overflow-wrap: anywhere; }}
.map-box {{ position: relative; width: {MAP_WIDTH}px; height: {MAP_HEIGHT}px;
  border: 1px solid #c9d0d6; }}
.map-box > div {{ width: {MAP_WIDTH}px !important; height: {MAP_HEIGHT}px !important; }}
.atlas-label-place span {{ transform: translate(-50%, 12px); font-size: 10px;
  font-weight: 500; }}
.legend {{ display: flex; flex-wrap: wrap; gap: 2px 14px; font-size: 11px; margin: 4px 0 0; }}
.legend span.sw {{ display: inline-block; width: 10px; height: 10px; margin-right: 4px;
  vertical-align: -1px; box-sizing: border-box; }}
.note {{ font-size: 12px; color: #6b3d00; margin: 4px 0; }}
table.items {{ width: 100%; border-collapse: collapse; table-layout: fixed; font-size: 10px;
  line-height: 1.3; }}
table.items th {{ text-align: left; border-bottom: 1.5px solid #5b6770; padding: 2px 4px; }}
table.items td {{ padding: 1px 3px; vertical-align: top; }}
table.items tbody {{ border-bottom: 1px solid #e1e5e9; break-inside: avoid; }}
table.items td.n, table.items td.c {{ color: #5b6770; }}
.excerpt {{ margin: 0; color: #3d464e; font-style: italic; font-size: 9.5px; }}
ol.citations {{ padding-left: 22px; font-size: 9.5px; line-height: 1.3; margin: 4px 0; }}
ol.citations li {{ margin: 0 0 2px; break-inside: avoid; }}
#brief-method {{ font-size: 11px; color: #3d464e; }}
#brief-method p, #brief-method ul {{ margin: 3px 0; }}
#brief-method h2 {{ font-size: 13px; }}
#brief-method h3 {{ font-size: 12px; margin: 6px 0 2px; }}
#brief-chart {{ break-inside: avoid; }}
#brief-map {{ break-inside: avoid; }}
@media print {{
  body {{ padding: 0; max-width: none; }}
  .leaflet-control-zoom, .leaflet-control-layers, .leaflet-control-attribution {{
    display: none !important; }}
  a {{ color: inherit; text-decoration: none; }}
  thead {{ display: table-header-group; }}
  tr {{ break-inside: avoid; }}
  #brief-method {{ break-before: auto; }}
}}
"""


def _legend_html(filtered: Filtered) -> str:
    """The map's legend, under it: the categories in view with their counts, then the
    marks (static words, no data strings but counts)."""
    parts = []
    for category in Category:
        n = int((filtered.events["category"] == category.value).sum()) + int(
            (filtered.sites["category"] == category.value).sum()
        )
        if n:
            parts.append(
                f'<span><span class="sw" style="background:{category.colour};'
                f'border-radius:50%"></span>{inert(CATEGORY_LABELS[category])} ({n})</span>'
            )
    parts += [
        '<span><span class="sw" style="background:#777;border-radius:50%"></span>event</span>',
        '<span><span class="sw" style="background:#777;border-radius:2px"></span>site</span>',
        '<span><span class="sw" style="border:2px dashed #777;border-radius:50%"></span>'
        "place known only roughly (region or country)</span>",
        '<span><span class="sw" style="background:#999;border-radius:50%;width:14px;'
        'height:14px"></span>number: items at nearby points</span>',
    ]
    return f'<div class="legend" id="map-legend">{"".join(parts)}</div>'


def _cite(number: int | None) -> str:
    return f"[{number}]" if number is not None else ""


def _table_html(brief: brief_model.Brief) -> str:
    """Every item in a table: number, date, place, category, title, figures, citation; its
    excerpts quoted in the row under it."""
    bodies = []
    for row in brief.rows:
        facts = row.facts
        place = row.place + (" ≈" if facts.approximate else "")
        if row.point is None:
            place += " (no coordinates: not on the map)"
        kind = "site" if facts.kind == "site" else ""
        title = inert(facts.title) + (f' <span class="muted">({kind})</span>' if kind else "")
        quotes = "".join(
            f'<tr><td></td><td colspan="6"><p class="excerpt">“{inert(q.text)}” '
            f"{_cite(q.cite)}</p></td></tr>"
            for q in row.quotes
        )
        bodies.append(
            f'<tbody class="item {facts.kind}" data-id="{inert(facts.item_id)}">'
            f'<tr><td class="n">{row.number}</td><td>{inert(row.date)}</td>'
            f"<td>{inert(place)}</td><td>{inert(facts.category_label)}</td>"
            f"<td>{title}</td><td>{inert(row.figures)}</td>"
            f'<td class="c">{_cite(row.cite)}</td></tr>{quotes}</tbody>'
        )
    head = (
        '<colgroup><col style="width:3.5%"><col style="width:11%"><col style="width:17%">'
        '<col style="width:10%"><col style="width:34%"><col style="width:18.5%">'
        '<col style="width:6%"></colgroup>'
        "<thead><tr><th>#</th><th>Date</th><th>Place</th><th>Category</th><th>Title</th>"
        "<th>Figures</th><th>Source</th></tr></thead>"
    )
    return f'<table class="items" id="items-table">{head}{"".join(bodies)}</table>'


def _citations_html(brief: brief_model.Brief) -> str:
    items = []
    for cited in brief.citations:
        words = ", ".join(inert(w) for w in brief_model.citation_words(cited))
        if cited.url:
            words += ", " + safe_html.link(cited.url, cited.url, max_len=None)
        items.append(f"<li>{words}</li>")
    return f'<ol class="citations" id="citations">{"".join(items)}</ol>'


def compose_brief(bundle: Bundle, filtered: Filtered, state: ViewState) -> brief_model.Brief:
    """What the brief of the view says (:mod:`geo.brief`), for every format it is made in."""
    lookup = _Lookup(bundle)
    undated = undated_line(bundle, state, filtered).removeprefix("Undated events: ")
    first, last = view_bounds(bundle).first_month, view_bounds(bundle).last_month
    return brief_model.compose(
        state,
        [(r, lookup.facts(r, "event")) for r in filtered.events.to_dict("records")],
        [(r, lookup.facts(r, "site")) for r in filtered.sites.to_dict("records")],
        n_undated=filtered.undated_count(),
        undated=undated,
        first_month=first,
        last_month=last,
    )


def method_lines(bundle: Bundle, generated: datetime | None) -> list[str]:
    """The "Method and data" appendix, plain lines: how the items are sourced and placed,
    the data version, when the brief was made."""
    made = f" This brief was made {generated:%Y-%m-%d %H:%M %Z}.".rstrip() if generated else ""
    return [
        "Every event and site comes from a sourced table: each row cites its source, and the "
        "excerpts under an item are quoted word for word from the articles. A place marked ≈ "
        "is known only at region or country level and is drawn at that area's point. "
        "Dates are given as precisely as the sources give them.",
        "The CSV export of this view holds every item's sourcing notes and the character "
        "offsets of its excerpts in the articles.",
        f"{version_line(bundle)}.{made}",
    ]


def brief_html(
    bundle: Bundle,
    filtered: Filtered,
    state: ViewState,
    *,
    link: str | None,
    borders: str,
    generated: datetime | None = None,
    static_dir: Path | None = None,
    fetch_assets: bool = False,
) -> str:
    """The standalone HTML brief of the view (see the module's docstring), laid out for
    reading and for printing on A4.

    Parameters
    ----------
    link
        The permalink back to the live view; linked when it is an http(s) URL. A link to
        this machine (loopback) is named as such, in the appendix only.
    borders
        The borders GeoJSON the app's map draws (:func:`geo.bundle.borders_geojson`).
    generated
        When the brief was made, shown in it; left out when ``None``.
    static_dir
        Where the map's scripts are (``vendor/``); default: the app's static folder.
    fetch_assets
        Fetch the map's scripts from npm (:func:`geo.assets.fetch`) when they are missing.

    Raises
    ------
    BriefUnavailable
        When the map's scripts are not installed (and cannot be fetched).
    """
    vendor = _vendor(static_dir or default_static_dir(), fetch_assets)
    brief = compose_brief(bundle, filtered, state)
    link_url = safe_html.safe_url(link)
    local = brief_model.is_local(link_url)
    link_html = (
        safe_html.link(link_url, link_url, max_len=None)
        if link_url
        else inert(link or "(no link given)")
    )
    header_link = (
        f'<p class="link" id="view-link">Open this view online: {link_html}</p>'
        if link_url and not local
        else ""
    )
    appendix_link = (
        f"<p>Link to this view (the address of the atlas on the computer that made this "
        f"brief, which other computers cannot open): {link_html}</p>"
        if local
        else f"<p>Link to this view: {link_html}</p>"
    )
    filters = "".join(f"<dt>{inert(k)}</dt><dd>{inert(v)}</dd>" for k, v in brief.filters)
    as_of = data_as_of(bundle)
    made = f"Made {generated:%d %B %Y}" if generated else "Made"
    meta = f"{made} from data as of {as_of.day} {as_of:%B %Y}" if as_of else made
    if brief.rows:
        map_head, map_body = _brief_map(bundle, filtered, borders, state.selected)
        unmapped = brief.unmapped
        unmapped_note = (
            '<p class="note" id="unmapped">Not on the map, for want of coordinates: '
            + "; ".join(f"#{r.number} {inert(r.facts.title, 120)}" for r in unmapped)
            + ".</p>"
            if unmapped
            else ""
        )
        chart = charts.month_figure(*filtered.month_counts())  # the store's counts of the view
        chart.update_layout(**BRIEF_CHART_LAYOUT)
        chart_html = chart.to_html(
            full_html=False,
            include_plotlyjs=True,
            div_id="monthly-chart",
            config={"displaylogo": False, "displayModeBar": False, "responsive": False},
        )
        body = f"""<section id="brief-map">
<h2>Map</h2>
{map_body}
{_legend_html(filtered)}
{unmapped_note}
</section>
<section id="brief-chart">
<h2>Events per month</h2>
{chart_html}
</section>
<section id="brief-table">
<h2>Items in view ({inert(brief_model.counts_words(brief))})</h2>
{_table_html(brief)}
</section>
<section id="brief-citations">
<h2>Sources</h2>
{_citations_html(brief)}
</section>"""
        libraries = _vendor_head(vendor)
    else:
        map_head, libraries = "", ""
        body = f'<p class="summary" id="nothing">{inert(brief.empty_words)}</p>'
    method = "".join(f"<p>{inert(line)}</p>" for line in method_lines(bundle, generated))
    credits = "".join(f"<li>{inert(line)}</li>" for line in credit_lines(bundle))
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{_CSP}">
<meta name="referrer" content="no-referrer">
<title>{inert(brief.title)}: {inert(brief.summary, 200)}</title>
{libraries}
{map_head}
<style>{_CSS}</style>
</head>
<body>
<header>
<h1>{inert(brief.title)}</h1>
<p class="meta">{inert(meta)}</p>
<p class="summary" id="view-summary">{inert(brief.summary)}</p>
<div class="filters" id="filters"><dl>{filters}</dl></div>
{header_link}
</header>
{body}
<section id="brief-method">
<h2>Method and data</h2>
{method}
{appendix_link}
<section id="brief-credits">
<h3>Data credits and licences</h3>
<ul>{credits}<li>{inert(MAP_CREDIT)}</li></ul>
</section>
</section>
</body>
</html>
"""


# ---- the brief without a browser: PDF, and the map as an image ----


def _link_words(link: str | None) -> tuple[str | None, bool]:
    """The link as the static formats show it (an unsafe one left out), and whether it is
    this machine's own address."""
    url = safe_html.safe_url(link)
    return url, brief_model.is_local(url)


def filters_line(brief: brief_model.Brief) -> str:
    """The filters box in one line: 'Dates: January 2019 to December 2019 · Countries: …'."""
    return " · ".join(f"{k}: {v}" for k, v in brief.filters)


def _meta(bundle: Bundle, generated: datetime | None) -> str:
    as_of = data_as_of(bundle)
    made = f"Made {generated:%d %B %Y}" if generated else "Made"
    return f"{made} from data as of {as_of.day} {as_of:%B %Y}" if as_of else made


def brief_pdf(
    bundle: Bundle,
    filtered: Filtered,
    state: ViewState,
    *,
    link: str | None,
    borders: str,
    generated: datetime | None = None,
) -> bytes:
    """The brief as an A4 PDF (:func:`geo.printed.brief_pdf`): the same parts as the HTML
    brief, with a static map and chart; made with no browser and no network."""
    from geo import printed

    brief = compose_brief(bundle, filtered, state)
    url, local = _link_words(link)
    map_png = chart_png = None
    if brief.rows:
        map_png = printed.map_image(
            brief,
            borders,
            place_labels(),
            filters_line="",
            credits="",
            size=(1500, 930),
            bare=True,
        )
        chart_png = printed.chart_image(*filtered.month_counts(), width_in=7.2, height_in=2.15)
    return printed.brief_pdf(
        brief,
        meta=_meta(bundle, generated),
        map_png=map_png,
        chart_png=chart_png,
        link=url,
        link_is_local=local,
        method=method_lines(bundle, generated),
        credits=[*credit_lines(bundle), MAP_CREDIT],
    )


def map_png(bundle: Bundle, filtered: Filtered, state: ViewState, *, borders: str) -> bytes:
    """The map of the view for a slide, 1600 x 900 pixels (:func:`geo.printed.map_image`):
    the view in words as its title, the filters line, the legend, the data credits."""
    from geo import printed

    brief = compose_brief(bundle, filtered, state)
    credits = f"{MAP_CREDIT}. Data: {'; '.join(credit_lines(bundle))}. {version_line(bundle)}."
    return printed.map_image(
        brief, borders, place_labels(), filters_line=filters_line(brief), credits=credits
    )
