"""Committed amounts of Belt and Road projects: the site charts and their chart selection.

A *project* is a ``bri_site`` in view with an amount (imported from AidData's GCDF files;
the curated sites carry none). Amounts are only comparable within one currency-year
("USD2017" is constant 2017 US dollars, "USD2021" constant 2021 dollars), so every bar
belongs to one currency-year: with several in view the charts draw them side by side, one
trace each, and say that they are not added.

Each bar carries a pick key (see :mod:`geo.picks`): ``committed:2012+currency:USD2017`` for a
year's bar, ``sector:ENERGY+currency:USD2017`` for a sector's. Selecting bars narrows the map
and the list to the projects they count (:func:`sites_matching`); no event matches these
facets, so events step aside while a site chart selection is active. Records AidData marks
as not to be added up (they would count one loan twice) are left out of the totals.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any, cast

import pandas as pd
import plotly.graph_objects as go

from geo import safe_html
from geo.model import Category, currency_words
from geo.picks import parse_pick_key, pick_key

SITE_FACETS = frozenset({"committed", "sector", "currency"})
# What the charts and the selection read of each site in view (besides ``site_id``).
DETAIL_COLUMNS = (
    "name",
    "category",
    "start",
    "amount",
    "currency_year",
    "sector",
    "status",
    "for_aggregates",
)
HEIGHT = 280
MARGIN = {"l": 60, "r": 10, "t": 50, "b": 30}
# One colour per currency-year, in the order they first appear (sorted).
CURRENCY_COLOURS = ("#009E73", "#56B4E9", "#E69F00", "#999999")
NO_SECTOR = "sector not stated"


def projects(details: pd.DataFrame) -> pd.DataFrame:
    """The BRI sites of ``details`` (see :data:`DETAIL_COLUMNS`) that have an amount and
    that AidData does not mark as not to be added up ("Recommended For Aggregates: No"),
    with ``year`` (of the commitment; None when unknown) and ``sector`` (filled in)."""
    if details.empty or "amount" not in details:
        return pd.DataFrame(columns=["site_id", *DETAIL_COLUMNS, "year"])
    keep = (
        (details["category"] == Category.BRI_SITE.value)
        & details["amount"].notna()
        & (details["for_aggregates"].fillna("").str.strip().str.casefold() != "no")
    )
    found = details[keep].copy()
    found["year"] = [d.year if isinstance(d, date) else None for d in found["start"]]
    found["sector"] = found["sector"].fillna("").astype(str).str.strip().replace("", NO_SECTOR)
    found["currency_year"] = found["currency_year"].fillna("").astype(str)
    return found


def _currencies(found: pd.DataFrame) -> list[str]:
    return sorted(set(found["currency_year"]))


def _money(value: float) -> str:
    for size, word in ((1e9, "billion"), (1e6, "million"), (1e3, "thousand")):
        if abs(value) >= size:
            return f"{value / size:,.1f} {word}"
    return f"{value:,.0f}"


def _sector_label(sector: str) -> str:
    return safe_html.text(sector.capitalize(), max_len=34)


def _axis_title(currencies: list[str]) -> str:
    if len(currencies) == 1:
        return safe_html.text(currency_words(currencies[0]))
    return "amount (currency-year in the legend)"


def _title(base: str, found: pd.DataFrame, currencies: list[str], left_out: int = 0) -> str:
    words = [f"{len(found)} project(s)"]
    if len(currencies) == 1:
        words.append(currency_words(currencies[0]))
    elif currencies:
        words.append(
            f"{len(currencies)} currency-years side by side, not added: "
            + ", ".join(currency_words(c) for c in currencies)
        )
    if left_out:
        words.append(f"{left_out} with no commitment year not shown")
    return safe_html.text(f"{base} ({'; '.join(words)})")


def _layout(figure: go.Figure, title: str, **extra: Any) -> None:
    """Size, title and interaction as the event charts have them (see geo.charts)."""
    figure.update_layout(
        title={"text": title, "font": {"size": 13}},
        height=HEIGHT,
        margin=MARGIN,
        clickmode="event+select",
        dragmode="pan",
        hovermode="closest",
        hoverlabel={"align": "left"},
        barmode="group",
        legend={"orientation": "h", "y": 1.12, "x": 1, "xanchor": "right"},
        **extra,
    )


def amount_by_year(found: pd.DataFrame) -> go.Figure:
    """Bars: committed amount per commitment year, one trace per currency-year; pick key
    ``committed:YYYY+currency:XXX``. Projects with no commitment year are left out (and
    counted in the title)."""
    currencies = _currencies(found)
    dated = found[found["year"].notna()]
    years = sorted({int(y) for y in dated["year"]})
    figure = go.Figure()
    for i, currency in enumerate(currencies):
        mine = dated[dated["currency_year"] == currency]
        totals = mine.groupby(mine["year"].astype(int))["amount"].agg(["sum", "count"])
        # The stubs type a cell as any scalar; both columns hold numbers.
        shown = [y for y in years if y in totals.index]
        name = safe_html.text(currency_words(currency))
        figure.add_bar(
            x=shown,
            y=[float(cast(float, totals.loc[y, "sum"])) for y in shown],
            name=name,
            marker_color=CURRENCY_COLOURS[i % len(CURRENCY_COLOURS)],
            customdata=[
                [
                    pick_key(("committed", y), ("currency", currency)),
                    f"{y}: {_money(float(cast(float, totals.loc[y, 'sum'])))} {name} committed, "
                    f"{int(cast(int, totals.loc[y, 'count']))} project(s)",
                ]
                for y in shown
            ],
            hovertemplate="%{customdata[1]}<extra></extra>",
            showlegend=len(currencies) > 1,
        )
    _layout(
        figure,
        _title("Committed amount by year", found, currencies, len(found) - len(dated)),
        xaxis={"type": "linear", "dtick": 1 if len(years) < 12 else 2, "fixedrange": True},
        yaxis={"title": _axis_title(currencies), "rangemode": "tozero", "fixedrange": True},
    )
    return figure


def amount_by_sector(found: pd.DataFrame) -> go.Figure:
    """Horizontal bars: committed amount per sector (largest first), one trace per
    currency-year; pick key ``sector:<name>+currency:XXX``."""
    currencies = _currencies(found)
    order = found.groupby("sector")["amount"].sum().sort_values(ascending=False).index.tolist()
    figure = go.Figure()
    for i, currency in enumerate(currencies):
        mine = found[found["currency_year"] == currency]
        totals = mine.groupby("sector")["amount"].agg(["sum", "count"])
        shown = [s for s in order if s in totals.index]
        name = safe_html.text(currency_words(currency))
        figure.add_bar(
            x=[float(totals.loc[s, "sum"]) for s in shown],
            y=[order.index(s) for s in shown],
            orientation="h",
            name=name,
            marker_color=CURRENCY_COLOURS[i % len(CURRENCY_COLOURS)],
            customdata=[
                [
                    pick_key(("sector", s), ("currency", currency)),
                    f"{safe_html.text(s.capitalize(), 120)}: {_money(float(totals.loc[s, 'sum']))}"
                    f" {name}, {int(totals.loc[s, 'count'])} project(s)",
                ]
                for s in shown
            ],
            hovertemplate="%{customdata[1]}<extra></extra>",
            showlegend=len(currencies) > 1,
        )
    _layout(
        figure,
        _title("Committed amount by sector", found, currencies),
        xaxis={"title": _axis_title(currencies), "rangemode": "tozero", "fixedrange": True},
        yaxis={
            "tickvals": list(range(len(order))),
            "ticktext": [_sector_label(s) for s in order],
            "autorange": "reversed",
            "automargin": True,
            "tickfont": {"size": 10},
            "fixedrange": True,
        },
        bargap=0.2,
    )
    return figure


def _key(value: object) -> str:
    """A value as a pick key writes it."""
    return pick_key(("v", value))[2:]


def is_site_pick(key: str) -> bool:
    """Whether a pick key names projects (a site chart's bar) rather than events."""
    parsed = parse_pick_key(key)
    return bool(parsed) and any(facet in SITE_FACETS for facet, _ in parsed or ())


def matching_ids(found: pd.DataFrame, picks: Iterable[str]) -> set[str]:
    """Ids of the projects matching ANY of the site pick keys (ALL facets of a key)."""
    ids: set[str] = set()
    for key in picks:
        parsed = parse_pick_key(key)
        if not parsed or not any(facet in SITE_FACETS for facet, _ in parsed):
            continue
        keep = pd.Series(True, index=found.index)
        for facet, value in parsed:
            # Compared as pick keys write them (escaped), so nothing is ever unescaped.
            if facet == "committed":
                keep &= found["year"].map(lambda y, v=value: pd.notna(y) and _key(int(y)) == v)
            elif facet in ("sector", "currency"):
                column = "sector" if facet == "sector" else "currency_year"
                keep &= found[column].map(_key) == value
            else:  # an event facet: no project matches it
                keep[:] = False
        ids |= set(found.loc[keep, "site_id"].astype(str))
    return ids


def sites_matching(
    sites: pd.DataFrame, details: pd.DataFrame, picks: Iterable[str]
) -> pd.DataFrame:
    """The rows of ``sites`` that the site pick keys select, in their order."""
    ids = matching_ids(projects(details), picks)
    return sites[sites["site_id"].astype(str).isin(ids).to_numpy()]
