"""Fixtures of the API Gateway emulator tests: one real moto server for the whole session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from apigw_support import Caller, Resources, create_resources, make_gateway, moto_server

from generator.dev.apigw import ApiGateway


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    with moto_server() as endpoint:
        yield endpoint


@pytest.fixture(scope="session")
def resources(moto_endpoint: str) -> Resources:
    return create_resources(moto_endpoint)


@pytest.fixture(scope="session")
def gateway(moto_endpoint: str, resources: Resources) -> Iterator[ApiGateway]:
    api = make_gateway(moto_endpoint, resources)
    yield api
    api.close()


@pytest.fixture
def call(gateway: ApiGateway) -> Caller:
    return Caller(gateway)
