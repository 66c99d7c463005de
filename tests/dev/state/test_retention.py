"""Memory stays bounded: Kinesis records past retention are trimmed, expired TTL items deleted.

moto keeps both forever; `local_aws.retention` does what Kinesis and DynamoDB do. The sweep is
given a clock a day ahead instead of waiting a day.
"""

from __future__ import annotations

import gc
import time
import weakref
from typing import Any

import boto3
from mypy_boto3_kinesis import KinesisClient

from generator.dev.local_aws.identity import LOCAL_ACCOUNT
from generator.dev.local_aws.moto_server import LocalAws
from generator.dev.local_aws.retention import Retention
from tests.dev.conftest import REGION
from tests.dev.helpers import unique


def _shard_records(stream: str) -> dict[int, Any]:
    from moto.kinesis.models import kinesis_backends

    shards = kinesis_backends[LOCAL_ACCOUNT][REGION].streams[stream].shards
    return dict(next(iter(shards.values())).records)


def test_records_past_retention_are_trimmed_and_numbering_goes_on(
    kinesis: KinesisClient, make_stream: Any, local_aws: LocalAws
) -> None:
    stream = make_stream(1)
    for i in range(50):
        kinesis.put_record(StreamName=stream, Data=b"x" * 500, PartitionKey=f"k{i}")
    dynamodb = boto3.client("dynamodb", endpoint_url=local_aws.endpoint, region_name=REGION)
    retention = Retention(dynamodb, REGION, LOCAL_ACCOUNT)
    assert retention.trim_streams(time.time()) == 0, "nothing is past 24 h yet"
    assert len(_shard_records(stream)) == 50
    assert retention.trim_streams(time.time() + 25 * 3600) == 49
    kept = _shard_records(stream)
    assert list(kept) == [50], "the newest record stays: numbering continues after it"
    answer = kinesis.put_record(StreamName=stream, Data=b"y", PartitionKey="k")
    assert answer["SequenceNumber"] == "51"
    shard = kinesis.list_shards(StreamName=stream)["Shards"][0]["ShardId"]
    iterator = kinesis.get_shard_iterator(StreamName=stream, ShardId=shard,
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    got = kinesis.get_records(ShardIterator=iterator)["Records"]
    assert [r["SequenceNumber"] for r in got] == ["50", "51"]


def test_items_whose_ttl_passed_are_deleted_and_the_others_kept(local_aws: LocalAws) -> None:
    dynamodb: Any = boto3.client("dynamodb", endpoint_url=local_aws.endpoint, region_name=REGION)
    table = unique("idem")
    dynamodb.create_table(TableName=table, BillingMode="PAY_PER_REQUEST",
                          AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                          KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
    dynamodb.update_time_to_live(TableName=table, TimeToLiveSpecification={
        "Enabled": True, "AttributeName": "expiration"})
    now = time.time()
    for i in range(200):
        dynamodb.put_item(TableName=table, Item={"id": {"S": f"old{i}"}, "expiration": {"N": str(int(now) - 10)}})
    dynamodb.put_item(TableName=table, Item={"id": {"S": "fresh"}, "expiration": {"N": str(int(now) + 3600)}})
    dynamodb.put_item(TableName=table, Item={"id": {"S": "forever"}})
    dynamodb.put_item(TableName=table, Item={"id": {"S": "text"}, "expiration": {"S": "0"}})
    retention = Retention(dynamodb, REGION, LOCAL_ACCOUNT)
    assert retention.expire_items(now) == 200
    left = sorted(i["id"]["S"] for i in dynamodb.scan(TableName=table)["Items"])
    assert left == ["forever", "fresh", "text"], "only numbers in the past expire, as in DynamoDB"
    dynamodb.delete_table(TableName=table)


def test_what_a_sweep_removes_is_freed(kinesis: KinesisClient, make_stream: Any, local_aws: LocalAws) -> None:
    """moto lists every model object it creates (for its dashboard): the sweep must let go of
    them too, or nothing trimmed would ever leave memory."""
    stream = make_stream(1)
    for i in range(3):
        kinesis.put_record(StreamName=stream, Data=b"x", PartitionKey=f"k{i}")
    first = weakref.ref(next(iter(_shard_records(stream).values())))
    dynamodb = boto3.client("dynamodb", endpoint_url=local_aws.endpoint, region_name=REGION)
    Retention(dynamodb, REGION, LOCAL_ACCOUNT).sweep(time.time() + 25 * 3600)
    gc.collect()
    assert first() is None, "a trimmed record is freed"
