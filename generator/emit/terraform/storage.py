"""Views of the stateful parts: dynamodb.tf (tables + idempotency), kinesis.tf, archive.tf."""

from __future__ import annotations

from dataclasses import dataclass

from generator.emit.terraform import logs, refs
from generator.emit.terraform.iam import archive_prefixes
from generator.ir.changes import forgotten_tables
from generator.ir.nodes import Ir, Table

PROJECTIONS = {"all": "ALL", "keys_only": "KEYS_ONLY"}
# Firehose's own partitioning by arrival time (UTC): Hive-style, so Athena/Glue see partitions.
DATE_PARTITIONS = "year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/"


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
    role: str
    log_group: logs.LogGroup
    prefix: str
    error_prefix: str


def table_view(t: Table) -> TableView:
    return TableView(
        label=refs.label_of(t),
        physical=refs.physical_of(t),
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


def idempotency_table() -> TableView:
    """Powertools' idempotency store (docs/runtime-contract.md): key `id`, TTL `expiration`."""
    return TableView(
        label=refs.IDEMPOTENCY,
        physical=refs.IDEMPOTENCY,
        hash_key="id",
        range_key=None,
        attributes=(AttributeView("id", "S"),),
        indexes=(),
        ttl="expiration",
    )


def needs_idempotency(ir: Ir) -> bool:
    return any(p.kind == "stream" for p in ir.processors)


def dynamodb_view(ir: Ir) -> dict[str, object]:
    if needs_idempotency(ir) and any(t.ident == refs.IDEMPOTENCY for t in ir.tables):
        raise ValueError(f"table name '{refs.IDEMPOTENCY}' is reserved for the idempotency table")
    tables = [table_view(t) for t in ir.tables]
    if needs_idempotency(ir):
        tables.append(idempotency_table())
    forgotten = [f.label for f in forgotten_tables(ir)]
    return {"tables": tables, "forgotten": forgotten}


def kinesis_view(ir: Ir) -> dict[str, object]:
    return {
        "streams": [
            StreamView(
                label=s.ident,
                physical=refs.physical(s.name),
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
        data, errors = archive_prefixes(s)
        archives.append(
            ArchiveView(
                label=s.ident,
                physical=refs.physical(s.name) + "-archive",
                stream=s.ident,
                role=f"archive_{s.ident}",
                log_group=logs.archive_group(s.ident, s.name),
                prefix=data + DATE_PARTITIONS,
                error_prefix=errors + "!{firehose:error-output-type}/" + DATE_PARTITIONS,
            )
        )
    return {"archives": archives}
