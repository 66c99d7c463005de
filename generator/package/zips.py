"""The function zip: its entries from the sources, and a reproducible write.

Byte-identical across runs and machines: entries sorted by path, timestamps fixed at
1980-01-01 00:00, permissions 0644, one compression level.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import zipfile
from collections.abc import Iterable
from pathlib import Path

from generator.package.wheels import PackageError, skip_entry

ZIP_TIME = (1980, 1, 1, 0, 0, 0)
FILE_MODE = 0o100644


def tree(base: Path, prefix: str) -> dict[str, bytes]:
    """Every packable file under `base`, by its path inside the zip (`prefix`/...)."""
    entries: dict[str, bytes] = {}
    for path in sorted(base.rglob("*")):
        rel = path.relative_to(base)
        if path.is_file() and not skip_entry(rel.parts):
            entries[f"{prefix}/{rel.as_posix()}"] = path.read_bytes()
    return entries


def merge(sources: Iterable[dict[str, bytes]]) -> dict[str, bytes]:
    """One zip's entries from several sources; two different files at one path are an error."""
    entries: dict[str, bytes] = {}
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


def digest(path: Path) -> str:
    """sha256 of a file (what Terraform's filebase64sha256 compares, hex-encoded)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()
