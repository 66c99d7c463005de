"""`gen init DIR [--name N] [--frontend]`: a complete new project, then `gen build` in it.

The project works with two commands, like specstack's own repository: `make run` and `make
test` (its tests of the example processor against moto, `gen test --pipeline`, `gen validate
--terraform`), with a README, pinned requirements (specstack at this gen's version), mypy and
ruff settings, .gitignore/.gitattributes, GitHub Actions workflows (CI, and `gen review` of each
pull request), the spec reference (docs/spec-format.md, when this gen ships it) and, with
`--frontend`, a Vite + React + TypeScript app on the typed API client. Refuses a directory that already has a spec (nothing is
overwritten).
"""

from __future__ import annotations

import re
from pathlib import Path

import generator
from generator.errors import UsageError
from generator.ir.names import package_identifier
from generator.render.env import render

FILES: tuple[tuple[str, str], ...] = (
    ("spec/model.yaml", "init/spec/model.yaml.j2"),
    ("spec/openapi.yaml", "init/spec/openapi.yaml.j2"),
    ("spec/seed/orders.yaml", "init/spec/seed/orders.yaml.j2"),
    ("handwritten/processors/apply_orders.py", "init/handwritten/processors/apply_orders.py.j2"),
    ("tests/__init__.py", "init/tests/__init__.py.j2"),
    ("tests/conftest.py", "init/tests/conftest.py.j2"),
    ("tests/support.py", "init/tests/support.py.j2"),
    ("tests/test_apply_orders.py", "init/tests/test_apply_orders.py.j2"),
    ("README.md", "init/README.md.j2"),
    ("Makefile", "init/Makefile.j2"),
    ("requirements.txt", "init/requirements.txt.j2"),
    ("pyproject.toml", "init/pyproject.toml.j2"),
    (".gitignore", "init/gitignore.j2"),
    (".gitattributes", "init/gitattributes.j2"),
    (".github/workflows/ci.yml", "init/github/workflows/ci.yml.j2"),
    (".github/workflows/review.yml", "init/github/workflows/review.yml.j2"),
    ("frontend/README.md", "init/frontend/README.md.j2"),
)
FRONTEND_FILES: tuple[tuple[str, str], ...] = (
    ("frontend/package.json", "init/frontend/package.json.j2"),
    ("frontend/index.html", "init/frontend/index.html.j2"),
    ("frontend/vite.config.ts", "init/frontend/vite.config.ts.j2"),
    ("frontend/tsconfig.json", "init/frontend/tsconfig.json.j2"),
    ("frontend/src/main.tsx", "init/frontend/src/main.tsx.j2"),
    ("frontend/src/App.tsx", "init/frontend/src/App.tsx.j2"),
    ("frontend/src/api.ts", "init/frontend/src/api.ts.j2"),
)
TEST_PINS = (
    "pytest==8.4.2",
    "mypy==1.18.2",
    "ruff==0.14.0",
    "boto3-stubs[dynamodb]==1.40.70",
)
"""The project's test tools, at the versions gen's own tests use (a test keeps them equal)."""
SPEC_REFERENCE = "docs/spec-format.md"


def project_name(directory: Path, name: str | None) -> str:
    """The spec's `name:` (lowercase words joined by hyphens, 2..20 characters)."""
    raw = name or directory.resolve().name
    slug = re.sub(r"[^a-z0-9]+", "-", raw.lower()).strip("-")
    if not slug or not slug[0].isalpha():
        slug = f"app-{slug}".strip("-")
    return slug[:20].rstrip("-")


def spec_reference() -> Path | None:
    """docs/spec-format.md as this gen ships it (in the wheel, or in a source checkout)."""
    here = Path(generator.__file__).resolve().parent
    for candidate in (here / SPEC_REFERENCE, here.parent / SPEC_REFERENCE):
        if candidate.is_file():
            return candidate
    return None


def init_project(directory: Path, name: str | None = None, *, frontend: bool = False) -> list[str]:
    """Create the project and run `gen build` in it; returns the paths written (relative)."""
    from generator import pipeline

    if (directory / "spec").exists():
        raise UsageError(f"{directory}/spec already exists: gen init only creates new projects",
                         hint="run `gen build` in an existing project")
    if directory.exists() and not directory.is_dir():
        raise UsageError(f"{directory} exists and is not a directory")
    slug = project_name(directory, name)
    view = {"name": slug, "package": package_identifier(slug), "gen_version": generator.__version__,
            "frontend": frontend, "test_pins": TEST_PINS}
    written: list[str] = []
    for rel, template in FILES + (FRONTEND_FILES if frontend else ()):
        _write(directory / rel, render(template, **view))
        written.append(rel)
    reference = spec_reference()
    if reference is not None:
        _write(directory / SPEC_REFERENCE, reference.read_text(encoding="utf-8"))
        written.append(SPEC_REFERENCE)
    result = pipeline.build(directory)
    written.extend(a.path for a in result.plan.changes)
    return written


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
