"""Materials: exact descriptions of what a memoised value is computed from.

Two exact descriptions make up every material:
  - compact JSON (sorted keys) of spec data: it tells every value and type apart;
  - the `repr` of frozen IR nodes (`exact_repr`): dataclasses, tuples, dicts and scalars print
    everything they hold, but a `SourceRef`'s line and col (which no part may read, so an added
    operation does not change the key of every node below it); a repr that shows an object
    address is refused.
`Materials` computes each description once per build (the IR's reprs, the compact JSON of the
spec's sub-trees, by identity: no stage mutates the loaded spec) and turns a part's `Reads`
into its material.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from typing import Any

from generator.canonical import compact_json, compact_members
from generator.ir.nodes import Ir
from generator.ir.parts import Reads, nodes_only


def exact_repr(value: Any) -> str | None:
    """`repr(value)` when it is an exact description of a tree of frozen IR nodes, tuples, dicts
    and scalars; None when it shows an object identity (an address could be reused)."""
    text = repr(value)
    return None if " at 0x" in text else text


def digest(material: str) -> str:
    """A short stand-in for a long material that is part of many keys (hashed once)."""
    return hashlib.sha256(material.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class _IrMaterial:
    context: str  # digest of nodes_only(ir) without its operations
    operations: tuple[str, ...]  # each operation's repr
    nodes: str  # digest of nodes_only(ir)


@dataclass(frozen=True)
class _SourceMaterial:
    rest: str  # digest of the compact JSON of the document without its paths
    paths: dict[str, str]  # digest of the path, its item's compact JSON and its operations' reprs


class Materials:
    """Exact descriptions of one build's inputs, each computed once."""

    def __init__(self) -> None:
        self._compact: dict[int, tuple[Any, str]] = {}
        self._ir: dict[int, tuple[Ir, _IrMaterial | None]] = {}
        self._source: dict[int, tuple[Ir, _SourceMaterial | None]] = {}

    def compact(self, value: Any) -> str:
        """`compact_json(value)`; a spec sub-tree is encoded once per build (the entry holds the
        value, so its id cannot be reused by another object meanwhile)."""
        if not isinstance(value, (dict, list)):
            return compact_json(value)
        cached = self._compact.get(id(value))
        if cached is not None and cached[0] is value:
            return cached[1]
        text = compact_json(value)
        self._compact[id(value)] = (value, text)
        return text

    def _of_ir(self, ir: Ir) -> _IrMaterial | None:
        cached = self._ir.get(id(ir))
        if cached is not None and cached[0] is ir:
            return cached[1]
        context = exact_repr(replace(nodes_only(ir), operations=()))
        operations = [exact_repr(op) for op in ir.operations]
        material = None
        if context is not None and all(op is not None for op in operations):
            ops = tuple(str(op) for op in operations)
            # a repr never holds a raw NUL (it escapes one), so joining with NUL is unambiguous
            material = _IrMaterial(context=digest(context), operations=ops,
                                   nodes=digest(context + "\0" + "\0".join(ops)))
        self._ir[id(ir)] = (ir, material)
        return material

    def _of_source(self, ir: Ir, of_ir: _IrMaterial) -> _SourceMaterial | None:
        cached = self._source.get(id(ir))
        if cached is not None and cached[0] is ir:
            return cached[1]
        doc = ir.openapi
        out: _SourceMaterial | None = None
        try:
            rest = digest(compact_members({key: value for key, value in doc.items() if key != "paths"}, self.compact))
            reprs: dict[str, list[str]] = {}
            for op, text in zip(ir.operations, of_ir.operations):
                reprs.setdefault(op.path, []).append(text)
            # NUL never occurs in compact JSON or in a repr (both escape it), so parts stay apart
            paths = {path: digest("\0".join([json.dumps(path), self.compact(item)] + reprs.get(path, [])))
                     for path, item in (doc.get("paths") or {}).items()}
            out = _SourceMaterial(rest=rest, paths=paths)
        except (TypeError, ValueError):
            out = None
        self._source[id(ir)] = (ir, out)
        return out

    def reads(self, ir: Ir, reads: Reads) -> str | None:
        """The material of what `reads` names in `ir`; None when it cannot be described exactly
        (then the part is computed, never memoised)."""
        of_ir = self._of_ir(ir)
        if of_ir is None:
            return None
        pieces = [f"c={json.dumps(reads.constant)}"]
        if reads.nodes:
            pieces.append(f"n={of_ir.nodes}")
        if reads.context:
            pieces.append(f"x={of_ir.context}")
        if reads.operation is not None:
            pieces.append(f"o={of_ir.operations[reads.operation]}")
        if reads.rest or reads.path is not None:
            source = self._of_source(ir, of_ir)
            if source is None:
                return None
            if reads.rest:
                pieces.append(f"r={source.rest}")
            if reads.path is not None:
                path = source.paths.get(reads.path)
                if path is None:
                    return None
                pieces.append(f"p={path}")
        # every piece is a digest, a repr or JSON, none holding a raw NUL
        return "\0".join(pieces)
