"""Memo keys: the sha256 of a salt, a namespace and a *material*.

The salt is what every value depends on besides the spec: the generator's own code and
templates (`code_fingerprint`) and the versions of the libraries that shape text (jinja2,
markupsafe). A material is a string that determines the value completely
(`generator.speed.materials`).
"""

from __future__ import annotations

import functools
import hashlib
import os
import sys
from importlib.util import find_spec
from pathlib import Path


@functools.cache
def code_fingerprint() -> str:
    """sha256 over the generator's own code and templates (and the Python version): everything
    besides the spec that output depends on. Computed once per process."""
    here = Path(__file__).resolve().parent.parent
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


_SHAPING_LIBRARIES = ("jinja2", "markupsafe")


class Keys:
    """Salted keys: the same material under another generator or library version never matches."""

    def __init__(self) -> None:
        salt = [code_fingerprint()] + [library_version(m) for m in _SHAPING_LIBRARIES]
        self._salt = "\0".join(salt).encode()

    def key(self, namespace: str, material: str) -> str:
        h = hashlib.sha256(self._salt)
        h.update(b"\0" + namespace.encode() + b"\0")
        h.update(material.encode("utf-8", "surrogatepass"))
        return h.hexdigest()
