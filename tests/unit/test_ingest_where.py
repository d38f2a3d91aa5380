"""Where an English event happened: not where the government that decided it sits, and
"the same embassy" is the embassy named before."""

from __future__ import annotations

from geo.ingest.extract import ArticleInfo, extract
from geo.ingest.pipeline import tools
from geo.ingest.reader import read_bytes
from geo.settings import default_data_dir


def candidates(text: str) -> list:
    gazetteer, lexicon = tools(default_data_dir())
    article = read_bytes(text.encode(), "a.txt")
    return extract(article, ArticleInfo("a.txt", "t"), gazetteer, lexicon).candidates


def test_the_place_is_where_it_happened_not_where_the_government_sits() -> None:
    (found,) = candidates(
        "Kyrgyz projects\n\nIn February 2020 the government in Bishkek cancelled a logistics "
        "hub in At-Bashy after months of local protests."
    )
    assert (found.location, found.admin1, found.event_date) == (
        "At-Bashy",
        "Naryn Region",
        "2020-02",
    )


def test_the_same_embassy_is_the_embassy_named_before() -> None:
    found = candidates(
        "Embassy incidents\n\nOn 20 December 2018 about 150 activists protested outside the "
        "Chinese embassy in Bishkek.\n\nOn 30 August 2016 a car bomb exploded at the same "
        "embassy, injuring three local staff, in what Kyrgyzstan called a terrorist attack."
    )
    assert [(c.event_date, c.location, c.geo_precision) for c in found] == [
        ("2018-12-20", "Bishkek", "city"),
        ("2016-08-30", "Bishkek", "city"),
    ]
