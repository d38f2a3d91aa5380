"""What the benchmarks measure with: deterministic synthetic ACLED exports clustered around
the region's real towns (``data/geo/gazetteer.csv``, weighted by population), the filter
changes a reader makes, and the server time of a map-page rerun after them. Used by ``geo
bench`` in all its modes and by the tests that need a large store."""

from __future__ import annotations

import csv
import os
import statistics
import time
from collections.abc import Callable, Mapping
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from atlas_tools import REPO
from geo.gazetteer import default_gazetteer
from geo.importers.acled import COLUMNS
from geo.model import AREAS
from geo.validate import in_bbox
from geo.view import ViewState

ISO = {"KZ": ("398", "Kazakhstan"), "KG": ("417", "Kyrgyzstan"), "CN": ("156", "China")}
EVENT_TYPES = [
    ("Protests", "Peaceful protest", "Protesters"),
    ("Protests", "Protest with intervention", "Protesters"),
    ("Riots", "Violent demonstration", "Rioters"),
    ("Strategic developments", "Arrests", "Police Forces"),
    ("Strategic developments", "Agreement", "Government"),
    ("Violence against civilians", "Attack", "Unidentified Armed Group"),
]
FIRST_DAY, DAYS = date(2014, 1, 1), 3800
Log = Callable[[str], None]


def towns() -> pd.DataFrame:
    frame = pd.read_csv(default_gazetteer(), dtype={"countrycode": str}, keep_default_na=False)
    frame = frame[frame["countrycode"].isin(list(ISO))]
    # The gazetteer's Chinese towns reach beyond Xinjiang: keep those inside the atlas.
    inside = [
        in_bbox(lat, lon, AREAS[{"KZ": "KAZ", "KG": "KGZ", "CN": "CHN"}[cc]].bbox)
        for lat, lon, cc in zip(
            frame["latitude"], frame["longitude"], frame["countrycode"], strict=True
        )
    ]
    frame = frame[inside]
    return frame.sort_values("geonameid").reset_index(drop=True)


def synthetic_acled(size: int, path: Path, seed: int = 20240601) -> Path:
    """Write a deterministic ACLED-shaped export of ``size`` events around real towns."""
    rng = np.random.default_rng(seed + size)
    places = towns()
    weight = np.sqrt(places["population"].to_numpy(dtype="float64") + 1000)
    town = rng.choice(len(places), size=size, p=weight / weight.sum())
    lat = places["latitude"].to_numpy()[town] + rng.normal(0, 0.02, size)
    lon = places["longitude"].to_numpy()[town] + rng.normal(0, 0.02, size)
    kind = rng.integers(0, len(EVENT_TYPES), size)
    days = rng.integers(0, DAYS, size)
    cc = places["countrycode"].to_numpy()[town]
    codes = np.array([ISO[c][0] for c in cc])
    names = np.array([ISO[c][1] for c in cc])
    location = places["name"].to_numpy()[town]
    day_text = [(FIRST_DAY + timedelta(days=int(d))).strftime("%d %B %Y").lstrip("0") for d in days]
    types = np.array([t[0] for t in EVENT_TYPES])[kind]
    subs = np.array([t[1] for t in EVENT_TYPES])[kind]
    actors = np.array([t[2] for t in EVENT_TYPES])[kind]
    frame = pd.DataFrame(
        {
            "event_id_cnty": [f"{c}{i + 1}" for i, c in enumerate(cc)],
            "event_date": day_text,
            "year": [str(FIRST_DAY.year + int(d) // 365) for d in days],
            "time_precision": rng.choice(["1", "1", "1", "2", "3"], size),
            "disorder_type": "Demonstrations",
            "event_type": types,
            "sub_event_type": subs,
            "actor1": [f"{a} ({n})" for a, n in zip(actors, names, strict=True)],
            "assoc_actor_1": "",
            "inter1": "6",
            "actor2": "",
            "assoc_actor_2": "",
            "inter2": "0",
            "interaction": "60",
            "civilian_targeting": "",
            "iso": codes,
            "region": "Central Asia",
            "country": names,
            "admin1": "",
            "admin2": "",
            "admin3": "",
            "location": location,
            "latitude": np.round(lat, 4),
            "longitude": np.round(lon, 4),
            "geo_precision": rng.choice(["1", "1", "2", "3"], size),
            "source": "Synthetic wire",
            "source_scale": "National",
            "notes": [
                f"On {d}, a synthetic event near {loc}."
                for d, loc in zip(day_text, location, strict=True)
            ],
            "fatalities": "0",
            "tags": "",
            "timestamp": "1700000000",
        },
        columns=COLUMNS,
    )
    frame.to_csv(path, index=False, quoting=csv.QUOTE_MINIMAL)
    return path


def filter_changes() -> list[ViewState]:
    """The filter changes timed: month ranges, countries, categories, text, zooms."""
    views = []
    for i, (start, end) in enumerate(
        [
            ("2014-01", "2024-12"),
            ("2016-01", "2016-12"),
            ("2019-06", "2021-06"),
            ("2022-01", "2022-03"),
        ]
    ):
        for countries in ((), ("KAZ",), ("KGZ", "CHN")):
            for categories in ((), ("protest",)):
                views.append(
                    ViewState(
                        start,
                        end,
                        countries=countries,
                        categories=categories,
                        query="almaty" if i == 2 and not categories else "",
                        center=(43.5, 71.5) if i % 2 else (43.25, 76.9),
                        zoom=4.0 if i % 2 else 8.0,
                    )
                )
    return views


def time_rerun(settings: Mapping[str, str], log: Log) -> tuple[float, int]:
    """Median server time of a map-page rerun after a filter change (AppTest, under the
    environment ``settings`` naming the store: ``GEO_STORE`` a DuckDB file,
    ``GEO_DATABASE_URL`` a database), and the bytes of the map's arguments the browser
    receives."""
    from streamlit.testing.v1 import AppTest

    from geo import store as stores

    before = {name: os.environ.get(name) for name in settings}
    os.environ.update(settings)
    try:
        at = AppTest.from_file(str(REPO / "app.py"), default_timeout=600)
        started = time.perf_counter()
        at.run()
        log(f"  first page run {time.perf_counter() - started:.2f}s")
        if at.exception:
            raise RuntimeError(f"the map page failed: {at.exception[0].value}")
        times = []
        for countries in (["KAZ"], ["KGZ", "CHN"], []):
            at.multiselect(key="w_country").set_value(countries)
            started = time.perf_counter()
            at.run()
            times.append(time.perf_counter() - started)
        found = [e for e in at.get("component_instance") if "folium" in e.proto.component_name]
        payload = len(found[0].proto.json_args.encode()) if found else 0
        return statistics.median(times), payload
    finally:
        stores.close_all()
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
