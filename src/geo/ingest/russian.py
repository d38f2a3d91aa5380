"""Reading Russian: lemmas, dates, place names in their declined forms and head counts.

- **Lemmas** come from pymorphy3 and the dictionary its package ships: the lexicon's Russian
  terms are written as lemmas ("задержать", "логистический центр", "выйти на улица"), so
  one term matches every form of its words.
- **Dates**: "27 марта 2021 года", "27.03.2021", "в марте 2021 года", "весной 2016 года"
  (stated); "27 марта", "в конце февраля", "в прошлом году", "два года назад", "вчера"
  (relative to the publication date); "через три дня", "спустя две недели", "в тот же
  день", "на следующий день", "двумя годами ранее", "в ноябре того же года" (relative to
  the previous date mentioned). :class:`DateReader` has the English reader's interface.
- **Places**: a capitalised word is looked up as written, then as pymorphy's lemmas, then
  with its case ending replaced ("в Оше" -> Ош, "в Кашгаре" -> Кашгар, "Кызылорде" ->
  Кызылорда, "Семея" -> Семей); only names the gazetteer holds can match, so guessing an
  ending cannot invent a place. An adjective before "область" or "район" names a region or
  district by its centre ("Нарынской области" -> Naryn Region, "Ат-Башинском районе" ->
  At-Bashy District). A name after "площади", "улице", "проспекте" is a square or a street,
  not a town ("на площади Исатая и Махамбета"), and a first name followed by a surname is
  a person.
- **Head counts**: "около 300 человек" (about 300), "не менее тысячи" (at least 1000),
  "более 300", "свыше 200" (more than), "от 700 до двух тысяч" (700–2000), "несколько
  сотен" (several hundred), "несколько десятков" (several dozen), "сотни" (hundreds): the
  qualifier is kept, written as the atlas writes figures so that charts can read it.
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from geo.gazetteer import GEONAMES_RANK, TOKEN, Gazetteer, Mention, Place, Token, fold, rank
from geo.ingest.counts import Counts
from geo.ingest.dates import DateMention, _Anchor, resolve_in_order
from geo.model import GeoPrecision, TimePrecision


@functools.lru_cache(maxsize=1)
def morph() -> Any:
    """The pymorphy3 analyser with its bundled Russian dictionary (built once)."""
    import pymorphy3

    return pymorphy3.MorphAnalyzer()


@functools.lru_cache(maxsize=200_000)
def lemma(word: str) -> str:
    """The most likely dictionary form of a Russian word, folded (ё as е)."""
    if not _CYRILLIC.search(word):
        return fold(word)
    analyser = morph()
    if not analyser.word_is_known(word):
        return fold(word)  # a guessed lemma of an unknown name is noise: keep it as written
    return fold(analyser.parse(word)[0].normal_form)


@functools.lru_cache(maxsize=100_000)
def _parses(word: str) -> tuple[tuple[str, frozenset[str]], ...]:
    return tuple(
        (fold(p.normal_form), frozenset(str(p.tag).replace(" ", ",").split(",")))
        for p in morph().parse(word)
    )


@functools.lru_cache(maxsize=100_000)
def _tags(word: str) -> frozenset[str]:
    """Every grammatical tag any reading of ``word`` has ("Geox", "Name", "NOUN"...)."""
    return frozenset().union(*(t for _, t in _parses(word))) if word else frozenset()


def lemma_tokens(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    """The words of ``text[start:end]`` keyed by their lemmas (for the lexicon)."""
    stop = len(text) if end is None else end
    return [Token(m.start(), m.end(), lemma(m.group())) for m in TOKEN.finditer(text, start, stop)]


_CYRILLIC = re.compile(r"[\u0400-\u04ff]")

# ---- dates ----

_MONTH_STEMS = {
    "янв": 1,
    "фев": 2,
    "мар": 3,
    "апр": 4,
    "мая": 5,
    "мае": 5,
    "май": 5,
    "июн": 6,
    "июл": 7,
    "авг": 8,
    "сен": 9,
    "окт": 10,
    "ноя": 11,
    "дек": 12,
}
_MG = r"(?:января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря)"
_MP = r"(?:январе|феврале|марте|апреле|мае|июне|июле|августе|сентябре|октябре|ноябре|декабре)"
_MN = r"(?:январь|февраль|март|апрель|май|июнь|июль|август|сентябрь|октябрь|ноябрь|декабрь)"
_Y = r"(?:1[89]\d{2}|20\d{2})"
_YEAR_WORD = r"(?:\s*(?:года|году|год|г\.))"
_PART = r"(?:(?:в\s+)?(?:начале|середине|конце)\s+)"
_SEASON = r"(?:весной|летом|осенью|зимой|весна|лето|осень|зима)"
NUMBER_WORDS = {
    "один": 1,
    "одна": 1,
    "одну": 1,
    "одного": 1,
    "одним": 1,
    "два": 2,
    "две": 2,
    "двух": 2,
    "двумя": 2,
    "пару": 2,
    "пары": 2,
    "три": 3,
    "трех": 3,
    "трёх": 3,
    "тремя": 3,
    "четыре": 4,
    "четырех": 4,
    "четырёх": 4,
    "четырьмя": 4,
    "пять": 5,
    "пяти": 5,
    "пятью": 5,
    "шесть": 6,
    "шести": 6,
    "шестью": 6,
    "семь": 7,
    "семи": 7,
    "семью": 7,
    "восемь": 8,
    "восьми": 8,
    "восемью": 8,
    "девять": 9,
    "девяти": 9,
    "девятью": 9,
    "десять": 10,
    "десяти": 10,
    "десятью": 10,
}
_NUM = rf"(?:\d{{1,2}}|{'|'.join(sorted(NUMBER_WORDS, key=len, reverse=True))})"
_UNIT = (
    r"(?P<unit>дн(?:я|ей|ями|ем)|день|недел(?:ю|и|ь|ями)|месяц(?:а|ев|ами|ем)?|"
    r"год(?:а|ами|ом)?|лет)"
)
_I = re.IGNORECASE


_WEEKDAYS = ("пон", "вто", "сре", "чет", "пят", "суб", "вос")


def _month(word: str) -> int:
    return _MONTH_STEMS[word.lower()[:3]]


def _count(word: str | None) -> int:
    if not word:
        return 1
    word = word.lower()
    return int(word) if word.isdigit() else NUMBER_WORDS[word]


def _safe(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


Resolved = tuple[date, TimePrecision, str] | str | None


def _shift_months(day: date, months: int) -> date:
    total = day.year * 12 + day.month - 1 + months
    return date(total // 12, total % 12 + 1, 1)


def _stated_day(m: re.Match[str], _: DateReader) -> Resolved:
    if m.group("m").isdigit():
        found = _safe(int(m.group("y")), int(m.group("m")), int(m.group("d")))
    else:
        found = _safe(int(m.group("y")), _month(m.group("m")), int(m.group("d")))
    return (found, TimePrecision.DAY, "stated") if found else None


def _stated_month(m: re.Match[str], _: DateReader) -> Resolved:
    return date(int(m.group("y")), _month(m.group("m")), 1), TimePrecision.MONTH, "stated"


def _stated_year(m: re.Match[str], _: DateReader) -> Resolved:
    return date(int(m.group("y")), 1, 1), TimePrecision.YEAR, "stated"


def _day_no_year(m: re.Match[str], reader: DateReader) -> Resolved:
    published = reader.published
    if published is None:
        return "year not stated and no publication date known"
    month, day = _month(m.group("m")), int(m.group("d"))
    found = _safe(published.year, month, day)
    if found is not None and found > published:
        found = _safe(published.year - 1, month, day)
    return (found, TimePrecision.DAY, "publication date") if found else None


def _month_no_year(m: re.Match[str], reader: DateReader) -> Resolved:
    month = _month(m.group("m"))
    which = (m.group("which") or "").lower()
    if which.startswith("того"):  # "в ноябре того же года"
        if reader.previous is None:
            return "no earlier date to count from"
        return date(reader.previous.day.year, month, 1), TimePrecision.MONTH, "previous date"
    if which.startswith("следующ"):
        if reader.previous is None:
            return "no earlier date to count from"
        year = reader.previous.day.year + 1
        return date(year, month, 1), TimePrecision.MONTH, "previous date"
    published = reader.published
    if published is None:
        return "year not stated and no publication date known"
    if which.startswith(("этого", "текущего")):
        return date(published.year, month, 1), TimePrecision.MONTH, "publication date"
    if which.startswith("прошлого"):
        return date(published.year - 1, month, 1), TimePrecision.MONTH, "publication date"
    year = published.year if month <= published.month else published.year - 1
    return date(year, month, 1), TimePrecision.MONTH, "publication date"


def _relative_to_publication(m: re.Match[str], reader: DateReader) -> Resolved:
    published = reader.published
    if published is None:
        return "relative to a publication date that is not known"
    words = m.group().lower().replace("ё", "е").split()
    first = words[0]
    weekday = m.groupdict().get("weekday")
    if weekday:
        back = (published.weekday() - _WEEKDAYS.index(weekday.lower()[:3])) % 7
        if "прошл" in m.group().lower() and back == 0:
            back = 7
        return published - timedelta(days=back), TimePrecision.DAY, "publication date"
    if first in ("вчера", "сегодня", "позавчера"):
        back = {"сегодня": 0, "вчера": 1, "позавчера": 2}[first]
        return published - timedelta(days=back), TimePrecision.DAY, "publication date"
    if words[-1] == "назад":
        count = _count(m.group("n"))
        unit = m.group("unit").lower()
        if unit.startswith(("год", "лет")):
            return date(published.year - count, 1, 1), TimePrecision.YEAR, "publication date"
        if unit.startswith("месяц"):
            return _shift_months(published, -count), TimePrecision.MONTH, "publication date"
        days = count * (7 if unit.startswith("недел") else 1)
        return published - timedelta(days=days), TimePrecision.DAY, "publication date"
    shift = {"прошлом": -1, "этом": 0, "текущем": 0, "позапрошлом": -2, "будущем": 1}[words[1]]
    if words[-1].startswith("год"):
        return date(published.year + shift, 1, 1), TimePrecision.YEAR, "publication date"
    return _shift_months(published, shift), TimePrecision.MONTH, "publication date"


def _offset(anchor: _Anchor, count: int, unit: str) -> Resolved:
    unit = unit.lower()
    if unit.startswith(("год", "лет")):
        if anchor.precision is TimePrecision.YEAR:
            return date(anchor.day.year + count, 1, 1), TimePrecision.YEAR, "previous date"
        day = _safe(anchor.day.year + count, anchor.day.month, anchor.day.day) or date(
            anchor.day.year + count, anchor.day.month, 28
        )
        return day, anchor.precision, "previous date"
    if anchor.precision is TimePrecision.YEAR:
        return "a shorter span counted from a date known only to the year"
    if unit.startswith("месяц"):
        return _shift_months(anchor.day, count), TimePrecision.MONTH, "previous date"
    days = count * (7 if unit.startswith("недел") else 1)
    if anchor.precision is TimePrecision.MONTH:
        return (
            _shift_months(anchor.day + timedelta(days=days), 0),
            TimePrecision.MONTH,
            ("previous date"),
        )
    return anchor.day + timedelta(days=days), TimePrecision.DAY, "previous date"


def _relative_to_previous(m: re.Match[str], reader: DateReader) -> Resolved:
    anchor = reader.previous
    if anchor is None:
        return "no earlier date to count from"
    text = m.group().lower().replace("ё", "е")
    if "день" in text.split()[-1] or text.startswith(("в тот", "в этот", "накануне", "на след")):
        if anchor.precision is not TimePrecision.DAY:
            return "a day counted from a date not known to the day"
        shift = 1 if "след" in text or "другой" in text else (-1 if "накануне" in text else 0)
        return anchor.day + timedelta(days=shift), TimePrecision.DAY, "previous date"
    if "году" in text or text.split()[-1] == "год":  # в том же году, в следующем году
        shift = 1 if "след" in text else 0
        return date(anchor.day.year + shift, 1, 1), TimePrecision.YEAR, "previous date"
    if "месяц" in text and m.groupdict().get("unit") is None:  # в том же месяце
        if anchor.precision is TimePrecision.YEAR:
            return "a month counted from a date known only to the year"
        shift = 1 if "след" in text else 0
        return _shift_months(anchor.day, shift), TimePrecision.MONTH, "previous date"
    count = _count(m.group("n"))
    back = bool(re.search(r"ранее|раньше|до\s+этого|до\s+того", text))
    return _offset(anchor, -count if back else count, m.group("unit"))


Handler = Any
PATTERNS: tuple[tuple[re.Pattern[str], Handler], ...] = (
    (re.compile(r"\b(?P<y>\d{4})-(?P<m>0[1-9]|1[0-2])-(?P<d>0[1-9]|[12]\d|3[01])\b"), _stated_day),
    (
        re.compile(r"\b(?P<d>0?[1-9]|[12]\d|3[01])\.(?P<m>0[1-9]|1[0-2])\.(?P<y>" + _Y + r")\b"),
        _stated_day,
    ),
    (
        re.compile(rf"\b(?P<d>[12]\d|3[01]|0?[1-9])\s+(?P<m>{_MG})\s+(?P<y>{_Y}){_YEAR_WORD}?", _I),
        _stated_day,
    ),
    (
        re.compile(
            rf"(?:\b{_PART}(?P<m>{_MG})|\b(?:в\s+)?(?P<m2>{_MP})|\b(?P<m3>{_MN}))\s+(?P<y>{_Y})"
            rf"{_YEAR_WORD}?",
            _I,
        ),
        "month",
    ),
    (
        re.compile(
            rf"\b(?P<d>[12]\d|3[01]|0?[1-9])\s+(?P<m>{_MG})\b(?!\s+{_Y})"
            r"(?!\s+(?:человек|люд|раз))",
            _I,
        ),
        _day_no_year,
    ),
    (
        re.compile(
            rf"(?:\b{_PART}(?P<m>{_MG})|\b(?:в|с|до|к)\s+(?P<m2>{_MP}|{_MG}))\b(?!\s+{_Y})"
            r"(?:\s+(?P<which>того\s+же|этого|текущего|прошлого|следующего)\s+года)?",
            _I,
        ),
        "month_no_year",
    ),
    (
        re.compile(
            rf"\b(?:(?:в|во|с|до|к|на|после|около|начале|конце|середине|{_SEASON})\s+)"
            rf"(?P<y>{_Y})(?:{_YEAR_WORD}|\s*(?:гг?\.?))?(?!\s*(?:человек|тысяч|%))",
            _I,
        ),
        _stated_year,
    ),
    (re.compile(rf"\b(?P<y>{_Y})\s+(?:года|году|год)\b", _I), _stated_year),
    (
        re.compile(
            r"\b(?:в\s+(?:прошлом|этом|текущем|позапрошлом|будущем)\s+(?:году|месяце))|"
            r"\b(?:вчера|сегодня|позавчера)\b|"
            r"\b(?:в|во)\s+(?:прошл(?:ый|ую|ое)\s+)?(?P<weekday>понедельник|вторник|среду|"
            r"четверг|пятницу|субботу|воскресенье)\b|"
            rf"\b(?:(?P<n>{_NUM})\s+)?{_UNIT}\s+назад\b",
            _I,
        ),
        _relative_to_publication,
    ),
    (
        re.compile(
            r"\b(?:в\s+(?:тот|этот)\s+(?:же\s+)?день|на\s+(?:следующий|другой)\s+день|"
            r"накануне|в\s+том\s+же\s+(?:году|месяце)|в\s+следующем\s+(?:году|месяце))\b|"
            rf"\b(?:через|спустя)\s+(?:(?P<n>{_NUM})\s+)?{_UNIT}\b(?:\s+после\s+этого)?|"
            rf"\b(?:(?P<n2>{_NUM})\s+)?(?P<unit2>дн(?:ями|ем)|неделями|неделей|месяцами|"
            r"месяцем|годами|годом)\s+(?:ранее|раньше|позже|позднее|спустя)\b|"
            rf"\bза\s+(?:(?P<n3>{_NUM})\s+)?(?P<unit3>дн(?:я|ей)|день|недел(?:ю|и|ь)|"
            r"месяц(?:а|ев)?|год(?:а)?|лет)\s+до\s+(?:этого|того)\b",
            _I,
        ),
        "previous",
    ),
)


def _dispatch(kind: Handler, m: re.Match[str], reader: DateReader) -> Resolved:
    if callable(kind):
        return kind(m, reader)
    if kind == "month":
        month = m.group("m") or m.group("m2") or m.group("m3")
        return date(int(m.group("y")), _month(month), 1), TimePrecision.MONTH, "stated"
    if kind == "month_no_year":
        month = m.group("m") or m.group("m2")
        return _month_no_year(_Proxy(m, {"m": month}), reader)  # type: ignore[arg-type]
    groups = m.groupdict()
    n = groups.get("n") or groups.get("n2") or groups.get("n3")
    unit = groups.get("unit") or groups.get("unit2") or groups.get("unit3")
    return _relative_to_previous(
        _Proxy(m, {"n": n, "unit": unit}),  # type: ignore[arg-type]
        reader,
    )


class _Proxy:
    """A match with some groups renamed (the patterns above use several names for one)."""

    def __init__(self, m: re.Match[str], groups: dict[str, str | None]) -> None:
        self._m, self._groups = m, groups

    def group(self, name: str | int = 0) -> Any:
        if isinstance(name, str) and name in self._groups:
            return self._groups[name]
        return self._m.group(name)

    def groupdict(self) -> dict[str, str | None]:
        return {**self._m.groupdict(), **self._groups}


_DIGIT = re.compile(r"\d")
# Cheap tests that let a sentence skip the patterns that cannot match it.
_NEED_DIGIT = frozenset({0, 1, 2, 3, 4, 6, 7})
_NEED_MONTH = frozenset({2, 3, 4, 5})
_NEED_RELATIVE = frozenset({8, 9})
_MONTHISH = re.compile(r"янв|фев|мар|апр|ма[яйе]|июн|июл|авг|сен|окт|ноя|дек", re.IGNORECASE)
_RELATIVE = re.compile(
    r"назад|вчера|сегодня|прошл|этом|текущ|будущ|понедельник|вторник|сред|четверг|пятниц|"
    r"суббот|воскресень|день|накануне|том\s+же|следующ|через|спустя|ранее|раньше|позже|"
    r"позднее|до\s+этого|до\s+того",
    re.IGNORECASE,
)
_DATEISH = re.compile(
    r"\d|янв|фев|мар|апр|ма[яей]|июн|июл|авг|сен|окт|ноя|дек|год|лет\b|месяц|дн[яеи]|день|"
    r"недел|вчера|сегодня|накануне|спустя|через",
    re.IGNORECASE,
)


class DateReader:
    """Russian dates of an article's sentences, in order (the interface of
    :class:`geo.ingest.dates.DateReader`)."""

    def __init__(self, published: date | None) -> None:
        self.published = published
        self.previous: _Anchor | None = None

    def read(self, text: str, start: int = 0, end: int | None = None) -> list[DateMention]:
        """The dates in ``text[start:end]``, in order; each resolved one becomes the anchor
        for the dates counted from the previous one."""
        stop = len(text) if end is None else end
        if not _DATEISH.search(text, start, stop):
            return []
        found: list[tuple[int, int, Handler, re.Match[str]]] = []
        skip: set[int] = set()
        if _DIGIT.search(text, start, stop) is None:
            skip |= _NEED_DIGIT
        if _MONTHISH.search(text, start, stop) is None:
            skip |= _NEED_MONTH
        if _RELATIVE.search(text, start, stop) is None:
            skip |= _NEED_RELATIVE
        for number, (pattern, handler) in enumerate(PATTERNS):
            if number in skip:
                continue
            for m in pattern.finditer(text, start, stop):
                found.append((m.start(), -m.end(), handler, m))
        return resolve_in_order(found, lambda h, m: _dispatch(h, m, self), self)


def parse_date_line(line: str) -> tuple[date, TimePrecision] | None:
    """A Russian date line ("12 июня 2016", "12.06.2016"), as the date and its precision."""
    stripped = re.sub(r"^\s*(?:опубликовано|дата|обновлено)?\s*:?\s*", "", line, flags=_I)
    stripped = re.sub(r"[,\s]+\d{1,2}:\d{2}.*$", "", stripped.strip(" \t\xa0|·-–—"))
    for pattern, handler in PATTERNS[:3]:
        m = pattern.fullmatch(stripped)
        if m:
            result = _dispatch(handler, m, DateReader(None))
            if isinstance(result, tuple):
                return result[0], result[1]
    return None


# ---- places ----

_ENDINGS = (
    "ами",
    "ями",
    "ого",
    "его",
    "ому",
    "ему",
    "ом",
    "ем",
    "ои",  # folded ой, ей: й is и
    "еи",
    "ою",
    "ею",
    "ах",
    "ях",
    "ам",
    "ям",
    "е",
    "у",
    "ю",
    "а",
    "я",
    "ы",
    "и",
)
_ADDED = ("", "а", "я", "ь", "и", "ы", "о", "е")  # folded: й is и
_PROPER = frozenset({"Geox", "Name", "Surn", "Patr", "Orgn", "Trad", "Abbr"})
_PERSON = frozenset({"Name", "Surn", "Patr"})
_AREA_NOUN = re.compile(r"(?:област|район|округ|кра[йея])\w*$", _I)
_ADJECTIVE_ENDINGS = ("скии", "инскии", "енскии", "ынскии", "цкии")  # folded: й is и
# A name after these is a square, a street or a building, not a town.
_LANDMARK_BEFORE = re.compile(
    r"\b(?:площад[иь]|улиц[еау]|улицей|проспект[еау]?|бульвар\w*|парк\w*|сквер\w*|имени|им\.|"
    r"памятник\w*|здани\w*|театр\w*|университет\w*|месторождени\w*)\s+$",
    _I,
)


def _word_variants(word: str) -> list[str]:
    """Folded forms a declined name may have in the dictionary, most likely first."""
    folded = fold(word)
    out = [folded]
    for normal, tags in _parses(word):
        if normal not in out and (tags & _PROPER or not out[1:]):
            out.append(normal)
    for ending in _ENDINGS:
        if folded.endswith(ending) and len(folded) - len(ending) >= 2:
            stem = folded[: -len(ending)]
            out.extend(stem + added for added in _ADDED if stem + added not in out)
    if folded[-1:] not in "аеиоуыэюяь" and len(folded) >= 3:
        out.extend(v for v in (folded + "а",) if v not in out)
    return out


def _adjective_stems(word: str) -> list[str]:
    """Town names an adjective may come from: "нарынской" -> нарын, "ат-башинском" ->
    ат-башы, "кызылординской" -> кызылорда."""
    lemmas = [n for n, tags in _parses(word) if "ADJF" in tags] or [fold(word)]
    out: list[str] = []
    for lem in lemmas:
        for suffix in _ADJECTIVE_ENDINGS:
            if lem.endswith(suffix):
                stem = lem[: -len(suffix)]
                out.extend(stem + a for a in ("", "ы", "а", "и", "е", "о", "ь") if len(stem) >= 2)
    return list(dict.fromkeys(out))


def _phrase_lookup(gazetteer: Gazetteer, words: Sequence[str]) -> tuple[Place, ...]:
    key = tuple(w for part in words for w in part.split("-") if w)
    if key in gazetteer.blocked:
        return ()
    return tuple(gazetteer.index.get(" ".join(key)))


@functools.lru_cache(maxsize=50_000)
def _lookup_name(gazetteer_id: int, words: tuple[str, ...]) -> tuple[Place, ...]:
    gazetteer = _GAZETTEERS[gazetteer_id]
    head = list(words[:-1])
    for variant in _word_variants(words[-1]):
        found = _phrase_lookup(gazetteer, [*map(fold, head), variant])
        if found:
            return tuple(dict.fromkeys(_canonical(gazetteer, p) for p in found))
    return ()


def _canonical(gazetteer: Gazetteer, place: Place) -> Place:
    """A GeoNames place as the project's alias table knows it (with its region), when it
    does: the Cyrillic names come from GeoNames, the regions from the alias table."""
    if place.rank < GEONAMES_RANK or not place.geonameid:
        return place
    for known in gazetteer.lookup(place.name):
        if known.geonameid == place.geonameid and known.kind == "city":
            return known
    return place


_GAZETTEERS: dict[int, Gazetteer] = {}


@functools.lru_cache(maxsize=10_000)
def _nominative(adjective: str, noun_lemma: str) -> str:
    """The adjective agreeing with the noun in the nominative: "Нарынской" + "область" ->
    "нарынская"."""
    gender = {"область": "femn", "район": "masc", "округ": "masc", "край": "masc"}
    for parse in morph().parse(adjective):
        if "ADJF" in parse.tag:
            inflected = parse.inflect({gender.get(noun_lemma, "femn"), "sing", "nomn"})
            if inflected is not None:
                return str(inflected.word)
    return ""


@functools.lru_cache(maxsize=10_000)
def _normal_form(word: str) -> str:
    return str(morph().parse(word)[0].normal_form)


def _named_area(gazetteer: Gazetteer, adjective: str, noun: str) -> tuple[Place, ...]:
    noun_lemma = _normal_form(noun)
    nominative = _nominative(adjective, noun_lemma)
    if not nominative:
        return ()
    words = [*nominative.split("-"), *noun_lemma.split()]
    # "Синьцзян-Уйгурском автономном районе": the words between count too.
    found = [p for p in _phrase_lookup(gazetteer, [fold(w) for w in words]) if p.kind == "region"]
    return tuple(found[:1])


def _area_place(gazetteer: Gazetteer, adjective: str, noun: str) -> tuple[Place, ...]:
    """The region or district an adjective names ("Нарынской области"): its name in the
    alias table ("Нарынская область"), else the region or district of the town the
    adjective comes from (worked out once per gazetteer and pair of words)."""
    _GAZETTEERS.setdefault(id(gazetteer), gazetteer)
    return _area_place_of(id(gazetteer), adjective, noun)


@functools.lru_cache(maxsize=20_000)
def _area_place_of(gazetteer_id: int, adjective: str, noun: str) -> tuple[Place, ...]:
    gazetteer = _GAZETTEERS[gazetteer_id]
    named = _named_area(gazetteer, adjective, noun)
    if named:
        return named
    for stem in _adjective_stems(adjective):
        towns = [p for p in rank(_phrase_lookup(gazetteer, [stem])) if p.kind == "city"]
        if not towns:
            continue
        town = _canonical(gazetteer, towns[0])
        if fold(noun).startswith(fold("район")):
            return (
                replace(
                    town,
                    name=f"{town.name} District",
                    precision=GeoPrecision.REGION,
                    kind="region",
                    admin1=town.admin1,
                    rank=0,
                    source=f"{town.source} (district centre stands in)",
                ),
            )
        regions = [
            p
            for name in (town.admin1, f"{town.name} Region")
            if name
            for p in gazetteer.lookup(name)
            if p.kind == "region"
        ]
        if regions:
            return (regions[0],)
    return ()


def mentions(gazetteer: Gazetteer, text: str, tokens: Sequence[Token]) -> list[Mention]:
    """Place names in a Russian sentence's tokens, each with every place it can mean."""
    _GAZETTEERS.setdefault(id(gazetteer), gazetteer)
    found: list[Mention] = []
    i = 0
    previous_first_name = False
    while i < len(tokens):
        token = tokens[i]
        surface = text[token.start : token.end]
        if not surface[0].isupper() or not _CYRILLIC.search(surface):
            i += 1
            previous_first_name = False
            continue
        if _LANDMARK_BEFORE.search(text, max(0, token.start - 40), token.start):
            i = _skip_capitalised(text, tokens, i)  # a square or street: its name is not a town
            previous_first_name = False
            continue
        tags = _tags(surface)
        # Region or district: an adjective before "область"/"район".
        if i + 1 < len(tokens) and _AREA_NOUN.match(text, tokens[i + 1].start, tokens[i + 1].end):
            places = _area_place(gazetteer, surface, text[tokens[i + 1].start : tokens[i + 1].end])
            if places:
                end = tokens[i + 1].end
                found.append(Mention(token.start, end, text[token.start : end], places))
                i += 2
                previous_first_name = False
                continue
        if previous_first_name and tags & {"Surn", "Name"} and not tags & {"Geox"}:
            i += 1  # "Талгата Аяна": a person
            previous_first_name = False
            continue
        # The longest phrase of up to three capitalised or hyphen-joined words.
        best: tuple[int, tuple[Place, ...]] | None = None
        for n in (3, 2, 1):
            if i + n > len(tokens):
                continue
            words = [text[t.start : t.end] for t in tokens[i : i + n]]
            gaps = [text[tokens[k].end : tokens[k + 1].start] for k in range(i, i + n - 1)]
            if any(g not in ("-", " ", "‐", "–") for g in gaps):
                continue
            if any(g == " " and not w[0].isupper() for g, w in zip(gaps, words[1:], strict=True)):
                continue
            joined = tuple(words)
            if n > 1 and "-" in gaps:
                # "Ат-Башинском районе": a hyphenated adjective before "район".
                nxt = i + n
                if nxt < len(tokens) and _AREA_NOUN.match(text, tokens[nxt].start, tokens[nxt].end):
                    noun = text[tokens[nxt].start : tokens[nxt].end]
                    places = _area_place(gazetteer, "-".join(words), noun)
                    if places:
                        best = (n + 1, places)
                        break
            places = _lookup_name(id(gazetteer), joined)
            if places:
                best = (n, places)
                break
        if best is None:
            previous_first_name = "Name" in tags and "Geox" not in tags
            i += 1
            continue
        n, places = best
        if i == 0 or text[max(0, token.start - 2) : token.start].strip() in ("", "."):
            # A sentence's first word that the dictionary knows only as a common word
            # ("Весной", "Власти") is not a place, whatever its ending.
            common = _parses(surface) and not tags & _PROPER and morph().word_is_known(surface)
            if common and fold(surface) not in {fold(p.name) for p in places}:
                i += 1
                continue
        end = tokens[i + n - 1].end
        found.append(Mention(token.start, end, text[token.start : end], places))
        i += n
        previous_first_name = False
    return found


def _skip_capitalised(text: str, tokens: Sequence[Token], i: int) -> int:
    """Past the capitalised words (and "и" between them) of a landmark's name."""
    while i < len(tokens):
        word = text[tokens[i].start : tokens[i].end]
        if word[0].isupper() or (word == "и" and i + 1 < len(tokens)):
            i += 1
            continue
        break
    return i


# ---- counts ----

_QUALIFIERS = (
    (r"не\s+менее|не\s+меньше|по\s+меньшей\s+мере|как\s+минимум|минимум", "at least"),
    (r"более\s+чем|более|больше|свыше|сверх", "more than"),
    (r"около|примерно|приблизительно|порядка|почти", "about"),
    (r"до", "up to"),
    (r"не\s+более|не\s+больше|менее|меньше", "at most"),
)
_QUALIFIER = "|".join(f"(?:{q})" for q, _ in _QUALIFIERS)
_ONES = {
    "один": 1,
    "два": 2,
    "три": 3,
    "четыре": 4,
    "пять": 5,
    "шесть": 6,
    "семь": 7,
    "восемь": 8,
    "девять": 9,
    "десять": 10,
    "одиннадцать": 11,
    "двенадцать": 12,
    "пятнадцать": 15,
    "двадцать": 20,
    "тридцать": 30,
    "сорок": 40,
    "пятьдесят": 50,
    "шестьдесят": 60,
    "семьдесят": 70,
    "восемьдесят": 80,
    "девяносто": 90,
    "сто": 100,
    "двести": 200,
    "триста": 300,
    "четыреста": 400,
    "пятьсот": 500,
    "шестьсот": 600,
    "семьсот": 700,
    "восемьсот": 800,
    "девятьсот": 900,
    "полтора": 1.5,
    # collective numerals: "задержали пятерых"
    "двое": 2,
    "трое": 3,
    "четверо": 4,
    "пятеро": 5,
    "шестеро": 6,
    "семеро": 7,
    "восьмеро": 8,
    "девятеро": 9,
    "десятеро": 10,
}
_VAGUE = {"десяток": "dozens", "сотня": "hundreds", "тысяча": "thousands"}
_SEVERAL = {"десяток": "several dozen", "сотня": "several hundred", "тысяча": "several thousand"}
_NUMBER_TOKEN = re.compile(r"\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d+|[а-яё]+", _I)
_CROWD_VERBS = frozenset(
    [
        "выйти",
        "собраться",
        "протестовать",
        "прийти",
        "митинговать",
        "принять",
        "участвовать",
        "пикетировать",
        "перекрыть",
        "объявить",
        "провести",
        "собирать",
        "выходить",
    ]
)
_ARREST_VERBS = frozenset(["задержать", "арестовать", "задерживать", "арестовывать", "доставить"])
_NOT_CROWD = frozenset(
    ["госпитализировать", "ранить", "погибнуть", "пострадать", "умереть", "убить", "эвакуировать"]
)


@dataclass
class _Number:
    start: int
    end: int
    value: float | None  # None: vague ("сотни")
    words: str  # as the atlas writes it when vague


def _read_number(text: str, at: int, stop: int) -> _Number | None:
    """A number written in digits or words starting at ``at`` ("300", "тысячи", "двух
    тысяч", "несколько сотен", "сотни")."""
    value = 0.0
    current = 0.0
    end = at
    seen = False
    pos = at
    several = False
    while True:
        m = _NUMBER_TOKEN.match(text, pos, stop)
        if not m:
            break
        word = m.group()
        if word[0].isdigit():
            if seen:
                break
            current = float(re.sub(r"\D", "", word))
            seen, end = True, m.end()
        else:
            lem = lemma(word)
            if lem == "несколько" and not seen:
                several, end = True, m.end()
            elif lem in _ONES and not several:
                current += _ONES[lem]
                seen, end = True, m.end()
            elif lem == "тысяча" and (seen or not several):
                value += (current or 1) * 1000
                current = 0
                seen, end = True, m.end()
                if not seen:
                    break
            elif lem in _VAGUE and not seen:
                shown = _SEVERAL[lem] if several else _VAGUE[lem]
                return _Number(at, m.end(), None, shown)
            else:
                break
        space = re.match(r"[ \u00a0]+", text[m.end() : stop])
        if not space:
            break
        pos = m.end() + space.end()
    if several:
        return None
    if not seen:
        return None
    return _Number(at, end, value + current, "")


def _shown(number: _Number) -> str:
    if number.value is None:
        return number.words
    return f"{int(number.value)}" if number.value == int(number.value) else f"{number.value}"


# Where a count can start: digits, or a word beginning like a number (its lemma decides).
_NUMBER_START = re.compile(
    r"(?<![\w.])(?:\d|несколь|сот|десят|тысяч|один|одн|дв|тр|четыр|пят|шест|сем|восем|"
    r"девят|сорок|девяност|полтор)",
    _I,
)
_QUALIFIER_BEFORE = re.compile(rf"(?:^|\s)(?P<q>{_QUALIFIER})\s+$", _I)
_RANGE = re.compile(r"(?:^|\s)от\s+$", _I)
_RANGE_TO = re.compile(r"\s+до\s+", _I)


@functools.lru_cache(maxsize=10_000)
def _is_predicate(word: str) -> bool:
    tags = _parses(word)[0][1] if _parses(word) else frozenset()
    return bool(tags & {"VERB", "PRTS", "NOUN"})


@functools.lru_cache(maxsize=8)
def _crowd_lemmas(crowd_nouns: tuple[str, ...]) -> frozenset[str]:
    return frozenset(fold(n) for n in crowd_nouns if _CYRILLIC.search(n))


def read_counts(
    text: str,
    start: int,
    end: int,
    crowd_nouns: Sequence[str],
    masked: Sequence[tuple[int, int]] = (),
    arrest_context: bool | None = None,
) -> Counts:
    """Participants and arrests stated in a Russian sentence ``text[start:end]``.

    A number counts people when a crowd noun follows it (``crowd_nouns``, as lemmas:
    человек, житель, член...), possibly after an adjective, or when a crowd verb follows
    it ("сотни вышли"); it counts arrests when the clause has an arrest verb (задержать,
    арестовать). A count of the injured or hospitalised is neither.
    """
    if not _NUMBER_START.search(text, start, end):
        return Counts()
    nouns = _crowd_lemmas(tuple(crowd_nouns))
    lemmas: list[tuple[int, int, str]] = []
    word_starts: list[int] = []
    arrest_verb = False
    participants = ""
    arrests: int | str | None = None
    used: list[tuple[int, int]] = []
    after = -1
    for hit in _NUMBER_START.finditer(text, start, end):
        at = hit.start()
        if at < after or any(ms <= at < me for ms, me in masked):
            continue
        number = _read_number(text, at, end)
        if number is None:
            several = re.match(r"несколько\s+", text[at:end], _I)
            if several:
                number = _read_number(text, at, end)
            if number is None:
                continue
        after = number.end
        if not lemmas:  # the sentence's words, read once a number is found
            lemmas = [
                (m.start(), m.end(), lemma(m.group())) for m in TOKEN.finditer(text, start, end)
            ]
            word_starts = [s for s, _, _ in lemmas]
            # A finite verb or a short participle ("задержала", "были задержаны"); a full
            # participle describes someone else ("родственников, задержанных в Синьцзяне").
            arrest_verb = any(
                lem in _ARREST_VERBS and _is_predicate(text[s:e]) for s, e, lem in lemmas
            )
            if arrest_context is not None:
                arrest_verb = arrest_context
        upper = number
        ranged = _RANGE.search(text, max(start, at - 8), at)
        if ranged:
            to = _RANGE_TO.match(text, number.end, end)
            second = _read_number(text, to.end(), end) if to else None
            if to and second is not None:
                upper, after = second, second.end
        first_after = bisect_left(word_starts, upper.end)
        following = [lem for _, _, lem in lemmas[first_after : first_after + 4]]
        if any(lem in _NOT_CROWD for lem in following[:3]):
            continue
        crowd = bool(following) and (
            following[0] in nouns
            or (len(following) > 1 and following[1] in nouns)
            or following[0] in _CROWD_VERBS
        )
        qualifier = _QUALIFIER_BEFORE.search(text, max(start, at - 30), at)
        first = qualifier.start("q") if qualifier else (ranged.start() if ranged else at)
        # "в Астане — свыше 200": a bare count after a dash repeats the clause's noun.
        dash = re.search(r"[—–]\s*$", text[max(start, first - 4) : first])
        if not crowd and not (dash and arrest_context is not None):
            continue
        if ranged and upper is not number:
            shown = f"{_shown(number)}–{_shown(upper)}"
            exact: int | None = None
        else:
            shown = _shown(number)
            exact = int(number.value) if number.value is not None and not qualifier else None
            if not qualifier and re.fullmatch(r"тысячи", text[number.start : number.end], _I):
                shown, exact = "thousands", None  # "Тысячи человек вышли": not one thousand
            if qualifier:
                meaning = next(
                    word
                    for pattern, word in _QUALIFIERS
                    if re.fullmatch(pattern, qualifier.group("q"), _I)
                )
                shown = f"{meaning} {shown}"
        if arrest_verb and arrests is None:
            arrests = exact if exact is not None else shown
            used.append((first, after))
        elif not participants and not arrest_verb:
            participants = shown
            used.append((first, after))
    return Counts(participants=participants, arrests=arrests, spans=tuple(used))


# ---- sentence shapes ----

LOCATIVE = re.compile(
    r"(?:^|[\s(«\"„,:;—–])(?:в|во|на|у|около|возле|близ|вблизи|под|недалеко\s+от|жители|"
    r"жителей|жителям|жительница|житель|по\s+всей|по\s+всему)\s+"
    r"(?:[а-яё-]+\s+){0,2}$",
    _I,
)
# "правительство в Бишкеке", "власти Бишкека": where a decision was made, not where it applies.
SEAT = re.compile(
    r"(?:правительств\w*|власт\w*|министерств\w*|кабинет\w*|парламент\w*|руководств\w*)"
    r"\s+(?:в\s+|во\s+)?$",
    _I,
)
ANAPHORIC = re.compile(r"(?:Это|Эти|Эта|Этот|Они|Его|Её|Ее|Их|Такие|Такой|Там|Тогда)\b")
SAME_SITE = re.compile(
    r"(?:тот\s+же|того\s+же|том\s+же|то\s+же|того\s+самого|этого|этом|это|та\s+же|той\s+же)\s+"
    r"(?:\w+\s+)?(?:посольств\w*|консульств\w*|генконсульств\w*)",
    _I,
)
# "…задержала в Алматы более 300 человек, в Астане — свыше 200": a second place whose verb
# is left out; the clause after the comma repeats the first clause's event.
ELLIPSIS = re.compile(r",\s+(?=(?:в|во|на)\s+\S+\s+[—–]\s)", _I)
# "в селе Калинин": a settlement named but not known to the gazetteer.
SETTLEMENT = re.compile(
    r"\b(?:в|во|на|у)\s+(?:сел[еоа]|деревн[еия]|посёлке|поселке|аул[еа]|город[еа]|"
    r"пгт|с\.|пос\.)\s+(?P<name>[А-ЯЁ][\w-]+)"
)
