"""Import: upload an ACLED export, a CSV of events or sites (its columns picked for the
atlas's fields), a GeoJSON or AidData's GCDF projects into the app's store; see the rejects."""

import streamlit as st

from geo import ui, ui_db, ui_import
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
    ui_import.run_import(store, kind, upload, choice, mapping_text, deletions)

ui_import.show_result()
