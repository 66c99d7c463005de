"""Fixtures for the generated runtime: the reference package on sys.path, moto tables built from
the spec's IR, Kinesis/EventBridge event builders and a Lambda context stand-in.

Everything runs in-process: `moto.mock_aws` patches botocore, so no server and no network.
"""

from __future__ import annotations

import base64
import json
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
PYTHON = ROOT / "generated" / "python"
REGION = "us-east-1"

for path in (str(PYTHON), str(ROOT)):
    if path not in sys.path:
        sys.path.insert(0, path)


@dataclass
class FakeLambdaContext:
    """The attributes Powertools and the runners read from the Lambda context object."""

    function_name: str = "fleet-test-fn"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:fleet-test-fn"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    remaining_ms: int = 30_000

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


@pytest.fixture(scope="session")
def ir() -> Any:
    from generator import pipeline

    result, diags = pipeline.validate(ROOT)
    assert result is not None, [d.render() for d in diags]
    return result


def _create_table(client: Any, name: str, table: Any) -> None:
    attrs = [{"AttributeName": a.name, "AttributeType": a.type} for a in table.attribute_types]
    key = [{"AttributeName": table.partition_key.name, "KeyType": "HASH"}]
    if table.sort_key:
        key.append({"AttributeName": table.sort_key.name, "KeyType": "RANGE"})
    request: dict[str, Any] = {"TableName": name, "AttributeDefinitions": attrs, "KeySchema": key,
                               "BillingMode": "PAY_PER_REQUEST"}
    indexes = []
    for index in table.indexes:
        ikey = [{"AttributeName": index.partition_key.name, "KeyType": "HASH"}]
        if index.sort_key:
            ikey.append({"AttributeName": index.sort_key.name, "KeyType": "RANGE"})
        projection = "ALL" if index.projection == "all" else "KEYS_ONLY"
        indexes.append({"IndexName": index.name, "KeySchema": ikey, "Projection": {"ProjectionType": projection}})
    if indexes:
        request["GlobalSecondaryIndexes"] = indexes
    client.create_table(**request)


@pytest.fixture
def aws(ir: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """moto with every table of the spec plus the idempotency table; env vars as in Lambda.

    Tables get a fresh prefix per test and moto's state is neither reset on entry nor wiped on
    exit: other suites in the same process (the local stack's moto server) keep theirs.
    """
    from moto import mock_aws

    from fleet.runtime import aws as runtime_aws
    from fleet.runtime import observe

    prefix = f"rt-{uuid.uuid4().hex[:10]}"
    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                       "AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION,
                       "IDEMPOTENCY_TABLE": f"{prefix}-idempotency",
                       "POWERTOOLS_SERVICE_NAME": "fleet", "POWERTOOLS_METRICS_NAMESPACE": "fleet",
                       "AWS_LAMBDA_FUNCTION_NAME": "fleet-test-fn"}.items():
        monkeypatch.setenv(key, value)
    for key in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "POWERTOOLS_IDEMPOTENCY_DISABLED",
                "POWERTOOLS_METRICS_DISABLED", "LOG_LEVEL"):
        monkeypatch.delenv(key, raising=False)
    mock = mock_aws()
    mock.start(reset=False)
    names = [f"{prefix}-idempotency"]
    try:
        import boto3

        client = boto3.client("dynamodb", region_name=REGION)
        for table in ir.tables:
            name = f"{prefix}-{table.name}"
            _create_table(client, name, table)
            names.append(name)
            monkeypatch.setenv(f"TABLE_{table.ident.upper()}", name)
        client.create_table(TableName=f"{prefix}-idempotency", BillingMode="PAY_PER_REQUEST",
                            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
        runtime_aws.reset()
        observe._cache.clear()  # telemetry built by another suite in this process is not ours
        _reset_runners()
        yield client
        for name in names:
            client.delete_table(TableName=name)
    finally:
        runtime_aws.reset()
        _reset_runners()
        mock.stop(remove_data=False)


def _reset_runners() -> None:
    import importlib

    for name in ("apply_readings", "register_devices", "mark_offline"):
        module = importlib.import_module(f"fleet.entry.{name}")
        module.RUNNER.reset()


def encode(data: Any) -> str:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return base64.b64encode(raw).decode()


class Stream:
    """Builds Kinesis event-source-mapping events with increasing sequence numbers."""

    def __init__(self) -> None:
        self.seq = 49_000_000_000_000_000_000_000_000

    def record(self, payload: Any, partition_key: str) -> dict[str, Any]:
        self.seq += 1
        return {
            "kinesis": {"kinesisSchemaVersion": "1.0", "partitionKey": partition_key,
                        "sequenceNumber": str(self.seq), "data": encode(payload),
                        "approximateArrivalTimestamp": 1_700_000_000.0},
            "eventSource": "aws:kinesis", "eventVersion": "1.0", "eventID": f"shardId-000:{self.seq}",
            "eventName": "aws:kinesis:record", "awsRegion": REGION,
            "eventSourceARN": f"arn:aws:kinesis:{REGION}:123456789012:stream/fleet-test-telemetry",
        }

    def event(self, *records: dict[str, Any]) -> dict[str, Any]:
        return {"Records": list(records)}


def cloud_event(type_: str, data: dict[str, Any], *, id: str | None = None,
                subject: str | None = None, time: str | None = "2026-11-24T15:00:00Z") -> dict[str, Any]:
    event = {"specversion": "1.0", "id": id or str(uuid.uuid4()), "source": "tests", "type": type_,
             "subject": subject if subject is not None else data["deviceId"], "data": data}
    if time is not None:
        event["time"] = time
    return event


def reading(device: str, time: str, temperature: Any = 21.5, battery: int = 90,
            humidity: Any = 40, **kw: Any) -> dict[str, Any]:
    data = {"deviceId": device, "time": time, "temperature": temperature, "battery": battery,
            "humidity": humidity}
    return cloud_event("reading.recorded", data, **kw)


def heartbeat(device: str, time: str, firmware: str | None = None, **kw: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"deviceId": device, "time": time}
    if firmware is not None:
        data["firmware"] = firmware
    return cloud_event("device.heartbeat", data, **kw)


def registered(device: str, site: str, name: str = "Cold room", model: str = "TH-200",
               **extra: Any) -> dict[str, Any]:
    kw = {k: extra.pop(k) for k in ("id", "time") if k in extra}
    data = {"deviceId": device, "siteId": site, "name": name, "model": model, **extra}
    return cloud_event("device.registered", data, **kw)


@pytest.fixture
def stream() -> Stream:
    return Stream()


@pytest.fixture
def lambda_context() -> FakeLambdaContext:
    return FakeLambdaContext()


Put = Callable[..., None]


@pytest.fixture
def put_device(aws: Any) -> Put:
    """Store a device item directly (bypassing the processors)."""
    import os

    from fleet.runtime.marshal import to_attr

    def put(device_id: str, site: str = "site-a", status: str = "online", **attrs: Any) -> None:
        item = {"deviceId": device_id, "siteId": site, "name": device_id, "status": status, **attrs}
        aws.put_item(TableName=os.environ["TABLE_DEVICES"], Item={k: to_attr(v) for k, v in item.items()})

    return put
