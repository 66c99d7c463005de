"""DynamoDB answers what DynamoDB answers, in `gen dev`'s own call path (`dynamodb_validation`).

Each rule is checked through a boto3 client (the handlers' path) and, for what the generated
API sends, through the API Gateway emulator running the reference system's definition: a key
over DynamoDB's size limits or a reversed BETWEEN range is a 400 ValidationException, which the
generated error template turns into a 400 -- not the 404 or the empty page moto alone gives.
Messages are DynamoDB's, as the dynalite test suite asserts them against live DynamoDB.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from generator.dev.local_aws import dynamodb_validation
from generator.dev.apigw import ApiGateway
from tests.fidelity.local import REGION, InProcessMoto
from tests.vtl.support import REPO, case_files, case_ir

INVALID = "One or more parameter values were invalid: "
HASH_TOO_BIG = INVALID + "Size of hashkey has exceeded the maximum size limit of2048 bytes"
RANGE_TOO_BIG = (
    INVALID + "Aggregated size of all range keys has exceeded the size limit of 1024 bytes"
)


@pytest.fixture(scope="module")
def moto() -> InProcessMoto:
    return InProcessMoto()


@pytest.fixture(scope="module")
def tables(moto: InProcessMoto) -> dict[str, str]:
    dynamodb = moto.client("dynamodb")
    names = {
        "hash": f"parity-h-{uuid.uuid4().hex[:8]}",
        "range": f"parity-r-{uuid.uuid4().hex[:8]}",
    }
    dynamodb.create_table(
        TableName=names["hash"],
        KeySchema=[{"AttributeName": "a", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "a", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    dynamodb.create_table(
        TableName=names["range"],
        KeySchema=[
            {"AttributeName": "a", "KeyType": "HASH"},
            {"AttributeName": "b", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "a", "AttributeType": "S"},
            {"AttributeName": "b", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    return names


def rejected(call: Any, **params: Any) -> tuple[int, str, str]:
    with pytest.raises(ClientError) as caught:
        call(**params)
    response = caught.value.response
    return (
        response["ResponseMetadata"]["HTTPStatusCode"],
        response["Error"]["Code"],
        response["Error"]["Message"],
    )


def test_partition_key_over_2048_bytes(moto: InProcessMoto, tables: dict[str, str]) -> None:
    dynamodb = moto.client("dynamodb")
    big = {"a": {"S": "x" * 2049}}
    for call, params in (
        (dynamodb.get_item, {"TableName": tables["hash"], "Key": big}),
        (dynamodb.delete_item, {"TableName": tables["hash"], "Key": big}),
        (dynamodb.put_item, {"TableName": tables["hash"], "Item": big}),
        (dynamodb.batch_get_item, {"RequestItems": {tables["hash"]: {"Keys": [big]}}}),
    ):
        assert rejected(call, **params) == (400, "ValidationException", HASH_TOO_BIG)
    # the limit counts UTF-8 bytes: 1,025 two-byte characters are over it
    assert (
        rejected(dynamodb.get_item, TableName=tables["hash"], Key={"a": {"S": "é" * 1025}})[2]
        == HASH_TOO_BIG
    )
    # at the limit the request is fine (the item is simply not there)
    assert "Item" not in dynamodb.get_item(TableName=tables["hash"], Key={"a": {"S": "x" * 2048}})


def test_sort_key_over_1024_bytes(moto: InProcessMoto, tables: dict[str, str]) -> None:
    dynamodb = moto.client("dynamodb")
    key = {"a": {"S": "k"}, "b": {"S": "y" * 1025}}
    assert rejected(dynamodb.get_item, TableName=tables["range"], Key=key) == (
        400,
        "ValidationException",
        RANGE_TOO_BIG,
    )
    assert rejected(dynamodb.put_item, TableName=tables["range"], Item=key)[2] == RANGE_TOO_BIG
    at_limit = {"a": {"S": "k"}, "b": {"S": "y" * 1024}}
    assert "Item" not in dynamodb.get_item(TableName=tables["range"], Key=at_limit)


def test_empty_key_values_with_each_operations_wording(
    moto: InProcessMoto, tables: dict[str, str]
) -> None:
    dynamodb = moto.client("dynamodb")
    empty = {"a": {"S": ""}}
    suffix = "The AttributeValue for a key attribute cannot contain an empty string value. Key: a"
    assert rejected(dynamodb.get_item, TableName=tables["hash"], Key=empty) == (
        400,
        "ValidationException",
        INVALID + suffix,
    )
    assert rejected(dynamodb.put_item, TableName=tables["hash"], Item=empty) == (
        400,
        "ValidationException",
        "One or more parameter values are not valid. " + suffix,
    )


def test_between_with_the_lower_bound_above_the_upper(
    moto: InProcessMoto, tables: dict[str, str]
) -> None:
    dynamodb = moto.client("dynamodb")
    query = {
        "TableName": tables["range"],
        "KeyConditionExpression": "#a = :a AND #b BETWEEN :low AND :high",
        "ExpressionAttributeNames": {"#a": "a", "#b": "b"},
    }
    values = {":a": {"S": "k"}, ":low": {"S": "b"}, ":high": {"S": "a"}}
    assert rejected(dynamodb.query, **query, ExpressionAttributeValues=values) == (
        400,
        "ValidationException",
        "Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater "
        "than or equal to lower bound; lower bound operand: AttributeValue: {S:b}, upper bound "
        "operand: AttributeValue: {S:a}",
    )
    # strings compare by their bytes: "10" < "9", so this range is in order
    ordered = {":a": {"S": "k"}, ":low": {"S": "10"}, ":high": {"S": "9"}}
    assert dynamodb.query(**query, ExpressionAttributeValues=ordered)["Items"] == []
    equal = {":a": {"S": "k"}, ":low": {"S": "a"}, ":high": {"S": "a"}}
    assert dynamodb.query(**query, ExpressionAttributeValues=equal)["Items"] == []


def test_reversed_numeric_between_compares_values() -> None:
    request = {
        "TableName": "t",
        "KeyConditionExpression": "k = :k AND n BETWEEN :low AND :high",
        "ExpressionAttributeValues": {":k": {"S": "x"}, ":low": {"N": "10"}, ":high": {"N": "9"}},
    }
    answer = dynamodb_validation.check(
        [("X-Amz-Target", "DynamoDB_20120810.Query")], json.dumps(request).encode()
    )
    assert answer is not None and answer[0] == 400
    body = json.loads(answer[2])
    assert body["__type"] == "com.amazon.coral.validate#ValidationException"
    assert "lower bound operand: AttributeValue: {N:10}" in body["message"]


def test_expressions_over_4_kb(moto: InProcessMoto, tables: dict[str, str]) -> None:
    dynamodb = moto.client("dynamodb")
    filter_expression = "attribute_exists(#x)" + " " * 4100
    status, code, message = rejected(
        dynamodb.scan,
        TableName=tables["hash"],
        FilterExpression=filter_expression,
        ExpressionAttributeNames={"#x": "x"},
    )
    assert (status, code) == (400, "ValidationException")
    assert message == (
        "Invalid FilterExpression: Expression size has exceeded the maximum allowed size; "
        f"expression size: {len(filter_expression)}"
    )


def test_item_size_is_moto_own_check_with_dynamodbs_message(
    moto: InProcessMoto, tables: dict[str, str]
) -> None:
    dynamodb = moto.client("dynamodb")
    big = {"a": {"S": "k"}, "z": {"S": "x" * 409600}}
    assert rejected(dynamodb.put_item, TableName=tables["hash"], Item=big) == (
        400,
        "ValidationException",
        "Item size has exceeded the maximum allowed size",
    )
    assert (
        rejected(
            dynamodb.update_item,
            TableName=tables["hash"],
            Key={"a": {"S": "k2"}},
            UpdateExpression="SET z = :z",
            ExpressionAttributeValues={":z": {"S": "x" * 409600}},
        )[2]
        == "Item size to update has exceeded the maximum allowed size"
    )


def test_other_services_and_unreadable_requests_are_left_to_moto() -> None:
    assert (
        dynamodb_validation.check([("X-Amz-Target", "Kinesis_20131202.PutRecords")], b"{}") is None
    )
    assert (
        dynamodb_validation.check([("X-Amz-Target", "DynamoDB_20120810.GetItem")], b"not json")
        is None
    )
    unknown = {"TableName": "no-such-table", "Key": {"a": {"S": "x" * 5000}}}
    target = [("X-Amz-Target", "DynamoDB_20120810.GetItem")]
    assert dynamodb_validation.check(target, json.dumps(unknown).encode()) is None


# --- through the emulator, with the reference system's generated API ------------------------


@pytest.fixture(scope="module")
def reference_api(moto: InProcessMoto) -> Iterator[ApiGateway]:
    ir = case_ir(REPO)
    dynamodb = moto.client("dynamodb")
    suffix = uuid.uuid4().hex[:8]
    stage: dict[str, str] = {}
    for table in ir.tables:
        stage[f"table_{table.name}"] = f"{table.name}-{suffix}"
        keys = [table.partition_key] + ([table.sort_key] if table.sort_key else [])
        dynamodb.create_table(
            TableName=stage[f"table_{table.name}"],
            BillingMode="PAY_PER_REQUEST",
            KeySchema=[
                {"AttributeName": k.name, "KeyType": "HASH" if i == 0 else "RANGE"}
                for i, k in enumerate(keys)
            ],
            AttributeDefinitions=[{"AttributeName": k.name, "AttributeType": "S"} for k in keys],
        )
    for stream in ir.streams:
        stage[f"stream_{stream.name}"] = f"{stream.name}-{suffix}"
    document = json.loads(case_files(REPO)["generated/api/openapi.json"])
    variables = {
        f"role_{op.operation_id}": "arn:aws:iam::123456789012:role/api" for op in ir.operations
    }
    variables["user_pool_arn"] = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/local"
    api = ApiGateway(
        document, variables, stage, "http://127.0.0.1:9", REGION, service_transport=moto.call
    )
    yield api
    api.close()


def get(api: ApiGateway, path: str, query: dict[str, str] | None = None) -> tuple[int, Any]:
    response = api.handle("GET", "/api" + path, {k: [v] for k, v in (query or {}).items()}, {}, b"")
    return response.status, json.loads(response.body)


def test_api_get_item_with_an_oversized_key_is_400_not_404(reference_api: ApiGateway) -> None:
    status, body = get(reference_api, "/devices/" + "d" * 2049)
    assert status == 400, body
    assert get(reference_api, "/devices/" + "d" * 2048)[0] == 404


def test_api_reading_range_with_since_after_until_is_400_not_an_empty_page(
    reference_api: ApiGateway,
) -> None:
    status, body = get(
        reference_api,
        "/devices/d-1/readings",
        {"since": "2026-02-01T00:00:00Z", "until": "2026-01-01T00:00:00Z"},
    )
    assert status == 400, body
    ordered = get(
        reference_api,
        "/devices/d-1/readings",
        {"since": "2026-01-01T00:00:00Z", "until": "2026-02-01T00:00:00Z"},
    )
    assert ordered == (200, {"items": [], "next": None})
