"""Streamlit pieces of the ingest page: running ingestion with a progress bar, the last
run's report, and the review queue with accept / edit / reject per candidate.

Every string from an article, a file name or the queue goes through :mod:`geo.safe_html`
before Streamlit renders it as Markdown.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import streamlit as st

from geo import safe_html
from geo.ingest import pipeline, review
from geo.ingest.extract import date_words
from geo.ingest.language import name_of
from geo.ingest.pipeline import FileReport, Settings
from geo.ingest.reader import MAX_BYTES, SUFFIXES
from geo.ingest.store import store_dir
from geo.model import AREAS, CATEGORY_LABELS, Category, Confidence, GeoPrecision, TimePrecision
from geo.ui import data as loaders
from geo.ui import database, state

REPORTS_KEY = "ingest_reports"
MESSAGE_KEY = "ingest_message"
NOTE_KEY = "ingest_database_note"
SHOW_KEY = "ingest_show"
PAGE_SIZE = 40


def settings(published: date | None = None) -> Settings:
    """Ingestion settings for the app's data folder (``GEO_DATA_DIR``), its article store
    (``GEO_STORE_DIR``) and review queue (``GEO_QUEUE``)."""
    data = loaders.data_dir()
    return Settings.for_data(
        data, store=store_dir(data), corpus=loaders.corpus_dir(), published=published
    )


def md(value: object, max_len: int | None = None) -> str:
    """Text made inert for Streamlit Markdown (see :func:`geo.safe_html.markdown`)."""
    return safe_html.markdown(value, max_len=max_len)


# ---- the forms ----


def upload_form() -> None:
    """Article files and their publication date; extracting clears the form."""
    with st.form("ingest_upload", clear_on_submit=True, border=False):
        files = st.file_uploader(
            "Article files",
            type=[s.lstrip(".") for s in SUFFIXES],
            accept_multiple_files=True,
            max_upload_size=MAX_BYTES // 1_000_000,
            help="Text, Markdown or HTML, in UTF-8.",
        )
        published = st.date_input(
            "Publication date",
            value=None,
            key="published_upload",
            help="Used for dates such as 'On March 27' when the article has no date line.",
        )
        if st.form_submit_button("Extract candidates", icon=":material/upload_file:"):
            ingest_uploads(files or [], published)


def paste_form() -> None:
    """A pasted article's title, publication date and text."""
    with st.form("ingest_paste", border=False):
        title = st.text_input("Title", key="paste_title")
        pasted_published = st.date_input("Publication date", value=None, key="published_paste")
        text = st.text_area("Article text", height=220, key="paste_text")
        if st.form_submit_button(
            "Extract candidates from the text", icon=":material/content_paste:"
        ):
            ingest_text(text, title, pasted_published)


# ---- running ingestion ----


def ingest_uploads(files: Sequence[Any], published: date | None) -> None:
    """Ingest uploaded files one by one under a progress bar; keep the reports."""
    if not files:
        st.warning("Choose one or more article files first.")
        return
    config = settings(published)
    bar = st.progress(0.0, text="Reading the articles…")
    reports: list[FileReport] = []
    for number, upload in enumerate(files, start=1):
        reports.append(pipeline.ingest_bytes(upload.name, upload.getvalue(), config))
        bar.progress(number / len(files), text=md(f"{number} of {len(files)}: {upload.name}"))
    _keep(reports)


def ingest_text(text: str, title: str, published: date | None) -> None:
    """Ingest pasted article text; keep the report."""
    if not text.strip():
        st.warning("Paste the article's text first.")
        return
    bar = st.progress(0.0, text="Reading the article…")
    report = pipeline.ingest_pasted(text, settings(published), title=title)
    bar.progress(1.0, text=md(f"1 of 1: {report.name}"))
    _keep([report])


def _keep(reports: list[FileReport]) -> None:
    st.session_state[REPORTS_KEY] = [
        {
            "name": r.name,
            "error": r.error,
            "notices": r.notices,
            "count": len(r.records),
            "new": r.new,
            "source_id": r.source_id,
            "published": r.published,
            "new_version": r.new_version,
            "language": r.language_name,
        }
        for r in reports
    ]
    st.session_state[SHOW_KEY] = "pending"


def last_reports() -> None:
    """What the last run did, one line per file; refused files in red with the reason."""
    for r in st.session_state.get(REPORTS_KEY, []):
        name = f"**{md(r['name'], 120)}**"
        if r["error"]:
            st.error(f"{name}: not ingested: {md(r['error'])}", icon=":material/error:")
            continue
        words = f"{r['count']} candidate(s), {r['new']} new"
        if r.get("language"):
            words += f"; read as {r['language']}"
        if r["count"] and not r["new"]:
            words += " (all were already in the queue: nothing changed)"
        if r["new_version"]:
            words += f"; an edited version of a known article, kept as {md(r['source_id'])}"
        if not r["published"]:
            words += "; publication date unknown"
        notices = "".join(f"\n- {md(n)}" for n in r["notices"])
        box = st.success if r["new"] else st.info
        box(f"{name}: {md(words)}{notices}", icon=":material/description:")


# ---- the review queue ----


def _flash(ok: bool, message: str) -> None:
    st.session_state[MESSAGE_KEY] = (ok, message)


def _accept(config: Settings, cid: str, edits: dict[str, str] | None = None) -> review.Decision:
    """Accept a candidate into the data folder, then send the folder's new curated data to
    the shared database (if any); a note when it was not sent, shown with the decision's
    message."""
    before = loaders.folder_bundle().version
    decision = review.accept(config.queue, cid, config.data_dir, config.store_dir, edits)
    if decision.ok:
        note = database.publish(loaders.folder_bundle(), replacing=before)
        if note:
            st.session_state[NOTE_KEY] = note
    return decision


def _show_flash() -> None:
    flashed = st.session_state.pop(MESSAGE_KEY, None)
    if flashed:
        ok, message = flashed
        (st.success if ok else st.error)(md(message))
    note = st.session_state.pop(NOTE_KEY, None)
    if note:
        st.warning(note, icon=":material/sync_problem:")


def _finish_interrupted(config: Settings) -> None:
    """Complete an accept that was interrupted (its rows and the queue left half-changed),
    and send the result to the shared database as an accept would."""
    if not review.interrupted(config.data_dir):
        return
    before = loaders.folder_bundle().version
    decision = review.finish_interrupted(config.data_dir)
    if decision is None:
        return
    _flash(decision.ok, decision.message)
    if decision.ok:
        note = database.publish(loaders.folder_bundle(), replacing=before)
        if note:
            st.session_state[NOTE_KEY] = note


def review_queue() -> None:
    """The queue: counts, a status filter, and a card per candidate."""
    config = settings()
    _finish_interrupted(config)
    queue = config.queue
    items = queue.items()
    counts = queue.counts()
    st.subheader("Review queue")
    st.caption(
        md(
            f"{counts['pending']} waiting, {counts['accepted']} accepted, "
            f"{counts['rejected']} rejected · queue file {config.queue_path.name}"
        )
    )
    _show_flash()
    st.session_state.setdefault(SHOW_KEY, "pending")
    show = st.segmented_control(
        "Show",
        options=["pending", "accepted", "rejected", "all"],
        format_func=lambda s: {"pending": "Waiting"}.get(s, s.capitalize()),
        key=SHOW_KEY,
    )
    shown = [i for i in items if show in (None, "all") or i.get("status") == show]
    if not shown:
        st.caption("Nothing here. Upload or paste an article above to fill the queue.")
        return
    for item in shown[:PAGE_SIZE]:
        _card(item, config)
    if len(shown) > PAGE_SIZE:
        st.caption(f"… and {len(shown) - PAGE_SIZE} more: decide on these first.")


def _card(item: dict, config: Settings) -> None:
    cid = str(item["candidate_id"])
    status = str(item.get("status", "pending"))
    values = review.event_values(item, item.get("edits") or {})
    with st.container(border=True, key=f"card_{cid}"):
        st.markdown(f"**{md(values['title'])}**")
        st.markdown(_summary(values))
        st.markdown(f"> {md(item.get('excerpt', ''))}")
        for span in item.get("supporting") or []:
            st.markdown(f"> {md(span.get('excerpt', ''))}")
        facts = [
            f"Source: {md(item.get('source', ''))}, characters "
            f"{md(item.get('char_start'))}–{md(item.get('char_end'))}",
        ]
        if item.get("language"):
            facts.append(f"Language: {md(name_of(str(item['language'])))}")
        for label, key in (("Actors", "actor1"), ("Participants", "participants")):
            if values[key]:
                facts.append(f"{label}: {md(values[key])}")
        if values["arrests"]:
            facts.append(f"Arrests: {md(values['arrests'])}")
        facts.append(md(item.get("notes", ""), 300))
        if item.get("place_alternatives"):
            facts.append(
                "Other readings of the place: " + md("; ".join(item["place_alternatives"]))
            )
        st.caption(" · ".join(facts))
        if item.get("known_excerpt_ids"):
            st.info(
                "This sentence is already quoted in the data as "
                + md(", ".join(item["known_excerpt_ids"]))
                + ": accepting adds an event that reuses that excerpt."
            )
        if status == "accepted":
            _accepted(item)
        elif status == "rejected":
            st.caption(f"Rejected. {md(item.get('reason', ''))}")
            if st.button("Back to the queue", key=f"restore_{cid}", icon=":material/undo:"):
                decision = review.restore(config.queue, cid)
                if not decision.ok:
                    _flash(False, _decision_words(decision))
                st.rerun()
        else:
            _decide(item, values, config)


def _summary(values: dict[str, str]) -> str:
    """Category · date · place (precision), tolerant of a hand-edited queue file."""
    labels = {c.value: label for c, label in CATEGORY_LABELS.items()}
    precisions = {p.value: p.description for p in GeoPrecision}
    area = AREAS.get(values["iso"])
    try:
        when = date_words(values["event_date"], values["time_precision"])
    except (ValueError, IndexError):
        when = values["event_date"]
    parts = [
        md(labels.get(values["category"], values["category"])),
        md(when),
        f"{md(values['location'])}, {md(area.name if area else values['iso'])} "
        f"({md(precisions.get(values['geo_precision'], values['geo_precision']))})",
    ]
    return " · ".join(parts)


def _accepted(item: dict) -> None:
    event_id = str(item.get("event_id", ""))
    st.caption(f"Accepted as {md(event_id)}.")
    if st.button("Show on the map", key=f"map_{item['candidate_id']}", icon=":material/map:"):
        if event_id not in loaders.bounds_of(loaders.bundle()).ids:
            st.error(f"{md(event_id)} is not in the loaded data (was a row refused?).")
            return
        state.select(event_id)
        st.switch_page("pages/map.py")


def _decide(item: dict, values: dict[str, str], config: Settings) -> None:
    cid = str(item["candidate_id"])
    accept_col, reject_col, _ = st.columns([0.2, 0.2, 0.6])
    if accept_col.button("Accept", key=f"accept_{cid}", icon=":material/check:", type="primary"):
        decision = _accept(config, cid)
        _flash(decision.ok, _decision_words(decision))
        st.rerun()
    if reject_col.button("Reject", key=f"reject_{cid}", icon=":material/close:"):
        decision = review.reject(config.queue, cid)
        _flash(decision.ok, _decision_words(decision))
        st.rerun()
    with (
        st.expander("Edit, then accept", icon=":material/edit:"),
        st.form(key=f"edit_{cid}", border=False),
    ):
        edits = _edit_fields(cid, values)
        if st.form_submit_button("Save and accept", icon=":material/check:"):
            decision = _accept(config, cid, edits)
            if decision.ok:
                _flash(True, _decision_words(decision))
                st.rerun()
            st.error(md(_decision_words(decision)))


def _decision_words(decision: review.Decision) -> str:
    words = decision.message
    if decision.ok and decision.event_id:
        words = f"Accepted: {decision.event_id} is in the data and on the map."
    if decision.warnings:
        words += " Warning: " + "; ".join(decision.warnings)
    return words


def _choice(label: str, options: list[str], value: str, key: str) -> str:
    index = options.index(value) if value in options else 0
    return str(st.selectbox(label, options, index=index, key=key))


def _edit_fields(cid: str, values: dict[str, str]) -> dict[str, str]:
    labels = review.EDITABLE
    edits: dict[str, str] = {}
    edits["title"] = st.text_input(labels["title"], values["title"], key=f"{cid}_title")
    left, right = st.columns(2)
    with left:
        edits["event_date"] = st.text_input(
            labels["event_date"], values["event_date"], key=f"{cid}_event_date"
        )
        edits["category"] = _choice(
            labels["category"], [c.value for c in Category], values["category"], f"{cid}_cat"
        )
        edits["location"] = st.text_input(labels["location"], values["location"], key=f"{cid}_loc")
        edits["latitude"] = st.text_input(labels["latitude"], values["latitude"], key=f"{cid}_lat")
        edits["actor1"] = st.text_input(labels["actor1"], values["actor1"], key=f"{cid}_actors")
        edits["arrests"] = st.text_input(labels["arrests"], values["arrests"], key=f"{cid}_arr")
    with right:
        edits["time_precision"] = _choice(
            labels["time_precision"],
            [p.value for p in TimePrecision],
            values["time_precision"],
            f"{cid}_tp",
        )
        edits["iso"] = _choice(labels["iso"], list(AREAS), values["iso"], f"{cid}_iso")
        edits["admin1"] = st.text_input(labels["admin1"], values["admin1"], key=f"{cid}_adm")
        edits["longitude"] = st.text_input(
            labels["longitude"], values["longitude"], key=f"{cid}_lon"
        )
        edits["participants"] = st.text_input(
            labels["participants"], values["participants"], key=f"{cid}_part"
        )
        edits["geo_precision"] = _choice(
            labels["geo_precision"],
            [p.value for p in GeoPrecision],
            values["geo_precision"],
            f"{cid}_gp",
        )
    edits["confidence"] = _choice(
        labels["confidence"], [c.value for c in Confidence], values["confidence"], f"{cid}_conf"
    )
    edits["notes"] = st.text_area(labels["notes"], values["notes"], key=f"{cid}_notes")
    return edits
