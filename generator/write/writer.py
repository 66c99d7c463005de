"""Apply a Plan: the only code in gen that writes the project tree.

Every new file is first written to a temporary sibling; only when all of them exist are
they renamed into place (os.replace is atomic per file), then deletions, then the manifest
last, so an interrupted run never leaves a manifest that vouches for files not written.
Identical files are not touched (mtimes and editors stay undisturbed).
"""

from __future__ import annotations

import os
from pathlib import Path

from generator.write.manifest import MANIFEST_PATH
from generator.write.plan import Plan


def _stage(target: Path, content: str) -> Path:
    tmp = target.parent / f".{target.name}.{os.getpid()}.gen-tmp"
    # O_EXCL: a leftover of a crashed run with the same pid is an error, never silently reused
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileNotFoundError:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    with os.fdopen(fd, "wb") as fh:
        fh.write(content.encode("utf-8"))
    return tmp


def _stage_all(jobs: list[tuple[Path, str]]) -> list[tuple[Path, Path]]:
    # measured: threads do not speed this up (file creation serialises in the file system)
    return [(_stage(target, content), target) for target, content in jobs]


def apply_plan(root: Path, plan: Plan) -> None:
    """Write the plan's creates/updates/deletes and the manifest. Callers refuse conflicts first."""
    jobs = [(root / a.path, a.content) for a in plan.actions
            if a.verb in ("create", "update", "conflict") and a.content is not None]
    if plan.manifest_changed or jobs:
        jobs.append((root / MANIFEST_PATH, plan.manifest_text))
    staged: list[tuple[Path, Path]] = []
    try:
        staged = _stage_all(jobs)
    except BaseException:
        for target, _ in jobs:
            (target.parent / f".{target.name}.{os.getpid()}.gen-tmp").unlink(missing_ok=True)
        raise
    manifest = staged.pop() if staged and staged[-1][1] == root / MANIFEST_PATH else None
    for tmp, target in staged:
        os.replace(tmp, target)
    for action in plan.actions:
        if action.verb == "delete" or (action.verb == "conflict" and action.content is None):
            target = root / action.path
            target.unlink(missing_ok=True)
            _prune_empty(target.parent, root / "generated")
    if manifest is not None:
        os.replace(*manifest)


def _prune_empty(folder: Path, stop: Path) -> None:
    while folder != stop and stop in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent
