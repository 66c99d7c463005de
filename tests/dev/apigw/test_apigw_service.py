"""The service call against a real moto server: protocols, regions, and AWS's answers to errors."""

from __future__ import annotations

import base64
import json
import socket

import pytest
from apigw_support import REGION, Resources, client

from generator.dev.apigw.definition import DefinitionError, ServiceAction
from generator.dev.apigw.service import IntegrationFailure, ServiceClient, check_supported


@pytest.fixture(scope="module")
def service(moto_endpoint: str) -> ServiceClient:
    return ServiceClient(moto_endpoint)


def test_dynamodb_json_protocol(service: ServiceClient, resources: Resources) -> None:
    put = ServiceAction(REGION, "dynamodb", "PutItem")
    item = {"deviceId": {"S": "svc-1"}, "name": {"S": "pump"}}
    answer = service.call(put, json.dumps({"TableName": resources.devices, "Item": item}))
    assert answer.status == 200
    get = ServiceAction(REGION, "dynamodb", "GetItem")
    answer = service.call(
        get, json.dumps({"TableName": resources.devices, "Key": {"deviceId": {"S": "svc-1"}}})
    )
    assert answer.status == 200
    assert json.loads(answer.body)["Item"] == item


def test_region_of_the_uri_selects_the_region(service: ServiceClient, resources: Resources) -> None:
    other_region = ServiceAction("us-east-2", "dynamodb", "GetItem")
    answer = service.call(
        other_region, json.dumps({"TableName": resources.devices, "Key": {"deviceId": {"S": "x"}}})
    )
    assert answer.status == 400
    assert "ResourceNotFoundException" in json.loads(answer.body)["__type"]


def test_kinesis_json_protocol(
    service: ServiceClient, resources: Resources, moto_endpoint: str
) -> None:
    action = ServiceAction(REGION, "kinesis", "PutRecords")
    payload = {
        "StreamName": resources.stream,
        "Records": [{"Data": base64.b64encode(b'{"n":1}').decode(), "PartitionKey": "svc-k"}],
    }
    answer = service.call(action, json.dumps(payload))
    assert answer.status == 200
    result = json.loads(answer.body)
    assert result["FailedRecordCount"] == 0
    kinesis = client("kinesis", moto_endpoint)
    shard = result["Records"][0]["ShardId"]
    iterator = kinesis.get_shard_iterator(
        StreamName=resources.stream,
        ShardId=shard,
        ShardIteratorType="AT_SEQUENCE_NUMBER",
        StartingSequenceNumber=result["Records"][0]["SequenceNumber"],
    )["ShardIterator"]
    records = kinesis.get_records(ShardIterator=iterator)["Records"]
    assert records[0]["Data"] == b'{"n":1}'
    assert records[0]["PartitionKey"] == "svc-k"


@pytest.mark.parametrize("service_name", ["dynamodb", "kinesis"])
def test_a_body_that_is_not_json_gets_awss_serialization_exception(
    service: ServiceClient, service_name: str
) -> None:
    answer = service.call(ServiceAction(REGION, service_name, "GetItem"), '{"TableName": "a"b"}')
    assert answer.status == 400
    assert json.loads(answer.body)["__type"].endswith("SerializationException")


def test_service_errors_come_back_as_aws_sends_them(service: ServiceClient) -> None:
    answer = service.call(
        ServiceAction(REGION, "dynamodb", "GetItem"),
        json.dumps({"TableName": "no-such-table", "Key": {"k": {"S": "x"}}}),
    )
    assert answer.status == 400
    assert json.loads(answer.body)["__type"].endswith("ResourceNotFoundException")


def test_unreachable_endpoint_is_an_integration_failure() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    dead = ServiceClient(f"http://127.0.0.1:{port}")
    with pytest.raises(IntegrationFailure):
        dead.call(ServiceAction(REGION, "dynamodb", "GetItem"), "{}")


def test_unsupported_service_is_a_definition_error() -> None:
    with pytest.raises(DefinitionError, match="'s3' is not supported locally"):
        check_supported(ServiceAction(REGION, "s3", "GetObject"))
