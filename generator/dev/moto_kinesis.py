"""Make moto's Kinesis shards correct under concurrency and fast as they grow (moto 5.1.x).

moto's ``Shard.put_record`` derives the next sequence number from a freshly built list of all
keys, without a lock: concurrent PutRecords to one shard overwrite each other's records, and
every put and every GetRecords costs time proportional to the shard's size (so ingestion
slows below 1,000 records/s within minutes). `install()` swaps four ``Shard`` methods for
versions that serialise writers and reads of one shard behind a lock, and use
moto's own invariant that sequence numbers are 1, 2, 3, ... to find records by direct
lookup. What moto returns is unchanged. Call it once, before the moto server serves.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from moto.kinesis import models

_lock = threading.Lock()
_originals: dict[str, Callable[..., Any]] = {}


def _first_key(shard: Any) -> int:
    return next(iter(shard.records)) if shard.records else 0


def _last_key(shard: Any) -> int:
    return next(reversed(shard.records)) if shard.records else 0


def _put_record(shard: Any, partition_key: str, data: str, explicit_hash_key: str) -> str:
    with _lock:
        sequence_number = _last_key(shard) + 1
        shard.records[sequence_number] = models.Record(
            partition_key, data, sequence_number, explicit_hash_key
        )
    return str(sequence_number)


def _get_records(
    shard: Any, last_sequence_id: str, limit: int | None
) -> tuple[list[Any], int, int]:
    with _lock:
        last = int(last_sequence_id)
        records = shard.records
        first, newest = _first_key(shard), _last_key(shard)
        if newest - first + 1 != len(records):
            # Not dense after all (a future moto?): fall back to the original scan.
            answer: tuple[list[Any], int, int] = _originals["get_records"](
                shard, last_sequence_id, limit
            )
            return answer
        start = max(last + 1, first)
        stop = newest + 1 if not limit else min(newest + 1, start + limit)
        results = [records[seq] for seq in range(start, stop)]
    if not results:
        return [], last, 0
    # Same arithmetic as moto: how far the last returned record is behind the newest one.
    behind = records[newest].created_at - results[-1].created_at
    return results, results[-1].sequence_number, int(behind * 1000)


def install() -> None:
    """Patch ``moto.kinesis.models.Shard`` in this process; calling it again does nothing."""
    shard_class: Any = models.Shard
    if _originals:
        return
    for name in ("put_record", "get_records", "get_min_sequence_number", "get_max_sequence_number"):
        if not callable(getattr(shard_class, name, None)):
            raise RuntimeError(f"moto's Kinesis Shard has no {name}(): this moto is not supported")
        _originals[name] = getattr(shard_class, name)
    shard_class.put_record = _put_record
    shard_class.get_records = _get_records
    shard_class.get_min_sequence_number = _first_key
    shard_class.get_max_sequence_number = _last_key


def uninstall() -> None:
    """Restore moto's own methods (for tests that compare both)."""
    shard_class: Any = models.Shard
    for name, method in _originals.items():
        setattr(shard_class, name, method)
    _originals.clear()
