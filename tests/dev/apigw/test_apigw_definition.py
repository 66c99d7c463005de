"""Loading a definition: templatefile() placeholders, $refs, routes and their precedence."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from apigw_support import fixture_definition, fixture_vars

from generator.dev.apigw.definition import (
    DefinitionError,
    load_definition,
    required_variables,
    substitute,
)

VARS = {"region": "eu-west-1", **fixture_vars()}


def mock_operation(operation_id: str) -> dict[str, Any]:
    return {
        "operationId": operation_id,
        "x-amazon-apigateway-integration": {
            "type": "mock",
            "requestTemplates": {"application/json": '{"statusCode": 200}'},
            "responses": {"default": {"statusCode": "200"}},
        },
    }


def routes_document(*paths: str) -> dict[str, Any]:
    return {"openapi": "3.0.1", "paths": {p: {"get": mock_operation(p)} for p in paths}}


def test_placeholders_are_filled_like_templatefile() -> None:
    doc = {
        "a": "arn:aws:apigateway:${region}:dynamodb:action/GetItem",
        "b": ["$${literal}", "100%%{x}"],
    }
    assert substitute(doc, {"region": "eu-west-1"}) == {
        "a": "arn:aws:apigateway:eu-west-1:dynamodb:action/GetItem",
        "b": ["${literal}", "100%{x}"],
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("${nope}", "undefined template variable ${nope}"),
        ("${a.b}", "unsupported template expression"),
        ("%{ if x }", "directive"),
    ],
)
def test_bad_placeholders_are_located_errors(text: str, message: str) -> None:
    with pytest.raises(DefinitionError, match=r"/paths/~1x/get: .*") as caught:
        substitute({"paths": {"/x": {"get": text}}}, {"a": "1"})
    assert message in str(caught.value)


def test_fixture_definition_loads_with_uris_credentials_and_authorizer_filled() -> None:
    api = load_definition(fixture_definition(), VARS)
    operations = {op.operation_id: op for op in api.operations()}
    get_device = operations["getDevice"]
    assert get_device.integration.action is not None
    assert (get_device.integration.action.region, get_device.integration.action.service) == (
        "eu-west-1",
        "dynamodb",
    )
    assert get_device.integration.action.action == "GetItem"
    assert operations["ingestEvents"].integration.action.service == "kinesis"  # type: ignore[union-attr]
    assert operations["getMyProfile"].authorizer is not None
    assert operations["getMyProfile"].authorizer.header == "Authorization"
    assert operations["getDevice"].authorizer is None


def test_parameters_from_refs_and_path_level_are_merged() -> None:
    api = load_definition(fixture_definition(), VARS)
    operations = {op.operation_id: op for op in api.operations()}
    names = {(p.location, p.name, p.required) for p in operations["listReadings"].parameters}
    assert names == {
        ("path", "deviceId", True),
        ("querystring", "limit", False),
        ("querystring", "cursor", False),
    }
    put = {(p.location, p.name) for p in operations["putDevice"].parameters}
    assert put == {("path", "deviceId"), ("querystring", "note")}


def test_body_models_keep_refs_resolvable_and_validator_flags() -> None:
    api = load_definition(fixture_definition(), VARS)
    ingest = next(op for op in api.operations() if op.operation_id == "ingestEvents")
    assert set(ingest.body_models) == {"application/json", "application/cloudevents-batch+json"}
    model = ingest.body_models["application/json"]
    assert model["$ref"] == "#/components/schemas/EventBatch"
    assert "EventBatch" in model["components"]["schemas"]
    assert (ingest.validate_body, ingest.validate_parameters) == (True, True)
    get_device = next(op for op in api.operations() if op.operation_id == "getDevice")
    assert (get_device.validate_body, get_device.validate_parameters) == (False, True)


def test_route_precedence_literal_over_param_over_greedy() -> None:
    api = load_definition(
        routes_document("/a/{id}", "/a/fixed", "/a/{proxy+}", "/{x}/b", "/", "/a/{id}/c"), {}
    )

    def resource(path: str) -> str | None:
        found = api.match(path)
        return None if found is None else found[0].resource_path

    assert resource("/a/fixed") == "/a/fixed"
    assert resource("/a/other") == "/a/{id}"
    assert resource("/a/one/two") == "/a/{proxy+}"
    assert resource("/a/one/c") == "/a/{id}/c"
    assert resource("/z/b") == "/{x}/b"
    assert resource("/") == "/"
    assert resource("/nothing") is None


def test_path_parameters_are_percent_decoded_after_matching() -> None:
    api = load_definition(routes_document("/a/{id}", "/g/{proxy+}"), {})
    found = api.match("/a/x%2Fy%20z")
    assert found is not None and found[1] == {"id": "x/y z"}
    found = api.match("/g/p/q%3F")
    assert found is not None and found[1] == {"proxy": "p/q?"}


def test_any_method() -> None:
    doc = {
        "openapi": "3.0.1",
        "paths": {"/x": {"x-amazon-apigateway-any-method": mock_operation("x")}},
    }
    route, _ = load_definition(doc, {}).match("/x") or (None, None)
    assert route is not None
    assert route.operation("DELETE") is not None


def test_unsupported_constructs_are_definition_errors() -> None:
    doc = fixture_definition()
    http = copy.deepcopy(doc)
    http["paths"]["/me"]["get"]["x-amazon-apigateway-integration"]["type"] = "http_proxy"
    with pytest.raises(DefinitionError, match="getMyProfile: integration type 'http_proxy'"):
        load_definition(http, VARS)
    path_uri = copy.deepcopy(doc)
    path_uri["paths"]["/me"]["get"]["x-amazon-apigateway-integration"]["uri"] = (
        "arn:aws:apigateway:${region}:s3:path/bucket/key"
    )
    with pytest.raises(DefinitionError, match="action/<Action>"):
        load_definition(path_uri, VARS)
    validator = copy.deepcopy(doc)
    validator["paths"]["/search"]["get"]["x-amazon-apigateway-request-validator"] = "nope"
    with pytest.raises(DefinitionError, match="unknown request validator 'nope'"):
        load_definition(validator, VARS)
    ref = copy.deepcopy(doc)
    ref["paths"]["/search"]["get"]["parameters"].append({"$ref": "#/components/parameters/nope"})
    with pytest.raises(DefinitionError, match="unresolvable \\$ref"):
        load_definition(ref, VARS)
    with pytest.raises(DefinitionError, match="undefined template variable \\$\\{user_pool_arn\\}"):
        load_definition(doc, {k: v for k, v in VARS.items() if k != "user_pool_arn"})


def test_required_variables_lists_every_placeholder_once() -> None:
    assert required_variables(fixture_definition()) == set(VARS)
    assert required_variables({"a": ["$${not} ${x}", {"b": "${ y }"}]}) == {"x", "y"}
