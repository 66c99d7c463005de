"""A memo of rendered text across builds, so that a rebuild renders only what changed.

An entry is keyed by the sha256 of the generator's code fingerprint, the versions of the
libraries that shape text (jinja2, markupsafe), a namespace and a *material* string that the
caller guarantees determines the rendered value completely: compact JSON of the value to
serialise, or the `repr` of the frozen IR nodes an emitter is given (see `exact_repr`). So a
hit returns exactly what rendering would return; only time depends on the memo.

Entries live in ``.gen-cache/render/<namespace>.<digit>.bin``, 16 files per namespace (by the
first hex digit of the key). Each file is the sha256 of the rest, a newline, and the entries
in `marshal` format (the fastest to read for plain strings and lists), which is only read
after the hash matched: a damaged, truncated or edited file is ignored as a whole (a miss),
and a file written by another Python version is never trusted. (The hash guards against
damage, not forgery: like the rest of the project tree, .gen-cache/ is written by gen only.)
A run keeps only the entries it used, and rewrites a file only when that set changed. Outside
`active_memo` (tests, `use_cache=False`) nothing is memoised.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from generator.cache import code_fingerprint, library_version

_SHAPING_LIBRARIES = ("jinja2", "markupsafe")


def exact_repr(value: Any) -> str | None:
    """`repr(value)` when it is an exact description of a tree of frozen IR nodes, tuples, dicts
    and scalars; None when it shows an object identity (an address could be reused)."""
    text = repr(value)
    return None if " at 0x" in text else text


def digest(material: str | None) -> str | None:
    """A short stand-in for a long material that is part of many keys (hashed once)."""
    return None if material is None else hashlib.sha256(material.encode("utf-8", "surrogatepass")).hexdigest()


class Memo:
    """Rendered values by key, per namespace, read lazily and saved once at the end of a run."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        salt = [code_fingerprint()] + [library_version(m) for m in _SHAPING_LIBRARIES]
        self._salt = "\0".join(salt).encode()
        self._stored: dict[str, dict[str, Any]] = {}
        self._used: dict[str, dict[str, Any]] = {}
        self.derived: dict[Any, Any] = {}  # materials computed once per build, by their users

    def key(self, namespace: str, material: str) -> str:
        h = hashlib.sha256(self._salt)
        h.update(b"\0" + namespace.encode() + b"\0")
        h.update(material.encode("utf-8", "surrogatepass"))
        return h.hexdigest()

    def _entries(self, namespace: str, key: str) -> tuple[dict[str, Any], dict[str, Any]]:
        # 16 files per namespace, by the key's first hex digit: an edit rewrites a few small ones
        name = f"{namespace}.{key[0]}.bin"
        entries = self._stored.get(name)
        if entries is None:
            entries = self._stored[name] = _read(self.folder / name)
            self._used[name] = {}
        return entries, self._used[name]

    def get(self, namespace: str, key: str) -> Any:
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


_active: list[Memo] = []


@contextmanager
def active_memo(folder: Path | None) -> Iterator[Memo | None]:
    """Memoise rendering under `folder` for the duration of the block (no memo when None);
    the used entries are saved when the block exits normally."""
    if folder is None:
        yield None
        return
    memo = Memo(folder)
    _active.append(memo)
    try:
        yield memo
    finally:
        _active.remove(memo)
    memo.save()


def current() -> Memo | None:
    return _active[-1] if _active else None


def memoized(namespace: str, material: str | None, compute: Callable[[], Any],
             valid: Callable[[Any], bool]) -> Any:
    """`compute()`, or the memoised value for `material` when one exists and passes `valid`.

    Values must be strings, booleans, or lists of them (what marshal stores exactly). No material
    means no memo."""
    memo = current()
    if memo is None or material is None:
        return compute()
    key = memo.key(namespace, material)
    value = memo.get(namespace, key)
    if value is not None and valid(value):
        return value
    value = compute()
    memo.put(namespace, key, value)
    return value
