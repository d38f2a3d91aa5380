"""Importers: ACLED exports, any CSV or GeoJSON with a column mapping, CSV facility lists
and AidData GCDF projects (as sites), into the store.

Each reads its file record by record, rejects bad rows with their line and reason (the rest
load), and merges the good rows into the store in one transaction: idempotent by event id,
a newer ``timestamp`` replacing a stored row, a deletions list removing rows.
"""

from geo.importers.acled import import_acled
from geo.importers.aiddata import import_aiddata
from geo.importers.base import ImportResult, UnreadableFile, release_memory
from geo.importers.generic import (
    SiteImportResult,
    import_csv,
    import_csv_sites,
    import_geojson,
    parse_mapping,
)
from geo.importers.rejects import Reject, Rejects, rejects_csv, write_rejects

__all__ = [
    "ImportResult",
    "Reject",
    "Rejects",
    "SiteImportResult",
    "UnreadableFile",
    "import_acled",
    "import_aiddata",
    "import_csv",
    "import_csv_sites",
    "import_geojson",
    "parse_mapping",
    "rejects_csv",
    "release_memory",
    "write_rejects",
]
