"""Streamlit helpers shared by the pages: configuration, the cached loader, the view state
kept in the URL, and the excerpt panel. The only module of the package that imports
streamlit."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pandas as pd
import streamlit as st

from geo import safe_html
from geo.bundle import DEFAULT_DATA_DIR, Bundle, borders_geojson, load_bundle
from geo.maps import date_words, event_when, place_words, site_when
from geo.model import AREAS, CATEGORY_LABELS, Category, GeoPrecision
from geo.query import Selection
from geo.view import Bounds, ViewState, decode, encode

VIEW_KEY = "view"
NOTICES_KEY = "url_notices"
W_RANGE, W_COUNTRY, W_CAT, W_QUERY, W_UNDATED = (
    "w_range",
    "w_country",
    "w_cat",
    "w_query",
    "w_undated",
)


def data_dir() -> Path:
    return Path(os.environ.get("GEO_DATA_DIR") or DEFAULT_DATA_DIR)


def corpus_dir() -> Path | None:
    value = os.environ.get("GEO_CORPUS_DIR")
    return Path(value) if value else None


def _signature(folder: Path) -> tuple[tuple[str, int, int], ...]:
    """Cheap change detector for the cache key: name, size and mtime of each data file."""
    out = []
    for name in ("events.csv", "sites.csv", "sources.csv", "excerpts.csv"):
        path = folder / name
        stat = path.stat() if path.exists() else None
        out.append((name, stat.st_size if stat else -1, stat.st_mtime_ns if stat else -1))
    return tuple(out)


@st.cache_resource(show_spinner="Loading the data…")
def _load(folder: str, corpus: str | None, signature: tuple) -> Bundle:
    return load_bundle(Path(folder), Path(corpus) if corpus else None)


def bundle() -> Bundle:
    """The validated data, loaded once per version of the files (frames are read-only)."""
    folder = data_dir()
    corpus = corpus_dir()
    return _load(str(folder), str(corpus) if corpus else None, _signature(folder))


@st.cache_resource
def borders() -> str:
    return borders_geojson()


def bounds_of(data: Bundle) -> Bounds:
    first, last = data.month_span()
    ids = frozenset(data.events["event_id"]) | frozenset(data.sites["site_id"])
    return Bounds(first, last, ids)


def _query_params() -> dict[str, list[str]]:
    return {key: st.query_params.get_all(key) for key in st.query_params}


def current_view(bounds: Bounds) -> ViewState:
    """The session's ViewState: decoded from the URL on the first run, then kept in the
    session; widget keys are seeded from it whenever they are missing (first run, or coming
    back from another page)."""
    if VIEW_KEY not in st.session_state:
        decoded = decode(_query_params(), bounds)
        st.session_state[VIEW_KEY] = decoded.state
        st.session_state[NOTICES_KEY] = decoded.notices
    state: ViewState = st.session_state[VIEW_KEY]
    seeds = {
        W_RANGE: (state.start, state.end),
        W_COUNTRY: list(state.countries),
        W_CAT: list(state.categories),
        W_QUERY: state.query,
        W_UNDATED: state.undated,
    }
    for key, value in seeds.items():
        if key not in st.session_state:
            st.session_state[key] = value
    return state


def view_from_widgets(previous: ViewState) -> ViewState:
    chosen = st.session_state[W_RANGE]
    # A one-month range can come back from the slider as a single value.
    start, end = (chosen, chosen) if isinstance(chosen, str) else tuple(chosen)
    return replace(
        previous,
        start=start,
        end=end,
        countries=tuple(c for c in AREAS if c in st.session_state[W_COUNTRY]),
        categories=tuple(c.value for c in Category if c.value in st.session_state[W_CAT]),
        query=" ".join(str(st.session_state[W_QUERY]).split())[:200],
        undated=bool(st.session_state[W_UNDATED]),
    )


def commit_view(state: ViewState, bounds: Bounds) -> None:
    """Remember the view and write it to the URL (only when it changed)."""
    st.session_state[VIEW_KEY] = state
    wanted = encode(state, bounds)
    if (
        wanted != st.query_params.to_dict()
        or len(_query_params()) != len(wanted)
        or any(len(v) > 1 for v in _query_params().values())
    ):
        st.query_params.from_dict(wanted)


def reset_view(bounds: Bounds) -> None:
    state = ViewState.default(bounds)
    st.session_state[VIEW_KEY] = state
    for key in (W_RANGE, W_COUNTRY, W_CAT, W_QUERY, W_UNDATED):
        st.session_state.pop(key, None)


def show_notices() -> None:
    notices: list[str] = st.session_state.get(NOTICES_KEY, [])
    if not notices:
        return
    lines = "\n".join(f"- {safe_html.markdown(n)}" for n in notices[:12])
    more = f"\n- … and {len(notices) - 12} more" if len(notices) > 12 else ""
    st.warning(f"**This link had problems; defaults were used instead:**\n{lines}{more}")


def show_data_problems(data: Bundle) -> None:
    """A visible notice when rows were rejected or flagged, with each problem listed."""
    if not data.problems:
        return
    errors, warnings = len(data.errors), len(data.warnings)
    label = (
        f"{errors} data row(s) rejected and {warnings} warning(s): the good rows are shown. Details"
    )
    with st.expander(label, expanded=False):
        frame = pd.DataFrame(
            [
                {
                    "file": p.file,
                    "line": p.line,
                    "id": p.record_id,
                    "field": p.field,
                    "severity": p.severity,
                    "reason": p.reason,
                }
                for p in data.problems
            ]
        )
        st.dataframe(frame, hide_index=True, width="stretch")
    if errors:
        st.error(
            f"{errors} row(s) in the data files could not be loaded; "
            "they are listed under 'Details' above."
        )


def category_label(value: str) -> str:
    return CATEGORY_LABELS[Category(value)]


def country_label(iso: str) -> str:
    return AREAS[iso].name


def citation(source: pd.Series) -> str:
    """'Title', Publisher, Author, date, as escaped Markdown with a link when safe."""
    title = safe_html.markdown(source.get("title", ""))
    url = safe_html.safe_url(source.get("url"))
    head = f"[{title}]({url})" if url else title
    parts = [head]
    for column in ("publisher", "author"):
        value = str(source.get(column, "") or "")
        if value and value != "nan":
            parts.append(safe_html.markdown(value))
    published = str(source.get("published", "") or "")
    if published and published != "nan":
        parts.append(safe_html.markdown(published))
    return ", ".join(parts)


def selection_panel(sel: Selection, in_view: bool) -> None:
    """The panel beside the map: the selected item, its excerpts and their citations."""
    record = sel.record
    title = record["title"] if sel.kind == "event" else record["name"]
    when = event_when(record) if sel.kind == "event" else site_when(record)
    precision = GeoPrecision(str(record["geo_precision"]))
    st.markdown(f"#### {safe_html.markdown(title)}")
    item_id = str(record["event_id"] if sel.kind == "event" else record["site_id"])
    st.caption(
        f"{safe_html.markdown(category_label(str(record['category'])))} · "
        f"{safe_html.markdown(item_id)} · confidence {safe_html.markdown(record['confidence'])}"
    )
    lines = [
        f"**When:** {safe_html.markdown(when)}",
        f"**Where:** {safe_html.markdown(place_words(record))} "
        f"({safe_html.markdown(precision.description)})",
    ]
    actors = "; ".join(
        str(record.get(c, ""))
        for c in ("actor1", "assoc_actor_1")
        if str(record.get(c, "") or "") not in ("", "nan")
    )
    if actors:
        lines.append(f"**Actors:** {safe_html.markdown(actors)}")
    if sel.kind == "event":
        for label, column in (("Participants", "participants"), ("Arrests", "arrests")):
            value = str(record.get(column, "") or "")
            if value and value != "nan":
                lines.append(f"**{label}:** {safe_html.markdown(value)}")
    st.markdown("  \n".join(lines))
    if not in_view:
        st.info("This item is outside the current filters, so it is not drawn on the map.")

    st.markdown(f"**Excerpts ({len(sel.excerpts)})**")
    if len(sel.excerpts):
        for _, excerpt in sel.excerpts.iterrows():
            with st.container(border=True):
                st.markdown(f"> {safe_html.markdown(excerpt['text'])}")
                span = f"characters {excerpt['char_start']}–{excerpt['char_end']}"
                st.caption(f"{citation(excerpt)} · {span}")
    else:
        st.caption(
            "No excerpt from a held article supports this item yet: its source and notes follow."
        )
    if sel.source is not None:
        st.markdown(f"**Source:** {citation(sel.source)}")
    notes = str(record.get("notes", "") or "")
    if notes and notes != "nan":
        with st.expander("Notes on sourcing", expanded=not len(sel.excerpts)):
            st.markdown(safe_html.markdown(notes, max_len=4000))


def summary_line(state: ViewState, n_events: int, n_sites: int) -> str:
    countries = ", ".join(country_label(c) for c in state.countries) or "all countries"
    categories = ", ".join(category_label(c) for c in state.categories) or "all categories"
    period = f"{date_words(pd.Timestamp(state.start + '-01').date(), 'month').split(' (')[0]} – "
    period += date_words(pd.Timestamp(state.end + "-01").date(), "month").split(" (")[0]
    text = f"{n_events} events and {n_sites} sites · {period} · {countries} · {categories}"
    if state.query:
        text += f" · matching “{state.query}”"
    return safe_html.markdown(text)
