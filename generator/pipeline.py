"""Orchestration: load -> validate -> IR -> emit -> plan -> write (or check). The library API.

`generate` is pure apart from reading spec/ (and the validation cache); `build` adds the
plan against disk and, unless checking, the write. Tests call these directly.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from generator.diagnostics import Diagnostics, GenError
from generator.emit import EMITTERS, emit_all
from generator.emit.base import OutputFile
from generator.ir.build import build_ir, build_ir_deferred
from generator.ir.nodes import Ir
from generator.load.spec import LoadedSpec, load_spec
from generator.render.memo import active_memo
from generator.write.guard import check_destructive, table_records
from generator.write.manifest import read_manifest
from generator.write.plan import Plan, plan
from generator.write.writer import apply_plan

CACHE_DIR = ".gen-cache"


def cache_dir(root: Path) -> Path:
    return root / CACHE_DIR


def validate(root: Path, *, use_cache: bool = True) -> tuple[Ir | None, Diagnostics]:
    """Load and check spec/; the IR when valid, always the diagnostics (warnings included)."""
    diags = Diagnostics()
    spec = load_spec(root, diags)
    ir = build_ir(spec, diags, cache_dir(root) if use_cache else None) if not diags.has_errors() else None
    return _lint(ir, diags), diags


def _lint(ir: Ir | None, diags: Diagnostics) -> Ir | None:
    if ir is None:
        return None
    # what API Gateway would reject at import is a spec error, reported by validate too
    from generator.check.api_gateway import lint_api

    lint = lint_api(ir)
    diags.extend(lint.items)
    return None if lint.has_errors() else ir


@contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """A build allocates millions of short-lived objects and frees them by reference counting;
    the cyclic collector would only re-scan the growing spec and IR (a third of a rebuild)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def generate(root: Path, *, use_cache: bool = True, emitters: tuple[str, ...] = EMITTERS,
             cache: Path | None = None,
             on_spec: Callable[[LoadedSpec], None] | None = None) -> tuple[Ir, list[OutputFile], Diagnostics]:
    """Every output file for the spec under `root`, in memory. Raises GenError on invalid input.

    The structural OpenAPI check of a cold build runs in a worker while the IR is built and
    emitted; nothing is returned before it has passed. With `use_cache`, rendered text is
    memoised in .gen-cache/render/ (see `generator.render.memo`), or under `cache` instead of
    .gen-cache/ when given (`gen review` keeps its own); output never depends on it. `on_spec`
    is handed the loaded spec (its documents locate what a caller reports)."""
    folder = cache if cache is not None else cache_dir(root)
    with _without_cycle_collection(), active_memo(folder / "render" if use_cache else None):
        return _generate(root, use_cache=use_cache, emitters=emitters, folder=folder, on_spec=on_spec)


def _generate(root: Path, *, use_cache: bool, emitters: tuple[str, ...], folder: Path,
              on_spec: Callable[[LoadedSpec], None] | None) -> tuple[Ir, list[OutputFile], Diagnostics]:
    diags = Diagnostics()
    spec = load_spec(root, diags)
    if on_spec is not None:
        on_spec(spec)
    if diags.has_errors():
        raise GenError(diags)
    ir, join = build_ir_deferred(spec, diags, folder if use_cache else None)
    ir = _lint(ir, diags)
    files: list[OutputFile] | None = None
    if ir is not None and not diags.has_errors():
        if use_cache:
            from generator.render.env import use_bytecode_cache

            use_bytecode_cache(folder / "jinja")
        try:
            files = emit_all(ir, emitters)
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


def build(root: Path, *, check: bool = False, force: bool = False, use_cache: bool = True,
          emitters: tuple[str, ...] = EMITTERS) -> BuildResult:
    """Generate and plan; write unless `check`, or unless there are conflicts and not `force`.

    Raises GenError, writing nothing, when the spec would delete or replace a table the last
    build recorded and `changes:` does not acknowledge it (`generator.write.guard`)."""
    ir, files, diags = generate(root, use_cache=use_cache, emitters=emitters)
    _guard(root, ir, diags)
    the_plan = plan(root, files, ir.spec_digest, force=force, tables=table_records(ir))
    result = BuildResult(plan=the_plan, diagnostics=diags, files=files)
    if check or the_plan.conflicts:
        return result
    apply_plan(root, the_plan)
    result.written = True
    return result
