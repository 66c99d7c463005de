"""IR processors -> the views of contracts.py, entry/<processor>.py and the handwritten scaffold.

The contract of a processor is its context class (the tables it reads or writes, bound to
`TABLE_<TABLE>`) and a Protocol stating the signature of `handle` in
handwritten/processors/<name>.py: `(Batch[<Processor>Event], <Processor>Context) -> None` for
stream processors, `(Tick, <Processor>Context) -> None` for scheduled ones. The entry module
assigns the handwritten function to that Protocol, so `mypy --strict` checks the handwritten
side against the spec. Pure: no I/O.
"""

from __future__ import annotations

import keyword
from dataclasses import dataclass

from generator.emit.python.layout import bracketed, docstring, literal
from generator.emit.python.naming import PackageNames, ProcessorContract
from generator.ir.nodes import Ir

DEFAULT_IDEMPOTENCY_SECONDS = 24 * 3600


@dataclass(frozen=True)
class ContractView:
    names: ProcessorContract
    doc: list[str]
    handler_doc: list[str]
    init: list[str]
    from_env: list[str]
    call: list[str]


@dataclass(frozen=True)
class EntryView:
    names: ProcessorContract
    package: str
    doc: list[str]
    import_impl: str
    keyword_module: bool
    accepts: list[str]
    stream_union: str | None
    idempotency_seconds: int
    runner_type: str

    @property
    def impl_from(self) -> tuple[str, str]:
        """`import_impl` as ``(package, module)`` for a ``from package import module``."""
        package, _, module = self.import_impl.rpartition(".")
        return package, module

    @property
    def accepts_tuple(self) -> str:
        return f"({self.accepts[0]},)" if len(self.accepts) == 1 else f"({', '.join(self.accepts)})"


def _summary(pn: ProcessorContract) -> str:
    p = pn.processor
    reads = ", ".join(p.reads) or "nothing"
    writes = ", ".join(p.writes) or "nothing"
    return f"reads {reads}; writes {writes}"


def contract_view(pn: ProcessorContract) -> ContractView:
    p = pn.processor
    params = [f"{b.attr}: _tables.{b.annotation}" for b in pn.tables]
    init = bracketed("def __init__(", ["self", "*", *params, "telemetry: _Telemetry | None = None"],
                     ") -> None:", "    ")
    args = [f"{b.attr}=_tables.{b.cls}(_table_name({literal(b.env)}))"
            for b in pn.tables] + ["telemetry=telemetry"]
    from_env = bracketed("return cls(", args, ")", "        ")
    first = f"_Batch[_e.{pn.union}]" if p.kind == "stream" else "_Tick"
    call = bracketed("def __call__(", ["self", f"{'batch' if p.kind == 'stream' else 'tick'}: {first}",
                                       f"ctx: {pn.context}", "/"], ") -> None: ...", "    ")
    doc = f"What processor `{p.name}` may use: {_summary(pn)}; plus logs, metrics and the clock."
    handler_doc = f"The signature of `handle` in {p.names.scaffold_file}."
    return ContractView(names=pn, doc=docstring(doc, "    "), handler_doc=docstring(handler_doc, "    "),
                        init=init, from_env=from_env, call=call)


def contracts_view(ir: Ir, names: PackageNames) -> dict[str, object]:
    """The template context of contracts.py."""
    views = [contract_view(pn) for pn in names.processors.values()]
    kinds = {pn.processor.kind for pn in names.processors.values()}
    return {"contracts": views, "uses_stream": "stream" in kinds, "uses_schedule": "schedule" in kinds,
            "uses_tables": any(pn.tables for pn in names.processors.values())}


def entry_view(ir: Ir, names: PackageNames, pn: ProcessorContract) -> EntryView:
    p = pn.processor
    handler = p.names.handler
    if p.kind == "stream":
        what = f"Kinesis stream `{p.stream}`, events {', '.join(p.events)}"
    else:
        what = f"EventBridge schedule `{p.schedule}`"
    doc = (f"Lambda entry point of processor `{p.name}` (handler `{handler}`).\n\n"
           f"Triggered by {what}; calls `handle` in {p.names.scaffold_file}, whose "
           f"signature is contracts.{pn.handler}.")
    stream = ir.stream(p.stream) if p.stream else None
    seconds = stream.retention_hours * 3600 if stream else DEFAULT_IDEMPOTENCY_SECONDS
    runner = (f"_StreamRunner[_e.{pn.union}, _c.{pn.context}]" if p.kind == "stream"
              else f"_ScheduleRunner[_c.{pn.context}]")
    return EntryView(
        names=pn, package=names.package, doc=docstring(doc, ""),
        import_impl=p.names.impl_module, keyword_module=keyword.iskeyword(p.name),
        accepts=[f"_e.{e.class_name}" for e in pn.events],
        stream_union=stream.names.union_class if stream else None, idempotency_seconds=seconds,
        runner_type=runner)


@dataclass(frozen=True)
class ScaffoldView:
    """What the handwritten stub imports and states (used by generator.emit.scaffold)."""

    names: ProcessorContract
    imports: list[str]
    signature: str
    doc: list[str]
    event_classes: list[str]

    @property
    def branches(self) -> list[str]:
        """`if`/`elif isinstance(event, <Event>):` lines, one per event type."""
        return [f"{'elif' if i else 'if'} isinstance(event, {c}):" for i, c in enumerate(self.event_classes)]


def scaffold_view(ir: Ir, names: PackageNames, pn: ProcessorContract) -> ScaffoldView:
    p, pkg = pn.processor, names.package
    if p.kind == "stream":
        classes = [e.class_name for e in pn.events]
        imports = [f"from {pkg}.contracts import {pn.context}",
                   *_import_from(f"{pkg}.events", sorted([pn.union or "", *classes])),
                   f"from {pkg}.runtime.stream import Batch"]
        signature = f"def handle(batch: Batch[{pn.union}], ctx: {pn.context}) -> None:"
        doc = (f"Apply one batch of events in stream order (contract: {pkg}.contracts.{pn.handler}).\n\n"
               "Call `batch.fail(event, reason)` for an event that cannot be applied now: it and the "
               "later events of its subject are reported to Lambda and retried, so do not apply "
               "them. If this function raises, the runtime calls it again on halves of the batch "
               "down to the events it raises on alone (poison: they go to the dead-letter queue "
               "alone; the rest is applied once, in order per subject), so a raising call's writes "
               "must be safe to repeat. Events already applied in an earlier delivery never reach "
               "this function (idempotency on the CloudEvents source + id).")
    else:
        classes = []
        imports = [f"from {pkg}.contracts import {pn.context}", f"from {pkg}.runtime.schedule import Tick"]
        signature = f"def handle(tick: Tick, ctx: {pn.context}) -> None:"
        doc = (f"Run once per tick of `{p.schedule}` (contract: {pkg}.contracts.{pn.handler}).\n\n"
               "Raise to report the invocation as failed (EventBridge retries it).")
    return ScaffoldView(names=pn, imports=imports, signature=signature, doc=docstring(doc, "    "),
                        event_classes=classes)


def _import_from(module: str, names: list[str]) -> list[str]:
    one = f"from {module} import {', '.join(names)}"
    if len(one) <= 100:
        return [one]
    return bracketed(f"from {module} import (", names, ")", hug=False)
