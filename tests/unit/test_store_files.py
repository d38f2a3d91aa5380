"""Store files made by an earlier version of the atlas still open, read-write or read-only."""

from __future__ import annotations

from pathlib import Path

import duckdb

from geo.bundle import Bundle
from geo.store import DuckStore
from geo.view import ViewState


def test_an_older_store_file_opens_read_only_with_empty_new_columns(
    bundled: Bundle, tmp_path: Path
) -> None:
    path = tmp_path / "old.duckdb"
    store = DuckStore(path)
    store.sync_bundle(bundled)
    store.close()
    con = duckdb.connect(str(path))  # as a file from before sites had these columns
    con.execute('ALTER TABLE sites DROP COLUMN "completed"')
    con.execute('ALTER TABLE sites DROP COLUMN "amount"')
    con.close()
    view = ViewState(*bundled.month_span())
    old = DuckStore(path, read_only=True)
    sites = old.sites(view)
    assert list(sites["site_id"]) == list(bundled.sites["site_id"])
    assert old.site("PL001") is not None
    details = old.site_details(view, ["amount", "completed"])
    # A number a file lacks reads as missing, a text as "" (as every read gives missing text).
    assert details["amount"].isna().all() and (details["completed"] == "").all()
    old.close()
    upgraded = DuckStore(path)  # read-write: the columns are added
    assert len(upgraded.site_details(view, ["amount"])) == len(bundled.sites)
    upgraded.close()
    con = duckdb.connect(str(path), read_only=True)
    columns = {r[0] for r in con.execute("DESCRIBE sites").fetchall()}
    con.close()
    assert {"amount", "completed"} <= columns
