"""Refuse to run a stale system: `gen dev` serves generated/ exactly as `gen build` would write it.

Contract: `check_generated(root)` validates spec/ (an invalid spec raises `GenError`, which the
CLI prints as located diagnostics) and returns the IR when generated/ is what `gen build` would
write now and holds everything the local stack runs (the API definition, the seed data, the
Python package). Otherwise it raises `StaleOutput` whose message says what is wrong and to run
`gen build`. The memo of the last clean build makes the usual case a few hashes; any doubt runs
the full check (`gen build --check`), which writes nothing.
"""

from __future__ import annotations

from pathlib import Path

from generator import pipeline
from generator.diagnostics import GenError
from generator.errors import UserError
from generator.ir.nodes import Ir
from generator.speed import last_build as memo
from generator.write.plan import plan

API_DEFINITION = "generated/api/openapi.json"
SEED = "generated/dynamodb/seed.json"
SHOWN = 5


class StaleOutput(UserError):
    """generated/ is missing, stale or edited by hand; the message tells the user what to do."""


def required_files(ir: Ir) -> list[str]:
    """What the local stack reads from generated/ for this spec."""
    files = [API_DEFINITION, SEED]
    if ir.processors:
        files.append(f"{ir.names.package_root}/__init__.py")
        files.extend(p.names.entry_file for p in ir.processors)
    return files


def _stale_paths(root: Path) -> tuple[Ir, list[str], list[str]]:
    """The IR, the files `gen build` would change, and those edited by hand."""
    if memo.up_to_date(root) is not None:
        ir, diags = pipeline.validate(root)
        if ir is None or diags.has_errors():
            raise GenError(diags)
        return ir, [], []
    ir, files, _ = pipeline.generate(root)
    result = plan(root, files, ir.spec_digest)
    changed = [action.path for action in result.changes]
    if result.manifest_changed and not changed:
        changed = ["generated/.gen-manifest.json"]
    return ir, changed, [action.path for action in result.conflicts]


def _listing(paths: list[str]) -> str:
    shown = ", ".join(paths[:SHOWN])
    return shown + (f" and {len(paths) - SHOWN} more" if len(paths) > SHOWN else "")


def check_generated(root: Path) -> Ir:
    if not (root / "spec").is_dir():
        raise StaleOutput(f"{root}: no spec/ here; pass the project root with -C DIR")
    ir, changed, edited = _stale_paths(root)
    if edited:
        raise StaleOutput(
            f"generated/ was edited by hand ({_listing(edited)}): move the change into the spec or "
            "handwritten/, then run `gen build` (or `gen build --force` to discard it)"
        )
    if changed:
        raise StaleOutput(
            f"generated/ is out of date with spec/ ({len(changed)} file(s): {_listing(changed)}): "
            "run `gen build` first"
        )
    missing = [rel for rel in required_files(ir) if not (root / rel).is_file()]
    if missing:
        raise StaleOutput(
            f"generated/ lacks what the local stack runs ({_listing(missing)}): run `gen build` "
            "first (with a gen that emits them)"
        )
    return ir
