"""Apply a ViewState to the bundle's frames: what is in view, and what supports it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from geo.bundle import Bundle
from geo.picks import events_matching
from geo.validate import split_ids
from geo.view import ViewState, month_index, month_of


@dataclass(frozen=True)
class Filtered:
    """What the view shows: ``events`` and ``sites`` on the map, and ``unpicked`` (the events
    before any chart selection), which the charts draw so the selection stays in context."""

    events: pd.DataFrame
    sites: pd.DataFrame
    unpicked: pd.DataFrame | None = None

    @property
    def count(self) -> int:
        return len(self.events) + len(self.sites)


def month_range(state: ViewState) -> tuple[date, date]:
    """First and last day of the view's month range."""
    first = date.fromisoformat(f"{state.start}-01")
    after = date.fromisoformat(f"{month_of(month_index(state.end) + 1)}-01")
    return first, date.fromordinal(after.toordinal() - 1)


def _common(frame: pd.DataFrame, state: ViewState) -> pd.Series:
    keep = pd.Series(True, index=frame.index)
    if state.countries:
        keep &= frame["iso"].isin(state.countries)
    if state.categories:
        keep &= frame["category"].isin(state.categories)
    if state.regions and "region" in frame:
        keep &= frame["region"].isin(state.regions)
    if state.query:
        needle = state.query.casefold()
        keep &= frame["search_text"].str.contains(needle, regex=False)
    return keep


def filter_events(events: pd.DataFrame, state: ViewState) -> pd.DataFrame:
    """Events matching the filters whose dates overlap the month range (undated ones too,
    when the view includes them)."""
    if events.empty:
        return events
    first, last = month_range(state)
    dated = events["start"].notna()
    overlaps = dated & (events["start"] <= last) & (events["stop"] >= first)
    in_time = overlaps | (~dated & state.undated)
    return events[_common(events, state) & in_time]


def filter_sites(sites: pd.DataFrame, state: ViewState) -> pd.DataFrame:
    """Sites matching the filters that were open at some time in the month range; a site
    with unknown dates is always shown."""
    if sites.empty:
        return sites
    first, last = month_range(state)
    opened_before_end = sites["start"].isna() | (sites["start"] <= last)
    open_after_start = sites["stop"].isna() | (sites["stop"] >= first)
    return sites[_common(sites, state) & opened_before_end & open_after_start]


def apply(bundle: Bundle, state: ViewState) -> Filtered:
    """The filters, then the chart selection: selected bars or points keep their events
    only, and sites (which no chart counts) step aside while a selection is active."""
    events = filter_events(bundle.events, state)
    sites = filter_sites(bundle.sites, state)
    if not state.picks:
        return Filtered(events, sites, events)
    return Filtered(events_matching(events, state.picks, state.start), sites.iloc[0:0], events)


@dataclass(frozen=True)
class Selection:
    """The selected event or site, its source and the excerpts that support it."""

    kind: str  # "event" or "site"
    record: pd.Series
    source: pd.Series | None
    excerpts: pd.DataFrame  # with the citation columns of each excerpt's source


def selection(bundle: Bundle, selected: str | None) -> Selection | None:
    if not selected:
        return None
    found = [
        (kind, frame[frame[key] == selected])
        for kind, frame, key in (
            ("event", bundle.events, "event_id"),
            ("site", bundle.sites, "site_id"),
        )
    ]
    hits = [(kind, match.iloc[0]) for kind, match in found if len(match)]
    if not hits:
        return None
    kind, record = hits[0]
    ids = split_ids(str(record["excerpt_ids"]))
    excerpts = bundle.excerpts[bundle.excerpts["excerpt_id"].isin(ids)]
    excerpts = excerpts.merge(
        bundle.sources.drop(columns=["line"]), on="source_id", how="left", suffixes=("", "_src")
    )
    excerpts = excerpts.set_index("excerpt_id").loc[
        [i for i in ids if i in set(excerpts["excerpt_id"])]
    ]
    sources = bundle.sources[bundle.sources["source_id"] == record["source_id"]]
    source = sources.iloc[0] if len(sources) else None
    return Selection(kind, record, source, excerpts.reset_index())
