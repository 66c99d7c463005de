"""`mypy --strict` over the generated package and the handwritten code that implements it.

The entry modules assign each handwritten `handle` to its generated Protocol, so this is the
check that handwritten/processors/ still matches the spec. The edge-case package and its fresh
scaffolds are checked too (scaffolds must type-check as generated).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def mypy(cwd: Path, *targets: str, cache: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MYPYPATH": str(cwd / "generated" / "python")}
    cmd = [sys.executable, "-m", "mypy", "--strict", "--explicit-package-bases", "--no-error-summary",
           "--cache-dir", str(cache), *targets]
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def test_reference_package_and_handwritten_code_pass_mypy_strict() -> None:
    result = mypy(ROOT, "generated/python/fleet", "handwritten", cache=ROOT / ".mypy_cache")
    assert result.returncode == 0, result.stdout + result.stderr


def test_edge_case_package_and_scaffolds_pass_mypy_strict(tmp_path: Path) -> None:
    root = _edge_project(tmp_path)
    result = mypy(root, "generated/python/edge_case", "handwritten", cache=ROOT / ".mypy_cache")
    assert result.returncode == 0, result.stdout + result.stderr


def _edge_project(tmp_path: Path) -> Path:
    from tests.runtime.test_runtime_edge import CASE, render

    (tmp_path / "spec").mkdir()
    for name in ("model.yaml", "openapi.yaml"):
        (tmp_path / "spec" / name).write_bytes((CASE / "spec" / name).read_bytes())
    for path, content in render(tmp_path).items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(content, encoding="utf-8")
    return tmp_path


def test_mypy_catches_a_handwritten_signature_that_breaks_the_contract(tmp_path: Path) -> None:
    root = _edge_project(tmp_path)
    stub = root / "handwritten" / "processors" / "tick_tock.py"
    stub.write_text(stub.read_text().replace("def handle(tick: Tick,", "def handle(tick: int,"))
    result = mypy(root, "generated/python/edge_case", "handwritten", cache=ROOT / ".mypy_cache")
    assert result.returncode != 0
    assert "entry/tick_tock.py" in result.stdout and "TickTockHandler" in result.stdout


def test_mypy_catches_a_write_to_a_table_the_processor_only_reads(tmp_path: Path) -> None:
    root = _edge_project(tmp_path)
    stub = root / "handwritten" / "processors" / "tick_tock.py"
    stub.write_text(stub.read_text().replace(
        "    raise NotImplementedError", "    ctx.metrics_table.batch_write()\n    raise NotImplementedError"))
    result = mypy(root, "generated/python/edge_case", "handwritten", cache=ROOT / ".mypy_cache")
    assert result.returncode != 0
    assert '"MetricsReads" has no attribute "batch_write"' in result.stdout
