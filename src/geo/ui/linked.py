"""Linked charts: Plotly charts whose click, box or lasso selection filters the view (read
back by :mod:`geo.ui.state`)."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go
import streamlit as st

from geo import charts, scale
from geo.query import ViewResult
from geo.ui import viewcache
from geo.ui.state import chart_highlight, chart_key


def linked_chart(
    figure: go.Figure, name: str, picks: Sequence[str] = (), spec: str | None = None
) -> None:
    """A chart whose selection filters the view, showing the view's ``picks`` selected
    (``spec``: the figure's JSON, if known)."""
    spec = figure.to_json() if spec is None else spec
    figure = charts.highlight(figure, chart_highlight(name, spec, tuple(picks)))
    st.plotly_chart(
        figure,
        key=chart_key(name),
        on_select="rerun",
        selection_mode=("points", "box", "lasso"),
        config={"displaylogo": False},
    )


def linked_charts(result: ViewResult, names: Sequence[str]) -> None:
    """The linked charts named (month, category, actor, figures), drawn over the events
    before any chart selection so a selection stays in its context."""
    picks = result.view.picks

    def draw(name: str) -> None:
        def build() -> tuple[go.Figure, str]:
            made = scale.chart(name, result)
            return made, made.to_json()

        figure, spec = viewcache.chart(result, name, build)
        linked_chart(figure, name, picks, spec)

    if "month" in names:
        draw("month")
    pair = [n for n in ("category", "actor") if n in names]
    for column, name in zip(st.columns(len(pair)) if pair else [], pair, strict=True):
        with column:
            draw(name)
    if "figures" in names:
        draw("figures")
