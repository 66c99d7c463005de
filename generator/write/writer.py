"""Apply a Plan: the only code in gen that writes the project tree.

Every new file is first written to a temporary sibling; only when all of them exist are
they renamed into place (os.replace is atomic per file), then deletions, then the manifest
last, so an interrupted run never leaves a manifest that vouches for files not written.
Identical files are not touched (mtimes and editors stay undisturbed).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from generator.write.manifest import MANIFEST_PATH
from generator.write.plan import Plan


def _stage(target: Path, content: str) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".gen-tmp", dir=target.parent)
    with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(content)
    os.chmod(tmp, 0o644)
    return Path(tmp)


def apply_plan(root: Path, plan: Plan) -> None:
    """Write the plan's creates/updates/deletes and the manifest. Callers refuse conflicts first."""
    staged: list[tuple[Path, Path]] = []
    try:
        for action in plan.actions:
            if action.verb in ("create", "update", "conflict") and action.content is not None:
                staged.append((_stage(root / action.path, action.content), root / action.path))
        if plan.manifest_changed or staged:
            staged.append((_stage(root / MANIFEST_PATH, plan.manifest_text), root / MANIFEST_PATH))
    except BaseException:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
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
