"""Import: upload an ACLED export, a CSV of events or sites (its columns picked for the
atlas's fields), a GeoJSON or AidData's GCDF projects into the app's store; see the rejects."""

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from geo import importers, safe_html, ui, ui_db, ui_import
from geo.importers.columns import upload_name
from geo.model import Category
from geo.store import store_for, store_path

ui.entry_guard()

FORMATS = {
    "ACLED export (CSV)": "acled",
    "CSV with a column mapping": "csv",
    "GeoJSON": "geojson",
    "AidData GCDF projects (GeoJSON)": "aiddata",
}

data = ui.bundle()
store = store_for(data)

st.title("Import events and sites")
where = store_path()
database = ui_db.where()
st.markdown(
    f"The store holds **{store.size():,} events** and "
    f"**{int(store.imports()['rows'].sum()):,} imported sites**. "
    + (
        f"Imports go into the shared database `{database}`: every dashboard on it shows them."
        if database
        else f"Imports go into the store file `{where}` and are kept across restarts."
        if where
        else "Imports go into the app's in-memory store and last until the server restarts "
        "(set `GEO_STORE` to a file to keep them)."
    )
)
st.caption(
    "Rows are matched by their id: importing a file again changes nothing, and a newer ACLED "
    "`timestamp` replaces a row. Every rejected row is listed below with its line and reason; "
    "the rest load. An import is all or nothing: a failure half way leaves the store as it was."
)
st.caption(
    "AidData GCDF: the geospatial GeoJSON of the 2.0 or 3.0 release (one FeatureCollection, "
    "several, or one Feature per line). Each project becomes a Belt and Road site with its "
    "footprint, amount, sector and dates, matched by AidData's project id; a rejected feature "
    "is listed by its number in the file. Credit AidData (ODC-By 1.0) and OpenStreetMap "
    "contributors (ODbL 1.0) when you use them."
)

kind = FORMATS[st.radio("Format", list(FORMATS), horizontal=True, key="import_format")]
upload = st.file_uploader(
    "File",
    type=["geojson", "json"] if kind in ("geojson", "aiddata") else ["csv", "txt"],
    key="import_file",
)
mapping_text = ""
choice = ui_import.csv_form(upload) if kind == "csv" else None
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
    else st.file_uploader("Deletions list (optional)", type=["csv", "txt"], key="import_deletions")
)

ready = upload is not None and (choice is None or choice.ready)
if st.button("Import", icon=":material/database:", disabled=not ready, type="primary"):
    bar = st.progress(0.0, text="Reading the file…")

    def progress(done: int, total: int) -> None:
        bar.progress(min(done / total, 1.0) if total else 1.0, text=f"{done:,} of {total:,} bytes")

    with tempfile.TemporaryDirectory() as folder:
        # AidData files and site lists keep their name: it identifies the file among the
        # store's imports (and prefixes a site list's ids).
        keep_name = kind == "aiddata" or (choice is not None and choice.sites)
        path = Path(folder) / (upload_name(upload.name) if keep_name else "upload")
        path.write_bytes(upload.getvalue())
        deleted = None
        if deletions is not None:
            deleted = Path(folder) / "deletions.csv"
            deleted.write_bytes(deletions.getvalue())
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
                result = importers.import_geojson(path, store, mapping, deletions=deleted)
        except (importers.UnreadableFile, ValueError) as exc:
            bar.empty()
            st.error(f"Nothing imported: {safe_html.markdown(exc, max_len=400)}")
            st.stop()
    bar.progress(1.0, text="Done")
    st.session_state["import_result"] = result
    st.session_state["import_kind"] = kind
    st.rerun()  # the counts at the top include the rows just imported

result = st.session_state.get("import_result")
if result is not None:
    position = "feature" if st.session_state.get("import_kind") == "aiddata" else "line"
    message = f"Loaded {result.loaded:,} row(s), rejected {result.rejected:,}: " + (
        f"{result.counts.new:,} new, {result.counts.updated:,} updated, "
        f"{result.counts.unchanged:,} unchanged, {result.counts.deleted:,} deleted."
    )
    (st.success if result.loaded else st.warning)(message)
    notes = getattr(result, "warnings", [])
    if notes:
        with st.expander(f"Notes on the loaded rows ({len(notes)})", expanded=True):
            st.markdown("\n".join(f"- {safe_html.markdown(n, max_len=400)}" for n in notes[:200]))
    if result.rejects:
        st.subheader(f"Rejected {position}s ({result.rejected:,})")
        rejects = pd.DataFrame(
            [{position: r.line, "reason": r.reason} for r in result.rejects]
        ).sort_values(position)
        st.dataframe(rejects, hide_index=True, width="stretch")
        st.download_button(
            "Download the rejects (CSV)",
            rejects.to_csv(index=False),
            file_name="rejects.csv",
            mime="text/csv",
        )
