"""A real `terraform validate` against hashicorp/aws 6.x's schema, offline (generator/tfcheck).

Covers the committed generated/terraform of the reference spec and every small case.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.infra.terraform_stack import ROOT, Stack, write

from generator.tfcheck import validate

pytestmark = pytest.mark.slow


def _problems(directory: Path) -> list[str]:
    result = validate(directory)
    return [d.format() for d in result.diagnostics] if not result.ok or result.diagnostics else []


def test_the_committed_reference_stack_validates() -> None:
    directory = ROOT / "generated/terraform"
    if not directory.is_dir():
        pytest.skip("run `gen build` first")
    assert _problems(directory) == []


def test_every_case_validates(any_stack: Stack, tmp_path: Path) -> None:
    assert _problems(write(any_stack, tmp_path)) == []


def test_validate_catches_a_wrong_argument(reference: Stack, tmp_path: Path) -> None:
    directory = write(reference, tmp_path)
    text = (directory / "lambda.tf").read_text()
    (directory / "lambda.tf").write_text(
        text.replace("bisect_batch_on_function_error", "bisect_on_error", 1)
    )
    problems = _problems(directory)
    assert problems and any("bisect_on_error" in p for p in problems), problems
