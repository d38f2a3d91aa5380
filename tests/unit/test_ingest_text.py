"""geo.ingest layout, sentences, dates and counts: page furniture set aside, sentence spans
that survive odd whitespace, dates with their precision, head counts in words or digits."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from geo.ingest import lexicon as lx
from geo.ingest.counts import read_counts, words_to_number
from geo.ingest.datelines import parse_date_line
from geo.ingest.dates import DateReader
from geo.ingest.layout import layout, sentences
from geo.model import TimePrecision

SEED_NAME = "cpc-2021-04-anti-china-protests-kazakhstan.txt"


@pytest.fixture(scope="module")
def lexicon() -> lx.Lexicon:
    return lx.load()


@pytest.fixture(scope="module")
def seed(corpus_dir: Path) -> str:
    return (corpus_dir / SEED_NAME).read_text(encoding="utf-8")


# ---- layout ----


def test_seed_furniture_is_set_aside_and_read_as_metadata(seed: str, lexicon) -> None:
    found = layout(seed, lexicon)
    aside = {seed[s:e]: why for s, e, why in found.furniture}
    assert aside["CPC - Caspian Policy Center"] == "page header"
    assert aside["Author:Dante Schulz"] == "byline or share link"
    assert aside["Apr 8, 2021"] == "date line"
    assert aside["Related Articles"] == "after the article"
    assert aside["Washington Welcomes a New Afghan Ambassador"] == "after the article"
    assert found.title == "Anti-China Protests Held in Several Kazakhstani Cities"
    assert (found.author, found.publisher) == ("Dante Schulz", "Caspian Policy Center")
    assert found.published == date(2021, 4, 8)
    assert len(found.paragraphs) == 7
    first = seed[found.paragraphs[0][0] : found.paragraphs[0][1]]
    assert first.startswith("On March 27") and first.endswith("Xinjiang policy.")
    body = " ".join(seed[s:e] for s, e in found.paragraphs)
    assert "Related Articles" not in body and "Dante Schulz" not in body


def test_share_links_and_bylines_inside_a_text_dump(lexicon) -> None:
    text = (
        "Example Times | News\n\nBy Jane Roe\n\nPosted on 12 May 2019\n\n"
        "Hundreds rallied in Osh on Saturday against a Chinese mining project.\n"
        "Share on Facebook\nTweet\n\n"
        "Police detained twenty people.\n\nRead more\n\nProtests in Naryn, 2020.\n"
    )
    found = layout(text, lexicon)
    body = [text[s:e] for s, e in found.paragraphs]
    assert body == [
        "Hundreds rallied in Osh on Saturday against a Chinese mining project.",
        "Police detained twenty people.",
    ]
    assert found.author == "Jane Roe" and found.publisher == "Example Times"
    assert found.published == date(2019, 5, 12)
    reasons = {text[s:e]: why for s, e, why in found.furniture}
    assert reasons["Share on Facebook"] == reasons["Tweet"] == "byline or share link"
    assert reasons["Protests in Naryn, 2020."] == "after the article"


def test_markdown_front_matter_and_headings(lexicon) -> None:
    text = "---\ntitle: Picket in Almaty\ndate: 2022-01-05\n---\n# Picket\n\nA picket was held.\n"
    found = layout(text, lexicon, "markdown")
    assert found.title == "Picket in Almaty" and found.published == date(2022, 1, 5)
    assert [text[s:e] for s, e in found.paragraphs] == ["A picket was held."]


# ---- sentences ----


def test_sentences_survive_no_break_and_odd_spaces() -> None:
    text = (
        "\xa0 \xa0 \u200bThe law passed.\xa0 \xa0Mr. Abenov spoke in the U.S. capital. "
        "It rained\u2009today! “Quoted,” he said. J. Smith left."
    )
    spans = sentences(text, 0, len(text))
    assert [text[s:e] for s, e in spans] == [
        "The law passed.",
        "Mr. Abenov spoke in the U.S. capital.",
        "It rained\u2009today!",
        "“Quoted,” he said.",
        "J. Smith left.",
    ]


def test_seed_sentences_map_back_verbatim(seed: str, lexicon) -> None:
    found = layout(seed, lexicon)
    spans = [s for p in found.paragraphs for s in sentences(seed, *p)]
    texts = [seed[s:e] for s, e in spans]
    assert "Twenty-two people were arrested." in texts
    assert len(spans) == 36
    assert all(t == t.strip("\xa0 \n") and t[-1] in ".!?" for t in texts)


# ---- dates ----


PUBLISHED = date(2021, 4, 8)


@pytest.mark.parametrize(
    ("phrase", "value", "precision"),
    [
        ("On March 27, hundreds gathered", "2021-03-27", "day"),
        ("In February 2020, hundreds", "2020-02", "month"),
        ("protests since early February outside", "2021-02", "month"),
        ("legislation in 2018 that", "2018", "year"),
        ("profile had increased in August 2018, when", "2018-08", "month"),
        ("leave the country in January 2019 as", "2019-01", "month"),
        ("In 2013, after all", "2013", "year"),
        ("it happened last year", "2020", "year"),
        ("earlier this month", "2021-04", "month"),
        ("two years ago", "2019", "year"),
        ("on Saturday police", "2021-04-03", "day"),
        ("yesterday", "2021-04-07", "day"),
        ("on 27 March 2021", "2021-03-27", "day"),
        ("March 27, 2021", "2021-03-27", "day"),
        ("Sept. 3, 2019", "2019-09-03", "day"),
        ("the 2016 land protests", "2016", "year"),
        ("by mid-2019", "2019", "year"),
        ("published 2019-05-01 in", "2019-05-01", "day"),
        ("on May 5", "2020-05-05", "day"),  # after publication in 2021: the year before
        ("in late December", "2020-12", "month"),
    ],
)
def test_dates_relative_to_publication(phrase: str, value: str, precision: str) -> None:
    found = DateReader(PUBLISHED).read(phrase)
    assert [(d.value, d.precision.value) for d in found] == [(value, precision)]
    assert phrase[found[0].start : found[0].end] == found[0].text


def test_dates_relative_to_the_previous_date() -> None:
    reader = DateReader(PUBLISHED)
    law = "The law passed in November 2015 and came into effect the following July."
    assert [d.value for d in reader.read(law)] == ["2015-11", "2016-07"]
    assert [d.basis for d in reader.read("In 2018, about 150 gathered.")] == ["stated"]
    that_year = reader.read("About 32,215 Chinese citizens entered Kyrgyzstan that year.")
    assert [(d.value, d.basis) for d in that_year] == [("2018", "previous date")]
    assert [d.value for d in reader.read("Three years later it closed.")] == ["2021"]
    assert [d.value for d in reader.read("The next year it reopened.")] == ["2022"]


@pytest.mark.parametrize(
    "phrase",
    [
        "about 2000 people gathered",
        "a $280 million logistics center",
        "more than 2,000 ethnic Kazakhs",
        "The May rally",  # a month name alone, without a day or a preposition
        "They may march",
        "in the 1990s",
    ],
)
def test_things_that_are_not_dates(phrase: str) -> None:
    assert DateReader(PUBLISHED).read(phrase) == []


def test_without_a_publication_date_relative_dates_stay_unresolved() -> None:
    found = DateReader(None).read("On March 27, hundreds gathered; last year too.")
    assert [d.text for d in found] == ["March 27", "last year"]
    assert all(not d.resolved and d.precision is TimePrecision.UNKNOWN for d in found)
    assert "publication date" in found[0].basis


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Apr 8, 2021", date(2021, 4, 8)),
        ("Published: 8 April 2021", date(2021, 4, 8)),
        ("2021-04-08T10:00:00Z", date(2021, 4, 8)),
        ("Thursday, April 8, 2021", date(2021, 4, 8)),
        ("Author:Dante Schulz", None),
        ("On March 27, hundreds of protesters gathered", None),
    ],
)
def test_date_lines(line: str, expected: date | None) -> None:
    parsed = parse_date_line(line)
    assert (parsed[0] if parsed else None) == expected


# ---- counts ----


@pytest.mark.parametrize(
    ("sentence", "participants", "arrests"),
    [
        ("Twenty-two people were arrested.", "", 22),
        ("On March 27, hundreds of protesters gathered in cities.", "hundreds", None),
        ("In 2018, about 150 Kyrgyz citizens convened in Bishkek.", "about 150", None),
        (
            "China let more than\xa02,000 ethnic Kazakhs renounce citizenship.",
            "more than 2,000",
            None,
        ),
        ("Dozens of Kazakhstanis have been staging protests.", "dozens", None),
        ("Police detained 45 protesters in Aktau.", "", 45),
        ("Police detained about 30 activists.", "", "about 30"),
        ("At least 1,000 residents rallied and 12 were detained.", "at least 1,000", 12),
        ("Some two hundred demonstrators marched.", "some 200", None),
        ("Tens of thousands of people marched.", "tens of thousands", None),
        ("They signed a $280 million logistics center deal.", "", None),
        ("Someone said one of them left.", "", None),
        ("On 17 February 2020 hundreds rallied in At-Bashy.", "hundreds", None),
        ("Twenty-two people were arrested after 300 gathered.", "300", 22),
    ],
)
def test_counts_in_words_or_digits(lexicon, sentence: str, participants: str, arrests) -> None:
    masked = [(3, 7)] if sentence.startswith("In 2018") else []
    found = read_counts(sentence, 0, len(sentence), lexicon.crowd_nouns, masked)
    assert (found.participants, found.arrests) == (participants, arrests)


@pytest.mark.parametrize(
    ("words", "value"),
    [("Twenty-two", 22), ("two hundred", 200), ("one thousand five hundred", 1500), ("x", None)],
)
def test_words_to_number(words: str, value: int | None) -> None:
    assert words_to_number(words) == value


def test_lexicon_rows_are_sound(data_dir: Path) -> None:
    lexicon = lx.build(data_dir / "lexicon.csv")
    assert lexicon.counts["trigger"] > 30 and lexicon.counts["actor"] > 20
    text = "The DVK and the Democratic Party of Kazakhstan marched; dvk is lower case."
    from geo.gazetteer import tokenize

    hits = lexicon.find(text, tokenize(text))
    actors = [h.term.value for h in hits if h.term.kind == "actor"]
    assert actors == [
        "Democratic Choice of Kazakhstan (DVK)",
        "Democratic Party of Kazakhstan (DPK)",
    ]
    assert [h.term.value for h in hits if h.term.kind == "trigger"] == ["protest"]  # "marched"


def test_a_bad_lexicon_row_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "lexicon.csv"
    path.write_text("kind,term,value,weight,case,note\ntrigger,riot,riots,2,,\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"lexicon\.csv:2"):
        lx.build(path)
