"""The emulator end to end against a real moto server: routing, integrations, response selection,
overrides, CORS and gateway responses, with the fixture API (tests/dev/apigw/fixtures/api.yaml)."""

from __future__ import annotations

import json
import logging
import socket
import time
from typing import Any

import pytest
from apigw_support import (
    Caller,
    FaultInjectingProxy,
    Resources,
    b64,
    body_of,
    client,
    cloud_event,
    fixture_definition,
    fixture_vars,
    make_gateway,
)

from generator.dev.apigw import ApiGateway
from generator.dev.apigw.auth import local_token


def assert_cors(response: Any) -> None:
    assert response.header("Access-Control-Allow-Origin") == "*"


def put_reading(
    resources: Resources, moto_endpoint: str, device: str, time_: str, temp: str
) -> None:
    client("dynamodb", moto_endpoint).put_item(
        TableName=resources.readings,
        Item={"deviceId": {"S": device}, "time": {"S": time_}, "temperature": {"N": temp}},
    )


# --- GetItem / PutItem ------------------------------------------------------------------


def test_get_item_200_after_put(call: Caller) -> None:
    stored = call("PUT", "/api/devices/dev-1", body={"name": "pump", "tags": {"site": "north"}})
    assert stored.status == 200
    assert body_of(stored) == {"deviceId": "dev-1"}
    got = call("GET", "/api/devices/dev-1")
    assert got.status == 200
    assert got.header("Content-Type") == "application/json"
    assert body_of(got) == {
        "deviceId": "dev-1",
        "name": "pump",
        "note": None,
        "tags": {"site": "north"},
    }
    assert_cors(got)


def test_get_item_absent_is_404_through_response_override(call: Caller) -> None:
    response = call("GET", "/api/devices/never-stored")
    assert response.status == 404
    assert body_of(response) == {"message": "device never-stored not found"}
    assert_cors(response)


def test_every_response_carries_a_request_id(call: Caller) -> None:
    ok = call("GET", "/api/echo/x")
    missing = call("GET", "/api/nowhere")
    assert body_of(ok)["requestId"] == ok.header("x-amzn-RequestId")
    assert body_of(missing)["requestId"] == missing.header("x-amzn-RequestId")
    assert ok.header("x-amzn-RequestId") != missing.header("x-amzn-RequestId")
    assert ok.header("x-amz-apigw-id") == body_of(ok)["extendedRequestId"]


# --- Query pagination -----------------------------------------------------------------------


def test_query_pagination_token_round_trips(
    call: Caller, resources: Resources, moto_endpoint: str
) -> None:
    times = [f"2026-01-0{day}T00:00:00Z" for day in range(1, 6)]
    for index, moment in enumerate(times):
        put_reading(resources, moto_endpoint, "dev-q", moment, f"2{index}.5")
    seen: list[dict[str, Any]] = []
    cursor: str | None = None
    pages = 0
    while True:
        query = {"limit": ["2"]}
        if cursor is not None:
            query["cursor"] = [cursor]
        response = call("GET", "/api/devices/dev-q/readings", query=query)
        assert response.status == 200, response.body
        page = body_of(response)
        seen.extend(page["items"])
        pages += 1
        cursor = page["next"]
        if pages == 1:
            assert cursor == b64(sorted(times, reverse=True)[1])
        if cursor is None or pages > 5:
            break
    assert [item["time"] for item in seen] == sorted(times, reverse=True)
    assert seen[0]["temperature"] == 24.5
    assert pages == 3


def test_query_limit_is_not_injectable(
    call: Caller, resources: Resources, moto_endpoint: str
) -> None:
    put_reading(resources, moto_endpoint, "dev-inj", "2026-02-01T00:00:00Z", "1")
    hostile = '1, "TableName": "other"'
    response = call("GET", "/api/devices/dev-inj/readings", query={"limit": [hostile]})
    assert response.status == 200
    assert [item["deviceId"] for item in body_of(response)["items"]] == ["dev-inj"]


# --- errors from the service -----------------------------------------------------------------


def test_dynamodb_error_is_a_4xx_with_the_service_message(
    moto_endpoint: str, resources: Resources
) -> None:
    api = make_gateway(moto_endpoint, resources, stage_variables={"table_devices": "no-such-table"})
    response = Caller(api)("GET", "/api/devices/x")
    assert response.status == 400
    body = body_of(response)
    assert body["type"].endswith("ResourceNotFoundException")
    assert body["message"]
    assert_cors(response)


def test_dynamodb_validation_error_is_a_4xx(moto_endpoint: str, resources: Resources) -> None:
    document = fixture_definition()
    integration = document["paths"]["/devices/{deviceId}"]["get"]["x-amazon-apigateway-integration"]
    integration["requestTemplates"]["application/json"] = (
        '{"TableName": "$stageVariables.table_devices", "Key": {"wrong": {"S": "x"}}}'
    )
    api = ApiGateway(
        document, fixture_vars(), resources.stage_variables(), moto_endpoint, "eu-west-1"
    )
    response = Caller(api)("GET", "/api/devices/x")
    assert response.status == 400
    assert body_of(response)["type"].endswith("ValidationException")
    assert_cors(response)


def test_unreachable_service_is_a_5xx_gateway_response(resources: Resources) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    api = make_gateway(f"http://127.0.0.1:{port}", resources)
    response = Caller(api)("GET", "/api/devices/x")
    assert response.status == 504
    assert body_of(response) == {"message": "Internal server error"}
    assert response.header("x-amzn-ErrorType") == "InternalServerErrorException"
    assert_cors(response)


def test_unescaped_template_with_hostile_input_gets_serialization_exception(call: Caller) -> None:
    response = call("GET", '/api/naive/a"b')
    assert response.status == 400
    assert body_of(response)["type"].endswith("SerializationException")


# --- PutRecords ----------------------------------------------------------------------------


def test_put_records_accepts_events_into_the_stream(
    call: Caller, resources: Resources, moto_endpoint: str
) -> None:
    events = [cloud_event("dev-k1", t=1), cloud_event("dev-k2", t=2)]
    response = call("POST", "/api/events", body=events)
    assert response.status == 202
    result = body_of(response)
    assert result["failed"] == 0
    assert [r["status"] for r in result["results"]] == ["accepted", "accepted"]
    kinesis = client("kinesis", moto_endpoint)
    found: dict[str, Any] = {}
    for shard in kinesis.list_shards(StreamName=resources.stream)["Shards"]:
        iterator = kinesis.get_shard_iterator(
            StreamName=resources.stream, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        for record in kinesis.get_records(ShardIterator=iterator, Limit=1000)["Records"]:
            found[record["SequenceNumber"]] = (record["PartitionKey"], json.loads(record["Data"]))
    for sent, entry in zip(events, result["results"], strict=True):
        assert found[entry["sequenceNumber"]] == (sent["subject"], sent)


def test_put_records_partial_failures(moto_endpoint: str, resources: Resources) -> None:
    with FaultInjectingProxy(moto_endpoint) as proxy:
        api = make_gateway(proxy.endpoint, resources)
        events = [
            cloud_event("ok-1"),
            cloud_event("fail-2"),
            cloud_event("ok-3"),
            cloud_event("fail-4"),
        ]
        response = Caller(api)("POST", "/api/events", body=events)
        api.close()
    assert response.status == 202
    result = body_of(response)
    assert result["failed"] == 2
    assert [r["status"] for r in result["results"]] == ["accepted", "failed", "accepted", "failed"]
    assert result["results"][1] == {
        "status": "failed",
        "sequenceNumber": None,
        "error": "ProvisionedThroughputExceededException",
    }
    assert result["results"][0]["sequenceNumber"]


def test_cloudevents_batch_content_type_has_its_own_template(call: Caller) -> None:
    response = call(
        "POST",
        "/api/events",
        raw=json.dumps([cloud_event("dev-ce")]).encode(),
        headers={"Content-Type": "application/cloudevents-batch+json; charset=utf-8"},
    )
    assert response.status == 202
    assert body_of(response)["failed"] == 0


# --- validation, 415 -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        [],
        [{"specversion": "1.0"}],
        [{**cloud_event("x"), "time": "not a date"}],
        [{**cloud_event("x"), "subject": ""}],
        {"not": "an array"},
    ],
)
def test_invalid_body_is_400_invalid_request_body(call: Caller, body: Any) -> None:
    response = call("POST", "/api/events", body=body)
    assert response.status == 400
    assert body_of(response) == {"message": "Invalid request body"}
    assert response.header("x-amzn-ErrorType") == "BadRequestException"
    assert_cors(response)


def test_body_that_is_not_json_is_invalid_request_body(call: Caller) -> None:
    response = call(
        "PUT", "/api/devices/x", raw=b"{oops", headers={"Content-Type": "application/json"}
    )
    assert response.status == 400
    assert body_of(response) == {"message": "Invalid request body"}


def test_additional_properties_and_required_fields_are_checked(call: Caller) -> None:
    assert call("PUT", "/api/devices/x", body={"name": "a", "extra": 1}).status == 400
    assert call("PUT", "/api/devices/x", body={"tags": {}}).status == 400
    assert call("PUT", "/api/devices/x", body={"name": "a", "tags": {"k": 1}}).status == 400


def test_missing_required_parameters_are_listed(call: Caller) -> None:
    response = call("GET", "/api/search")
    assert response.status == 400
    # Headers before query strings, as AWS lists them (tests/fidelity/corpus/ls_gateway.yaml).
    assert body_of(response) == {"message": "Missing required request parameters: [X-Tenant, q]"}
    blank = call("GET", "/api/search", query={"q": [""]}, headers={"x-tenant": "t"})
    assert body_of(blank) == {"message": "Missing required request parameters: [q]"}
    ok = call("GET", "/api/search", query={"q": ["a"]}, headers={"x-tenant": "t"})
    assert ok.status == 200
    assert body_of(ok) == {"q": "a", "tenant": "t"}
    assert ok.header("X-Tenant") == "echoed"


def test_unsupported_media_type_is_415(call: Caller) -> None:
    response = call("POST", "/api/events", raw=b"hello", headers={"Content-Type": "text/plain"})
    assert response.status == 415
    assert body_of(response) == {"message": "Unsupported Media Type"}
    assert_cors(response)


def test_payload_over_10_mb_is_413(call: Caller) -> None:
    response = call("POST", "/api/events", raw=b" " * (10 * 1024 * 1024 + 1))
    assert response.status == 413
    assert_cors(response)


def test_content_type_without_model_skips_body_validation_then_415(call: Caller) -> None:
    response = call("PUT", "/api/devices/x", raw=b"{}", headers={"Content-Type": "application/xml"})
    assert response.status == 415


# --- Cognito -------------------------------------------------------------------------------


def test_protected_route_without_token_is_401(call: Caller) -> None:
    response = call("GET", "/api/me")
    assert response.status == 401
    assert body_of(response) == {"message": "Unauthorized"}
    assert_cors(response)


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer not-a-jwt",
        "Bearer a.b.c",
        "Bearer " + local_token({"email": "no-sub@x"}),
        "Bearer " + local_token({"sub": "u"}) + "signature",
    ],
)
def test_protected_route_with_bad_token_is_401(call: Caller, authorization: str) -> None:
    response = call("GET", "/api/me", headers={"Authorization": authorization})
    assert response.status == 401
    assert body_of(response) == {"message": "Unauthorized"}


def test_expired_token_is_401(call: Caller) -> None:
    token = local_token({"sub": "u-1", "exp": int(time.time()) - 10})
    response = call("GET", "/api/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status == 401
    assert body_of(response) == {"message": "The incoming token has expired"}


def test_claims_reach_the_template(call: Caller, resources: Resources, moto_endpoint: str) -> None:
    client("dynamodb", moto_endpoint).put_item(
        TableName=resources.profiles,
        Item={"userId": {"S": "user-7"}, "displayName": {"S": "Ada"}},
    )
    claims = {"sub": "user-7", "email": "ada@example.com", "cognito:groups": "operators"}
    for header in (f"Bearer {local_token(claims)}", local_token(claims)):
        response = call("GET", "/api/me", headers={"Authorization": header})
        assert response.status == 200, response.body
        assert body_of(response) == {
            "userId": "user-7",
            "displayName": "Ada",
            "email": "ada@example.com",
            "groups": "operators",
        }
    unknown = call("GET", "/api/me", headers={"Authorization": local_token({"sub": "who"})})
    assert unknown.status == 404
    assert body_of(unknown) == {"message": "no profile for who"}


# --- routing, CORS -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/api/nope"), ("DELETE", "/api/devices/x"), ("GET", "/prod/devices/x"), ("GET", "/")],
)
def test_unknown_route_is_403_missing_authentication_token(
    call: Caller, method: str, path: str
) -> None:
    response = call(method, path)
    assert response.status == 403
    assert body_of(response)["message"] == "Missing Authentication Token"
    assert response.header("x-amzn-ErrorType") == "MissingAuthenticationTokenException"
    assert_cors(response)


def test_preflight_is_answered_by_the_mock_integration(call: Caller) -> None:
    response = call(
        "OPTIONS",
        "/api/devices/x",
        headers={"Origin": "http://localhost:5173", "Access-Control-Request-Method": "PUT"},
    )
    assert response.status == 200
    assert response.body == b""
    assert response.header("Access-Control-Allow-Origin") == "*"
    assert response.header("Access-Control-Allow-Methods") == "GET,PUT,POST,OPTIONS"
    assert response.header("Access-Control-Allow-Headers") == "Content-Type,Authorization"


def test_greedy_literal_routes_and_context(call: Caller) -> None:
    greedy = call(
        "GET",
        "/api/echo/a/b%2Fc",
        query={"z": ["1"], "y": ["2", "3"]},
        headers={"User-Agent": "ua/1"},
    )
    assert greedy.status == 200
    body = body_of(greedy)
    assert body["proxy"] == "a/b/c"
    assert body["resourcePath"] == "/echo/{proxy+}"
    assert body["path"] == "/api/echo/a/b%2Fc"
    assert (body["httpMethod"], body["stage"], body["sourceIp"], body["userAgent"]) == (
        "GET",
        "api",
        "127.0.0.1",
        "ua/1",
    )
    assert body["queryNames"] == ["z", "y"]
    assert abs(body["requestTimeEpoch"] / 1000 - time.time()) < 60
    assert body["table"].startswith("fleet-devices-")
    assert greedy.header("X-Echo-Override") == "yes"
    assert body_of(call("GET", "/api/echo/fixed")) == {"fixed": True}
    assert call("GET", "/api/echo/fixed/").status == 200


# --- failures of the definition at request time -------------------------------------------


def mock_api(template: str, responses: dict[str, Any], **integration: Any) -> ApiGateway:
    document = {
        "openapi": "3.0.1",
        "paths": {
            "/t": {
                "post": {
                    "operationId": "probe",
                    "x-amazon-apigateway-integration": {
                        "type": "mock",
                        "requestTemplates": {"application/json": template},
                        "responses": responses,
                        **integration,
                    },
                }
            }
        },
    }
    return ApiGateway(document, {}, {}, "http://127.0.0.1:9", "eu-west-1")


def test_selection_patterns_match_the_whole_status_code() -> None:
    api = mock_api(
        '{"statusCode": $input.params("code")}',
        {
            "default": {"statusCode": "200", "responseTemplates": {"application/json": "default"}},
            "4\\d{2}": {"statusCode": "400", "responseTemplates": {"application/json": "client"}},
            "5\\d{2}": {"statusCode": "502", "responseTemplates": {"application/json": "server"}},
        },
    )
    call = Caller(api)

    def answer(code: str) -> tuple[int, bytes]:
        response = call("POST", "/api/t", query={"code": [code]}, body={})
        return response.status, response.body

    assert answer("200") == (200, b"default")
    assert answer("404") == (400, b"client")
    assert answer("503") == (502, b"server")
    assert answer("4000") == (200, b"default")


def test_no_matching_response_and_no_default_is_500() -> None:
    api = mock_api('{"statusCode": 404}', {"2\\d{2}": {"statusCode": "200"}})
    response = Caller(api)("POST", "/api/t", body={})
    assert response.status == 500
    assert body_of(response) == {"message": "Internal server error"}


def test_template_failure_at_request_time_is_500_and_logged(
    call: Caller, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="generator.dev.apigw.gateway"):
        response = call("GET", "/api/devices/x/readings", query={"cursor": ["!!not base64!!"]})
    assert response.status == 500
    assert body_of(response) == {"message": "Internal server error"}
    assert "listReadings.request.vtl:" in caplog.text
    assert "Traceback" not in response.body.decode()


def test_template_reading_a_non_json_body_is_400() -> None:
    api = mock_api(
        '{"statusCode": 200, "x": $input.json("$.a")}',
        {"default": {"statusCode": "200"}},
        passthroughBehavior="when_no_match",
    )
    response = Caller(api)(
        "POST", "/api/t", raw=b"not json", headers={"Content-Type": "application/json"}
    )
    assert response.status == 400
    assert body_of(response)["message"].startswith("Could not parse request body into json")


def test_passthrough_when_no_match_and_when_no_templates() -> None:
    responses = {"default": {"statusCode": "201"}, "4\\d{2}": {"statusCode": "400"}}
    plain = {"Content-Type": "text/plain"}
    lenient = Caller(mock_api('{"statusCode": 201}', responses))
    # No template for text/plain: the raw body reaches the mock integration unchanged.
    assert lenient("POST", "/api/t", raw=b'{"statusCode": 404}', headers=plain).status == 400
    assert lenient("POST", "/api/t", raw=b'{"statusCode": 404}').status == 201
    strict = Caller(
        mock_api('{"statusCode": 201}', responses, passthroughBehavior="when_no_templates")
    )
    assert strict("POST", "/api/t", raw=b'{"statusCode": 404}', headers=plain).status == 415


def test_a_broken_template_does_not_stop_the_api_and_its_operation_answers_500(
    caplog: pytest.LogCaptureFixture,
) -> None:
    api = mock_api("{\n#if($x\n}", {"default": {"statusCode": "200"}})
    assert [str(error).split(": ")[0] for error in api.template_errors] == ["probe.request.vtl:2:7"]
    assert "probe.request.vtl:2:" in caplog.text
    response = Caller(api)("POST", "/api/t", body={})
    assert response.status == 500
    assert body_of(response) == {"message": "Internal server error"}


def test_response_override_status_must_be_a_status(call: Caller) -> None:
    api = mock_api(
        '{"statusCode": 200}',
        {
            "default": {
                "statusCode": "200",
                "responseTemplates": {
                    "application/json": "#set($context.responseOverride.status = 'x')"
                },
            }
        },
    )
    assert Caller(api)("POST", "/api/t", body={}).status == 500
