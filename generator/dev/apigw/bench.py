"""Micro-benchmark of one request through the emulator (routing, templates, the service call).

Contract: `measure(gateway, method, path, requests=..., warmup=...)` calls `gateway.handle`
`warmup + requests` times, checks every answer has the expected status, and returns the latency
percentiles of the measured calls in milliseconds. It is a helper for humans and CI reports, not
a test: tests/dev/apigw/bench_apigw_get.py runs it against a real moto server.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from generator.dev.apigw.gateway import ApiGateway


@dataclass(frozen=True)
class Latency:
    requests: int
    p50_ms: float
    p99_ms: float
    mean_ms: float

    def __str__(self) -> str:
        return (
            f"{self.requests} requests: p50 {self.p50_ms:.2f} ms, p99 {self.p99_ms:.2f} ms, "
            f"mean {self.mean_ms:.2f} ms"
        )


def measure(
    gateway: ApiGateway,
    method: str,
    path: str,
    *,
    query: Mapping[str, Sequence[str]] | None = None,
    headers: Mapping[str, str] | None = None,
    body: bytes = b"",
    expect_status: int = 200,
    requests: int = 500,
    warmup: int = 50,
) -> Latency:
    if requests < 1:
        raise ValueError("requests must be at least 1")
    samples: list[float] = []
    for index in range(warmup + requests):
        started = time.perf_counter()
        response = gateway.handle(method, path, query or {}, headers or {}, body)
        elapsed = time.perf_counter() - started
        if response.status != expect_status:
            raise RuntimeError(
                f"{method} {path} answered {response.status}, not {expect_status}: {response.body[:200]!r}"
            )
        if index >= warmup:
            samples.append(elapsed * 1000)
    samples.sort()
    return Latency(
        requests=requests,
        p50_ms=statistics.median(samples),
        p99_ms=samples[min(len(samples) - 1, int(len(samples) * 0.99))],
        mean_ms=statistics.fmean(samples),
    )
