"""The latency budget of a GET through the emulator: p50 <= 5 ms against a real moto server."""

from __future__ import annotations

import pytest
from apigw_support import Resources, client

from generator.dev.apigw import ApiGateway
from generator.dev.apigw.bench import measure


@pytest.mark.slow
def test_get_p50_is_within_budget(
    gateway: ApiGateway, resources: Resources, moto_endpoint: str
) -> None:
    client("dynamodb", moto_endpoint).put_item(
        TableName=resources.devices, Item={"deviceId": {"S": "bench-t"}, "name": {"S": "b"}}
    )
    latency = measure(gateway, "GET", "/api/devices/bench-t", requests=300, warmup=30)
    assert latency.p50_ms <= 5.0, str(latency)


def test_measure_refuses_unexpected_answers(gateway: ApiGateway) -> None:
    with pytest.raises(RuntimeError, match="answered 403"):
        measure(gateway, "GET", "/api/nowhere", requests=1, warmup=0)
