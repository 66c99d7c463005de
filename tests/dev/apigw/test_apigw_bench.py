"""The latency budget of a GET through the emulator: p50 <= 5 ms against a real moto server."""

from __future__ import annotations

import pytest

from generator.dev.apigw import ApiGateway
from generator.dev.apigw.bench import measure


def test_measure_refuses_unexpected_answers(gateway: ApiGateway) -> None:
    with pytest.raises(RuntimeError, match="answered 403"):
        measure(gateway, "GET", "/api/nowhere", requests=1, warmup=0)
