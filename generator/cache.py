"""Best-effort JSON files under .gen-cache/: caches only ever cost or save time, never change output.

Writes are atomic (a per-process temporary file, then a rename) so concurrent runs never read
half a file; any failure to read or write is treated as a cache miss.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
from importlib.util import find_spec
from pathlib import Path
from typing import Any


@functools.cache
def code_fingerprint() -> str:
    """sha256 over the generator's own code and templates (and the Python version): everything
    besides the spec that output depends on. Computed once per process."""
    here = Path(__file__).resolve().parent
    roots = [here, here / "templates", here.parent / "templates"]
    h = hashlib.sha256(f"{sys.version_info[:2]}".encode())
    for root in roots:
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            if path.is_file() and path.suffix in (".py", ".j2", ".json", ".yaml") and "__pycache__" not in path.parts:
                h.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def library_version(module: str) -> str:
    """The installed version of `module`'s distribution, read from its dist-info folder name
    without importing it; "?" when it cannot be told (then keys simply never match)."""
    try:
        spec = find_spec(module)
        origin = spec.origin if spec is not None else None
        if origin is None:
            return "?"
        folder = Path(origin).parent.parent
        prefix = f"{module.replace('_', '-').lower()}-"
        for name in os.listdir(folder):
            norm = name.lower().replace("_", "-")
            if norm.startswith(prefix) and norm.endswith(".dist-info"):
                return name[len(prefix):-len(".dist-info")]
    except (OSError, ValueError, ImportError):
        pass
    return "?"


def read_json(path: Path) -> Any:
    """The cached value, or None when absent or unreadable."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write_json(path: Path, value: Any) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(value), encoding="utf-8")
        tmp.replace(path)
    except OSError:
        pass  # a cache that cannot be written only costs time
