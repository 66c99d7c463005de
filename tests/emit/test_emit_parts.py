"""The emit registry's declarations hold: an emitter in `READS_NO_OPERATIONS` (given the IR
nodes without the operations, and memoised as such) writes exactly what it writes when given
every node, for the reference spec and a synthetic one."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from benchmarks.synth import write_project
from generator import pipeline
from generator.emit import READS_NO_OPERATIONS, load_emitter
from generator.ir.parts import nodes_only
from tests.conftest import REPO


@pytest.mark.parametrize("project", ["reference", "synthetic"])
def test_an_emitter_that_reads_no_operations_writes_the_same_without_them(project: str, tmp_path: Path) -> None:
    root = REPO if project == "reference" else write_project(tmp_path / "s", 6)
    ir, _, _ = pipeline.generate(root, use_cache=False)
    assert ir.operations
    nodes = nodes_only(ir)
    for spec in sorted(READS_NO_OPERATIONS):
        emitter = load_emitter(spec)
        assert emitter(replace(nodes, operations=())) == emitter(nodes), spec
