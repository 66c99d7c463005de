"""Reads of moto's backend answer exactly as the Kinesis API does: shard pages and stream tips.

With the moto patches on, `gen dev`'s pollers and archivers read moto's Kinesis backend directly
(`MotoShardReader`), and its status takes stream tips from it (`backend_reads.shard_tips`); the
boto3 `ShardReader` and `ApiStreamTips` (what plain moto gets) are the reference. Both read the
same shards -- from the horizon, after a checkpoint, from LATEST, in small pages -- and must
return the same records (sequence numbers, partition keys, bytes, arrival times), the same
notion of being at the tip, and the same tips. These run with the patches on and off.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mypy_boto3_kinesis import KinesisClient

from generator.dev.kinesis.shard_reader import ShardReader, list_shard_ids
from generator.dev.kinesis.tips import ApiStreamTips
from generator.dev.local_aws.backend_reads import MotoShardReader, shard_tips

REGION, ACCOUNT = "us-east-1", "123456789012"


def _put(kinesis: KinesisClient, stream: str, first: int, count: int) -> None:
    for start in range(first, first + count, 100):
        kinesis.put_records(StreamName=stream, Records=[
            {"PartitionKey": f"device-{n % 5}", "Data": bytes([n % 256, 0xFF, 0x00]) + f"r{n}".encode()}
            for n in range(start, min(start + 100, first + count))])


def _pages(reader: Any, limit: int = 50) -> list[tuple[list[tuple[str, str, bytes, int]], bool]]:
    pages = []
    while True:
        page = reader.read()
        pages.append(([(r.shard_id, r.sequence_number, r.data, int(r.arrival.timestamp()))
                       for r in page.records], page.at_tip))
        if not page.records:
            return pages


def _both(kinesis: KinesisClient, stream: str, shard: str, after: str | None, start: str,
          limit: int) -> tuple[Any, Any]:
    return (ShardReader(kinesis, stream, shard, after, start, page_limit=limit),
            MotoShardReader(stream, shard, after, start, limit, region=REGION, account=ACCOUNT))


def test_same_pages_from_the_horizon_and_after_a_checkpoint(
    kinesis: KinesisClient, make_stream: Callable[[int], str]
) -> None:
    stream = make_stream(2)
    _put(kinesis, stream, 0, 230)
    seen = 0
    for shard in list_shard_ids(kinesis, stream):
        boto, local = _both(kinesis, stream, shard, None, "TRIM_HORIZON", 40)
        expected = _pages(boto)
        assert _pages(local) == expected
        records = [r for page, _ in expected for r in page]
        seen += len(records)
        if len(records) > 10:
            checkpoint = records[9][1]
            boto, local = _both(kinesis, stream, shard, checkpoint, "TRIM_HORIZON", 7)
            assert _pages(local) == _pages(boto)
    assert seen == 230


def test_same_pages_from_latest_as_records_arrive(
    kinesis: KinesisClient, make_stream: Callable[[int], str]
) -> None:
    stream = make_stream(1)
    _put(kinesis, stream, 0, 20)
    (shard,) = list_shard_ids(kinesis, stream)
    boto, local = _both(kinesis, stream, shard, None, "LATEST", 1000)
    assert boto.read().records == [] and local.read().records == []  # both opened at the tip
    _put(kinesis, stream, 20, 15)
    arrived = _pages(local)
    assert arrived == _pages(boto)
    assert sum(len(p) for p, _ in arrived) == 15  # exactly what came after opening
    assert sum(len(p) for p, _ in _pages(local)) == 0  # consumed: nothing more


def test_a_missing_stream_is_an_error(kinesis: KinesisClient) -> None:
    import pytest

    reader = MotoShardReader("no-such-stream", "shardId-000000000000", None, region=REGION, account=ACCOUNT)
    with pytest.raises(LookupError):
        reader.read()


def test_same_tips_from_the_backend_as_through_the_api(
    kinesis: KinesisClient, make_stream: Callable[[int], str]
) -> None:
    stream = make_stream(3)
    through_api = ApiStreamTips(kinesis)
    empty = {shard: 0 for shard in list_shard_ids(kinesis, stream)}
    assert shard_tips(stream, REGION, ACCOUNT) == through_api(stream) == empty
    _put(kinesis, stream, 0, 250)
    first = shard_tips(stream, REGION, ACCOUNT)
    assert first is not None and sum(first.values()) == 250 and len(first) == 3
    assert through_api(stream) == first
    _put(kinesis, stream, 250, 40)  # the API tips read on from where they were
    assert through_api(stream) == shard_tips(stream, REGION, ACCOUNT)
    assert sum(through_api(stream).values()) == 290
    assert shard_tips("no-such-stream", REGION, ACCOUNT) is None
    assert through_api("no-such-stream") is None
