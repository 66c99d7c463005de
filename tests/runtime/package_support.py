"""Helpers of the `gen package` tests: a project copy and a cache of small fake wheels.

The fake wheels are named like real ones (so the platform ranking is exercised) and hold a
module per distribution, so builds need no network; the downloader stubs record what they
were asked.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

from generator.package import Pin

ROOT = Path(__file__).resolve().parents[2]


def make_wheel(cache: Path, filename: str, files: dict[str, str]) -> Path:
    cache.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(cache / filename, "w") as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    return cache / filename


def fake_cache(cache: Path, pins: list[Pin]) -> None:
    """One py3-none-any wheel per pin (msgspec: the aarch64 wheel plus decoys that must lose)."""
    for pin in pins:
        dist = pin.name.replace("-", "_").lower()
        info = f"{dist}-{pin.version}.dist-info"
        files = {f"{dist}/__init__.py": f"# {pin}\n", f"{info}/METADATA": f"Name: {pin.name}\n",
                 f"{dist}/__pycache__/x.cpython-312.pyc": "stale"}
        if dist == "msgspec":
            # the wrong platform and the wrong Python are cached too: they must not be picked
            make_wheel(cache, f"msgspec-{pin.version}-cp312-cp312-manylinux_2_17_x86_64.whl", {"x86": "1"})
            make_wheel(cache, f"msgspec-{pin.version}-cp311-cp311-manylinux_2_17_aarch64.whl", {"cp311": "1"})
            files[f"msgspec-{pin.version}.data/purelib/msgspec/extra.py"] = "EXTRA = 1\n"
            files[f"msgspec-{pin.version}.data/scripts/tool"] = "#!/bin/sh\n"
            make_wheel(cache, f"msgspec-{pin.version}-cp312-cp312-manylinux_2_17_aarch64.manylinux2014_aarch64.whl",
                       files)
        else:
            make_wheel(cache, f"{dist}-{pin.version}-py3-none-any.whl", files)


def copy_project(root: Path) -> Path:
    """The reference spec, its generated Python and handwritten/, with a stale cache to ignore."""
    shutil.copytree(ROOT / "spec", root / "spec")
    shutil.copytree(ROOT / "generated" / "python", root / "generated" / "python",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "handwritten", root / "handwritten", ignore=shutil.ignore_patterns("__pycache__"))
    (root / "handwritten" / "__pycache__").mkdir()
    (root / "handwritten" / "__pycache__" / "junk.cpython-311.pyc").write_bytes(b"junk")
    return root


def no_download(pins: list[Pin], dest: Path) -> None:
    raise AssertionError(f"unexpected download of {pins}")
