"""The render layer: an item's facts, citations and the view in words, composed once and
written out as HTML, plain text or Markdown; hostile text stays inert in every form."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from geo import render
from geo.model import GeoPrecision
from geo.view import ViewState

IMG = "<img src=x onerror=alert(1)>"
TICK = "a`b"
INTERP = "${alert(1)}"
MD_LINK = "x](javascript:alert(1)) [y"
NAN = float("nan")


def event(**values: Any) -> dict[str, Any]:
    """An event row as the bundle holds it (with the ``start``/``stop`` dates it adds)."""
    row: dict[str, Any] = {
        "event_id": "EV1",
        "start": date(2021, 3, 27),
        "stop": date(2021, 3, 27),
        "date_end": "",
        "time_precision": "day",
        "category": "protest",
        "event_type": "Protests",
        "sub_event_type": "Peaceful protest",
        "title": "Rally in Almaty",
        "actor1": "Local activists",
        "assoc_actor_1": "",
        "iso": "KAZ",
        "admin1": "Almaty (city)",
        "location": "Almaty",
        "geo_precision": "city",
        "participants": "",
        "arrests": "",
        "confidence": "high",
        "source_id": "SRC1",
        "excerpt_ids": "X1",
        "notes": "",
    }
    row.update(values)
    return row


def site(**values: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "site_id": "PL1",
        "start": date(2007, 8, 1),
        "stop": None,
        "open_precision": "month",
        "close_precision": "",
        "category": "consulate_embassy",
        "site_type": "consulate general",
        "name": "Consulate in Almaty",
        "actor1": "PRC MFA",
        "iso": "KAZ",
        "admin1": "Almaty (city)",
        "location": "Almaty",
        "geo_precision": "exact",
        "confidence": "medium",
        "source_id": "SRC1",
        "notes": "",
    }
    row.update(values)
    return row


SOURCE = {
    "source_id": "SRC1",
    "title": "Anti-China Protests Held",
    "publisher": "Caspian Policy Center",
    "author": "Dante Schulz",
    "published": "2021-04-08",
    "url": "https://caspianpolicy.org/research/anti-china-protests",
}
EXCERPT = {
    "excerpt_id": "X1",
    "source_id": "SRC1",
    "char_start": 12,
    "char_end": 80,
    "text": "hundreds gathered in Almaty",
}


def unescaped(markdown: str, specials: str = "[]()") -> str:
    """The characters of ``specials`` that Markdown would act on (not backslash-escaped)."""
    out, i = [], 0
    while i < len(markdown):
        if markdown[i] == "\\":
            i += 2
            continue
        if markdown[i] in specials:
            out.append(markdown[i])
        i += 1
    return "".join(out)


def test_render_imports_no_streamlit_store_or_map() -> None:
    code = (
        "import sys, geo.render; print(sorted(m for m in sys.modules "
        "if m.split('.')[0] in ('streamlit', 'folium', 'duckdb') "
        "or m in ('geo.store', 'geo.query', 'geo.maps', 'geo.ui')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


# ---- dates, places, periods ----


@pytest.mark.parametrize(
    ("value", "precision", "words"),
    [
        (date(2021, 3, 27), "day", "27 March 2021"),
        (date(2020, 1, 1), "month", "January 2020 (month known, not the day)"),
        (date(2019, 1, 1), "year", "2019 (year known only)"),
        (date(2019, 1, 1), "unknown", "date unknown"),
        (None, "day", "date unknown"),
        (NAN, "day", "date unknown"),
    ],
)
def test_date_words_say_the_precision_known(value: object, precision: str, words: str) -> None:
    assert render.date_words(value, precision) == words


def test_event_when_gives_the_end_with_its_own_precision() -> None:
    assert render.event_when(event()) == "27 March 2021"
    lasting = event(stop=date(2021, 4, 1), date_end="2021-04")
    assert render.event_when(lasting) == "27 March 2021 to April 2021 (month known, not the day)"
    assert render.event_when(event(stop=date(2021, 4, 1), date_end=NAN)) == "27 March 2021"


def test_site_when_says_open_from_and_until() -> None:
    assert render.site_when(site()) == "from August 2007 (month known, not the day)"
    closed = site(stop=date(2019, 8, 1), close_precision="month")
    assert render.site_when(closed) == (
        "from August 2007 (month known, not the day) until August 2019 (month known, not the day)"
    )
    assert render.site_when(site(start=None)) == "opening date unknown"


def test_place_words_leave_out_missing_parts() -> None:
    assert render.place_words(event()) == "Almaty, Almaty (city), Kazakhstan"
    assert render.place_words(event(location=NAN, admin1="")) == "Kazakhstan"


@pytest.mark.parametrize(
    ("start", "end", "words"),
    [
        ("2019-03", "2019-03", "March 2019"),
        ("2019-01", "2020-12", "2019–2020"),
        ("2019-01", "2019-12", "2019"),
        ("2019-03", "2019-06", "March–June 2019"),
        ("2019-03", "2020-06", "March 2019 – June 2020"),
    ],
)
def test_period_words(start: str, end: str, words: str) -> None:
    assert render.period_words(start, end) == words


# ---- the view in words ----

VIEW = ViewState(start="2019-03", end="2020-06")


def test_describe_view_reads_as_one_sentence() -> None:
    assert render.describe_view(VIEW, 9, 2) == (
        "Events and sites in Kazakhstan, Kyrgyzstan and Xinjiang (China), "
        "March 2019 – June 2020: 9 events, 2 sites"
    )
    narrowed = replace(
        VIEW, countries=("KGZ",), categories=("protest",), query="land", undated=False
    )
    assert render.describe_view(narrowed, 1, 0, n_undated=1) == (
        "Protests in Kyrgyzstan, March 2019 – June 2020 "
        "(matching “land”; undated events left out): 1 event (1 undated), 0 sites"
    )
    regions = replace(VIEW, regions=("Chuy", "Naryn"))
    assert render.describe_view(regions, 2, 1).startswith(
        "Events and sites in Chuy Region and Naryn Region,"
    )


def test_summary_markdown_is_the_line_above_the_map() -> None:
    assert render.summary_markdown(VIEW, 1, 0) == (
        "1 event and 0 sites · March 2019 – June 2020 · all countries · all categories"
    )
    narrowed = replace(
        VIEW,
        countries=("KGZ", "KAZ"),
        categories=("protest", "policy"),
        regions=("Chuy",),
        end="2019-03",
    )
    assert render.summary_markdown(narrowed, 9, 2) == (
        "9 events and 2 sites · March 2019 – March 2019 · Kyrgyzstan, Kazakhstan · "
        "Protests, Policy · Chuy Region"
    )


def test_hostile_search_text_in_the_summary_is_escaped() -> None:
    line = render.summary_markdown(replace(VIEW, query=f"{MD_LINK} {TICK} {INTERP}"), 0, 0)
    assert unescaped(line, "[]()`$*_<>") == ""
    assert line.endswith(
        "matching “x\\]\\(javascript\\:alert\\(1\\)\\) \\[y a\\`b \\$\\{alert\\(1\\)\\}”"
    )


# ---- citations ----


def test_a_citation_keeps_what_the_source_gives() -> None:
    cited = render.citation(SOURCE)
    assert cited == render.Citation(
        title="Anti-China Protests Held",
        url="https://caspianpolicy.org/research/anti-china-protests",
        publisher="Caspian Policy Center",
        author="Dante Schulz",
        published="2021-04-08",
    )
    assert render.citation_markdown(cited) == (
        "[Anti\\-China Protests Held](https://caspianpolicy.org/research/anti-china-protests), "
        "Caspian Policy Center, Dante Schulz, 2021\\-04\\-08"
    )
    assert render.citation_text(cited) == (
        "“Anti-China Protests Held”, Caspian Policy Center, Dante Schulz, 2021-04-08, "
        "https://caspianpolicy.org/research/anti-china-protests"
    )
    assert render.citation_html(cited) == (
        "“Anti-China Protests Held”, Caspian Policy Center, Dante Schulz, 2021-04-08, "
        '<a href="https://caspianpolicy.org/research/anti-china-protests" target="_blank" '
        'rel="noopener noreferrer nofollow">'
        "https://caspianpolicy.org/research/anti-china-protests</a>"
    )


def test_missing_parts_of_a_citation_are_left_out() -> None:
    cited = render.citation(
        {"title": NAN, "url": None, "publisher": NAN, "author": None, "published": ""}
    )
    assert cited == render.Citation(title="", url=None)
    assert render.citation_markdown(cited) == ""
    assert render.citation_text(cited) == "“”"
    only = render.citation({"title": "T", "publisher": "", "author": "A", "url": ""})
    assert render.citation_markdown(only) == "T, A"
    assert render.citation_text(only) == "“T”, A"
    assert render.citation_html(only) == "“T”, A"


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "//x.org/a", "x"]
)
def test_an_unsafe_url_is_never_linked_nor_cited(url: str) -> None:
    cited = render.citation({"title": "T", "url": url})
    assert cited.url is None
    assert render.citation_markdown(cited) == "T"
    assert render.citation_text(cited) == "“T”"
    assert "href" not in render.citation_html(cited)


def test_hostile_citation_text_stays_inert_in_html() -> None:
    cited = render.citation(
        {
            "title": IMG + TICK,
            "publisher": INTERP,
            "author": "javascript:alert(1)",
            "url": 'https://example.org/"><script>alert(2)</script>',
        }
    )
    html = render.citation_html(cited)
    for raw in ("<img", "`", "${", "<script", '"><', "javascript:"):
        assert raw not in html
    assert "&lt;img src=x onerror=alert(1)&gt;a&#96;b" in html
    assert "&#36;&#123;alert(1)&#125;" in html
    assert "javascript&#58;alert(1)" in html
    assert "href" not in html  # a link holding '"' or '<' is not a link at all


def test_hostile_citation_text_stays_inert_in_markdown() -> None:
    cited = render.citation(
        {"title": MD_LINK, "publisher": IMG, "author": TICK + INTERP, "url": "https://e.org/a"}
    )
    markdown = render.citation_markdown(cited)
    # The one link is the citation's own: every other bracket or parenthesis is escaped.
    assert unescaped(markdown) == "[]()"
    assert unescaped(markdown, "`$<>*_") == ""
    assert markdown == (
        "[x\\]\\(javascript\\:alert\\(1\\)\\) \\[y](https://e.org/a), "
        "\\<img src=x onerror=alert\\(1\\)\\>, a\\`b\\$\\{alert\\(1\\)\\}"
    )


OG_URL_PAYLOAD = (
    "https://news.example/story)![pixel](https://tracker.example/og.png)"
    "[Log_in](https://evil.example/login)("
)


@pytest.mark.parametrize(
    "url",
    [
        OG_URL_PAYLOAD,
        "https://e.org/)[click](https://evil.example",
        "https://e.org/a_(b)",
        "https://e.org/((((((((((((((((((((((((((((((((((x",
        "https://e.org/a\\)[x](https://evil.example/\\",
        "https://e.org/<https://t.example>",
        "https://e.org/a)![x](http://t.example/p.png)",
    ],
)
def test_a_url_that_could_end_the_markdown_link_early_is_not_linked(url: str) -> None:
    cited = render.citation({"title": "T", "url": url})
    assert cited.url is None
    assert render.citation_markdown(cited) == "T"
    assert "href" not in render.citation_html(cited)


def test_a_percent_encoded_url_is_linked_as_it_is() -> None:
    url = "https://e.org/wiki/A_%28b%29?q=%5Bx%5D"
    assert render.citation_markdown(render.citation({"title": "T", "url": url})) == f"[T]({url})"


# ---- figures ----


def test_competing_figures_are_kept_apart() -> None:
    figures = render.figures_of("Participants", "≥1,000 (RFE/RL); ~2,000 (bureau.kz)")
    assert figures.written == "≥1,000 (RFE/RL); ~2,000 (bureau.kz)"
    assert figures.disagree
    assert [(f.words, f.source) for f in figures.figures] == [
        ("≥1,000", "RFE/RL"),
        ("~2,000", "bureau.kz"),
    ]
    assert render.figures_markdown("Participants", figures.written) == (
        "**Participants (sources disagree):**  \n"
        "&nbsp;&nbsp;• ≥1,000 (RFE/RL)  \n"
        "&nbsp;&nbsp;• \\~2,000 (bureau\\.kz)"
    )


@pytest.mark.parametrize(
    ("value", "markdown"),
    [
        ("12", "**Arrests:** 12"),
        ("22 (RFE/RL)", "**Arrests:** 22 \\(RFE/RL\\)"),
        ("", ""),
        (None, ""),
        (NAN, ""),
    ],
)
def test_one_figure_is_one_line(value: object, markdown: str) -> None:
    assert render.figures_markdown("Arrests", value) == markdown


def test_hostile_figures_are_escaped() -> None:
    markdown = render.figures_markdown("Arrests", f"{IMG} (a`b); [x](javascript:y) ({INTERP})")
    # Only the parentheses of '(sources disagree)' and around each source are Markdown's.
    assert unescaped(markdown, "[]()`$<>") == "()()()"
    assert "\\<img src=x onerror=alert\\(1\\)\\>" in markdown


# ---- an item's facts ----


def test_an_events_facts() -> None:
    record = event(
        assoc_actor_1="",
        participants="≥1,000 (RFE/RL); ~2,000 (bureau.kz)",
        arrests="22",
        notes="Counts differ.",
    )
    facts = render.item_facts(record, "event", [EXCERPT], render.source_index([SOURCE]))
    assert facts.kind == "event" and facts.item_id == "EV1"
    assert (facts.title, facts.category, facts.category_label) == (
        "Rally in Almaty",
        "protest",
        "Protests",
    )
    assert (facts.when, facts.where) == ("27 March 2021", "Almaty, Almaty (city), Kazakhstan")
    assert facts.precision is GeoPrecision.CITY and not facts.approximate
    assert facts.precision_words == "city centre; the place within the city is not known"
    assert facts.actors == ("Local activists",)
    assert facts.type_words == "Protests / Peaceful protest"
    assert [f.label for f in facts.figures] == ["Participants", "Arrests"]
    assert facts.written("Arrests") == "22" and facts.written("Fatalities") == ""
    assert facts.site_facts == ()
    assert facts.notes == "Counts differ." and facts.confidence == "high"
    assert facts.source == render.citation(SOURCE)
    (excerpt,) = facts.excerpts
    assert excerpt == render.ExcerptFacts(
        "X1", "hundreds gathered in Almaty", "characters 12–80", "SRC1", render.citation(SOURCE)
    )
    assert render.excerpt_citation_text(excerpt) == (
        f"{render.citation_text(render.citation(SOURCE))}, characters 12–80"
    )


def test_missing_values_are_left_out_of_the_facts() -> None:
    record = event(actor1=NAN, assoc_actor_1=None, notes=NAN, participants=NAN, arrests="")
    facts = render.item_facts(record, "event", [{**EXCERPT, "source_id": "GONE"}], {})
    assert facts.actors == () and facts.notes == "" and facts.figures == ()
    assert facts.source is None
    assert facts.excerpts[0].citation is None
    assert render.excerpt_citation_text(facts.excerpts[0]) == "characters 12–80"


@pytest.mark.parametrize("missing", [NAN, None, ""])
def test_a_record_missing_notes_publisher_and_end_shows_nothing_for_them(missing: object) -> None:
    record = event(notes=missing, date_end=missing, stop=date(2021, 4, 1), location=missing)
    source = {**SOURCE, "publisher": missing, "author": missing, "published": missing}
    facts = render.item_facts(record, "event", [EXCERPT], render.source_index([source]))
    assert (facts.notes, facts.when) == ("", "27 March 2021")
    assert facts.where == "Almaty (city), Kazakhstan"
    assert facts.source is not None and facts.source.details == ()
    panel = render.panel_markdown(facts)
    shown = [panel.facts, panel.source, panel.notes, *(x.caption for x in panel.excerpts)]
    assert not any("nan" in part.casefold() for part in shown)


ALMATY_ALSO = (
    "**Also called:** Verny \\(1855–1921\\), Alma\\-Ata \\(1921–1993\\), Almaty City, Алматы, "
    "阿拉木图, Almaato, Almata, Almati, Almato, Almatı and 12 more"
)


def test_a_sites_facts_hold_what_its_import_adds() -> None:
    record = site(
        geo_precision="region",
        amount=1327239417.0,
        currency_year="USD2021",
        sector="energy",
        provenance="AidData GCDF 3.0",
        licence="ODC-By 1.0",
    )
    facts = render.item_facts(record, "site")
    assert facts.title == "Consulate in Almaty" and facts.type_words == "consulate general"
    assert facts.approximate and facts.figures == ()
    assert dict(facts.site_facts) == {
        "Committed amount": "1,327,239,417 (USD, constant 2021)",
        "Sector": "Energy",
        "Imported from": "AidData GCDF 3.0",
        "Licence": "ODC-By 1.0",
    }
    assert render.item_markdown_lines(facts) == [
        "**When:** from August 2007 \\(month known, not the day\\)",
        "**Where:** Almaty, Almaty \\(city\\), Kazakhstan "
        "(approximate\\: somewhere in the region, point is a stand\\-in)",
        ALMATY_ALSO,
        "**Actors:** PRC MFA",
        "**Committed amount:** 1,327,239,417 \\(USD, constant 2021\\)",
        "**Sector:** Energy",
        "**Imported from:** AidData GCDF 3\\.0",
        "**Licence:** ODC\\-By 1\\.0",
    ]


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="kind"):
        render.item_facts(event(), "place")


# ---- the panel beside the map ----


def test_the_panel_of_an_event() -> None:
    record = event(participants="≥1,000 (RFE/RL); ~2,000 (bureau.kz)", arrests="22")
    facts = render.item_facts(record, "event", [EXCERPT], render.source_index([SOURCE]))
    panel = render.panel_markdown(facts)
    assert panel.heading == "#### Rally in Almaty"
    assert panel.caption == "Protests · EV1 · confidence high"
    assert panel.facts == (
        "**When:** 27 March 2021  \n"
        "**Where:** Almaty, Almaty \\(city\\), Kazakhstan "
        "(city centre; the place within the city is not known)  \n"
        f"{ALMATY_ALSO}  \n"
        "**Actors:** Local activists  \n"
        "**Participants (sources disagree):**  \n"
        "&nbsp;&nbsp;• ≥1,000 (RFE/RL)  \n"
        "&nbsp;&nbsp;• \\~2,000 (bureau\\.kz)  \n"
        "**Arrests:** 22"
    )
    assert panel.excerpts_heading == "**Excerpts (1)**"
    assert panel.excerpts == (
        render.ExcerptMarkdown(
            "> hundreds gathered in Almaty",
            f"{render.citation_markdown(render.citation(SOURCE))} · characters 12–80",
        ),
    )
    assert panel.no_excerpt == ""
    assert panel.source == f"**Source:** {render.citation_markdown(render.citation(SOURCE))}"
    assert (panel.notes, panel.notes_expanded) == ("", False)


def test_a_panel_without_excerpts_opens_its_notes() -> None:
    facts = render.item_facts(event(notes="Only one source."), "event")
    panel = render.panel_markdown(facts)
    assert panel.excerpts == () and panel.excerpts_heading == "**Excerpts (0)**"
    assert panel.no_excerpt == render.NO_EXCERPT
    assert panel.source == ""
    assert (panel.notes, panel.notes_expanded) == ("Only one source\\.", True)


def test_an_excerpt_of_an_unknown_source_has_an_empty_citation() -> None:
    facts = render.item_facts(event(), "event", [{**EXCERPT, "source_id": "GONE"}], {})
    (excerpt,) = render.panel_markdown(facts).excerpts
    assert excerpt.caption == " · characters 12–80"


def test_hostile_text_stays_inert_in_the_panel() -> None:
    record = event(
        title=MD_LINK,
        location=IMG,
        actor1=TICK,
        assoc_actor_1=INTERP,
        arrests=f"{IMG} (x); 5 ({MD_LINK})",
        notes=f"[click](javascript:alert(1)) {TICK}",
        confidence=INTERP,
    )
    hostile_source = {**SOURCE, "title": MD_LINK, "url": "https://e.org/)[x](https://evil"}
    hostile_excerpt = {**EXCERPT, "text": f"{IMG} {MD_LINK} {TICK} {INTERP}"}
    facts = render.item_facts(
        record, "event", [hostile_excerpt], render.source_index([hostile_source])
    )
    panel = render.panel_markdown(facts)
    data_parts = [panel.heading, panel.caption, panel.notes, panel.excerpts[0].quote[2:]]
    assert panel.excerpts[0].quote.startswith("> ")
    for part in data_parts:
        assert unescaped(part, "[]()`$<>") == "", part
    # Markdown's own parentheses in the facts: the precision's, '(sources disagree)' and
    # the two sources'; every one from the data is escaped.
    assert unescaped(panel.facts, "[]`$<>") == ""
    assert unescaped(panel.facts, "()") == "()()()()"
    # The source's link holds Markdown of its own: it is not linked, and nothing is.
    for cited in (panel.source, panel.excerpts[0].caption):
        assert unescaped(cited, "[]()`$<>") == "", cited


def test_a_view_that_matches_nothing_says_how_to_widen_it() -> None:
    state = ViewState(
        "2016-03",
        "2016-04",
        countries=("KGZ",),
        categories=("protest",),
        query="*zzz*",
        undated=False,
    )
    text = render.nothing_matches_markdown(state, "2013-09", "2024-07")
    assert text.startswith("**No event or site matches this view.**")
    assert "“\\*zzz\\*”" in text  # the search text is escaped for Markdown
    shown = text.replace("\\", "")  # what the reader sees
    for words in (
        "clear the search “*zzz*”",
        "add countries (now Kyrgyzstan only)",
        "add categories (now Protests only)",
        "widen the months (now March–April 2016)",
        "include events with unknown dates",
    ):
        assert words in shown, words
    whole = render.nothing_matches_markdown(ViewState("2013-09", "2024-07"), "2013-09", "2024-07")
    assert "holds nothing" in whole


# The Markdown payloads of the hostile corpus: an image, a script link and an autolink.
MD_PAYLOADS = (")![x](http://t.example/p.png)", "[a](javascript:alert(1))", "<https://t.example>")
EVENT_TEXT = (
    "title",
    "location",
    "admin1",
    "actor1",
    "assoc_actor_1",
    "notes",
    "event_type",
    "sub_event_type",
)
SITE_TEXT = ("name", "site_type", "actor1", "location", "admin1", "notes")
EVENT_FIGURES = ("participants", "arrests")
SOURCE_TEXT = ("title", "publisher", "author", "published")


@pytest.mark.parametrize("payload", MD_PAYLOADS)
def test_markdown_payloads_in_every_text_and_url_field_stay_text(payload: str) -> None:
    record = event(**{f: f"{f} {payload}" for f in (*EVENT_TEXT, "confidence")})
    record.update({f: f"12 ({payload}); 30 (other)" for f in EVENT_FIGURES})
    source = {**SOURCE, **{f: f"{f} {payload}" for f in SOURCE_TEXT}}
    source["url"] = f"https://news.example/story{payload}"
    excerpt = {**EXCERPT, "text": f"text {payload}"}
    facts = render.item_facts(record, "event", [excerpt], render.source_index([source]))
    panel = render.panel_markdown(facts)
    parts = [panel.heading, panel.caption, panel.facts, panel.notes, panel.source]
    parts += [panel.excerpts[0].quote[2:], panel.excerpts[0].caption]
    parts += [render.citation_markdown(render.citation(source))]
    for part in parts:
        # No bracket, angle bracket or '!' of the data acts: only the layout's parentheses.
        assert unescaped(part, "[]<>!") == "", part
        assert "t.example" not in part.replace("t\\.example", ""), part
    assert render.citation(source).url is None
    html = render.citation_html(render.citation(source))
    assert "href" not in html and "<https" not in html


@pytest.mark.parametrize("payload", MD_PAYLOADS)
def test_markdown_payloads_in_every_site_text_field_stay_text(payload: str) -> None:
    record = site(**{f: f"{f} {payload}" for f in SITE_TEXT})
    source = {**SOURCE, "url": f"https://news.example/site{payload}"}
    facts = render.item_facts(record, "site", [], render.source_index([source]))
    panel = render.panel_markdown(facts)
    parts = [panel.heading, panel.caption, panel.facts, panel.notes, panel.source]
    assert any("name" in part for part in parts) and any("notes" in part for part in parts)
    for part in parts:
        assert unescaped(part, "[]<>!") == "", part
        assert "t.example" not in part.replace("t\\.example", ""), part


def test_readers_see_sourcing_notes_without_the_working_notes() -> None:
    notes = (
        "AKIpress citing Radio Azattyq. | Coords: Karaganda (city centre) – gk."
        " | Single point given = eastern terminus proxy; draw as polyline via waypoint cities."
    )
    shown = render.reader_notes(notes)
    assert shown == "AKIpress citing Radio Azattyq. | Single point given = eastern terminus proxy."
    assert render.reader_notes("Coords: gk (approx. campus; verify on OSM).") == ""
    record = event(notes=notes)
    panel = render.panel_markdown(render.item_facts(record, "event", [], {}))
    assert "gk" not in panel.notes and "Coords" not in panel.notes
    assert "AKIpress citing Radio Azattyq" in panel.notes
    # What readers do not see is what the About page lists, and nothing else.
    assert render.working_notes(notes) == (
        "Coords: Karaganda (city centre) – gk. | draw as polyline via waypoint cities"
    )
    assert render.working_notes("AKIpress citing Radio Azattyq.") == ""
    # A note with no sourcing part before its working note (as stored, after trimming).
    assert render.reader_notes("| Coords: Nur-Sultan (MFA briefing) – gk.") == ""
    assert render.working_notes("| Coords: Nur-Sultan (MFA briefing) – gk.") == (
        "Coords: Nur-Sultan (MFA briefing) – gk."
    )
