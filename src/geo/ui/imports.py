"""Streamlit pieces of the import page: for a CSV, whether its rows are events or sites, a
preview of the uploaded file and one picker per field listing the file's columns (see
:mod:`geo.importers.columns`), the layer, and a site list's provenance and licence."""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import streamlit as st
from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
from streamlit.runtime.scriptrunner import get_script_run_ctx
from streamlit.runtime.uploaded_file_manager import UploadedFile

from geo import importers, query, safe_html
from geo.bundle import Bundle
from geo.importers.columns import (
    FIELD_LABELS,
    HEAD_BYTES,
    MAIN_FIELDS,
    CsvPreview,
    guess_columns,
    mapping_fields,
    picked_mapping,
    preview_csv,
    shared_columns,
    upload_name,
)
from geo.importers.rejects import SHOWN
from geo.model import Category
from geo.store import Store, StoreNotWritable, store_for, store_path
from geo.ui import database

ROWS = {"events": False, "sites (facilities, projects)": True}
DELIMITER_NAMES = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "vertical bars"}
NONE = "— none —"


@dataclass(frozen=True)
class CsvChoice:
    """What the form decided: rows as sites or events, the importer's mapping, the layer of
    rows that name none, and (sites) the file's provenance and licence. ``ready`` when a
    file was read and latitude and longitude each have a column."""

    sites: bool
    mapping: dict[str, str] = field(default_factory=dict)
    category: Category | None = None
    provenance: str = ""
    licence: str = ""
    ready: bool = False


def _column_label(column: str) -> str:
    # Selectbox options are drawn as plain text: the name is shown as the file spells it.
    return safe_html.plain(column)


def _preview_table(preview: CsvPreview) -> pd.DataFrame:
    names = [name or f"(column {i + 1}, unnamed)" for i, name in enumerate(preview.header)]
    return pd.DataFrame(preview.rows, columns=names, dtype=str)


def _pickers(preview: CsvPreview, sites: bool) -> dict[str, str | None]:
    fields = mapping_fields(sites)
    guesses = guess_columns(preview, fields)
    options = preview.columns
    # A new file (another header) gets fresh pickers with its own guesses.
    digest = hashlib.sha1("\x1f".join(preview.header).encode()).hexdigest()[:10]
    rows = "sites" if sites else "events"
    picks: dict[str, str | None] = {}

    def picker(name: str) -> None:
        guess = guesses.get(name)
        picks[name] = st.selectbox(
            FIELD_LABELS.get(name, name),
            options,
            index=options.index(guess) if guess in options else None,
            format_func=_column_label,
            placeholder=NONE,
            key=f"import_pick_{rows}_{name}_{digest}",
        )

    main = [f for f in fields if f in MAIN_FIELDS]
    for start in range(0, len(main), 4):
        for column, name in zip(st.columns(4), main[start : start + 4], strict=False):
            with column:
                picker(name)
    with st.expander("More fields"):
        more = [f for f in fields if f not in MAIN_FIELDS]
        for start in range(0, len(more), 4):
            for column, name in zip(st.columns(4), more[start : start + 4], strict=False):
                with column:
                    picker(name)
    return picks


def _layer_and_credits(sites: bool) -> tuple[Category | None, str, str]:
    """The layer of rows that name none, and (sites) the file's provenance and licence."""
    layer, provenance_column, licence_column = st.columns([1, 1.4, 1.4])
    help_text = "The map layer of rows whose own category column (if any) is empty."
    with layer:
        if not sites:
            category: Category | None = st.selectbox(
                "Layer",
                [None, *Category],
                format_func=lambda c: "From each row's event type" if c is None else c.label,
                key="import_category_events",
                help=help_text,
            )
            return category, "", ""
        category = st.selectbox(
            "Layer",
            list(Category),
            index=list(Category).index(Category.OTHER),
            format_func=lambda c: c.label,
            key="import_category_sites",
            help=help_text,
        )
    with provenance_column:
        provenance = st.text_input(
            "Provenance (optional)",
            key="import_provenance",
            placeholder="where the file comes from: publisher, release",
            help="Shown on the About page and in every export that holds these sites.",
        )
    with licence_column:
        licence = st.text_input(
            "Licence or terms (optional)",
            key="import_licence",
            placeholder="as the publisher states them",
        )
    return category, provenance, licence


def _typed_mapping(sites: bool) -> dict[str, str] | None:
    """The advanced text mapping (None, with the reason shown, when it cannot be read)."""
    with st.expander("Column mapping as text (advanced)"):
        text = st.text_input(
            "Column mapping",
            key="import_map",
            placeholder="lat=Y,lon=X,id=uid,name=label" if sites else "lat=Y,lon=X,date=day",
            help="field=column pairs; they override the pickers.",
        )
    try:
        return importers.parse_mapping(text, sites=sites)
    except ValueError as exc:
        st.error(f"Column mapping: {safe_html.markdown(exc, max_len=300)}")
        return None


def csv_form(upload: UploadedFile | None) -> CsvChoice:
    """The CSV part of the import page: rows are events or sites, the layer, for sites the
    provenance and licence, then a preview of the file and its columns picked for the
    atlas's fields (pre-selected where a name obviously matches)."""
    sites = ROWS[st.radio("Rows are", list(ROWS), horizontal=True, key="import_rows")]
    category, provenance, licence = _layer_and_credits(sites)
    if upload is None:
        typed = _typed_mapping(sites)
        st.caption("Upload a file to pick its columns.")
        return CsvChoice(sites, typed or {}, category, provenance, licence)
    try:
        # The start of the file is all a preview reads (and a byte more, which tells it
        # whether the file goes on). read(), not getbuffer(): a buffer of the upload
        # would copy all of it on every rerun.
        upload.seek(0)
        preview = preview_csv(upload.read(HEAD_BYTES + 1))
    except importers.UnreadableFile as exc:
        st.error(f"This file cannot be imported: {safe_html.markdown(exc, max_len=400)}")
        return CsvChoice(sites)
    st.markdown(
        f"**{len(preview.header)} column(s)**, split on "
        f"{DELIMITER_NAMES.get(preview.delimiter, 'commas')}; "
        f"the first {len(preview.rows)} row(s):"
    )
    st.dataframe(_preview_table(preview), hide_index=True, width="stretch")
    st.markdown("**Which column holds each field**")
    st.caption(
        "Guessed from the columns' names where they obviously match; check them. "
        + (
            "Columns not picked that hold text are kept in each site's notes."
            if sites
            else "Without an id, a row's id is a digest of its values; without a country, "
            "the point's area decides."
        )
    )
    picks = picked_mapping(_pickers(preview, sites))
    typed = _typed_mapping(sites)
    if typed is None:
        return CsvChoice(sites)
    mapping = {**picks, **typed}
    missing = [FIELD_LABELS[f] for f in ("latitude", "longitude") if not mapping.get(f)]
    if missing:
        st.warning(f"Pick the column that holds the {' and the '.join(missing).lower()}.")
    clash = False
    for column, fields in shared_columns(picks).items():
        named = " and ".join(FIELD_LABELS.get(f, f) for f in fields)
        quoted = safe_html.markdown(_column_label(column), max_len=80)
        if {"latitude", "longitude"} <= set(fields):
            clash = True
            st.error(f"{named} are both picked as {quoted}: pick the column that holds each.")
        else:
            st.info(f"{named} are read from the same column, {quoted}; check that is meant.")
    ready = not missing and not clash
    return CsvChoice(sites, mapping, category, provenance, licence, ready=ready)


def _saved(folder: Path, upload: UploadedFile) -> Path:
    """The upload written under its own (cleaned) name in ``folder``."""
    folder.mkdir()
    path = folder / upload_name(upload.name)
    upload.seek(0)
    with path.open("wb") as handle:
        shutil.copyfileobj(upload, handle, 1 << 20)  # a block at a time, not a second copy
    return path


def _as_uploaded(message: str, *paths: Path | None) -> str:
    """A message about the saved uploads naming each by its file name, as the person who
    uploaded it knows it, never by the server's temporary folder."""
    for path in paths:
        if path is not None:
            message = message.replace(str(path), path.name)
    return message


# The uploaders' keys end in the number of imports done in the session: after an import
# the page shows fresh, empty uploaders, and the uploaded files are let go.
ROUND = "import_round"


def _uploader_key(name: str) -> str:
    return f"{name}_{st.session_state.get(ROUND, 0)}"


def _let_go(*uploads: UploadedFile | None) -> None:
    """Forget the uploads once imported: Streamlit keeps each upload's bytes in memory for
    as long as its uploader holds it, so the page's uploaders are replaced by empty ones and
    the files dropped from the session's uploads; then the memory the import freed goes back
    to the system."""
    st.session_state[ROUND] = st.session_state.get(ROUND, 0) + 1
    ctx = get_script_run_ctx()
    if ctx is not None and isinstance(ctx.uploaded_file_mgr, MemoryUploadedFileManager):
        for upload in uploads:
            if upload is not None:
                ctx.uploaded_file_mgr.remove_file(ctx.session_id, upload.file_id)
    importers.release_memory()


def run_import(
    store: Store,
    kind: str,
    upload: UploadedFile,
    choice: CsvChoice | None,
    mapping_text: str,
    deletions: UploadedFile | None,
) -> None:
    """Import the uploaded file as ``kind`` with a progress bar, keep the result for
    :func:`show_result`, and rerun so the page's counts include the new rows."""
    bar = st.progress(0.0, text="Reading the file…")

    def progress(done: int, total: int) -> None:
        bar.progress(min(done / total, 1.0) if total else 1.0, text=f"{done:,} of {total:,} bytes")

    with tempfile.TemporaryDirectory() as folder:
        # Each upload keeps its name (in a folder of its own): it identifies an AidData file or
        # a site list among the store's imports (and prefixes a site list's ids), and it is
        # how a message names the file to the person who uploaded it.
        path = _saved(Path(folder) / "file", upload)
        deleted = None if deletions is None else _saved(Path(folder) / "deletions", deletions)
        result: importers.ImportResult  # a SiteImportResult for AidData and site lists
        try:
            if kind == "aiddata":
                result = importers.import_aiddata(path, store, progress=progress)
            elif kind == "acled":
                result = importers.import_acled(path, store, deletions=deleted, progress=progress)
            elif choice is not None and choice.sites:
                result = importers.import_csv_sites(
                    path,
                    store,
                    choice.mapping,
                    category=choice.category or Category.OTHER,
                    progress=progress,
                    provenance=choice.provenance,
                    licence=choice.licence,
                )
            elif choice is not None:
                result = importers.import_csv(
                    path,
                    store,
                    choice.mapping,
                    deletions=deleted,
                    progress=progress,
                    category=choice.category,
                )
            else:
                mapping = importers.parse_mapping(mapping_text)
                result = importers.import_geojson(
                    path, store, mapping, deletions=deleted, progress=progress
                )
        except (importers.UnreadableFile, ValueError, StoreNotWritable) as exc:
            bar.empty()  # a shared database whose role may only read says so here too
            shown = _as_uploaded(str(exc), path, deleted)
            st.error(f"Nothing imported: {safe_html.markdown(shown, max_len=400)}")
            st.stop()
    bar.progress(1.0, text="Done")
    st.session_state["import_result"] = result
    st.session_state["import_kind"] = kind
    st.session_state["import_name"] = upload_name(upload.name)
    _let_go(upload, deletions)
    st.rerun()  # the counts at the top include the rows just imported


def show_result() -> None:
    """The last import's counts, its notes, and every rejected row or feature with its
    position and reason (downloadable)."""
    result = st.session_state.get("import_result")
    if result is None:
        return
    position = "feature" if st.session_state.get("import_kind") == "aiddata" else "line"
    message = f"Loaded {result.loaded:,} row(s), rejected {result.rejected:,}: " + (
        f"{result.counts.new:,} new, {result.counts.updated:,} updated, "
        f"{result.counts.unchanged:,} unchanged, {result.counts.deleted:,} deleted."
    )
    (st.success if result.loaded else st.warning)(message)
    name = st.session_state.get("import_name")
    if name:
        st.caption(
            f"From {safe_html.markdown(name, max_len=120)}. The file is no longer held by the "
            "page: upload it again to import it again."
        )
    notes = getattr(result, "warnings", [])
    if notes:
        with st.expander(f"Notes on the loaded rows ({len(notes)})", expanded=True):
            st.markdown("\n".join(f"- {safe_html.markdown(n, max_len=400)}" for n in notes[:200]))
    if result.rejects:
        rejects: importers.Rejects = result.rejects
        st.subheader(f"Rejected {position}s ({result.rejected:,})")
        shown = pd.DataFrame(
            [(r.line, r.reason) for r in rejects.first], columns=[position, "reason"]
        )
        st.dataframe(shown, hide_index=True, width="stretch")
        if result.rejected > len(shown):
            st.caption(
                f"The first {len(shown):,} by {position}; {result.rejected - len(shown):,} "
                "more are in the download, which lists every one."
            )
        st.download_button(
            "Download the rejects (CSV)",
            # Made when asked for, from the import's rejects (most of them in a file).
            lambda: importers.rejects_csv(rejects, position),
            file_name="rejects.csv",
            mime="text/csv",
        )


FORMATS = {
    "ACLED export (CSV)": "acled",
    "CSV with a column mapping": "csv",
    "GeoJSON": "geojson",
    "AidData GCDF projects (GeoJSON)": "aiddata",
}


def store_summary(data: Bundle) -> None:
    """What the store holds and where imports go, and how they are matched."""
    events, sites = query.store_summary(data)
    where = store_path()
    shared = database.where()
    st.markdown(
        f"The store holds **{events:,} events** and **{sites:,} imported sites**. "
        + (
            f"Imports go into the shared database `{shared}`: every dashboard on it shows them."
            if shared
            # The file's name only: a visitor learns nothing of the server's folders.
            else f"Imports go into the store file {safe_html.markdown(Path(where).name)} and "
            "are kept across restarts."
            if where
            else "Imports go into the app's in-memory store and last until the server restarts "
            "(set `GEO_STORE` to a file to keep them)."
        )
    )
    st.caption(
        "Rows are matched by their id: importing a file again changes nothing, and a newer "
        "ACLED `timestamp` replaces a row. Rejected rows are listed below with their line and "
        f"reason (the first {SHOWN:,}; the download holds every one); the rest load. An import "
        "is all or nothing: a failure half way leaves the store as it was."
    )
    st.caption(
        "AidData GCDF: the geospatial GeoJSON of the 2.0 or 3.0 release (one "
        "FeatureCollection, several, or one Feature per line). Each project becomes a Belt and "
        "Road site with its footprint, amount, sector and dates, matched by AidData's project "
        "id; a rejected feature is listed by its number in the file. Credit AidData (ODC-By "
        "1.0) and OpenStreetMap contributors (ODbL 1.0) when you use them."
    )


def import_form(data: Bundle) -> None:
    """The format, the file (a CSV's columns picked for the atlas's fields), a deletions
    list, and the Import button."""
    kind = FORMATS[st.radio("Format", list(FORMATS), horizontal=True, key="import_format")]
    upload = st.file_uploader(
        "File",
        type=["geojson", "json"] if kind in ("geojson", "aiddata") else ["csv", "txt"],
        key=_uploader_key("import_file"),
    )
    mapping_text = ""
    choice = csv_form(upload) if kind == "csv" else None
    if kind == "geojson":
        mapping_text = st.text_input(
            "Column mapping",
            key="import_map",
            placeholder="lat=Y,lon=X,id=uid,date=day,country=cc,title=label",
            help="field=column pairs; fields left out are read from a column of the same name.",
        )
    deletions = (
        None
        if kind == "aiddata" or (choice is not None and choice.sites)
        else st.file_uploader(
            "Deletions list (optional)", type=["csv", "txt"], key=_uploader_key("import_deletions")
        )
    )
    ready = upload is not None and (choice is None or choice.ready)
    if st.button("Import", icon=":material/database:", disabled=not ready, type="primary"):
        assert upload is not None
        run_import(store_for(data), kind, upload, choice, mapping_text, deletions)
