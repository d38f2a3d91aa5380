"""Plotly figures that follow the view."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from geo import safe_html
from geo.model import AREAS
from geo.view import ViewState, months_between

COUNTRY_COLOURS = {"KAZ": "#3b7ea1", "KGZ": "#c0504d", "CHN": "#8064a2"}


def monthly_counts(events: pd.DataFrame, state: ViewState) -> pd.DataFrame:
    """Events per month and country over the view's months (undated events left out);
    an event counts in the month it started."""
    months = months_between(state.start, state.end)
    dated = events[events["start"].notna()]
    month = dated["start"].map(lambda d: f"{d:%Y-%m}")
    table = (
        pd.crosstab(month, dated["iso"])
        if len(dated)
        else pd.DataFrame(index=pd.Index([], name="start"))
    )
    table = table.reindex(index=months, columns=list(AREAS), fill_value=0)
    table.index.name = "month"
    return table.astype("int64")


def events_per_month(events: pd.DataFrame, state: ViewState) -> go.Figure:
    """Stacked bars: events per month by country."""
    table = monthly_counts(events, state)
    figure = go.Figure()
    for iso in table.columns:
        name = safe_html.text(AREAS[iso].name)
        figure.add_bar(
            x=[f"{m}-01" for m in table.index],
            y=table[iso].tolist(),
            name=name,
            marker_color=COUNTRY_COLOURS[iso],
            hovertemplate=f"{name}<br>%{{x|%B %Y}}: %{{y}} event(s)<extra></extra>",
        )
    undated = int(events["start"].isna().sum())
    title = "Events per month, by country"
    if undated:
        title += f" ({undated} undated not shown)"
    figure.update_layout(
        barmode="stack",
        title={"text": title, "font": {"size": 14}},
        height=260,
        margin={"l": 40, "r": 10, "t": 40, "b": 30},
        legend={"orientation": "h", "y": 1.15, "x": 1, "xanchor": "right"},
        xaxis={"type": "date", "tickformat": "%Y"},
        yaxis={
            "title": "events",
            "rangemode": "tozero",
            "dtick": 1 if table.to_numpy().max(initial=0) < 6 else None,
        },
        bargap=0.1,
    )
    return figure
