"""The Python emitter on a small edge-case spec (tests/runtime/cases/edge): keyword and odd
names (`class`, `2fa`, `my-thing`), names that collide once made Python, every type shape.

Golden files pin the spec-dependent modules (set GEN_UPDATE_GOLDEN=1 to rewrite them after a
reviewed change); the generated package must also import, decode, validate, re-encode and
marshal in a fresh interpreter (cases/edge/roundtrip.py), and be ruff-format clean.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

CASE = Path(__file__).parent / "cases" / "edge"
EXPECTED = CASE / "expected"
GOLDEN = (
    "generated/python/edge_case/__init__.py",
    "generated/python/edge_case/models.py",
    "generated/python/edge_case/events.py",
    "generated/python/edge_case/tables.py",
    "generated/python/edge_case/contracts.py",
    "generated/python/edge_case/entry/__init__.py",
    "generated/python/edge_case/entry/class.py",
    "generated/python/edge_case/entry/tick_tock.py",
    "handwritten/processors/class.py",
    "handwritten/processors/tick_tock.py",
)
EMITTERS = ("generator.emit.python:emit_python", "generator.emit.scaffold:emit_scaffolds")


def render(root: Path) -> dict[str, str]:
    """Every Python file the emitters produce for the spec under `root`, headers included.

    The IR is built directly, without `gen validate`'s API Gateway lint: API Gateway model
    names must be alphanumeric and have no exclusive bounds, but the Python emitter must cope
    with any IR (property names stay free-form either way).
    """
    from generator.diagnostics import Diagnostics
    from generator.emit import emit_all
    from generator.ir.build import build_ir
    from generator.load.spec import load_spec
    from generator.render.header import with_header

    diags = Diagnostics()
    ir = build_ir(load_spec(root, diags), diags)
    assert ir is not None, [d.render() for d in diags]
    files = emit_all(ir, EMITTERS)
    return {f.path: with_header(f.path, f.source, f.content, scaffold=f.ownership == "scaffold")
            if f.header else f.content for f in files}


@pytest.fixture(scope="module")
def edge(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The edge case generated into a temporary project (spec copied, outputs written)."""
    out = tmp_path_factory.mktemp("edge")
    for name in ("model.yaml", "openapi.yaml"):
        (out / "spec").mkdir(exist_ok=True)
        (out / "spec" / name).write_bytes((CASE / "spec" / name).read_bytes())
    for path, content in render(out).items():
        (out / path).parent.mkdir(parents=True, exist_ok=True)
        (out / path).write_text(content, encoding="utf-8")
    return out


def test_generated_modules_match_the_golden_files(edge: Path) -> None:
    if os.environ.get("GEN_UPDATE_GOLDEN"):
        for path in GOLDEN:
            (EXPECTED / path).parent.mkdir(parents=True, exist_ok=True)
            (EXPECTED / path).write_bytes((edge / path).read_bytes())
    differing = [p for p in GOLDEN if (edge / p).read_bytes() != (EXPECTED / p).read_bytes()]
    assert not differing, f"regenerate with GEN_UPDATE_GOLDEN=1 if intended: {differing}"


def test_generation_is_deterministic(edge: Path) -> None:
    assert render(edge) == render(edge)


def test_the_package_imports_and_round_trips(edge: Path) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(edge / "generated" / "python"), str(edge)])}
    result = subprocess.run([sys.executable, str(CASE / "roundtrip.py")], cwd=edge, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "ok"


def test_names_are_distinct_valid_identifiers(edge: Path) -> None:
    import ast

    tree = ast.parse((edge / "generated/python/edge_case/models.py").read_text())
    classes = [n.name for n in tree.body if isinstance(n, ast.ClassDef)]
    assert len(classes) == len(set(classes))
    assert {"Class", "N2fa", "MyThing", "Order", "OrderLine", "OrderLine2", "Struct"} <= set(classes)
    fields = [s.target.id for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Class"
              for s in n.body if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name)]
    # fields in wire-name order: 2fa, Decimal, class, my-thing, myThing, my_thing, self, type
    assert fields == ["n2fa", "decimal_", "class_", "my_thing", "my_thing_", "my_thing__", "self_", "type_"]


def _ruff() -> str:
    return str(Path(sys.executable).with_name("ruff"))


@pytest.mark.parametrize("where", ["edge", "reference"])
def test_generated_python_is_ruff_formatted(edge: Path, where: str) -> None:
    root = edge if where == "edge" else Path(__file__).resolve().parents[2]
    target = root / "generated" / "python"
    result = subprocess.run([_ruff(), "format", "--check", "--line-length", "100", "--no-cache", str(target)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


GOLDEN_SPECS = sorted((Path(__file__).resolve().parents[1] / "golden" / "cases").glob("*/spec"))


@pytest.mark.parametrize("spec", GOLDEN_SPECS, ids=[s.parent.name for s in GOLDEN_SPECS])
def test_other_specs_generate_formatted_importable_packages(spec: Path, tmp_path: Path) -> None:
    """The golden cases' specs (other names, keys, schedules) through the Python emitter."""
    import shutil

    shutil.copytree(spec, tmp_path / "spec")
    rendered = render(tmp_path)
    for path, content in rendered.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(content, encoding="utf-8")
    result = subprocess.run([_ruff(), "format", "--check", "--line-length", "100", "--no-cache",
                             str(tmp_path / "generated" / "python")], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    entries = sorted(p for p in rendered if "/entry/" in p and not p.endswith("__init__.py"))
    modules = [p.removeprefix("generated/python/").removesuffix(".py").replace("/", ".") for p in entries]
    script = "import importlib, sys\nfor m in sys.argv[1:]:\n    assert callable(importlib.import_module(m).handler)"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path / "generated" / "python"), str(tmp_path)])}
    run = subprocess.run([sys.executable, "-c", script, *modules], env=env, capture_output=True, text=True,
                         timeout=60, cwd=tmp_path)
    assert modules and run.returncode == 0, run.stderr
