"""A real moto server on a free loopback port for the local-stack tests, and its clients.

The server lives for the whole session; each test makes its own uniquely named stream,
queue or bucket, so tests never see each other's data.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

import boto3
import pytest
from moto.server import ThreadedMotoServer
from mypy_boto3_kinesis import KinesisClient
from mypy_boto3_s3 import S3Client
from mypy_boto3_sqs import SQSClient

from generator.dev import moto_kinesis
from tests.dev.helpers import unique

REGION = "us-east-1"


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    with pytest.MonkeyPatch.context() as env:
        env.setenv("AWS_ACCESS_KEY_ID", "testing")
        env.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        env.setenv("AWS_DEFAULT_REGION", REGION)
        env.delenv("AWS_PROFILE", raising=False)
        # One log line per request would bury the interesting logs of a failing test.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        moto_kinesis.install()  # as `gen dev` runs it
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
