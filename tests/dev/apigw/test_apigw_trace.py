"""The gateway's request observer: each request's trace, as the dev console shows it."""

from __future__ import annotations

import json
from typing import Any

from apigw_support import Caller, Resources, make_gateway

from generator.dev.apigw.response import MAX_BODY_CHARS, RequestTrace


def traced(moto_endpoint: str, resources: Resources) -> tuple[Any, list[RequestTrace]]:
    seen: list[RequestTrace] = []
    return make_gateway(moto_endpoint, resources, observer=seen.append), seen


def test_a_trace_holds_the_rendered_integration_request_the_call_and_the_response(
    moto_endpoint: str, resources: Resources
) -> None:
    gateway, seen = traced(moto_endpoint, resources)
    call = Caller(gateway)
    try:
        answer = call("PUT", "/api/devices/d-trace", query={"note": ["it's new"]},
                      body={"name": "Cold \"room\"", "tags": {"floor": "2"}})
    finally:
        gateway.close()
    assert answer.status == 200
    (trace,) = seen
    document = trace.to_json()
    assert document["route"] == {"resource": "/devices/{deviceId}", "operationId": "putDevice"}
    assert document["methodRequest"]["method"] == "PUT"
    assert document["methodRequest"]["query"] == {"note": ["it's new"]}
    assert json.loads(document["methodRequest"]["body"])["name"] == 'Cold "room"'
    # the mapping template's own output, as sent to DynamoDB
    assert document["integrationRequest"]["template"] == "putDevice.request.vtl"
    rendered = json.loads(document["integrationRequest"]["rendered"])
    assert rendered == {
        "TableName": resources.devices,
        "Item": {"deviceId": {"S": "d-trace"}, "name": {"S": 'Cold "room"'},
                 "note": {"S": "it's new"}, "tags": {"M": {"floor": {"S": "2"}}}},
    }
    assert document["serviceCall"] == {"action": "dynamodb.PutItem", "status": 200, "body": "{}"}
    assert document["response"]["status"] == 200
    assert json.loads(document["response"]["body"]) == {"deviceId": "d-trace"}
    assert document["response"]["headers"]["x-amzn-RequestId"] == document["id"]
    assert [p["phase"] for p in document["phases"]] == [
        "route", "authorize and validate", "request template", "service call", "response"]
    assert document["error"] is None and document["truncated"] == []


def test_a_gateway_error_is_traced_with_its_kind_and_no_integration(
    moto_endpoint: str, resources: Resources
) -> None:
    gateway, seen = traced(moto_endpoint, resources)
    try:
        missing = Caller(gateway)("GET", "/api/nowhere")
        invalid = Caller(gateway)("PUT", "/api/devices/d-1", body={"unexpected": 1})
    finally:
        gateway.close()
    assert (missing.status, invalid.status) == (403, 400)
    first, second = (t.to_json() for t in seen)
    assert first["route"]["operationId"] is None
    assert first["error"] == "MISSING_AUTHENTICATION_TOKEN: Missing Authentication Token"
    assert second["route"]["operationId"] == "putDevice"
    assert second["error"].startswith("BAD_REQUEST_BODY")
    assert second["integrationRequest"]["rendered"] is None
    assert second["serviceCall"]["action"] is None and second["status"] == 400


def test_large_bodies_are_clipped_and_a_failing_observer_never_breaks_a_request(
    moto_endpoint: str, resources: Resources
) -> None:
    def broken(trace: RequestTrace) -> None:
        raise RuntimeError("observer bug")

    gateway, seen = traced(moto_endpoint, resources)
    call = Caller(gateway)
    try:
        call("PUT", "/api/devices/d-big", body={"name": "x" * (MAX_BODY_CHARS + 10)})
        gateway.observer = broken
        assert call("GET", "/api/devices/d-big").status == 200
    finally:
        gateway.close()
    (trace,) = seen
    assert len(trace.body) == MAX_BODY_CHARS and "body" in trace.truncated
    assert "integration request" in trace.truncated
