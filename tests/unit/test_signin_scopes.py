"""OAuth scopes of Cognito operations: carried on the IR, and a warning when only some Cognito
operations list them (the dashboard can send one kind of token: access with scopes, ID without)."""

from __future__ import annotations

import shutil
from pathlib import Path

from generator.pipeline import validate

CASE = Path(__file__).resolve().parents[1] / "infra/cases/scoped_signin"


def _copy(tmp_path: Path) -> Path:
    shutil.copytree(CASE / "spec", tmp_path / "spec")
    return tmp_path


def test_scopes_reach_the_ir_sorted_without_a_warning(tmp_path: Path) -> None:
    ir, diags = validate(_copy(tmp_path), use_cache=False)
    assert ir is not None and not diags.items
    assert {op.operation_id: op.scopes for op in ir.operations}["listEntries"] == (
        "https://audit.example.com/list", "ledger-api/read")


def test_mixing_scoped_and_unscoped_cognito_operations_warns(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    spec = root / "spec/openapi.yaml"
    spec.write_text(spec.read_text().replace("- oauth: [ledger-api/read, openid]", "- oauth: []"))
    ir, diags = validate(root, use_cache=False)
    assert ir is not None  # a warning: it builds
    (warning,) = diags.items
    assert warning.code == "W-AUTH-SCOPES" and warning.level == "warning"
    assert "'getEntry' lists no scopes" in warning.message and "listEntries" in warning.message
    assert warning.location.line == 5  # the operation (get:) under /entries/{entryId}
