"""Build the bundled dataset in data/ from the sourced fact table and the seed article.

Inputs (read in place, never copied):
  REFERENCE/events.csv, REFERENCE/places.csv  -- the sourced fact table
  CORPUS/sources.csv and the article files      -- the seed article and its metadata

Outputs: data/events.csv, data/sites.csv, data/sources.csv, data/excerpts.csv.

Everything the build decides that the fact table does not say (site opening dates read from the
notes, ACLED event types, which sentence of the seed article supports which event) is written
out below as a table, with its reason, so a reviewer can check each call.

Usage: python scripts/build_dataset.py --reference ../shared/reference-facts \
           --corpus ../shared/corpus --out data
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import re
import sys
from pathlib import Path

csv.field_size_limit(10_000_000)

CATEGORY_OF_KIND = {
    "protest": "protest",
    "detention_related": "detention",
    "policy": "policy",
    "other": "other",
    "embassy": "consulate_embassy",
    "consulate": "consulate_embassy",
    "bri_site": "bri_site",
}

COUNTRY_NAMES = {"KAZ": "Kazakhstan", "KGZ": "Kyrgyzstan", "CHN": "China"}

# Events at a fixed site (a consulate, an embassy, a project) point to it.
EVENT_SITE = {
    "EV035": "PL002",
    "EV036": "PL001",
    "EV037": "PL002",
    "EV038": "PL002",
    "EV039": "PL002",
    "EV041": "PL002",
    "EV043": "PL001",
    "EV044": "PL001",
    "EV045": "PL002",
    "EV046": "PL002",
    "EV047": "PL001",
    "EV048": "PL002",
    "EV055": "PL008",
    "EV056": "PL004",
    "EV059": "PL004",
    "EV063": "PL020",
    "EV064": "PL020",
    "EV065": "PL005",
    "EV066": "PL019",
    "EV067": "PL019",
    "EV068": "PL019",
    "EV069": "PL019",
}

# ACLED event type and sub-event type, assigned by this build from the fact table's kind and
# text (ACLED itself has not coded these events).
ACLED_TYPE_OVERRIDES = {
    "EV056": ("Explosions/Remote violence", "Suicide bomb"),
    "EV057": ("Strategic developments", "Change to group/activity"),
    "EV063": ("Riots", "Mob violence"),
    "EV064": ("Strategic developments", "Change to group/activity"),
    "EV065": ("Strategic developments", "Change to group/activity"),
    "EV069": ("Strategic developments", "Agreement"),
}

# Site type in words, and opening/closing dates read from each place's title and note
# (the fact table leaves its date columns empty by design). Tuple: site_type, date_open,
# open_precision, date_close, close_precision, basis.
SITE_FACTS: dict[str, tuple[str, str, str, str, str, str]] = {
    "PL001": ("embassy", "", "", "", "", "opening date not in the fact table"),
    "PL002": ("consulate general", "2007-08", "month", "", "", "Kazakh MFA: 'from August 2007'"),
    "PL003": ("consulate general", "2024-07-30", "day", "", "", "opened 30 Jul 2024"),
    "PL004": ("embassy", "", "", "", "", "opening date not in the fact table"),
    "PL005": (
        "consulate general",
        "2012",
        "year",
        "2019-08-29",
        "day",
        "first consul's calls Nov 2012 (year inferred); work suspended 29 Aug 2019",
    ),
    "PL006": (
        "passport-and-visa office (not a consulate)",
        "1995-03",
        "month",
        "",
        "",
        "Kazakh MFA: 'from March 1995'",
    ),
    "PL007": ("diplomatic representation", "", "", "", "", "status and opening date unverified"),
    "PL008": ("venue of the BRI launch speech", "", "", "", "", "a venue, not a project"),
    "PL009": (
        "cross-border cooperation centre",
        "2012-04",
        "month",
        "",
        "",
        "in operation April 2012",
    ),
    "PL010": ("dry port / SEZ", "2015-12", "month", "", "", "first stage commissioned Dec 2015"),
    "PL011": ("railway border crossing", "2012-12", "month", "", "", "railways joined Dec 2012"),
    "PL012": ("railway station", "1991-07-20", "day", "", "", "crossing opened 20 Jul 1991"),
    "PL013": ("railway station", "", "", "", "", "opening date not in the fact table"),
    "PL014": ("seaport", "", "", "", "", "opening date not in the fact table"),
    "PL015": ("road corridor (proxy point)", "", "", "", "", "linear feature; no single date"),
    "PL016": ("special economic zone", "2010", "year", "", "", "SEZ decided 2010"),
    "PL017": ("railway (planned)", "", "", "", "", "planned; agreement 2022, study 2023"),
    "PL018": ("railway node (planned)", "", "", "", "", "construction launch Dec 2024"),
    "PL019": (
        "logistics centre (cancelled)",
        "2019-06",
        "month",
        "2020-02-24",
        "day",
        "agreed during Xi's June 2019 visit; cancelled 24 Feb 2020",
    ),
    "PL020": (
        "gold mine",
        "2012",
        "year",
        "2019-08-07",
        "day",
        "licence 2012 (RFE/RL, AFP; 24.kg says rights acquired 2009); suspended 7 Aug 2019",
    ),
}

# Short verbatim spans of the seed article and the events and sites each supports.
SEED_EXCERPTS: list[tuple[str, list[str]]] = [
    (
        "On March 27, hundreds of protesters gathered in cities across Kazakhstan to rally "
        "against Chinese economic presence in the Central Asian country.",
        ["EV025", "EV026", "EV027", "EV028", "EV029"],
    ),
    ("Twenty-two people were arrested.", ["EV025", "EV026", "EV027", "EV028", "EV029"]),
    (
        "The protests were organized by the Democratic Choice of Kazakhstan (DVK) and the "
        "Democratic Party of Kazakhstan (DPK), which are banned and unregistered respectively.",
        ["EV025", "EV026", "EV027", "EV028", "EV029"],
    ),
    (
        "In February 2020, hundreds of Kyrgyz called for a Chinese company to withdraw from the "
        "country after signing a $280 million logistics center deal.",
        ["EV067", "EV068", "PL019"],
    ),
    (
        "clashes between workers and villagers at a Chinese-owned gold mine in Kyrgyzstan halted "
        "operations.",
        ["EV063", "EV064", "PL020"],
    ),
    (
        "Other protests in Kazakhstan have revolved around proposed legislation in 2016 that "
        "would permit foreigners to rent agricultural land.",
        ["EV002", "EV003", "EV004", "EV005", "EV006", "EV008", "EV009"],
    ),
    ("The law passed in November 2015 and came into effect the following July.", ["EV001"]),
    (
        "Dozens of Kazakhstanis have been staging protests since early February outside of the "
        "Chinese Consulate in Almaty",
        ["EV038", "PL002"],
    ),
    (
        "in August 2018, when ethnic Kazakh Chinese national Sayragul Sauytbay appealed to "
        "Kazakhstan to annul her deportation orders after she illegally crossed the border into "
        "Kazakhstan.",
        ["EV049", "EV050"],
    ),
    (
        "In 2018, about 150 Kyrgyz citizens convened in Bishkek to protest the detention of "
        "ethnic Kyrgyz in Xinjiang internment camps.",
        ["EV059"],
    ),
    (
        "Mounting tension has led China to permit more than 2,000 ethnic Kazakhs to renounce "
        "their Chinese citizenship and leave the country in January 2019",
        ["EV051"],
    ),
    (
        "Kazakhstani students enrolled in Chinese universities have reported feeling  unsafe "
        "and fearful of possible arrest when transiting in the Urumqi airport in Xinjiang.",
        ["EV054"],
    ),
    (
        "In 2013, after all, it was at Nazarbayev University in Nur-Sultan that Chinese "
        "President Xi Jinping launched his Belt and Road Initiative (BRI)",
        ["EV055", "PL008"],
    ),
]

# Country-level events without coordinates are drawn at the capital, marked as country-level.
COUNTRY_POINT = {"KAZ": (51.1694, 71.4491), "KGZ": (42.8746, 74.5698), "CHN": (43.8256, 87.6168)}


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def write_csv(path: Path, columns: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, "") for c in columns})


def source_id_for(url: str) -> str:
    return "src-" + hashlib.sha1(url.encode("utf-8")).hexdigest()[:10]


def split_publisher(title: str) -> str:
    match = re.search(r"\(([^()]*)\)\s*$", title)
    return match.group(1).strip() if match else ""


def split_actors(actors: str) -> tuple[str, str]:
    parts = [a.strip() for a in actors.split(";") if a.strip()]
    if not parts:
        return "", ""
    return parts[0], "; ".join(parts[1:])


def acled_type(row: dict[str, str]) -> tuple[str, str]:
    if row["id"] in ACLED_TYPE_OVERRIDES:
        return ACLED_TYPE_OVERRIDES[row["id"]]
    kind = row["kind"]
    if kind == "protest":
        arrests = row["arrests"].strip().lower()
        intervened = bool(arrests) and not arrests.startswith("none")
        return "Protests", "Protest with intervention" if intervened else "Peaceful protest"
    if kind == "detention_related":
        return "Strategic developments", "Arrests"
    return "Strategic developments", "Other"


def build(reference: Path, corpus: Path, out: Path) -> None:
    events_in = read_csv(reference / "events.csv")
    places_in = read_csv(reference / "places.csv")
    corpus_sources = read_csv(corpus / "sources.csv")

    sources: dict[str, dict[str, str]] = {}
    seed_by_url: dict[str, str] = {}
    for src in corpus_sources:
        sources[src["source_id"]] = {
            "source_id": src["source_id"],
            "title": src["title"],
            "publisher": src["publisher"],
            "author": src["author"],
            "published": src["published"],
            "url": src["url"],
            "file": src["file"],
            "licence": "quoted excerpts only; full text read from the corpus folder",
        }
        seed_by_url[src["url"].rstrip("/")] = src["source_id"]

    def source_for(row: dict[str, str]) -> str:
        url = row["source_url"].strip()
        if url.rstrip("/") in seed_by_url:
            return seed_by_url[url.rstrip("/")]
        sid = source_id_for(url)
        if sid not in sources:
            sources[sid] = {
                "source_id": sid,
                "title": row["source_title"],
                "publisher": split_publisher(row["source_title"]),
                "author": "",
                "published": row["source_date"],
                "url": url,
                "file": "",
                "licence": "",
            }
        return sid

    # Excerpts: locate each span in the article text as read (code-point offsets).
    seed = corpus_sources[0]
    text = (corpus / seed["file"]).read_text(encoding="utf-8")
    excerpts: list[dict[str, str]] = []
    linked: dict[str, list[str]] = {}
    for n, (span, targets) in enumerate(SEED_EXCERPTS, start=1):
        # The article uses non-breaking spaces between some words: match any run of
        # whitespace, then store the span exactly as it stands in the text.
        pattern = r"\s+".join(re.escape(word) for word in span.split())
        matches = list(re.finditer(pattern, text))
        if len(matches) != 1:
            sys.exit(f"excerpt {n} not found exactly once in {seed['file']}: {span[:60]!r}")
        start, end = matches[0].span()
        span = matches[0].group(0)
        xid = f"X{n:03d}"
        excerpts.append(
            {
                "excerpt_id": xid,
                "source_id": seed["source_id"],
                "char_start": str(start),
                "char_end": str(end),
                "text": span,
            }
        )
        for target in targets:
            linked.setdefault(target, []).append(xid)

    events: list[dict[str, str]] = []
    for row in events_in:
        lat, lon, precision = row["latitude"], row["longitude"], row["geo_precision"]
        notes = row["note"]
        if not lat or not lon:
            clat, clon = COUNTRY_POINT[row["country"]]
            lat, lon, precision = f"{clat}", f"{clon}", "country"
            notes += " | Drawn at the capital as a country-level point (no place known)."
        actor1, assoc = split_actors(row["actors"])
        event_type, sub_event_type = acled_type(row)
        events.append(
            {
                "event_id": row["id"],
                "event_date": row["date_start"],
                "date_end": row["date_end"],
                "time_precision": row["date_precision"] or "unknown",
                "category": CATEGORY_OF_KIND[row["kind"]],
                "event_type": event_type,
                "sub_event_type": sub_event_type,
                "title": row["title"],
                "actor1": actor1,
                "assoc_actor_1": assoc,
                "country": COUNTRY_NAMES[row["country"]],
                "iso": row["country"],
                "admin1": row["admin1"],
                "location": row["place_name"],
                "latitude": lat,
                "longitude": lon,
                "geo_precision": precision,
                "participants": row["participants_estimate"],
                "arrests": row["arrests"],
                "fatalities": "",
                "confidence": row["confidence"],
                "site_id": EVENT_SITE.get(row["id"], ""),
                "source_id": source_for(row),
                "excerpt_ids": ";".join(linked.get(row["id"], [])),
                "tags": "",
                "notes": notes,
            }
        )

    sites: list[dict[str, str]] = []
    for row in places_in:
        site_type, opened, open_p, closed, close_p, basis = SITE_FACTS[row["id"]]
        sites.append(
            {
                "site_id": row["id"],
                "category": CATEGORY_OF_KIND[row["kind"]],
                "site_type": site_type,
                "name": row["title"],
                "country": COUNTRY_NAMES[row["country"]],
                "iso": row["country"],
                "admin1": row["admin1"],
                "location": row["place_name"],
                "latitude": row["latitude"],
                "longitude": row["longitude"],
                "geo_precision": row["geo_precision"],
                "date_open": opened,
                "open_precision": open_p,
                "date_close": closed,
                "close_precision": close_p,
                "dates_basis": basis,
                "actor1": row["actors"],
                "confidence": row["confidence"],
                "source_id": source_for(row),
                "excerpt_ids": ";".join(linked.get(row["id"], [])),
                "notes": row["note"],
            }
        )

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from geo.model import EVENT_COLUMNS, EXCERPT_COLUMNS, SITE_COLUMNS, SOURCE_COLUMNS

    out.mkdir(parents=True, exist_ok=True)
    write_csv(out / "events.csv", EVENT_COLUMNS, events)
    write_csv(out / "sites.csv", SITE_COLUMNS, sites)
    write_csv(
        out / "sources.csv", SOURCE_COLUMNS, sorted(sources.values(), key=lambda s: s["source_id"])
    )
    write_csv(out / "excerpts.csv", EXCERPT_COLUMNS, excerpts)
    print(
        f"wrote {len(events)} events, {len(sites)} sites, {len(sources)} sources, "
        f"{len(excerpts)} excerpts to {out}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", type=Path, default=Path("../shared/reference-facts"))
    parser.add_argument("--corpus", type=Path, default=Path("../shared/corpus"))
    parser.add_argument("--out", type=Path, default=Path("data"))
    args = parser.parse_args()
    build(args.reference, args.corpus, args.out)


if __name__ == "__main__":
    main()
