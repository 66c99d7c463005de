"""The names the generated package exposes, decided once for every emitter and the scaffolds.

Module-level names are claimed per module (`Namespace`), in a fixed order, so two spec names
that map to one Python name get distinct, stable variants. Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.emit.python.layout import Namespace
from generator.ir.names import pascal, py_identifier
from generator.ir.nodes import Event, Ir, Processor, Table

PYTHON_ROOT = "generated/python"
CONTEXT_ATTRS = ("telemetry", "lambda_context", "clock", "now", "logger", "metrics", "count")


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
class ProcessorNames:
    processor: Processor
    context: str
    handler: str
    union: str | None
    events: tuple[Event, ...]
    tables: tuple[TableBinding, ...]


@dataclass(frozen=True)
class PackageNames:
    package: str
    stream_unions: dict[str, str]
    table_classes: dict[str, tuple[str, str, str]]
    processors: dict[str, ProcessorNames]

    @property
    def root(self) -> str:
        """The package folder relative to the project root."""
        return f"{PYTHON_ROOT}/{self.package}"

    def handler_string(self, processor: str) -> str:
        return f"{self.package}.entry.{processor}.handler"


def env_var(table: Table) -> str:
    """`TABLE_<TABLE>`: upper snake of the table name (docs/runtime-contract.md)."""
    return f"TABLE_{table.ident.upper()}"


def package_names(ir: Ir) -> PackageNames:
    """All names of the package generated for `ir`."""
    events_ns = Namespace(e.class_name for e in ir.events)
    stream_unions = {s.name: events_ns.claim(pascal(s.name) + "Event") for s in ir.streams}
    contracts_ns = Namespace()
    tables_ns = Namespace()
    table_classes = {t.name: (tables_ns.claim(pascal(t.name) + "Table"), tables_ns.claim(pascal(t.name) + "Reads"),
                              tables_ns.claim(pascal(t.name) + "Writes")) for t in ir.tables}
    processors: dict[str, ProcessorNames] = {}
    for p in ir.processors:
        events = tuple(ir.event(t) for t in p.events)
        union = events_ns.claim(pascal(p.name) + "Event") if p.kind == "stream" else None
        attrs = Namespace(CONTEXT_ATTRS)
        bindings = tuple(_binding(attrs, ir.table(t), p, table_classes[t]) for t in p.tables)
        processors[p.name] = ProcessorNames(
            processor=p, context=contracts_ns.claim(pascal(p.name) + "Context"),
            handler=contracts_ns.claim(pascal(p.name) + "Handler"), union=union, events=events,
            tables=bindings)
    return PackageNames(package=ir.ident, stream_unions=stream_unions, table_classes=table_classes,
                        processors=processors)


def _binding(attrs: Namespace, table: Table, p: Processor, classes: tuple[str, ...]) -> TableBinding:
    reads, writes = table.name in p.reads, table.name in p.writes
    annotation = classes[0] if reads and writes else classes[1] if reads else classes[2]
    return TableBinding(_attr(attrs, table.name), table, env_var(table), classes[0], annotation)


def _attr(attrs: Namespace, table: str) -> str:
    ident = py_identifier(table)
    return attrs.claim(ident if ident not in attrs else f"{ident}_table")
