"""Views of lambda.tf (functions, their log groups, DLQs, Kinesis mappings) and schedules.tf."""

from __future__ import annotations

from dataclasses import dataclass

from generator.emit.terraform import logs, refs
from generator.ir.nodes import Ir, Processor
from generator.render.filters import HclExpr

RUNTIME = "python3.12"
ARCHITECTURE = "arm64"
DLQ_RETENTION_SECONDS = 14 * 24 * 3600  # SQS's maximum: two weeks to inspect and redrive
SCHEDULER_MAX_EVENT_AGE = 86400


@dataclass(frozen=True, slots=True)
class FunctionView:
    label: str
    physical: str
    description: str
    handler: str
    zip_name: str
    memory_mb: int
    timeout_seconds: int
    role: str
    log_group: logs.LogGroup
    dlq: str
    env: tuple[tuple[str, object], ...]


@dataclass(frozen=True, slots=True)
class MappingView:
    label: str
    function: str
    stream: str
    dlq: str
    batch_size: int
    window_seconds: int
    max_retries: int
    max_record_age_seconds: int
    event_types: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ScheduleView:
    label: str
    physical: str
    description: str
    expression: str
    function: str
    role: str
    dlq: str
    max_retries: int
    max_event_age_seconds: int


def environment(ir: Ir, p: Processor) -> tuple[tuple[str, object], ...]:
    """The environment of docs/runtime-contract.md, sorted by name."""
    env: dict[str, object] = {
        f"TABLE_{ir.table(t).ident.upper()}": refs.ref(refs.table_of(ir.table(t)), "name")
        for t in p.tables
    }
    if p.kind == "stream":
        env["IDEMPOTENCY_TABLE"] = refs.ref(refs.table(refs.IDEMPOTENCY), "name")
    env["POWERTOOLS_SERVICE_NAME"] = ir.name
    env["POWERTOOLS_METRICS_NAMESPACE"] = ir.name
    env["LOG_LEVEL"] = HclExpr("var.log_level")
    return tuple(sorted(env.items()))


def function_view(ir: Ir, p: Processor) -> FunctionView:
    trigger = f"events {', '.join(p.events)}" if p.kind == "stream" else f"schedule {p.schedule}"
    return FunctionView(
        label=p.ident,
        physical=refs.physical(p.name),
        description=f"Processor {p.name} ({trigger})",
        handler=f"{ir.ident}.entry.{p.name}.handler",
        zip_name=f"{p.name}.zip",
        memory_mb=p.memory_mb,
        timeout_seconds=p.timeout_seconds,
        role=f"fn_{p.ident}",
        log_group=logs.function_group(p.ident, p.name),
        dlq=refs.dlq(p.ident),
        env=environment(ir, p),
    )


def mapping_view(ir: Ir, p: Processor) -> MappingView:
    return MappingView(
        label=p.ident,
        function=refs.function(p.ident),
        stream=refs.stream(ir.stream(p.stream or "").ident),
        dlq=refs.dlq(p.ident),
        batch_size=p.batch_size,
        window_seconds=p.window_seconds,
        max_retries=p.max_retries,
        max_record_age_seconds=p.max_record_age_seconds,
        event_types=p.events,
    )


def lambda_view(ir: Ir) -> dict[str, object]:
    return {
        "functions": [function_view(ir, p) for p in ir.processors],
        "dlqs": [(p.ident, refs.physical(p.name) + "-dlq") for p in ir.processors],
        "dlq_retention_seconds": DLQ_RETENTION_SECONDS,
        "mappings": [mapping_view(ir, p) for p in ir.processors if p.kind == "stream"],
        "runtime": RUNTIME,
        "architecture": ARCHITECTURE,
    }


def schedules_view(ir: Ir) -> dict[str, object]:
    return {
        "schedules": [
            ScheduleView(
                label=p.ident,
                physical=refs.physical(p.name),
                description=f"Runs processor {p.name}",
                expression=p.schedule or "",
                function=refs.function(p.ident),
                role=f"schedule_{p.ident}",
                dlq=refs.dlq(p.ident),
                max_retries=min(p.max_retries, 185),
                max_event_age_seconds=min(p.max_record_age_seconds, SCHEDULER_MAX_EVENT_AGE),
            )
            for p in ir.processors
            if p.kind == "schedule"
        ]
    }
