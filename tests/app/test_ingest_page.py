"""The ingest page in AppTest: paste an article, review its candidates, accept (and see the
event on the map page with its excerpt), edit with a bad value (refused with the reason),
reject; hostile text shown inert; an article with no places and empty input explained.
Every test runs on a private copy of the data (GEO_DATA_DIR), never on data/."""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.bundle import load_bundle
from geo.store import close_all
from geo.store.pg import PgStore
from tests.app.helpers import errors, open_app, page_text, texts, unescape_md
from tests.conftest import OTHER_VERSION, other_curated, read_only, read_only_role

INGEST_PAGE = "pages/ingest.py"
DATA = Path(__file__).resolve().parents[2] / "data"
DATA_FILES = (
    "events.csv",
    "sites.csv",
    "sources.csv",
    "excerpts.csv",
    "aliases.csv",
    "lexicon.csv",
)
ARTICLE = (
    "Naryn Daily\n\nPublished: 12 June 2020\n\n"
    "On Saturday, about 200 residents of At-Bashi rallied against a Chinese logistics hub. "
    "Police detained 15 people.\n\n"
    "In Kashgar, ethnic Kyrgyz relatives were detained in 2018, activists said.\n"
)
RALLY = "On Saturday, about 200 residents of At-Bashi rallied against a Chinese logistics hub."


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    for name in DATA_FILES:
        shutil.copy(DATA / name, folder / name)
    store = tmp_path / "store"
    monkeypatch.setenv("GEO_DATA_DIR", str(folder))
    monkeypatch.setenv("GEO_STORE_DIR", str(store))
    monkeypatch.setenv("GEO_QUEUE", str(tmp_path / "queue.jsonl"))
    monkeypatch.setenv("GEO_CORPUS_DIR", str(store))
    return folder


def shown(at: AppTest) -> str:
    """Everything a reader sees, success notices included, unescaped."""
    return page_text(at) + "\n" + "\n".join(unescape_md(str(e.value)) for e in at.success)


def rows(folder: Path, name: str) -> list[dict[str, str]]:
    with (folder / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def paste(at: AppTest, text: str, title: str = "") -> AppTest:
    at.text_area(key="paste_text").set_value(text)
    at.text_input(key="paste_title").set_value(title)
    (button,) = [b for b in at.button if b.label == "Extract candidates from the text"]
    button.click().run()
    assert not at.exception, errors(at)
    return at


def card_button(at: AppTest, label: str, excerpt_start: str) -> object:
    """The button ``label`` on the card whose excerpt starts with ``excerpt_start``."""
    order = [
        unescape_md(str(m.value))[2:]
        for m in at.markdown
        if str(m.value).startswith("> ") and not unescape_md(str(m.value)).startswith("> Police")
    ]
    index = next(i for i, text in enumerate(order) if text.startswith(excerpt_start))
    return [b for b in at.button if b.label == label][index]


def test_the_page_opens_on_an_empty_queue(data: Path) -> None:
    at = open_app(page=INGEST_PAGE)
    assert not at.exception, errors(at)
    assert [t.value for t in at.title] == ["Ingest articles"]
    text = shown(at)
    assert "Review queue" in text and "0 waiting, 0 accepted, 0 rejected" in text
    assert "Nothing here" in text


def test_paste_then_accept_puts_the_event_on_the_map(data: Path) -> None:
    at = paste(open_app(page=INGEST_PAGE), ARTICLE, title="Naryn Daily report")
    assert "2 candidate(s), 2 new" in shown(at)
    quotes = [unescape_md(str(m.value)) for m in at.markdown]
    assert f"> {RALLY}" in quotes and "> Police detained 15 people." in quotes
    assert "Protest in At-Bashy, 6 June 2020" in shown(at)

    card_button(at, "Accept", "On Saturday").click().run()
    assert not at.exception, errors(at)
    (event,) = [r for r in rows(data, "events.csv") if r["tags"] == "ingested"]
    assert f"Accepted: {event['event_id']} is in the data and on the map." in shown(at)
    assert (event["location"], event["event_date"], event["arrests"]) == (
        "At-Bashy",
        "2020-06-06",
        "15",
    )
    assert "1 waiting, 1 accepted, 0 rejected" in shown(at)

    # The map page, opened on the new event, shows it with its excerpts.
    on_map = open_app(query={"sel": event["event_id"]})
    assert not on_map.exception, errors(on_map)
    text = shown(on_map)
    assert "Protest in At-Bashy, 6 June 2020" in text
    assert RALLY in text and "Police detained 15 people." in text


def test_show_on_the_map_switches_page_with_the_event_selected(data: Path) -> None:
    at = paste(open_app(page=INGEST_PAGE), ARTICLE)
    card_button(at, "Accept", "In Kashgar").click().run()
    at.segmented_control(key="ingest_show").set_value("accepted").run()
    (button,) = [b for b in at.button if b.label == "Show on the map"]
    button.click().run()
    assert not at.exception, errors(at)
    text = shown(at)
    assert "In Kashgar, ethnic Kyrgyz relatives were detained in 2018" in text
    assert "Detention-related event in Kashgar, 2018" in text


def test_a_bad_edit_is_refused_with_its_reason(data: Path) -> None:
    at = paste(open_app(page=INGEST_PAGE), ARTICLE)
    before = (data / "events.csv").read_bytes()
    cid = next(k.split("_")[0] for k in (t.key for t in at.text_input) if k and k.endswith("_lat"))
    at.text_input(key=f"{cid}_lat").set_value("999")
    (submit,) = [b for b in at.button if b.label == "Save and accept"][:1]
    submit.click().run()
    assert not at.exception, errors(at)
    refusals = [unescape_md(str(e.value)) for e in at.error]
    assert any("refused" in r and "latitude" in r and "out of range" in r for r in refusals), (
        refusals
    )
    assert (data / "events.csv").read_bytes() == before
    assert "2 waiting, 0 accepted" in shown(at)


def test_reject_moves_a_candidate_out_of_the_waiting_list(data: Path) -> None:
    at = paste(open_app(page=INGEST_PAGE), ARTICLE)
    card_button(at, "Reject", "In Kashgar").click().run()
    assert "1 waiting, 0 accepted, 1 rejected" in shown(at)
    at.segmented_control(key="ingest_show").set_value("rejected").run()
    assert "In Kashgar" in shown(at)
    next(b for b in at.button if b.label == "Back to the queue").click().run()
    assert "2 waiting, 0 accepted, 0 rejected" in shown(at)


def test_hostile_article_text_is_shown_inert(data: Path) -> None:
    hostile = (
        "On 3 May 2021, [click](javascript:alert(1)) <img src=x onerror=alert(1)> "
        "**bold** $x$ `code` ${alert(1)} protesters rallied in Osh.\n"
    )
    at = paste(open_app(page=INGEST_PAGE), hostile, title="<script>alert(1)</script>")
    raw = "\n".join([*texts(at), *(str(e.value) for e in at.success)])
    assert "[click](javascript" not in raw and "**bold**" not in raw
    (quote,) = [line for line in raw.splitlines() if line.startswith("> On 3 May")]
    assert not re.search(r"(?<!\\)[<`$*\[]", quote[2:]), "a markup character left unescaped"
    assert "<script>" not in raw
    assert "\\[click\\]" in raw and "\\$x\\$" in raw
    assert "javascript:alert(1)" in unescape_md(raw)  # shown as text, not as a link


def test_an_article_without_places_and_empty_input_are_explained(data: Path) -> None:
    at = paste(open_app(page=INGEST_PAGE), "On 3 May 2021, thousands marched in Paris.")
    assert "no place in Kazakhstan, Kyrgyzstan or Xinjiang" in shown(at)
    assert "0 candidate(s)" in shown(at)
    at = paste(at, "   ")
    assert "Paste the article's text first." in shown(at)
    assert not (data / "review").exists()


def test_a_hand_edited_queue_does_not_break_the_page(data: Path) -> None:
    entry = {
        "candidate_id": "0123456789abcdef",
        "status": "pending",
        "title": "**T**",
        "excerpt": "<b>x</b>",
        "category": "riot",
        "country": "FRA",
        "geo_precision": "street",
        "event_date": "soon",
        "time_precision": "day",
        "char_start": "<i>",
        "char_end": 5,
        "source_id": "nope",
        "file": "missing.txt",
    }
    queue = Path(os.environ["GEO_QUEUE"])
    queue.write_text(json.dumps(entry) + "\n{not json\n", encoding="utf-8")
    at = open_app(page=INGEST_PAGE)
    assert not at.exception, errors(at)
    assert "1 waiting" in shown(at) and "riot" in shown(at)
    next(b for b in at.button if b.label == "Accept").click().run()
    assert not at.exception, errors(at)
    refusals = [unescape_md(str(e.value)) for e in at.error]
    assert any("missing from the store" in r for r in refusals), refusals


def test_a_read_only_data_folder_refuses_every_change_and_changes_nothing(
    data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The queue and the article store where they are by default: inside the data folder.
    monkeypatch.delenv("GEO_QUEUE")
    monkeypatch.delenv("GEO_STORE_DIR")
    monkeypatch.setenv("GEO_CORPUS_DIR", str(data / "articles"))
    at = paste(open_app(page=INGEST_PAGE), ARTICLE)
    card_button(at, "Reject", "In Kashgar").click().run()
    assert "1 waiting, 0 accepted, 1 rejected" in shown(at)
    files = {p: p.read_bytes() for p in data.rglob("*") if p.is_file()}

    def refusals() -> list[str]:
        assert not at.exception, errors(at)
        return [unescape_md(str(e.value)) for e in at.error]

    with read_only(data):
        at.run()
        card_button(at, "Reject", "On Saturday").click().run()
        assert any(f"cannot write {data}" in r and "nothing was changed" in r for r in refusals())
        card_button(at, "Accept", "On Saturday").click().run()
        assert any(f"cannot write {data}" in r and "nothing was changed" in r for r in refusals())
        paste(at, ARTICLE.replace("At-Bashi", "Naryn"), title="Another report")
        assert any("not ingested: cannot write" in r for r in refusals()), refusals()
        at.segmented_control(key="ingest_show").set_value("rejected").run()
        next(b for b in at.button if b.label == "Back to the queue").click().run()
        assert any(f"cannot write {data}" in r for r in refusals())
        assert "1 waiting, 0 accepted, 1 rejected" in shown(at)
    assert {p: p.read_bytes() for p in data.rglob("*") if p.is_file()} == files


@pytest.fixture
def shared(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[PgStore]:
    """The app on a shared database, and that database as every other dashboard reads it."""
    monkeypatch.setenv("GEO_DATABASE_URL", database_url)
    store = PgStore(database_url)
    yield store
    store.close()
    close_all()


def accept_the_rally(data: Path) -> tuple[AppTest, dict[str, str]]:
    """Paste the article, accept its rally; the page and the event row written."""
    at = paste(open_app(page=INGEST_PAGE), ARTICLE, title="Naryn Daily report")
    card_button(at, "Accept", "On Saturday").click().run()
    assert not at.exception, errors(at)
    (event,) = [r for r in rows(data, "events.csv") if r["tags"] == "ingested"]
    return at, event


def test_an_accepted_event_reaches_the_shared_database(data: Path, shared: PgStore) -> None:
    _, event = accept_the_rally(data)
    assert shared.has_event(event["event_id"])
    assert shared.curated_version() == load_bundle(data).version
    on_map = open_app(query={"sel": event["event_id"]})
    assert not on_map.exception, errors(on_map)
    assert RALLY in shown(on_map)


def test_an_accept_does_not_overwrite_a_database_holding_other_curated_data(
    data: Path, shared: PgStore
) -> None:
    # Another analyst's curated data, which this folder never had.
    shared.load_bundle(other_curated(load_bundle(data)))
    at, event = accept_the_rally(data)
    assert f"Accepted: {event['event_id']}" in shown(at)  # kept in this folder
    note = " ".join(w.value for w in at.warning)
    assert "Not sent to the shared database" in note and OTHER_VERSION in note
    assert shared.curated_version() == OTHER_VERSION
    assert not shared.has_event(event["event_id"]) and shared.size() == 60


def test_an_accept_with_a_read_only_database_role_is_kept_here_and_says_so(
    data: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    writer = PgStore(database_url)
    writer.sync_bundle(load_bundle(data))
    writer.close()
    monkeypatch.setenv("GEO_DATABASE_URL", read_only_role(database_url))
    try:
        at, event = accept_the_rally(data)
    finally:
        close_all()
    assert f"Accepted: {event['event_id']}" in shown(at)  # kept in this folder
    note = " ".join(w.value for w in at.warning)
    assert "Not sent to the shared database" in note and "may only read" in note


RUSSIAN_ARTICLE = (
    "Кыргызстан: споры вокруг китайских проектов\n\n"
    "Аналитическая справка | 3 марта 2020\n\n"
    "В конце февраля правительство Кыргызстана отказалось от строительства логистического "
    "центра в Ат-Башинском районе Нарынской области.\n\n"
    "17 февраля 2020 года в селе Ат-Башы на митинг против центра собрались, по разным "
    "оценкам, от 700 до двух тысяч жителей. Полиция задержала 12 человек.\n\n"
    "В Кашгаре, по словам активистов, в 2018 году были задержаны родственники этнических "
    "кыргызов.\n"
)
RUSSIAN_RALLY = (
    "17 февраля 2020 года в селе Ат-Башы на митинг против центра собрались, по разным "
    "оценкам, от 700 до двух тысяч жителей."
)


def test_a_pasted_russian_article_gives_mapped_candidates_with_russian_excerpts(
    data: Path,
) -> None:
    at = paste(open_app(page=INGEST_PAGE), RUSSIAN_ARTICLE, title="Споры вокруг проектов")
    text = shown(at)
    assert "3 candidate(s), 3 new; read as Russian" in text
    quotes = [unescape_md(str(m.value)) for m in at.markdown]
    assert f"> {RUSSIAN_RALLY}" in quotes
    assert "> Полиция задержала 12 человек." in quotes
    assert "Protest in At-Bashy, 17 February 2020" in text
    assert "Policy event in At-Bashy District, February 2020" in text
    assert "Detention-related event in Kashgar, 2018" in text
    assert "Participants: 700–2000" in text and "Language: Russian" in text

    card_button(at, "Accept", "17 февраля").click().run()
    assert not at.exception, errors(at)
    (event,) = [r for r in rows(data, "events.csv") if r["tags"] == "ingested"]
    assert (event["location"], event["event_date"], event["participants"], event["arrests"]) == (
        "At-Bashy",
        "2020-02-17",
        "700–2000",
        "12",
    )
    (excerpt,) = [r for r in rows(data, "excerpts.csv") if r["text"] == RUSSIAN_RALLY]
    assert RUSSIAN_ARTICLE[int(excerpt["char_start"]) : int(excerpt["char_end"])] == RUSSIAN_RALLY

    on_map = open_app(query={"sel": event["event_id"]})
    assert not on_map.exception, errors(on_map)
    assert "Protest in At-Bashy, 17 February 2020" in shown(on_map)
    assert RUSSIAN_RALLY in shown(on_map)


def test_an_article_in_a_language_not_read_is_refused_with_its_language(data: Path) -> None:
    at = paste(
        open_app(page=INGEST_PAGE),
        "2021年3月27日，数百人在阿拉木图的中国领事馆外举行抗议活动，要求释放被关押在新疆的亲属。",
    )
    refusals = [unescape_md(str(e.value)) for e in at.error]
    assert any("not ingested" in r and "Chinese" in r and "zh" in r for r in refusals), refusals
    assert "0 waiting, 0 accepted, 0 rejected" in shown(at)
