"""Orchestration: load -> validate -> IR -> emit -> plan -> write (or check). The library API.

`generate` is pure apart from reading spec/ (and gen's memos); `build` adds the plan against
disk and, unless checking, the write. Tests call these directly. Every memo, cache and process
trick is behind one seam, `generator.speed`: a session per run, whose runner the stages are
handed; with `use_cache=False` nothing is memoised (output is the same either way).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from generator import speed
from generator.diagnostics import Diagnostics, GenError
from generator.emit import EMITTERS, emit_all
from generator.emit.base import OutputFile
from generator.ir.nodes import Ir
from generator.ir.parts import Runner
from generator.load.spec import LoadedSpec, load_spec
from generator.speed.validation import overlapped_ir, validated_ir
from generator.write.guard import check_destructive, table_records
from generator.write.manifest import read_manifest
from generator.write.plan import Plan, plan
from generator.write.writer import apply_plan


def validate(root: Path, *, use_cache: bool = True) -> tuple[Ir | None, Diagnostics]:
    """Load and check spec/; the IR when valid, always the diagnostics (warnings included)."""
    with speed.open_session(root if use_cache else None) as session:
        diags = Diagnostics()
        spec = load_spec(root, diags)
        ir = validated_ir(session, spec, diags) if not diags.has_errors() else None
        return (None if ir is None else _lint(ir, diags, session.runner(ir))), diags


def _lint(ir: Ir, diags: Diagnostics, run: Runner) -> Ir | None:
    # what API Gateway would reject at import is a spec error, reported by validate too
    from generator.check.api_gateway import lint_api

    lint = lint_api(ir, run)
    diags.extend(lint.items)
    return None if lint.has_errors() else ir


def generate(root: Path, *, use_cache: bool = True, emitters: tuple[str, ...] = EMITTERS,
             cache: Path | None = None,
             on_spec: Callable[[LoadedSpec], None] | None = None) -> tuple[Ir, list[OutputFile], Diagnostics]:
    """Every output file for the spec under `root`, in memory. Raises GenError on invalid input.

    The structural OpenAPI check runs in a worker while the IR is built and emitted; nothing
    is returned before it has passed. With `use_cache`, the session memoises under `cache`
    instead of .gen-cache/ when given (`gen review` keeps one per side). `on_spec` is handed the
    loaded spec (its documents locate what a caller reports)."""
    with speed.open_session(root if use_cache else None, cache=cache) as session:
        diags = Diagnostics()
        spec = load_spec(root, diags)
        if on_spec is not None:
            on_spec(spec)
        if diags.has_errors():
            raise GenError(diags)
        ir, join = overlapped_ir(session, spec, diags)
        files: list[OutputFile] | None = None
        if ir is not None:
            run = session.runner(ir)
            ir = _lint(ir, diags, run)
            if ir is not None and not diags.has_errors():
                try:
                    files = emit_all(ir, emitters, run)
                except Exception:
                    if not join():
                        raise GenError(diags) from None
                    raise
        if not join() or ir is None or files is None or diags.has_errors():
            raise GenError(diags)
        return ir, files, diags


def _guard(root: Path, ir: Ir, diags: Diagnostics) -> None:
    last = read_manifest(root)
    refused = check_destructive(root, ir, last.tables if last is not None else None)
    if refused.has_errors():
        diags.extend(refused.items)
        raise GenError(diags)


@dataclass
class BuildResult:
    plan: Plan
    diagnostics: Diagnostics
    files: list[OutputFile] = field(default_factory=list)
    written: bool = False
    ir: Ir | None = None


def build(root: Path, *, check: bool = False, force: bool = False, use_cache: bool = True,
          emitters: tuple[str, ...] = EMITTERS) -> BuildResult:
    """Generate and plan; write unless `check`, or unless there are conflicts and not `force`.

    Raises GenError, writing nothing, when the spec would delete or replace a table the last
    build recorded and `changes:` does not acknowledge it (`generator.write.guard`)."""
    ir, files, diags = generate(root, use_cache=use_cache, emitters=emitters)
    _guard(root, ir, diags)
    the_plan = plan(root, files, ir.spec_digest, force=force, tables=table_records(ir))
    result = BuildResult(plan=the_plan, diagnostics=diags, files=files, ir=ir)
    if check or the_plan.conflicts:
        return result
    apply_plan(root, the_plan)
    result.written = True
    return result
