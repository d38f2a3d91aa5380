"""The map's third-party JavaScript and CSS, served by the app itself so maps draw offline.

The files come from the npm registry (``geo assets``, run by the Makefile's setup) and are
never committed. Where the local copy is missing the map falls back to public CDNs, and the
app says so.
"""

from __future__ import annotations

import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from geo.settings import static_dir as default_static_dir

VENDOR = "vendor"
# Streamlit serves static/* beside app.py (geo.settings.static_dir) at
# <baseUrlPath>/app/static/*.
STATIC_URL = "/app/static"


@dataclass(frozen=True)
class Asset:
    package: str  # npm name@version
    path: str  # file inside the package tarball, under package/
    name: str  # file name under static/vendor/
    cdn: str  # where folium would have loaded it from
    kind: str  # "js" or "css"


_LEAFLET = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist"
_CLUSTER = "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0"

ASSETS: tuple[Asset, ...] = (
    # folium's popups build their content with jQuery.
    Asset(
        "jquery@3.7.1",
        "dist/jquery.min.js",
        "jquery.min.js",
        "https://code.jquery.com/jquery-3.7.1.min.js",
        "js",
    ),
    Asset("leaflet@1.9.3", "dist/leaflet.js", "leaflet.js", f"{_LEAFLET}/leaflet.js", "js"),
    Asset("leaflet@1.9.3", "dist/leaflet.css", "leaflet.css", f"{_LEAFLET}/leaflet.css", "css"),
    Asset(
        "leaflet.markercluster@1.1.0",
        "dist/leaflet.markercluster.js",
        "leaflet.markercluster.js",
        f"{_CLUSTER}/leaflet.markercluster.js",
        "js",
    ),
    # One marker cluster across the categories' layers, so items at one point spread out
    # together whatever their category (each category still a layer of its own).
    Asset(
        "leaflet.featuregroup.subgroup@1.0.2",
        "dist/leaflet.featuregroup.subgroup.js",
        "leaflet.featuregroup.subgroup.js",
        "https://unpkg.com/leaflet.featuregroup.subgroup@1.0.2/dist/leaflet.featuregroup.subgroup.js",
        "js",
    ),
    Asset(
        "leaflet.markercluster@1.1.0",
        "dist/MarkerCluster.css",
        "MarkerCluster.css",
        f"{_CLUSTER}/MarkerCluster.css",
        "css",
    ),
    Asset(
        "leaflet.markercluster@1.1.0",
        "dist/MarkerCluster.Default.css",
        "MarkerCluster.Default.css",
        f"{_CLUSTER}/MarkerCluster.Default.css",
        "css",
    ),
)
# Leaflet's CSS refers to these by relative path (layer-control and default-marker images).
LEAFLET_IMAGES = (
    "layers.png",
    "layers-2x.png",
    "marker-icon.png",
    "marker-icon-2x.png",
    "marker-shadow.png",
)


def local_complete(static_dir: Path | None = None) -> bool:
    """Whether every file is in ``static_dir/vendor`` (default: the app's static folder)."""
    static_dir = static_dir or default_static_dir()
    return all((static_dir / VENDOR / a.name).is_file() for a in ASSETS)


@dataclass(frozen=True)
class AssetLinks:
    js: list[tuple[str, str]]
    css: list[tuple[str, str]]
    local: bool


def links(static_dir: Path | None = None, base_path: str = "") -> AssetLinks:
    """(name, url) pairs for the map's scripts and styles: local when complete, else CDN."""
    local = local_complete(static_dir)
    prefix = "/" + base_path.strip("/") if base_path.strip("/") else ""

    def url(asset: Asset) -> str:
        return f"{prefix}{STATIC_URL}/{VENDOR}/{asset.name}" if local else asset.cdn

    js = [(a.name, url(a)) for a in ASSETS if a.kind == "js"]
    css = [(a.name, url(a)) for a in ASSETS if a.kind == "css"]
    return AssetLinks(js, css, local)


def fetch(static_dir: Path | None = None, npm: str = "npm") -> list[Path]:
    """Download the packages from the npm registry and copy the files the map needs into
    ``static_dir/vendor`` (default: the app's static folder)."""
    target = (static_dir or default_static_dir()) / VENDOR
    target.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp:
        packages = sorted({a.package for a in ASSETS})
        subprocess.run(
            [npm, "pack", "--silent", "--pack-destination", tmp, *packages],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        for tgz in sorted(Path(tmp).glob("*.tgz")):
            with tarfile.open(tgz) as tar:
                tar.extractall(Path(tmp) / tgz.stem, filter="data")
        for asset in ASSETS:
            name, version = asset.package.rsplit("@", 1)
            src = Path(tmp) / f"{name.replace('/', '-')}-{version}" / "package" / asset.path
            shutil.copyfile(src, target / asset.name)
            written.append(target / asset.name)
        images = Path(tmp) / "leaflet-1.9.3" / "package" / "dist" / "images"
        (target / "images").mkdir(exist_ok=True)
        for image in LEAFLET_IMAGES:
            shutil.copyfile(images / image, target / "images" / image)
            written.append(target / "images" / image)
    return written
