"""The memo's files under .gen-cache/: values by key, per namespace, saved once per run.

Entries live in ``<folder>/<namespace>.<digit>.bin``, 16 files per namespace (by the first hex
digit of the key). Each file is the sha256 of the rest, a newline, and the entries in `marshal`
format (the fastest to read for plain strings and lists), which is only read after the hash
matched: a damaged, truncated or edited file is ignored as a whole (a miss), and a file written
by another Python version is never trusted. (The hash guards against damage, not forgery: like
the rest of the project tree, .gen-cache/ is written by gen only.) A run keeps only the entries
it used, and rewrites a file only when that set changed.

Values must be strings, booleans, or lists of them (what marshal stores exactly). Writes are
atomic (a per-process temporary file, then a rename), so concurrent runs never read half a
file; any failure to read or write is a miss: a memo only ever costs or saves time.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import os
import sys
from pathlib import Path
from typing import Any

CACHE_DIR = ".gen-cache"
"""Every memo's folder, under the project root."""


class Store:
    """Values by (namespace, key), read lazily; `save` writes what this run used."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._stored: dict[str, dict[str, Any]] = {}
        self._used: dict[str, dict[str, Any]] = {}

    def _entries(self, namespace: str, key: str) -> tuple[dict[str, Any], dict[str, Any]]:
        # 16 files per namespace, by the key's first hex digit: an edit rewrites a few small ones
        name = f"{namespace}.{key[0]}.bin"
        entries = self._stored.get(name)
        if entries is None:
            entries = self._stored[name] = _read(self.folder / name)
            self._used[name] = {}
        return entries, self._used[name]

    def get(self, namespace: str, key: str) -> Any:
        """The stored value, or None."""
        entries, used = self._entries(namespace, key)
        value = entries.get(key)
        if value is not None:
            used[key] = value
        return value

    def put(self, namespace: str, key: str, value: Any) -> None:
        self._entries(namespace, key)[1][key] = value

    def save(self) -> None:
        """Write each file whose set of used entries differs from what was read; remove the
        files of a namespace this run used but never opened (they hold nothing it used)."""
        for name, used in self._used.items():
            if used.keys() != self._stored[name].keys():
                _write(self.folder / name, used)
        for namespace in {name.split(".", 1)[0] for name in self._used}:
            for digit in "0123456789abcdef":
                name = f"{namespace}.{digit}.bin"
                if name not in self._used:
                    try:
                        (self.folder / name).unlink(missing_ok=True)
                    except OSError:
                        pass


_FORMAT = f"gen-memo 1 python {sys.version_info[0]}.{sys.version_info[1]} marshal {marshal.version}\n".encode()


def _read(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
    except OSError:
        return {}
    check, _, body = raw.partition(b"\n")
    if not body.startswith(_FORMAT) or hashlib.sha256(body).hexdigest().encode() != check:
        return {}
    try:
        data = marshal.loads(body[len(_FORMAT):])
    except (ValueError, EOFError, TypeError):
        return {}
    return data if isinstance(data, dict) else {}


def _write(path: Path, entries: dict[str, Any]) -> None:
    try:
        body = _FORMAT + marshal.dumps(entries)
    except ValueError:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(hashlib.sha256(body).hexdigest().encode() + b"\n" + body)
        tmp.replace(path)
    except OSError:
        pass  # a memo that cannot be written only costs time


def read_json(path: Path) -> Any:
    """A JSON file's value, or None when absent or unreadable."""
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
        pass  # a memo that cannot be written only costs time
