"""`gen init DIR`: write a minimal project that builds, then build it.

Refuses a directory that already has a spec (nothing is overwritten).
"""

from __future__ import annotations

import re
from pathlib import Path

from generator.diagnostics import Diagnostics, GenError, Location
from generator.render.env import render, templates_dir

_FILES = {
    "spec/model.yaml": "init/spec/model.yaml.j2",
    "spec/openapi.yaml": "init/spec/openapi.yaml.j2",
    "spec/seed/orders.yaml": "init/spec/seed/orders.yaml.j2",
    ".gitignore": "init/gitignore.j2",
    ".gitattributes": "init/gitattributes.j2",
    "README.md": "init/README.md.j2",
    "frontend/README.md": "init/frontend/README.md.j2",
}


def project_name(directory: Path, name: str | None) -> str:
    raw = name or directory.resolve().name
    slug = re.sub(r"[^a-z0-9]+", "-", raw.lower()).strip("-")
    if not slug or not slug[0].isalpha():
        slug = f"app-{slug}".strip("-")
    return slug[:20].rstrip("-")


def init_project(directory: Path, name: str | None = None) -> list[str]:
    """Create the project and run `gen build` in it; returns the paths written (relative)."""
    from generator import pipeline

    if (directory / "spec").exists():
        diags = Diagnostics()
        diags.error("E-INIT", f"{directory}/spec already exists", Location(str(directory)),
                    "gen init only creates new projects; run `gen build` in an existing one")
        raise GenError(diags)
    slug = project_name(directory, name)
    assert templates_dir().is_dir()
    written: list[str] = []
    for rel, template in _FILES.items():
        target = directory / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(render(template, name=slug), encoding="utf-8")
        written.append(rel)
    result = pipeline.build(directory)
    written.extend(a.path for a in result.plan.changes)
    return written
