"""Every export of a view with imported sites carries the imported files' provenance and
licences: AidData's ODC-By and OpenStreetMap's ODbL for the AidData projects, the facility
list's terms as given at import. The files are the publishers' own, read in place."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import pandas as pd
import pytest

from geo import export, query
from geo.bundle import borders_geojson, load_bundle
from geo.importers import import_aiddata, import_csv_sites, parse_mapping
from geo.model import Category
from geo.store import DuckStore, close_all
from geo.view import ViewState
from tests.conftest import EXTERNAL_DIR as EXTERNAL

V2 = EXTERNAL / "aiddata-gcdf-kaz-kgz.small.geojson"
ASPI = EXTERNAL / "aspi-xjdp-detention-facilities-v1.csv"
ASPI_TERMS = "publisher's terms not verified (test input only)"


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    path = tmp_path_factory.mktemp("store") / "atlas.duckdb"
    store = DuckStore(path)
    store.sync_bundle(load_bundle())
    import_aiddata(V2, store)
    import_csv_sites(
        ASPI,
        store,
        parse_mapping("lat=Lat,lon=Long,name=Name_Code,id=Number", sites=True),
        category=Category.DETENTION,
        provenance="ASPI Xinjiang Data Project, facilities v1 (September 2020)",
        licence=ASPI_TERMS,
    )
    store.close()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GEO_STORE", str(path))
        yield
        close_all()


@pytest.mark.usefixtures("imported")
def test_csv_geojson_and_brief_carry_provenance_and_licences() -> None:
    bundle = load_bundle()
    state = ViewState.default(export.view_bounds(bundle))
    filtered = query.apply(bundle, state)
    table = pd.read_csv(io.StringIO(export.sites_csv(bundle, filtered)), dtype=str)
    table = table.fillna("")
    atyrau = table[table["site_id"] == "aiddata-39556"].iloc[0]
    assert "ODC-By" in atyrau["licence"] and "ODbL" in atyrau["licence"]
    assert "AidData GCDF 2.0" in atyrau["provenance"]
    assert atyrau["currency_year"] == "USD2017" and float(atyrau["amount"]) > 1e9
    assert atyrau["completed"] == "2019-05-30"
    facilities = table[table["category"] == "detention"]
    assert len(facilities) == 380 and set(facilities["licence"]) == {ASPI_TERMS}
    curated = table[table["category"] == "consulate_embassy"]
    assert len(curated) and set(curated["provenance"]) == {export.CURATED}

    collection = json.loads(export.to_geojson(bundle, filtered, state))
    files = {f["file"]: f for f in collection["atlas"]["imports"]}
    assert set(files) == {V2.name, ASPI.name}
    assert "ODbL" in files[V2.name]["licence"] and files[ASPI.name]["licence"] == ASPI_TERMS
    assert any("OpenStreetMap" in line for line in collection["atlas"]["credits"])

    brief = export.brief_html(bundle, filtered, state, link=None, borders=borders_geojson())
    credits = brief[brief.index('<section id="brief-credits">') :]
    assert V2.name in credits and "ODC-By" in credits and "ODbL" in credits
    assert "publisher&#x27;s terms not verified" in credits  # escaped like every string
