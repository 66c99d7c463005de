"""moto's DynamoDB table patches, each compared with plain moto: Query reads one partition
(`dynamodb_partition_query`), a transaction copies items, not tables
(`dynamodb_transaction_copies`), an item is measured once (`dynamodb_item_size`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto.dynamodb.models import table as tables

from generator.dev.local_aws.patches import dynamodb_item_size as item_size
from generator.dev.local_aws.patches import dynamodb_partition_query as partition_query
from generator.dev.local_aws.patches import dynamodb_transaction_copies as transaction_copies
from tests.dev.helpers import unique


@pytest.fixture(scope="module")
def dynamodb(moto_endpoint: str) -> Any:
    return boto3.client("dynamodb", endpoint_url=moto_endpoint, region_name="us-east-1")


@pytest.fixture
def patched() -> Iterator[None]:
    partition_query.install()
    yield
    partition_query.uninstall()


@pytest.fixture(scope="module")
def readings(dynamodb: Any) -> str:
    """Readings of 30 devices, 40 each, with an index on site; written in a scrambled order."""
    name = unique("readings")
    dynamodb.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a in ("deviceId", "time", "siteId")],
        KeySchema=[{"AttributeName": "deviceId", "KeyType": "HASH"}, {"AttributeName": "time", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[{"IndexName": "bySite", "Projection": {"ProjectionType": "ALL"},
                                 "KeySchema": [{"AttributeName": "siteId", "KeyType": "HASH"}]}])
    for n in sorted(range(1200), key=lambda n: (n * 7919) % 1200):
        dynamodb.put_item(TableName=name, Item={
            "deviceId": {"S": f"d{n % 30:02d}"}, "time": {"S": f"2026-11-24T{n // 30:02d}:00:00Z"},
            "siteId": {"S": f"s{n % 3}"}, "value": {"N": str(n)}})
    return name


QUERIES: list[dict[str, Any]] = [
    {"KeyConditionExpression": "deviceId = :d", "ExpressionAttributeValues": {":d": {"S": "d07"}}},
    {"KeyConditionExpression": "deviceId = :d", "ExpressionAttributeValues": {":d": {"S": "d07"}},
     "ScanIndexForward": False, "Limit": 5},
    {"KeyConditionExpression": "deviceId = :d AND #t BETWEEN :a AND :b", "ExpressionAttributeNames": {"#t": "time"},
     "ExpressionAttributeValues": {":d": {"S": "d29"}, ":a": {"S": "2026-11-24T10"}, ":b": {"S": "2026-11-24T20"}}},
    {"KeyConditionExpression": "deviceId = :d AND #t >= :a", "ExpressionAttributeNames": {"#t": "time"},
     "ExpressionAttributeValues": {":d": {"S": "d00"}, ":a": {"S": "2026-11-24T30"}}, "Limit": 3,
     "ExclusiveStartKey": {"deviceId": {"S": "d00"}, "time": {"S": "2026-11-24T31:00:00Z"}}},
    {"KeyConditionExpression": "deviceId = :d", "FilterExpression": "#v > :v",
     "ExpressionAttributeNames": {"#v": "value"},
     "ExpressionAttributeValues": {":d": {"S": "d03"}, ":v": {"N": "600"}}},
    {"KeyConditionExpression": "deviceId = :d", "ExpressionAttributeValues": {":d": {"S": "nobody"}}},
    {"IndexName": "bySite", "KeyConditionExpression": "siteId = :s",
     "ExpressionAttributeValues": {":s": {"S": "s1"}}, "Limit": 7},
]


def _answer(dynamodb: Any, table: str, query: dict[str, Any]) -> Any:
    answer = dynamodb.query(TableName=table, **query)
    return {k: answer.get(k) for k in ("Items", "Count", "ScannedCount", "LastEvaluatedKey")}


@pytest.mark.parametrize("query", QUERIES, ids=range(len(QUERIES)))
def test_answers_are_moto_s_own(dynamodb: Any, readings: str, query: dict[str, Any]) -> None:
    partition_query.uninstall()
    unpatched = _answer(dynamodb, readings, query)
    partition_query.install()
    assert _answer(dynamodb, readings, query) == unpatched


def test_a_partition_query_does_not_read_the_table(
    dynamodb: Any, readings: str, patched: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole_table_reads = []
    original = partition_query._originals["all_items"]

    def spy(table: Any) -> Any:
        whole_table_reads.append(table.name)
        return original(table)

    monkeypatch.setitem(partition_query._originals, "all_items", spy)
    dynamodb.query(TableName=readings, KeyConditionExpression="deviceId = :d",
                   ExpressionAttributeValues={":d": {"S": "d11"}})
    assert whole_table_reads == []
    dynamodb.query(TableName=readings, IndexName="bySite", KeyConditionExpression="siteId = :s",
                   ExpressionAttributeValues={":s": {"S": "s2"}})
    assert whole_table_reads == [readings], "index queries keep moto's own path"
    assert tables.Table.all_items is not original


def test_install_is_idempotent_and_uninstall_restores() -> None:
    partition_query.uninstall()
    original = tables.Table.query
    partition_query.install()
    patched_query = tables.Table.query
    partition_query.install()
    assert tables.Table.query is patched_query is not original
    partition_query.uninstall()
    assert tables.Table.query is original


def _claim(dynamodb: Any, name: str, keys: str) -> Any:
    try:
        dynamodb.transact_write_items(TransactItems=[{"Put": {
            "TableName": name, "Item": {"id": {"S": k}, "status": {"S": "NEW"}},
            "ConditionExpression": "attribute_not_exists(#id) OR #s = :x",
            "ExpressionAttributeNames": {"#id": "id", "#s": "status"},
            "ExpressionAttributeValues": {":x": {"S": "X"}},
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}} for k in keys])
    except dynamodb.exceptions.TransactionCanceledException as exc:
        return exc.response["CancellationReasons"]
    return None


@pytest.mark.parametrize("patch", [False, True])
def test_a_cancelled_transaction_rolls_back_as_moto_does(dynamodb: Any, patch: bool) -> None:
    name = unique("ledger")
    dynamodb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                          AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                          KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
    for key, status in (("a", "X"), ("b", "DONE")):
        dynamodb.put_item(TableName=name, Item={"id": {"S": key}, "status": {"S": status}})
    (transaction_copies.install if patch else transaction_copies.uninstall)()
    try:
        reasons = _claim(dynamodb, name, "abc")  # a passes (and is rolled back), b fails, c new
        assert [r["Code"] for r in reasons] == ["None", "ConditionalCheckFailed", "None"]
        assert reasons[1]["Item"] == {"id": {"S": "b"}, "status": {"S": "DONE"}}
        items = dynamodb.scan(TableName=name)["Items"]
        assert sorted((i["id"]["S"], i["status"]["S"]) for i in items) == [("a", "X"), ("b", "DONE")]
        assert _claim(dynamodb, name, "acd") is None
        items = dynamodb.scan(TableName=name)["Items"]
        assert sorted(i["id"]["S"] for i in items if i["status"]["S"] == "NEW") == ["a", "c", "d"]
    finally:
        transaction_copies.uninstall()


@pytest.mark.parametrize("patch", [False, True])
def test_a_transaction_copies_no_table(
    dynamodb: Any, patch: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = unique("copies")
    dynamodb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                          AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                          KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
    copied: list[str] = []

    def spy(table: Any, memo: Any) -> Any:
        copied.append(table.name)
        return table  # whatever moto does with the copy, the test only counts

    monkeypatch.setattr(tables.Table, "__deepcopy__", spy, raising=False)
    (transaction_copies.install if patch else transaction_copies.uninstall)()
    assert _claim(dynamodb, name, "xyz") is None
    assert copied == ([] if patch else [name] * 3)  # plain moto: one copy per item


def _sized_items() -> list[dict[str, Any]]:
    """Items around moto's size limit (405,000 bytes of names and values), and ordinary ones."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    base = {"pk": {"S": "k0"}, "n": {"N": "1.50"}, "m": {"M": {"a": {"L": [{"S": "é"}, {"NULL": True}]}}}}
    room = 405_000 - sum(len(k) + DynamoType(v).size() for k, v in base.items()) - len("big")
    return [base,
            {**base, "big": {"S": "x" * room}},  # exactly at the limit
            {**base, "big": {"S": "x" * (room + 1)}},  # one byte over
            {**base, "big": {"S": "é" * 300_000}},  # over through multi-byte characters
            {**base, "a1": {"S": "x" * 200_000}, "a2": {"S": "x" * 205_000}}]  # over only in sum


def _put_all(dynamodb: Any, table: str) -> list[Any]:
    outcomes: list[Any] = []
    for n, item in enumerate(_sized_items()):
        item = {**item, "pk": {"S": f"k{n}"}}
        try:
            dynamodb.put_item(TableName=table, Item=item)
            stored = dynamodb.get_item(TableName=table, Key={"pk": item["pk"]}, ConsistentRead=True)["Item"]
            outcomes.append(("stored", stored == item))
        except dynamodb.exceptions.ClientError as error:
            outcomes.append((error.response["Error"]["Code"], error.response["Error"]["Message"]))
    return outcomes


def test_items_are_measured_once_with_moto_s_verdicts(dynamodb: Any) -> None:
    def table() -> str:
        name = unique("sized")
        dynamodb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                              AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                              KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
        return name

    item_size.uninstall()
    stock = _put_all(dynamodb, table())
    item_size.install()
    try:
        ours = _put_all(dynamodb, table())
    finally:
        item_size.uninstall()
    assert ours == stock
    assert [o[0] for o in stock] == ["stored", "stored", "ValidationException", "ValidationException",
                                     "ValidationException"]
