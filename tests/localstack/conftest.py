"""ONE running local stack of the reference system for all of tests/localstack, and clients for it.

The stack is `start_stack` on the repository itself (generated/ must be current: the tests fail
with the reason otherwise), on a free loopback port. Tests add state under fresh keys
(`support.unique`); tests that change seeded items put them back (`reseed`); and after every
module the tables are brought back to exactly the seed (`pristine`, autouse), so each module,
whatever ran before it, starts from the seed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from generator.dev.stack import RunningStack, StackError, start_stack
from generator.seeding import load_seed_file
from tests.localstack.support import REPO, Http, aws_client, drain, restore_seed


@pytest.fixture(scope="package")
def stack() -> Iterator[RunningStack]:
    try:
        running = start_stack(REPO, "127.0.0.1", 0, log_level="WARNING")
    except StackError as error:
        pytest.fail(f"the local stack does not start: {error}")
    yield running
    running.stop()


@pytest.fixture(scope="package")
def http(stack: RunningStack) -> Http:
    return Http(stack.url)


@pytest.fixture(scope="package")
def dynamodb(stack: RunningStack) -> Any:
    return aws_client("dynamodb", stack.aws_endpoint, stack.region)


@pytest.fixture(scope="package")
def kinesis(stack: RunningStack) -> Any:
    return aws_client("kinesis", stack.aws_endpoint, stack.region)


@pytest.fixture(scope="package")
def s3(stack: RunningStack) -> Any:
    return aws_client("s3", stack.aws_endpoint, stack.region)


@pytest.fixture(scope="package")
def sqs(stack: RunningStack) -> Any:
    return aws_client("sqs", stack.aws_endpoint, stack.region)


@pytest.fixture
def reseed(stack: RunningStack, dynamodb: Any) -> Iterator[None]:
    """Write the seed back after a test that changes seeded items."""
    yield
    load_seed_file(REPO, stage="local", client=dynamodb)


@pytest.fixture
def quiet(http: Http) -> None:
    """Wait until the pollers have settled what is in the streams (reads then see a still table)."""
    assert drain(http, 20), "the pollers did not settle"


@pytest.fixture(scope="module", autouse=True)
def pristine(request: pytest.FixtureRequest) -> Iterator[None]:
    """After the module: let the pollers settle, then make every table hold exactly the seed."""
    yield
    if "stack" not in request.fixturenames:
        return
    stack: RunningStack = request.getfixturevalue("stack")
    http: Http = request.getfixturevalue("http")
    http.post("/_local/pollers/start")
    drain(http, 30)
    restore_seed(stack, request.getfixturevalue("dynamodb"))
