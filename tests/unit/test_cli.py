"""`geo validate`: one `file:line: severity: field: reason [id]` line per problem, exit 1 when
a row was rejected, 0 on the bundled data."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from geo.cli import main

GEO = Path(sys.executable).parent / "geo"
LINE = re.compile(
    r"^(?P<file>[\w.]+\.csv)(?::(?P<line>\d+))?: (?P<severity>error|warning): "
    r"(?P<field>[^:]+): (?P<reason>.*?)(?: \[(?P<id>[^\]]*)\])?$"
)


def run_geo(*args: str | Path, env_corpus: str | None = None) -> subprocess.CompletedProcess:
    assert GEO.exists(), f"the geo command is not installed next to {sys.executable}"
    env = {k: v for k, v in os.environ.items() if k != "GEO_CORPUS_DIR"}
    if env_corpus is not None:
        env["GEO_CORPUS_DIR"] = env_corpus
    return subprocess.run(
        [str(GEO), *map(str, args)], capture_output=True, text=True, env=env, timeout=120
    )


def problem_lines(stdout: str) -> list[re.Match]:
    lines = [line for line in stdout.splitlines() if not line.startswith("loaded ")]
    matches = [LINE.match(line) for line in lines]
    assert all(matches), [line for line, m in zip(lines, matches, strict=True) if not m]
    return matches  # type: ignore[return-value]


def assert_lists_bad_folder(stdout: str, bad, warnings: bool = True) -> None:
    found = problem_lines(stdout)
    for severity, expected in (("error", bad.errors), ("warning", bad.warnings)):
        lines = {
            (m["file"], int(m["line"]), m["field"], m["id"] or ""): m["reason"]
            for m in found
            if m["severity"] == severity
        }
        if severity == "warning" and not warnings:
            assert lines == {}
            continue
        assert sorted(lines) == sorted((e.file, e.line, e.field, e.record_id) for e in expected)
        for e in expected:
            reason = lines[(e.file, e.line, e.field, e.record_id)]
            assert all(word in reason for word in e.words), (e, reason)


# ---- the command as a user runs it ----


def test_validate_lists_every_bad_row_and_exits_1(bad_folder) -> None:
    result = run_geo("validate", "--data", bad_folder.data, "--corpus", bad_folder.corpus)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert_lists_bad_folder(result.stdout, bad_folder)
    assert "events.csv:6: error: latitude: " in result.stdout
    assert result.stdout.splitlines()[-1] == (
        "loaded 9 events, 4 sites, 2 sources, 4 excerpts; 20 rejected row(s), 3 warning(s)"
    )
    keys = [(m["file"], int(m["line"] or 0)) for m in problem_lines(result.stdout)]
    assert keys == sorted(keys)  # in file and line order


def test_without_a_corpus_it_says_offsets_were_not_checked(bad_folder, capsys, monkeypatch) -> None:
    monkeypatch.delenv("GEO_CORPUS_DIR", raising=False)
    assert main(["validate", "--data", str(bad_folder.data)]) == 1
    captured = capsys.readouterr()
    assert "excerpt offsets were not checked" in captured.err
    assert "X-SHIFT" not in captured.out and "X-PAST" not in captured.out
    assert "events.csv:6: error: latitude: " in captured.out


def test_the_bundled_data_validates(data_dir, corpus_dir) -> None:
    result = run_geo("validate", "--data", data_dir, "--corpus", corpus_dir)
    assert result.returncode == 0, result.stdout + result.stderr
    found = problem_lines(result.stdout)
    assert [m["severity"] for m in found] == ["warning"] * 4
    assert [m["id"] for m in found] == ["PL010", "PL011", "PL013", "PL015"]
    assert result.stdout.splitlines()[-1] == (
        "loaded 69 events, 20 sites, 67 sources, 13 excerpts; 0 rejected row(s), 4 warning(s)"
    )


# ---- the same through geo.cli.main ----


def test_main_on_the_bad_folder(bad_folder, capsys, monkeypatch) -> None:
    monkeypatch.delenv("GEO_CORPUS_DIR", raising=False)
    code = main(["validate", "--data", str(bad_folder.data), "--corpus", str(bad_folder.corpus)])
    assert code == 1
    out = capsys.readouterr().out
    assert_lists_bad_folder(out, bad_folder)
    assert "events.csv:14: error: (row): has 5 fields, the header has 26" in out


def test_main_on_the_bundled_data(data_dir, corpus_dir, capsys, monkeypatch) -> None:
    monkeypatch.delenv("GEO_CORPUS_DIR", raising=False)
    assert main(["validate", "--data", str(data_dir), "--corpus", str(corpus_dir)]) == 0
    out = capsys.readouterr().out
    assert " error: " not in out
    assert "0 rejected row(s), 4 warning(s)" in out


def test_errors_only_hides_the_warnings(bad_folder, capsys) -> None:
    args = ["--data", str(bad_folder.data), "--corpus", str(bad_folder.corpus), "--errors-only"]
    assert main(["validate", *args]) == 1
    assert_lists_bad_folder(capsys.readouterr().out, bad_folder, warnings=False)


def test_the_corpus_folder_can_come_from_the_environment(bad_folder, capsys, monkeypatch) -> None:
    monkeypatch.setenv("GEO_CORPUS_DIR", str(bad_folder.corpus))
    assert main(["validate", "--data", str(bad_folder.data)]) == 1
    captured = capsys.readouterr()
    assert_lists_bad_folder(captured.out, bad_folder)
    assert "no corpus folder" not in captured.err


def test_a_missing_corpus_folder_is_a_usage_error(bad_folder, tmp_path, capsys) -> None:
    nowhere = str(tmp_path / "nowhere")
    assert main(["validate", "--data", str(bad_folder.data), "--corpus", nowhere]) == 2
    captured = capsys.readouterr()
    assert "corpus folder not found" in captured.err
    assert captured.out == ""


def test_a_missing_data_folder_reports_each_file_and_never_crashes(
    tmp_path, capsys, monkeypatch
) -> None:
    monkeypatch.delenv("GEO_CORPUS_DIR", raising=False)
    assert main(["validate", "--data", str(tmp_path / "nowhere")]) == 1
    found = problem_lines(capsys.readouterr().out)
    assert sorted(m["file"] for m in found) == [
        "events.csv",
        "excerpts.csv",
        "sites.csv",
        "sources.csv",
    ]
    assert all(m["field"] == "(file)" and "file not found" in m["reason"] for m in found)


def test_main_defaults_to_the_bundled_data(corpus_dir, capsys, monkeypatch) -> None:
    monkeypatch.setenv("GEO_CORPUS_DIR", str(corpus_dir))
    assert main(["validate"]) == 0
    assert "loaded 69 events, 20 sites" in capsys.readouterr().out


def test_main_without_a_command_is_a_usage_error(capsys) -> None:
    with pytest.raises(SystemExit) as stopped:
        main([])
    assert stopped.value.code == 2
    assert "usage: geo" in capsys.readouterr().err
