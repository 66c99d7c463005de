"""Report p50/p99 of a GetItem GET through the emulator against a real moto server.

Run: .venv/bin/python tests/dev/apigw/bench_apigw_get.py [requests]
(Not collected by pytest; test_apigw_bench.py runs a short version as a slow test.)
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from apigw_support import client, create_resources, make_gateway, moto_server  # noqa: E402

from generator.dev.apigw.bench import Latency, measure  # noqa: E402


def run(requests: int = 1000) -> Latency:
    with moto_server() as endpoint:
        resources = create_resources(endpoint)
        client("dynamodb", endpoint).put_item(
            TableName=resources.devices,
            Item={
                "deviceId": {"S": "bench-1"},
                "name": {"S": "bench"},
                "tags": {"M": {"a": {"S": "b"}}},
            },
        )
        gateway = make_gateway(endpoint, resources)
        try:
            return measure(gateway, "GET", "/api/devices/bench-1", requests=requests)
        finally:
            gateway.close()


if __name__ == "__main__":
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    print(
        "GET /api/devices/{deviceId} through the emulator:",
        run(int(sys.argv[1]) if len(sys.argv) > 1 else 1000),
    )
