"""Loading the four data files: good rows load, bad ones are reported, nothing raises."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from geo import query
from geo.bundle import data_version, load_bundle
from geo.model import is_text_column

FILES = ("events.csv", "sites.csv", "sources.csv", "excerpts.csv")
ID_OF = {
    "events.csv": "event_id",
    "sites.csv": "site_id",
    "sources.csv": "source_id",
    "excerpts.csv": "excerpt_id",
}


def _frames(bundle):
    frames = (bundle.events, bundle.sites, bundle.sources, bundle.excerpts)
    return dict(zip(FILES, frames, strict=True))


def missing_text(frame: pd.DataFrame) -> dict[str, int]:
    """The text columns of ``frame`` that hold a NaN or None, with how many."""
    found = {str(c): int(frame[c].isna().sum()) for c in frame.columns if is_text_column(str(c))}
    return {c: n for c, n in found.items() if n}


# ---- the folder of good and bad rows ----


def test_bad_rows_are_reported_and_good_rows_load(bad_folder) -> None:
    bundle = bad_folder.load()
    bad_folder.assert_reported(bundle.errors, bad_folder.errors)
    bad_folder.assert_reported(bundle.warnings, bad_folder.warnings)
    for name, frame in _frames(bundle).items():
        assert frame[ID_OF[name]].tolist() == bad_folder.good[name], name


def test_rows_with_warnings_keep_their_values_minus_the_broken_link(bad_folder) -> None:
    bundle = bad_folder.load()
    events = bundle.events.set_index("event_id")
    assert events.loc["WARN-POLY", "latitude"] == pytest.approx(42.8746)
    assert events.loc["WARN-POLY", "line"] == 19
    assert events.loc["WARN-XID", "excerpt_ids"] == "X1"
    sites = bundle.sites.set_index("site_id")
    assert sites.loc["S-WARN", "source_id"] == ""
    assert sites.loc["S-GOOD", "source_id"] == "SRC1"


def test_loaded_frames_hold_dates_lines_and_checked_offsets(bad_folder) -> None:
    bundle = bad_folder.load()
    events = bundle.events.set_index("event_id")
    assert events.loc["GOOD02", "line"] == 3
    assert events.loc["GOOD03", "start"] == date(2020, 1, 1)
    assert events.loc["GOOD03", "stop"] == date(2020, 1, 31)
    assert events["start"].isna().tolist().count(True) == 1  # GOOD04, undated
    assert events.loc["GOOD05", "stop"] == date(2019, 9, 5)
    excerpts = bundle.excerpts.set_index("excerpt_id")
    assert excerpts["offsets_checked"].to_dict() == {
        "X-NL": True,
        "X1": True,
        "X2": True,
        "X-SRC2": False,  # its source names no article file
    }
    assert excerpts.loc["X-NL", "text"] == "Almaty.\nTwenty-two"
    assert bundle.corpus_texts == {"SRC1": (bad_folder.corpus / "article.txt").read_text()}


def test_site_dates_keep_the_precision_they_were_read_with(bad_folder) -> None:
    """A site dated '2012' with no precision column is known to the year, not to 1 January."""
    sites = bad_folder.load().sites.set_index("site_id")
    assert sites.loc["S-YEAR", "start"] == date(2012, 1, 1)
    assert sites.loc["S-YEAR", "stop"] == date(2019, 8, 31)
    assert sites.loc["S-YEAR", "open_precision"] == "year"
    assert sites.loc["S-YEAR", "close_precision"] == "month"


def test_search_text_holds_fields_and_excerpt_text_casefolded(bad_folder) -> None:
    events = bad_folder.load().events.set_index("event_id")
    text = events.loc["GOOD07", "search_text"]
    assert "rally good07" in text
    assert "twenty-two people were arrested." in text  # excerpt X2
    assert "on march 27, hundreds gathered in almaty." in text  # excerpt X1


def test_line_numbers_hold_for_windows_line_endings(bad_folder) -> None:
    path = bad_folder.data / "events.csv"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    bundle = bad_folder.load()
    events = [e for e in bad_folder.errors if e.file == "events.csv"]
    bad_folder.assert_reported([p for p in bundle.errors if p.file == "events.csv"], events)
    assert bundle.events["event_id"].tolist() == bad_folder.good["events.csv"]
    assert bundle.events.set_index("event_id").loc["GOOD02", "notes"].count("\n") == 2


def test_without_a_corpus_offsets_are_not_checked(bad_folder) -> None:
    bundle = bad_folder.load(corpus=False)
    assert "X-SHIFT" in set(bundle.excerpts["excerpt_id"])
    assert not bundle.excerpts["offsets_checked"].any()
    assert {p.record_id for p in bundle.errors if p.file == "excerpts.csv"} == {"X-NAN", "X-REV"}


# ---- whole files missing, empty, without a column, not UTF-8 ----


def _drop_first_column(path: Path) -> str:
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(row[1:] for row in rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return rows[0][0]


@pytest.mark.parametrize("name", FILES)
@pytest.mark.parametrize("defect", ["missing", "empty", "no id column", "not utf-8"])
def test_a_broken_file_is_one_problem_and_the_other_files_still_load(
    bad_folder, name, defect
) -> None:
    path = bad_folder.data / name
    column = ""
    if defect == "missing":
        path.unlink()
    elif defect == "empty":
        path.write_text("", encoding="utf-8")
    elif defect == "no id column":
        column = _drop_first_column(path)
    else:
        path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))

    bundle = load_bundle(bad_folder.data, bad_folder.corpus)  # must not raise

    problems = [p for p in bundle.errors if p.file == name]
    assert len(problems) == 1, problems
    problem = problems[0]
    expected = {
        "missing": (0, "(file)", "file not found"),
        "empty": (1, "(file)", "file is empty"),
        "no id column": (1, "(header)", f"missing column(s): {column}"),
        "not utf-8": (0, "(file)", "not UTF-8"),
    }[defect]
    assert (problem.line, problem.field, expected[2] in problem.reason) == (*expected[:2], True)
    frames = _frames(bundle)
    assert frames[name].empty
    for other in FILES:
        if other != name and not (name == "sources.csv" and other == "excerpts.csv"):
            assert frames[other][ID_OF[other]].tolist() == bad_folder.good[other], other
    if name == "sources.csv":
        # No source, no article text: offsets go unchecked, so the shifted excerpt loads.
        assert "X-SHIFT" in set(bundle.excerpts["excerpt_id"])
        assert {p.field for p in bundle.warnings if p.record_id == "GOOD01"} == {"source_id"}
    bundle.month_span()  # still answers


def test_an_empty_folder_loads_as_empty_frames(tmp_path: Path) -> None:
    bundle = load_bundle(tmp_path, None)
    assert sorted(p.file for p in bundle.errors) == sorted(FILES)
    assert all("file not found" in p.reason for p in bundle.errors)
    assert all(frame.empty for frame in _frames(bundle).values())
    assert bundle.month_span() == ("2013-01", "2013-01")


# ---- the corpus folder ----


def test_an_article_path_outside_the_corpus_is_refused(write_folder, rows) -> None:
    folder = write_folder(
        events=[rows.event("E1")],
        sources=[rows.source("SRC1", file="../secret.txt")],
        excerpts=[rows.excerpt("X1", "SRC1", 0, 5, "wrong")],
    )
    (folder.data.parent / "secret.txt").write_text("wrong and secret", encoding="utf-8")
    bundle = folder.load()
    assert [(p.file, p.line, p.field, p.severity) for p in bundle.errors] == [
        ("sources.csv", 2, "file", "error")
    ]
    assert "not a plain file name" in bundle.errors[0].reason
    assert bundle.corpus_texts == {}
    assert bundle.excerpts["offsets_checked"].tolist() == [False]


def test_a_missing_article_file_is_a_warning_and_offsets_go_unchecked(write_folder, rows) -> None:
    folder = write_folder(
        events=[rows.event("E1")],
        sources=[rows.source("SRC1", file="gone.txt")],
        excerpts=[rows.excerpt("X1", "SRC1", 0, 5, "wrong")],
    )
    bundle = folder.load()
    assert bundle.errors == []
    assert [(p.file, p.line, p.field, p.record_id) for p in bundle.warnings] == [
        ("sources.csv", 2, "file", "SRC1")
    ]
    assert "not checked" in bundle.warnings[0].reason
    assert bundle.events["event_id"].tolist() == ["E1"]
    assert bundle.excerpts["offsets_checked"].tolist() == [False]


def test_data_version_follows_the_content_of_the_files(bad_folder) -> None:
    first = data_version(bad_folder.data)
    assert data_version(bad_folder.data) == first
    path = bad_folder.data / "sites.csv"
    original = path.read_bytes()
    path.write_bytes(original + b"\n")
    assert data_version(bad_folder.data) != first
    path.write_bytes(original)
    assert data_version(bad_folder.data) == first


# ---- the bundled data ----


def test_bundled_data_loads_whole(bundled) -> None:
    assert len(bundled.events) == 69
    assert len(bundled.sites) == 20
    assert len(bundled.excerpts) == 13
    assert bundled.errors == []
    assert bundled.events["event_id"].is_unique and bundled.sites["site_id"].is_unique


def test_bundled_data_has_exactly_four_border_warnings(bundled) -> None:
    found = sorted((p.file, p.line, p.field, p.record_id) for p in bundled.warnings)
    assert found == [
        ("sites.csv", 11, "latitude", "PL010"),
        ("sites.csv", 12, "latitude", "PL011"),
        ("sites.csv", 14, "latitude", "PL013"),
        ("sites.csv", 16, "latitude", "PL015"),
    ]
    assert all("borders" in p.reason for p in bundled.warnings)


def test_every_bundled_excerpt_is_the_article_text_at_its_offsets(
    bundled, data_dir: Path, corpus_dir: Path
) -> None:
    with (data_dir / "sources.csv").open(encoding="utf-8", newline="") as handle:
        files = {r["source_id"]: r["file"] for r in csv.DictReader(handle)}
    with (data_dir / "excerpts.csv").open(encoding="utf-8", newline="") as handle:
        excerpts = list(csv.DictReader(handle))
    assert len(excerpts) == 13
    for row in excerpts:
        article = (corpus_dir / files[row["source_id"]]).read_text(encoding="utf-8")
        start, end = int(row["char_start"]), int(row["char_end"])
        assert article[start:end] == row["text"], row["excerpt_id"]
    assert bundled.excerpts["offsets_checked"].all()


def test_no_text_column_of_the_loaded_frames_is_missing(bundled, bad_folder) -> None:
    for bundle in (bundled, bad_folder.load()):
        for name, frame in _frames(bundle).items():
            assert missing_text(frame) == {}, name
        # Dates and numbers keep their missing values: undated is None, not "".
        assert bundle.events["start"].isna().any() and bundle.sites["stop"].isna().any()
        assert bundle.events["latitude"].dtype == "float64"


def test_an_excerpt_of_an_unknown_source_has_empty_citation_columns(write_folder, rows) -> None:
    x1 = rows.span("On March 27, hundreds gathered in Almaty.")
    folder = write_folder(
        [rows.event("E1", excerpt_ids="X1;X2")],
        [],
        [rows.source("SRC1")],
        [
            rows.excerpt("X1", "GONE", *x1, "On March 27, hundreds gathered in Almaty."),
            rows.excerpt("X2", "SRC1", *x1, "On March 27, hundreds gathered in Almaty."),
        ],
    )
    chosen = query.selection(folder.load(corpus=False), "E1")
    assert chosen is not None
    excerpts = chosen.excerpts.set_index("excerpt_id")
    assert missing_text(chosen.excerpts) == {}
    assert excerpts.loc["X1", ["title", "publisher", "author", "url"]].tolist() == ["", "", "", ""]
    assert excerpts.loc["X2", "publisher"] == "Publisher"


def test_bundled_month_span_runs_from_the_first_event_to_the_last_site_date(bundled) -> None:
    # EV055 (7 September 2013) is the first event; PL003 opened on 30 July 2024.
    assert bundled.month_span() == ("2013-09", "2024-07")
