"""A real moto server on a free loopback port for the local-stack tests, and helpers on it.

The server lives for the whole session; each test makes its own uniquely named stream,
queue or bucket, so tests never see each other's data.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer
from mypy_boto3_kinesis import KinesisClient
from mypy_boto3_s3 import S3Client
from mypy_boto3_sqs import SQSClient

REGION = "us-east-1"


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    with pytest.MonkeyPatch.context() as env:
        env.setenv("AWS_ACCESS_KEY_ID", "testing")
        env.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        env.setenv("AWS_DEFAULT_REGION", REGION)
        env.delenv("AWS_PROFILE", raising=False)
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        yield f"http://{host}:{port}"
        server.stop()


@pytest.fixture(scope="session")
def kinesis(moto_endpoint: str) -> KinesisClient:
    return boto3.client("kinesis", endpoint_url=moto_endpoint, region_name=REGION)


@pytest.fixture(scope="session")
def sqs(moto_endpoint: str) -> SQSClient:
    return boto3.client("sqs", endpoint_url=moto_endpoint, region_name=REGION)


@pytest.fixture(scope="session")
def s3(moto_endpoint: str) -> S3Client:
    return boto3.client("s3", endpoint_url=moto_endpoint, region_name=REGION)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def make_stream(kinesis: KinesisClient) -> Iterator[Callable[[int], str]]:
    created: list[str] = []

    def make(shards: int = 1) -> str:
        name = unique("stream")
        kinesis.create_stream(StreamName=name, ShardCount=shards)
        kinesis.get_waiter("stream_exists").wait(
            StreamName=name, WaiterConfig={"Delay": 0, "MaxAttempts": 20}
        )
        created.append(name)
        return name

    yield make
    for name in created:
        kinesis.delete_stream(StreamName=name, EnforceConsumerDeletion=True)


@pytest.fixture
def make_queue(sqs: SQSClient) -> Callable[[], str]:
    def make() -> str:
        return sqs.create_queue(QueueName=unique("dlq"))["QueueUrl"]

    return make


def cloud_event(subject: str, seq: int, type_: str = "reading.recorded") -> dict[str, Any]:
    return {
        "specversion": "1.0",
        "id": f"{subject}-{seq}",
        "source": "test",
        "type": type_,
        "time": "2024-05-01T12:00:00Z",
        "subject": subject,
        "data": {"deviceId": subject, "n": seq},
    }


def put_events(kinesis: KinesisClient, stream: str, events: list[dict[str, Any]]) -> list[str]:
    """PutRecords in chunks of 500, partition key = subject; returns the sequence numbers."""
    sequence_numbers: list[str] = []
    for start in range(0, len(events), 500):
        chunk = events[start : start + 500]
        answer = kinesis.put_records(
            StreamName=stream,
            Records=[
                {"Data": json.dumps(e).encode(), "PartitionKey": e["subject"]} for e in chunk
            ],
        )
        assert answer["FailedRecordCount"] == 0
        sequence_numbers.extend(r["SequenceNumber"] for r in answer["Records"])
    return sequence_numbers


def drain_queue(sqs: SQSClient, url: str) -> list[dict[str, Any]]:
    """Every message body currently in the queue, parsed, in receive order."""
    bodies: list[dict[str, Any]] = []
    while True:
        answer = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
        messages = answer.get("Messages", [])
        if not messages:
            return bodies
        for message in messages:
            bodies.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
