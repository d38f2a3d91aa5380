"""The brief without a browser: ``geo export --format pdf`` writes an A4 PDF that states the
filters and lists every item, ``--format png`` a 1600x900 map with a drawing on it; hostile
titles and search text stay text in the HTML, the PDF and the PNG; an empty view gives a
one-page brief saying so; an item without coordinates is in the table and off the map."""

from __future__ import annotations

import html
import io
from pathlib import Path

import pypdf
import pytest
from PIL import Image

from geo import brief, cli, export, printed, query
from geo.bundle import Bundle, borders_geojson, place_labels
from geo.view import Bounds, ViewState, decode

KAZ_2019 = (
    "http://127.0.0.1:8501/?from=2019-01&to=2019-12&country=KAZ&sel=EV017&map=50.36,69.24,5.5"
)
IMG = "<img src=x onerror=alert(1)>"
MARKUP = '<b>bold</b> <font color="red">red</font> &amp; <para>p</para>'
MATH = r"$\frac{a}{b}$ and $\notacommand{x}$"


@pytest.fixture(scope="module")
def borders() -> str:
    return borders_geojson()


def pdf_text(data: bytes) -> tuple[int, str]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)
    return len(reader.pages), text


def words(value: str) -> str:
    return " ".join(value.split())


def test_geo_export_pdf_states_the_filters_and_lists_every_item(
    bundled: Bundle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GEO_PUBLIC_URL", raising=False)
    out = tmp_path / "brief.pdf"
    assert cli.main(["export", "--format", "pdf", "--url", KAZ_2019, "-o", str(out)]) == 0
    data = out.read_bytes()
    assert data.startswith(b"%PDF-")
    pages, text = pdf_text(data)
    assert 1 <= pages <= 4, pages
    assert "Events and sites in Kazakhstan, 2019: 19 events (1 undated), 8 sites" in text
    for line in (
        "Dates January 2019 to December 2019",
        "Countries Kazakhstan",
        "Categories all",
        "Regions all",
        "Search none",
        "Chart selection none",
        "Undated events included (1 in this view)",
    ):
        assert line in text, line
    state = export.view_from_link(KAZ_2019, export.view_bounds(bundled)).state
    filtered = query.apply(bundled, state)
    titles = [*filtered.events["title"], *filtered.sites["name"]]
    assert len(titles) == 27
    for title in titles:
        assert words(title) in text, title
    assert "1. “Astana Says China Allowing 2,000 Ethnic Kazakhs" in text
    body = text.split("Method and data")[0]
    assert "Coords:" not in text and "characters " not in text
    assert bundled.version and bundled.version not in body


def test_geo_export_png_is_a_1600_by_900_map_with_a_drawing(tmp_path: Path) -> None:
    out = tmp_path / "map.png"
    assert cli.main(["export", "--format", "png", "--url", KAZ_2019, "-o", str(out)]) == 0
    image = Image.open(out).convert("RGB")
    assert image.size == (1600, 900)
    colours = image.getcolors(maxcolors=1_000_000)
    assert colours is not None and len(colours) > 50  # borders, fills, markers, words
    # The map's middle is drawn on: several colours, not a blank plate.
    middle = image.crop((300, 300, 900, 700)).getcolors(maxcolors=1_000_000)
    assert middle is not None and len(middle) > 10
    # The category colours of the view's markers are on it (protests: Okabe-Ito vermilion).
    assert any(rgb == (0xD5, 0x5E, 0x00) for _, rgb in colours)


@pytest.fixture
def hostile(write_folder, rows) -> Bundle:
    """Titles of 2,000 characters, markup and mathematics in every text the briefs show."""
    long_title = ("Protest " * 250).strip()
    unbroken = "x" * 2000
    folder = write_folder(
        events=[
            rows.event("H1", title=long_title, excerpt_ids="XH"),
            rows.event("H2", title=IMG + " " + MARKUP, actor1=MATH, excerpt_ids=""),
            rows.event("H3", title=MATH, participants=MARKUP, excerpt_ids=""),
        ],
        sites=[rows.site("S-H", name=unbroken, source_id="SRC1")],
        sources=[rows.source("SRC1", title=MARKUP + MATH, publisher=IMG)],
        excerpts=[rows.excerpt("XH", "SRC1", 0, 12, IMG + " " + MARKUP + " " + MATH)],
        name="hostile-static",
    )
    bundle = folder.load(corpus=False)
    assert bundle.errors == [] and len(bundle.events) == 3 and len(bundle.sites) == 1
    return bundle


def test_hostile_titles_stay_text_in_html_pdf_and_png(hostile: Bundle, borders: str) -> None:
    bounds = Bounds(*hostile.month_span())
    state = ViewState.default(bounds)
    filtered = query.apply(hostile, state)
    long_title = ("Protest " * 250).strip()
    # HTML: every title whole, escaped, in the table.
    page = export.brief_html(hostile, filtered, state, link=None, borders=borders)
    table = page[page.index('id="items-table"') :]
    assert IMG not in page and export.inert(IMG) in table
    assert "&lt;b&gt;bold&lt;/b&gt;" in table and "<b>bold</b>" not in page
    assert long_title in html.unescape(table) and "x" * 2000 in table
    # PDF: the same words, as text; nothing read as ReportLab's markup.
    pages, text = pdf_text(export.brief_pdf(hostile, filtered, state, link=None, borders=borders))
    assert pages >= 1
    assert words(long_title) in text
    assert IMG in text and '<b>bold</b> <font color="red">red</font> &amp; <para>p</para>' in text
    assert MATH in text
    assert text.replace(" ", "").count("x" * 200) >= 1  # the unbroken title, wrapped
    # PNG: the view's words are drawn as written (mathematics in them is not parsed).
    state = decode({"q": [MATH + " " + MARKUP]}, bounds).state
    image = Image.open(
        io.BytesIO(export.map_png(hostile, query.apply(hostile, state), state, borders=borders))
    )
    assert image.size == (1600, 900)


def test_text_is_drawn_without_parsing_mathematics() -> None:
    """The PNG's words go through matplotlib with ``parse_math=False``: drawn with it on, a
    title like this one stops the drawing with a parse error."""
    made = brief.compose(
        ViewState.default(Bounds("2019-01", "2019-12")), [], [], n_undated=0, undated="",
        first_month="2019-01", last_month="2019-12",
    )  # fmt: skip
    made = brief.Brief(**{**made.__dict__, "summary": MATH})
    image = printed.map_image(
        made, borders_geojson(), place_labels(), filters_line=MATH, credits=MATH
    )
    assert Image.open(io.BytesIO(image)).size == (1600, 900)


def test_an_empty_view_gives_a_one_page_brief_saying_so(bundled: Bundle, borders: str) -> None:
    link = "/?from=2019-01&to=2019-12&country=KGZ&q=zzz"
    state = export.view_from_link(link, export.view_bounds(bundled)).state
    filtered = query.apply(bundled, state)
    assert filtered.count == 0
    pages, text = pdf_text(export.brief_pdf(bundled, filtered, state, link=None, borders=borders))
    assert pages == 1
    assert "No event or site matches this view. To see more, clear the search “zzz”" in text
    page = export.brief_html(bundled, filtered, state, link=None, borders=borders)
    assert "No event or site matches this view." in page and "L.map(" not in page
    image = Image.open(io.BytesIO(export.map_png(bundled, filtered, state, borders=borders)))
    assert image.size == (1600, 900)
    csv_text = export.to_csv(bundled, filtered)
    assert csv_text.count("\n") == 1  # the header only
    assert export.sites_csv(bundled, filtered).count("\n") == 1


def test_an_item_without_coordinates_is_in_the_table_and_off_the_map(
    bundled: Bundle, borders: str
) -> None:
    state = export.view_from_link(
        "/?from=2019-01&to=2019-12&country=KAZ", export.view_bounds(bundled)
    ).state
    filtered = query.apply(bundled, state)
    lookup = export._Lookup(bundled)
    events = filtered.events.to_dict("records")
    lost = next(r for r in events if r["event_id"] == "EV015")  # Aktau, alone at its point
    events = [{**r, "latitude": None} if r is lost else r for r in events]
    made = brief.compose(
        state,
        [(r, lookup.facts(r, "event")) for r in events],
        [(r, lookup.facts(r, "site")) for r in filtered.sites.to_dict("records")],
        n_undated=1, undated="included (1 in this view)", first_month="2019-01",
        last_month="2019-12",
    )  # fmt: skip
    (row,) = made.unmapped
    assert row.facts.item_id == "EV015"
    table = export._table_html(made)
    assert f'data-id="EV015"><tr><td class="n">{row.number}</td>' in table
    assert "(no coordinates: not on the map)" in html.unescape(table)
    _pages, text = pdf_text(
        printed.brief_pdf(
            made, meta="", map_png=printed.map_image(
                made, borders, place_labels(), filters_line="", credits="", bare=True,
                size=(1500, 930),
            ),
            chart_png=None, link=None, link_is_local=True, method=[], credits=[],
        )
    )  # fmt: skip
    assert "Not on the map, for want of coordinates: #" in text
    assert "Aktau rally 'No to China expansion'" in text
    assert "(no coordinates: not on the map)" in text
