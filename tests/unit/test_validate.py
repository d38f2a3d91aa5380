"""Row-level validation: every bad row is reported with file, physical line, field and
reason; every good row passes; nothing raises."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from geo import validate as v
from geo.cli import main
from geo.model import EVENT_COLUMNS, TimePrecision

# ---- reading CSV text ----


def test_read_rows_numbers_records_by_their_first_physical_line() -> None:
    text = 'a,b\n1,"x\ny\nz"\n2,ok\n\n3,"p\n"\n4\n5,last'
    rows, problems = v.read_rows(text, "f.csv", ["a", "b"])
    assert [(r.line, r.values["a"]) for r in rows] == [(2, "1"), (5, "2"), (7, "3"), (10, "5")]
    assert rows[0].values["b"] == "x\ny\nz"
    assert problems == [v.Problem("f.csv", 9, "(row)", "has 1 fields, the header has 2")]


def test_read_rows_header_problems_are_one_file_level_problem() -> None:
    rows, problems = v.read_rows("a,c\n1,2\n", "f.csv", ["a", "b", "c"])
    assert rows == []
    assert problems == [v.Problem("f.csv", 1, "(header)", "missing column(s): b")]


def test_read_rows_of_an_empty_text_says_so() -> None:
    rows, problems = v.read_rows("", "f.csv", ["a"])
    assert rows == []
    assert [(p.line, p.field) for p in problems] == [(1, "(file)")]
    assert "empty" in problems[0].reason


def test_read_rows_accepts_a_byte_order_mark_and_extra_columns() -> None:
    rows, problems = v.read_rows("\ufeffa, extra ,b\n1,2,3\n", "f.csv", ["a", "b"])
    assert problems == []
    assert rows == [v.Row(2, {"a": "1", "extra": "2", "b": "3"})]


def test_read_rows_reports_an_unreadable_record_and_goes_on() -> None:
    # A field past the csv module's size limit is a csv.Error for that record only.
    huge = "x" * 1_000_001
    rows, problems = v.read_rows(f"a,b\n1,{huge}\n2,ok\n", "f.csv", ["a", "b"])
    assert [(r.line, r.values["a"]) for r in rows] == [(3, "2")]
    assert [(p.line, p.field) for p in problems] == [(2, "(row)")]
    assert "unreadable" in problems[0].reason


# ---- files ----


def test_read_text_never_raises(tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_text("a\nÄlmaty\n", encoding="utf-8")
    assert v.read_text(good) == ("a\nÄlmaty\n", None)

    text, problem = v.read_text(tmp_path / "missing.csv")
    assert text is None and problem is not None
    assert (problem.file, problem.field) == ("missing.csv", "(file)")
    assert "not found" in problem.reason

    latin = tmp_path / "latin.csv"
    latin.write_bytes("a\nAlmaty – café\n".encode("cp1252"))
    text, problem = v.read_text(latin)
    assert text is None and problem is not None
    assert "not UTF-8" in problem.reason

    folder = tmp_path / "folder.csv"
    folder.mkdir()
    text, problem = v.read_text(folder)
    assert text is None and problem is not None and "cannot be read" in problem.reason


def test_problem_prints_as_file_line_severity_field_reason_id() -> None:
    problem = v.Problem("events.csv", 6, "latitude", "looks swapped", "error", "EV001")
    assert str(problem) == "events.csv:6: error: latitude: looks swapped [EV001]"
    whole_file = v.Problem("sites.csv", 0, "(file)", "file not found: x", "error")
    assert str(whole_file) == "sites.csv: error: (file): file not found: x"
    warning = v.Problem("sites.csv", 3, "source_id", "unknown source 'S'", "warning", "PL1")
    assert str(warning) == "sites.csv:3: warning: source_id: unknown source 'S' [PL1]"


# ---- each file of the bad folder, validated on its own ----


def _validated(folder, name: str, texts: dict[str, str] | None = None):
    text, problem = v.read_text(folder.data / name)
    assert problem is None and text is not None
    rows, problems = v.read_rows(text, name, v.COLUMNS_OF[name])
    if name == "events.csv":
        records, more = v.validate_events(rows, name)
    elif name == "sites.csv":
        records, more = v.validate_sites(rows, name)
    elif name == "sources.csv":
        records, more = v.validate_sources(rows, name)
    else:
        records, more = v.validate_excerpts(rows, name, texts or {})
    return records, problems + more


@pytest.mark.parametrize("name", ["events.csv", "sites.csv", "sources.csv", "excerpts.csv"])
def test_each_bad_row_is_rejected_with_file_line_field_and_reason(bad_folder, name) -> None:
    article = (bad_folder.corpus / "article.txt").read_text(encoding="utf-8")
    records, problems = _validated(bad_folder, name, {"SRC1": article})
    assert all(p.severity == "error" for p in problems)
    bad_folder.assert_reported(problems, [e for e in bad_folder.errors if e.file == name])
    id_field = {"events.csv": "event_id", "sites.csv": "site_id"}.get(
        name, "source_id" if name == "sources.csv" else "excerpt_id"
    )
    assert [r[id_field] for r in records] == bad_folder.good[name]


def test_good_rows_carry_their_line_dates_and_numbers(bad_folder) -> None:
    records, _ = _validated(bad_folder, "events.csv")
    by_id = {r["event_id"]: r for r in records}
    assert by_id["GOOD01"]["line"] == 2
    assert by_id["GOOD02"]["line"] == 3
    assert by_id["GOOD02"]["notes"] == 'first line\nsecond line, with a comma\nthird "quoted"'
    assert by_id["GOOD03"]["line"] == 17
    assert (by_id["GOOD03"]["start"], by_id["GOOD03"]["stop"]) == (
        date(2020, 1, 1),
        date(2020, 1, 31),
    )
    assert (by_id["GOOD04"]["start"], by_id["GOOD04"]["stop"]) == (None, None)
    assert by_id["GOOD04"]["time_precision"] == "unknown"
    assert by_id["GOOD05"]["stop"] == date(2019, 9, 5)
    assert by_id["GOOD01"]["latitude"] == pytest.approx(43.222)
    assert by_id["GOOD01"]["longitude"] == pytest.approx(76.8512)


def test_the_first_of_two_rows_with_one_id_is_kept(bad_folder) -> None:
    records, _ = _validated(bad_folder, "events.csv")
    kept = [r for r in records if r["event_id"] == "GOOD01"]
    assert [r["title"] for r in kept] == ["Rally GOOD01"]


def test_excerpts_are_not_checked_without_the_article_text(bad_folder) -> None:
    records, problems = _validated(bad_folder, "excerpts.csv", texts={})
    loaded = {r["excerpt_id"]: r for r in records}
    # Offsets that do not match (or run past the end) cannot be seen without the text...
    assert {"X-SHIFT", "X-PAST"} <= set(loaded)
    assert not any(r["offsets_checked"] for r in records)
    # ...but malformed offsets are still rejected.
    assert sorted(p.record_id for p in problems) == ["X-NAN", "X-REV"]


# ---- single fields ----


@pytest.mark.parametrize(
    ("value", "precision", "first", "last"),
    [
        ("2021-03-27", TimePrecision.DAY, date(2021, 3, 27), date(2021, 3, 27)),
        ("2020-02", TimePrecision.MONTH, date(2020, 2, 1), date(2020, 2, 29)),
        ("2021-12", TimePrecision.MONTH, date(2021, 12, 1), date(2021, 12, 31)),
        ("2012", TimePrecision.YEAR, date(2012, 1, 1), date(2012, 12, 31)),
    ],
)
def test_partial_dates_cover_their_whole_period(value, precision, first, last) -> None:
    assert v.parse_partial_date(value, precision, "event_date") == (first, last)


@pytest.mark.parametrize(
    ("value", "precision", "words"),
    [
        ("2021-02-30", TimePrecision.DAY, "impossible date"),
        ("2021-13", TimePrecision.MONTH, "impossible date"),
        ("2021-00-10", TimePrecision.DAY, "impossible date"),
        ("2021-03", TimePrecision.DAY, "unparseable date"),
        ("March 2021", TimePrecision.MONTH, "unparseable date"),
        ("2021-03-27", TimePrecision.UNKNOWN, "unparseable date"),
        ("２０２１-03-27", TimePrecision.DAY, "unparseable date"),
    ],
)
def test_bad_dates_raise_a_row_error_naming_the_field(value, precision, words) -> None:
    with pytest.raises(v.RowError) as caught:
        v.parse_partial_date(value, precision, "event_date")
    assert caught.value.field == "event_date"
    assert words in caught.value.reason


@pytest.mark.parametrize(
    ("lat", "lon", "iso", "field", "words"),
    [
        ("76.8512", "43.222", "KAZ", "latitude", "swapped"),
        ("74.5698", "42.8746", "KGZ", "latitude", "swapped"),
        ("48.8566", "2.3522", "KAZ", "latitude", "three areas"),
        ("-33.86", "151.2", "CHN", "latitude", "three areas"),
        ("51.1694", "71.4491", "KGZ", "latitude", "outside Kyrgyzstan"),
        ("", "", "KAZ", "latitude", "missing coordinates"),
        ("43.2", "", "KAZ", "longitude", "not a number"),
        ("nan", "76.8", "KAZ", "latitude", "not a finite number"),
        ("inf", "76.8", "KAZ", "latitude", "not a finite number"),
        ("43.2", "181", "KAZ", "longitude", "out of range"),
    ],
)
def test_bad_points_name_the_field_and_the_reason(lat, lon, iso, field, words) -> None:
    with pytest.raises(v.RowError) as caught:
        v.parse_point({"latitude": lat, "longitude": lon}, iso)
    assert (caught.value.field, words in caught.value.reason) == (field, True)


def test_an_overlong_field_rejects_its_row_only() -> None:
    header = ",".join(EVENT_COLUMNS)
    good = "EV1,2021-03-27,,day,protest,,,ok,,,Kazakhstan,KAZ,,Almaty,43.222,76.8512,city"
    good += ",,,,high,,,,,"
    long = good.replace("EV1", "EV2").replace(",ok,", f",{'x' * (v.MAX_FIELD + 1)},")
    rows, problems = v.read_rows(f"{header}\n{good}\n{long}\n", "events.csv", EVENT_COLUMNS)
    assert problems == []
    records, problems = v.validate_events(rows, "events.csv")
    assert [r["event_id"] for r in records] == ["EV1"]
    assert [(p.line, p.field, p.record_id) for p in problems] == [(3, "title", "EV2")]
    assert "exceeds" in problems[0].reason


def test_links_to_missing_excerpts_sources_and_sites_warn_and_are_dropped() -> None:
    records: list[v.Record] = [
        {"event_id": "E1", "line": 2, "source_id": "S9", "excerpt_ids": "X1; X9", "site_id": "P9"},
        {"event_id": "E2", "line": 3, "source_id": "S1", "excerpt_ids": "", "site_id": "P1"},
    ]
    problems = v.check_links(records, "events.csv", sources={"S1"}, excerpts={"X1"}, sites={"P1"})
    assert [(p.line, p.field, p.severity, p.record_id) for p in problems] == [
        (2, "source_id", "warning", "E1"),
        (2, "excerpt_ids", "warning", "E1"),
        (2, "site_id", "warning", "E1"),
    ]
    assert "X9" in problems[1].reason
    assert records[0]["excerpt_ids"] == "X1"
    assert records[0]["source_id"] == "" and records[0]["site_id"] == ""
    assert records[1]["source_id"] == "S1" and records[1]["site_id"] == "P1"


def test_an_end_date_without_a_start_date_is_rejected_not_made_undated() -> None:
    header = ",".join(EVENT_COLUMNS)
    row = "EV9,,2021-03-28,,protest,,,ok,,,Kazakhstan,KAZ,,Almaty,43.222,76.8512,city"
    row += ",,,,high,,,,,"
    rows, _ = v.read_rows(f"{header}\n{row}\n", "events.csv", EVENT_COLUMNS)
    records, problems = v.validate_events(rows, "events.csv")
    assert records == []
    assert [(p.line, p.field, p.record_id) for p in problems] == [(2, "event_date", "EV9")]
    assert "date_end" in problems[0].reason


# ---- dates outside the plausible span ----

LAST_PLAUSIBLE = date(date.today().year + 1, 12, 31)


@pytest.mark.parametrize(
    ("value", "precision"),
    [
        ("9999-12-31", TimePrecision.DAY),
        ("0001-01-01", TimePrecision.DAY),
        ("0999-12-31", TimePrecision.DAY),
        ("1899-12", TimePrecision.MONTH),
        (str(LAST_PLAUSIBLE.year + 1), TimePrecision.YEAR),
        ((LAST_PLAUSIBLE + timedelta(days=1)).isoformat(), TimePrecision.DAY),
    ],
)
def test_a_date_outside_the_plausible_span_is_a_row_error(value, precision) -> None:
    with pytest.raises(v.RowError) as caught:
        v.parse_partial_date(value, precision, "event_date")
    assert caught.value.field == "event_date"
    assert f"outside the plausible span 1900-01-01 to {LAST_PLAUSIBLE}" in caught.value.reason


def test_the_edges_of_the_plausible_span_pass() -> None:
    assert v.parse_partial_date("1900-01-01", TimePrecision.DAY, "d")[0] == date(1900, 1, 1)
    last = str(LAST_PLAUSIBLE.year)
    assert v.parse_partial_date(last, TimePrecision.YEAR, "d")[1] == LAST_PLAUSIBLE


def test_data_files_with_implausible_dates_reject_those_rows_and_validate_exits_1(
    write_folder, rows, capsys
) -> None:

    folder = write_folder(
        events=[
            rows.event("GOOD"),  # line 2
            rows.event("FAR", event_date="9999-12-31"),  # 3
            rows.event("EARLY", event_date="0001-01-01"),  # 4
            rows.event("ENDLESS", event_date="2021-03-27", date_end="9999-12-31"),  # 5
        ],
        sites=[rows.site("S-GOOD"), rows.site("S-OLD", date_open="0999-12", open_precision="")],
        sources=[rows.source("SRC1", file=rows.article_name)],
        excerpts=[rows.excerpt("X1", "SRC1", *rows.span("Twenty-two"), "Twenty-two")],
    )
    bundle = folder.load()
    assert list(bundle.events["event_id"]) == ["GOOD"]
    assert list(bundle.sites["site_id"]) == ["S-GOOD"]
    found = {(p.file, p.line, p.field, p.record_id) for p in bundle.errors}
    assert found == {
        ("events.csv", 3, "event_date", "FAR"),
        ("events.csv", 4, "event_date", "EARLY"),
        ("events.csv", 5, "date_end", "ENDLESS"),
        ("sites.csv", 3, "date_open", "S-OLD"),
    }
    assert all("plausible span" in p.reason for p in bundle.errors)
    assert main(["validate", "--data", str(folder.data), "--corpus", str(folder.corpus)]) == 1
    out = capsys.readouterr().out
    assert "events.csv:3: error: event_date: date '9999-12-31' lies outside" in out


# ---- source links ----


@pytest.mark.parametrize(
    ("url", "words"),
    [
        (
            "https://news.example/story)![pixel](https://tracker.example/og.png)",
            "holds ')', which it must percent-encode",
        ),
        ("javascript:alert(1)", "not an http or https link"),
        ("https://news.example/<https://t.example>", "holds '<'"),
        ("https://news.example/a b", "space"),
    ],
)
def test_a_source_whose_link_is_not_a_plain_http_link_is_kept_without_it(
    write_folder, rows, capsys, url: str, words: str
) -> None:
    folder = write_folder(
        events=[rows.event("GOOD")],
        sources=[rows.source("SRC1", file=rows.article_name, url=url), rows.source("SRC2")],
        excerpts=[rows.excerpt("X1", "SRC1", *rows.span("Twenty-two"), "Twenty-two")],
    )
    bundle = folder.load()
    assert list(bundle.sources["source_id"]) == ["SRC1", "SRC2"]
    assert list(bundle.sources["url"]) == ["", "https://example.org/SRC2"]
    (warning,) = [p for p in bundle.warnings if p.field == "url"]
    assert (warning.file, warning.line, warning.record_id) == ("sources.csv", 2, "SRC1")
    assert words in warning.reason and "kept without its link" in warning.reason
    assert main(["validate", "--data", str(folder.data), "--corpus", str(folder.corpus)]) == 0
    assert "sources.csv:2: warning: url: " in capsys.readouterr().out
