"""Streamlit helpers shared by the pages: configuration, the cached loader, the view state
kept in the URL, and the excerpt panel. The only module of the package that imports
streamlit."""

from __future__ import annotations

import os
import time
from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from geo import assets, safe_html, scale, ui_db
from geo.bundle import DEFAULT_DATA_DIR, Bundle, borders_geojson, load_admin1, load_bundle
from geo.figures import parse_figures
from geo.funding import is_site_pick
from geo.maps import (
    MAP_CENTER,
    MAP_ZOOM,
    clicked_id,
    date_words,
    event_when,
    place_words,
    site_when,
)
from geo.model import AREAS, CATEGORY_LABELS, Category, GeoPrecision
from geo.picks import describe_pick, pick_keys_from_selection
from geo.playback import at_end, first_frame, next_frame
from geo.provenance import site_facts
from geo.query import Filtered, Selection, bounds_for
from geo.regions import clicked_region
from geo.store import StoreError, store_for
from geo.validate import Problem
from geo.view import Bounds, ViewState, clean_query, decode, encode, months_between

VIEW_KEY = "view"
NOTICES_KEY = "url_notices"
W_RANGE, W_COUNTRY, W_CAT, W_QUERY, W_UNDATED, W_REGION = (
    "w_range",
    "w_country",
    "w_cat",
    "w_query",
    "w_undated",
    "w_region",
)
_RANGE_GENERATION = "_range_generation"
_RESEED = "_reseed_widgets"


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


STALE_DATA = "(data)"


@st.cache_resource
def _last_good() -> dict[str, Bundle]:
    """The last bundle per data folder that loaded without a file-level error."""
    return {}


def bundle() -> Bundle:
    """The data the atlas shows: with a shared database that holds another version of the
    curated data than this app's folder, the database's (so every dashboard on it shows the
    same events, excerpts and citations); else the folder's (:func:`folder_bundle`)."""
    folder = folder_bundle()
    return ui_db.curated_bundle(folder, corpus_dir()) or folder


def folder_bundle() -> Bundle:
    """The validated data of the data folder, loaded once per version of the files (frames
    are read-only).

    When a data file has gone missing or unreadable since the last good load, the last good
    data is served, with the file problems listed, rather than an empty atlas."""
    folder = data_dir()
    corpus = corpus_dir()
    fresh = _load(str(folder), str(corpus) if corpus else None, _signature(folder))
    good = _last_good()
    if not fresh.file_errors:
        good[str(folder)] = fresh
        return fresh
    last = good.get(str(folder))
    if last is None:
        return fresh
    note = Problem(
        STALE_DATA,
        0,
        "(file)",
        f"showing the data last loaded without file errors (version {last.version}) "
        "until the files are mended",
        "warning",
    )
    return replace(last, problems=[*fresh.file_errors, note, *last.problems])


def asset_links() -> assets.AssetLinks:
    """The map's script and style links, under the server's URL path prefix if it has one."""
    return assets.links(base_path=str(st.get_option("server.baseUrlPath") or ""))


@st.cache_resource
def borders() -> str:
    return borders_geojson()


@st.cache_resource
def admin1() -> gpd.GeoDataFrame:
    return load_admin1()


def bounds_of(data: Bundle) -> Bounds:
    """What a view of this data may hold (see :func:`geo.query.bounds_for`)."""
    return bounds_for(data)


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
    _seed_widgets(state, force=bool(st.session_state.pop(_RESEED, False)))
    return state


def _seed_widgets(state: ViewState, force: bool) -> None:
    """Give the filter widgets the view's values: all of them (force), or those missing."""
    seeds = {
        W_COUNTRY: list(state.countries),
        W_CAT: list(state.categories),
        W_QUERY: state.query,
        W_UNDATED: state.undated,
        W_REGION: list(state.regions),
    }
    for key, value in seeds.items():
        if force or key not in st.session_state:
            st.session_state[key] = value


def _range_key() -> str:
    """The month slider's key. select_slider learns that it holds a range from its ``value``
    argument, not from session state, so it is given ``value`` and a new key whenever the
    view is set from code (which resets it to that value)."""
    return f"{W_RANGE}_{st.session_state.get(_RANGE_GENERATION, 0)}"


def view_from_widgets(previous: ViewState) -> ViewState:
    chosen = st.session_state.get(_range_key(), (previous.start, previous.end))
    # A one-month range can come back from the slider as a single value.
    start, end = (chosen, chosen) if isinstance(chosen, str) else tuple(chosen)
    return replace(
        previous,
        start=start,
        end=end,
        countries=tuple(c for c in AREAS if c in st.session_state[W_COUNTRY]),
        categories=tuple(c.value for c in Category if c.value in st.session_state[W_CAT]),
        query=clean_query(str(st.session_state[W_QUERY])),
        undated=bool(st.session_state[W_UNDATED]),
        regions=tuple(r for r in st.session_state[W_REGION] if r),
    )


_SEEN = "_seen_inputs"
_PENDING = "_pending_inputs"


def seen(name: str) -> object:
    """The last map click or chart selection that a committed view took in."""
    return st.session_state.get(_SEEN, {}).get(name)


def mark_seen(name: str, value: object) -> None:
    """Note an input as taken in once this run's view is committed. A run that Streamlit
    stops half-way (a newer event arrived) never commits, so its inputs are read again."""
    st.session_state.setdefault(_PENDING, {})[name] = value


def commit_view(state: ViewState, bounds: Bounds) -> None:
    """Remember the view and write it to the URL (only when it changed)."""
    st.session_state[VIEW_KEY] = state
    st.session_state.setdefault(_SEEN, {}).update(st.session_state.pop(_PENDING, {}))
    wanted = encode(state, bounds)
    if (
        wanted != st.query_params.to_dict()
        or len(_query_params()) != len(wanted)
        or any(len(v) > 1 for v in _query_params().values())
    ):
        st.query_params.from_dict(wanted)


def set_view(state: ViewState, *, before_widgets: bool = False) -> None:
    """Replace the session's view from code. The filter widgets take its values at once when
    they have not been drawn yet in this run (``before_widgets``), else on the next run."""
    st.session_state[VIEW_KEY] = state
    st.session_state[_RANGE_GENERATION] = st.session_state.get(_RANGE_GENERATION, 0) + 1
    if before_widgets:
        _seed_widgets(state, force=True)
    else:
        st.session_state[_RESEED] = True


def reset_view(bounds: Bounds) -> None:
    set_view(ViewState.default(bounds))
    st.session_state[_MAP_ARGS] = (MAP_CENTER, MAP_ZOOM)


_MAP_ARGS = "_map_args"


def map_viewport_args(view: ViewState) -> tuple[tuple[float, float] | None, float | None]:
    """Centre and zoom to hand to st_folium: the link's viewport, fixed for the session.

    The map reports every pan and zoom back (and the view keeps it for the URL); feeding
    those reports back as arguments would make the map chase its own earlier positions, so
    the arguments change only when the session starts or the view is reset."""
    if _MAP_ARGS not in st.session_state:
        st.session_state[_MAP_ARGS] = (view.center, view.zoom)
    center, zoom = st.session_state[_MAP_ARGS]
    return center, zoom


def permalink(state: ViewState, bounds: Bounds) -> str:
    """The full link to this view, for copying: on the page the visitor is on, under the
    server's URL path prefix when it has one (see :func:`geo.export.permalink`)."""
    from geo.export import permalink as link_to

    base_path = str(st.get_option("server.baseUrlPath") or "")
    return link_to(st.context.url, state, bounds, base_path)


def show_notices() -> None:
    notices: list[str] = st.session_state.get(NOTICES_KEY, [])
    if not notices:
        return
    lines = "\n".join(f"- {safe_html.markdown(n)}" for n in notices[:12])
    more = f"\n- … and {len(notices) - 12} more" if len(notices) > 12 else ""
    text, button = st.columns([0.88, 0.12], vertical_alignment="center")
    text.warning(f"**This link had problems; defaults were used instead:**\n{lines}{more}")
    if button.button("Dismiss", key="dismiss_notices"):
        st.session_state[NOTICES_KEY] = []
        st.rerun()


def show_data_problems(data: Bundle) -> None:
    """A visible notice when rows were rejected or flagged, with each problem listed."""
    if not data.problems:
        return
    files, warnings = len(data.file_errors), len(data.warnings)
    rows = len(data.errors) - files
    unreadable = f", {files} file(s) unreadable" if files else ""
    label = (
        f"{rows} data row(s) rejected{unreadable} and {warnings} warning(s): "
        "the good rows are shown. Details"
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
    for problem in data.file_errors:
        st.error(f"**{safe_html.markdown(problem.file)}**: {safe_html.markdown(problem.reason)}")
    for problem in data.problems:
        if problem.file == STALE_DATA:
            st.warning(f"Data files unreadable: {safe_html.markdown(problem.reason)}.")
    if rows:
        st.error(
            f"{rows} row(s) in the data files could not be loaded; "
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
            lines.append(figures_markdown(label, record.get(column, "")))
    else:  # an imported site's amount, sector, completion, flags, provenance and licence
        lines += [f"**{k}:** {safe_html.markdown(v)}" for k, v in site_facts(record.to_dict())]
    st.markdown("  \n".join(line for line in lines if line))
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


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def figures_markdown(label: str, value: object) -> str:
    """A count as the sources give it: one line, or, where sources disagree, every figure
    with its source on a line of its own."""
    figures = parse_figures(value)
    if not figures:
        return ""
    if len(figures) == 1:
        return f"**{label}:** {safe_html.markdown(figures[0].text)}"
    items = []
    for figure in figures:
        words = (
            figure.text.removesuffix(f"({figure.source})").strip() if figure.source else figure.text
        )
        source = f" ({safe_html.markdown(figure.source)})" if figure.source else ""
        items.append(f"&nbsp;&nbsp;• {safe_html.markdown(words)}{source}")
    return f"**{label} (sources disagree):**  \n" + "  \n".join(items)


def summary_line(state: ViewState, n_events: int, n_sites: int) -> str:
    countries = ", ".join(country_label(c) for c in state.countries) or "all countries"
    categories = ", ".join(category_label(c) for c in state.categories) or "all categories"
    period = f"{date_words(pd.Timestamp(state.start + '-01').date(), 'month').split(' (')[0]} – "
    period += date_words(pd.Timestamp(state.end + "-01").date(), "month").split(" (")[0]
    regions = f" · {', '.join(state.regions)}" if state.regions else ""
    counts = f"{plural(n_events, 'event')} and {plural(n_sites, 'site')}"
    text = f"{counts} · {period} · {countries} · {categories}{regions}"
    if state.query:
        text += f" · matching “{state.query}”"
    return safe_html.markdown(text)


def sidebar_filters(view: ViewState, bounds: Bounds) -> None:
    """The filter widgets; their keys are seeded from the view by :func:`current_view`."""
    with st.sidebar:
        st.subheader("Filters")
        st.select_slider(
            "Months shown",
            options=months_between(bounds.first_month, bounds.last_month),
            value=(view.start, view.end),
            key=_range_key(),
            help="Events whose dates overlap this range, and sites open at some time in it.",
        )
        st.multiselect(
            "Countries",
            list(AREAS),
            key=W_COUNTRY,
            format_func=country_label,
            placeholder="All countries",
        )
        st.multiselect(
            "Categories",
            [c.value for c in Category],
            key=W_CAT,
            format_func=category_label,
            placeholder="All categories",
        )
        st.multiselect(
            "Regions (admin-1)",
            list(bounds.regions),
            key=W_REGION,
            placeholder="All regions",
            help="Or click a region on the map.",
        )
        st.text_input(
            "Search",
            key=W_QUERY,
            max_chars=200,
            placeholder="title, place, actor or excerpt text",
        )
        st.checkbox("Include events with unknown dates", key=W_UNDATED)
        if st.button("Reset view", icon=":material/restart_alt:"):
            reset_view(bounds)
            st.rerun()


MAP_KEY = "atlas_map"
CELL_KEY = "_clicked_cell"
_LAST_TOOLTIP = "_last_clicked_tooltip"


def apply_map_events(view: ViewState, bounds: Bounds) -> ViewState:
    """Fold what the map reported since the last run into the view: a clicked marker selects
    its item, a clicked region filters to it, a pan or zoom moves the view's viewport."""
    reported = st.session_state.get(MAP_KEY) or {}
    if not isinstance(reported, dict):
        return view
    tooltip = reported.get("last_object_clicked_tooltip")
    if tooltip != seen(_LAST_TOOLTIP):
        mark_seen(_LAST_TOOLTIP, tooltip)
        region = clicked_region(tooltip, bounds.regions)
        item = clicked_id(tooltip)
        cell = scale.clicked_cell(tooltip)
        if cell is not None:
            st.session_state[CELL_KEY] = cell  # listed beside the map; the map zooms in
            view = view.with_selected(None)
        elif region is not None:
            view = replace(view, regions=(region,))
            set_view(view, before_widgets=True)
        elif item in bounds.ids:
            view = view.with_selected(item)
    center, zoom = reported.get("center"), reported.get("zoom")
    if isinstance(center, dict) and isinstance(zoom, int | float):
        try:
            lat, lng = round(float(center["lat"]), 4), round(float(center["lng"]), 4)
        except (KeyError, TypeError, ValueError):
            return view
        if (lat, lng) != view.center or round(float(zoom), 2) != view.zoom:
            view = replace(view, center=(lat, lng), zoom=round(float(zoom), 2))
    return view


PLAYING = "_playing"
_LAST_TICK = "_last_tick"
PLAY_INTERVAL = 1.5  # seconds per month


def playback_controls(view: ViewState, bounds: Bounds) -> ViewState:
    """Play/pause, mode and window; returns the view with the chosen mode and window."""
    playing = bool(st.session_state.get(PLAYING))
    cols = st.columns([0.16, 0.34, 0.2, 0.3], vertical_alignment="bottom")
    with cols[0]:
        if st.button(
            "Pause" if playing else "Play",
            icon=":material/pause:" if playing else ":material/play_arrow:",
            key="play_button",
            help="Step the timeline month by month; the map keeps its position.",
        ):
            if playing:
                st.session_state[PLAYING] = False
            else:
                st.session_state[PLAYING] = True
                st.session_state[_LAST_TICK] = time.monotonic()
                set_view(first_frame(view, bounds))
            st.rerun()
    with cols[1]:
        mode = st.segmented_control(
            "Playback",
            options=["window", "cumulative"],
            format_func=lambda m: "Moving window" if m == "window" else "Cumulative",
            default=view.play_mode,
            key="play_mode",
        )
    with cols[2]:
        window = st.number_input(
            "Window (months)",
            min_value=1,
            max_value=120,
            value=view.window,
            key="play_window",
            disabled=mode == "cumulative",
        )
    with cols[3]:
        label = "Playing" if playing else "Showing"
        st.markdown(
            f"**{label}: {safe_html.markdown(view.start)} to {safe_html.markdown(view.end)}**"
        )
    return replace(view, play_mode=mode or "window", window=int(window))


def playback_ticker(view: ViewState, bounds: Bounds) -> None:
    """While playing, advance one month every PLAY_INTERVAL seconds (rerunning the page)."""
    if not st.session_state.get(PLAYING):
        return

    @st.fragment(run_every=PLAY_INTERVAL)
    def tick() -> None:
        # The fragment also runs inline in every full run: only a timer run advances.
        now = time.monotonic()
        if now - st.session_state.get(_LAST_TICK, 0.0) < PLAY_INTERVAL * 0.8:
            return
        st.session_state[_LAST_TICK] = now
        current: ViewState = st.session_state.get(VIEW_KEY, view)
        if at_end(current, bounds):
            st.session_state[PLAYING] = False
        else:
            set_view(next_frame(current, bounds))
        st.rerun(scope="app")

    tick()


# ---- linked charts ----

_CHART_GENERATION = "_chart_generation"
_LAST_PICKS = "_last_chart_picks"


def chart_key(name: str) -> str:
    """A chart's widget key; a new generation clears every chart's own selection."""
    return f"chart_{name}_{st.session_state.get(_CHART_GENERATION, 0)}"


def apply_chart_selections(view: ViewState, names: tuple[str, ...]) -> ViewState:
    """A chart whose selection changed since the last run sets the view's picks to it (an
    emptied selection clears them)."""
    for name in names:
        keys = pick_keys_from_selection(st.session_state.get(chart_key(name)))
        if keys != (seen(f"{_LAST_PICKS}:{name}") or ()):
            mark_seen(f"{_LAST_PICKS}:{name}", keys)
            view = view.with_picks(keys)
    return view


def clear_picks(view: ViewState) -> ViewState:
    st.session_state[_CHART_GENERATION] = st.session_state.get(_CHART_GENERATION, 0) + 1
    for name in [k for k in st.session_state.get(_SEEN, {}) if k.startswith(_LAST_PICKS)]:
        st.session_state[_SEEN].pop(name)
    return view.with_picks(())


def linked_chart(figure: go.Figure, name: str) -> None:
    """A Plotly chart whose click, box or lasso selection filters the view."""
    st.plotly_chart(
        figure,
        key=chart_key(name),
        on_select="rerun",
        selection_mode=("points", "box", "lasso"),
        config={"displaylogo": False},
    )


def linked_charts(filtered: Filtered, view: ViewState, names: tuple[str, ...]) -> None:
    """The linked charts named (month, category, actor, figures), drawn over the events
    before any chart selection so a selection stays in its context (counted in the store
    past the threshold)."""
    if "month" in names:
        linked_chart(scale.chart("month", filtered, view), "month")
    pair = [n for n in ("category", "actor") if n in names]
    for column, name in zip(st.columns(len(pair)) if pair else [], pair, strict=True):
        with column:
            linked_chart(scale.chart(name, filtered, view), name)
    if "figures" in names:
        linked_chart(scale.chart("figures", filtered, view), "figures")


def picks_bar(view: ViewState, bounds: Bounds) -> None:
    """What the chart selection is, with a control that clears it."""
    if not view.picks:
        return
    words = "; ".join(describe_pick(k) for k in view.picks[:8])
    more = f" and {len(view.picks) - 8} more" if len(view.picks) > 8 else ""
    cols = st.columns([0.8, 0.2], vertical_alignment="center")
    hidden = (
        "Events are hidden while projects are selected."
        if all(is_site_pick(k) for k in view.picks)
        else "Sites are hidden while a chart selection is active."
    )
    cols[0].info(f"Chart selection: {safe_html.markdown(words)}{more}. {hidden}")
    if cols[1].button("Clear chart selection", icon=":material/deselect:"):
        commit_view(clear_picks(view), bounds)
        st.rerun()


def picked_events_panel(data: Bundle, filtered: Filtered, limit: int = 40) -> None:
    """The selected events, each with the excerpts (or the source) behind it."""
    events, total = filtered.first_events(limit)
    st.markdown(f"#### Selected events ({total:,})")
    excerpts = data.excerpts.set_index("excerpt_id")
    sources = data.sources.set_index("source_id")
    for _, event in events.iterrows():
        with st.container(border=True):
            when, where = event_when(event), place_words(event)
            st.markdown(
                f"**{safe_html.markdown(event['title'])}**  \n"
                f"{safe_html.markdown(when)} · {safe_html.markdown(where)}"
            )
            ids = [x for x in str(event["excerpt_ids"]).split(";") if x in excerpts.index]
            for xid in ids:
                excerpt = excerpts.loc[xid]
                st.markdown(f"> {safe_html.markdown(excerpt['text'])}")
                if excerpt["source_id"] in sources.index:
                    st.caption(citation(sources.loc[excerpt["source_id"]]))
            if not ids and event["source_id"] in sources.index:
                st.caption(f"No excerpt held; source: {citation(sources.loc[event['source_id']])}")
    if total > limit:
        st.caption(f"… and {total - limit:,} more; narrow the selection to see them.")


def run_app() -> None:
    """Page configuration and navigation over the files in pages/ (what app.py runs)."""
    st.set_page_config(
        page_title="China in Central Asia: event atlas", page_icon="🌏", layout="wide"
    )
    from geo.ui_export import sign_in_gate  # imported here: geo.ui_export imports this module

    if not sign_in_gate():  # sign-in required (secrets have [auth]) and not signed in yet
        st.stop()
    if not ui_db.connect():  # a shared database is configured and cannot be reached
        st.stop()
    pages = [
        st.Page("pages/map.py", title="Map", icon=":material/map:", default=True),
        st.Page("pages/charts.py", title="Charts", icon=":material/bar_chart:", url_path="charts"),
        st.Page("pages/sources.py", title="Sources", icon=":material/article:", url_path="sources"),
        st.Page("pages/about.py", title="About the data", icon=":material/info:", url_path="about"),
    ]
    if editing_enabled():
        pages += [
            st.Page(
                "pages/ingest.py", title="Ingest", icon=":material/upload_file:", url_path="ingest"
            ),
            st.Page(
                "pages/import.py", title="Import", icon=":material/database:", url_path="import"
            ),
        ]
    try:
        st.navigation(pages).run()
    except StoreError as exc:  # the shared database stopped answering during this run
        ui_db.lost(exc)


def editing_enabled() -> bool:
    """Whether the pages that write (Ingest, Import) are offered. A dashboard shared with a
    team sets GEO_READ_ONLY=1 (the container does), so a visitor cannot change the data."""
    return os.environ.get("GEO_READ_ONLY", "").strip().lower() not in ("1", "true", "yes")


def entry_guard() -> None:
    """Make every page load go through the app's navigation.

    Streamlit treats a ``pages/`` folder beside the entry script as old-style pages until
    ``st.navigation`` has run once in the process, so the very first visit to a server
    through a deep link (``/charts?...``) runs that page file on its own, without the app's
    page setup and navigation. A page run that way runs the app's navigation instead (which
    runs this page again, properly) and stops; nothing is lost, not even a button press."""
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        run_app()
        st.stop()


def cell_panel(data: Bundle, view: ViewState) -> bool:
    """The events of the last clicked hexagon, a page at a time; False when none is open."""
    cell = st.session_state.get(CELL_KEY)
    if cell is None:
        return False
    page = int(st.session_state.get("_cell_page", 0))
    found = scale.cell_events(store_for(data), view, int(cell), page)
    st.markdown(f"#### Events in this hexagon ({found.total})")
    table = found.events[["event_id", "event_date", "title", "location"]].copy()
    table["title"] = table["title"].map(lambda t: safe_html.plain(t)[:120])
    st.dataframe(table, hide_index=True, width="stretch")
    left, middle, right = st.columns([0.3, 0.4, 0.3], vertical_alignment="center")
    if left.button("Previous", disabled=found.page == 0, key="cell_prev"):
        st.session_state["_cell_page"] = found.page - 1
        st.rerun()
    middle.caption(f"page {found.page + 1} of {found.pages}")
    if right.button("Next", disabled=found.page + 1 >= found.pages, key="cell_next"):
        st.session_state["_cell_page"] = found.page + 1
        st.rerun()
    if st.button("Close the hexagon list", icon=":material/close:", key="cell_close"):
        st.session_state.pop(CELL_KEY, None)
        st.session_state["_cell_page"] = 0
        st.rerun()
    return True
