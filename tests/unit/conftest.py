"""Unit-test fixtures: the bundled data loaded once, and data folders written to tmp_path.

The data folders use the real headers of ``data/*.csv`` and a small article in a corpus
folder, so excerpt offsets are checked against a text whose every character is known.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import pytest

from geo.bundle import Bundle, load_bundle
from geo.validate import Problem

FILES = ("events.csv", "sites.csv", "sources.csv", "excerpts.csv")

ARTICLE_NAME = "article.txt"
ARTICLE = "On March 27, hundreds gathered in Almaty.\nTwenty-two people were arrested.\n"

# Coordinates known to lie inside each area's borders.
ALMATY = ("43.222", "76.8512")
ASTANA = ("51.1694", "71.4491")
BISHKEK = ("42.8746", "74.5698")
NARYN = ("41.4287", "75.9911")
URUMQI = ("43.8256", "87.6168")


def real_header(data_dir: Path, name: str) -> list[str]:
    with (data_dir / name).open(encoding="utf-8", newline="") as handle:
        return next(csv.reader(handle))


def csv_line(header: Sequence[str], values: dict[str, str]) -> str:
    """One CSV record (quoted where needed), in header order; unknown keys are an error."""
    buffer = io.StringIO()
    csv.DictWriter(buffer, fieldnames=list(header), lineterminator="\n").writerow(values)
    return buffer.getvalue()


def event(event_id: str, **values: str) -> dict[str, str]:
    """A good event row in Almaty; keyword arguments override single fields."""
    row = {
        "event_id": event_id,
        "event_date": "2021-03-27",
        "time_precision": "day",
        "category": "protest",
        "event_type": "Protests",
        "sub_event_type": "Peaceful protest",
        "title": f"Rally {event_id}",
        "actor1": "Local activists",
        "country": "Kazakhstan",
        "iso": "KAZ",
        "admin1": "Almaty (city)",
        "location": "Almaty",
        "latitude": ALMATY[0],
        "longitude": ALMATY[1],
        "geo_precision": "city",
        "confidence": "high",
        "source_id": "SRC1",
        "excerpt_ids": "X1",
    }
    row.update(values)
    return row


def site(site_id: str, **values: str) -> dict[str, str]:
    """A good site row (a consulate in Almaty open since August 2007)."""
    row = {
        "site_id": site_id,
        "category": "consulate_embassy",
        "site_type": "consulate general",
        "name": f"Consulate {site_id}",
        "country": "Kazakhstan",
        "iso": "KAZ",
        "admin1": "Almaty (city)",
        "location": "Almaty",
        "latitude": ALMATY[0],
        "longitude": ALMATY[1],
        "geo_precision": "city",
        "date_open": "2007-08",
        "open_precision": "month",
        "actor1": "PRC MFA",
        "confidence": "high",
        "source_id": "SRC1",
        "excerpt_ids": "",
    }
    row.update(values)
    return row


def source(source_id: str, **values: str) -> dict[str, str]:
    row = {
        "source_id": source_id,
        "title": f"Source {source_id}",
        "publisher": "Publisher",
        "author": "Author",
        "published": "2021-04-08",
        "url": f"https://example.org/{source_id}",
        "file": "",
        "licence": "",
    }
    row.update(values)
    return row


def excerpt(excerpt_id: str, source_id: str, start: int, end: int, text: str) -> dict[str, str]:
    return {
        "excerpt_id": excerpt_id,
        "source_id": source_id,
        "char_start": str(start),
        "char_end": str(end),
        "text": text,
    }


def span(text: str) -> tuple[int, int]:
    """Offsets of ``text`` inside ARTICLE."""
    start = ARTICLE.index(text)
    return start, start + len(text)


@dataclass
class Folder:
    data: Path
    corpus: Path
    texts: dict[str, str] = field(default_factory=dict)  # file name -> written text

    def load(self, corpus: bool = True) -> Bundle:
        return load_bundle(self.data, self.corpus if corpus else None)

    def line(self, name: str, number: int) -> str:
        """Physical line ``number`` (1-based) of a written file."""
        return self.texts[name].split("\n")[number - 1]


Record = dict[str, str] | str  # a row as values, or a raw line (with its newline)
Writer = Callable[..., Folder]


@pytest.fixture
def write_folder(tmp_path: Path, data_dir: Path) -> Writer:
    """Write a data folder (and a corpus folder holding ARTICLE) with the real headers."""

    def write(
        events: Sequence[Record] = (),
        sites: Sequence[Record] = (),
        sources: Sequence[Record] = (),
        excerpts: Sequence[Record] = (),
        name: str = "data",
    ) -> Folder:
        folder = Folder(tmp_path / name, tmp_path / f"{name}-corpus")
        folder.data.mkdir()
        folder.corpus.mkdir()
        (folder.corpus / ARTICLE_NAME).write_text(ARTICLE, encoding="utf-8")
        for file, records in zip(FILES, (events, sites, sources, excerpts), strict=True):
            header = real_header(data_dir, file)
            text = ",".join(header) + "\n"
            text += "".join(r if isinstance(r, str) else csv_line(header, r) for r in records)
            (folder.data / file).write_text(text, encoding="utf-8")
            folder.texts[file] = text
        return folder

    return write


@dataclass(frozen=True)
class Expected:
    file: str
    line: int
    field: str
    words: tuple[str, ...]  # each must appear in the reason
    record_id: str


@dataclass
class BadFolder(Folder):
    errors: list[Expected] = field(default_factory=list)
    warnings: list[Expected] = field(default_factory=list)
    good: dict[str, list[str]] = field(default_factory=dict)  # file -> ids that load

    def assert_reported(self, problems: Sequence[Problem], expected: Sequence[Expected]) -> None:
        """``problems`` are exactly ``expected``: same file, line, field and id, and each
        reason holds the expected words."""
        got = {(p.file, p.line, p.field, p.record_id): p for p in problems}
        assert len(got) == len(problems), f"two problems at one place: {problems}"
        want = {(e.file, e.line, e.field, e.record_id): e for e in expected}
        assert sorted(got) == sorted(want)
        for key, e in want.items():
            for word in e.words:
                assert word in got[key].reason, (key, word, got[key].reason)


def _e(file: str, line: int, fld: str, rid: str, *words: str) -> Expected:
    return Expected(file, line, fld, words, rid)


@pytest.fixture
def bad_folder(write_folder: Writer) -> BadFolder:
    """Good rows mixed with one bad row of each kind; the expected problems say where."""
    x1 = span("On March 27, hundreds gathered in Almaty.")
    x2 = span("Twenty-two people were arrested.")
    xnl = span("Almaty.\nTwenty-two")
    # fmt: off
    events = [
        event("GOOD01"),  # line 2
        event("GOOD02", notes="first line\nsecond line, with a comma\nthird \"quoted\""),  # 3-5
        event("BAD-SWAP", latitude=ALMATY[1], longitude=ALMATY[0]),  # 6
        event("BAD-PARIS", latitude="48.8566", longitude="2.3522"),  # 7
        event("BAD-DATE", event_date="27/03/2021"),  # 8
        event("BAD-FEB30", event_date="2021-02-30"),  # 9
        event("BAD-ISO", iso="FRA", country="France"),  # 10
        event("GOOD01", title="Same id again"),  # 11
        event("BAD-CAT", category="riot"),  # 12
        event("BAD-LATNUM", latitude="forty-three"),  # 13
        "BAD-FIELDS,2021-03-27,,day,protest\n",  # 14
        event("BAD-ML", notes="a note\nover two lines", confidence="certain"),  # 15-16
        event("GOOD03", event_date="2020-01", time_precision="month"),  # 17
        event("GOOD04", event_date="", time_precision="unknown"),  # 18
        event("WARN-POLY", latitude=BISHKEK[0], longitude=BISHKEK[1]),  # 19
        event("WARN-XID", excerpt_ids="X1;NOPE"),  # 20
        event("GOOD05", event_date="2019-09-03", date_end="2019-09-05"),  # 21
        event("BAD-END", event_date="2019-09-03", date_end="2019-09-01"),  # 22
        event("BAD-RANGE", latitude="-95", longitude="200"),  # 23
        event("GOOD06", iso="KGZ", country="Kyrgyzstan", latitude=NARYN[0], longitude=NARYN[1],
              geo_precision="region"),  # 24
        event("GOOD07", iso="CHN", country="China", latitude=URUMQI[0], longitude=URUMQI[1],
              category="detention", excerpt_ids="X2;X1"),  # 25
    ]
    sites = [
        site("S-GOOD", excerpt_ids="X1"),  # 2
        site("S-APPROX", category="bri_site", iso="KGZ", latitude=NARYN[0],
             longitude=NARYN[1], geo_precision="region", date_open="", open_precision=""),  # 3
        site("S-SWAP", latitude=ASTANA[1], longitude=ASTANA[0]),  # 4
        site("S-CLOSE", date_open="2019-01-01", open_precision="day", date_close="2018-01-01",
             close_precision="day"),  # 5
        site("S-WARN", source_id="NOPE"),  # 6
        site("S-YEAR", date_open="2012", open_precision="", date_close="2019-08",
             close_precision=""),  # 7
    ]
    # fmt: on
    sources = [
        source("SRC1", file=ARTICLE_NAME),  # 2
        source("SRC2"),  # 3
        source("SRC-BAD", title=""),  # 4
        source("bad id!"),  # 5
    ]
    shifted = (x1[0] + 1, x1[1] + 1)
    # fmt: off
    excerpts = [
        excerpt("X-NL", "SRC1", *xnl, "Almaty.\nTwenty-two"),  # 2-3
        excerpt("X1", "SRC1", *x1, "On March 27, hundreds gathered in Almaty."),  # 4
        excerpt("X2", "SRC1", *x2, "Twenty-two people were arrested."),  # 5
        excerpt("X-SHIFT", "SRC1", *shifted, "On March 27, hundreds gathered in Almaty."),  # 6
        excerpt("X-PAST", "SRC1", 60, 500, "people were arrested."),  # 7
        excerpt("X-NAN", "SRC1", 0, 1, "O") | {"char_start": "zero"},  # 8
        excerpt("X-SRC2", "SRC2", 5, 9, "text"),  # 9
        excerpt("X-REV", "SRC2", 9, 5, "text"),  # 10
    ]
    # fmt: on
    folder = write_folder(events, sites, sources, excerpts)
    bad = BadFolder(folder.data, folder.corpus, folder.texts)
    ev, si, so, ex = FILES
    bad.errors = [
        _e(ev, 6, "latitude", "BAD-SWAP", "swapped"),
        _e(ev, 7, "latitude", "BAD-PARIS", "outside", "three areas"),
        _e(ev, 8, "event_date", "BAD-DATE", "unparseable date", "27/03/2021"),
        _e(ev, 9, "event_date", "BAD-FEB30", "impossible date", "2021-02-30"),
        _e(ev, 10, "iso", "BAD-ISO", "unknown country code", "FRA"),
        _e(ev, 11, "event_id", "GOOD01", "duplicate id", "first on line 2"),
        _e(ev, 12, "category", "BAD-CAT", "unknown value", "riot"),
        _e(ev, 13, "latitude", "BAD-LATNUM", "not a number", "forty-three"),
        _e(ev, 14, "(row)", "", "has 5 fields", "header has 26"),
        _e(ev, 15, "confidence", "BAD-ML", "unknown value", "certain"),
        _e(ev, 22, "date_end", "BAD-END", "before it starts"),
        _e(ev, 23, "latitude", "BAD-RANGE", "out of range"),
        _e(si, 4, "latitude", "S-SWAP", "swapped"),
        _e(si, 5, "date_close", "S-CLOSE", "closes before it opens"),
        _e(so, 4, "title", "SRC-BAD", "missing"),
        _e(so, 5, "source_id", "bad id!", "not a valid id"),
        _e(ex, 6, "text", "X-SHIFT", "do not match the article text"),
        _e(ex, 7, "char_end", "X-PAST", "past the end of the article text"),
        _e(ex, 8, "char_start", "X-NAN", "not whole numbers"),
        _e(ex, 10, "char_start", "X-REV", "not an increasing span"),
    ]
    bad.warnings = [
        _e(ev, 19, "latitude", "WARN-POLY", "outside", "Kazakhstan", "borders"),
        _e(ev, 20, "excerpt_ids", "WARN-XID", "unknown excerpt", "NOPE"),
        _e(si, 6, "source_id", "S-WARN", "unknown source", "NOPE"),
    ]
    bad.good = {
        ev: [
            "GOOD01",
            "GOOD02",
            "GOOD03",
            "GOOD04",
            "WARN-POLY",
            "WARN-XID",
            "GOOD05",
            "GOOD06",
            "GOOD07",
        ],
        si: ["S-GOOD", "S-APPROX", "S-WARN", "S-YEAR"],
        so: ["SRC1", "SRC2"],
        ex: ["X-NL", "X1", "X2", "X-SRC2"],
    }
    # The fixture itself: each expected line is where that record starts in the file.
    for problem in bad.errors + bad.warnings:
        first = problem.record_id or "BAD-FIELDS"
        assert bad.line(problem.file, problem.line).startswith(first), problem
    return bad


@pytest.fixture
def rows() -> SimpleNamespace:
    """The row builders, for tests that write their own folders."""
    return SimpleNamespace(
        event=event,
        site=site,
        source=source,
        excerpt=excerpt,
        span=span,
        article=ARTICLE,
        article_name=ARTICLE_NAME,
    )


@pytest.fixture(scope="session")
def bundled(data_dir: Path, corpus_dir: Path) -> Bundle:
    """The bundled data with the seed article (shared: do not modify its frames)."""
    return load_bundle(data_dir, corpus_dir)
