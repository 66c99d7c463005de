"""Shared setup for the API Gateway emulator tests and benchmark: a real moto server, the fixture
tables and stream, the fixture definition, and a fault-injecting proxy for Kinesis partial
failures (moto never fails individual PutRecords entries; real Kinesis does)."""

from __future__ import annotations

import base64
import json
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import urllib3
import yaml
from moto.server import ThreadedMotoServer
from werkzeug.serving import make_server
from werkzeug.wrappers import Request
from werkzeug.wrappers import Response as WerkzeugResponse

from generator.dev.apigw import ApiGateway, Response

FIXTURES = Path(__file__).parent / "fixtures"
REGION = "eu-west-1"
ACCESS_KEY = "testing"


def fixture_definition() -> dict[str, Any]:
    document = yaml.safe_load((FIXTURES / "api.yaml").read_text())
    assert isinstance(document, dict)
    return document


def fixture_vars() -> dict[str, str]:
    operations = [
        "getDevice",
        "putDevice",
        "listReadings",
        "ingestEvents",
        "getMyProfile",
        "naiveGetDevice",
    ]
    variables = {f"role_{op}": f"arn:aws:iam::123456789012:role/fleet-{op}" for op in operations}
    variables["user_pool_arn"] = "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_x"
    return variables


@contextmanager
def moto_server() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def client(service: str, endpoint: str) -> Any:
    session = boto3.session.Session()
    return session.client(  # type: ignore[call-overload]
        service,
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=ACCESS_KEY,
    )


@dataclass(frozen=True)
class Resources:
    """Physical names of the fixture tables and stream (unique per test session)."""

    devices: str
    readings: str
    profiles: str
    stream: str

    def stage_variables(self) -> dict[str, str]:
        return {
            "table_devices": self.devices,
            "table_readings": self.readings,
            "table_profiles": self.profiles,
            "stream_telemetry": self.stream,
        }


def create_resources(endpoint: str) -> Resources:
    suffix = uuid.uuid4().hex[:8]
    resources = Resources(
        devices=f"fleet-devices-{suffix}",
        readings=f"fleet-readings-{suffix}",
        profiles=f"fleet-profiles-{suffix}",
        stream=f"fleet-telemetry-{suffix}",
    )
    dynamodb = client("dynamodb", endpoint)
    for table, keys in (
        (resources.devices, [("deviceId", "HASH")]),
        (resources.readings, [("deviceId", "HASH"), ("time", "RANGE")]),
        (resources.profiles, [("userId", "HASH")]),
    ):
        dynamodb.create_table(
            TableName=table,
            KeySchema=[{"AttributeName": name, "KeyType": kind} for name, kind in keys],
            AttributeDefinitions=[
                {"AttributeName": name, "AttributeType": "S"} for name, _ in keys
            ],
            BillingMode="PAY_PER_REQUEST",
        )
    client("kinesis", endpoint).create_stream(StreamName=resources.stream, ShardCount=2)
    return resources


def make_gateway(endpoint: str, resources: Resources, **overrides: Any) -> ApiGateway:
    stage_variables = {**resources.stage_variables(), **overrides.pop("stage_variables", {})}
    return ApiGateway(
        fixture_definition(),
        fixture_vars(),
        stage_variables,
        endpoint,
        REGION,
        **overrides,
    )


class FaultInjectingProxy:
    """Forwards every request to moto; in PutRecords answers, fails the entries whose partition
    key starts with `fail-` the way Kinesis reports a throttled record."""

    def __init__(self, upstream: str) -> None:
        self._upstream = urllib3.PoolManager()
        self._base = upstream
        self._server = make_server("127.0.0.1", 0, self._app, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    def __enter__(self) -> FaultInjectingProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)

    def _app(self, environ: Any, start_response: Any) -> Any:
        request = Request(environ)
        body = request.get_data()
        forwarded = {
            k: v for k, v in request.headers.items() if k.lower() not in ("host", "content-length")
        }
        answer = self._upstream.request("POST", self._base + "/", body=body, headers=forwarded)
        data = answer.data
        if (
            request.headers.get("X-Amz-Target") == "Kinesis_20131202.PutRecords"
            and answer.status == 200
        ):
            sent = json.loads(body)["Records"]
            result = json.loads(data)
            for index, record in enumerate(sent):
                if record["PartitionKey"].startswith("fail-"):
                    result["Records"][index] = {
                        "ErrorCode": "ProvisionedThroughputExceededException",
                        "ErrorMessage": "Rate exceeded for shard shardId-000000000001 in stream",
                    }
            result["FailedRecordCount"] = sum(1 for r in result["Records"] if "ErrorCode" in r)
            data = json.dumps(result).encode()
        response = WerkzeugResponse(
            data, status=answer.status, content_type=answer.headers.get("Content-Type")
        )
        return response(environ, start_response)


def cloud_event(subject: str, **data: Any) -> dict[str, Any]:
    return {
        "specversion": "1.0",
        "id": str(uuid.uuid4()),
        "source": "device/test",
        "type": "reading.recorded",
        "time": "2026-01-01T00:00:00Z",
        "subject": subject,
        "data": data,
    }


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


class Caller:
    """Calls the emulator the way a client would, and decodes JSON answers."""

    def __init__(self, api: ApiGateway) -> None:
        self.api = api

    def __call__(
        self,
        method: str,
        path: str,
        *,
        query: dict[str, list[str]] | None = None,
        headers: dict[str, str] | None = None,
        body: Any = None,
        raw: bytes | None = None,
    ) -> Response:
        payload = raw if raw is not None else b"" if body is None else json.dumps(body).encode()
        all_headers = {"Content-Type": "application/json", **(headers or {})}
        if body is None and raw is None:
            all_headers.pop("Content-Type")
            all_headers.update(headers or {})
        return self.api.handle(method, path, query or {}, all_headers, payload)


def body_of(response: Response) -> Any:
    return json.loads(response.body)
