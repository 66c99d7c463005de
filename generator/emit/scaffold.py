"""Scaffolds under handwritten/: created once when missing, never touched again.

One module per processor (`handwritten/processors/<name>.py`) stating the typed signature the
generated entry module calls. The runtime emitter (generator.emit.python) owns that contract
and computes the scaffold's imports and signature; this emitter only decides which scaffolds
exist and renders them.
"""

from __future__ import annotations

from generator.emit.base import OutputFile
from generator.ir.names import SCAFFOLD_DIR
from generator.ir.nodes import Ir


def scaffold_path(processor_name: str) -> str:
    return f"{SCAFFOLD_DIR}/{processor_name}.py"


def emit_scaffolds(ir: Ir) -> list[OutputFile]:
    from generator.emit.python.naming import package_names
    from generator.emit.python.processors import scaffold_view
    from generator.render.env import render

    names = package_names(ir)
    files = [OutputFile(path=f"{SCAFFOLD_DIR}/__init__.py", ownership="scaffold", source="spec/model.yaml",
                        content=render("scaffold/processors_init.py.j2", ir=ir))]
    for p in ir.processors:
        view = scaffold_view(ir, names, names.processors[p.name])
        files.append(OutputFile(path=scaffold_path(p.name), ownership="scaffold", source="spec/model.yaml",
                                content=render("scaffold/processor.py.j2", processor=p, view=view)))
    return files
