"""moto's Kinesis under the local stack: nothing lost under concurrent puts, in either mode; the
sequence-number lookup answers as moto's scan does, at a flat cost."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from moto.kinesis import models
from mypy_boto3_kinesis import KinesisClient

from generator.dev.local_aws import kinesis_serial
from generator.dev.local_aws.patches import kinesis_sequence_lookup as lookup


@pytest.mark.parametrize("patched", [False, True], ids=["plain", "patched"])
def test_concurrent_put_records_to_one_shard_lose_nothing(
    patched: bool, moto_endpoint: str, kinesis: KinesisClient, make_stream: Callable[[int], str]
) -> None:
    # moto 5.1.22 on its own loses dozens of these 8,000 records to a race; the local stack's
    # server (`kinesis_serial`) loses none, with or without the speed patch.
    (lookup.install if patched else lookup.uninstall)()
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


def test_kinesis_requests_hold_the_lock_and_nothing_else_does() -> None:
    held: list[bool] = []

    def app(environ: Any, start_response: Any) -> list[bytes]:
        held.append(kinesis_serial.KINESIS_LOCK.locked())
        start_response("200 OK", [])
        return [b"a", b"b"]

    serial = kinesis_serial.SerialKinesis(app)
    kinesis = {"HTTP_X_AMZ_TARGET": "Kinesis_20131202.PutRecords"}
    dynamodb = {"HTTP_X_AMZ_TARGET": "DynamoDB_20120810.PutItem"}
    assert b"".join(serial(kinesis, lambda *a: None)) == b"ab"  # type: ignore[arg-type]
    assert b"".join(serial(dynamodb, lambda *a: None)) == b"ab"  # type: ignore[arg-type]
    assert b"".join(serial({}, lambda *a: None)) == b"ab"  # type: ignore[arg-type]
    assert held == [True, False, False]
    assert not kinesis_serial.KINESIS_LOCK.locked()


def _filled_shard() -> Any:
    shard = models.Shard(0, 0, 2**128)
    for i in range(50):
        shard.put_record("pk", f"data-{i}", "")
    return shard


def _answers(shard: Any, last: str, limit: int | None) -> tuple[Any, ...]:
    records, last_seq, behind = shard.get_records(last, limit)
    return ([(r.sequence_number, r.data) for r in records], last_seq, behind,
            shard.get_min_sequence_number(), shard.get_max_sequence_number())


@pytest.mark.parametrize(
    ("last", "limit"),
    [("0", 10_000), ("0", 7), ("5", 3), ("48", 10), ("50", 5), ("99", 1), ("0", None)],
)
def test_get_records_answers_exactly_as_moto_does(last: str, limit: int | None) -> None:
    lookup.uninstall()
    shard = _filled_shard()  # moto's own puts
    plain = _answers(shard, last, limit)
    lookup.install()
    assert _answers(shard, last, limit) == plain
    assert plain[3:] == (1, 50)


def _record_fields(shard: Any) -> list[tuple[Any, ...]]:
    return [(key, r.sequence_number, r.partition_key, r.data, r.explicit_hash_key)
            for key, r in shard.records.items()]


def test_puts_store_what_moto_s_puts_store() -> None:
    lookup.uninstall()
    plain = _record_fields(_filled_shard())
    lookup.install()
    assert _record_fields(_filled_shard()) == plain
    assert [key for key, *_ in plain] == list(range(1, 51))


def test_a_shard_that_is_not_dense_falls_back_to_moto_s_scan() -> None:
    lookup.install()
    shard = models.Shard(0, 0, 2**128)
    for i in range(10):
        shard.put_record("pk", f"data-{i}", "")
    del shard.records[4]  # not what moto does today; what the fallback is for
    records, last_seq, _ = shard.get_records("2", 3)
    assert [r.sequence_number for r in records] == [3, 5, 6] and last_seq == 6


def test_install_is_idempotent_and_uninstall_restores() -> None:
    lookup.uninstall()
    original = models.Shard.put_record
    lookup.install()
    patched = models.Shard.put_record
    lookup.install()
    assert models.Shard.put_record is patched is not original
    lookup.uninstall()
    lookup.uninstall()
    assert models.Shard.put_record is original and not lookup.installed()


