"""The build's speed, behind one seam: every memo, cache and process trick gen uses.

Output never depends on anything here: the same spec gives the same bytes with the memos
warm, cold, damaged or deleted (tests/regen/test_incremental.py). The stages below stay pure
and never see this package (an import-linter contract): they expose functions over explicit
inputs and declare their parts (`generator.ir.parts`); the pipeline opens a `session` and hands
its runner and caches to them (`open_session`).

- `store`: the memo files under .gen-cache/ (hash-checked, a run keeps what it used);
- `keys`, `materials`: what keys are made of: gen's code fingerprint, library versions, exact
  reprs of IR nodes, compact JSON of spec parts;
- `session`: one build's memo, and the runner that memoises emitter, template, path item and
  lint parts, and canonical JSON fragments (for the spec digest);
- `validation`: the structural checks cached by content and overlapped with the build;
- `last_build`: the memo of the last clean build that answers a no-op `gen build`;
- `templates`: jinja2's compiled templates, hash-checked;
- `process`: the process tricks (collector paused, no teardown, the forked worker);
- `review_caches`: the caches of `gen review`'s two sides, seeded from the project's.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from generator.speed.process import paused_gc
from generator.speed.store import CACHE_DIR

if TYPE_CHECKING:
    from generator.speed.session import Session


@contextmanager
def open_session(root: Path | None, *, cache: Path | None = None) -> Iterator[Session]:
    """One build's session over `root`'s .gen-cache/ (None: memoise nothing), or over `cache`
    instead when given (`gen review` keeps one per side, see `review_caches`). The cyclic
    collector is paused inside; what the build used is saved when the block ends normally."""
    # imported here: a no-op `gen build` (generator.speed.last_build) needs none of it
    from generator.render.env import use_bytecode_cache
    from generator.speed.session import Session
    from generator.speed.templates import checked_cache

    folder = None if root is None else (cache if cache is not None else root / CACHE_DIR)
    current = Session(folder)
    with paused_gc():
        use_bytecode_cache(None if folder is None else checked_cache(folder / "jinja"))
        try:
            yield current
        finally:
            use_bytecode_cache(None)
        current.save()


REVIEW_SIDES = ("base", "head")


def review_caches(root: Path) -> dict[str, Path]:
    """`gen review`'s cache folder per side, ``.gen-cache/review/{base,head}``, each started as a
    copy of the project's own .gen-cache/. One per side: a session keeps only the entries its run
    used, so a shared one would hold one side's entries at a time. Every memo is keyed by content, so what the last `gen build` validated and rendered
    serves a review of the same parts; the project's cache is never touched."""
    project = root / CACHE_DIR
    folders = {side: project / "review" / side for side in REVIEW_SIDES}
    for folder in folders.values():
        _seed(folder, project)
    return folders


def _seed(cache: Path, project: Path) -> None:
    import shutil

    if cache.exists() or not project.is_dir():
        return
    try:
        shutil.copytree(project, cache, ignore=lambda folder, names: [n for n in names if n == "review"])
    except OSError:
        shutil.rmtree(cache, ignore_errors=True)  # a cache that cannot be seeded only costs time
