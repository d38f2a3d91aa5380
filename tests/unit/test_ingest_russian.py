"""Russian-language ingestion: dates, declined place names, head counts, languages, and the
two Russian test articles of the shared corpus end to end."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

from geo.figures import parse_figures
from geo.ingest import pipeline
from geo.ingest import russian as ru
from geo.ingest.extract import ArticleInfo, extract
from geo.ingest.language import detect
from geo.ingest.layout import sentences
from geo.ingest.pipeline import Settings, tools
from geo.ingest.reader import read_bytes
from geo.settings import default_data_dir
from tests.conftest import SHARED_DIR

GAZETTEER, LEXICON = tools(default_data_dir())


def dates_of(*sentences: str, published: date | None = date(2020, 3, 3)) -> list[list[str]]:
    reader = ru.DateReader(published)
    return [[d.value or f"? {d.basis}" for d in reader.read(s)] for s in sentences]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Митинг прошёл 27 марта 2021 года в центре города.", "2021-03-27"),
        ("Митинг прошёл 27 марта 2021 г. в центре города.", "2021-03-27"),
        ("Акция состоялась 05.11.2019 у здания акимата.", "2019-11-05"),
        ("В июне 2019 года начались работы.", "2019-06"),
        ("В конце февраля 2020 года прошёл сход.", "2020-02"),
        ("Летом 2018 года прошли задержания.", "2018"),
        ("Стройка началась в 2017 году.", "2017"),
        ("Пикет прошёл 14 февраля.", "2020-02-14"),  # the latest 14 February not after 3 March
        ("Пикет прошёл 14 апреля.", "2019-04-14"),
        ("В конце февраля власти отказались от проекта.", "2020-02"),
        ("В декабре жители вышли на улицы.", "2019-12"),
        ("В прошлом году жители протестовали.", "2019"),
        ("Два года назад жители протестовали.", "2018"),
        ("Вчера задержали активиста.", "2020-03-02"),
        ("В понедельник жители вышли на пикет.", "2020-03-02"),  # 3 March 2020 is a Tuesday
    ],
)
def test_russian_dates_stated_and_relative_to_publication(sentence: str, expected: str) -> None:
    (found,) = dates_of(sentence)
    assert found[:1] == [expected], found


def test_russian_dates_relative_to_the_previous_date() -> None:
    found = dates_of(
        "Первый пикет прошёл 10 мая 2019 года.",
        "Через три дня жители вышли снова.",
        "Спустя две недели прошёл сход.",
        "В тот же день задержали двоих.",
        "На следующий день их отпустили.",
        "Двумя годами ранее здесь уже протестовали.",
        "В ноябре того же года суд вынес приговор.",
    )
    assert found == [
        ["2019-05-10"],
        ["2019-05-13"],
        ["2019-05-27"],
        ["2019-05-27"],
        ["2019-05-28"],
        ["2017-05-28"],
        ["2017-11"],
    ]


def test_a_relative_date_with_nothing_to_count_from_is_left_unresolved() -> None:
    assert dates_of("Через три дня жители вышли снова.") == [["? no earlier date to count from"]]
    assert dates_of("В прошлом году жители протестовали.", published=None) == [
        ["? relative to a publication date that is not known"]
    ]


def places_in(sentence: str) -> list[str]:
    tokens = ru.lemma_tokens(sentence)
    return [m.best.name for m in ru.mentions(GAZETTEER, sentence, tokens)]


@pytest.mark.parametrize(
    ("forms", "place"),
    [
        (("Ош", "Оша", "Ошу", "Ошем", "Оше"), "Osh"),
        (("Кашгар", "Кашгара", "Кашгару", "Кашгаром", "Кашгаре"), "Kashgar"),
        (("Бишкек", "Бишкека", "Бишкеку", "Бишкеком", "Бишкеке"), "Bishkek"),
        (("Астана", "Астаны", "Астане", "Астану", "Астаной"), "Astana"),
        (("Кызылорда", "Кызылорды", "Кызылорде", "Кызылорду", "Кызылордой"), "Kyzylorda"),
        (("Семей", "Семея", "Семею", "Семеем"), "Semey"),
        (("Жанаозен", "Жанаозена", "Жанаозену", "Жанаозеном", "Жанаозене"), "Zhanaozen"),
    ],
)
def test_a_town_is_found_in_every_case(forms: tuple[str, ...], place: str) -> None:
    for form in forms:
        assert places_in(f"Жители вышли на митинг, и {form} запомнил этот день.") == [place], form


@pytest.mark.parametrize(
    ("phrase", "place"),
    [
        ("Нарынская область", "Naryn Region"),
        ("Нарынской области", "Naryn Region"),
        ("Нарынскую область", "Naryn Region"),
        ("Нарынской областью", "Naryn Region"),
        ("Атырауской области", "Atyrau Region"),
        ("Кызылординской области", "Kyzylorda Region"),
        ("Акмолинской области", "Akmola Region"),  # named after no town
        ("Восточно-Казахстанской области", "East Kazakhstan Region"),
        ("Иссык-Кульскую область", "Issyk-Kul Region"),
        ("Ат-Башинском районе", "At-Bashy District"),
        ("Ат-Башинский район", "At-Bashy District"),
    ],
)
def test_regions_and_districts_are_named_by_their_adjective(phrase: str, place: str) -> None:
    assert places_in(f"Протест прошёл, и {phrase} стала известна.") == [place]


def test_squares_streets_and_people_are_not_towns() -> None:
    assert places_in("Митинг прошёл в Атырау на площади Исатая и Махамбета.") == ["Atyrau"]
    assert places_in("Суд приговорил Талгата Аяна к пяти годам.") == []


@pytest.mark.parametrize(
    ("sentence", "participants", "arrests"),
    [
        ("Около 300 человек вышли на митинг.", "about 300", None),
        ("Собрались не менее тысячи человек.", "at least 1000", None),
        ("На площадь пришли более 300 активистов.", "more than 300", None),
        ("Собрались от 700 до двух тысяч жителей.", "700–2000", None),
        ("Несколько сотен человек вышли на улицы.", "several hundred", None),
        ("Полиция разогнала несколько десятков человек.", "several dozen", None),
        ("Сотни жителей вышли на улицы.", "hundreds", None),
        ("Тысячи человек вышли на улицы.", "thousands", None),
        ("Около тысячи человек вышли на улицы.", "about 1000", None),
        ("Около 1 500 человек собрались у акимата.", "about 1500", None),
        ("Полиция задержала 45 человек.", "", 45),
        ("Полиция задержала свыше 200 человек.", "", "more than 200"),
        ("Полиция задержала пятерых участников.", "", 5),
        ("Около 40 человек требовали освободить задержанных в Синьцзяне.", "about 40", None),
        ("Более 300 человек были задержаны.", "", "more than 300"),
        ("Около 20 человек были госпитализированы.", "", None),
        ("Стоимость проекта составила 275 миллионов долларов.", "", None),
    ],
)
def test_russian_head_counts_keep_number_and_qualifier(
    sentence: str, participants: str, arrests: int | str | None
) -> None:
    counts = ru.read_counts(sentence, 0, len(sentence), LEXICON.crowd_nouns)
    assert (counts.participants, counts.arrests) == (participants, arrests)
    for figure in (counts.participants, counts.arrests):
        if figure:  # written so that the charts read a range from it
            assert all(f.numeric for f in parse_figures(str(figure))), figure


def extract_text(text: str, name: str = "a.txt"):
    article = read_bytes(text.encode(), name)
    return extract(article, ArticleInfo(name, "t"), GAZETTEER, LEXICON)


def test_languages_the_pipeline_does_not_read_are_refused_with_their_language(
    tmp_path: Path,
) -> None:
    articles = {
        "zh.txt": "乌鲁木齐\n\n2021年3月27日，数百人在阿拉木图的中国领事馆外举行抗议活动，"
        "要求释放被关押在新疆的亲属。警方拘留了二十二人。",
        "kk.txt": "Almatyda narazylyq\n\n2021 jyly 27 nauryzda Almatydağy Qytai konsuldyğynyñ "
        "aldynda jüzdegen adam narazylyq akssiasyn ötkızdı. Olar Şynjañdağy "
        "tuystaryn bosatudy talap ettı. Polisiä jiyrma ekı adamdy ūstady.",
        "ug.txt": "ئۈرۈمچى\n\nئالمۇتادىكى خىتاي كونسۇلخانىسىنىڭ ئالدىدا يۈزلىگەن كىشى "
        "نامايىش قىلدى. ئۇلار شىنجاڭدىكى تۇغقانلىرىنى قويۇپ بېرىشنى تەلەپ قىلدى.",
        "ru.txt": "Пикет в Алматы\n\n27 марта 2021 года около 300 человек провели пикет "
        "у консульства КНР в Алматы.",
    }
    folder = tmp_path / "in"
    folder.mkdir()
    for name, text in articles.items():
        (folder / name).write_text(text, encoding="utf-8")
    settings = Settings.for_data(default_data_dir(), store=tmp_path / "s", queue=tmp_path / "q")
    reports = {r.name: r for r in pipeline.ingest_paths([folder], settings)}
    assert reports["zh.txt"].language == "zh"
    assert "Chinese" in reports["zh.txt"].error
    assert reports["kk.txt"].language == "kk-Latn"
    assert "Kazakh (Latin script)" in reports["kk.txt"].error
    assert reports["ug.txt"].language == "ug"
    assert "Uyghur" in reports["ug.txt"].error
    # The refusals stop nothing else: the Russian article is read and queued.
    russian = reports["ru.txt"]
    assert not russian.error and russian.language == "ru"
    (record,) = russian.records
    assert (record["location"], record["event_date"], record["participants"]) == (
        "Almaty",
        "2021-03-27",
        "about 300",
    )
    assert record["status"] == "new"


def test_a_mixed_article_is_read_in_its_main_language_and_says_so() -> None:
    text = (
        "Протесты в Жанаозене\n\n"
        "16 декабря 2011 года в Жанаозене полиция открыла огонь по бастующим нефтяникам; "
        "погибли не менее 14 человек, а более ста человек были ранены.\n\n"
        "На следующий день беспорядки продолжились в посёлке Шетпе, где погиб ещё один "
        "человек. Власти ввели в городе чрезвычайное положение до конца января.\n\n"
        "The government later said that order had been restored in the town, and the "
        "trials of the oil workers began in the spring of the following year."
    )
    result = extract_text(text)
    assert result.language.code == "ru" and result.language.mixed
    assert "en" in result.language.others
    assert any("mixed languages: read as Russian" in n for n in result.notices)
    assert result.candidates[0].location == "Zhanaozen"


def test_russian_sentences_end_after_a_year_but_not_before_a_town() -> None:
    text = "Митинг прошёл в марте 2016 г. Позже в г. Ош собрались 50 человек."
    assert [text[s:e] for s, e in sentences(text, 0, len(text))] == [
        "Митинг прошёл в марте 2016 г.",
        "Позже в г. Ош собрались 50 человек.",
    ]


def test_detection_of_english_and_russian() -> None:
    assert (
        detect("The protest took place in Almaty on the square, and police watched.").code == "en"
    )
    assert detect("Митинг прошёл в Алматы на площади, и полиция наблюдала за ним.").code == "ru"
    kazakh = (
        "Алматыда Қытай консулдығының алдында жүздеген адам наразылық акциясын өткізді. "
        "Олар Шыңжаңдағы туыстарын босатуды талап етті."
    )
    assert detect(kazakh).code == "kk" and not detect(kazakh).read


# ---- the two Russian test articles, end to end ----

CORPUS_RU = "corpus-ru"


def _number(figure: object) -> int | None:
    found = re.search(r"\d+", str(figure).replace(",", "")) if figure is not None else None
    return int(found.group()) if found else None


def _matches(expected: dict, record: dict) -> bool:
    where = f"{record['location']} {record['admin1']}".casefold()
    if record["country"] not in expected["country"]:
        return False
    if not any(name.casefold() in where for name in expected["place"]):
        return False
    parts = record["event_date"].split("-") if record["event_date"] else []
    for index, key in enumerate(("year", "month", "day")):
        if key in expected and (len(parts) <= index or int(parts[index]) != expected[key]):
            return False
    if "category" in expected and record["category"] != expected["category"]:
        return False
    for key in ("participants", "arrests"):
        if key in expected and _number(record[key]) != expected[key]:
            return False
    return True


@pytest.fixture(scope="module")
def corpus_ru() -> Path:
    folder = SHARED_DIR / CORPUS_RU
    if not folder.is_dir():
        pytest.fail(f"the Russian test articles are missing: {folder}", pytrace=False)
    return folder


@pytest.mark.parametrize("stem", ["ru-2016-land-protests", "ru-2020-kyrgyz-china-disputes"])
def test_russian_test_articles_end_to_end(corpus_ru: Path, tmp_path: Path, stem: str) -> None:
    folder = corpus_ru
    path = folder / f"{stem}.txt"
    expected = json.loads((folder / f"{stem}.expected.json").read_text(encoding="utf-8"))
    settings = Settings.for_data(default_data_dir(), store=tmp_path / "s", queue=tmp_path / "q")
    (report,) = pipeline.ingest_paths([path], settings)
    assert not report.error and report.language == "ru"
    text = path.read_text(encoding="utf-8")
    for record in report.records:
        assert text[record["char_start"] : record["char_end"]] == record["excerpt"]
        assert record["language"] == "ru"
    missing = [e["id"] for e in expected if not any(_matches(e, r) for r in report.records)]
    assert not missing, f"not found: {missing}"
    queued = settings.queue.items()
    assert len(queued) == len(report.records)  # one candidate per place, none lost to dedup
    actors = {a for r in report.records for a in r["actors"]}
    assert (
        actors
        == {
            "ru-2016-land-protests": {"Nursultan Nazarbayev", "Max Bokayev", "Talgat Ayan"},
            "ru-2020-kyrgyz-china-disputes": {"Xi Jinping", "Kyrk Choro"},
        }[stem]
    )


UNSEEN = """Акция у консульства КНР в Алматы

Опубликовано: 15 сентября 2019

В понедельник, 9 сентября, около 40 человек провели пикет у генерального консульства Китая \
в Алматы, требуя освободить родственников, задержанных в Синьцзяне. Полиция задержала \
пятерых участников.

Двумя неделями ранее в Нур-Султане прошла акция против строительства китайских заводов. По \
данным организаторов, в ней участвовали более 500 человек.

В прошлом году в Кашгаре власти задержали не менее десяти этнических казахов.

Сход жителей прошел в Кочкорском районе Нарынской области 2 сентября: на нем собрались около \
300 человек. Через неделю в Караколе состоялся митинг против китайского рудника.

Правительство в Бишкеке в июле 2019 года отменило проект сухого порта в Нарыне.
"""


def test_a_russian_article_written_for_this_test() -> None:
    result = extract_text(UNSEEN)
    assert result.info.published == date(2019, 9, 15)  # from the date line
    got = [
        (c.event_date, c.location, c.category, c.participants, c.arrests) for c in result.candidates
    ]
    assert got == [
        ("2019-09-09", "Almaty", "protest", "about 40", 5),
        ("2019-08-26", "Astana", "protest", "more than 500", None),
        ("2018", "Kashgar", "detention", "", "at least 10"),
        ("2019-09-02", "Kochkor District", "protest", "about 300", None),
        ("2019-09-09", "Karakol", "protest", "", None),
        ("2019-07", "Naryn", "policy", "", None),  # not Bishkek, where the government sits
    ]
    for candidate in result.candidates:
        assert UNSEEN[candidate.char_start : candidate.char_end] == candidate.excerpt


def test_the_same_embassy_in_russian_is_the_embassy_named_before() -> None:
    result = extract_text(
        "Посольство\n\n20 декабря 2018 года около 150 активистов провели пикет у посольства КНР "
        "в Бишкеке.\n\n30 августа 2016 года у того же посольства взорвался автомобиль, "
        "пострадали трое сотрудников. Кыргызстан назвал это терактом."
    )
    assert [(c.event_date, c.location, c.geo_precision) for c in result.candidates] == [
        ("2018-12-20", "Bishkek", "city"),
        ("2016-08-30", "Bishkek", "city"),
    ]
