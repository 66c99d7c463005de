"""Stage 4, emit: the registry of emitters, each a pure function Ir -> list[OutputFile].

Emitters are listed explicitly (module:function) and imported on first use, so a CLI
command that emits nothing (validate) does not pay for them. Order does not matter: the
planner sorts files by path, and two emitters writing one path is an internal error.

Each emitter is one part (`generator.ir.parts`) of `emit_all`'s work: it is given the IR
without the source document and the spec digest (`nodes_only`), so its output is a function of
the frozen IR nodes alone. Only the emitters in `READS_SOURCE` see the whole IR; they are given
the runner and declare their own parts. The emitters in `READS_NO_OPERATIONS` are given those
nodes without the operations (they never read them), so adding or editing an operation does not
run them again.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import replace
from typing import Any, cast

from generator.emit.base import Emitter, OutputFile, Ownership
from generator.ir.nodes import Ir
from generator.ir.parts import DIRECT, Part, Reads, Runner, nodes_only

READS_SOURCE: frozenset[str] = frozenset({"generator.emit.api:emit_api"})
# their output is a function of the IR nodes but the operations (tests/emit/test_emit_parts.py)
READS_NO_OPERATIONS: frozenset[str] = frozenset({
    "generator.emit.seed:emit_seed",
    "generator.emit.scaffold:emit_scaffolds",
    "generator.emit.python:emit_python",
})

EMITTERS: tuple[str, ...] = (
    "generator.emit.seed:emit_seed",
    "generator.emit.docs:emit_docs",
    "generator.emit.scaffold:emit_scaffolds",
    "generator.emit.python:emit_python",
    "generator.emit.terraform:emit_terraform",
    "generator.emit.api:emit_api",
)


class EmitError(Exception):
    """An emitter produced something impossible (duplicate or escaping path): a gen bug."""


def load_emitter(spec: str) -> Emitter:
    module, _, func = spec.partition(":")
    emitter: Emitter = getattr(importlib.import_module(module), func)
    return emitter


def _plain_files(value: Any) -> bool:
    return isinstance(value, list) and all(
        isinstance(f, list) and len(f) == 6 and all(isinstance(x, str) for x in f[:4])
        and f[3] in ("generated", "scaffold") and isinstance(f[4], bool) and isinstance(f[5], str) for f in value)


def _files(spec: str, ir: Ir, run: Runner) -> list[OutputFile]:
    if spec in READS_SOURCE:
        emitter = cast(Callable[[Ir, Runner], list[OutputFile]], load_emitter(spec))
        return emitter(ir, run)
    nodes = nodes_only(ir)
    reads = Reads(nodes=True, constant=spec)
    if spec in READS_NO_OPERATIONS:
        nodes, reads = replace(nodes, operations=()), Reads(context=True, constant=spec)

    def compute() -> list[list[Any]]:
        return [[f.path, f.content, f.source, f.ownership, f.header, f.template] for f in load_emitter(spec)(nodes)]

    rows = run.value(Part("emit", reads, compute, _plain_files))
    return [OutputFile(path=p, content=c, source=s, ownership=cast(Ownership, o), header=h, template=t)
            for p, c, s, o, h, t in rows]


def emit_all(ir: Ir, emitters: tuple[str, ...] = EMITTERS, run: Runner = DIRECT) -> list[OutputFile]:
    """Run every emitter; return all files sorted by path."""
    files: dict[str, OutputFile] = {}
    for spec in emitters:
        for f in _files(spec, ir, run):
            if f.path in files:
                raise EmitError(f"two emitters produced {f.path}")
            files[f.path] = replace(f, emitter=spec)
    return [files[p] for p in sorted(files)]
