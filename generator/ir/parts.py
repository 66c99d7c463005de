"""Parts: a stage's work over the IR split into pure functions, each declaring what it reads.

A stage that declares parts (the emitter registry, the API emitter, the API Gateway lint) is
given a `Runner` and hands it each part; the runner decides how the part's value is obtained.
`DIRECT` calls it. The build's speed seam (`generator.speed`) may instead take the value from a
memo, keyed by exactly what the part declares it reads. Stages never compute keys or touch a
memo; their one obligation is that the declaration is true:

  - a `Part`'s value is a function of what its `Reads` names (and of gen's own code), and is
    plain data (a str, a bool, or lists of them); it never depends on a node's line or col
    (`SourceRef`), which no key holds (tests/unit/test_speed_memo.py moves every line);
  - a `Check` finds nothing whenever it found nothing before for the same `Reads` (only such
    clean verdicts may be reused, so what is reported never depends on a memo).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Generic, Protocol, TypeVar

from generator.diagnostics import Diagnostics
from generator.ir.nodes import Ir

V = TypeVar("V")


@dataclass(frozen=True)
class Reads:
    """What a part depends on besides gen's code. `path` stands for the source document's path
    item at `path` together with the operations bound to it (in order); a part that reads a
    path item usually also reads `context` and `rest`, and says so."""

    nodes: bool = False  # every IR node: the IR without `openapi` and `spec_digest`
    context: bool = False  # every IR node except the operations
    operation: int | None = None  # the operation at this index of `ir.operations`
    rest: bool = False  # the source document (`ir.openapi`) without its paths
    path: str | None = None  # see above
    constant: str = ""  # any other input, spelled out


def nodes_only(ir: Ir) -> Ir:
    """The IR without the source document and the spec digest: what `Reads.nodes` stands for."""
    return replace(ir, openapi=None, spec_digest="")


@dataclass(frozen=True)
class Part(Generic[V]):
    """A value computed by `compute`; `kind` names the function (one kind, one function);
    `plain` tells whether a stored value has the shape `compute` returns."""

    kind: str
    reads: Reads
    compute: Callable[[], V]
    plain: Callable[[Any], bool]


@dataclass(frozen=True)
class Check:
    """A check that adds its findings to the Diagnostics it is given."""

    kind: str
    reads: Reads
    run: Callable[[Diagnostics], None]


class Runner(Protocol):
    def value(self, part: Part[V]) -> V:
        """The part's value."""

    def check(self, check: Check, diags: Diagnostics) -> None:
        """Add what `check` finds to `diags` (a check known clean for its reads may be skipped)."""


class _Direct:
    def value(self, part: Part[V]) -> V:
        return part.compute()

    def check(self, check: Check, diags: Diagnostics) -> None:
        check.run(diags)


DIRECT: Runner = _Direct()
"""Runs every part: what a stage does when nobody memoises."""


def is_text(value: Any) -> bool:
    return isinstance(value, str)


def are_texts(count: int) -> Callable[[Any], bool]:
    """`plain` for a part whose value is a list of `count` strings."""
    return lambda value: isinstance(value, list) and len(value) == count and all(isinstance(t, str) for t in value)
