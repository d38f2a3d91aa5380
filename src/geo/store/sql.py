"""A ViewState as SQL: WHERE clauses with ``?`` placeholders and their bound parameters.

Every value a user or a link controls (countries, categories, regions, search text, dates)
travels as a bound parameter, never inside the SQL text, so quotes, ``--``, ``;`` or any
unicode match literally and can change nothing. The clauses are written so they mean exactly
what the pandas filters of :mod:`geo.query` meant: the bundled data's tests pin that.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from geo.view import ViewState, month_index, month_of

Params = list[object]


def month_range(state: ViewState) -> tuple[date, date]:
    """First and last day of the view's month range."""
    first = date.fromisoformat(f"{state.start}-01")
    after = date.fromisoformat(f"{month_of(month_index(state.end) + 1)}-01")
    return first, date.fromordinal(after.toordinal() - 1)


def _in(column: str, values: Sequence[str]) -> tuple[str, Params]:
    marks = ", ".join("?" for _ in values)
    return f"{column} IN ({marks})", list(values)


def common_filter(state: ViewState, *, has_region: bool = True) -> tuple[list[str], Params]:
    """Countries, categories, regions and search text, as clauses joined by the caller."""
    clauses: list[str] = []
    params: Params = []
    for column, values, applies in (
        ("iso", state.countries, True),
        ("category", state.categories, True),
        ("region", state.regions, has_region),
    ):
        if values and applies:
            clause, values_params = _in(column, values)
            clauses.append(clause)
            params += values_params
    if state.query:
        # strpos is a literal substring test (LIKE would give % and _ a meaning); both sides
        # are casefolded by Python, as the search text was when it was built.
        clauses.append("strpos(search_text, ?) > 0")
        params.append(state.query.casefold())
    return clauses, params


def event_filter(state: ViewState, *, has_region: bool = True) -> tuple[str, Params]:
    """Events matching the filters whose dates overlap the month range, and undated events
    when the view includes them."""
    first, last = month_range(state)
    clauses = ["((start IS NOT NULL AND start <= ? AND stop >= ?) OR (start IS NULL AND ?))"]
    params: Params = [last, first, bool(state.undated)]
    more, more_params = common_filter(state, has_region=has_region)
    return " AND ".join(clauses + more), params + more_params


def site_filter(state: ViewState, *, has_region: bool = True) -> tuple[str, Params]:
    """Sites matching the filters that were open at some time in the month range."""
    first, last = month_range(state)
    clauses = ["(start IS NULL OR start <= ?)", "(stop IS NULL OR stop >= ?)"]
    params: Params = [last, first]
    more, more_params = common_filter(state, has_region=has_region)
    return " AND ".join(clauses + more), params + more_params


def bbox_filter(bbox: tuple[float, float, float, float] | None) -> tuple[str, Params]:
    """Points inside (south, west, north, east); no clause for None."""
    if bbox is None:
        return "TRUE", []
    south, west, north, east = bbox
    return (
        "(latitude BETWEEN ? AND ?) AND (longitude BETWEEN ? AND ?)",
        [float(south), float(north), float(west), float(east)],
    )
