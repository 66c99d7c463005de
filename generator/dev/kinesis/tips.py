"""How far each shard of a stream reaches: ``{shard id: newest sequence number}``, for lag.

Kinesis has no API for "the newest sequence number of a shard". `StreamTips` is what the
local stack's status asks (a stream's physical name in, tips out, None when unknown);
`ApiStreamTips(kinesis)` answers it through the Kinesis API alone: one `ShardReader` per shard
from the trim horizon, read forward to the tip on every call, so each call costs only the
records that arrived since the last one. The newest sequence number read is the tip; on the
local moto, whose shards number records 1, 2, 3, ..., it is also the record count (the local
stack reads it straight from moto's backend when it may: `local_aws.backend_reads`).
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Protocol

from generator.dev.kinesis.shard_reader import ReaderFactory, api_readers, list_shard_ids

if TYPE_CHECKING:
    from mypy_boto3_kinesis import KinesisClient

    from generator.dev.kinesis.shard_reader import Reader


class StreamTips(Protocol):
    def __call__(self, stream_name: str) -> dict[str, int] | None: ...


class ApiStreamTips:
    """`StreamTips` through GetShardIterator / GetRecords; thread-safe."""

    def __init__(self, kinesis: KinesisClient, readers: ReaderFactory | None = None) -> None:
        self._kinesis = kinesis
        self._open = readers or api_readers(kinesis)
        self._lock = threading.Lock()
        self._readers: dict[tuple[str, str], Reader] = {}
        self._tips: dict[tuple[str, str], int] = {}

    def __call__(self, stream_name: str) -> dict[str, int] | None:
        try:
            shard_ids = list_shard_ids(self._kinesis, stream_name)
            with self._lock:
                return {shard: self._read_forward(stream_name, shard) for shard in shard_ids}
        except Exception:  # noqa: BLE001 (a status field: unknown, never an error page)
            with self._lock:  # a stream deleted or re-created: start over next time
                for key in [key for key in self._readers if key[0] == stream_name]:
                    del self._readers[key]
                    self._tips.pop(key, None)
            return None

    def _read_forward(self, stream_name: str, shard_id: str) -> int:
        key = (stream_name, shard_id)
        reader = self._readers.get(key)
        if reader is None:
            reader = self._readers[key] = self._open(stream_name, shard_id, None, "TRIM_HORIZON")
        tip = self._tips.get(key, 0)
        while True:
            page = reader.read()
            if not page.records:
                break
            tip = page.records[-1].seq
        self._tips[key] = tip
        return tip
