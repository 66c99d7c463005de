"""The names of the generated package, grouped the way its emitters and the scaffolds use them.

Every name is decided in the IR (`<node>.names`, generator.ir.names, which also reports two
spec names that would meet in one module); this module only groups them: per processor its
contract (context and handler classes, event union, table bindings). Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.ir.nodes import Event, Ir, Processor, Table


@dataclass(frozen=True)
class TableBinding:
    """A table as a processor context sees it: attribute name, table, environment variable,
    the class that accesses it and the type the processor sees (the class when it reads and
    writes the table, else its read-only or write-only Protocol: what its IAM policy allows)."""

    attr: str
    table: Table
    env: str
    cls: str
    annotation: str


@dataclass(frozen=True)
class ProcessorContract:
    processor: Processor
    context: str
    handler: str
    union: str | None
    events: tuple[Event, ...]
    tables: tuple[TableBinding, ...]


@dataclass(frozen=True)
class PackageNames:
    package: str
    root: str
    """The package folder relative to the project root."""
    processors: dict[str, ProcessorContract]


def package_names(ir: Ir) -> PackageNames:
    """The package generated for `ir`, with every processor's contract."""
    processors = {
        p.name: ProcessorContract(
            processor=p, context=p.names.context_class, handler=p.names.handler_class,
            union=p.names.union_class if p.kind == "stream" else None,
            events=tuple(ir.event(t) for t in p.events),
            tables=tuple(_binding(ir.table(t), p) for t in p.tables))
        for p in ir.processors
    }
    return PackageNames(package=ir.names.package, root=ir.names.package_root, processors=processors)


def _binding(table: Table, p: Processor) -> TableBinding:
    reads, writes = table.name in p.reads, table.name in p.writes
    n = table.names
    annotation = n.table_class if reads and writes else n.reads_class if reads else n.writes_class
    return TableBinding(n.context_attr, table, n.env_var, n.table_class, annotation)
