"""Views of the stateful parts: dynamodb.tf (tables + idempotency), kinesis.tf, archive.tf."""

from __future__ import annotations

from dataclasses import dataclass

from generator.emit.terraform import logs, refs
from generator.ir.changes import forgotten_tables
from generator.ir.names import Resource, Role
from generator.ir.names import ARCHIVE_PARTITIONS
from generator.ir.nodes import Ir, Table

PROJECTIONS = {"all": "ALL", "keys_only": "KEYS_ONLY"}
# Firehose's own partitioning by arrival time (UTC): Hive-style, so Athena/Glue see partitions.


@dataclass(frozen=True, slots=True)
class AttributeView:
    name: str
    type: str


@dataclass(frozen=True, slots=True)
class IndexView:
    name: str
    hash_key: str
    range_key: str | None
    projection: str


@dataclass(frozen=True, slots=True)
class TableView:
    label: str
    physical: str
    hash_key: str
    range_key: str | None
    attributes: tuple[AttributeView, ...]
    indexes: tuple[IndexView, ...]
    ttl: str | None


@dataclass(frozen=True, slots=True)
class StreamView:
    label: str
    physical: str
    retention_hours: int
    shards: int | None
    mode: str


@dataclass(frozen=True, slots=True)
class ArchiveView:
    label: str
    physical: str
    stream: str
    role: Role
    log_group: logs.LogGroup
    log_stream: Resource
    prefix: str
    error_prefix: str


def table_view(t: Table) -> TableView:
    return TableView(
        label=t.names.table.label,
        physical=refs.physical(t.names.table),
        hash_key=t.partition_key.name,
        range_key=t.sort_key.name if t.sort_key else None,
        attributes=tuple(AttributeView(a.name, a.type) for a in t.attribute_types),
        indexes=tuple(
            IndexView(
                i.name,
                i.partition_key.name,
                i.sort_key.name if i.sort_key else None,
                PROJECTIONS[i.projection],
            )
            for i in t.indexes
        ),
        ttl=t.ttl,
    )


def idempotency_table(ir: Ir) -> TableView:
    """Powertools' idempotency store (docs/runtime-contract.md): key `id`, TTL `expiration`."""
    table = ir.names.idempotency
    return TableView(
        label=table.label,
        physical=refs.physical(table),
        hash_key="id",
        range_key=None,
        attributes=(AttributeView("id", "S"),),
        indexes=(),
        ttl="expiration",
    )


def needs_idempotency(ir: Ir) -> bool:
    return any(p.kind == "stream" for p in ir.processors)


def dynamodb_view(ir: Ir) -> dict[str, object]:
    idempotency = ir.names.idempotency
    if needs_idempotency(ir) and any(t.names.table.address == idempotency.address for t in ir.tables):
        raise ValueError(f"table name '{idempotency.label}' is reserved for the idempotency table")
    tables = [table_view(t) for t in ir.tables]
    if needs_idempotency(ir):
        tables.append(idempotency_table(ir))
    forgotten = [f.table.address for f in forgotten_tables(ir)]
    return {"tables": tables, "forgotten": forgotten}


def kinesis_view(ir: Ir) -> dict[str, object]:
    return {
        "streams": [
            StreamView(
                label=s.names.stream.label,
                physical=refs.physical(s.names.stream),
                retention_hours=s.retention_hours,
                shards=None if s.on_demand else (s.shards or 1),
                mode="ON_DEMAND" if s.on_demand else "PROVISIONED",
            )
            for s in ir.streams
        ]
    }


def archive_view(ir: Ir) -> dict[str, object]:
    archives = []
    for s in ir.streams:
        if not s.archive:
            continue
        names = s.names
        archives.append(
            ArchiveView(
                label=names.archive.label,
                physical=refs.physical(names.archive),
                stream=names.stream.address,
                role=names.archive_role,
                log_group=logs.archive_group(s),
                log_stream=names.archive_log_stream,
                prefix=names.archive_prefix + ARCHIVE_PARTITIONS,
                error_prefix=names.archive_error_prefix + "!{firehose:error-output-type}/" + ARCHIVE_PARTITIONS,
            )
        )
    return {"archives": archives}
