"""geo.gazetteer: the GeoNames subset plus the project's alias table, ranked; names found in
running text; the known defects of the GeoNames subset settled."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from geo import gazetteer as gz
from geo.model import AREAS, GeoPrecision
from geo.validate import in_bbox


@pytest.fixture(scope="module")
def gazetteer() -> gz.Gazetteer:
    return gz.load()


def best(gazetteer: gz.Gazetteer, name: str, **context: int) -> gz.Place:
    found = gazetteer.lookup(name, Counter(context) if context else None)
    assert found, f"{name!r} found nothing"
    return found[0]


@pytest.mark.parametrize(
    ("name", "canonical", "iso", "geonameid"),
    [
        ("Astana", "Astana", "KAZ", "1526273"),
        ("Nur-Sultan", "Astana", "KAZ", "1526273"),
        ("Nur Sultan", "Astana", "KAZ", "1526273"),
        ("Akmola", "Astana", "KAZ", "1526273"),
        ("Aqmola", "Astana", "KAZ", "1526273"),
        ("Almaty", "Almaty", "KAZ", "1526384"),
        ("Alma-Ata", "Almaty", "KAZ", "1526384"),
        ("Ürümqi", "Ürümqi", "CHN", "1529102"),
        ("Urumqi", "Ürümqi", "CHN", "1529102"),
        ("URUMQI", "Ürümqi", "CHN", "1529102"),
        ("Wulumuqi", "Ürümqi", "CHN", "1529102"),
        ("Kashgar", "Kashgar", "CHN", "1280849"),
        ("Kashi", "Kashgar", "CHN", "1280849"),
        ("Khorgos", "Khorgos", "KAZ", "1522684"),
        ("Khorgas", "Horgos", "CHN", "1529377"),
        ("Horgos", "Horgos", "CHN", "1529377"),
        ("Bishkek", "Bishkek", "KGZ", "1528675"),
        ("Osh", "Osh", "KGZ", "1527534"),
        ("Naryn", "Naryn", "KGZ", "1527592"),
        ("At-Bashy", "At-Bashy", "KGZ", "1528796"),
        ("At-Bashi", "At-Bashy", "KGZ", "1528796"),
        ("Zhanaozen", "Zhanaozen", "KAZ", "607610"),
        ("Janaozen", "Zhanaozen", "KAZ", "607610"),
        ("Zharkent", "Zharkent", "KAZ", "1520253"),
        ("Shymkent", "Shymkent", "KAZ", "1518980"),
        ("Aktobe", "Aktobe", "KAZ", "610611"),
        ("Aqtobe", "Aktobe", "KAZ", "610611"),
        ("Oral", "Oral", "KAZ", "608668"),
        ("Uralsk", "Oral", "KAZ", "608668"),
        ("Semey", "Semey", "KAZ", "1519422"),
        ("Aktau", "Aktau", "KAZ", "610612"),
        ("Atyrau", "Atyrau", "KAZ", "610529"),
        ("Karaganda", "Karaganda", "KAZ", "609655"),
        ("Talas", "Talas", "KGZ", "1527299"),
    ],
)
def test_aliases_name_the_right_place(gazetteer, name, canonical, iso, geonameid) -> None:
    place = best(gazetteer, name)
    assert (place.name, place.iso, place.geonameid) == (canonical, iso, geonameid)
    assert place.precision is GeoPrecision.CITY
    assert place.source, "every coordinate says where it comes from"


def test_nazarbayev_university_is_an_exact_point(gazetteer) -> None:
    place = best(gazetteer, "Nazarbayev University")
    assert place.precision is GeoPrecision.EXACT
    assert (place.latitude, place.longitude) == (51.0906, 71.398)
    assert place.iso == "KAZ" and "PL008" in place.source


@pytest.mark.parametrize(
    ("name", "canonical", "iso", "precision"),
    [
        ("Xinjiang", "Xinjiang", "CHN", GeoPrecision.REGION),
        ("Xinjiang Autonomous Region", "Xinjiang", "CHN", GeoPrecision.REGION),
        ("Xinjiang Uyghur Autonomous Region", "Xinjiang", "CHN", GeoPrecision.REGION),
        ("Naryn region", "Naryn Region", "KGZ", GeoPrecision.REGION),
        ("Naryn Oblast", "Naryn Region", "KGZ", GeoPrecision.REGION),
        ("Almaty Region", "Almaty Region", "KAZ", GeoPrecision.REGION),
        ("Kazakhstan", "Kazakhstan", "KAZ", GeoPrecision.COUNTRY),
        ("Kyrgyzstan", "Kyrgyzstan", "KGZ", GeoPrecision.COUNTRY),
        ("Kazakhstani", "Kazakhstan", "KAZ", GeoPrecision.COUNTRY),
        ("Kyrgyz", "Kyrgyzstan", "KGZ", GeoPrecision.COUNTRY),
    ],
)
def test_regions_and_countries_fall_back_with_their_precision(
    gazetteer, name, canonical, iso, precision
) -> None:
    place = best(gazetteer, name)
    assert (place.name, place.iso, place.precision) == (canonical, iso, precision)


def test_known_defect_xinjiang_village_in_inner_mongolia_is_never_used(gazetteer) -> None:
    places = gazetteer.lookup("Xinjiang")
    assert all(p.geonameid != "8544438" for p in places)
    assert all(in_bbox(p.latitude, p.longitude, AREAS[p.iso].bbox) for p in places)


@pytest.mark.parametrize(
    ("name", "also"),
    [("Kashgar", "Shule"), ("Kashi", "Kax"), ("Naryn", "Tash-Kumyr")],
)
def test_known_defect_ambiguous_names_keep_the_other_reading_second(gazetteer, name, also):
    names = [p.name for p in gazetteer.lookup(name)]
    assert also in names[1:], names


def test_context_country_settles_a_name_shared_across_the_border(gazetteer) -> None:
    assert best(gazetteer, "Khorgos").iso == "KAZ"
    assert best(gazetteer, "Khorgos", CHN=5).iso == "CHN"
    assert best(gazetteer, "Horgos", KAZ=5).iso == "KAZ"


def test_population_ranks_geonames_readings_without_an_alias(gazetteer) -> None:
    places = gazetteer.lookup("Aksu")
    populations = [p.population for p in places]
    assert populations == sorted(populations, reverse=True)
    assert best(gazetteer, "Aksu", KAZ=3).iso == "KAZ"


@pytest.mark.parametrize("word", ["Bay", "Timer", "Lenin", "Nur", "Manas"])
def test_blocked_english_words_and_names_are_not_places(gazetteer, word) -> None:
    assert gazetteer.lookup(word) == []


def test_mentions_in_text_longest_first_capitalised_only(gazetteer) -> None:
    text = (
        "Rallies in Nur\u2011Sultan and the Naryn region, then at Nazarbayev\xa0University; "
        "a bay in almaty is not a place, nor is timer."
    )
    found = gazetteer.mentions(text, gz.tokenize(text))
    assert [(m.surface, m.best.name) for m in found] == [
        ("Nur\u2011Sultan", "Astana"),
        ("Naryn region", "Naryn Region"),
        ("Nazarbayev\xa0University", "Nazarbayev University, Astana"),
    ]
    for m in found:
        assert text[m.start : m.end] == m.surface


def test_punctuation_breaks_a_name(gazetteer) -> None:
    text = "He left Naryn. Region officials said nothing."
    found = gazetteer.mentions(text, gz.tokenize(text))
    assert [m.best.name for m in found] == ["Naryn"]


def test_best_mention_prefers_the_most_precise(gazetteer) -> None:
    text = "In Kazakhstan, at Nazarbayev University in Astana"
    found = gazetteer.mentions(text, gz.tokenize(text))
    assert gz.best_mention(found).best.precision is GeoPrecision.EXACT
    assert gz.best_mention(found[::2]).best.name == "Astana"


def test_alias_table_rows_are_sound(data_dir: Path) -> None:
    """Every alias points at a GeoNames row of the subset or gives its own coordinates,
    inside its area's box, with a known kind and a country the atlas covers."""
    with (data_dir / "geo" / "gazetteer.csv").open(encoding="utf-8") as handle:
        geonames = {r["geonameid"]: r for r in csv.DictReader(handle)}
    with (data_dir / "aliases.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) > 100
    for row in rows:
        if row["kind"] == "block":
            assert row["alias"] or row["geonameid"] in geonames
            continue
        assert row["kind"] in gz.KIND_PRECISION, row
        assert row["iso"] in AREAS, row
        if row["latitude"]:
            lat, lon = float(row["latitude"]), float(row["longitude"])
            assert row["source"], f"own coordinates need a source: {row}"
        else:
            assert row["geonameid"] in geonames, row
            lat = float(geonames[row["geonameid"]]["latitude"])
            lon = float(geonames[row["geonameid"]]["longitude"])
        assert in_bbox(lat, lon, AREAS[row["iso"]].bbox), row


def test_a_bad_alias_row_names_itself(tmp_path: Path, data_dir: Path) -> None:
    aliases = tmp_path / "aliases.csv"
    aliases.write_text(
        "alias,kind,name,iso,geonameid,latitude,longitude,admin1,rank,source,note\n"
        "Nowhere,city,Nowhere,KAZ,999999999,,,,0,,\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="Nowhere"):
        gz.build(data_dir / "geo" / "gazetteer.csv", aliases)
