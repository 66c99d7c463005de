"""One build's memo: the store, the keys, and the runner that memoises the stages' parts.

A `Session` decides what is reused; the stages only declare parts (`generator.ir.parts`) or
expose pure functions (validation, canonical JSON), and never see it. Without a cache folder a
session memoises nothing and runs every part (`DIRECT`), so tests of exact output can run with
or without it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from generator.canonical import laid_out
from generator.diagnostics import Diagnostics
from generator.ir.nodes import Ir
from generator.ir.parts import DIRECT, Check, Part, Runner, is_text
from generator.load.spec import LoadedSpec
from generator.speed.keys import Keys
from generator.speed.materials import Materials
from generator.speed.store import Store

V = TypeVar("V")


class Session:
    """What one build may reuse from .gen-cache/ (nothing when `folder` is None)."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.materials = Materials()
        self._keys: Keys | None = None
        self._render = None if folder is None else Store(folder / "render")

    @property
    def memoises(self) -> bool:
        return self.folder is not None

    def key(self, namespace: str, material: str) -> str:
        if self._keys is None:
            self._keys = Keys()
        return self._keys.key(namespace, material)

    def memoized(self, namespace: str, material: str | None, compute: Callable[[], V],
                 plain: Callable[[Any], bool]) -> V:
        """`compute()`, or the value memoised for `material` when there is one and it is `plain`.
        No material means no memo."""
        store = self._render
        if store is None or material is None:
            return compute()
        key = self.key(namespace, material)
        value = store.get(namespace, key)
        if value is not None and plain(value):
            return value  # type: ignore[no-any-return]
        value = compute()
        store.put(namespace, key, value)
        return value

    def clean(self, namespace: str, material: str | None, run: Callable[[Diagnostics], object],
              diags: Diagnostics) -> bool:
        """Add what `run` finds to `diags`, unless it found nothing before for `material` (only
        such clean verdicts are memoised, so what is reported never depends on the memo).
        True when nothing was found."""
        store = self._render
        key = None if store is None or material is None else self.key(namespace, material)
        if store is not None and key is not None and store.get(namespace, key) is True:
            return True
        found = Diagnostics()
        run(found)
        diags.extend(found.items)
        if store is not None and key is not None and not found.items:
            store.put(namespace, key, True)
        return not found.items

    def runner(self, ir: Ir) -> Runner:
        """Runs `ir`'s parts, reusing each one's value while what it reads is unchanged."""
        return _Memoised(self, ir) if self.memoises else DIRECT

    def fragment(self, value: Any, level: int) -> str | None:
        """A `canonical.Fragment`: laid-out JSON memoised by its compact JSON (which determines
        it) and level."""
        try:
            compact = self.materials.compact(value)
        except (TypeError, ValueError):
            return None
        if not isinstance(value, (dict, list, tuple)) or len(compact) == 2:
            return compact  # a scalar or an empty container: no layout to add
        return self.memoized("json", f"{level}\0{compact}", lambda: laid_out(value, level), is_text)

    def spec_digest(self, spec: LoadedSpec) -> str:
        return spec.digest(self.fragment if self.memoises else None)

    def save(self) -> None:
        """Keep what this build used (see `Store.save`)."""
        if self._render is not None:
            self._render.save()


class _Memoised:
    def __init__(self, session: Session, ir: Ir) -> None:
        self.session = session
        self.ir = ir

    def value(self, part: Part[V]) -> V:
        material = self.session.materials.reads(self.ir, part.reads)
        return self.session.memoized(part.kind, material, part.compute, part.plain)

    def check(self, check: Check, diags: Diagnostics) -> None:
        material = self.session.materials.reads(self.ir, check.reads)
        self.session.clean(check.kind, material, check.run, diags)
