"""Kinesis read straight from moto's in-process backend: shard pages and stream tips, no API call.

Only with the moto patches on (`patches.gate`): this reads moto's private state
(``kinesis_backends[account][region].streams[name].shards``, a shard's ``records`` dict keyed
1, 2, 3, ... and its ``get_records`` / ``get_max_sequence_number`` / ``is_open``), checked
against the moto versions the gate names. With the patches off the stack reads through the
Kinesis API instead (`kinesis.shard_reader.api_readers`, `kinesis.tips.ApiStreamTips`): the
same pages, the same tips, slower. Every read holds `kinesis_serial.KINESIS_LOCK`, as every
Kinesis request does.

`MotoShardReader` keeps `kinesis.shard_reader.Reader`'s contract: what the local stack's pollers
and archivers use, since moto runs in their process. Reading a shard's records directly instead
of through boto3, HTTP and moto's JSON serializer saves a Kinesis consumer ~0.05 ms per record
per read, three reads per record (two processors and the archiver). Same pages, same
positions, same lag. `moto_readers(region, account)` is its `ReaderFactory`.

`shard_tips(stream)` is ``{shard id: newest sequence number}`` (0 for an empty shard): moto
numbers a shard's records 1, 2, 3, ..., so the newest key is both the record count and the
tip, and a consumer's lag is the tip minus its checkpoint. None when the stream is not in the
backend or moto's internals are not what this module expects (the status then says
"unknown" rather than a wrong number).
"""

from __future__ import annotations

import base64
from datetime import UTC
from typing import Any

from generator.dev.kinesis.shard_reader import (
    MAX_PAGE,
    STARTING_POSITIONS,
    Page,
    ReaderFactory,
    StreamRecord,
)
from generator.dev.local_aws.identity import DEFAULT_REGION, LOCAL_ACCOUNT
from generator.dev.local_aws.kinesis_serial import KINESIS_LOCK


def _stream(stream_name: str, region: str, account: str) -> Any:
    from moto.kinesis.models import kinesis_backends

    backend: Any = kinesis_backends[account][region]
    return backend.streams.get(stream_name)


class MotoShardReader:
    """`kinesis.shard_reader.ShardReader`'s contract, over moto's Kinesis backend in this process."""

    def __init__(
        self,
        stream_name: str,
        shard_id: str,
        after: str | None,
        starting_position: str = "TRIM_HORIZON",
        page_limit: int = MAX_PAGE,
        *,
        region: str,
        account: str,
    ) -> None:
        if starting_position not in STARTING_POSITIONS:
            raise ValueError(f"starting_position must be one of {STARTING_POSITIONS}")
        self._stream_name = stream_name
        self.shard_id = shard_id
        self._starting_position = starting_position
        self._page_limit = page_limit
        self._region = region
        self._account = account
        self._position: int | None = None if after is None else int(after)
        self.closed = False

    def _shard(self) -> Any:
        stream = _stream(self._stream_name, self._region, self._account)
        if stream is None:
            raise LookupError(f"stream {self._stream_name} does not exist")
        for shard in list(stream.shards.values()):
            if shard.shard_id == self.shard_id:
                return shard
        raise LookupError(f"stream {self._stream_name} has no shard {self.shard_id}")

    def read(self) -> Page:
        """The next page (possibly empty). Raises LookupError when the shard is gone."""
        if self.closed:
            return Page([], 0)
        with KINESIS_LOCK:
            shard = self._shard()
            if self._position is None:  # the iterator's starting point, fixed when first opened
                newest = shard.get_max_sequence_number()
                self._position = newest if self._starting_position == "LATEST" else 0
            found, _, behind = shard.get_records(str(self._position), self._page_limit)
            at_end = not shard.is_open and self._position >= shard.get_max_sequence_number()
        records = [
            StreamRecord(
                shard_id=self.shard_id,
                sequence_number=str(raw.sequence_number),
                partition_key=raw.partition_key,
                data=base64.b64decode(raw.data),
                arrival=raw.created_at_datetime.replace(tzinfo=UTC),
            )
            for raw in found
        ]
        if records:
            self._position = int(records[-1].sequence_number)
        elif at_end:
            self.closed = True  # read to the end of a closed shard: nothing will follow
        return Page(records, int(behind))


def moto_readers(region: str = DEFAULT_REGION, account: str = LOCAL_ACCOUNT) -> ReaderFactory:
    """Readers of moto's in-process Kinesis backend (see the module docstring)."""
    return lambda stream, shard, after, start: MotoShardReader(
        stream, shard, after, start, region=region, account=account
    )


def shard_tips(
    stream_name: str, region: str = DEFAULT_REGION, account: str = LOCAL_ACCOUNT
) -> dict[str, int] | None:
    try:
        with KINESIS_LOCK:
            stream = _stream(stream_name, region, account)
            if stream is None:
                return None
            return {str(shard_id): _tip(shard) for shard_id, shard in stream.shards.items()}
    except (AttributeError, KeyError, TypeError, ValueError):
        return None


def _tip(shard: Any) -> int:
    records = shard.records
    return int(next(reversed(records))) if records else 0
