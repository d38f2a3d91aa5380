"""Import: upload an ACLED export, a CSV or a GeoJSON into the app's store; see the rejects."""

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from geo import importers, ui
from geo.store import store_for, store_path

ui.entry_guard()

FORMATS = {"ACLED export (CSV)": "acled", "CSV with a column mapping": "csv", "GeoJSON": "geojson"}

data = ui.bundle()
store = store_for(data)

st.title("Import events")
where = store_path()
st.markdown(
    f"The store holds **{store.size():,} events**. "
    + (
        f"Imports go into the store file `{where}` and are kept across restarts."
        if where
        else "Imports go into the app's in-memory store and last until the server restarts "
        "(set `GEO_STORE` to a file to keep them)."
    )
)
st.caption(
    "Rows are matched by event id: importing a file again changes nothing, and a newer ACLED "
    "`timestamp` replaces a row. Every rejected row is listed below with its line and reason; "
    "the rest load. An import is all or nothing: a failure half way leaves the store as it was."
)

kind = FORMATS[st.radio("Format", list(FORMATS), horizontal=True, key="import_format")]
upload = st.file_uploader(
    "File", type=["geojson", "json"] if kind == "geojson" else ["csv", "txt"], key="import_file"
)
mapping_text = ""
if kind != "acled":
    mapping_text = st.text_input(
        "Column mapping",
        key="import_map",
        placeholder="lat=Y,lon=X,id=uid,date=day,country=cc,title=label",
        help="field=column pairs; fields left out are read from a column of the same name.",
    )
deletions = st.file_uploader(
    "Deletions list (optional)", type=["csv", "txt"], key="import_deletions"
)

if st.button("Import", icon=":material/database:", disabled=upload is None, type="primary"):
    bar = st.progress(0.0, text="Reading the file…")

    def progress(done: int, total: int) -> None:
        bar.progress(min(done / total, 1.0) if total else 1.0, text=f"{done:,} of {total:,} bytes")

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "upload"
        path.write_bytes(upload.getvalue())
        deleted = None
        if deletions is not None:
            deleted = Path(folder) / "deletions.csv"
            deleted.write_bytes(deletions.getvalue())
        try:
            if kind == "acled":
                result = importers.import_acled(path, store, deletions=deleted, progress=progress)
            else:
                mapping = importers.parse_mapping(mapping_text)
                if kind == "csv":
                    result = importers.import_csv(
                        path, store, mapping, deletions=deleted, progress=progress
                    )
                else:
                    result = importers.import_geojson(path, store, mapping, deletions=deleted)
        except (importers.UnreadableFile, ValueError) as exc:
            bar.empty()
            st.error(f"Nothing imported: {exc}")
            st.stop()
    bar.progress(1.0, text="Done")
    st.session_state["import_result"] = result

result = st.session_state.get("import_result")
if result is not None:
    message = f"Loaded {result.loaded:,} row(s), rejected {result.rejected:,}: " + (
        f"{result.counts.new:,} new, {result.counts.updated:,} updated, "
        f"{result.counts.unchanged:,} unchanged, {result.counts.deleted:,} deleted."
    )
    (st.success if result.loaded else st.warning)(message)
    if result.rejects:
        st.subheader(f"Rejected rows ({result.rejected:,})")
        rejects = pd.DataFrame(
            [{"line": r.line, "reason": r.reason} for r in result.rejects]
        ).sort_values("line")
        st.dataframe(rejects, hide_index=True, width="stretch")
        st.download_button(
            "Download the rejects (CSV)",
            rejects.to_csv(index=False),
            file_name="rejects.csv",
            mime="text/csv",
        )
