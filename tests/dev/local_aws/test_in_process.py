"""AWS calls answered in process: the same answers as over HTTP, and no socket involved.

One local moto (`LocalAws`, as `gen dev` starts it). The same sequence of calls -- DynamoDB with a
failing condition, Kinesis, S3 with binary objects and a streamed download, SQS -- runs through
a boto3 session that goes over HTTP and through boto3's default session, which `install()`
answers in process; the answers must be the same. Then the HTTP server is stopped and the
in-process clients must keep working (no socket was ever needed).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config

from generator.dev.local_aws.identity import ACCESS_KEY
from generator.dev.local_aws.moto_server import LocalAws


@pytest.fixture(params=["direct-dispatch", "moto-application"])
def aws(request: pytest.FixtureRequest) -> Iterator[LocalAws]:
    """The local AWS with DynamoDB and Kinesis calls sent straight to moto's response classes
    (as with the moto patches on), and through moto's own application (as with them off)."""
    local = LocalAws.start("us-east-1")
    local.in_process.direct_dispatch = request.param == "direct-dispatch"
    yield local
    local.stop()


def _client(session: Any, service: str, endpoint: str) -> Any:
    return session.client(service, endpoint_url=endpoint, region_name="us-east-1",
                          aws_access_key_id=ACCESS_KEY, aws_secret_access_key=ACCESS_KEY,
                          config=Config(retries={"max_attempts": 1}))


def _story(session: Any, endpoint: str) -> list[Any]:
    tag = uuid.uuid4().hex[:8]
    ddb, kinesis, s3, sqs = (_client(session, s, endpoint) for s in ("dynamodb", "kinesis", "s3", "sqs"))
    seen: list[Any] = []
    ddb.create_table(TableName=f"t-{tag}", BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}])
    ddb.put_item(TableName=f"t-{tag}", Item={"k": {"S": "a"}, "n": {"N": "1.50"}, "u": {"S": "é \"q\" \U0001f600"}})
    seen.append(ddb.get_item(TableName=f"t-{tag}", Key={"k": {"S": "a"}})["Item"])
    with pytest.raises(ddb.exceptions.ConditionalCheckFailedException) as failed:
        ddb.put_item(TableName=f"t-{tag}", Item={"k": {"S": "a"}}, ConditionExpression="attribute_not_exists(k)")
    seen.append(failed.value.response["Error"]["Code"])
    kinesis.create_stream(StreamName=f"s-{tag}", ShardCount=1)
    put = kinesis.put_records(StreamName=f"s-{tag}", Records=[{"Data": b"\x00\xffbytes", "PartitionKey": "p"}])
    seen.append([r["SequenceNumber"] for r in put["Records"]])
    s3.create_bucket(Bucket=f"b-{tag}")
    s3.put_object(Bucket=f"b-{tag}", Key="k/one.bin", Body=bytes(range(256)) * 300)
    body = s3.get_object(Bucket=f"b-{tag}", Key="k/one.bin")["Body"]
    seen.append(b"".join(body.iter_chunks(4096)) == bytes(range(256)) * 300)
    seen.append([o["Key"] for o in s3.list_objects_v2(Bucket=f"b-{tag}")["Contents"]])
    with pytest.raises(s3.exceptions.NoSuchKey):
        s3.get_object(Bucket=f"b-{tag}", Key="missing")
    url = sqs.create_queue(QueueName=f"q-{tag}")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="hello ✓")
    seen.append([m["Body"] for m in sqs.receive_message(QueueUrl=url).get("Messages", [])])
    return seen


def test_same_answers_in_process_as_over_http(aws: LocalAws) -> None:
    over_http = _story(boto3.session.Session(), aws.endpoint)  # a session without the hook
    in_process = _story(boto3._get_default_session(), aws.endpoint)
    assert in_process == over_http
    assert over_http[1] == "ConditionalCheckFailedException" and over_http[3] is True


def test_no_socket_is_needed(aws: LocalAws) -> None:
    ddb = _client(boto3._get_default_session(), "dynamodb", aws.endpoint)
    aws._server.stop()  # nobody listens on the endpoint any more
    assert "TableNames" in ddb.list_tables()
    status, _, body = aws.in_process.call("POST", "/", [
        ("X-Amz-Target", "DynamoDB_20120810.ListTables"),
        ("Content-Type", "application/x-amz-json-1.0"),
        ("Authorization", "AWS4-HMAC-SHA256 Credential=testing/20261125/us-east-1/dynamodb/aws4_request, "
                          "SignedHeaders=host, Signature=0")], b"{}")
    assert status == 200 and b"TableNames" in body


def test_other_endpoints_are_left_alone(aws: LocalAws) -> None:
    assert aws.in_process.handles(aws.endpoint + "/")
    assert not aws.in_process.handles(aws.endpoint + "0/")  # another port that starts alike
    assert not aws.in_process.handles("https://dynamodb.us-east-1.amazonaws.com/")
    aws.stop()
    ddb = _client(boto3._get_default_session(), "dynamodb", aws.endpoint)
    with pytest.raises(Exception, match="Could not connect|Connection"):
        ddb.list_tables()  # uninstalled: the request goes to the (closed) socket again


def test_other_processes_calls_with_a_body_take_the_in_process_path(aws: LocalAws) -> None:
    """Over the port (a session without the hook, as another process), calls with a body meet
    the interceptor (`--state` journals them) and DynamoDB's request checks; GETs go straight."""
    seen: list[tuple[str, str]] = []

    def interceptor(call: Any, method: str, target: str, headers: list[tuple[str, str]], body: bytes) -> Any:
        amz = next((v for k, v in headers if k.lower() == "x-amz-target"), "")
        seen.append((method, amz or target.split("?")[0]))
        return call(method, target, headers, body)

    aws.in_process.interceptor = interceptor
    session, tag = boto3.session.Session(), uuid.uuid4().hex[:8]
    ddb, s3 = _client(session, "dynamodb", aws.endpoint), _client(session, "s3", aws.endpoint)
    ddb.create_table(TableName=f"t-{tag}", BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}])
    ddb.put_item(TableName=f"t-{tag}", Item={"k": {"S": "a"}})
    with pytest.raises(ddb.exceptions.ClientError, match="Size of hashkey has exceeded"):
        ddb.get_item(TableName=f"t-{tag}", Key={"k": {"S": "x" * 2049}})  # moto alone answers "no item"
    s3.create_bucket(Bucket=f"b-{tag}")
    s3.put_object(Bucket=f"b-{tag}", Key="k/one.bin", Body=b"\x00\xff" * 1000)
    assert s3.get_object(Bucket=f"b-{tag}", Key="k/one.bin")["Body"].read() == b"\x00\xff" * 1000
    assert ("POST", "DynamoDB_20120810.PutItem") in seen
    assert ("PUT", f"/b-{tag}/k/one.bin") in seen
    assert not [s for s in seen if s[0] in ("GET", "HEAD")]
