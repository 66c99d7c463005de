"""The moto Kinesis patch: nothing lost under concurrent puts, same answers, flat costs."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable

import boto3
import pytest
from moto.kinesis import models
from mypy_boto3_kinesis import KinesisClient

from generator.dev import moto_kinesis


def test_concurrent_put_records_to_one_shard_lose_nothing(
    moto_endpoint: str, kinesis: KinesisClient, make_stream: Callable[[int], str]
) -> None:
    # Unpatched moto 5.1.22 loses dozens of these 8,000 records to a race.
    stream = make_stream(1)

    def producer(worker: int) -> None:
        client = boto3.client("kinesis", endpoint_url=moto_endpoint, region_name="us-east-1")
        for batch in range(4):
            client.put_records(
                StreamName=stream,
                Records=[
                    {"Data": json.dumps([worker, batch, i]).encode(), "PartitionKey": "p"}
                    for i in range(500)
                ],
            )

    threads = [threading.Thread(target=producer, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    iterator = kinesis.get_shard_iterator(
        StreamName=stream, ShardId="shardId-000000000000", ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    seen = []
    while True:
        answer = kinesis.get_records(ShardIterator=iterator, Limit=10_000)
        if not answer["Records"]:
            break
        seen.extend(answer["Records"])
        iterator = answer["NextShardIterator"]
    assert len(seen) == 8_000
    assert [int(r["SequenceNumber"]) for r in seen] == list(range(1, 8_001))
    assert len({r["Data"] for r in seen}) == 8_000


@pytest.mark.parametrize(
    ("last", "limit"),
    [("0", 10_000), ("0", 7), ("5", 3), ("48", 10), ("50", 5), ("99", 1), ("0", None)],
)
def test_get_records_answers_exactly_as_moto_does(last: str, limit: int | None) -> None:
    moto_kinesis.install()
    shard = models.Shard(0, 0, 2**128)
    for i in range(50):
        shard.put_record("pk", f"data-{i}", "")
    original = moto_kinesis._originals["get_records"]
    records, last_seq, behind = shard.get_records(last, limit)
    expected_records, expected_last, expected_behind = original(shard, last, limit)
    assert [r.sequence_number for r in records] == [r.sequence_number for r in expected_records]
    assert (last_seq, behind) == (expected_last, expected_behind)
    assert shard.get_min_sequence_number() == 1 and shard.get_max_sequence_number() == 50


def test_install_is_idempotent() -> None:
    moto_kinesis.install()
    patched = models.Shard.put_record
    moto_kinesis.install()
    assert models.Shard.put_record is patched


@pytest.mark.slow
def test_put_cost_does_not_grow_with_the_shard(
    kinesis: KinesisClient, make_stream: Callable[[int], str]
) -> None:
    stream = make_stream(1)
    records = [{"Data": b"x" * 200, "PartitionKey": "p"} for _ in range(500)]

    def timed_put() -> float:
        started = time.perf_counter()
        kinesis.put_records(StreamName=stream, Records=records)  # type: ignore[arg-type]
        return time.perf_counter() - started

    empty = min(timed_put() for _ in range(3))
    for _ in range(120):
        timed_put()
    full = min(timed_put() for _ in range(3))  # 61,500 records in the shard
    assert full < 3 * empty
