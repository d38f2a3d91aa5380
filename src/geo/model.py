"""The atlas's domain vocabulary: categories, precisions, confidence, countries, columns.

Column names follow ACLED's codebook where a concept exists there (``event_id``,
``event_date``, ``time_precision``, ``actor1``, ``iso``, ``admin1``, ``location``,
``geo_precision``, ``notes``...), so exports merge with ACLED data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd


class Category(StrEnum):
    PROTEST = "protest"
    CONSULATE_EMBASSY = "consulate_embassy"
    BRI_SITE = "bri_site"
    DETENTION = "detention"
    POLICY = "policy"
    OTHER = "other"

    @property
    def label(self) -> str:
        return CATEGORY_LABELS[self]

    @property
    def colour(self) -> str:
        return CATEGORY_COLOURS[self]


CATEGORY_LABELS: dict[Category, str] = {
    Category.PROTEST: "Protests",
    Category.CONSULATE_EMBASSY: "Consulates & embassies",
    Category.BRI_SITE: "BRI sites",
    Category.DETENTION: "Detention-related",
    Category.POLICY: "Policy",
    Category.OTHER: "Other",
}

# Colour-blind-safe palette (Okabe–Ito), one colour per layer.
CATEGORY_COLOURS: dict[Category, str] = {
    Category.PROTEST: "#D55E00",
    Category.CONSULATE_EMBASSY: "#0072B2",
    Category.BRI_SITE: "#009E73",
    Category.DETENTION: "#CC79A7",
    Category.POLICY: "#E69F00",
    Category.OTHER: "#555555",
}


class TimePrecision(StrEnum):
    DAY = "day"
    MONTH = "month"
    YEAR = "year"
    UNKNOWN = "unknown"


# The span of dates an event or a site can plausibly have: from 1900 to the end of next year
# (a date past it is a typo or a placeholder such as 9999-12-31; the pages' months stay in it).
EARLIEST_DATE = date(1900, 1, 1)


def latest_date(today: date | None = None) -> date:
    """The last plausible date: the end of the year after ``today`` (default: today)."""
    return date((today or date.today()).year + 1, 12, 31)


class GeoPrecision(StrEnum):
    """How well a point is located, from a street corner to a whole country."""

    EXACT = "exact"
    CITY = "city"
    REGION = "region"
    COUNTRY = "country"

    @property
    def approximate(self) -> bool:
        return self in (GeoPrecision.REGION, GeoPrecision.COUNTRY)

    @property
    def description(self) -> str:
        return GEO_PRECISION_WORDS[self]


GEO_PRECISION_WORDS: dict[GeoPrecision, str] = {
    GeoPrecision.EXACT: "exact site",
    GeoPrecision.CITY: "city centre; the place within the city is not known",
    GeoPrecision.REGION: "approximate: somewhere in the region, point is a stand-in",
    GeoPrecision.COUNTRY: "approximate: known only at country level",
}


class Confidence(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


@dataclass(frozen=True)
class Area:
    """One of the three areas the atlas covers."""

    iso: str
    name: str
    # Generous bounding box (south, west, north, east) used for the cheap first check;
    # the borders layer decides membership precisely.
    bbox: tuple[float, float, float, float]


AREAS: dict[str, Area] = {
    "KAZ": Area("KAZ", "Kazakhstan", (40.5, 46.4, 55.5, 87.4)),
    "KGZ": Area("KGZ", "Kyrgyzstan", (39.1, 69.2, 43.3, 80.3)),
    "CHN": Area("CHN", "Xinjiang (China)", (34.3, 73.4, 49.2, 96.4)),
}

REGION_BBOX: tuple[float, float, float, float] = (34.3, 46.4, 55.5, 96.4)

EVENT_COLUMNS: list[str] = [
    "event_id",
    "event_date",
    "date_end",
    "time_precision",
    "category",
    "event_type",
    "sub_event_type",
    "title",
    "actor1",
    "assoc_actor_1",
    "country",
    "iso",
    "admin1",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "participants",
    "arrests",
    "fatalities",
    "confidence",
    "site_id",
    "source_id",
    "excerpt_ids",
    "tags",
    "notes",
]

SITE_COLUMNS: list[str] = [
    "site_id",
    "category",
    "site_type",
    "name",
    "country",
    "iso",
    "admin1",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "date_open",
    "open_precision",
    "date_close",
    "close_precision",
    "dates_basis",
    "actor1",
    "confidence",
    "source_id",
    "excerpt_ids",
    "notes",
]

SOURCE_COLUMNS: list[str] = [
    "source_id",
    "title",
    "publisher",
    "author",
    "published",
    "url",
    "file",
    "licence",
]

EXCERPT_COLUMNS: list[str] = [
    "excerpt_id",
    "source_id",
    "char_start",
    "char_end",
    "text",
]

# The columns of the frames (bundle and store) that are not text. A missing value there is
# information and stays missing: no coordinate or amount (NaN), undated (None), no line or
# code. Every other column is text, and a missing text value is "" from the moment the data
# is loaded (:func:`blank_missing_text`), so nothing downstream meets NaN, None or the
# "nan" that a NaN becomes through ``str``.
NUMBER_COLUMNS: frozenset[str] = frozenset({"latitude", "longitude", "amount"})
DATE_COLUMNS: frozenset[str] = frozenset({"start", "stop"})
WHOLE_NUMBER_COLUMNS: frozenset[str] = frozenset(
    {
        "line",
        "row_no",
        "char_start",
        "char_end",
        "updated",
        "geo_precision_code",
        "time_precision_code",
    }
)
FLAG_COLUMNS: frozenset[str] = frozenset({"offsets_checked"})
NOT_TEXT_COLUMNS: frozenset[str] = (
    NUMBER_COLUMNS | DATE_COLUMNS | WHOLE_NUMBER_COLUMNS | FLAG_COLUMNS
)


def is_text_column(name: str) -> bool:
    """Whether the frames' column ``name`` holds text (see :data:`NOT_TEXT_COLUMNS`)."""
    return name not in NOT_TEXT_COLUMNS


def blank_missing_text(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every missing value (NaN, None) of its text columns as "", in place;
    returned for convenience. Every loader of events, sites, sources and excerpts calls it.
    A column of numbers or truth values is left alone whatever its name (the store's H3
    cell columns), as are the columns :func:`is_text_column` says are not text."""
    for column in frame.columns:
        values = frame[column]
        if not is_text_column(str(column)) or values.dtype.kind in "biufcmM":
            continue
        if values.isna().any():
            frame[column] = values.fillna("")
    return frame


def currency_words(code: str) -> str:
    """A currency-year code as a reader says it: "USD2017" is "USD, constant 2017"; any
    other code is shown as it is."""
    if len(code) == 7 and code[:3].isalpha() and code[3:].isdigit():
        return f"{code[:3].upper()}, constant {code[3:]}"
    return code or "currency not stated"


# The months' English names, January first (dates in words, in the panels and ingestion).
MONTH_NAMES: tuple[str, ...] = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
