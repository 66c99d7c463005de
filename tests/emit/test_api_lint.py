"""Error goldens of the API definition emitter: specs API Gateway (or Terraform's templatefile) would
reject at deploy time fail `gen build` with located errors, exactly as in expected_stderr.txt,
and nothing is written. `pytest --update-golden` rewrites the expected files.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from generator.check.api_gateway import lint_api
from tests.conftest import read_tree, run_cli
from tests.vtl.support import REPO, case_ir

CASES = sorted(p for p in (Path(__file__).parent / "api_errors").iterdir() if p.is_dir())


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_build_fails_with_located_errors(case: Path, tmp_path: Path, update_golden: bool) -> None:
    project = tmp_path / "p"
    shutil.copytree(case / "spec", project / "spec")
    before = read_tree(project)
    result = run_cli("-C", str(project), "build")
    expected = case / "expected_stderr.txt"
    if update_golden:
        expected.write_text(result.stderr, encoding="utf-8")
    assert result.stderr == expected.read_text(encoding="utf-8")
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr
    assert read_tree(project, skip=(".gen-cache",)) == before


def test_every_lint_error_names_a_line() -> None:
    """Only text outside any operation or schema (info, tags) may lack a line number."""
    for case in CASES:
        for line in (case / "expected_stderr.txt").read_text(encoding="utf-8").splitlines():
            if "error[" in line and "#/info/" not in line:
                assert line.startswith("spec/") and line.split(":")[1].isdigit(), line


def test_reference_spec_is_clean() -> None:
    assert not lint_api(case_ir(REPO)).items


def test_discriminator_anywhere_in_the_document_is_reported() -> None:
    """validate rejects discriminator in gen schemas first; lint still guards the document it emits."""
    ir = case_ir(REPO)
    doc = dict(ir.openapi)
    schemas = dict(doc["components"]["schemas"])
    schemas["Device"] = {**schemas["Device"], "discriminator": {"propertyName": "status"}}
    doc["components"] = {**doc["components"], "schemas": schemas}
    errors = lint_api(replace(ir, openapi=doc)).errors
    assert [(e.code, e.location.line) for e in errors] == [("E-SCHEMA", ir.model("Device").source.line)]
    assert "#/components/schemas/Device/discriminator" in errors[0].message
