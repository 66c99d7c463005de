"""The AWS resources of a spec, created in moto under the physical names of the runtime contract.

Contract (docs/runtime-contract.md): with prefix ``<name>-<stage>`` (stage ``local`` for
`gen dev`), tables are ``<prefix>-<kebab(table)>`` (key schema, global secondary indexes and TTL
from the IR), streams ``<prefix>-<kebab(stream)>`` (shards and retention from the IR; on-demand
streams get moto's on-demand shards), the Powertools idempotency table ``<prefix>-idempotency``
(key ``id`` S, TTL ``expiration``), one SQS dead-letter queue per processor
``<prefix>-<kebab(processor)>-dlq``, and, when a stream is archived, the data-lake bucket
``<prefix>-datalake-<account id>``. Every name is the IR's (`<node>.names`), so the stack meets
the templates' stage variables and the functions' environment exactly as Terraform sets them.
`local_names` is pure; `create_resources` makes the calls.

For `gen dev --watch`: `refused_changes(old, new)` lists what a running stack cannot apply to
its data (a table's key or indexes changed, the project renamed: each needs a restart), pure;
`create_added(old, new, ...)` creates only what ``new`` adds (tables, streams, queues, the data
lake) and never touches, replaces or deletes what exists: a removed table keeps its items.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from generator.dev.local_aws.identity import LOCAL_ACCOUNT
from generator.ir.names import datalake_bucket
from generator.ir.nodes import Ir, Stream, Table

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_kinesis import KinesisClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sqs import SQSClient

LOCAL_STAGE = "local"
DEFAULT_RETENTION_HOURS = 24


@dataclass(frozen=True)
class LocalNames:
    """Physical names, keyed by the spec's logical names."""

    prefix: str
    tables: dict[str, str]
    streams: dict[str, str]
    functions: dict[str, str]
    dlqs: dict[str, str]
    idempotency_table: str
    datalake_bucket: str | None

    def table_env(self, ir: Ir) -> dict[str, str]:
        """``TABLE_<TABLE>`` for every table (what the functions find their tables by)."""
        return {t.names.env_var: self.tables[t.name] for t in ir.tables}

    def stage_variables(self, ir: Ir) -> dict[str, str]:
        """``table_<table>`` and ``stream_<stream>``: what the mapping templates read."""
        out = {t.names.stage_variable: self.tables[t.name] for t in ir.api_tables()}
        out.update({s.names.stage_variable: self.streams[s.name] for s in ir.api_streams()})
        return out


def local_names(ir: Ir, stage: str = LOCAL_STAGE, account: str = LOCAL_ACCOUNT) -> LocalNames:
    names = ir.names
    prefix = names.prefix(stage)
    archived = any(s.archive for s in ir.streams)
    return LocalNames(
        prefix=prefix,
        tables={t.name: names.physical(stage, t.names.table) for t in ir.tables},
        streams={s.name: names.physical(stage, s.names.stream) for s in ir.streams},
        functions={p.name: names.physical(stage, p.names.function) for p in ir.processors},
        dlqs={p.name: names.physical(stage, p.names.dlq) for p in ir.processors},
        idempotency_table=names.physical(stage, names.idempotency),
        datalake_bucket=datalake_bucket(names.project, stage, account) if archived else None,
    )


def _key_schema(partition: str, sort: str | None) -> list[dict[str, str]]:
    schema = [{"AttributeName": partition, "KeyType": "HASH"}]
    if sort is not None:
        schema.append({"AttributeName": sort, "KeyType": "RANGE"})
    return schema


def table_definition(table: Table, physical: str) -> dict[str, Any]:
    """The CreateTable request of a spec table (on demand, as Terraform creates it)."""
    request: dict[str, Any] = {
        "TableName": physical,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [
            {"AttributeName": a.name, "AttributeType": a.type} for a in table.attribute_types
        ],
        "KeySchema": _key_schema(
            table.partition_key.name, table.sort_key.name if table.sort_key else None
        ),
    }
    if table.indexes:
        request["GlobalSecondaryIndexes"] = [
            {
                "IndexName": index.name,
                "KeySchema": _key_schema(
                    index.partition_key.name, index.sort_key.name if index.sort_key else None
                ),
                "Projection": {
                    "ProjectionType": "ALL" if index.projection == "all" else "KEYS_ONLY"
                },
            }
            for index in table.indexes
        ]
    return request


def _create_table(dynamodb: DynamoDBClient, table: Table, physical: str) -> None:
    dynamodb.create_table(**table_definition(table, physical))
    if table.ttl:
        dynamodb.update_time_to_live(
            TableName=physical,
            TimeToLiveSpecification={"Enabled": True, "AttributeName": table.ttl},
        )


def _create_stream(kinesis: KinesisClient, stream: Stream, physical: str) -> None:
    if stream.on_demand:
        kinesis.create_stream(StreamName=physical, StreamModeDetails={"StreamMode": "ON_DEMAND"})
    else:
        kinesis.create_stream(StreamName=physical, ShardCount=stream.shards or 1)
    if stream.retention_hours > DEFAULT_RETENTION_HOURS:
        kinesis.increase_stream_retention_period(
            StreamName=physical, RetentionPeriodHours=stream.retention_hours
        )


def _shape(table: Table) -> tuple[Any, Any]:
    request = table_definition(table, "")
    return request["KeySchema"], request.get("GlobalSecondaryIndexes", [])


def refused_changes(old: Ir, new: Ir) -> list[str]:
    """What `new` changes that the running stack cannot apply without losing data (pure).

    A key change that `changes:` acknowledges is a new table generation under a new physical
    name (created, the old one kept), so only a change to a table of the same generation is
    refused (`gen build` refuses an unacknowledged one before the stack sees it)."""
    if old.name != new.name:
        return [f"the project's name changed ({old.name} -> {new.name}): every physical name "
                "changes with it; restart gen dev"]
    before = {(t.name, t.generation): t for t in old.tables}
    refused = []
    for table in new.tables:
        was = before.get((table.name, table.generation))
        if was is None:
            continue
        (keys, indexes), (old_keys, old_indexes) = _shape(table), _shape(was)
        if keys != old_keys:
            refused.append(f"table {table.name}: its key changed ({_keys(old_keys)} -> {_keys(keys)}); "
                           "the local table keeps its items under the old key until you restart "
                           "gen dev, which recreates it (seeded, its other items gone)")
        elif indexes != old_indexes:
            refused.append(f"table {table.name}: its indexes changed; restart gen dev to recreate "
                           "the table with them (seeded, its other items gone)")
    return refused


def _keys(schema: list[dict[str, str]]) -> str:
    return ", ".join(f"{k['AttributeName']} ({k['KeyType'].lower()})" for k in schema)


def create_added(
    old: Ir,
    new: Ir,
    names: LocalNames,
    *,
    dynamodb: DynamoDBClient,
    kinesis: KinesisClient,
    s3: S3Client,
    sqs: SQSClient,
) -> tuple[list[str], dict[str, str]]:
    """Create what `new` adds to `old`; the logical names of the tables created, and the
    dead-letter queue URLs of the processors `new` adds. A table or
    stream removed by an earlier reload and now back is still there: it is reused, items and
    records included."""
    old_tables = {(t.name, t.generation) for t in old.tables}
    created = []
    for table in new.tables:
        if (table.name, table.generation) not in old_tables and not _exists(
            dynamodb.describe_table, TableName=names.tables[table.name]
        ):
            _create_table(dynamodb, table, names.tables[table.name])
            created.append(table.name)
    old_streams = {s.name for s in old.streams}
    for stream in new.streams:
        physical = names.streams[stream.name]
        if stream.name not in old_streams and not _exists(
            kinesis.describe_stream_summary, StreamName=physical
        ):
            _create_stream(kinesis, stream, physical)
    if names.datalake_bucket is not None and not any(s.archive for s in old.streams):
        s3.create_bucket(Bucket=names.datalake_bucket)
    old_processors = {p.name for p in old.processors}
    urls = {  # CreateQueue answers the URL of a queue that exists (a processor back again)
        processor: sqs.create_queue(QueueName=queue)["QueueUrl"]
        for processor, queue in sorted(names.dlqs.items())
        if processor not in old_processors
    }
    return created, urls


def _exists(describe: Any, **request: str) -> bool:
    from botocore.exceptions import ClientError

    try:
        describe(**request)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
            return False
        raise
    return True


def create_resources(
    ir: Ir,
    names: LocalNames,
    *,
    dynamodb: DynamoDBClient,
    kinesis: KinesisClient,
    s3: S3Client,
    sqs: SQSClient,
) -> dict[str, str]:
    """Create everything; returns the dead-letter queue URL of each processor."""
    for table in ir.tables:
        _create_table(dynamodb, table, names.tables[table.name])
    dynamodb.create_table(
        TableName=names.idempotency_table,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
    )
    dynamodb.update_time_to_live(
        TableName=names.idempotency_table,
        TimeToLiveSpecification={"Enabled": True, "AttributeName": "expiration"},
    )
    for stream in ir.streams:
        _create_stream(kinesis, stream, names.streams[stream.name])
    if names.datalake_bucket is not None:
        s3.create_bucket(Bucket=names.datalake_bucket)
    return {
        processor: sqs.create_queue(QueueName=queue)["QueueUrl"]
        for processor, queue in sorted(names.dlqs.items())
    }
