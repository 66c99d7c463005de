"""Every behaviour of the generated mapping templates, run through the emulator of the running stack.

Most tests call the stack over HTTP (the templates in generated/api/openapi.json, rendered by the
emulator, against moto). Service failures moto never produces (throttling, partial PutRecords
failures, internal errors) come from a second emulator instance on the same generated definition
whose service endpoint is a proxy in front of the stack's moto that rewrites chosen answers.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import pytest

from generator.dev.apigw import ApiGateway
from generator.dev.apigw.auth import local_token
from generator.dev.stack import API_STAGE, RunningStack, gateway_variables
from tests.localstack.support import (
    INGEST_PATH,
    REPO,
    FaultProxy,
    Http,
    envelope,
    eventually,
    now_iso,
    reading,
    registered,
    sign,
    unique,
)

pytestmark = pytest.mark.slow

LIST_PATHS = ["/api/devices", "/api/sites", "/api/sites/site-zrh/devices", "/api/devices/dev-001/readings"]


def _b64url(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _stream_records(stack: RunningStack) -> int:
    records = stack.workers.status()["streams"]["telemetry"]["records"]
    assert records is not None
    return int(records)


# -- parameters: limit and cursor ----------------------------------------------------------------


@pytest.mark.parametrize("path", LIST_PATHS)
@pytest.mark.parametrize("limit", ["0", "101", "-1", "1.5", "abc", "1e2", "0x10", " 5", "99999999999"])
def test_bad_limits_are_400(http: Http, path: str, limit: str) -> None:
    answer = http.get(path, params={"limit": limit})
    assert answer.status == 400, answer.text
    assert set(answer.json) == {"message"}


@pytest.mark.parametrize("path", LIST_PATHS)
@pytest.mark.parametrize("limit", ["1", "100", ""])
def test_good_limits(http: Http, path: str, limit: str) -> None:
    answer = http.get(path, params={"limit": limit})
    assert answer.status == 200, answer.text
    assert len(answer.json["items"]) <= int(limit or 25)


MALFORMED_CURSORS = [
    "!!!!", "a", "abc.", ".abc", "a.b.c.d.e", "Zm9v=", "%%%", "Zm9v Zm9v", "{}", "x" * 5001,
]
"""Not the token format (base64url parts joined by dots, no padding): refused before DynamoDB."""


@pytest.mark.parametrize("path", LIST_PATHS)
@pytest.mark.parametrize("cursor", MALFORMED_CURSORS, ids=range(len(MALFORMED_CURSORS)))
def test_malformed_cursors_are_400(http: Http, path: str, cursor: str) -> None:
    answer = http.get(path, params={"cursor": cursor})
    assert answer.status == 400, (cursor, answer.status, answer.text)
    assert set(answer.json) == {"message"}


@pytest.mark.parametrize("path", LIST_PATHS)
def test_well_formed_but_foreign_cursors_are_client_errors(http: Http, path: str) -> None:
    """Cursors of another operation, of a key that never existed, or carrying JSON: 200 or 400,
    never a 5xx, never more than `limit` items, never the injected text taking effect."""
    foreign = [
        _b64url("dev-001") + "." + _b64url("2026-11-24T10:00:00Z"),
        _b64url("site-zrh"),
        _b64url("dev-001") + "." + _b64url("site-zrh"),
        _b64url('x"}, "Limit": 1000, "y": {"S": "z'),
        _b64url("\\") + "." + _b64url("'") + "." + _b64url('"'),
        "null",  # decodes to bytes that are not UTF-8
        "x" * 5000,
    ]
    for cursor in foreign:
        answer = http.get(path, params={"cursor": cursor, "limit": "2"})
        assert answer.status in (200, 400), (cursor, answer.text)
        if answer.status == 200:
            assert len(answer.json["items"]) <= 2
        else:
            assert set(answer.json) == {"message"}


def test_a_cursor_round_trips(http: Http) -> None:
    first = http.get("/api/devices/dev-001/readings", params={"limit": "2"}).json
    cursor = first["next"]
    assert isinstance(cursor, str) and "=" not in cursor and "+" not in cursor and "/" not in cursor
    second = http.get("/api/devices/dev-001/readings", params={"limit": "2", "cursor": cursor}).json
    times = [r["time"] for r in first["items"] + second["items"]]
    assert times == sorted(times, reverse=True) and len(set(times)) == 4


# -- injection never reaches an expression -------------------------------------------------------

INJECTIONS = [
    '2026-11-24T12:00:00Z", "Limit": 1, "x": "',
    "2026-11-24T12:00:00Z' OR '1'='1",
    "$stageVariables.table_profiles",
    "#foreach($i in [1..100000])x#end",
    '\\"',
    "ü\u2028\u2029",
]


@pytest.mark.parametrize("value", INJECTIONS, ids=range(len(INJECTIONS)))
def test_query_parameters_are_data(http: Http, value: str) -> None:
    """since/until compare as plain strings: the result is what that comparison selects."""
    all_items = http.get("/api/devices/dev-001/readings", params={"limit": "100"}).json["items"]
    for name in ("since", "until"):
        answer = http.get("/api/devices/dev-001/readings", params={name: value, "limit": "100"})
        assert answer.status == 200, answer.text
        kept = [r for r in all_items if (r["time"] >= value if name == "since" else r["time"] <= value)]
        assert answer.json["items"] == kept


def test_claims_are_data(http: Http) -> None:
    sub = 'local-operator"}, "userId": {"S": "local-viewer'
    answer = http.get("/api/me", headers={"Authorization": local_token({"sub": sub})})
    assert answer.status == 404, answer.text


def test_templates_and_placeholders_in_keys_are_not_evaluated(http: Http) -> None:
    for key in ("$context.requestId", "${region}", "$util.escapeJavaScript('x')", "#set($a=1)"):
        answer = http.get("/api/devices/" + quote(key, safe=""))
        assert answer.status == 404, (key, answer.text)


# -- numbers and escaping in responses -----------------------------------------------------------

NASTY_TEXT = [
    'double "quotes"',
    "single 'quotes'",
    "back\\slash and \\' and \\\\",
    "</script><script>alert(1)</script>",
    "ünïcödé 🌡 中文 \u200b",
    "line\nbreak\ttab\rreturn",
    "control \u0001\u001f",
    "velocity $x ${y} #set($z = 1) #end",
    "json-ish {\"a\": [1, 2]}",
    "\u2028\u2029 separators",
]


@pytest.fixture(scope="module")
def nasty_device(http: Http) -> Iterator[tuple[str, dict[str, Any]]]:
    """A device registered through the pipeline whose every text is hostile."""
    device_id = unique("nasty")
    tags = {text: text for text in NASTY_TEXT}
    event = registered(device_id, unique("site"), name="".join(NASTY_TEXT), firmware=NASTY_TEXT[1],
                       tags=tags)
    answer = http.post("/api/events", body=[event])
    assert answer.status == 202, answer.text
    eventually(lambda: http.get(f"/api/devices/{device_id}").status == 200, 5)
    yield device_id, event["data"]


def test_hostile_text_round_trips(http: Http, nasty_device: tuple[str, dict[str, Any]]) -> None:
    device_id, data = nasty_device
    answer = http.get(f"/api/devices/{device_id}")
    assert answer.status == 200
    device = answer.json  # the body is valid JSON despite everything
    assert device["name"] == data["name"]
    assert device["firmware"] == data["firmware"]
    assert device["tags"] == data["tags"]
    assert "\\'" not in answer.text.replace("\\\\", "")


def test_hostile_text_in_pages_and_index(http: Http, nasty_device: tuple[str, dict[str, Any]]) -> None:
    device_id, data = nasty_device
    page = http.get(f"/api/sites/{quote(data['siteId'])}/devices").json
    assert [d["name"] for d in page["items"]] == [data["name"]]
    assert page["items"][0]["tags"] == data["tags"]


def test_numbers_are_json_numbers(http: Http) -> None:
    device_id = unique("numbers")
    values = [(-100, 0), (-17.76, 100), (0, 1), (0.1, 50), (199.99, 99), (1e-05, 2), (123.456, 3)]
    events = [registered(device_id, "site-zrh")]
    times = [f"2026-11-24T10:00:{second:02d}Z" for second in range(len(values))]
    events += [reading(device_id, t, temperature=v, battery=b, humidity=None if i % 2 else 12.5)
               for i, (t, (v, b)) in enumerate(zip(times, values, strict=True))]
    assert http.post("/api/events", body=events).status == 202

    def page() -> Any:
        answer = http.get(f"/api/devices/{device_id}/readings", params={"limit": "100"})
        return answer if len(answer.json["items"]) == len(values) else None

    answer = eventually(page, 5)
    exact = json.loads(answer.text, parse_float=Decimal)["items"]
    by_time = {r["time"]: r for r in exact}
    for i, (t, (temperature, battery)) in enumerate(zip(times, values, strict=True)):
        item = by_time[t]
        assert Decimal(str(item["temperature"])) == Decimal(str(temperature)), (t, item)
        assert type(item["battery"]) is int and item["battery"] == battery
        assert type(item["expiresAt"]) is int
        assert item["humidity"] is None if i % 2 else item["humidity"] == Decimal("12.5")


# -- ingestion: validation, content types, partial failures ---------------------------------------


def _event(**overrides: Any) -> dict[str, Any]:
    device_id = unique("ing")
    event = registered(device_id, "site-zrh")
    event.update(overrides)
    return event


INVALID_BATCHES = {
    "not an array": _event(),
    "empty": [],
    "too many": [_event() for _ in range(501)],
    "unknown type": [_event(type="device.exploded")],
    "no data": [{k: v for k, v in _event().items() if k != "data"}],
    "no id": [{k: v for k, v in _event().items() if k != "id"}],
    "empty subject": [_event(subject="")],
    "subject too long": [_event(subject="s" * 257)],
    "old specversion": [_event(specversion="0.3")],
    "bad time": [_event(time="yesterday")],
    "data of another type": [_event(type="reading.recorded")],
    "number as string": [envelope("reading.recorded", "d", {"deviceId": "d", "time": "2026-11-24T10:00:00Z",
                                                             "temperature": "3", "battery": 5})],
    "out of range": [envelope("reading.recorded", "d", {"deviceId": "d", "time": "2026-11-24T10:00:00Z",
                                                         "temperature": 3, "battery": 101})],
    "null where not nullable": [envelope("reading.recorded", "d", {"deviceId": "d", "time": "2026-11-24T10:00:00Z",
                                                                    "temperature": None, "battery": 5})],
    "one bad among good": [_event(), _event(), _event(type="nope"), _event()],
}


@pytest.mark.parametrize("name", sorted(INVALID_BATCHES))
def test_invalid_batches_are_rejected_whole(http: Http, stack: RunningStack, name: str) -> None:
    before = _stream_records(stack)
    answer = http.post("/api/events", body=INVALID_BATCHES[name])
    assert answer.status == 400, answer.text
    assert set(answer.json) == {"message"}
    assert answer.header("Access-Control-Allow-Origin") == http.base
    assert _stream_records(stack) == before, "a rejected batch reached the stream"


NAMED_FIELDS = {
    "unknown type": 'instance value ("device.exploded") not found in enum (possible values: '
                    '["device.heartbeat","device.registered","reading.recorded"]) (at /0/type)',
    "no id": 'object has missing required properties (["id"]) (at /0)',
    "number as string": "(at /0/data/temperature)",
    "out of range": "(at /0/data/battery)",
    "null where not nullable": "(at /0/data/temperature)",
    "one bad among good": "(at /2/type)",
    "bad time": "(at /0/time)",
    "empty subject": "(at /0/subject)",
}


@pytest.mark.parametrize("name", sorted(NAMED_FIELDS))
def test_a_rejected_batch_names_the_failing_field(http: Http, name: str) -> None:
    """BAD_REQUEST_BODY carries `$context.error.validationErrorString` (generated/api/openapi.json),
    which the emulator fills with the validator's reason, as API Gateway does."""
    answer = http.post("/api/events", body=INVALID_BATCHES[name])
    assert answer.status == 400
    message = answer.json["message"]
    assert message.startswith("Invalid request body [") and NAMED_FIELDS[name] in message, message


def test_the_reason_stays_json_when_the_value_has_quotes(http: Http) -> None:
    answer = http.post("/api/events", body=[_event(type='say "hi"\\')])
    assert answer.status == 400, answer.text
    assert 'instance value ("say \\"hi\\"\\\\") not found in enum' in answer.json["message"]


def test_values_beyond_the_schema_bounds_are_400(http: Http, stack: RunningStack) -> None:
    """#11 M3: a 500 KB name was accepted (202), then failed DynamoDB's 400 KB item limit in the
    processor on every retry. The bounds in spec/openapi.yaml reach the request model."""
    before = _stream_records(stack)
    device = unique("big")
    cases = {
        "(at /0/data/name)": registered(device, "site-zrh", name="n" * 500_000),
        "(at /0/data/tags)": registered(device, "site-zrh", tags={f"k{i}": "v" for i in range(21)}),
        "(at /0/data/tags/k)": registered(device, "site-zrh", tags={"k": "v" * 257}),
        "(at /0/id)": _event(id="i" * 257),
    }
    for where, event in cases.items():
        answer = http.post("/api/events", body=[event])
        assert answer.status == 400, (where, answer.text[:200])
        assert answer.json["message"].startswith("Invalid request body [") and where in answer.json["message"]
    long_key = http.post("/api/events", body=[registered(device, "site-zrh", tags={"k" * 65: "v"})])
    assert long_key.status == 400, long_key.text
    assert long_key.json == {"message": "Invalid event: $[0].data.tags: a key is longer than 64 characters"}
    assert _stream_records(stack) == before, "a rejected batch reached the stream"


def test_values_at_the_bounds_are_accepted(http: Http) -> None:
    event = registered(unique("edge"), "site-zrh", name="n" * 256, tags={"k" * 64: "v" * 256})
    answer = http.post("/api/events", body=[event])
    assert answer.status == 202, answer.text


def test_future_dated_events_are_rejected_naming_the_field(http: Http, stack: RunningStack) -> None:
    """#11 M1 at the API: the ingestion template compares each guarded time with the request time
    (max_future: 5m in spec/model.yaml); one event too far ahead rejects the batch, whole."""
    before = _stream_records(stack)
    device = unique("future")
    batches = {
        "$[0].time": [reading(device, "2100-01-01T00:00:00Z", temperature=1.0)],
        "$[2].data.time": [reading(device, now_iso(), 1.0), reading(device, now_iso(-60), 1.0),
                           envelope("reading.recorded", device, {"deviceId": device, "time": now_iso(600),
                                                                 "temperature": 1.0, "battery": 5})],
        "$[1].time": [_event(), _event(time=now_iso(3600))],
    }
    for field, batch in batches.items():
        answer = http.post("/api/events", body=batch)
        assert answer.status == 400, (field, answer.text)
        assert set(answer.json) == {"message"}
        assert answer.json["message"].startswith(f"Invalid event: {field}: not a date-time"), answer.json
        assert answer.header("Access-Control-Allow-Origin") == http.base
    assert _stream_records(stack) == before, "a rejected batch reached the stream"


def test_event_times_within_the_tolerance_are_accepted(http: Http, reseed: None) -> None:
    batch = [reading("dev-001", now_iso(240), 1.0), _event(time=now_iso(200)),
             reading("dev-001", "2001-01-01T00:00:00Z", 2.0)]
    answer = http.post("/api/events", body=batch)
    assert answer.status == 202, answer.text
    assert answer.json["failed"] == 0


@pytest.mark.parametrize("body", [b"not json", b"{", b"", b"\xff\xfe", b"[1, 2", b"null"])
def test_bodies_that_are_not_json_are_400(http: Http, body: bytes) -> None:
    answer = http.post("/api/events", headers={"Content-Type": "application/json"}, data=body)
    assert answer.status == 400, answer.text
    assert set(answer.json) == {"message"}


@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", "application/x-www-form-urlencoded",
                                          "multipart/form-data; boundary=x", "application/cloudevents+json"])
def test_other_content_types_are_415(http: Http, content_type: str) -> None:
    answer = http.post("/api/events", headers={"Content-Type": content_type}, data=json.dumps([_event()]))
    assert answer.status == 415, answer.text
    assert answer.header("Access-Control-Allow-Origin") == http.base


@pytest.mark.parametrize("content_type", ["application/json", "application/cloudevents-batch+json",
                                          "application/json; charset=utf-8", "APPLICATION/JSON"])
def test_json_content_types_ingest(http: Http, content_type: str) -> None:
    events = [_event(), _event()]
    answer = http.post("/api/events", headers={"Content-Type": content_type}, data=json.dumps(events))
    assert answer.status == 202, answer.text
    result = answer.json
    assert result["failed"] == 0
    assert [r["status"] for r in result["results"]] == ["accepted", "accepted"]
    assert all(r["error"] is None and r["sequenceNumber"] for r in result["results"])


def test_ingested_events_reach_the_stream_unchanged(
    http: Http, stack: RunningStack, kinesis: Any
) -> None:
    event = _event()
    event["data"]["name"] = 'Ünïcode "quoted" \\ name'
    answer = http.post("/api/events", body=[event])
    seq = answer.json["results"][0]["sequenceNumber"]
    stream = stack.names.streams["telemetry"]
    for shard in kinesis.list_shards(StreamName=stream)["Shards"]:
        iterator = kinesis.get_shard_iterator(
            StreamName=stream, ShardId=shard["ShardId"], ShardIteratorType="AT_SEQUENCE_NUMBER",
            StartingSequenceNumber=seq)["ShardIterator"]
        for record in kinesis.get_records(ShardIterator=iterator, Limit=1)["Records"]:
            if record["PartitionKey"] == event["subject"]:
                assert json.loads(record["Data"]) == event
                return
    raise AssertionError("the event is not on the stream")


# -- service failures through a fault-injecting proxy ----------------------------------------------


@pytest.fixture(scope="module")
def definition() -> Any:
    return json.loads((REPO / "generated/api/openapi.json").read_text(encoding="utf-8"))


ORIGIN = "https://app.example.com"


def _gateway(stack: RunningStack, definition: Any, endpoint: str) -> ApiGateway:
    return ApiGateway(definition, gateway_variables(definition, stack.ir, stack.names, stack.region),
                      {**stack.names.stage_variables(stack.ir), "cors_origin": ORIGIN}, endpoint, stack.region,
                      stage=API_STAGE)


def _call(gateway: ApiGateway, method: str, path: str, body: Any = None,
          headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], Any]:
    data = b"" if body is None else json.dumps(body).encode()
    all_headers = {"Content-Type": "application/json", **(headers or {})} if body is not None else headers or {}
    if method == "POST" and path == INGEST_PATH:  # SigV4, as a producer signs
        all_headers = {"Host": "api.local", **sign(method, f"http://api.local{path}", all_headers, data)}
    response = gateway.handle(method, path, {}, all_headers, data)
    return response.status, response.headers, json.loads(response.body)


def _error(status: int, type_: str) -> Any:
    def fault(target: str, sent: dict[str, Any], upstream: int, body: bytes) -> tuple[int, bytes] | None:
        return status, json.dumps({"__type": type_, "message": "injected"}).encode()
    return fault


READ_CALLS = [
    ("GET", "/api/devices/dev-001", None),
    ("GET", "/api/devices", None),
    ("GET", "/api/devices/dev-001/readings", None),
    ("GET", "/api/sites/site-zrh/devices", None),
    ("GET", "/api/me", {"Authorization": local_token({"sub": "local-operator"})}),
]
ERRORS = [
    (400, "com.amazonaws.dynamodb.v20120810#ValidationException", 400),
    (400, "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException", 503),
    (400, "com.amazonaws.dynamodb.v20120810#ThrottlingException", 503),
    (400, "com.amazonaws.dynamodb.v20120810#RequestLimitExceeded", 503),
    (400, "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException", 502),
    (400, "com.amazonaws.dynamodb.v20120810#AccessDeniedException", 502),
    (500, "com.amazonaws.dynamodb.v20120810#InternalServerError", 502),
    (503, "com.amazonaws.dynamodb.v20120810#ServiceUnavailable", 503),
]


@pytest.mark.parametrize(("upstream", "type_", "expected"), ERRORS, ids=[e[1].split("#")[1] for e in ERRORS])
def test_dynamodb_errors_map_to_statuses(
    stack: RunningStack, definition: Any, upstream: int, type_: str, expected: int
) -> None:
    with FaultProxy(stack.aws_endpoint, _error(upstream, type_)).running() as proxy:
        gateway = _gateway(stack, definition, proxy.endpoint)
        for method, path, headers in READ_CALLS:
            status, response_headers, body = _call(gateway, method, path, headers=headers)
            assert status == expected, (path, status, body)
            assert set(body) == {"message"} and "injected" not in body["message"]
            assert response_headers.get("Access-Control-Allow-Origin") == ORIGIN


@pytest.mark.parametrize(("upstream", "type_", "expected"), [
    (400, "ProvisionedThroughputExceededException", 503),
    (400, "ValidationException", 400),
    (400, "ResourceNotFoundException", 502),
    (500, "InternalFailure", 502),
])
def test_kinesis_errors_map_to_statuses(
    stack: RunningStack, definition: Any, upstream: int, type_: str, expected: int
) -> None:
    with FaultProxy(stack.aws_endpoint, _error(upstream, type_)).running() as proxy:
        status, headers, body = _call(_gateway(stack, definition, proxy.endpoint), "POST", "/api/events",
                                      body=[_event()])
    assert status == expected, body
    assert set(body) == {"message"}
    assert headers.get("Access-Control-Allow-Origin") == ORIGIN


def _fail_subjects(target: str, sent: dict[str, Any], upstream: int, body: bytes) -> tuple[int, bytes] | None:
    """Kinesis' answer when some records of a PutRecords were throttled."""
    if not target.endswith(".PutRecords") or upstream != 200:
        return None
    result = json.loads(body)
    for index, record in enumerate(sent["Records"]):
        if record["PartitionKey"].startswith("fail-"):
            result["Records"][index] = {
                "ErrorCode": "ProvisionedThroughputExceededException",
                "ErrorMessage": "Rate exceeded for shard shardId-000000000001 in stream 'x'",
            }
    result["FailedRecordCount"] = sum(1 for r in result["Records"] if "ErrorCode" in r)
    return 200, json.dumps(result).encode()


def test_partial_ingestion_failures_are_reported_per_event(stack: RunningStack, definition: Any) -> None:
    subjects = ["ok-" + unique("a"), "fail-" + unique("b"), "ok-" + unique("c"), "fail-" + unique("d")]
    events = [_event(subject=s) for s in subjects]
    with FaultProxy(stack.aws_endpoint, _fail_subjects).running() as proxy:
        status, headers, body = _call(_gateway(stack, definition, proxy.endpoint), "POST", "/api/events",
                                      body=events)
    assert status == 202, body
    assert headers.get("Access-Control-Allow-Origin") == ORIGIN
    assert body["failed"] == 2
    for subject, result in zip(subjects, body["results"], strict=True):
        if subject.startswith("fail-"):
            assert result["status"] == "failed" and result["sequenceNumber"] is None
            assert result["error"].startswith("ProvisionedThroughputExceededException: Rate exceeded")
            assert "'x'" in result["error"]
        else:
            assert result["status"] == "accepted" and result["error"] is None
            assert result["sequenceNumber"].isdigit()


def test_all_events_failing_is_still_a_per_event_answer(stack: RunningStack, definition: Any) -> None:
    events = [_event(subject="fail-" + unique("x")) for _ in range(3)]
    with FaultProxy(stack.aws_endpoint, _fail_subjects).running() as proxy:
        status, _, body = _call(_gateway(stack, definition, proxy.endpoint), "POST", "/api/events", body=events)
    assert status == 202
    assert body["failed"] == 3 and [r["status"] for r in body["results"]] == ["failed"] * 3
