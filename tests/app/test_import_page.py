"""The import page: it says where imports go, offers the formats, and lists the rejects of
the last import with their lines."""

from __future__ import annotations

from geo.importers import ImportResult, Reject
from geo.store import ImportCounts
from tests.app.helpers import errors, open_app, page_text

PAGE = "pages/import.py"


def test_the_page_opens_and_says_where_imports_go() -> None:
    at = open_app(page=PAGE)
    assert not at.exception, errors(at)
    text = page_text(at)
    assert "Import events" in text
    assert "in-memory store" in text
    assert [r.label for r in at.radio] == ["Format"]
    assert "ACLED export (CSV)" in at.radio[0].options
    assert [b.label for b in at.button if b.label == "Import"] == ["Import"]


def test_a_mapping_box_appears_for_a_generic_csv() -> None:
    at = open_app(page=PAGE)
    at.radio[0].set_value("CSV with a column mapping").run()
    assert not at.exception, errors(at)
    assert [t.label for t in at.text_input] == ["Column mapping"]


def test_the_rejects_of_the_last_import_are_listed() -> None:
    at = open_app(page=PAGE)
    at.session_state["import_result"] = ImportResult(
        loaded=3,
        rejects=[Reject(7, "event_date: unparseable date 'soon'"), Reject(4, "iso: outside")],
        counts=ImportCounts(new=2, updated=1),
    )
    at.run()
    assert not at.exception, errors(at)
    assert any("Loaded 3 row(s), rejected 2" in s.value for s in at.success)
    (table,) = at.dataframe
    assert list(table.value["line"]) == [4, 7]
