"""The map's third-party JavaScript and CSS, served by the app itself so maps draw offline.

The files come from the npm registry (``geo assets``, run by the Makefile's setup) and are
never committed. Where the local copy is missing the map falls back to public CDNs, and the
app says so.
"""

from __future__ import annotations

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


class PackageError(RuntimeError):
    """A package from the registry lacks a file the map needs, or holds it as something other
    than a plain file (a link, a folder)."""


def _read_member(tgz: Path, path: str) -> bytes:
    """The bytes of ``package/<path>`` in the npm tarball ``tgz``, read without unpacking
    anything else: only a regular file is taken, so a link or an odd path in the tarball
    cannot write or read outside it."""
    with tarfile.open(tgz) as tar:
        try:
            member = tar.getmember(f"package/{path}")
        except KeyError:
            raise PackageError(f"{tgz.name} has no package/{path}") from None
        if not member.isfile():
            raise PackageError(f"{tgz.name}: package/{path} is not a plain file")
        data = tar.extractfile(member)
        assert data is not None  # a regular file always has its bytes
        return data.read()


def fetch(static_dir: Path | None = None, npm: str = "npm") -> list[Path]:
    """Download the packages from the npm registry and copy the files the map needs into
    ``static_dir/vendor`` (default: the app's static folder)."""
    target = (static_dir or default_static_dir()) / VENDOR
    target.mkdir(parents=True, exist_ok=True)
    (target / "images").mkdir(exist_ok=True)
    wanted: list[tuple[str, str, Path]] = [
        (asset.package, asset.path, target / asset.name) for asset in ASSETS
    ]
    wanted += [
        ("leaflet@1.9.3", f"dist/images/{image}", target / "images" / image)
        for image in LEAFLET_IMAGES
    ]
    with tempfile.TemporaryDirectory() as tmp:
        packages = sorted({package for package, _, _ in wanted})
        done = subprocess.run(
            [npm, "pack", "--silent", "--pack-destination", tmp, *packages],
            stdout=subprocess.DEVNULL,
        )
        if done.returncode != 0:
            raise PackageError(f"npm pack {' '.join(packages)} failed (exit {done.returncode})")
        for package, path, dest in wanted:
            name, version = package.rsplit("@", 1)
            tgz = Path(tmp) / f"{name.replace('/', '-')}-{version}.tgz"
            if not tgz.is_file():
                raise PackageError(f"npm pack gave no {tgz.name}")
            dest.write_bytes(_read_member(tgz, path))
    return [dest for _, _, dest in wanted]
