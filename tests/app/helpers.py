"""Shared pieces of the AppTest suite: starting the app, reading what a user would see, and
the expected counts, computed here from the CSV files with pandas (never from ``geo``)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd
from streamlit.testing.v1 import AppTest

from tests.dom import text_content

REPO = Path(__file__).resolve().parents[2]
APP = REPO / "app.py"
DATA = REPO / "data"
MAP_PAGE = "pages/map.py"
ABOUT_PAGE = "pages/about.py"
CHARTS_PAGE = "pages/charts.py"
# The first run loads and validates the data and builds the borders; later runs hit the cache.
TIMEOUT = 30

# The map component's key: st_folium reports clicks in this session-state entry.
MAP_KEY = "atlas_map"

SUMMARY = re.compile(r"^(\d+) events? and (\d+) sites?\b")
LINK_NOTICE = "This link had problems"
GEOJSON_CALL = "L.geoJson("
TOOLTIP_ID = re.compile(r"\[((?:EV|PL)[0-9]+)\]\s*$")


_shared: dict[str, Any] = {}


def _share_component_registry(at: AppTest) -> None:
    """Each new AppTest scans every installed package for custom components (about half a
    second); the result is the same for every test, so the first one's is reused. The
    attribute is private: if a Streamlit release drops it, this does nothing."""
    if hasattr(at, "_bidi_component_manager") and "components" in _shared:
        at._bidi_component_manager = _shared["components"]


def _keep_component_registry(at: AppTest) -> None:
    registry = getattr(at, "_bidi_component_manager", None)
    if registry is not None:
        _shared.setdefault("components", registry)


def open_app(
    query: Mapping[str, str | list[str]] | None = None, page: str | None = None
) -> AppTest:
    """Open the app as a visitor following a link: ``query`` is the link's query string and
    ``page`` the page it points at (the map page, the default, when None)."""
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    _share_component_registry(at)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    if page is not None:
        # Each page's url_path is its file's stem, so the page resolves before a first run.
        at.switch_page(page)
    at.run()
    _keep_component_registry(at)
    return at


def _widget(widgets: Iterable[Any], label: str) -> Any:
    found = [w for w in widgets if w.label == label]
    assert len(found) == 1, f"expected one widget labelled {label!r}, found {len(found)}"
    return found[0]


# The sidebar's filters, found by the label a user reads.
def month_slider(at: AppTest) -> Any:
    return _widget(at.select_slider, "Months shown")


def countries(at: AppTest) -> Any:
    return _widget(at.multiselect, "Countries")


def categories(at: AppTest) -> Any:
    return _widget(at.multiselect, "Categories")


def search_box(at: AppTest) -> Any:
    return _widget(at.text_input, "Search")


def undated_box(at: AppTest) -> Any:
    return _widget(at.checkbox, "Include events with unknown dates")


def button(at: AppTest, label: str) -> Any:
    return _widget(at.button, label)


def unescape_md(text: str) -> str:
    """Markdown source as a reader sees it: backslash escapes and the invisible word joiners
    that keep addresses from becoming links removed."""
    return re.sub(r"\\(.)", r"\1", text).replace("\u2060", "")


def texts(at: AppTest) -> list[str]:
    """Raw Markdown source of every text element on the page (for checks on escaping)."""
    out: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "warning", "error", "info"):
        out.extend(str(e.value) for e in getattr(at, kind))
    out.extend(str(e.label) for e in at.expander)
    return out


def page_text(at: AppTest) -> str:
    """All visible text of the page, unescaped, joined by newlines."""
    return "\n".join(unescape_md(t) for t in texts(at))


def summary(at: AppTest) -> tuple[int, int]:
    """(events, sites) from the map page's summary line."""
    for element in at.markdown:
        match = SUMMARY.match(unescape_md(str(element.value)))
        if match:
            return int(match.group(1)), int(match.group(2))
    raise AssertionError("no 'N events and M sites' summary line on the page")


def summary_text(at: AppTest) -> str:
    for element in at.markdown:
        text = unescape_md(str(element.value))
        if SUMMARY.match(text):
            return text
    raise AssertionError("no 'N events and M sites' summary line on the page")


def link_notices(at: AppTest) -> list[str]:
    """Unescaped text of the warnings that report problems with the link."""
    return [unescape_md(str(w.value)) for w in at.warning if LINK_NOTICE in str(w.value)]


def components(at: AppTest, kind: str) -> list[Any]:
    return [e for e in at.get(kind)]


def folium_args(at: AppTest) -> dict[str, Any]:
    """The arguments st_folium sent to its component: the map's script, feature groups..."""
    found = [
        e for e in at.get("component_instance") if "streamlit_folium" in e.proto.component_name
    ]
    assert len(found) == 1, f"expected one st_folium map, found {len(found)}"
    return json.loads(found[0].proto.json_args)


def marker_features(script: str) -> list[dict[str, Any]]:
    """The point features the script draws as markers (those carrying a glyph key, ``mk``),
    read from the JSON of every ``L.geoJson(...)`` call in it."""
    decoder = json.JSONDecoder()
    found: list[dict[str, Any]] = []
    start = script.find(GEOJSON_CALL)
    while start >= 0:
        body = script[start + len(GEOJSON_CALL) :].lstrip()
        if body.startswith("{"):
            data, _ = decoder.raw_decode(body)
            found += [f for f in data.get("features", []) if "mk" in f.get("properties", {})]
        start = script.find(GEOJSON_CALL, start + 1)
    return found


def tooltips(args: Mapping[str, Any]) -> list[str]:
    """Tooltip texts of the markers in the map's feature groups, as a click reports them."""
    return [text_content(f["properties"]["tip"]) for f in marker_features(args["feature_group"])]


def marker_ids(args: Mapping[str, Any]) -> list[str]:
    ids = []
    for tip in tooltips(args):
        match = TOOLTIP_ID.search(tip)
        assert match, f"tooltip without an id: {tip!r}"
        ids.append(match.group(1))
    return ids


def chart_spec(at: AppTest, title: str = "Events per month") -> dict[str, Any]:
    """The Plotly spec of the one chart whose title starts with ``title``."""
    specs = [json.loads(e.proto.spec) for e in at.get("plotly_chart")]
    found = [
        spec
        for spec in specs
        if str(spec.get("layout", {}).get("title", {}).get("text", "")).startswith(title)
    ]
    assert len(found) == 1, f"expected one chart titled {title!r}, found {len(found)}"
    return found[0]


# ---- expected values from the CSV files ----


def read_csv(name: str, folder: Path = DATA) -> pd.DataFrame:
    return pd.read_csv(folder / name, dtype=str, keep_default_na=False)


def _month_bounds(value: str) -> tuple[str, str] | None:
    """First and last month ("YYYY-MM") covered by a partial ISO date, None when empty."""
    value = value.strip()
    if not value:
        return None
    if len(value) == 4:
        return f"{value}-01", f"{value}-12"
    return value[:7], value[:7]


def _matches(frame: pd.DataFrame, columns: list[str], query: str) -> pd.Series:
    """Rows whose text columns or excerpts contain ``query`` (case-insensitive)."""
    excerpts = read_csv("excerpts.csv")
    quoted = dict(zip(excerpts["excerpt_id"], excerpts["text"], strict=True))
    needle = " ".join(query.split()).casefold()

    def text(row: pd.Series) -> str:
        parts = [row[c] for c in columns]
        parts += [quoted.get(i.strip(), "") for i in row["excerpt_ids"].split(";")]
        return " ".join(" ".join(parts).split()).casefold()

    return frame.apply(text, axis=1).str.contains(needle, regex=False)


def expected_events(
    countries: Iterable[str] = (),
    categories: Iterable[str] = (),
    months: tuple[str, str] | None = None,
    undated: bool = True,
    query: str = "",
) -> pd.DataFrame:
    """Events a view shows: matching filters and search text (title, place, actors,
    excerpts), dates overlapping the months, undated ones included unless hidden."""
    events = read_csv("events.csv")
    keep = pd.Series(True, index=events.index)
    if query:
        keep &= _matches(events, ["title", "location", "admin1", "actor1", "assoc_actor_1"], query)
    if countries := list(countries):
        keep &= events["iso"].isin(countries)
    if categories := list(categories):
        keep &= events["category"].isin(categories)
    for i, row in events.iterrows():
        start = _month_bounds(row["event_date"])
        if start is None:
            keep[i] = keep[i] and undated
            continue
        stop = _month_bounds(row["date_end"]) or start
        if months is not None:
            keep[i] = keep[i] and start[0] <= months[1] and stop[1] >= months[0]
    return events[keep]


def expected_sites(
    countries: Iterable[str] = (),
    categories: Iterable[str] = (),
    months: tuple[str, str] | None = None,
    query: str = "",
) -> pd.DataFrame:
    """Sites a view shows: matching filters and search text (name, place, actors,
    excerpts), open at some time in the months."""
    sites = read_csv("sites.csv")
    keep = pd.Series(True, index=sites.index)
    if query:
        keep &= _matches(sites, ["name", "location", "admin1", "actor1"], query)
    if countries := list(countries):
        keep &= sites["iso"].isin(countries)
    if categories := list(categories):
        keep &= sites["category"].isin(categories)
    if months is not None:
        for i, row in sites.iterrows():
            opened, closed = _month_bounds(row["date_open"]), _month_bounds(row["date_close"])
            if opened is not None and opened[0] > months[1]:
                keep[i] = False
            if closed is not None and closed[1] < months[0]:
                keep[i] = False
    return sites[keep]


def expected_counts(**view: Any) -> tuple[int, int]:
    events_view = dict(view)
    sites_view = {k: v for k, v in view.items() if k != "undated"}
    return len(expected_events(**events_view)), len(expected_sites(**sites_view))


def errors(at: AppTest) -> str:
    """The script errors of the last run, with the end of their tracebacks."""
    return "\n".join(f"{e.value}\n" + "\n".join(list(e.stack_trace)[-3:]) for e in at.exception)
