"""Error goldens: each broken spec under errors/<case>/spec gives exactly expected_stderr.txt.

The wording, order and locations of diagnostics are part of the product, so a change to any of
them shows up here as a reviewed diff (`pytest --update-golden` rewrites the files). Every case
is also built, which must exit 2 and write nothing at all.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import read_tree, run_cli

CASES = sorted(p for p in (Path(__file__).parent / "errors").iterdir() if p.is_dir())


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_error_case(case: Path, tmp_path: Path, update_golden: bool) -> None:
    project = tmp_path / "p"
    shutil.copytree(case / "spec", project / "spec")
    result = run_cli("-C", str(project), "validate")
    expected_exit = case / "expected_exit"
    expected_stderr = case / "expected_stderr.txt"
    if update_golden:
        expected_stderr.write_text(result.stderr, encoding="utf-8")
        expected_exit.write_text(f"{result.exit_code}\n", encoding="utf-8")
    assert result.stderr == expected_stderr.read_text(encoding="utf-8")
    assert result.exit_code == int(expected_exit.read_text())
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_error_case_build_writes_nothing(case: Path, tmp_path: Path) -> None:
    if int((case / "expected_exit").read_text()) == 0:
        pytest.skip("a warning-only case builds")
    project = tmp_path / "p"
    shutil.copytree(case / "spec", project / "spec")
    before = read_tree(project)
    result = run_cli("-C", str(project), "build")
    assert result.exit_code == 2
    assert read_tree(project) == before
    # build checks the OpenAPI structure in a worker while it builds the IR; it must report
    # exactly what validate reports
    assert result.stderr == (case / "expected_stderr.txt").read_text(encoding="utf-8")


def test_every_error_code_has_a_case() -> None:
    import re

    root = Path(__file__).resolve().parents[2] / "generator"
    codes = set()
    for path in root.rglob("*.py"):
        codes |= set(re.findall(r'"(E-[A-Z0-9-]+)"', path.read_text(encoding="utf-8")))
    seen = set()
    for case in CASES:
        seen |= set(re.findall(r"error\[(E-[A-Z0-9-]+)\]", (case / "expected_stderr.txt").read_text()))
    # E-INIT is raised by `gen init`, not by a spec; tested in tests/unit/test_cli.py. The
    # codes of `gen package` are about handwritten/, not the spec; their exact stderr is asserted
    # in tests/runtime/test_runtime_package.py. E-DESTRUCTIVE compares a spec with the last build,
    # so validate never reports it: tests/review/test_guard.py. E-USAGE is about spec/usage.yaml,
    # which only `gen cost` reads: tests/review/test_cost.py
    missing = sorted(codes - seen - {"E-INIT", "E-COMPILE", "E-DEPS", "E-IMPORT", "E-DESTRUCTIVE", "E-USAGE"})
    assert not missing, f"error codes without an error golden: {missing}"
