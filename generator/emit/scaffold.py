"""Scaffolds under handwritten/: created once when missing, never touched again.

One module per processor (`handwritten/processors/<name>.py`) stating the typed signature the
generated entry module calls. The runtime emitter (generator.emit.python) owns that contract
and computes the scaffold's imports and signature; this emitter only decides which scaffolds
exist and renders them.
"""

from __future__ import annotations

from generator.emit.base import OutputFile
from generator.ir import names
from generator.ir.nodes import Ir

SCAFFOLD_DIR = names.SCAFFOLD_DIR


def emit_scaffolds(ir: Ir) -> list[OutputFile]:
    from generator.emit.python.naming import package_names
    from generator.emit.python.processors import scaffold_view
    from generator.render.env import render

    package = package_names(ir)
    files = [OutputFile(path=f"{SCAFFOLD_DIR}/__init__.py", ownership="scaffold", source="spec/model.yaml",
                        template="scaffold/processors_init.py.j2",
                        content=render("scaffold/processors_init.py.j2", ir=ir))]
    for p in ir.processors:
        view = scaffold_view(ir, package, package.processors[p.name])
        files.append(OutputFile(path=p.names.scaffold_file, ownership="scaffold", source="spec/model.yaml",
                                template="scaffold/processor.py.j2",
                                content=render("scaffold/processor.py.j2", processor=p, view=view)))
    return files
