"""A snapshot of the relevant part of moto's in-process state, as JSON lines.

`capture(resources, region, account, blobs)` reads moto's backends directly (it runs while the
recorder holds every write back, `Recorder.exclusive`, so nothing moves underneath) and returns
the snapshot's lines and the S3 bodies not yet in the blob directory. Lines (``k`` the kind):

- ``header``: ``tables`` = each table's key (``[[attribute, type], ...]``), what `restore`
  compares with the new run's tables;
- ``item``: ``table``, ``item`` (DynamoDB JSON, as a Scan answers);
- ``record``: ``stream``, ``shard``, ``seq`` (moto's number), ``pk``, ``data`` (base64),
  ``ehk`` (explicit hash key), ``at`` (arrival, epoch seconds);
- ``message``: ``queue``, ``id``, ``body`` (in queue order);
- ``object``: ``bucket``, ``key``, ``blob`` (file name under DIR/blobs), ``type``, ``meta``.
The pollers' checkpoints (``cp`` lines) are added by `persistence`. Reads moto's private
attributes (checked against moto 5.1): ``Table.all_items``/``hash_key_attr``/..., Kinesis
``Shard.records``, SQS ``Queue._messages``, S3 ``FakeKey.value``/``etag``/``metadata``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Resources:
    """The physical names of what is kept."""

    tables: tuple[str, ...]
    streams: tuple[str, ...]
    queues: tuple[str, ...]
    buckets: tuple[str, ...]


@dataclass
class Capture:
    lines: list[str] = field(default_factory=list)
    blobs: dict[str, bytes] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    referenced: set[str] = field(default_factory=set)  # every blob the snapshot names


def table_keys(region: str, account: str, tables: tuple[str, ...]) -> dict[str, list[list[str]]]:
    """Each existing table's key: ``[[partition, type], [sort, type]?]``."""
    from moto.dynamodb.models import dynamodb_backends

    backend: Any = dynamodb_backends[account][region]
    out: dict[str, list[list[str]]] = {}
    for name in tables:
        table = backend.tables.get(name)
        if table is None:
            continue
        keys = [[table.hash_key_attr, table.hash_key_type]]
        if table.range_key_attr:
            keys.append([table.range_key_attr, table.range_key_type])
        out[name] = keys
    return out


def blob_name(etag: str, size: int) -> str:
    return f"{etag.strip(chr(34)).replace('/', '_')}-{size}"


def capture(resources: Resources, region: str, account: str, blobs: Path) -> Capture:
    from moto.dynamodb.models import dynamodb_backends
    from moto.dynamodb.models.utilities import dynamo_json_dump
    from moto.kinesis.models import kinesis_backends
    from moto.s3.models import s3_backends
    from moto.sqs.models import sqs_backends

    out = Capture()
    lines = out.lines
    lines.append(json.dumps({"k": "header", "version": 1,
                             "tables": table_keys(region, account, resources.tables)}))
    dynamodb: Any = dynamodb_backends[account][region]
    items = 0
    for name in resources.tables:
        table = dynamodb.tables.get(name)
        if table is None:
            continue
        prefix = '{"k":"item","table":' + json.dumps(name) + ',"item":'
        for item in table.all_items():
            lines.append(prefix + dynamo_json_dump(item.to_json()["Attributes"]) + "}")
            items += 1
    kinesis: Any = kinesis_backends[account][region]
    records = 0
    for name in resources.streams:
        stream = kinesis.streams.get(name)
        if stream is None:
            continue
        for shard_id, shard in stream.shards.items():
            for record in shard.records.values():
                lines.append(json.dumps({
                    "k": "record", "stream": name, "shard": str(shard_id),
                    "seq": int(record.sequence_number), "pk": record.partition_key,
                    "data": record.data, "ehk": record.explicit_hash_key, "at": record.created_at,
                }))
                records += 1
    sqs: Any = sqs_backends[account][region]
    messages = 0
    for name in resources.queues:
        queue = sqs.queues.get(name)
        if queue is None:
            continue
        for message in list(queue._messages):
            lines.append(json.dumps({"k": "message", "queue": name, "id": message.id,
                                     "body": message.body}))
            messages += 1
    objects = 0
    s3: Any = s3_backends[account]["aws"]
    for name in resources.buckets:
        bucket = s3.buckets.get(name)
        if bucket is None:
            continue
        for key in list(bucket.keys.values()):
            blob = blob_name(key.etag, key.size)
            out.referenced.add(blob)
            if blob not in out.blobs and not (blobs / blob).exists():
                out.blobs[blob] = key.value
            metadata = {str(k).lower(): str(v) for k, v in dict(key.metadata).items()}
            lines.append(json.dumps({
                "k": "object", "bucket": name, "key": key.name, "blob": blob,
                "type": metadata.get("content-type"),
                "meta": {k[len("x-amz-meta-"):]: v for k, v in metadata.items()
                         if k.startswith("x-amz-meta-")},
            }))
            objects += 1
    out.counts = {"items": items, "records": records, "messages": messages, "objects": objects}
    return out
