"""A line that is only a date, in any language the atlas reads: the English and numeric
forms of :mod:`geo.ingest.dates`, the Russian ones of :mod:`geo.ingest.russian`."""

from __future__ import annotations

import re
from datetime import date

from geo.ingest.dates import english_date_line, strip_date_line
from geo.model import TimePrecision


def parse_date_line(line: str) -> tuple[date, TimePrecision] | None:
    """A line that is only a date ("Apr 8, 2021", "Published: 8 April 2021", "2021-04-08",
    "12 июня 2016"), as the date and its precision; None for anything else."""
    stripped = strip_date_line(line)
    found = english_date_line(stripped)
    if found:
        return found
    if re.search(r"[\u0400-\u04ff]", stripped):
        from geo.ingest import russian  # Russian needs its morphology only when it is used

        found = russian.parse_date_line(stripped)
        if found:
            return found
    # "Review | 12 June 2016": a label, then the date.
    parts = re.split(r"\s+[|·•]\s+", stripped)
    if len(parts) == 2 and len(parts[0].split()) <= 3:
        return parse_date_line(parts[1])
    return None
