"""The data lake as the archive wrote it: objects of one stream, in delivery order, and their records.

The archive (Firehose, or gen dev's archiver that writes the same keys) puts a stream's records
under ``<stream>/year=YYYY/month=MM/day=DD/`` (`ARCHIVE_PARTITIONS`) in GZIP objects of JSON
lines named ``<delivery stream>-<version>-YYYY-MM-DD-HH-MM-SS-<id>.gz``, stamped with the
arrival of the oldest record they hold. A Kinesis record's data is all the lake keeps: no
sequence number, partition key or arrival time (the feed makes those up again).

`list_objects` lists the objects that can hold events of a window, oldest first (stamp, then
last-modified, then key: the order they were delivered in); `read_records` reads one object's
lines. A record's time is its CloudEvents ``time`` (its object's stamp when it has none or it
does not parse); a window selects on it. Objects are pruned by stamp at the older end only:
an event of the window arrives no earlier than it happened, but it may arrive late.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from generator.dev.archive.firehose_naming import ObjectNamer
from generator.ir.names import ARCHIVE_PARTITIONS
from generator.replay.window import Window

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

SLACK = timedelta(hours=1)
"""How much older than --since an object's stamp may be and still hold an event of the window:
Firehose buffers up to 15 minutes, and producers' clocks run ahead; generous, it costs a read."""

_STAMP = re.compile(r"-(\d{4})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-[^/]*\.gz$")


@dataclass(frozen=True, order=True)
class LakeObject:
    """One archived object; ordering is delivery order."""

    stamp: datetime
    modified: datetime
    key: str


@dataclass(frozen=True)
class LakeRecord:
    """One line of a lake object: the Kinesis record's data and what replay needs of it."""

    object_key: str
    line: int  # 1-based, in the object
    data: bytes
    time: datetime
    type: str | None
    subject: str


def object_stamp(key: str, modified: datetime) -> datetime:
    """The arrival stamp in a Firehose object name (its last-modified time when it has none)."""
    found = _STAMP.search(key)
    if found is None:
        return modified.astimezone(UTC)
    year, month, day, hour, minute, second = (int(part) for part in found.groups())
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def day_prefixes(stream_prefix: str, since: datetime, now: datetime) -> list[str]:
    """The partition prefixes of every day from `since` to `now` (both days included)."""
    namer = ObjectNamer("replay", stream_prefix + ARCHIVE_PARTITIONS)
    day, last = since.date(), max(now, since).date()
    prefixes = []
    while day <= last:
        prefixes.append(namer.prefix_for(datetime(day.year, day.month, day.day, tzinfo=UTC)))
        day += timedelta(days=1)
    return prefixes


def list_objects(
    s3: S3Client, bucket: str, stream_prefix: str, window: Window, now: datetime
) -> list[LakeObject]:
    """The objects under `stream_prefix` that may hold events of `window`, oldest first."""
    earliest = window.since - SLACK if window.since is not None else None
    prefixes = [stream_prefix] if earliest is None else day_prefixes(stream_prefix, earliest, now)
    found: list[LakeObject] = []
    paginator = s3.get_paginator("list_objects_v2")
    for prefix in prefixes:
        for page in paginator.paginate(Bucket=bucket, Prefix=prefix):
            for entry in page.get("Contents", []):
                key, modified = entry["Key"], entry["LastModified"].astimezone(UTC)
                stamp = object_stamp(key, modified)
                if earliest is None or stamp >= earliest:
                    found.append(LakeObject(stamp, modified, key))
    return sorted(found)


def _event_time(document: dict[str, Any], fallback: datetime) -> datetime:
    value = document.get("time")
    if not isinstance(value, str):
        return fallback
    try:
        moment = datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        return fallback
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


def parse_line(obj: LakeObject, number: int, data: bytes) -> LakeRecord:
    """A record of line `number`; a line that is not a CloudEvent keeps its data (the processor
    will reject it, as it would have on the stream) and its object's stamp."""
    try:
        document = json.loads(data)
    except ValueError:
        document = None
    if not isinstance(document, dict):
        return LakeRecord(obj.key, number, data, obj.stamp, None, "")
    kind, subject = document.get("type"), document.get("subject")
    return LakeRecord(
        obj.key, number, data, _event_time(document, obj.stamp),
        kind if isinstance(kind, str) else None,
        # the partition key ingestion gave the record (DESIGN: subject is the partition key)
        subject if isinstance(subject, str) and subject else "-",
    )


def read_records(s3: S3Client, bucket: str, obj: LakeObject) -> Iterator[LakeRecord]:
    """Every line of `obj`, in the order the archive wrote them."""
    body = s3.get_object(Bucket=bucket, Key=obj.key)["Body"].read()
    text = gzip.decompress(body) if body[:2] == b"\x1f\x8b" else body
    for number, line in enumerate(text.split(b"\n"), start=1):
        if line.strip():
            yield parse_line(obj, number, line)
