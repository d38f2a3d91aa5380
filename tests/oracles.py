"""Test oracles: the view's filters and aggregates computed a second way, on frames with
pandas (or the filters' SQL on a frame), which the store's answers are held to.

The product has one implementation of each, the store's (:mod:`geo.store`); these are
independent enough to catch it going wrong, and small enough to read.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import date

import duckdb
import pandas as pd
import plotly.graph_objects as go

from geo import safe_html
from geo.charts import actor_figure, category_figure, month_figure, participants_and_arrests
from geo.model import AREAS
from geo.picks import encode_value, month_span, parse_pick_key
from geo.store import sql
from geo.view import ViewState, months_between

# ---- the filters' SQL, run on a frame ----

_FRAMES = duckdb.connect()
_FRAMES_LOCK = threading.Lock()
_FILTER_COLUMNS = ("iso", "category", "region", "search_text", "start", "stop")


def _positions(
    frame: pd.DataFrame, state: ViewState, where: Callable[..., tuple[str, list[object]]]
) -> list[int]:
    """Positions of the frame's rows that the WHERE clause keeps, in order."""
    present = [c for c in _FILTER_COLUMNS if c in frame]
    columns = pd.DataFrame({c: frame[c].to_numpy() for c in present})
    columns["position"] = range(len(frame))
    clause, params = where(state, has_region="region" in frame)
    with _FRAMES_LOCK:
        cursor = _FRAMES.cursor()
    try:
        cursor.register("frame", columns)
        rows = cursor.execute(
            f"SELECT position FROM frame WHERE {clause} ORDER BY position", params
        ).fetchall()
    finally:
        cursor.close()
    return [int(r[0]) for r in rows]


def filter_events(events: pd.DataFrame, state: ViewState) -> pd.DataFrame:
    """Events matching the filters whose dates overlap the month range (undated ones too,
    when the view includes them), in the frame's order with its index."""
    if events.empty:
        return events
    return events.iloc[_positions(events, state, sql.event_filter)]


def filter_sites(sites: pd.DataFrame, state: ViewState) -> pd.DataFrame:
    """Sites matching the filters that were open at some time in the month range; a site
    with unknown dates is always shown."""
    if sites.empty:
        return sites
    return sites.iloc[_positions(sites, state, sql.site_filter)]


# ---- pick keys matched with pandas (the store's SQL: geo.store.sql.pick_filter) ----


def split_actors(*cells: object) -> list[str]:
    """Actor names in ``actor1``/``assoc_actor_1`` cells, split on ``;``, each once."""
    names: list[str] = []
    for cell in cells:
        for part in safe_html.plain(cell).split(";"):
            name = " ".join(part.split())
            if name and name not in names:
                names.append(name)
    return names


def chart_month(start: object, first: str | None = None) -> str | None:
    """The month an event is counted in: the month it started, or the view's first month
    (``first``) when it started earlier and runs into the view, so chart and map agree."""
    if not isinstance(start, date):
        return None
    month = f"{start:%Y-%m}"
    return max(month, first) if first else month


def _encoded(values: pd.Series) -> pd.Series:
    """``values`` escaped as in pick keys (each distinct value escaped once)."""
    table = {v: encode_value(v) for v in pd.unique(values.astype("object"))}
    return values.map(table)


def _facet_values(events: pd.DataFrame, facet: str, first: str | None = None) -> pd.Series | None:
    """Each event's value of ``facet``, escaped as in pick keys; ``None`` when unknown.

    For ``actor`` each value is the frozenset of the event's actors."""
    if facet == "month":
        return _encoded(events["start"].map(lambda d: chart_month(d, first) or ""))
    if facet == "event":
        return _encoded(events["event_id"])
    if facet in ("iso", "category", "region") and facet in events:
        return _encoded(events[facet])
    if facet == "actor":
        return pd.Series(
            [
                frozenset(encode_value(a) for a in split_actors(one, two))
                for one, two in zip(events["actor1"], events["assoc_actor_1"], strict=True)
            ],
            index=events.index,
            dtype="object",
        )
    return None


def events_matching(
    events: pd.DataFrame, picks: Iterable[str], first_month: str | None = None
) -> pd.DataFrame:
    """The events matching ANY of the pick keys, in their original order.

    A key matches an event when ALL its facets do: ``month`` is the month of ``start``
    (or ``first_month`` when it started earlier, as the charts count it), or lies in a span
    of months (``2018-02..2020-11``),
    ``actor`` any name in ``actor1``/``assoc_actor_1`` split on ``;``, ``region`` the
    ``region`` column (nothing when the frame has none). Malformed keys and unknown facets
    match nothing.
    """
    parsed = [p for p in (parse_pick_key(k) for k in picks) if p]
    if events.empty or not parsed:
        return events.iloc[0:0]
    columns: dict[str, pd.Series | None] = {}
    keep = pd.Series(False, index=events.index)
    for key in parsed:
        match = pd.Series(True, index=events.index)
        for facet, value in key:
            if facet not in columns:
                columns[facet] = _facet_values(events, facet, first_month)
            values = columns[facet]
            if values is None:  # an unknown facet matches nothing
                match[:] = False
                break
            if facet == "actor":
                match &= values.map(lambda names, v=value: v in names).astype(bool)
            elif facet == "month" and month_span(value) is not None:
                low, high = month_span(value) or (value, value)
                match &= values.map(lambda m, lo=low, hi=high: bool(m) and lo <= m <= hi)
            elif facet == "month":
                match[:] = False
            else:
                match &= values == value
        keep |= match
    return events[keep.to_numpy()]


# ---- the charts' counts in pandas (the store's: monthly_counts, category_counts,
# actor_counts), and the figures drawn from them as the app draws the store's ----


def monthly_counts(events: pd.DataFrame, state: ViewState) -> pd.DataFrame:
    """Events per month and country over the view's months (undated events left out);
    an event counts in the month it started, or in the view's first month when it started
    earlier and runs into the view."""
    months = months_between(state.start, state.end)
    dated = events[events["start"].notna()]
    month = dated["start"].map(lambda d: chart_month(d, state.start))
    table = (
        pd.crosstab(month, dated["iso"])
        if len(dated)
        else pd.DataFrame(index=pd.Index([], name="start"))
    )
    table = table.reindex(index=months, columns=list(AREAS), fill_value=0)
    table.index.name = "month"
    return table.astype("int64")


def events_per_month(events: pd.DataFrame, state: ViewState) -> go.Figure:
    """Stacked bars: events per month by country; each segment's pick key is
    ``month:YYYY-MM+iso:XXX``."""
    undated = int(events["start"].isna().sum())
    return month_figure(monthly_counts(events, state), undated)


def events_by_category(events: pd.DataFrame, state: ViewState) -> go.Figure:
    """Horizontal bars: events per category (undated ones included); pick key
    ``category:<value>``. Shows the view's categories, or those with events when the view
    names none."""
    return category_figure(Counter(safe_html.plain(c) for c in events["category"]), state)


def actor_counts(events: pd.DataFrame) -> Counter[str]:
    """Events per actor (names from ``actor1`` and ``assoc_actor_1`` split on ``;``)."""
    counts: Counter[str] = Counter()
    for row in events[["actor1", "assoc_actor_1"]].itertuples(index=False):
        counts.update(split_actors(row.actor1, row.assoc_actor_1))
    return counts


def top_actors(events: pd.DataFrame, state: ViewState, n: int = 12) -> go.Figure:
    """Horizontal bars: the ``n`` actors and organisers in the most events (ties by name);
    pick key ``actor:<name>``."""
    counts = actor_counts(events)
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0].casefold(), kv[0]))[:n]
    return actor_figure(ranked, len(counts))


# ---- events and sites per region (the store's: region_counts, for events) ----


def region_counts(events: pd.DataFrame, sites: pd.DataFrame) -> dict[str, tuple[int, int]]:
    """(events, sites) in view per region name."""
    counts: dict[str, tuple[int, int]] = {}
    ev = events["region"].value_counts() if len(events) else pd.Series(dtype="int64")
    si = sites["region"].value_counts() if len(sites) else pd.Series(dtype="int64")
    for name in set(ev.index) | set(si.index):
        if name:
            counts[str(name)] = (int(ev.get(name, 0)), int(si.get(name, 0)))
    return counts


def chart_of(name: str, events: pd.DataFrame, view: ViewState) -> go.Figure:
    """The linked chart ``name`` drawn from the event rows with pandas: the oracle the
    store's aggregates are held to (the figures chart draws the rows themselves)."""
    builders = {
        "month": events_per_month,
        "category": events_by_category,
        "actor": top_actors,
        "figures": participants_and_arrests,
    }
    return builders[name](events, view)
