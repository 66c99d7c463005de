"""Stage 4, emit: the registry of emitters, each a pure function Ir -> list[OutputFile].

Emitters are listed explicitly (module:function) and imported on first use, so a CLI
command that emits nothing (validate) does not pay for them. Order does not matter: the
planner sorts files by path, and two emitters writing one path is an internal error.

Only the emitters in `READS_SOURCE` see the source document (`Ir.openapi`) and the spec
digest; every other emitter is given the IR without them, so its output is a function of the
frozen IR nodes alone, and under a render memo is reused whenever their `repr` is unchanged.
"""

from __future__ import annotations

import importlib
import json
from dataclasses import dataclass, replace
from typing import Any, cast

from generator.emit.base import Emitter, OutputFile, Ownership
from generator.ir.nodes import Ir
from generator.render.memo import current, digest, exact_repr, memoized

READS_SOURCE: frozenset[str] = frozenset({"generator.emit.api:emit_api"})

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


def nodes_only(ir: Ir) -> Ir:
    """The IR without the source document and the spec digest (what most emitters are given)."""
    return replace(ir, openapi=None, spec_digest="")


@dataclass(frozen=True)
class IrMaterial:
    """Exact descriptions of an IR's nodes for memo keys, computed once per build.

    `context` stands for `nodes_only(ir)` without its operations, `operations` holds each
    operation's repr, and `nodes` stands for the whole of `nodes_only(ir)`."""

    context: str
    operations: tuple[str, ...]
    nodes: str


def ir_material(ir: Ir) -> IrMaterial | None:
    """The materials of `ir` under the current memo; None without a memo or an exact repr."""
    memo = current()
    if memo is None:
        return None
    cached = memo.derived.get(("ir", id(ir)))
    if cached is not None and cached[0] is ir:
        return cast(IrMaterial | None, cached[1])
    context = exact_repr(replace(nodes_only(ir), operations=()))
    operations = [exact_repr(op) for op in ir.operations]
    material = None
    if context is not None and all(op is not None for op in operations):
        ops = tuple(str(op) for op in operations)
        # a repr never holds a raw NUL (it escapes one), so joining with NUL is unambiguous
        material = IrMaterial(context=str(digest(context)), operations=ops,
                              nodes=str(digest(context + "\0" + "\0".join(ops))))
    memo.derived[("ir", id(ir))] = (ir, material)
    return material


@dataclass(frozen=True)
class SourceMaterial:
    """Materials for what the API emitter and lint read from the source document.

    `rest` stands for the document without its paths (components, top-level security);
    `document` for that plus every IR node; `paths[path]` for the IR context, `rest`, the
    path and its item, and the path's operations (IR nodes, in order)."""

    rest: str
    document: str
    paths: dict[str, str]


def source_material(ir: Ir) -> SourceMaterial | None:
    """The source materials of `ir` under the current memo; None without a memo, an exact repr
    or a document the C encoder can write."""
    memo, material = current(), ir_material(ir)
    if memo is None or material is None:
        return None
    cached = memo.derived.get(("source", id(ir)))
    if cached is not None and cached[0] is ir:
        return cast(SourceMaterial | None, cached[1])
    from generator.render.serialize import compact_json, compact_members

    doc = ir.openapi
    out: SourceMaterial | None = None
    try:
        rest = str(digest(compact_members({key: value for key, value in doc.items() if key != "paths"})))
        reprs: dict[str, list[str]] = {}
        for op, text in zip(ir.operations, material.operations):
            reprs.setdefault(op.path, []).append(text)
        # NUL never occurs in compact JSON or in a repr (both escape it), so parts stay apart
        paths = {path: str(digest("\0".join([material.context, rest, json.dumps(path), compact_json(item)]
                                             + reprs.get(path, []))))
                 for path, item in (doc.get("paths") or {}).items()}
        out = SourceMaterial(rest=rest, document=f"{material.nodes}\0{rest}", paths=paths)
    except (TypeError, ValueError):
        out = None
    memo.derived[("source", id(ir))] = (ir, out)
    return out


def _valid_files(value: Any) -> bool:
    return isinstance(value, list) and all(
        isinstance(f, list) and len(f) == 5 and all(isinstance(x, str) for x in f[:4])
        and f[3] in ("generated", "scaffold") and isinstance(f[4], bool) for f in value)


def _memoized(spec: str, ir: Ir, material: str | None) -> list[OutputFile]:
    def compute() -> list[list[Any]]:
        return [[f.path, f.content, f.source, f.ownership, f.header] for f in load_emitter(spec)(ir)]

    rows = memoized("emit", None if material is None else f"{spec}\0{material}", compute, _valid_files)
    return [OutputFile(path=p, content=c, source=s, ownership=cast(Ownership, o), header=h) for p, c, s, o, h in rows]


def emit_all(ir: Ir, emitters: tuple[str, ...] = EMITTERS) -> list[OutputFile]:
    """Run every emitter; return all files sorted by path."""
    files: dict[str, OutputFile] = {}
    nodes = nodes_only(ir)
    material = ir_material(ir) if set(emitters) - READS_SOURCE else None
    for spec in emitters:
        out = (load_emitter(spec)(ir) if spec in READS_SOURCE
               else _memoized(spec, nodes, None if material is None else material.nodes))
        for f in out:
            if f.path in files:
                raise EmitError(f"two emitters produced {f.path}")
            files[f.path] = f
    return [files[p] for p in sorted(files)]
