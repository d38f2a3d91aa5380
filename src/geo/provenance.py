"""Where imported sites come from and under what licence, and what an imported site adds
to its panel (amount, sector, completion, flags).

The store records each imported file with its provenance and licence (``imports`` table);
the About page and every export list them, so an export of AidData projects carries
AidData's ODC-By and OpenStreetMap's ODbL attribution with it.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd

from geo.model import currency_words
from geo.validate import infer_precision

CURATED = "The atlas's curated data (sourced fact table)"


@dataclass(frozen=True)
class ImportCredit:
    """One imported file: what it is, where it came from, its licence, rows, when."""

    file: str
    kind: str
    provenance: str
    licence: str
    rows: int
    imported: str

    def words(self) -> str:
        """One line of plain text: provenance, licence, rows and date."""
        return (
            f"{self.provenance}: {self.rows:,} site(s), licence: {self.licence or 'not recorded'}"
            f" (imported {self.imported})"
        )

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def credits(imports: pd.DataFrame) -> list[ImportCredit]:
    """The imported files (the store's :meth:`~geo.store.DuckStore.imports`), by file."""
    return [
        ImportCredit(
            file=str(r["file"]),
            kind=str(r["kind"]),
            provenance=str(r["provenance"] or r["file"]),
            licence=str(r["licence"] or ""),
            rows=int(r["rows"] or 0),
            imported=str(r["imported"] or ""),
        )
        for r in imports.to_dict("records")
    ]


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def amount_words(amount: float | str | None, currency_year: object) -> str:
    """'1,327,239,417 (USD, constant 2021)'; "" when there is no amount."""
    if amount is None or (isinstance(amount, float) and math.isnan(amount)):
        return ""
    return f"{float(amount):,.0f} ({currency_words(_text(currency_year))})"


def completed_words(value: object) -> str:
    """A completion date as written ("2019-05-30", "2016") with its precision."""
    text = _text(value)
    if not text:
        return ""
    precision = str(infer_precision(text))
    return text if precision == "day" else f"{text} ({precision} known only)"


def site_facts(
    record: Mapping[str, Any] | Mapping[Hashable, Any] | pd.Series,
) -> list[tuple[str, str]]:
    """(label, plain value) pairs an imported site adds to its panel, in reading order;
    empty for a curated site. Escape the values wherever they are shown."""
    facts = [
        ("Committed amount", amount_words(record.get("amount"), record.get("currency_year"))),
        ("Sector", _text(record.get("sector")).capitalize()),
        ("Status", _text(record.get("status"))),
        ("Funder", _text(record.get("funder"))),
        ("Construction completed", completed_words(record.get("completed"))),
        ("Check", _text(record.get("flags"))),
        ("Imported from", _text(record.get("provenance"))),
        ("Licence", _text(record.get("licence"))),
    ]
    return [(label, value) for label, value in facts if value]
