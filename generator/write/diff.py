"""Unified diffs of a plan, sorted by path, for `gen build --check --diff`."""

from __future__ import annotations

import difflib

from generator.write.plan import Plan


def render_diff(plan: Plan) -> str:
    chunks: list[str] = []
    for action in plan.actions:
        if action.verb not in ("create", "update", "delete", "conflict"):
            continue
        old = (action.old or "").splitlines(keepends=True)
        new = (action.content or "").splitlines(keepends=True) if action.content is not None else []
        a = f"a/{action.path}" if action.old is not None else "/dev/null"
        b = f"b/{action.path}" if action.content is not None else "/dev/null"
        chunks.extend(difflib.unified_diff(old, new, fromfile=a, tofile=b))
        if chunks and not chunks[-1].endswith("\n"):
            chunks.append("\n\\ No newline at end of file\n")
    return "".join(chunks)
