"""Exports of the filtered view: CSV and GeoJSON hold exactly the view's items with ACLED's
column names; the HTML brief is self-contained and inert with hostile data; the share line
and link; ``geo export``; what the Docker build context holds."""

from __future__ import annotations

import html
import io
import json
import re
import subprocess
import sys
import zipfile
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import geopandas as gpd
import pandas as pd
import plotly.offline
import pytest

from geo import assets, cli, export, query, safe_html
from geo.bundle import Bundle, borders_geojson
from geo.settings import static_dir
from geo.view import Bounds, ViewState, decode, encode
from tests import oracles
from tests.app.helpers import expected_events, expected_sites, marker_features, read_csv

GEO = Path(sys.executable).parent / "geo"
KGZ_PROTESTS = "http://127.0.0.1:8501/?country=KGZ&from=2019-01&to=2020-12&cat=protest"

IMG = "<img src=x onerror=alert(1)>"
INTERP = "${alert(1)}"
TICK = "a`b"
SCRIPT = "</script><script>alert(1)</script>"
JS_URL = "javascript:alert(1)"
RAW = [IMG, INTERP, TICK, SCRIPT, "<script>alert", JS_URL, "javascript:", "onerror=alert(1)>"]


@pytest.fixture(scope="module")
def borders() -> str:
    return borders_geojson()


@pytest.fixture(scope="module")
def bounds(bundled: Bundle) -> Bounds:
    return export.view_bounds(bundled)


def view_of(link: str, bounds: Bounds) -> ViewState:
    decoded = export.view_from_link(link, bounds)
    assert decoded.notices == []
    return decoded.state


def read_export_csv(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)


# ---- CSV ----

KGZ_ORACLE = {"countries": ["KGZ"], "categories": ["protest"], "months": ("2019-01", "2020-12")}
KAZ_2021 = "/?country=KAZ&from=2021-01&to=2021-12&undated=0"
KAZ_ORACLE = {"countries": ["KAZ"], "months": ("2021-01", "2021-12"), "undated": False}
VIEWS = [
    ("", {}),
    (KGZ_PROTESTS, KGZ_ORACLE),
    (KAZ_2021, KAZ_ORACLE),
    ("/?q=consulate", {"query": "consulate"}),
]


@pytest.mark.parametrize(("link", "oracle"), VIEWS)
def test_csv_holds_exactly_the_filtered_view(
    bundled: Bundle, bounds: Bounds, link: str, oracle: dict
) -> None:
    """The events CSV holds the view's events and nothing else; the sites CSV its sites."""
    state = view_of(link, bounds)
    filtered = query.apply(bundled, state)
    events = read_export_csv(export.to_csv(bundled, filtered))
    assert list(events.columns) == list(export.EVENT_COLUMNS)
    assert list(events.columns[:19]) == [
        "event_id_cnty", "event_date", "year", "time_precision", "event_type", "sub_event_type",
        "actor1", "assoc_actor_1", "country", "iso", "admin1", "location", "latitude",
        "longitude", "geo_precision", "source", "notes", "fatalities", "tags",
    ]  # fmt: skip
    assert not {"kind", "site_type", "amount", "licence"} & set(events.columns)
    assert list(events["event_id_cnty"]) == list(filtered.events["event_id"])
    assert all(events["event_type"] != "")  # every row is an event with ACLED's type
    sites = read_export_csv(export.sites_csv(bundled, filtered))
    assert list(sites.columns) == list(export.SITE_COLUMNS)
    assert list(sites["site_id"]) == list(filtered.sites["site_id"])
    # The same ids as a computation from the CSV files alone.
    site_oracle = {k: v for k, v in oracle.items() if k != "undated"}
    assert sorted(events["event_id_cnty"]) == sorted(expected_events(**oracle)["event_id"])
    assert sorted(sites["site_id"]) == sorted(expected_sites(**site_oracle)["site_id"])


def test_everything_is_both_csvs_in_a_zip(bundled: Bundle, bounds: Bounds) -> None:
    state = view_of(KGZ_PROTESTS, bounds)
    filtered = query.apply(bundled, state)
    data = export.to_zip(bundled, filtered, state, KGZ_PROTESTS)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.namelist() == ["events.csv", "sites.csv", "README.txt"]
        events = read_export_csv(archive.read("events.csv").decode("utf-8"))
        sites = read_export_csv(archive.read("sites.csv").decode("utf-8"))
        readme = archive.read("README.txt").decode("utf-8")
    assert sorted(events["event_id_cnty"]) == sorted(expected_events(**KGZ_ORACLE)["event_id"])
    site_oracle = {k: v for k, v in KGZ_ORACLE.items() if k != "undated"}
    assert sorted(sites["site_id"]) == sorted(expected_sites(**site_oracle)["site_id"])
    assert export.describe_view(state, filtered) in readme and KGZ_PROTESTS in readme
    assert export.to_zip(bundled, filtered, state, KGZ_PROTESTS) == data  # same view, same bytes


@pytest.mark.parametrize(
    ("link", "words"),
    [
        ("/?from=2013-09&to=2024-07", "Undated events: included (2 in this view)"),
        (
            "/?from=2013-09&to=2024-07&undated=0",
            "Undated events: left out (2 events would match the other filters)",
        ),
        ("/?country=KGZ", "Undated events: included (none match this view)"),
    ],
)
def test_the_brief_says_whether_undated_events_are_in_it(
    bundled: Bundle, bounds: Bounds, borders: str, link: str, words: str
) -> None:
    state = view_of(link, bounds)
    filtered = query.apply(bundled, state)
    assert export.undated_line(bundled, state, filtered) == words
    page = export.brief_html(bundled, filtered, state, link=None, borders=borders)
    box = html.unescape(page[page.index('id="filters"') :])
    assert f"Undated events</dt><dd>{words.removeprefix('Undated events: ')}</dd>" in box
    listed = set(item_ids(page))
    undated = {"EV036", "EV054"} & listed  # the data's two undated events (KAZ, CHN)
    assert len(undated) == (2 if "included (2" in words else 0)


def test_csv_values_follow_the_data_files(bundled: Bundle) -> None:
    state = ViewState.default(export.view_bounds(bundled))
    filtered = query.apply(bundled, state)
    table = read_export_csv(export.to_csv(bundled, filtered)).set_index("event_id_cnty")
    site_table = read_export_csv(export.sites_csv(bundled, filtered)).set_index("site_id")
    source = read_csv("events.csv").set_index("event_id")
    for event_id, row in source.iterrows():
        got = table.loc[event_id]
        for column in ("event_type", "actor1", "country", "iso", "admin1", "location", "tags"):
            assert got[column] == row[column].strip(), (event_id, column)
        assert got["title"] == row["title"] and got["category"] == row["category"]
        assert got["participants"] == row["participants"] and got["date_end"] == row["date_end"]
        assert float(got["latitude"]) == float(row["latitude"])
        assert float(got["longitude"]) == float(row["longitude"])
        assert got["time_precision_atlas"] == row["time_precision"]
        assert got["geo_precision_atlas"] == row["geo_precision"]
        assert (
            got["time_precision"]
            == {"day": "1", "month": "3", "year": "3", "unknown": ""}[row["time_precision"]]
        )
        assert (
            got["geo_precision"]
            == {"exact": "1", "city": "1", "region": "3", "country": "3"}[row["geo_precision"]]
        )
        if row["event_date"]:
            padded = (row["event_date"] + "-01-01")[:10] if len(row["event_date"]) == 4 else None
            padded = padded or (row["event_date"] + "-01")[:10]
            assert got["event_date"] == padded
            assert got["year"] == row["event_date"][:4]
        else:
            assert got["event_date"] == got["year"] == got["time_precision"] == ""
        assert got["excerpt_ids"] == row["excerpt_ids"]
    sites = read_csv("sites.csv").set_index("site_id")
    assert not set(sites.index) & set(table.index)
    for site_id, row in sites.iterrows():
        got = site_table.loc[site_id]
        assert got["name"] == row["name"] and got["site_type"] == row["site_type"]
        assert float(got["latitude"]) == float(row["latitude"])


def test_csv_cites_every_excerpt_with_its_source(bundled: Bundle) -> None:
    state = view_of("/?sel=EV025", export.view_bounds(bundled))
    table = read_export_csv(export.to_csv(bundled, query.apply(bundled, state)))
    row = table.set_index("event_id_cnty").loc["EV025"]
    excerpts = read_csv("excerpts.csv").set_index("excerpt_id")
    ids = row["excerpt_ids"].split(";")
    assert ids and row["excerpt_text"].split(export.JOIN) == [excerpts.loc[i, "text"] for i in ids]
    citations = row["excerpt_citation"].split(export.JOIN)
    assert len(citations) == len(ids)
    assert all("Anti-China Protests Held in Several Kazakhstani Cities" in c for c in citations)
    assert all("Dante Schulz" in c and "characters" in c for c in citations)
    assert row["iso"] == "KAZ"


def test_a_month_known_date_is_the_first_day_with_acled_code_3(bundled: Bundle) -> None:
    state = ViewState.default(export.view_bounds(bundled))
    rows = {r["event_id_cnty"]: r for r in export.rows(bundled, query.apply(bundled, state))}
    assert rows["EV066"]["event_date"] == "2020-01-01"
    assert rows["EV066"]["time_precision"] == 3
    assert rows["EV066"]["time_precision_atlas"] == "month"
    # A site's row: opening date and its precision, closing date as date_end.
    assert rows["PL005"]["event_date"] == "2012-01-01"
    assert rows["PL005"]["time_precision_atlas"] == "year"
    assert rows["PL005"]["date_end"] == "2019-08-29"


def test_a_site_without_a_stated_precision_takes_its_dates_own(write_folder, rows) -> None:
    folder = write_folder(
        sites=[rows.site("S1", date_open="2012", open_precision="", source_id="SRC1")],
        sources=[rows.source("SRC1")],
    )
    bundle = folder.load(corpus=False)
    state = ViewState.default(Bounds(*bundle.month_span()))
    (row,) = export.rows(bundle, query.apply(bundle, state))
    assert (row["event_date"], row["time_precision"], row["time_precision_atlas"]) == (
        "2012-01-01",
        3,
        "year",
    )


# ---- GeoJSON ----


@pytest.mark.parametrize(("link", "oracle"), VIEWS[:2])
def test_geojson_holds_the_view_as_points_in_wgs84(
    bundled: Bundle, bounds: Bounds, link: str, oracle: dict
) -> None:
    state = view_of(link, bounds)
    filtered = query.apply(bundled, state)
    text = export.to_geojson(bundled, filtered, state, link or None)
    frame = gpd.read_file(io.StringIO(text))
    assert frame.crs is not None and frame.crs.to_epsg() == 4326
    assert list(frame["event_id_cnty"]) == [
        *filtered.events["event_id"],
        *filtered.sites["site_id"],
    ]
    assert sorted(frame.loc[frame["kind"] == "event", "event_id_cnty"]) == sorted(
        expected_events(**oracle)["event_id"]
    )
    assert (frame["kind"] == "site").sum() == len(filtered.sites)
    assert list(frame.geometry.x) == [*filtered.events["longitude"], *filtered.sites["longitude"]]
    assert list(frame.geometry.y) == [*filtered.events["latitude"], *filtered.sites["latitude"]]
    data = json.loads(text)
    assert set(data["features"][0]["properties"]) == set(export.COLUMNS)
    assert data["atlas"]["data_version"] == bundled.version
    assert data["atlas"]["as_of"] == "2024-07-30"
    assert data["atlas"]["view"] == export.describe_view(state, filtered)


# ---- the share line, the link, the as-of date ----


def test_describe_view_reads_as_a_sentence(bundled: Bundle, bounds: Bounds) -> None:
    def words(link: str) -> str:
        state = view_of(link, bounds)
        return export.describe_view(state, query.apply(bundled, state))

    n_events = len(expected_events(["KGZ"], ["protest"], ("2019-01", "2020-12")))
    n_sites = len(expected_sites(["KGZ"], ["protest"], ("2019-01", "2020-12")))
    assert words(KGZ_PROTESTS) == (
        f"Protests in Kyrgyzstan, 2019–2020: {n_events} events, {n_sites} sites"
    )
    assert words("/?from=2019-03&to=2019-03&cat=policy,protest").startswith(
        "Protests and Policy in Kazakhstan, Kyrgyzstan and Xinjiang (China), March 2019:"
    )
    assert words("/?from=2019-03&to=2019-06").startswith("Events and sites in ")
    assert "March–June 2019" in words("/?from=2019-03&to=2019-06")
    assert "March 2019 – June 2020" in words("/?from=2019-03&to=2020-06")
    assert "(matching “consulate”; undated events left out)" in words("/?q=consulate&undated=0")
    assert "(2 undated)" in words("")


@pytest.mark.parametrize(
    ("page", "base", "want"),
    [
        ("http://h:1", "", "http://h:1/?country=KGZ"),
        ("http://h:1/charts", "", "http://h:1/charts?country=KGZ"),
        ("http://h:1/atlas", "atlas", "http://h:1/atlas/?country=KGZ"),
        ("http://h:1/atlas", "/atlas/", "http://h:1/atlas/?country=KGZ"),
        ("http://h:1/atlas/charts", "atlas", "http://h:1/atlas/charts?country=KGZ"),
        ("https://x.example/a/b", "a/b", "https://x.example/a/b/?country=KGZ"),
        (None, "", "/?country=KGZ"),
    ],
)
def test_permalink_keeps_the_page_and_the_path_prefix(
    bounds: Bounds, page: str | None, base: str, want: str
) -> None:
    state = view_of("/?country=KGZ", bounds)
    assert export.permalink(page, state, bounds, base) == want


@pytest.mark.parametrize(
    ("page", "base_path", "want"),
    [
        ("http://127.0.0.1:8501", "", "https://example.org/atlas/?country=KAZ"),
        ("http://127.0.0.1:8501/charts", "", "https://example.org/atlas/charts?country=KAZ"),
        ("http://127.0.0.1:8501/atlas", "atlas", "https://example.org/atlas/?country=KAZ"),
        ("http://10.1.2.3/atlas/about", "atlas", "https://example.org/atlas/about?country=KAZ"),
        (None, "", "https://example.org/atlas/?country=KAZ"),
    ],
)
def test_with_a_public_address_links_are_on_it(
    bounds: Bounds, page: str | None, base_path: str, want: str
) -> None:
    state = view_of("/?country=KAZ", bounds)
    assert export.permalink(page, state, bounds, base_path, "https://example.org/atlas") == want


def test_the_brief_names_a_local_link_and_shows_a_public_one(
    bundled: Bundle, bounds: Bounds, borders: str
) -> None:
    state = view_of(KGZ_PROTESTS, bounds)
    filtered = query.apply(bundled, state)
    local = export.brief_html(bundled, filtered, state, link=KGZ_PROTESTS, borders=borders)
    header = local[: local.index('id="brief-method"')]
    assert "127.0.0.1" not in html.unescape(header.replace(_all_scripts(header), ""))
    assert "which other computers cannot open" in local
    public = "https://example.org/atlas/?from=2019-01&to=2020-12&country=KGZ&cat=protest"
    page = export.brief_html(bundled, filtered, state, link=public, borders=borders)
    assert "Open this view online: <a href=" in page and "other computers cannot open" not in page


def _all_scripts(page: str) -> str:
    return "".join(re.findall(r"<script>.*?</script>", page, flags=re.S))


def test_permalink_decodes_back_to_the_same_view(bounds: Bounds) -> None:
    link = "/?from=2019-02&to=2021-06&country=KAZ,KGZ&cat=protest&q=a%26b+c&sel=EV025&undated=0"
    state = view_of(link, bounds)
    again = export.permalink("http://h:1/atlas", state, bounds, "atlas")
    assert again.startswith("http://h:1/atlas/?")
    assert export.view_from_link(again, bounds).state == state
    assert export.permalink("http://h:1", ViewState.default(bounds), bounds) == "http://h:1/"


def test_links_decode_as_the_app_decodes_them(bounds: Bounds) -> None:
    link = "http://h/?country=KGZ,XXX&from=abc&to=2020-12&to=2020-11&bogus=1&q="
    decoded = export.view_from_link(link, bounds)
    params = {"country": ["KGZ,XXX"], "from": ["abc"], "to": ["2020-12", "2020-11"]}
    assert decoded == decode({**params, "bogus": ["1"], "q": [""]}, bounds)
    assert len(decoded.notices) == 4
    assert decoded.state.countries == ("KGZ",) and decoded.state.end == "2020-11"
    assert export.view_from_link("?country=KGZ", bounds).state.countries == ("KGZ",)
    assert encode(export.view_from_link("", bounds).state, bounds) == {}


def test_as_of_is_the_latest_date_any_event_or_site_mentions(bundled: Bundle) -> None:
    assert export.data_as_of(bundled) == date(2024, 7, 30)
    days = [
        date.fromisoformat(value)
        for name, columns in (
            ("events.csv", ("event_date", "date_end")),
            ("sites.csv", ("date_open", "date_close")),
        )
        for column in columns
        for value in read_csv(name)[column]
        if len(value) == 10
    ]
    assert export.data_as_of(bundled) == max(days)
    assert export.version_line(bundled) == f"Data version {bundled.version}, as of 30 July 2024"


def test_file_names_carry_the_view_and_nothing_else(bounds: Bounds) -> None:
    state = view_of("/?country=KGZ&from=2019-01&to=2020-12&cat=protest&q=../../etc", bounds)
    assert export.file_name(state, "csv") == "atlas_2019-01_2020-12_KGZ_protest_events.csv"
    assert export.file_name(state, "sites") == "atlas_2019-01_2020-12_KGZ_protest_sites.csv"
    assert export.file_name(state, "zip") == "atlas_2019-01_2020-12_KGZ_protest.zip"
    assert export.file_name(state, "brief").endswith(".html")


# ---- the brief ----


class Elements(HTMLParser):
    """Every start tag's name and attributes (script contents are not parsed as markup)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def elements(page: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = Elements()
    parser.feed(page)
    return parser.tags


def item_ids(page: str) -> list[str]:
    """The ids of the items the brief's table lists (each item's rows carry its id)."""
    return [a["data-id"] or "" for t, a in elements(page) if t == "tbody" and "data-id" in a]


def without_libraries(page: str) -> str:
    """The brief less the third-party code it inlines (which has backticks of its own)."""
    for library in [
        plotly.offline.get_plotlyjs(),
        *((static_dir() / assets.VENDOR / a.name).read_text() for a in assets.ASSETS),
    ]:
        page = page.replace(library, "")
    return page


def assert_self_contained(page: str) -> None:
    tags = elements(page)
    for tag, attrs in tags:
        assert not (tag == "script" and "src" in attrs), attrs
        assert not (tag == "link" and "href" in attrs), attrs
        assert tag not in ("iframe", "object", "embed", "base", "form"), tag
        for name in ("src", "srcset", "action", "formaction", "data", "poster"):
            value = attrs.get(name) or ""
            assert not re.match(r"\s*(https?:)?//", value), (tag, name, value)
    assert re.search(r"<(script|link)[^>]+(src|href)\s*=\s*[\"']?https?:", page) is None
    (csp,) = [
        a for t, a in tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"
    ]
    assert "default-src 'none'" in (csp["content"] or "")
    assert "connect-src 'none'" in (csp["content"] or "")


def test_the_brief_is_self_contained_and_has_every_part(
    bundled: Bundle, bounds: Bounds, borders: str
) -> None:
    state = view_of(KGZ_PROTESTS, bounds)
    filtered = query.apply(bundled, state)
    page = export.brief_html(bundled, filtered, state, link=KGZ_PROTESTS, borders=borders)
    assert_self_contained(page)
    assert len(marker_features(page)) == filtered.count
    assert f"Data version {bundled.version}, as of 30 July 2024" in page
    assert export.inert(export.describe_view(state, filtered)) in page
    assert f'href="{safe_html.text(KGZ_PROTESTS)}"' in page
    assert 'id="monthly-chart"' in page and "Plotly.newPlot" in page
    ids = item_ids(page)
    assert sorted(ids) == sorted([*filtered.events["event_id"], *filtered.sites["site_id"]])
    # Leaflet's layer-control images are inline too.
    assert "url(images/" not in page and "data:image/png;base64," in page


def brief_chart(page: str) -> tuple[list[dict], dict]:
    """The data and layout of the brief's month chart, as its Plotly.newPlot call has them."""
    decoder = json.JSONDecoder()
    rest = without_libraries(page)
    rest = rest[rest.index("Plotly.newPlot(") + len("Plotly.newPlot(") :]
    values = []
    for _ in range(3):  # the div's id, the data, the layout
        value, end = decoder.raw_decode(rest.lstrip())
        values.append(value)
        rest = rest.lstrip()[end:].lstrip().removeprefix(",")
    assert values[0] == "monthly-chart"
    return values[1], values[2]


@pytest.mark.parametrize(
    "link",
    [
        KGZ_PROTESTS,
        "/?from=2013-09&to=2024-07",  # two undated events
        "/?from=2018-08&to=2018-12&undated=0",  # EV050 runs into the view's first month
        "/?country=KAZ&from=2019-01&to=2021-12&pick=month%3A2019-09%2Biso%3AKAZ",
    ],
)
def test_the_brief_charts_the_events_it_lists(
    bundled: Bundle, bounds: Bounds, borders: str, link: str
) -> None:
    """The month chart is drawn from the store's counts, and is the chart the listed events
    give (the oracle counts them with pandas); a chart selection's events only."""
    state = view_of(link, bounds)
    filtered = query.apply(bundled, state)
    assert filtered.count
    page = export.brief_html(bundled, filtered, state, link=None, borders=borders)
    expected = oracles.events_per_month(filtered.events, state)
    expected.update_layout(**export.BRIEF_CHART_LAYOUT)
    data, layout = brief_chart(page)
    assert data == json.loads(expected.to_json())["data"]
    assert layout == json.loads(expected.to_json())["layout"]


def test_the_brief_quotes_every_excerpt_with_its_citation(
    bundled: Bundle, bounds: Bounds, borders: str
) -> None:
    state = view_of("/?country=KAZ&from=2021-01&to=2021-12", bounds)
    filtered = query.apply(bundled, state)
    page = export.brief_html(bundled, filtered, state, link=None, borders=borders)
    excerpts = read_csv("excerpts.csv").set_index("excerpt_id")
    cited = {
        x.strip()
        for ids in [*filtered.events["excerpt_ids"], *filtered.sites["excerpt_ids"]]
        for x in ids.split(";")
        if x.strip()
    }
    assert cited
    for excerpt_id in cited:
        assert export.inert(excerpts.loc[excerpt_id, "text"]) in page, excerpt_id
    assert page.count('class="excerpt"') >= len(cited)
    assert "Dante Schulz" in page and "Caspian Policy Center" in page
    assert "(no link given)" in page


@pytest.fixture
def hostile(write_folder, rows) -> Bundle:
    """Payloads in every free-text field the exports show, and unsafe source links."""
    folder = write_folder(
        events=[
            rows.event(
                "H1",
                title=IMG,
                notes=SCRIPT + INTERP + TICK,
                actor1=INTERP,
                location=TICK,
                participants=SCRIPT,
                source_id="SRC-J",
                excerpt_ids="XH",
            ),
            rows.event("H2", title='=HYPERLINK("http://x")', source_id="SRC-S", excerpt_ids=""),
            rows.event("H3", title=JS_URL, notes=JS_URL.upper(), source_id="SRC-S", excerpt_ids=""),
        ],
        sites=[rows.site("S-H", name=SCRIPT, site_type=IMG, notes=JS_URL, source_id="SRC-J")],
        sources=[
            rows.source("SRC-J", title=IMG + TICK, url=JS_URL, publisher=INTERP),
            rows.source("SRC-S", title="Safe", url="https://example.org/safe?a=1&b=2"),
        ],
        excerpts=[rows.excerpt("XH", "SRC-J", 0, 12, IMG + " " + INTERP + " " + SCRIPT + TICK)],
        name="hostile",
    )
    bundle = folder.load(corpus=False)
    assert bundle.errors == [] and len(bundle.events) == 3 and len(bundle.sites) == 1
    return bundle


def test_hostile_data_stays_inert_in_the_brief(hostile: Bundle, borders: str) -> None:
    bounds = Bounds(*hostile.month_span())
    state = ViewState.default(bounds)
    filtered = query.apply(hostile, state)
    link = "http://h/?q=%3Cimg+src%3Dx+onerror%3Dalert(1)%3E"
    page = export.brief_html(hostile, filtered, state, link=link, borders=borders)
    for payload in RAW:
        assert payload not in without_libraries(page), payload
    for payload in (IMG, INTERP, SCRIPT, JS_URL):
        assert payload not in page, payload
    assert "javascript:" not in without_libraries(page).lower()
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "&#36;&#123;alert(1)&#125;" in page and "a&#96;b" in page
    assert_self_contained(page)
    hrefs = [a.get("href") or "" for _, a in elements(page) if "href" in a]
    assert hrefs and all(h.startswith(("http://", "https://")) for h in hrefs), hrefs
    assert 'href="https://example.org/safe?a=1&amp;b=2"' in page
    assert len(marker_features(page)) == 4


# Jinja syntax: folium re-reads rendered map parts as templates when it writes a whole page.
TEMPLATES = {
    "{{ 'pw' ~ 'ned' }}": "pwned",
    "{% for i in range(3) %}LOOP{% endfor %}": "LOOPLOOPLOOP",
    # A call through the template's globals into the os module, with a result that cannot
    # turn up in the page by chance (a process id can, inside a random element id).
    "{{ cycler.__init__.__globals__.os.path.join('ran', 'on', 'server') }}": "ran/on/server",
    "{# hidden #}shown": "shown",
}


def test_template_syntax_in_data_is_shown_not_run_in_the_brief(
    write_folder, rows, borders: str
) -> None:
    payloads = list(TEMPLATES)
    bundle = write_folder(
        events=[
            rows.event(
                "T1", title=payloads[0], notes=payloads[1], actor1=payloads[2], excerpt_ids=""
            )
        ],
        sites=[rows.site("S-T", name=payloads[3], notes=payloads[0])],
        sources=[rows.source("SRC1", title=payloads[1], publisher=payloads[2])],
        excerpts=[],
        name="templates",
    ).load(corpus=False)
    bounds = Bounds(*bundle.month_span())
    state = ViewState.default(bounds)
    page = export.brief_html(bundle, query.apply(bundle, state), state, link=None, borders=borders)
    text = html.unescape(without_libraries(page))
    for payload, evaluated in TEMPLATES.items():
        assert payload in text, payload  # shown as written, in the popups and the lists
        if evaluated != "shown":
            assert evaluated not in text, payload
    assert len(marker_features(page)) == 2


def test_hostile_search_text_in_the_view_stays_inert(hostile: Bundle, borders: str) -> None:
    bounds = Bounds(*hostile.month_span())
    state = decode({"q": [IMG + INTERP]}, bounds).state
    filtered = query.apply(hostile, state)
    page = export.brief_html(hostile, filtered, state, link=None, borders=borders)
    assert IMG not in page and INTERP not in page
    assert "matching “&lt;img" in page


def test_hostile_data_in_csv_and_geojson(hostile: Bundle) -> None:
    state = ViewState.default(Bounds(*hostile.month_span()))
    filtered = query.apply(hostile, state)
    table = read_export_csv(export.to_csv(hostile, filtered)).set_index("event_id_cnty")
    sites = read_export_csv(export.sites_csv(hostile, filtered)).set_index("site_id")
    assert sites.loc["S-H", "name"] == SCRIPT and sites.loc["S-H", "site_type"] == IMG
    assert table.loc["H1", "title"] == IMG  # data, kept as it is: CSV is not markup
    assert table.loc["H1", "source_url"] == ""  # an unsafe link is not passed on
    assert JS_URL not in table.loc["H1", "source_citation"]
    assert table.loc["H2", "title"] == '\'=HYPERLINK("http://x")'  # no spreadsheet formula
    assert table.loc["H2", "source_url"] == "https://example.org/safe?a=1&b=2"
    data = json.loads(export.to_geojson(hostile, filtered, state))
    titles = {f["id"]: f["properties"]["title"] for f in data["features"]}
    assert titles["H2"] == '=HYPERLINK("http://x")' and titles["S-H"] == SCRIPT


def test_without_the_map_scripts_the_brief_is_refused(
    bundled: Bundle, bounds: Bounds, borders: str, tmp_path: Path
) -> None:
    state = ViewState.default(bounds)
    with pytest.raises(export.BriefUnavailable, match="geo assets"):
        export.brief_html(
            bundled, query.apply(bundled, state), state, link=None, borders=borders,
            static_dir=tmp_path,
        )  # fmt: skip


# ---- geo export ----


def run_geo(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess:
    assert GEO.exists(), f"the geo command is not installed next to {sys.executable}"
    return subprocess.run(
        [str(GEO), *map(str, args)], capture_output=True, text=True, timeout=120, cwd=cwd
    )


def test_geo_export_csv_from_a_permalink_reports_link_notices(
    tmp_path: Path, corpus_dir: Path
) -> None:
    out = tmp_path / "view.csv"
    link = KGZ_PROTESTS + "&bogus=1&cat=protest"
    result = run_geo("export", "--format", "csv", "--url", link, "-o", out, "--corpus", corpus_dir)
    assert result.returncode == 0, result.stderr
    assert "Ignored unknown link parameter 'bogus'" in result.stderr
    assert "'cat' was given more than once" in result.stderr
    table = read_export_csv(out.read_text(encoding="utf-8"))
    want = expected_events(["KGZ"], ["protest"], ("2019-01", "2020-12"))
    assert sorted(table["event_id_cnty"]) == sorted(want["event_id"])
    assert result.stdout == ""


def test_geo_export_brief_and_geojson(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GEO_CORPUS_DIR", raising=False)
    brief = tmp_path / "brief.html"
    assert cli.main(["export", "--format", "brief", "--url", KGZ_PROTESTS, "-o", str(brief)]) == 0
    page = brief.read_text(encoding="utf-8")
    assert_self_contained(page)
    n = len(expected_events(**KGZ_ORACLE)) + len(expected_sites(**KGZ_ORACLE))
    assert len(marker_features(page)) == n
    # The brief links to the view it shows, in the app's own parameter order.
    want = "http://127.0.0.1:8501/?from=2019-01&amp;to=2020-12&amp;country=KGZ&amp;cat=protest"
    assert f'href="{want}"' in page
    capsys.readouterr()
    # With the public address set, the brief links there, whatever address the link had.
    monkeypatch.setenv("GEO_PUBLIC_URL", "https://example.org/atlas/")
    assert cli.main(["export", "--format", "brief", "--url", KGZ_PROTESTS, "-o", str(brief)]) == 0
    page = brief.read_text(encoding="utf-8")
    public = want.replace("http://127.0.0.1:8501/", "https://example.org/atlas/")
    assert f'Open this view online: <a href="{public}"' in page
    assert "127.0.0.1" not in page
    monkeypatch.delenv("GEO_PUBLIC_URL")
    capsys.readouterr()

    assert cli.main(["export", "--format", "geojson", "--url", "?country=KAZ", "-o", "-"]) == 0
    captured = capsys.readouterr()
    frame = gpd.read_file(io.StringIO(captured.out))
    assert set(frame["iso"]) == {"KAZ"}
    assert len(frame) == len(expected_events(["KAZ"])) + len(expected_sites(["KAZ"]))
    assert captured.err.startswith("geo export: Events and sites in Kazakhstan")


# ---- the Docker build context ----

REPO = Path(__file__).resolve().parents[2]


def glob_regex(pattern: str) -> re.Pattern[str]:
    out = ""
    for token in re.split(r"(\*\*|\*|\?)", pattern):
        out += {"**": ".*", "*": "[^/]*", "?": "[^/]"}.get(token, re.escape(token))
    return re.compile(out)


def docker_ignored(path: str, patterns: list[str]) -> bool:
    """Whether the build context leaves ``path`` out (Docker's rules, as far as this project's
    .dockerignore uses them: globs with ``**``, later ``!`` lines taking files back)."""
    ignored = False
    parts = path.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    for raw in patterns:
        negate = raw.startswith("!")
        pattern = raw[1:] if negate else raw
        regex = glob_regex(pattern.strip("/"))
        if any(regex.fullmatch(p) for p in prefixes):
            ignored = not negate
    return ignored


def test_the_docker_context_has_what_the_image_needs_and_no_secrets() -> None:
    patterns = [
        line.strip()
        for line in (REPO / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    dockerfile = (REPO / "Dockerfile").read_text()
    copied = re.findall(r"^COPY (?!--from)(.+?) \S+$", dockerfile, flags=re.M)
    sources = [s for line in copied for s in line.split()]
    assert sources, "the Dockerfile copies nothing from the context"
    for source in sources:
        assert (REPO / source).exists(), source
        assert not docker_ignored(source.removeprefix("./").rstrip("/"), patterns), source
    needed = [
        "app.py", "pages/map.py", "src/geo/export.py", "data/events.csv",
        "data/geo/admin1.geojson", ".streamlit/config.toml", "requirements.lock",
        "pyproject.toml", "README.md",
    ]  # fmt: skip
    for path in needed:
        assert not docker_ignored(path, patterns), path
    for path in (
        ".streamlit/secrets.toml",
        ".venv/bin/python",
        "static/vendor/leaflet.js",
        ".git/HEAD",
        "test-artifacts/x.png",
        "src/geo/__pycache__/x.pyc",
        "tests/unit/test_export.py",
        "tools/atlas_tools/bench.py",
    ):
        assert docker_ignored(path, patterns), path
