"""A real moto server on a free loopback port for the local-stack tests, and its clients.

The server is the local stack's own (`LocalAws`: moto behind the Kinesis serialisation, with the
moto patches on or off as ``SPECSTACK_MOTO_PATCHES`` and the moto version decide), reached over
HTTP (boto3's default session is not hooked). It lives for the whole session; each test makes
its own uniquely named stream, queue or bucket, so tests never see each other's data.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

import boto3
import pytest
from mypy_boto3_kinesis import KinesisClient
from mypy_boto3_s3 import S3Client
from mypy_boto3_sqs import SQSClient

from generator.dev.local_aws.moto_server import LocalAws
from tests.dev.helpers import unique

REGION = "us-east-1"


@pytest.fixture(scope="session")
def local_aws() -> Iterator[LocalAws]:
    with pytest.MonkeyPatch.context() as env:
        env.setenv("AWS_ACCESS_KEY_ID", "testing")
        env.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        env.setenv("AWS_DEFAULT_REGION", REGION)
        env.delenv("AWS_PROFILE", raising=False)
        # One log line per request would bury the interesting logs of a failing test.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        aws = LocalAws.start(REGION, hook_boto3=False)  # as `gen dev` starts it
        yield aws
        aws.stop()


@pytest.fixture(scope="session")
def moto_endpoint(local_aws: LocalAws) -> str:
    return local_aws.endpoint


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
