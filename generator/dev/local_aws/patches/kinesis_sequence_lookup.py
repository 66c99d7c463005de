"""Speed: moto's Kinesis shards find records by sequence number, not by scanning every record.

moto's ``Shard`` builds a list of all its keys to find the newest one on every put, and walks
every record of the shard on every GetRecords, so each put and each read costs time in
proportion to the shard's size: ingestion fell below 1,000 records/s within minutes.
`install()` replaces ``Shard.put_record``, ``get_records``, ``get_min_sequence_number`` and
``get_max_sequence_number`` with versions that use moto's own invariant -- a shard's sequence
numbers are 1, 2, 3, ..., in insertion order -- to look records up directly (a shard found not
dense falls back to moto's scan). Answers are moto's: same records, same positions, same
``MillisBehindLatest``. Like moto's methods, these hold no lock: `kinesis_serial` serialises
every Kinesis request, patched or not.

Touches (moto private): ``moto.kinesis.models.Shard`` (the four methods, ``records``),
``moto.kinesis.models.Record``.
Checked against: moto 5.1.22 (`gate.CHECKED_MOTO_VERSIONS`).
Upstream: no moto issue found; report text in docs/upstream/moto-kinesis-shard-scans.md.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moto.kinesis import models

_originals: dict[str, Callable[..., Any]] = {}
_METHODS = ("put_record", "get_records", "get_min_sequence_number", "get_max_sequence_number")


def _first_key(shard: Any) -> int:
    return next(iter(shard.records)) if shard.records else 0


def _last_key(shard: Any) -> int:
    return next(reversed(shard.records)) if shard.records else 0


def _put_record(shard: Any, partition_key: str, data: str, explicit_hash_key: str) -> str:
    sequence_number = _last_key(shard) + 1
    shard.records[sequence_number] = models.Record(
        partition_key, data, sequence_number, explicit_hash_key
    )
    return str(sequence_number)


def _get_records(
    shard: Any, last_sequence_id: str, limit: int | None
) -> tuple[list[Any], int, int]:
    last = int(last_sequence_id)
    records = shard.records
    first, newest = _first_key(shard), _last_key(shard)
    if newest - first + 1 != len(records):
        # Not dense after all: moto's own scan.
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


def installed() -> bool:
    return bool(_originals)


def install() -> None:
    """Patch ``moto.kinesis.models.Shard`` in this process; calling it again does nothing."""
    shard_class: Any = models.Shard
    if _originals:
        return
    for name in _METHODS:
        if not callable(getattr(shard_class, name, None)):
            raise RuntimeError(f"moto's Kinesis Shard has no {name}(): this moto is not supported")
    _originals.update({name: getattr(shard_class, name) for name in _METHODS})
    shard_class.put_record = _put_record
    shard_class.get_records = _get_records
    shard_class.get_min_sequence_number = _first_key
    shard_class.get_max_sequence_number = _last_key


def uninstall() -> None:
    """Restore moto's own methods; calling it again does nothing."""
    shard_class: Any = models.Shard
    for name, method in _originals.items():
        setattr(shard_class, name, method)
    _originals.clear()
