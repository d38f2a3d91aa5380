"""Ingestion end to end on private copies of the data: articles the tests write themselves
(other places, other date forms, none of our places at all), bad inputs that stop nothing
else, the review queue (idempotent re-ingest, edited articles, reject), and accepting into
the data with validation, atomic writes and curated rows left as they were."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from geo import render
from geo.bundle import load_bundle
from geo.ingest import pipeline, review
from geo.ingest.pipeline import Settings

SEED = "cpc-2021-04-anti-china-protests-kazakhstan.txt"
DATA_FILES = (
    "events.csv",
    "sites.csv",
    "sources.csv",
    "excerpts.csv",
    "aliases.csv",
    "lexicon.csv",
)

KYRGYZ = """Example News - Bishkek

Published: 12 June 2020

On Saturday, about 200 residents of At-Bashi rallied against a Chinese logistics hub in \
the Naryn region. Police detained 15 people.

Last year, villagers clashed with workers of Zhong Ji Mining at a gold mine near Naryn.

In Kashgar, ethnic Kyrgyz relatives were detained in 2018, activists said.
"""

KAZAKH = """Posted on 2019-12-20

Hundreds of oil workers went on strike in Janaozen on 16 December 2019.

The following July, about 50 activists picketed the akimat in Aqtobe and later in Uralsk.

In August 2016, traders in Khorgos in Xinjiang protested new customs rules.
"""

VIGIL = """Steppe Monitor

Kazakhstan: Relatives of Xinjiang detainees keep up vigil in Almaty

Feb 22, 2021

A small group has been picketing the Chinese consulate in Almaty every day since February 8.

On February 20, police detained three of the protesters. They were released that evening.

Kyrgyzstan has seen anger too. In January 2019, about 50 members of Kyrk Choro protested \
outside the Chinese embassy in Bishkek, and on 17 February 2020 hundreds rallied in At-Bashy \
against a planned Chinese logistics centre.
"""

ELSEWHERE = """Daily Planet

On 3 May 2021, thousands of people marched in Paris against a pension reform.
"""


@pytest.fixture
def settings(tmp_path: Path, data_dir: Path) -> Settings:
    data = tmp_path / "data"
    data.mkdir()
    for name in DATA_FILES:
        shutil.copy(data_dir / name, data / name)
    return Settings.for_data(data, store=tmp_path / "store", queue=tmp_path / "queue.jsonl")


def write(folder: Path, name: str, text: str | bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def by_phrase(records: list[dict], phrase: str) -> dict:
    (found,) = [r for r in records if phrase in r["excerpt"]]
    return found


def test_other_places_and_date_forms(settings: Settings, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    reports = pipeline.ingest_paths(
        [write(folder, "kg.txt", KYRGYZ), write(folder, "kz.md", KAZAKH)], settings
    )
    kg, kz = (r.records for r in reports)

    rally = by_phrase(kg, "At-Bashi rallied")
    assert (rally["event_date"], rally["time_precision"]) == ("2020-06-06", "day")  # Saturday
    assert (rally["location"], rally["geo_precision"], rally["country"]) == (
        "At-Bashy",
        "city",
        "KGZ",
    )
    assert (rally["participants"], rally["arrests"]) == ("about 200", 15)
    mine = by_phrase(kg, "gold mine near Naryn")
    assert (mine["event_date"], mine["location"], mine["actors"]) == (
        "2019",
        "Naryn",
        ["Zhong Ji Mining"],
    )
    assert mine["category"] == "protest"
    kashgar = by_phrase(kg, "In Kashgar")
    assert (kashgar["location"], kashgar["country"], kashgar["category"]) == (
        "Kashgar",
        "CHN",
        "detention",
    )
    assert kashgar["event_date"] == "2018"

    strike = by_phrase(kz, "Janaozen")
    assert (strike["event_date"], strike["location"], strike["participants"]) == (
        "2019-12-16",
        "Zhanaozen",
        "hundreds",
    )
    picket = by_phrase(kz, "The following July")
    assert (picket["event_date"], picket["time_precision"], picket["location"]) == (
        "2020-07",
        "month",
        "Aktobe",
    )
    khorgos = by_phrase(kz, "Khorgos")
    assert (khorgos["country"], khorgos["location"], khorgos["event_date"]) == (
        "CHN",
        "Horgos",
        "2016-08",
    )
    for report, text in zip(reports, (KYRGYZ, KAZAKH), strict=True):
        for record in report.records:
            assert text[record["char_start"] : record["char_end"]] == record["excerpt"]


def test_two_events_in_one_sentence_and_the_country_of_the_title(settings, tmp_path) -> None:
    (report,) = pipeline.ingest_paths([write(tmp_path / "in", "vigil.txt", VIGIL)], settings)
    records = report.records
    assert by_phrase(records, "since February 8")["event_date"] == "2021-02-08"
    # No place in the sentence or before it in its paragraph: the title's country.
    detained = by_phrase(records, "On February 20")
    assert (detained["country"], detained["geo_precision"], detained["arrests"]) == (
        "KAZ",
        "country",
        3,
    )
    bishkek = by_phrase(records, "Kyrk Choro protested")
    at_bashy = by_phrase(records, "hundreds rallied in At-Bashy")
    assert bishkek["excerpt"] == (
        "In January 2019, about 50 members of Kyrk Choro protested outside the Chinese "
        "embassy in Bishkek"
    )
    assert at_bashy["excerpt"].startswith("on 17 February 2020 hundreds rallied")
    assert (bishkek["event_date"], bishkek["location"], bishkek["actors"]) == (
        "2019-01",
        "Bishkek",
        ["Kyrk Choro"],
    )
    assert (at_bashy["event_date"], at_bashy["location"], at_bashy["participants"]) == (
        "2020-02-17",
        "At-Bashy",
        "hundreds",
    )
    assert bishkek["candidate_id"] != at_bashy["candidate_id"]
    for record in records:
        assert VIGIL[record["char_start"] : record["char_end"]] == record["excerpt"]


def test_an_article_with_none_of_our_places_gets_a_notice(settings: Settings, tmp_path) -> None:
    (report,) = pipeline.ingest_paths([write(tmp_path / "in", "paris.txt", ELSEWHERE)], settings)
    assert not report.error and report.records == []
    assert "no place in Kazakhstan, Kyrgyzstan or Xinjiang" in report.notices[0]
    assert not settings.queue_path.exists()
    assert not settings.store_dir.exists()  # nothing to keep


def test_bad_inputs_stop_nothing_else(settings: Settings, tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    write(folder, "a-empty.txt", "")
    write(folder, "b-binary.html", bytes(range(256)) * 8)
    write(folder, "c-big.txt", b"x" * 5_000_000)
    write(folder, "d-latin1.txt", "Protest in Almaty, café, 2019.".encode("latin-1"))
    write(folder, "e-good.txt", KYRGYZ)
    write(folder, "f-paris.md", ELSEWHERE)
    write(folder, "notes.csv", "not an article")
    progress: list[tuple[int, int, str]] = []
    reports = pipeline.ingest_paths(
        [folder, tmp_path / "missing.txt"],
        settings,
        progress=lambda done, total, name: progress.append((done, total, name)),
    )
    errors = {r.name: r.error for r in reports if r.error}
    assert errors["a-empty.txt"] == "the file is empty"
    assert "binary" in errors["b-binary.html"]
    assert "5.0 MB" in errors["c-big.txt"] and "limit" in errors["c-big.txt"]
    assert "not UTF-8" in errors["d-latin1.txt"] and "0xe9" in errors["d-latin1.txt"]
    assert errors[str(tmp_path / "missing.txt")] == "not found"
    good = {r.name: r for r in reports if not r.error}
    assert set(good) == {"e-good.txt", "f-paris.md"}  # notes.csv is not an article
    assert good["e-good.txt"].new == 3 and good["f-paris.md"].records == []
    assert [(d, t) for d, t, _ in progress] == [(i, 7) for i in range(1, 8)]
    assert len(settings.queue.items()) == 3


def test_reingesting_changes_nothing(settings: Settings, corpus_dir: Path) -> None:
    (first,) = pipeline.ingest_paths([corpus_dir / SEED], settings)
    queue_before = settings.queue_path.read_bytes()
    stat = settings.queue_path.stat()
    (again,) = pipeline.ingest_paths([corpus_dir / SEED], settings)
    assert again.new == 0 and len(again.records) == len(first.records)
    assert {r["status"] for r in again.records} == {"pending"}
    assert settings.queue_path.read_bytes() == queue_before
    assert settings.queue_path.stat().st_mtime_ns == stat.st_mtime_ns
    assert sorted(p.name for p in settings.store_dir.iterdir()) == [SEED]


def test_an_edited_article_adds_only_what_is_new(settings: Settings, corpus_dir, tmp_path) -> None:
    (first,) = pipeline.ingest_paths([corpus_dir / SEED], settings)
    seed = (corpus_dir / SEED).read_text(encoding="utf-8")
    added = "On 5 May 2021, about 40 activists rallied in Zhanaozen.\n\n"
    edited = seed.replace("On March 27,", added + "On March 27,", 1)
    (second,) = pipeline.ingest_paths([write(tmp_path / "v2", SEED, edited)], settings)
    assert second.new_version and second.source_id.startswith(
        "cpc-2021-04-anti-china-protests-kazakhstan-"
    )
    new = [r for r in second.records if r["status"] == "new"]
    assert [r["excerpt"] for r in new] == [added.strip()]
    assert edited[new[0]["char_start"] : new[0]["char_end"]] == new[0]["excerpt"]
    assert len(settings.queue.items()) == len(first.records) + 1
    # Both versions are kept: the first text never changes under its excerpts.
    assert (settings.store_dir / SEED).read_text(encoding="utf-8") == seed
    assert (settings.store_dir / f"{second.source_id}.txt").read_text(encoding="utf-8") == edited


def accept_first(settings: Settings, phrase: str, edits: dict | None = None) -> review.Decision:
    item = by_phrase(settings.queue.items(), phrase)
    return review.accept(
        settings.queue, item["candidate_id"], settings.data_dir, settings.store_dir, edits
    )


def test_accepting_appends_rows_that_load(settings: Settings, tmp_path: Path) -> None:
    pipeline.ingest_paths([write(tmp_path / "in", "kg.txt", KYRGYZ)], settings)
    before = {n: (settings.data_dir / n).read_bytes() for n in DATA_FILES}
    decision = accept_first(settings, "At-Bashi rallied")
    assert decision.ok, decision.message
    for name in ("events.csv", "excerpts.csv", "sources.csv"):
        after = (settings.data_dir / name).read_bytes()
        assert after.startswith(before[name]) and len(after) > len(before[name])
    assert not list(settings.data_dir.glob(".*.tmp")), "no temporary file is left behind"

    data = load_bundle(settings.data_dir, settings.store_dir)
    assert not data.errors, data.errors
    event = data.events.set_index("event_id").loc[decision.event_id]
    assert (event["location"], event["iso"], event["event_date"]) == (
        "At-Bashy",
        "KGZ",
        "2020-06-06",
    )
    assert (event["participants"], event["arrests"], event["tags"]) == (
        "about 200",
        "15",
        "ingested",
    )
    excerpts = data.excerpts.set_index("excerpt_id").loc[event["excerpt_ids"].split(";")]
    assert list(excerpts["text"]) == [
        "On Saturday, about 200 residents of At-Bashi rallied against a Chinese logistics hub "
        "in the Naryn region.",
        "Police detained 15 people.",
    ]
    assert excerpts["offsets_checked"].all()  # checked against the stored article text
    source = data.sources.set_index("source_id").loc[event["source_id"]]
    # No title line: the file name stands in; the site header gives the publisher.
    assert (source["title"], source["publisher"], source["published"], source["file"]) == (
        "kg",
        "Example News",
        "2020-06-12",
        "kg.txt",
    )
    item = by_phrase(settings.queue.items(), "At-Bashi rallied")
    assert (item["status"], item["event_id"]) == ("accepted", decision.event_id)

    twice = review.accept(
        settings.queue, item["candidate_id"], settings.data_dir, settings.store_dir
    )
    assert not twice.ok and "already accepted" in twice.message


@pytest.mark.parametrize(
    ("edits", "words"),
    [
        ({"latitude": "999"}, "latitude"),
        ({"latitude": "48.8566", "longitude": "2.3522"}, "outside the atlas"),
        ({"category": "riot"}, "unknown value 'riot'"),
        ({"event_date": "2021-02-30", "time_precision": "day"}, "impossible date"),
        ({"event_date": "March 2020"}, "unparseable date"),
        ({"event_date": "9999-12-31", "time_precision": "day"}, "outside the plausible span"),
        ({"event_date": "0001-01-01", "time_precision": "day"}, "outside the plausible span"),
        ({"event_date": "0999-12", "time_precision": "month"}, "outside the plausible span"),
        ({"iso": "FRA"}, "unknown country code"),
        ({"confidence": "certain"}, "confidence"),
    ],
)
def test_a_bad_edit_is_refused_with_its_reason(settings, tmp_path, edits, words) -> None:
    pipeline.ingest_paths([write(tmp_path / "in", "kg.txt", KYRGYZ)], settings)
    before = {n: (settings.data_dir / n).read_bytes() for n in DATA_FILES}
    decision = accept_first(settings, "In Kashgar", edits)
    assert not decision.ok and words in decision.message, decision.message
    assert {n: (settings.data_dir / n).read_bytes() for n in DATA_FILES} == before
    assert by_phrase(settings.queue.items(), "In Kashgar")["status"] == "pending"


def test_a_good_edit_is_what_joins_the_data(settings: Settings, tmp_path: Path) -> None:
    pipeline.ingest_paths([write(tmp_path / "in", "kg.txt", KYRGYZ)], settings)
    edits = {
        "title": "Relatives detained in Kashgar",
        "event_date": "2018-05",
        "time_precision": "month",
    }
    decision = accept_first(settings, "In Kashgar", edits)
    assert decision.ok, decision.message
    data = load_bundle(settings.data_dir, settings.store_dir)
    event = data.events.set_index("event_id").loc[decision.event_id]
    assert (event["title"], event["event_date"], event["time_precision"]) == (
        "Relatives detained in Kashgar",
        "2018-05",
        "month",
    )


def test_saved_edits_are_validated_and_kept(settings: Settings, tmp_path: Path) -> None:
    pipeline.ingest_paths([write(tmp_path / "in", "kg.txt", KYRGYZ)], settings)
    cid = by_phrase(settings.queue.items(), "In Kashgar")["candidate_id"]
    refused = review.save_edits(settings.queue, cid, {"latitude": "north"})
    assert not refused.ok and "not a number" in refused.message
    assert review.save_edits(settings.queue, cid, {"participants": "a few dozen"}).ok
    assert settings.queue.get(cid)["edits"] == {"participants": "a few dozen"}


def test_the_seed_reuses_curated_excerpts_and_its_source(settings: Settings, corpus_dir) -> None:
    pipeline.ingest_paths([corpus_dir / SEED], settings)
    sources_before = (settings.data_dir / "sources.csv").read_bytes()
    excerpts_before = (settings.data_dir / "excerpts.csv").read_bytes()
    decision = accept_first(settings, "On March 27")
    assert decision.ok, decision.message
    assert (settings.data_dir / "sources.csv").read_bytes() == sources_before
    assert (settings.data_dir / "excerpts.csv").read_bytes() == excerpts_before
    data = load_bundle(settings.data_dir, corpus_dir)
    assert not data.errors
    event = data.events.set_index("event_id").loc[decision.event_id]
    assert event["excerpt_ids"] == "X001;X002;X003"
    assert event["source_id"] == "cpc-2021-04-anti-china-protests-kazakhstan"


def test_rejected_candidates_stay_rejected(settings: Settings, tmp_path: Path) -> None:
    path = write(tmp_path / "in", "kg.txt", KYRGYZ)
    pipeline.ingest_paths([path], settings)
    cid = by_phrase(settings.queue.items(), "Last year")["candidate_id"]
    assert review.reject(settings.queue, cid, "not about China").ok
    (again,) = pipeline.ingest_paths([path], settings)
    assert by_phrase(again.records, "Last year")["status"] == "rejected"
    assert settings.queue.counts() == {"pending": 2, "accepted": 0, "rejected": 1}


def test_a_missing_article_text_refuses_the_accept(settings: Settings, tmp_path: Path) -> None:
    pipeline.ingest_paths([write(tmp_path / "in", "kg.txt", KYRGYZ)], settings)
    for path in settings.store_dir.iterdir():
        path.unlink()
    decision = accept_first(settings, "In Kashgar")
    assert not decision.ok and "missing from the store" in decision.message


def test_pasted_text_and_uploaded_html(settings: Settings) -> None:
    pasted = pipeline.ingest_pasted(KYRGYZ, settings, title="Naryn news")
    assert pasted.name.startswith("naryn-news-") and pasted.new == 3
    page = (
        "<html><head><meta name='date' content='2020-06-12'></head><body><article>"
        "<p>On Saturday, 30 people rallied in&nbsp;Osh &amp; Uzgen.</p></article></body></html>"
    )
    uploaded = pipeline.ingest_bytes("osh.html", page.encode(), settings)
    (record,) = uploaded.records
    assert (record["location"], record["event_date"]) == ("Osh", "2020-06-06")
    stored = (settings.store_dir / "osh.txt").read_text(encoding="utf-8")
    assert stored[record["char_start"] : record["char_end"]] == record["excerpt"]
    assert page[record["raw_start"] : record["raw_end"]] == (
        "On Saturday, 30 people rallied in&nbsp;Osh &amp; Uzgen."
    )
    assert (settings.store_dir / "osh.html").read_text(encoding="utf-8") == page
    bad = pipeline.ingest_bytes("x.txt", b"\xff\xfe\x00b\x00a\x00d", settings)
    assert "binary" in bad.error or "UTF-8" in bad.error


def test_the_repository_data_is_never_touched(data_dir: Path) -> None:
    """Every test here works on copies; the repository's data has no queue or store."""
    assert not (data_dir / "review").exists()
    assert not (data_dir / "articles").exists()
    assert "ingested" not in (data_dir / "events.csv").read_text(encoding="utf-8")


def test_a_data_folder_that_cannot_be_written_refuses_the_accept(
    settings: Settings, tmp_path: Path
) -> None:
    """Root ignores read-only permissions, so the data folder's events.csv is replaced by a
    folder: writing it fails as on a read-only disk, and the accept says so."""
    pipeline.ingest_paths([write(tmp_path / "in", "kg.txt", KYRGYZ)], settings)
    before = {n: (settings.data_dir / n).read_bytes() for n in ("excerpts.csv", "sources.csv")}
    events = settings.data_dir / "events.csv"
    saved = events.read_bytes()
    events.unlink()
    events.mkdir()
    (events / "keep").write_text("x", encoding="utf-8")
    decision = accept_first(settings, "At-Bashi rallied")
    assert not decision.ok
    assert "cannot" in decision.message or "events.csv" in decision.message, decision.message
    for name, content in before.items():
        assert (settings.data_dir / name).read_bytes() == content, f"{name} changed"
    (events / "keep").unlink()
    events.rmdir()
    events.write_bytes(saved)


def test_a_page_whose_own_link_holds_markdown_is_accepted_without_it(
    settings: Settings,
) -> None:
    """The page's og:url would have drawn a tracking image and a fake link in its citation."""
    og_url = (
        "https://news.example/story)![pixel](https://tracker.example/og.png)"
        "[Log_in](https://evil.example/login)("
    )
    page = (
        f"<html><head><meta property='og:url' content='{og_url}'>"
        "<meta name='date' content='2020-06-12'></head><body><article>"
        "<p>On Saturday, 30 people rallied in Osh.</p></article></body></html>"
    )
    uploaded = pipeline.ingest_bytes("osh.html", page.encode(), settings)
    assert uploaded.records[0]["source_meta"]["url"] == ""
    decision = accept_first(settings, "rallied in Osh")
    assert decision.ok, decision.message
    data = load_bundle(settings.data_dir, settings.store_dir)
    event = data.events.set_index("event_id").loc[decision.event_id]
    source = data.sources.set_index("source_id").loc[event["source_id"]]
    assert source["url"] == ""
    cited = render.citation_markdown(render.citation(source))
    assert "tracker" not in cited and "evil" not in cited and "](" not in cited


def test_a_run_queues_its_articles_in_batches_with_the_same_outcome(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline, "BATCH", 2)
    folder = tmp_path / "many"
    for number in range(5):
        write(folder, f"kg-{number}.txt", KYRGYZ.replace("Example News", f"News {number}"))
    # The same name twice in one run: the second is an edited version of the first.
    write(tmp_path / "other", "kg-0.txt", KYRGYZ + "\nA closing line about the rally.\n")
    reports = pipeline.ingest_paths([folder, tmp_path / "other" / "kg-0.txt"], settings)
    assert [r.new for r in reports[:5]] == [3] * 5
    assert reports[5].new_version and reports[5].new == 0  # its sentences are known already
    assert len(settings.queue.items()) == 15
    edited = pipeline.sha256((tmp_path / "other" / "kg-0.txt").read_text())[:8]
    assert sorted(p.name for p in settings.store_dir.iterdir() if p.suffix == ".txt") == sorted(
        [*[f"kg-{n}.txt" for n in range(5)], f"kg-0-{edited}.txt"]
    )
    again = pipeline.ingest_paths([folder], settings)
    assert [r.new for r in again] == [0] * 5
    assert len(settings.queue.items()) == 15


def test_a_region_typed_by_another_name_joins_the_data_under_its_shown_name(
    settings: Settings, tmp_path: Path
) -> None:
    pipeline.ingest_paths([write(tmp_path / "in", "kg.txt", KYRGYZ)], settings)
    decision = accept_first(settings, "At-Bashi rallied", {"admin1": "Нарынская область"})
    assert decision.ok, decision.message
    event = load_bundle(settings.data_dir, settings.store_dir).events.set_index("event_id")
    assert event.loc[decision.event_id, "admin1"] == "Naryn Region"
