"""Wheels for the Lambda platform: pins, the runtime closure, the cache, and pip download.

Wheels are fetched once with `pip download --no-deps --only-binary=:all: --platform ...`
into .gen-cache/wheels (pip uses the configured index, so a mirror or a local registry works);
later runs find them there and need no network. Nothing here reads the project.
"""

from __future__ import annotations

import hashlib
import importlib.metadata as metadata
import re
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from generator.errors import UserError
from generator.aws.lambda_platform import MACHINE, PROVIDED_DISTRIBUTIONS, PYTHON_TAG, PYTHON_VERSION, WHEEL_PLATFORMS

RUNTIME_REQUIREMENTS = ("msgspec", "aws-lambda-powertools")


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
        if key in pins or key in PROVIDED_DISTRIBUTIONS:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError as exc:
            raise PackageError(f"runtime dependency {name} is not installed next to gen") from exc
        pins[key] = Pin(dist.metadata["Name"], dist.version)
        todo.extend(name for name, _ in dependencies(dist.requires or []))
    return sorted(pins.values(), key=lambda p: p.key)


def dependencies(requires: Iterable[str], extras: Iterable[str] = ()) -> list[tuple[str, str]]:
    """(name, version specifier) of the requirements that apply on the target, with `extras`."""
    found: list[tuple[str, str]] = []
    for req in requires:
        spec, _, marker = req.partition(";")
        marker = marker.strip()
        if marker and not _marker_applies(marker, tuple(extras)):
            continue
        match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*\(?([^)]*)\)?", spec)
        if match:
            found.append((match.group(1), match.group(3).strip()))
    return found


def _marker_applies(marker: str, extras: tuple[str, ...]) -> bool:
    try:
        from packaging.markers import Marker
    except ImportError:  # without packaging: extras never apply, other markers do (packing more is harmless)
        return "extra" not in marker
    target = {"python_version": PYTHON_VERSION, "python_full_version": f"{PYTHON_VERSION}.0",
              "sys_platform": "linux", "platform_system": "Linux", "platform_machine": MACHINE,
              "os_name": "posix", "implementation_name": "cpython",
              "platform_python_implementation": "CPython", "extra": ""}
    parsed = Marker(marker)
    return any(parsed.evaluate({**target, "extra": e}) for e in (extras or ("",)))


def satisfies(version: str, specifier: str) -> bool:
    """Whether `version` meets a PEP 440 specifier ("" always does; without packaging, assumed)."""
    if not specifier:
        return True
    try:
        from packaging.specifiers import InvalidSpecifier, SpecifierSet
    except ImportError:
        return True
    try:
        return SpecifierSet(specifier).contains(version, prereleases=True)
    except InvalidSpecifier:
        return True


def wheel_requires(wheel: Path) -> list[str]:
    """The Requires-Dist lines of a wheel's METADATA."""
    with zipfile.ZipFile(wheel) as zf:
        names = [n for n in zf.namelist() if re.fullmatch(r"[^/]+\.dist-info/METADATA", n)]
        if not names:
            return []
        text = zf.read(names[0]).decode("utf-8", "replace")
    header = text.split("\n\n", 1)[0]
    return [line.split(":", 1)[1].strip() for line in header.splitlines() if line.startswith("Requires-Dist:")]


def _wheel_tags(filename: str) -> tuple[str, str, tuple[str, str, str]] | None:
    """(normalised name, version, (python, abi, platform)) of a wheel file name."""
    parts = filename[:-4].split("-") if filename.endswith(".whl") else []
    if len(parts) not in (5, 6):
        return None
    return normalize(parts[0]), parts[1], (parts[-3], parts[-2], parts[-1])


def _rank(tags: tuple[str, str, str]) -> int | None:
    """How well a wheel fits the target CPython on Lambda's machine (lower is better); None: unusable."""
    python, abi, platform = tags
    platforms = platform.split(".")
    if not any(p == "any" or (p.startswith("manylinux") and p.endswith(f"_{MACHINE}")) for p in platforms):
        return None
    minor = int(PYTHON_VERSION.split(".")[1])
    pythons = python.split(".")
    if not any(p in (PYTHON_TAG, "py3") or (p.startswith("cp3") and abi == "abi3" and int(p[3:] or 0) <= minor)
               for p in pythons):
        return None
    return {PYTHON_TAG: 0, "abi3": 1, "none": 2}.get(abi, 3)


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
    """Fetch wheels for the Lambda platform with pip (the only step that uses the network).

    A pin pip cannot find is left missing (the caller reports it where it was declared);
    any other pip failure is a PackageError."""
    dest.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
           "--no-deps", "--only-binary=:all:", "--implementation", "cp", "--python-version",
           PYTHON_VERSION, "--abi", PYTHON_TAG, "--abi", "abi3", "--abi", "none", "--dest", str(dest)]
    for platform in WHEEL_PLATFORMS:
        cmd += ["--platform", platform]
    result = subprocess.run(cmd + [str(p) for p in pins], capture_output=True, text=True, check=False)
    if result.returncode == 0:
        return
    failures = [result.stderr.strip()]
    if "No matching distribution" in result.stderr:
        # pip stops at the first unknown pin: fetch one at a time so it does not hide the others
        failures = []
        for pin in pins:
            one = subprocess.run(cmd + [str(pin)], capture_output=True, text=True, check=False)
            if one.returncode != 0 and "No matching distribution" not in one.stderr:
                failures.append(one.stderr.strip())
    if failures:
        raise PackageError("pip download failed:\n" + "\n".join(failures))


def resolve_wheels(cache: Path, pins: list[Pin], download: Downloader = pip_download) -> dict[Pin, Path | None]:
    """The cached wheel of each pin (None: none exists for the platform), downloading the
    missing ones once."""
    missing = [p for p in pins if find_wheel(cache, p) is None]
    if missing:
        download(missing, cache)
    return {pin: find_wheel(cache, pin) for pin in pins}


def no_wheel_message(pin: Pin, cache: Path) -> str:
    return f"no wheel of {pin} for CPython {PYTHON_VERSION} on manylinux {MACHINE} in {cache}"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def skip_entry(parts: tuple[str, ...]) -> bool:
    """Caches and editor litter are never packed."""
    return "__pycache__" in parts or parts[-1].endswith((".pyc", ".pyo")) or parts[-1] == ".DS_Store"


def wheel_entries(wheel: Path) -> dict[str, bytes]:
    """A wheel's files as installed into site-packages (purelib/platlib data moved to the root)."""
    entries: dict[str, bytes] = {}
    with zipfile.ZipFile(wheel) as zf:
        for info in zf.infolist():
            name = info.filename
            if info.is_dir() or skip_entry(tuple(name.split("/"))):
                continue
            match = re.match(r"[^/]+\.data/(purelib|platlib|[^/]+)/(.*)", name)
            if match:
                if match.group(1) not in ("purelib", "platlib"):
                    continue  # scripts, headers, data: not importable code
                name = match.group(2)
            entries[name] = zf.read(info)
    return entries
