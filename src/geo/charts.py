"""Plotly figures that follow the view. Every bar or point carries a pick key naming the
events it counts (see :mod:`geo.picks`), so a chart selection turns back into events."""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from geo import safe_html
from geo.figures import Figure, figure_range, parse_figures
from geo.model import AREAS, CATEGORY_COLOURS, CATEGORY_LABELS, Category
from geo.picks import covers, pick_key
from geo.view import ViewState, month_index, month_of

COUNTRY_COLOURS = {"KAZ": "#3b7ea1", "KGZ": "#c0504d", "CHN": "#8064a2"}
MEASURE_COLOURS = {"participants": "#1f4e79", "arrests": "#b2182b"}
ACTOR_COLOUR = "#5b6770"
OTHER_COLOUR = "#999999"

HEIGHT = 260
MARGIN = {"l": 40, "r": 10, "t": 40, "b": 30}
# Where "0" sits on a log axis (which has no zero): a row below 1.
ZERO_Y = 0.5


# ---- figures ----


def _layout(figure: go.Figure, title: str, height: int = HEIGHT, **extra: Any) -> None:
    """Size, title and the interaction every chart shares.

    A click selects (shift-click adds): Streamlit keeps the ``clickmode`` given, and turns
    clicks into selections only while ``dragmode`` is neither ``select`` nor ``lasso``, so
    the chart opens in ``pan``. Box and lasso come from the mode bar, which Streamlit shows
    when ``selection_mode`` includes them. Both axes are fixed (set by the callers), so
    dragging in ``pan`` moves nothing and the chart never drifts from the view's filters.
    """
    figure.update_layout(
        title={"text": title, "font": {"size": 14}},
        height=height,
        margin=MARGIN,
        clickmode="event+select",
        dragmode="pan",
        hovermode="closest",
        hoverlabel={"align": "left"},
        **extra,
    )


# Month ticks name their month while the ticks are months apart (a range of a few years or
# less), and only the year when they are a year or more apart.
MONTH_TICKS = [
    {"dtickrange": [None, "M11"], "value": "%b %Y"},
    {"dtickrange": ["M12", None], "value": "%Y"},
]


def month_figure(table: pd.DataFrame, undated: int) -> go.Figure:
    """Stacked bars: events per month by country, from their counts (the store's
    ``monthly_counts``): events per month (rows) and country (columns), and how many are
    undated. Each segment's pick key is ``month:YYYY-MM+iso:XXX``, its count after it."""
    figure = go.Figure()
    for iso in table.columns:
        name = safe_html.text(AREAS[iso].name)
        figure.add_bar(
            x=[f"{m}-01" for m in table.index],
            y=table[iso].tolist(),
            # The count after the key: an empty segment picks nothing (geo.picks).
            customdata=[
                [pick_key(("month", m), ("iso", iso)), int(n)]
                for m, n in zip(table.index, table[iso], strict=True)
            ],
            name=name,
            marker_color=COUNTRY_COLOURS[iso],
            hovertemplate=f"{name}<br>%{{x|%B %Y}}: %{{y}} event(s)<extra></extra>",
        )
    title = "Events per month, by country"
    if undated:
        title += f" ({undated} undated not shown)"
    _layout(
        figure,
        title,
        barmode="stack",
        legend={"orientation": "h", "y": 1.15, "x": 1, "xanchor": "right"},
        xaxis={"type": "date", "tickformatstops": MONTH_TICKS, "fixedrange": True},
        yaxis={
            "title": "events",
            "rangemode": "tozero",
            "dtick": 1 if table.to_numpy().max(initial=0) < 6 else None,
            "fixedrange": True,
        },
        bargap=0.1,
    )
    return figure


def _count_axis(top: int) -> dict[str, Any]:
    return {
        "rangemode": "tozero",
        "dtick": 1 if top < 6 else None,
        "tickformat": "d",
        "fixedrange": True,
    }


def category_figure(counts: Mapping[str, int], state: ViewState) -> go.Figure:
    """Horizontal bars: events per category (undated ones included), from their counts per
    category value; pick key ``category:<value>``. Shows the view's categories, or those with
    events when the view names none."""
    counts = Counter({safe_html.plain(k): int(v) for k, v in counts.items()})
    known = [c.value for c in Category]
    # The view's categories when it names some, else every category with events.
    shown = [c for c in known if c in state.categories or (not state.categories and counts[c])]
    shown += sorted(c for c in counts if c not in known)  # data beyond the vocabulary
    labels, colours, values, custom = [], [], [], []
    for value in shown:
        label = safe_html.text(
            CATEGORY_LABELS[Category(value)] if value in known else value, max_len=40
        )
        n = counts.get(value, 0)
        labels.append(label)
        colours.append(CATEGORY_COLOURS[Category(value)] if value in known else OTHER_COLOUR)
        values.append(n)
        custom.append([pick_key(("category", value)), f"{label}: {n} event(s)"])
    figure = go.Figure()
    figure.add_bar(
        x=values,
        y=list(range(len(shown))),
        orientation="h",
        marker_color=colours,
        customdata=custom,
        hovertemplate="%{customdata[1]}<extra></extra>",
        showlegend=False,
    )
    _layout(
        figure,
        "Events by category",
        xaxis={**_count_axis(max(values, default=0)), "title": "events"},
        yaxis={
            "tickvals": list(range(len(shown))),
            "ticktext": labels,
            "autorange": "reversed",
            "automargin": True,
            "fixedrange": True,
        },
        bargap=0.25,
    )
    return figure


def actor_figure(ranked: Sequence[tuple[str, int]], distinct: int) -> go.Figure:
    """Horizontal bars: the actors and organisers in the most events, from their counts:
    the ranked ``(name, events)`` pairs shown, and how many distinct actors there are; pick
    key ``actor:<name>``."""
    figure = go.Figure()
    figure.add_bar(
        x=[c for _, c in ranked],
        y=list(range(len(ranked))),
        orientation="h",
        marker_color=ACTOR_COLOUR,
        customdata=[
            [pick_key(("actor", name)), f"{safe_html.text(name, 200)}: {c} event(s)"]
            for name, c in ranked
        ],
        hovertemplate="%{customdata[1]}<extra></extra>",
        showlegend=False,
    )
    title = "Top actors and organisers"
    if distinct > len(ranked):
        title += f" ({len(ranked)} of {distinct})"
    _layout(
        figure,
        title,
        xaxis={**_count_axis(max((c for _, c in ranked), default=0)), "title": "events"},
        yaxis={
            # Positions, not names: two long names cut to the same label stay two bars.
            "tickvals": list(range(len(ranked))),
            "ticktext": [safe_html.text(name, 36) for name, _ in ranked],
            "autorange": "reversed",
            "automargin": True,
            "tickfont": {"size": 11},
            "fixedrange": True,
        },
        bargap=0.2,
    )
    return figure


@dataclass(frozen=True)
class Reported:
    """One event's figures for one measure, reduced to what a chart draws."""

    figures: tuple[Figure, ...]
    low: int | None
    high: int
    central: float
    open_above: bool  # the highest figure is a lower bound ("≥2,000")
    open_below: bool  # every figure only bounds from above ("part of 57 total")


def reported(cell: object) -> Reported | None:
    """The span and a central value of a cell's figures; ``None`` when none is numeric.

    The central value is the median of the figures' own midpoints (a lower bound counts at
    its number); with only upper bounds, it is the highest of them.
    """
    figures = tuple(parse_figures(cell))
    numeric = [f for f in figures if f.numeric]
    low, high = figure_range(cell)
    if not numeric or high is None:
        return None
    mids = [f.low if f.high is None else (f.low + f.high) / 2 for f in numeric if f.low is not None]
    return Reported(
        figures=figures,
        low=low,
        high=high,
        central=statistics.median(mids) if mids else float(high),
        open_above=any(f.high is None and f.low == high for f in numeric),
        open_below=all(f.low is None for f in numeric),
    )


def _span_words(r: Reported) -> str:
    if r.low is None:
        return f"at most {r.high:,}"
    words = f"{r.low:,}" if r.low == r.high else f"{r.low:,}–{r.high:,}"
    return words + ("+" if r.open_above else "")


def _symbol(r: Reported) -> str:
    """A triangle where the only number is a bound: up for "≥9", down for "part of 57"."""
    if r.open_below:
        return "triangle-down"
    if r.open_above and r.low == r.high:
        return "triangle-up"
    return "circle"


def _axis_y(value: float) -> float:
    return max(value, ZERO_Y)


@dataclass(frozen=True)
class _Point:
    day: str
    y: float
    plus: float
    minus: float
    symbol: str
    custom: tuple[str, str]


def _points(dated: pd.DataFrame, measure: str) -> list[_Point]:
    points = []
    for row in dated.itertuples(index=False):
        r = reported(getattr(row, measure))
        if r is None:
            continue
        y = _axis_y(r.central)
        day = f"{row.start:%Y-%m-%d}"
        lines = [
            f"<b>{safe_html.text(row.title, 80)}</b>",
            f"{day} · {safe_html.text(row.location, 60)}",
            f"{measure}: {_span_words(r)}",
            *(f"• {safe_html.text(f.text, 100)}" for f in r.figures[:8]),
        ]
        points.append(
            _Point(
                day=day,
                y=y,
                plus=_axis_y(r.high) - y,
                minus=y - _axis_y(r.low) if r.low is not None else 0.0,
                symbol=_symbol(r),
                custom=(pick_key(("event", row.event_id)), "<br>".join(lines)),
            )
        )
    return points


def participants_and_arrests(events: pd.DataFrame, state: ViewState) -> go.Figure:
    """Marker traces over time (log scale): each event's participants and its arrests,
    at the median of its sources' figures, with an error bar spanning the lowest to the
    highest figure where they disagree; a triangle where the only number is a bound.
    Events with no number or no date are left out; the hover lists every figure as
    written, with its source. Pick key ``event:<id>``.

    Per measure, one trace of circles and one (legend hidden, same legend group) of
    triangles, so the legend always shows a circle."""
    dated = events[events["start"].notna()]
    order = sorted(
        range(len(dated)), key=lambda i: (dated["start"].iat[i], dated["event_id"].iat[i])
    )
    dated = dated.iloc[order]
    figure = go.Figure()
    top = 1.0
    for measure in ("participants", "arrests"):
        points = _points(dated, measure)
        top = max([top, *(p.y + p.plus for p in points)])
        for bounds in (False, True):
            group = [p for p in points if (p.symbol != "circle") == bounds]
            colour = MEASURE_COLOURS[measure]
            figure.add_scatter(
                x=[p.day for p in group],
                y=[p.y for p in group],
                mode="markers",
                name=measure,
                legendgroup=measure,
                showlegend=not bounds,
                marker={
                    "color": colour,
                    "size": 9 if bounds else 8,
                    "symbol": [p.symbol for p in group] if bounds else "circle",
                    "line": {"width": 0.5, "color": "white"},
                },
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": [p.plus for p in group],
                    "arrayminus": [p.minus for p in group],
                    "thickness": 1.2,
                    "width": 3,
                    "color": colour,
                },
                customdata=[list(p.custom) for p in group],
                hovertemplate="%{customdata[1]}<extra></extra>",
            )
    with_numbers = {
        row.event_id
        for row in events.itertuples(index=False)
        if reported(row.participants) or reported(row.arrests)
    }
    left_out = len(with_numbers - set(dated["event_id"]))
    title = "Participants and arrests, as sources report them"
    if left_out:
        title += f" ({left_out} undated not shown)"
    first = f"{state.start}-01"
    last = date.fromisoformat(f"{month_of(month_index(state.end) + 1)}-01")
    decades = range(0, math.ceil(math.log10(top * 1.5)) + 1)
    _layout(
        figure,
        title,
        legend={"orientation": "h", "y": 1.15, "x": 1, "xanchor": "right"},
        xaxis={"type": "date", "range": [first, last.isoformat()], "fixedrange": True},
        yaxis={
            "type": "log",
            "title": "people",
            "range": [math.log10(ZERO_Y * 0.7), math.log10(top * 1.6)],
            "tickvals": [ZERO_Y, *(10**d for d in decades)],
            "ticktext": ["0", *(f"{10**d:,}" for d in decades)],
            "fixedrange": True,
        },
    )
    return figure


def highlight(figure: go.Figure, picks: Sequence[str]) -> go.Figure:
    """``figure`` with the bars or points the view's chart selection stands for selected
    (Plotly's ``selectedpoints``; the others drawn faint), as the chart looks in the tab
    where the selection was made, so a link reopens it the same. A figure none of whose
    points the selection covers (the selection was made in another chart) is left as it is."""
    chosen = [
        [i for i, data in enumerate(trace.customdata or ()) if _covered(data, picks)]
        for trace in figure.data
    ]
    if picks and any(chosen):
        figure = go.Figure(figure)  # a copy: the figure may be shared by other sessions
        for trace, indices in zip(figure.data, chosen, strict=True):
            trace.selectedpoints = indices
    return figure


def _covered(data: object, picks: Sequence[str]) -> bool:
    key = data[0] if isinstance(data, list | tuple) and data else data
    return isinstance(key, str) and any(covers(pick, key) for pick in picks)
