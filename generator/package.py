"""`gen package`: one deterministic Lambda zip per processor, build/lambda/<processor>.zip.

A zip holds the generated package (generated/python/<package>/), handwritten/ and the runtime
dependencies unpacked from wheels for the Lambda platform (CPython 3.12, manylinux arm64).
The dependencies are the closure of RUNTIME_REQUIREMENTS at the versions installed next to gen
(so what runs on Lambda is what the tests ran), minus what the Lambda runtime provides (boto3,
botocore, s3transfer). Wheels are fetched once with `pip download --platform ...
--only-binary=:all:` into .gen-cache/wheels; later runs need no network. The zip is
byte-identical across runs and machines: entries sorted by path, timestamps fixed at
1980-01-01 00:00, permissions 0644, one compression level; caches (__pycache__, *.pyc) are
never packed. generated/python must be up to date with the spec (run `gen build` first).
"""

from __future__ import annotations

import hashlib
import importlib.metadata as metadata
import os
import re
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from generator.errors import UserError

RUNTIME_REQUIREMENTS = ("msgspec", "aws-lambda-powertools")
PROVIDED_BY_RUNTIME = frozenset({"boto3", "botocore", "s3transfer"})
PYTHON_VERSION = "3.12"
PLATFORMS = ("manylinux2014_aarch64", "manylinux_2_17_aarch64", "manylinux_2_28_aarch64")
WHEEL_CACHE = ".gen-cache/wheels"
OUTPUT_DIR = "build/lambda"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
FILE_MODE = 0o100644


class PackageError(UserError):
    """Packaging cannot proceed (stale generated code, missing wheels); the message says why."""


@dataclass(frozen=True)
class Pin:
    name: str
    version: str

    @property
    def key(self) -> str:
        return normalize(self.name)

    def __str__(self) -> str:
        return f"{self.name}=={self.version}"


Downloader = Callable[[list[Pin], Path], None]


def normalize(name: str) -> str:
    """PEP 503 normalised project name."""
    return re.sub(r"[-_.]+", "-", name).lower()


def runtime_pins(requirements: Iterable[str] = RUNTIME_REQUIREMENTS) -> list[Pin]:
    """The dependency closure of `requirements`, pinned to the installed versions, sorted."""
    pins: dict[str, Pin] = {}
    todo = list(requirements)
    while todo:
        name = todo.pop()
        key = normalize(name)
        if key in pins or key in PROVIDED_BY_RUNTIME:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError as exc:
            raise PackageError(f"runtime dependency {name} is not installed next to gen") from exc
        pins[key] = Pin(dist.metadata["Name"], dist.version)
        todo.extend(_dependencies(dist.requires or []))
    return sorted(pins.values(), key=lambda p: p.key)


def _dependencies(requires: list[str]) -> list[str]:
    """Names of unconditional requirements (extras left out; other markers for the target)."""
    names: list[str] = []
    for req in requires:
        spec, _, marker = req.partition(";")
        if marker and "extra" in marker:
            continue
        if marker and not _marker_applies(marker.strip()):
            continue
        match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", spec)
        if match:
            names.append(match.group(1))
    return names


def _marker_applies(marker: str) -> bool:
    try:
        from packaging.markers import Marker
    except ImportError:  # without packaging, keep the dependency (packing too much is harmless)
        return True
    target = {"python_version": PYTHON_VERSION, "python_full_version": f"{PYTHON_VERSION}.0",
              "sys_platform": "linux", "platform_system": "Linux", "platform_machine": "aarch64",
              "os_name": "posix", "implementation_name": "cpython",
              "platform_python_implementation": "CPython"}
    return bool(Marker(marker).evaluate(target))


def _wheel_tags(filename: str) -> tuple[str, str, tuple[str, str, str]] | None:
    """(normalised name, version, (python, abi, platform)) of a wheel file name."""
    parts = filename[:-4].split("-") if filename.endswith(".whl") else []
    if len(parts) not in (5, 6):
        return None
    return normalize(parts[0]), parts[1], (parts[-3], parts[-2], parts[-1])


def _rank(tags: tuple[str, str, str]) -> int | None:
    """How well a wheel fits CPython 3.12 on Lambda arm64 (lower is better); None: unusable."""
    python, abi, platform = tags
    platforms = platform.split(".")
    if not any(p == "any" or (p.startswith("manylinux") and p.endswith("_aarch64")) for p in platforms):
        return None
    pythons = python.split(".")
    if not any(p in ("cp312", "py3") or (p.startswith("cp3") and abi == "abi3" and int(p[3:] or 0) <= 12)
               for p in pythons):
        return None
    return {"cp312": 0, "abi3": 1, "none": 2}.get(abi, 3)


def find_wheel(cache: Path, pin: Pin) -> Path | None:
    """The best cached wheel for `pin`, or None."""
    found: list[tuple[int, str, Path]] = []
    for path in sorted(cache.glob("*.whl")) if cache.is_dir() else []:
        parsed = _wheel_tags(path.name)
        if parsed is None or parsed[0] != pin.key or parsed[1] != pin.version:
            continue
        rank = _rank(parsed[2])
        if rank is not None:
            found.append((rank, path.name, path))
    return min(found)[2] if found else None


def pip_download(pins: list[Pin], dest: Path) -> None:
    """Fetch wheels for the Lambda platform with pip (the only step that uses the network)."""
    dest.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
           "--no-deps", "--only-binary=:all:", "--implementation", "cp", "--python-version",
           PYTHON_VERSION, "--abi", "cp312", "--abi", "abi3", "--abi", "none", "--dest", str(dest)]
    for platform in PLATFORMS:
        cmd += ["--platform", platform]
    result = subprocess.run(cmd + [str(p) for p in pins], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise PackageError(f"pip download failed:\n{result.stderr.strip()}")


def resolve_wheels(cache: Path, pins: list[Pin], download: Downloader = pip_download) -> list[Path]:
    """A cached wheel per pin, downloading the missing ones once."""
    missing = [p for p in pins if find_wheel(cache, p) is None]
    if missing:
        download(missing, cache)
    wheels: list[Path] = []
    for pin in pins:
        wheel = find_wheel(cache, pin)
        if wheel is None:
            raise PackageError(f"no wheel of {pin} for CPython {PYTHON_VERSION} on manylinux aarch64 "
                               f"in {cache}")
        wheels.append(wheel)
    return wheels


def _skip(parts: tuple[str, ...]) -> bool:
    return "__pycache__" in parts or parts[-1].endswith((".pyc", ".pyo")) or parts[-1] == ".DS_Store"


def _tree(base: Path, prefix: str) -> dict[str, bytes]:
    entries: dict[str, bytes] = {}
    for path in sorted(base.rglob("*")):
        rel = path.relative_to(base)
        if path.is_file() and not _skip(rel.parts):
            entries[f"{prefix}/{rel.as_posix()}"] = path.read_bytes()
    return entries


def _wheel_entries(wheel: Path) -> dict[str, bytes]:
    """A wheel's files as installed into site-packages (purelib/platlib data moved to the root)."""
    entries: dict[str, bytes] = {}
    with zipfile.ZipFile(wheel) as zf:
        for info in zf.infolist():
            name = info.filename
            if info.is_dir() or _skip(tuple(name.split("/"))):
                continue
            match = re.match(r"[^/]+\.data/(purelib|platlib|[^/]+)/(.*)", name)
            if match:
                if match.group(1) not in ("purelib", "platlib"):
                    continue  # scripts, headers, data: not importable code
                name = match.group(2)
            entries[name] = zf.read(info)
    return entries


def payload(root: Path, package: str, wheels: list[Path]) -> dict[str, bytes]:
    """Every file of a function zip by its path inside the zip."""
    entries: dict[str, bytes] = {}
    sources = [_tree(root / "generated" / "python" / package, package), _tree(root / "handwritten", "handwritten")]
    sources += [_wheel_entries(w) for w in wheels]
    for source in sources:
        for name, data in source.items():
            if name in entries and entries[name] != data:
                raise PackageError(f"two sources put different files at {name} in the zip")
            entries[name] = data
    return entries


def write_zip(target: Path, entries: dict[str, bytes]) -> None:
    """Write a reproducible zip atomically: sorted entries, fixed time and mode."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh, zipfile.ZipFile(fh, "w") as zf:
            for name in sorted(entries):
                info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
                info.external_attr = FILE_MODE << 16
                info.create_system = 3
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, entries[name], compresslevel=9)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def check_fresh(root: Path, package: str) -> None:
    """Refuse to pack generated code that differs from what the spec generates now."""
    from generator.pipeline import generate
    from generator.emit.python.naming import PYTHON_ROOT
    from generator.render.header import with_header

    _, files, _ = generate(root, emitters=("generator.emit.python:emit_python",))
    prefix = f"{PYTHON_ROOT}/{package}/"
    expected = {f.path: (with_header(f.path, f.source, f.content) if f.header else f.content).encode()
                for f in files if f.path.startswith(prefix)}
    on_disk = {p: (root / p).read_bytes() for p in expected if (root / p).is_file()}
    stale = sorted(p for p in expected if on_disk.get(p) != expected[p])
    if stale:
        raise PackageError(f"{len(stale)} generated file(s) are missing or stale (first: {stale[0]}); "
                           "run `gen build` first")


def build_packages(root: Path, *, download: Downloader = pip_download,
                   wheel_cache: Path | None = None) -> list[Path]:
    """Build build/lambda/<processor>.zip for every processor; the zips written, sorted."""
    from generator.pipeline import validate
    from generator.diagnostics import GenError

    ir, diags = validate(root)
    if ir is None or diags.has_errors():
        raise GenError(diags)
    check_fresh(root, ir.ident)
    pins = runtime_pins()
    wheels = resolve_wheels(wheel_cache or root / WHEEL_CACHE, pins, download)
    entries = payload(root, ir.ident, wheels)
    out: list[Path] = []
    for processor in sorted(p.name for p in ir.processors):
        target = root / OUTPUT_DIR / f"{processor}.zip"
        write_zip(target, entries)
        out.append(target)
    return out


def digest(path: Path) -> str:
    """sha256 of a file (what Terraform's filebase64sha256 compares, hex-encoded)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()
