"""The brief without a browser: a static map of the view (matplotlib and geopandas, drawn
from the bundled borders and the items, with place names), a static monthly chart, and the
whole brief as an A4 PDF (ReportLab); nothing is fetched, nothing runs a browser.

What the brief says is :class:`geo.brief.Brief`; this module only lays it out. Text from
data or from the link is never read as markup here either: ReportLab's paragraphs parse a
small HTML dialect, so every string goes through :func:`para_text` (``&``, ``<``, ``>``
escaped); matplotlib reads ``$...$`` as mathematics, so every text is drawn with
``parse_math=False``. Long unbroken words are split where a line ends.

Fonts: DejaVu Sans, the font matplotlib ships inside its package (so the PDF and the images
need no system font and show Cyrillic and Kazakh letters).
"""

from __future__ import annotations

import io
import math
import textwrap
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import geopandas as gpd
import matplotlib
import pandas as pd
from matplotlib import patheffects
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from geo import safe_html
from geo.brief import Brief, Row, citation_words
from geo.bundle import PlaceLabel
from geo.model import AREAS, CATEGORY_LABELS, Category

COUNTRY_FILL = {"KAZ": "#cfe3d4", "KGZ": "#e6d9c3", "CHN": "#dcd3e6"}
COUNTRY_COLOURS = {"KAZ": "#3b7ea1", "KGZ": "#c0504d", "CHN": "#8064a2"}
FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
FONT, FONT_BOLD, FONT_ITALIC = "DejaVuSans", "DejaVuSans-Bold", "DejaVuSans-Oblique"
# The map image for a slide: 1600 x 900 pixels.
SLIDE = (1600, 900)
MIN_SPAN = 4.0  # degrees: a view of one town still shows its surroundings


def plain(value: object, max_len: int | None = None) -> str:
    """Data text as drawn: control characters out (:func:`geo.safe_html.plain`), cut with
    an ellipsis past ``max_len``."""
    text = " ".join(safe_html.plain(value).split())
    if max_len is not None and len(text) > max_len:
        text = text[: max_len - 1] + "…"
    return text


def para_text(value: object, max_len: int | None = None) -> str:
    """Text for a ReportLab paragraph: shown as written, never read as its markup."""
    return escape(plain(value, max_len))


def wrapped(value: object, width: int, lines: int) -> str:
    """Text wrapped to ``width`` characters, at most ``lines`` lines (the last ending in an
    ellipsis when cut); words longer than a line are broken."""
    parts = textwrap.wrap(plain(value), width, break_long_words=True) or [""]
    if len(parts) > lines:
        parts = parts[:lines]
        parts[-1] = parts[-1][: width - 1] + "…"
    return "\n".join(parts)


# ---- the static map ----


def read_borders(borders_geojson: str) -> gpd.GeoDataFrame:
    return gpd.read_file(io.StringIO(borders_geojson))


def extent(
    points: Sequence[tuple[float, float]], borders: gpd.GeoDataFrame, aspect: float
) -> tuple[float, float, float, float]:
    """(west, east, south, north) holding every point with a margin, at least
    :data:`MIN_SPAN` wide, shaped to the map's width/height ``aspect`` (longitude degrees
    shrink by the cosine of the latitude); the three areas when there is no point."""
    if points:
        south, north = min(p[0] for p in points), max(p[0] for p in points)
        west, east = min(p[1] for p in points), max(p[1] for p in points)
    else:
        west, south, east, north = (float(v) for v in borders.total_bounds)
    mid = (south + north) / 2
    squash = math.cos(math.radians(mid))
    width = max(east - west, MIN_SPAN) * 1.18
    height = max(north - south, MIN_SPAN / 2) * 1.22
    # Widen one side so that the box has the map's shape on paper.
    if width * squash / height < aspect:
        width = height * aspect / squash
    else:
        height = width * squash / aspect
    cx, cy = (west + east) / 2, (south + north) / 2
    return cx - width / 2, cx + width / 2, cy - height / 2, cy + height / 2


def _legend_handles(rows: Sequence[Row], size: float = 8) -> list[Line2D]:
    counts = Counter(r.facts.category for r in rows)
    handles = [
        Line2D(
            [],
            [],
            marker="o",
            linestyle="",
            markersize=size,
            markerfacecolor=c.colour,
            markeredgecolor="white",
            label=f"{CATEGORY_LABELS[c]} ({counts[c.value]})",
        )
        for c in Category
        if counts[c.value]
    ]
    grey = "#777777"
    handles += [
        Line2D([], [], marker="o", linestyle="", markersize=size, color=grey, label="event"),
        Line2D([], [], marker="s", linestyle="", markersize=size, color=grey, label="site"),
        Line2D(
            [],
            [],
            marker="o",
            linestyle="",
            markersize=size,
            markerfacecolor="none",
            markeredgecolor=grey,
            label="place known only roughly",
        ),
        Line2D([], [], linestyle="", label="×3: items at one point"),
    ]
    return handles


def draw_map(
    figure: Figure,
    rect: tuple[float, float, float, float],
    borders: gpd.GeoDataFrame,
    rows: Sequence[Row],
    labels: Sequence[PlaceLabel],
    font_scale: float = 1.0,
) -> Any:
    """The map of ``rows`` (those with a point) in the axes at ``rect`` of ``figure``."""
    ax = figure.add_axes(rect)
    width_px = rect[2] * figure.get_figwidth()
    height_px = rect[3] * figure.get_figheight()
    mapped = [r for r in rows if r.point is not None]
    west, east, south, north = extent(
        [r.point for r in mapped if r.point], borders, width_px / height_px
    )
    fills = [COUNTRY_FILL.get(str(iso), "#dddddd") for iso in borders["adm0_a3"]]
    borders.plot(ax=ax, color=fills, edgecolor="#6b6b6b", linewidth=0.5)
    ax.set_facecolor("#f3f5f7")
    for label in labels:
        if not (west < label.longitude < east and south < label.latitude < north):
            continue
        if label.kind == "country":
            ax.text(
                label.longitude,
                label.latitude,
                label.name,
                color="#666666",
                ha="center",
                va="center",
                fontsize=11 * font_scale,
                fontweight="bold",
                parse_math=False,
                zorder=3,
            )
        else:
            ax.plot(label.longitude, label.latitude, marker=".", color="#333333", zorder=3)
            # Under the point by more than a marker's half-width, haloed and above the
            # markers: a marker on the city would otherwise hide its name.
            ax.annotate(
                plain(label.name),
                (label.longitude, label.latitude),
                xytext=(0, -6 * font_scale),
                textcoords="offset points",
                color="#222222",
                ha="center",
                va="top",
                fontsize=(9 if label.kind == "capital" else 8) * font_scale,
                fontweight="bold" if label.kind == "capital" else "normal",
                parse_math=False,
                path_effects=[patheffects.withStroke(linewidth=2.5, foreground="white")],
                zorder=7,
            )
    at_point: Counter[tuple[float, float]] = Counter()
    for row in mapped:
        assert row.point is not None
        lat, lon = row.point
        at_point[(lat, lon)] += 1
        colour = (
            Category(row.facts.category).colour
            if row.facts.category in set(Category)
            else "#555555"
        )
        approximate = row.facts.approximate
        ax.scatter(
            [lon],
            [lat],
            s=70 * font_scale,
            marker="s" if row.facts.kind == "site" else "o",
            facecolors="none" if approximate else colour,
            edgecolors=colour if approximate else "white",
            linewidths=1.6 if approximate else 0.8,
            linestyles="--" if approximate else "-",
            zorder=5,
        )
    for (lat, lon), n in at_point.items():
        if n > 1:
            ax.text(
                lon,
                lat,
                f"  ×{n}",
                fontsize=8 * font_scale,
                fontweight="bold",
                va="center",
                ha="left",
                color="#111111",
                parse_math=False,
                zorder=6,
            )
    ax.set_xlim(west, east)
    ax.set_ylim(south, north)
    ax.set_aspect(1 / math.cos(math.radians((south + north) / 2)))
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    for spine in ax.spines.values():
        spine.set_edgecolor("#c9d0d6")
    return ax


def _png(figure: Figure, dpi: float) -> bytes:
    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def map_image(
    brief: Brief,
    borders_geojson: str,
    labels: Sequence[PlaceLabel],
    *,
    filters_line: str,
    credits: str,
    size: tuple[int, int] = SLIDE,
    bare: bool = False,
) -> bytes:
    """The map of the brief's view for a slide: a PNG of ``size`` pixels with the title (the
    view in words), the filters line, the legend beside the map and the data credits;
    ``bare``: the map and its legend only (the PDF states the rest itself)."""
    # A bare map goes on an A4 page 7.2 inches wide: drawn at that size, its words are
    # of a size to read there.
    dpi = size[0] / 7.2 if bare else 100
    figure = Figure(figsize=(size[0] / dpi, size[1] / dpi), dpi=dpi, facecolor="white")
    scale, legend_size = (0.62, 7.0) if bare else (1.2, 12.0)
    if bare:
        map_rect, legend_at, notes_at = (0.005, 0.01, 0.74, 0.98), (0.75, 0.99), 0.35
    else:
        map_rect, legend_at, notes_at = (0.015, 0.07, 0.76, 0.76), (0.79, 0.83), 0.30
        title = wrapped(brief.summary, 110, 2)
        figure.text(
            0.015,
            0.975,
            title,
            fontsize=19,
            fontweight="bold",
            va="top",
            ha="left",
            parse_math=False,
        )
        figure.text(
            0.015,
            0.885 if "\n" in title else 0.925,
            wrapped(filters_line, 175, 2),
            fontsize=11.5,
            color="#3d464e",
            va="top",
            ha="left",
            parse_math=False,
        )
        figure.text(
            0.015,
            0.02,
            wrapped(credits, 230, 2),
            fontsize=9,
            color="#5b6770",
            va="bottom",
            ha="left",
            parse_math=False,
        )
    borders = read_borders(borders_geojson)
    draw_map(figure, map_rect, borders, brief.rows, labels, font_scale=scale)
    figure.legend(
        handles=_legend_handles(brief.rows, 8 if not bare else 5),
        loc="upper left",
        bbox_to_anchor=legend_at,
        frameon=False,
        fontsize=legend_size,
        title="Legend",
        title_fontsize=legend_size + 1,
        alignment="left",
    )
    notes = []
    if brief.unmapped:
        notes.append(f"Not on the map, for want of coordinates: {len(brief.unmapped)} item(s).")
    if not brief.rows:
        notes.append(brief.empty_words)
    if notes:
        figure.text(
            legend_at[0],
            notes_at,
            wrapped(" ".join(notes), 40, 8),
            fontsize=legend_size - 1,
            color="#6b3d00",
            va="top",
            ha="left",
            parse_math=False,
        )
    return _png(figure, dpi)


def chart_image(table: pd.DataFrame, undated: int, width_in: float, height_in: float) -> bytes:
    """Events per month, stacked by country (the store's ``monthly_counts`` table: months
    as rows, country codes as columns), as a PNG at 160 dpi."""
    figure = Figure(figsize=(width_in, height_in), dpi=160, facecolor="white")
    ax = figure.add_axes((0.07, 0.28, 0.91, 0.6))
    months = [str(m) for m in table.index]
    bottom = [0.0] * len(months)
    for iso in table.columns:
        values = [float(v) for v in table[iso]]
        ax.bar(
            range(len(months)),
            values,
            bottom=bottom,
            color=COUNTRY_COLOURS.get(str(iso), "#777"),
            label=AREAS[str(iso)].name if str(iso) in AREAS else str(iso),
            width=0.85,
        )
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    step = max(1, math.ceil(len(months) / 12))
    ax.set_xticks(range(0, len(months), step))
    ax.set_xticklabels(
        [pd.Timestamp(f"{m}-01").strftime("%b %Y") for m in months[::step]], fontsize=6.5
    )
    ax.tick_params(axis="y", labelsize=6.5)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("events", fontsize=7)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    title = "Events per month, by country"
    if undated:
        title += f" ({undated} undated not shown)"
    figure.text(0.07, 0.96, title, fontsize=8, va="top", parse_math=False)
    figure.legend(
        loc="lower left",
        bbox_to_anchor=(0.07, 0.0),
        ncols=len(table.columns),
        frameon=False,
        fontsize=6.5,
    )
    return _png(figure, 160)


# ---- the PDF ----


def _fonts() -> None:
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    for name in (FONT, FONT_BOLD, FONT_ITALIC):
        pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / f"{name}.ttf")))
    addMapping(FONT, 0, 0, FONT)
    addMapping(FONT, 1, 0, FONT_BOLD)
    addMapping(FONT, 0, 1, FONT_ITALIC)
    addMapping(FONT, 1, 1, FONT_BOLD)


def brief_pdf(
    brief: Brief,
    *,
    meta: str,
    map_png: bytes | None,
    chart_png: bytes | None,
    link: str | None,
    link_is_local: bool,
    method: Sequence[str],
    credits: Sequence[str],
) -> bytes:
    """The brief as an A4 PDF: title, summary, filters box, map with its legend, chart, the
    table of items with their excerpts, the numbered citations, and "Method and data"."""
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_LEFT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        Image,
        KeepTogether,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    _fonts()
    base = ParagraphStyle(
        "base", fontName=FONT, fontSize=9, leading=11.5, alignment=TA_LEFT, splitLongWords=1
    )
    small = ParagraphStyle("small", parent=base, fontSize=7.5, leading=9.2)
    quote = ParagraphStyle("quote", parent=small, fontName=FONT_ITALIC, textColor="#3d464e")
    muted = ParagraphStyle("muted", parent=base, fontSize=8, textColor="#5b6770")
    h1 = ParagraphStyle("h1", parent=base, fontName=FONT_BOLD, fontSize=16, leading=19)
    h2 = ParagraphStyle(
        "h2",
        parent=base,
        fontName=FONT_BOLD,
        fontSize=11,
        leading=14,
        spaceBefore=8,
        spaceAfter=3,
    )
    summary = ParagraphStyle("summary", parent=base, fontName=FONT_BOLD, fontSize=10.5, leading=13)
    note = ParagraphStyle("note", parent=small, textColor="#6b3d00")
    width = A4[0] - 28 * mm

    story: list[Any] = [
        Paragraph(para_text(brief.title), h1),
        Paragraph(para_text(meta), muted),
        Spacer(1, 4),
        Paragraph(para_text(brief.summary), summary),
        Spacer(1, 4),
    ]
    filters = Table(
        [
            [Paragraph(f"<b>{para_text(k)}</b>", small), Paragraph(para_text(v), small)]
            for k, v in brief.filters
        ],
        colWidths=[30 * mm, width - 30 * mm],
    )
    filters.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.6, colors.HexColor("#b9c3cc")),
                ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#f6f8fa")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ]
        )
    )
    story.append(filters)
    if link and not link_is_local:
        story.append(Paragraph(f"Open this view online: {para_text(link)}", small))
    if not brief.rows:
        story += [Spacer(1, 10), Paragraph(para_text(brief.empty_words), summary)]
    else:
        if map_png is not None:
            picture = Image(io.BytesIO(map_png), width=width, height=width * 0.62)
            parts: list[Any] = [Paragraph("Map", h2), picture]
            if brief.unmapped:
                names = "; ".join(
                    f"#{r.number} {plain(r.facts.title, 120)}" for r in brief.unmapped
                )
                parts.append(
                    Paragraph(para_text(f"Not on the map, for want of coordinates: {names}."), note)
                )
            story.append(KeepTogether(parts))
        if chart_png is not None:
            story.append(
                KeepTogether(
                    [
                        Paragraph("Events per month", h2),
                        Image(io.BytesIO(chart_png), width=width, height=width * 0.3),
                    ]
                )
            )
        story.append(
            Paragraph(
                f"Items in view ({brief.n_events} event{'s' if brief.n_events != 1 else ''} "
                f"and {brief.n_sites} site{'s' if brief.n_sites != 1 else ''})",
                h2,
            )
        )
        story.append(_items_table(brief, width, small, quote))
        citations = [
            Paragraph(
                f"{n}. "
                + ", ".join(para_text(w) for w in citation_words(cited))
                + (f", {para_text(cited.url)}" if cited.url else ""),
                small,
            )
            for n, cited in enumerate(brief.citations, start=1)
        ]
        story += [Paragraph("Sources", h2), *citations]
    story.append(Paragraph("Method and data", h2))
    story += [Paragraph(para_text(line), small) for line in method]
    if link:
        words = (
            "Link to this view (the address of the atlas on the computer that made this "
            "brief, which other computers cannot open): "
            if link_is_local
            else "Link to this view: "
        )
        story.append(Paragraph(para_text(words + link), small))
    story.append(Paragraph("<b>Data credits and licences</b>", small))
    story += [Paragraph("• " + para_text(line), small) for line in credits]

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=14 * mm,
        rightMargin=14 * mm,
        topMargin=13 * mm,
        bottomMargin=14 * mm,
        title=plain(f"{brief.title}: {brief.summary}", 200),
        author="China in Central Asia: event atlas",
        invariant=1,
    )
    document.build(story)
    return buffer.getvalue()


def _items_table(brief: Brief, width: float, small: Any, quote: Any) -> Any:
    """The table of items, each item's excerpts in the rows under it."""
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, Table, TableStyle

    head = ["#", "Date", "Place", "Category", "Title", "Figures", "Source"]
    data: list[list[Any]] = [[Paragraph(f"<b>{h}</b>", small) for h in head]]
    style: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.HexColor("#5b6770")),
        ("TOPPADDING", (0, 0), (-1, -1), 1),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2),
    ]
    for row in brief.rows:
        facts = row.facts
        place = row.place + (" ≈" if facts.approximate else "")
        if row.point is None:
            place += " (no coordinates: not on the map)"
        title = para_text(facts.title) + (
            " <font color='#5b6770'>(site)</font>" if facts.kind == "site" else ""
        )
        data.append(
            [
                Paragraph(str(row.number), small),
                Paragraph(para_text(row.date), small),
                Paragraph(para_text(place), small),
                Paragraph(para_text(facts.category_label), small),
                Paragraph(title, small),
                Paragraph(para_text(row.figures), small),
                Paragraph(f"[{row.cite}]" if row.cite else "", small),
            ]
        )
        for q in row.quotes:
            cite = f" [{q.cite}]" if q.cite else ""
            data.append(["", Paragraph(f"“{para_text(q.text)}”{cite}", quote), "", "", "", "", ""])
            r = len(data) - 1
            style.append(("SPAN", (1, r), (-1, r)))
        style.append(
            ("LINEBELOW", (0, len(data) - 1), (-1, len(data) - 1), 0.3, colors.HexColor("#e1e5e9"))
        )
    widths = [0.03, 0.1, 0.155, 0.14, 0.315, 0.19, 0.07]
    table = Table(data, colWidths=[w * width for w in widths], repeatRows=1, splitByRow=1)
    table.setStyle(TableStyle(style))
    return table
