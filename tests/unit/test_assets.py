"""`geo assets`: the map's scripts taken out of the npm registry's tarballs.

The registry is outside the machine, so a stand-in `npm` on PATH answers `npm pack` with
tarballs built here, laid out as the registry's are (every file under ``package/``). The
command runs for real, in a folder with its own ``app.py``, and writes that folder's
``static/vendor``.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tarfile
from pathlib import Path

from geo import assets

FAKE_NPM = """#!{python}
import shutil, sys
from pathlib import Path
args = sys.argv[1:]
assert args[:2] == ["pack", "--silent"], args
dest = Path(args[args.index("--pack-destination") + 1])
packs = Path({packs!r})
if (packs / "FAIL").exists():
    print("npm error code E404", file=sys.stderr)
    sys.exit(1)
for spec in args[args.index("--pack-destination") + 2:]:
    name, version = spec.rsplit("@", 1)
    shutil.copy(packs / f"{{name}}-{{version}}.tgz", dest)
"""


def _packages() -> dict[str, list[str]]:
    files: dict[str, list[str]] = {}
    for a in assets.ASSETS:
        files.setdefault(a.package, []).append(a.path)
    files["leaflet@1.9.3"] += [f"dist/images/{i}" for i in assets.LEAFLET_IMAGES]
    return files


def _write_tgz(path: Path, members: dict[str, bytes], links: dict[str, str]) -> None:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        for name, target in links.items():
            info = tarfile.TarInfo(name)
            info.type = tarfile.SYMTYPE
            info.linkname = target
            tar.addfile(info)


def _registry(tmp: Path, *, hostile: bool = False) -> Path:
    """A folder of tarballs, one per package, and a stand-in ``npm`` that serves them."""
    packs = tmp / "registry"
    packs.mkdir()
    for package, paths in _packages().items():
        name, version = package.rsplit("@", 1)
        members = {f"package/{p}": f"{package}:{p}".encode() for p in paths}
        members["package/package.json"] = b"{}"
        links: dict[str, str] = {}
        if hostile and package == "leaflet@1.9.3":
            # A file the map needs, as a link to a file of the machine; and a path that
            # climbs out of any folder it would be unpacked into.
            del members["package/dist/leaflet.js"]
            links["package/dist/leaflet.js"] = "/etc/hostname"
            members["package/../../escaped.txt"] = b"outside"
        _write_tgz(packs / f"{name}-{version}.tgz", members, links)
    bin_dir = tmp / "bin"
    bin_dir.mkdir()
    npm = bin_dir / "npm"
    npm.write_text(FAKE_NPM.format(python=sys.executable, packs=str(packs)))
    npm.chmod(0o755)
    return bin_dir


def _geo_assets(tmp: Path, bin_dir: Path) -> subprocess.CompletedProcess[str]:
    app = tmp / "site"
    app.mkdir(exist_ok=True)
    (app / "app.py").write_text("")
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run(
        [sys.executable, "-m", "geo.cli", "assets", "--force"],
        cwd=app,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_geo_assets_copies_each_file_the_map_needs_out_of_its_package(tmp_path: Path) -> None:
    done = _geo_assets(tmp_path, _registry(tmp_path))
    assert done.returncode == 0, done.stderr
    files = len(assets.ASSETS) + len(assets.LEAFLET_IMAGES)
    assert done.stdout.strip() == f"fetched {files} files into static/vendor"
    vendor = tmp_path / "site" / "static" / assets.VENDOR
    for a in assets.ASSETS:
        assert (vendor / a.name).read_text() == f"{a.package}:{a.path}"
    for image in assets.LEAFLET_IMAGES:
        assert (vendor / "images" / image).read_text() == f"leaflet@1.9.3:dist/images/{image}"
    assert assets.local_complete(tmp_path / "site" / "static")
    # Nothing but the files it names: not the packages' other files.
    assert not list(vendor.rglob("package.json"))


def test_a_package_holding_a_link_instead_of_a_file_is_refused_in_one_line(
    tmp_path: Path,
) -> None:
    done = _geo_assets(tmp_path, _registry(tmp_path, hostile=True))
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stderr.strip() == (
        "geo assets: could not fetch the map scripts from npm: "
        "leaflet-1.9.3.tgz: package/dist/leaflet.js is not a plain file"
    )
    vendor = tmp_path / "site" / "static" / assets.VENDOR
    assert not (vendor / "leaflet.js").exists()
    # The climbing path was never unpacked anywhere.
    assert not list(tmp_path.rglob("escaped.txt"))
    assert not list(Path("/tmp").glob("escaped.txt"))


def test_a_registry_that_answers_with_an_error_gets_one_line_not_a_traceback(
    tmp_path: Path,
) -> None:
    bin_dir = _registry(tmp_path)
    (tmp_path / "registry" / "FAIL").touch()
    done = _geo_assets(tmp_path, bin_dir)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stderr.splitlines()[-1].startswith(
        "geo assets: could not fetch the map scripts from npm:"
    )
    assert "npm pack" in done.stderr.splitlines()[-1]


def test_a_package_without_a_file_the_map_needs_names_it(tmp_path: Path) -> None:
    missing = "dist/leaflet.css"
    bin_dir = _registry(tmp_path)
    tgz = tmp_path / "registry" / "leaflet-1.9.3.tgz"
    paths = [p for p in _packages()["leaflet@1.9.3"] if p != missing]
    _write_tgz(tgz, {f"package/{p}": b"x" for p in paths}, {})
    done = _geo_assets(tmp_path, bin_dir)
    assert done.returncode == 1
    assert done.stderr.strip().endswith(f"leaflet-1.9.3.tgz has no package/{missing}")
