"""The generated API run end to end: the emulator executes openapi.json against a real moto server.

This is where the templates meet real service answers: DynamoDB pagination (LastEvaluatedKey ->
next -> cursor -> ExclusiveStartKey), index queries, sort ranges, real ValidationExceptions for
bad input (-> 400), and PutRecords into a real stream.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

import boto3
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from moto.server import ThreadedMotoServer

from generator.dev.apigw import ApiGateway
from generator.dev.apigw.auth import local_token
from generator.ir.nodes import Ir, Schema
from tests.vtl.support import EDGE, HOSTILE_STRINGS, REPO, case_files, case_ir, expected_object, models

REGION = "us-east-1"
ORIGIN = "https://app.example.com"  # the stage's CORS origin (stage variable cors_origin)
HOST = "api.local"


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    with pytest.MonkeyPatch.context() as env:
        for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
            env.setenv(key, "testing")
        env.setenv("AWS_DEFAULT_REGION", REGION)
        env.delenv("AWS_PROFILE", raising=False)
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        yield f"http://{host}:{port}"
        server.stop()


class Stack:
    """One spec's tables and streams (uniquely named) behind the emulated API."""

    def __init__(self, root: Path, endpoint: str) -> None:
        self.ir: Ir = case_ir(root)
        suffix = uuid.uuid4().hex[:8]
        self.dynamodb = boto3.client("dynamodb", endpoint_url=endpoint, region_name=REGION)
        self.kinesis = boto3.client("kinesis", endpoint_url=endpoint, region_name=REGION)
        stage: dict[str, str] = {}
        for table in self.ir.tables:
            stage[f"table_{table.name}"] = f"{table.name}-{suffix}"
            keys = [table.partition_key] + ([table.sort_key] if table.sort_key else [])
            extra: dict[str, Any] = {}
            if table.indexes:
                extra["GlobalSecondaryIndexes"] = [{
                    "IndexName": i.name, "Projection": {"ProjectionType": "ALL"},
                    "KeySchema": [{"AttributeName": i.partition_key.name, "KeyType": "HASH"}] + (
                        [{"AttributeName": i.sort_key.name, "KeyType": "RANGE"}] if i.sort_key else [])}
                    for i in table.indexes]
            self.dynamodb.create_table(
                TableName=stage[f"table_{table.name}"], BillingMode="PAY_PER_REQUEST",
                KeySchema=[{"AttributeName": k.name, "KeyType": "HASH" if i == 0 else "RANGE"} for i, k in enumerate(keys)],
                AttributeDefinitions=[{"AttributeName": a.name, "AttributeType": a.type} for a in table.attribute_types],
                **extra)
        for stream in self.ir.streams:
            stage[f"stream_{stream.name}"] = f"{stream.name}-{suffix}"
            self.kinesis.create_stream(StreamName=stage[f"stream_{stream.name}"], ShardCount=1)
        self.stage = stage
        stage["cors_origin"] = ORIGIN
        self.signed = {op.path for op in self.ir.operations if op.auth == "iam"}
        document = json.loads(case_files(root)["generated/api/openapi.json"])
        variables = {f"role_{op.operation_id}": "arn:aws:iam::123456789012:role/api" for op in self.ir.operations}
        variables["user_pool_arn"] = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/local"
        self.api = ApiGateway(document, variables, stage, endpoint, REGION)

    def put(self, table: str, item: dict[str, Any]) -> None:
        self.dynamodb.put_item(TableName=self.stage[f"table_{table}"], Item=item)

    def call(self, method: str, path: str, query: dict[str, str] | None = None, body: Any = None,
             headers: dict[str, str] | None = None) -> tuple[int, Any, dict[str, str]]:
        payload = b"" if body is None else json.dumps(body).encode()
        sent = {"Content-Type": "application/json", **(headers or {})}
        if path in self.signed:  # as a producer signs (SigV4, gen dev's local key pair)
            request = AWSRequest(method=method, url=f"http://{HOST}/api{path}", data=payload, headers=sent)
            SigV4Auth(Credentials("testing", "testing"), "execute-api", REGION).add_auth(request)
            sent = {"Host": HOST, **dict(request.headers.items())}
        response = self.api.handle(method, "/api" + path, {k: [v] for k, v in (query or {}).items()}, sent, payload)
        text = response.body.decode() if isinstance(response.body, bytes) else str(response.body)
        return response.status, json.loads(text, parse_float=Decimal, parse_int=Decimal), dict(response.headers)

    def pages(self, path: str, limit: int, query: dict[str, str] | None = None) -> list[list[Any]]:
        pages, cursor = [], None
        while True:
            status, body, headers = self.call("GET", path, {**(query or {}), "limit": str(limit),
                                                            **({"cursor": cursor} if cursor else {})})
            assert status == 200, body
            assert headers["Access-Control-Allow-Origin"] == ORIGIN
            pages.append(body["items"])
            cursor = body["next"]
            if cursor is None or len(pages) > 50:
                return pages


@pytest.fixture(scope="module")
def reference(endpoint: str) -> Iterator[Stack]:
    stack = Stack(REPO, endpoint)
    yield stack
    stack.api.close()


@pytest.fixture(scope="module")
def edge(endpoint: str) -> Iterator[Stack]:
    stack = Stack(EDGE, endpoint)
    yield stack
    stack.api.close()


def _device(i: int, device_id: str, site: str) -> dict[str, Any]:
    return {"deviceId": {"S": device_id}, "siteId": {"S": site}, "name": {"S": HOSTILE_STRINGS[i % len(HOSTILE_STRINGS)]},
            "status": {"S": "online"}, "tags": {"M": {"k'" + str(i): {"S": "v\n"}}},
            "lastReading": {"M": {"time": {"S": "2024-01-01T00:00:00Z"}, "temperature": {"N": f"-{i}.5E-3"},
                                  "battery": {"N": str(i)}, "humidity": {"NULL": True}}}}


def test_scan_and_index_query_page_through_everything(reference: Stack) -> None:
    ids = [f"d{i}-{s}" for i, s in enumerate(HOSTILE_STRINGS[:9])] + ["d/9 %2F"]
    stored = {d: _device(i, d, "site'1" if i % 2 else "site 2") for i, d in enumerate(ids)}
    for item in stored.values():
        reference.put("devices", item)
    schema, all_models = Schema(kind="ref", ref="Device"), models(reference.ir)
    pages = reference.pages("/devices", limit=3)
    assert [len(p) for p in pages[:-1]] == [3] * (len(pages) - 1)
    listed = [i for page in pages for i in page]
    assert sorted(i["deviceId"] for i in listed) == sorted(ids)
    for item in listed:
        assert item == expected_object(schema, stored[item["deviceId"]], all_models)
    odd = [i for page in reference.pages("/sites/" + quote("site'1", safe="") + "/devices", limit=2) for i in page]
    assert [i["deviceId"] for i in odd] == sorted(d for i, d in enumerate(ids) if i % 2)


def test_get_item_found_and_not_found(reference: Stack) -> None:
    device = "g'\"\\ 😀"
    reference.put("devices", _device(3, device, "s"))
    status, body, _ = reference.call("GET", "/devices/" + quote(device, safe=""))
    assert status == 200 and body["deviceId"] == device and body["firmware"] is None
    status, body, headers = reference.call("GET", "/devices/absent")
    assert (status, body) == (404, {"message": "Device not found"})
    assert headers["Access-Control-Allow-Origin"] == ORIGIN


def test_query_sort_range_and_order(reference: Stack) -> None:
    times = [f"2024-01-0{d}T00:00:00Z" for d in range(1, 8)]
    for t in times:
        reference.put("readings", {"deviceId": {"S": "r1"}, "time": {"S": t}, "temperature": {"N": "1.25"},
                                   "battery": {"N": "50"}, "expiresAt": {"N": "1700000000"}})
    got = [i["time"] for p in reference.pages("/devices/r1/readings", 2, {"since": times[1], "until": times[5]})
           for i in p]
    assert got == list(reversed(times[1:6]))  # order: desc
    got = [i["time"] for p in reference.pages("/devices/r1/readings", 4, {"since": times[4]}) for i in p]
    assert got == list(reversed(times[4:]))
    status, body, _ = reference.call("GET", "/devices/r1/readings/" + quote(times[0], safe=""))
    assert status == 200 and body["temperature"] == Decimal("1.25") and body["humidity"] is None


@pytest.mark.parametrize("query", [{"limit": "0"}, {"limit": "abc"}, {"limit": "1000"}, {"cursor": "!!"},
                                   {"cursor": "abcde"}, {"cursor": 'x", "Limit": 1'}])
def test_bad_limit_or_cursor_is_a_clean_400(reference: Stack, query: dict[str, str]) -> None:
    for path in ("/devices", "/sites/s/devices", "/devices/r1/readings"):
        status, body, headers = reference.call("GET", path, query)
        assert status == 400, (path, body)
        assert body == {"message": "Invalid request: check the key, limit and cursor parameters"}
        assert headers["Access-Control-Allow-Origin"] == ORIGIN


def test_protected_get_item_reads_the_key_from_the_token(reference: Stack) -> None:
    reference.put("profiles", {"userId": {"S": "u'1"}, "displayName": {"S": "Ann"}, "role": {"S": "admin"},
                               "siteIds": {"L": [{"S": "a"}, {"S": "b"}]}})
    assert reference.call("GET", "/me")[0] == 401
    status, body, _ = reference.call("GET", "/me", headers={"Authorization": "Bearer " + local_token({"sub": "u'1"})})
    assert (status, body) == (200, {"userId": "u'1", "displayName": "Ann", "role": "admin", "siteIds": ["a", "b"]})


def _event(i: int, subject: str) -> dict[str, Any]:
    return {"specversion": "1.0", "id": f"e{i}", "source": "test", "type": "reading.recorded", "subject": subject,
            "time": "2024-01-01T00:00:00Z", "data": {"deviceId": subject, "time": "2024-01-01T00:00:00Z",
                                                     "temperature": 20.5, "humidity": None, "battery": 7}}


def test_ingest_puts_every_event_on_the_stream(reference: Stack) -> None:
    batch = [_event(i, s) for i, s in enumerate(["d1", "it's", "é 😀", "a\"b"])]
    for content_type in ("application/json", "application/cloudevents-batch+json"):
        status, body, headers = reference.call("POST", "/events", body=batch, headers={"Content-Type": content_type})
        assert status == 202, body
        assert body["failed"] == 0 and [r["status"] for r in body["results"]] == ["accepted"] * 4
        assert headers["Access-Control-Allow-Origin"] == ORIGIN
    stream = reference.stage["stream_telemetry"]
    shard = reference.kinesis.list_shards(StreamName=stream)["Shards"][0]["ShardId"]
    iterator = reference.kinesis.get_shard_iterator(StreamName=stream, ShardId=shard,
                                                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    records = reference.kinesis.get_records(ShardIterator=iterator)["Records"]
    assert [(r["PartitionKey"], json.loads(r["Data"])) for r in records] == [(e["subject"], e) for e in batch] * 2


@pytest.mark.parametrize(("body", "content_type", "status"), [
    ([], "application/json", 400),
    ([_event(0, "d")] * 501, "application/json", 400),
    ([{**_event(0, "d"), "type": "unknown.type"}], "application/json", 400),
    ([{**_event(0, "d"), "subject": "x" * 257}], "application/json", 400),
    ([{k: v for k, v in _event(0, "d").items() if k != "subject"}], "application/json", 400),
    ([_event(0, "d")], "text/plain", 415),
])
def test_ingest_rejects_bad_batches_before_kinesis(reference: Stack, body: Any, content_type: str, status: int) -> None:
    got, payload, headers = reference.call("POST", "/events", body=body, headers={"Content-Type": content_type})
    assert got == status and isinstance(payload["message"], str)
    assert headers["Access-Control-Allow-Origin"] == ORIGIN


def test_number_keys_and_cursors_through_dynamodb(edge: Stack) -> None:
    ats = ["-1.5", "0", "2.25", "1E+3", "12345678901234567890"]
    for at in ats:
        edge.put("metrics", {"seriesId": {"N": "7"}, "at": {"N": at}, "value": {"N": "-0.001"}})
    got = [i["at"] for p in edge.pages("/series/7/metrics", 2) for i in p]
    assert got == sorted((Decimal(a) for a in ats), reverse=True)
    got = [i["at"] for p in edge.pages("/series/7/metrics", 1, {"after": "0"}) for i in p]
    assert got == sorted((Decimal(a) for a in ats if Decimal(a) >= 0), reverse=True)
    status, body, _ = edge.call("GET", "/series/7/metrics/2.25")
    assert (status, body) == (200, {"seriesId": 7, "at": Decimal("2.25"), "value": Decimal("-0.001")})
    assert edge.call("GET", "/series/seven/metrics/1")[0] == 400
    assert edge.call("GET", "/series/7/metrics", {"after": "soon"})[0] == 400
    cursor = base64.urlsafe_b64encode(b"not a number").decode().rstrip("=") + ".Nw"
    assert edge.call("GET", "/series/7/metrics", {"cursor": cursor})[0] == 400


def test_unknown_route_is_a_json_404(edge: Stack) -> None:
    response = edge.api.handle("GET", "/api/nowhere", {}, {}, b"")
    assert response.status == 404
    assert json.loads(response.body) == {"message": "Not found"}
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN


def test_preflight_answers_cors(edge: Stack) -> None:
    response = edge.api.handle("OPTIONS", "/api/things/x", {}, {"Origin": "https://example.com"}, b"")
    assert response.status == 200
    assert response.headers["Access-Control-Allow-Methods"] == "GET,OPTIONS"
    assert "Authorization" in response.headers["Access-Control-Allow-Headers"]
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
