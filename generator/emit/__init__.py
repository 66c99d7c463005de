"""Stage 4, emit: the registry of emitters, each a pure function Ir -> list[OutputFile].

Emitters are listed explicitly (module:function) and imported on first use, so a CLI
command that emits nothing (validate) does not pay for them. Order does not matter: the
planner sorts files by path, and two emitters writing one path is an internal error.
"""

from __future__ import annotations

import importlib

from generator.emit.base import Emitter, OutputFile
from generator.ir.nodes import Ir

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


def emit_all(ir: Ir, emitters: tuple[str, ...] = EMITTERS) -> list[OutputFile]:
    """Run every emitter; return all files sorted by path."""
    files: dict[str, OutputFile] = {}
    for spec in emitters:
        for f in load_emitter(spec)(ir):
            if f.path in files:
                raise EmitError(f"two emitters produced {f.path}")
            files[f.path] = f
    return [files[p] for p in sorted(files)]
