"""generated/python/<package>/: typed models, events, tables, contracts and Lambda entry modules.

`emit_python(ir)` is a pure function of the IR. Spec-dependent modules are rendered from views
computed in this package (names, imports and layout decided in Python; templates only print);
the fixed runtime is copied from generator/runtime/python/ (see `runtime`). Layout of the package:

    <package>/__init__.py, py.typed
    models.py      every component schema (msgspec Structs, enums, aliases)
    events.py      CloudEvents envelopes tagged on `type`; unions per stream and processor
    tables.py      typed access per table
    contracts.py   per processor: context (its tables) and the Protocol of `handle`
    entry/<processor>.py   the Lambda handler (`<package>.entry.<processor>.handler`)
    runtime/       marshalling, expressions, table base, stream/schedule runners, telemetry
"""

from __future__ import annotations

from generator.emit.base import OutputFile
from generator.ir.nodes import Ir

SOURCE = "spec/model.yaml"


def emit_python(ir: Ir) -> list[OutputFile]:
    """Every file of the generated Python package for `ir`."""
    from generator.emit.python.events import events_view
    from generator.emit.python.layout import Namespace, docstring
    from generator.emit.python.models import models_view
    from generator.emit.python.naming import package_names
    from generator.emit.python.processors import contracts_view, entry_view
    from generator.emit.python.runtime import runtime_files
    from generator.emit.python.tables import tables_view
    from generator.render.env import render

    names = package_names(ir)
    root = names.root
    models = models_view(ir, Namespace(m.class_name for m in ir.models))
    files = [
        OutputFile(path=f"{root}/__init__.py", source=SOURCE, template="python/package_init.py.j2", content=render(
            "python/package_init.py.j2", doc=docstring(
                f"Generated runtime of `{ir.name}`: models, events, tables, contracts and entry "
                "modules. Importing it loads nothing else.", ""))),
        OutputFile(path=f"{root}/py.typed", source=SOURCE, content="", header=False),
        OutputFile(path=f"{root}/models.py", source="spec/openapi.yaml", template="python/models.py.j2", content=render(
            "python/models.py.j2", source="spec/openapi.yaml components/schemas", imports=models.imports,
            constants=models.constant_lines, enums=models.enums, structs=models.structs,
            aliases=models.aliases)),
        OutputFile(path=f"{root}/events.py", source=SOURCE, template="python/events.py.j2",
                   content=render("python/events.py.j2", **events_view(ir, names))),
        OutputFile(path=f"{root}/tables.py", source=SOURCE, template="python/tables.py.j2",
                   content=render("python/tables.py.j2", **tables_view(ir))),
        OutputFile(path=f"{root}/contracts.py", source=SOURCE, template="python/contracts.py.j2",
                   content=render("python/contracts.py.j2", **contracts_view(ir, names))),
        OutputFile(path=f"{root}/entry/__init__.py", source=SOURCE, template="python/entry_init.py.j2", content=render(
            "python/entry_init.py.j2", handlers=[f"- {p.names.handler}" for p in ir.processors])),
    ]
    for pn in names.processors.values():
        files.append(OutputFile(path=pn.processor.names.entry_file, source=SOURCE, template="python/entry.py.j2",
                                content=render("python/entry.py.j2", entry=entry_view(ir, names, pn))))
    return files + runtime_files(root, SOURCE)
