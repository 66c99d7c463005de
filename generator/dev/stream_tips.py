"""How many records each shard of a local stream holds: read from moto's in-process backend.

Kinesis has no API for "the newest sequence number of a shard", but the local stack runs moto
in its own process, and `moto_kinesis` keeps moto's invariant that a shard's sequence numbers
are 1, 2, 3, ... So the newest key of a shard is both its record count and its tip, and a
consumer's lag is the tip minus its checkpoint. `shard_tips(stream)` returns
``{shard id: newest sequence number}`` (0 for an empty shard), or None when the stream is not
in the backend or moto's internals are not what this module expects (status shows "unknown"
rather than a wrong number).
"""

from __future__ import annotations

from typing import Any

from generator.dev.lambda_shapes import DEFAULT_REGION, LOCAL_ACCOUNT


def shard_tips(
    stream_name: str, region: str = DEFAULT_REGION, account: str = LOCAL_ACCOUNT
) -> dict[str, int] | None:
    try:
        from moto.kinesis.models import kinesis_backends

        backend: Any = kinesis_backends[account][region]
        stream = backend.streams.get(stream_name)
        if stream is None:
            return None
        return {str(shard_id): _tip(shard) for shard_id, shard in list(stream.shards.items())}
    except (AttributeError, KeyError, TypeError, ValueError, RuntimeError):
        return None


def _tip(shard: Any) -> int:
    for _ in range(3):
        try:
            records = shard.records
            return int(next(reversed(records))) if records else 0
        except RuntimeError:  # a writer changed the dict while we looked: look again
            continue
    raise RuntimeError("shard changed too often to be read")
