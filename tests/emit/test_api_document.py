"""Structural tests of generated/api/openapi.json (reference and edge-case specs).

The document must be valid OpenAPI 3.0, integrate every operation as docs/api-definition.md says,
keep `${...}` to the three allowed places, give API Gateway draft-4 body models that mean what the
spec means (null included), and be accepted by the emulator and by the Terraform side's variables.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator  # type: ignore[import-untyped]
from openapi_spec_validator.validation.validators import OpenAPIV30SpecValidator

from generator.dev.apigw.definition import load_definition, required_variables
from generator.emit.api import emit_api
from generator.ir.nodes import Ir
from tests.vtl.support import EDGE, REPO, case_files, case_ir

ROOTS = [REPO, EDGE]
IDS = ["reference", "edge"]
GATEWAY_RESPONSES = {"DEFAULT_4XX", "DEFAULT_5XX", "BAD_REQUEST_BODY", "BAD_REQUEST_PARAMETERS", "UNAUTHORIZED",
                     "ACCESS_DENIED", "MISSING_AUTHENTICATION_TOKEN", "UNSUPPORTED_MEDIA_TYPE"}
ACAO = "Access-Control-Allow-Origin"
ORIGIN = "stageVariables.cors_origin"


def _doc(root: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(case_files(root)["generated/api/openapi.json"])
    return document


def _walk(node: Any, path: tuple[Any, ...] = ()) -> Any:
    yield path, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _walk(value, path + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk(value, path + (i,))


@pytest.mark.parametrize("root", ROOTS, ids=IDS)
def test_document_is_valid_openapi_3_0(root: Path) -> None:
    doc = _doc(root)
    assert doc["openapi"] == "3.0.1"
    validator = OpenAPIV30SpecValidator(doc)  # type: ignore[arg-type]
    assert [e.message for e in validator.iter_errors()] == []


@pytest.mark.parametrize("root", ROOTS, ids=IDS)
def test_every_operation_is_integrated(root: Path) -> None:
    ir, doc = case_ir(root), _doc(root)
    validators = doc["x-amazon-apigateway-request-validators"]
    for op in ir.operations:
        method = doc["paths"][op.path][op.method]
        assert method["operationId"] == op.operation_id
        integration = method["x-amazon-apigateway-integration"]
        service, action = {"get_item": ("dynamodb", "GetItem"), "scan": ("dynamodb", "Scan"),
                           "query": ("dynamodb", "Query"), "ingest": ("kinesis", "PutRecords")}[op.kind]
        assert integration["type"] == "aws" and integration["httpMethod"] == "POST"
        assert integration["uri"] == f"arn:aws:apigateway:${{region}}:{service}:action/{action}"
        assert integration["credentials"] == f"${{role_{op.operation_id}}}"
        assert integration["passthroughBehavior"] == "never"
        types = {"application/json", "application/cloudevents-batch+json"} if op.kind == "ingest" else {"application/json"}
        assert set(integration["requestTemplates"]) == types
        assert set(integration["responses"]) == {"default", "4\\d{2}", "5\\d{2}"}
        for response in integration["responses"].values():
            assert response["statusCode"] in method["responses"], (op.operation_id, response["statusCode"])
            assert response["responseParameters"] == {f"method.response.header.{ACAO}": ORIGIN}
            assert set(response["responseTemplates"]) == {"application/json"}
        assert integration["responses"]["default"]["statusCode"] == ("202" if op.kind == "ingest" else "200")
        for status, response in method["responses"].items():
            assert ACAO in response["headers"], (op.operation_id, status)
        body = validators[method["x-amazon-apigateway-request-validator"]]
        assert body == {"validateRequestBody": op.kind == "ingest", "validateRequestParameters": True}
        assert ("security" in method) == (op.auth != "none")
        assert "x-gen" not in method


@pytest.mark.parametrize("root", ROOTS, ids=IDS)
def test_every_path_has_a_cors_preflight(root: Path) -> None:
    for path, item in _doc(root)["paths"].items():
        options = item["options"]
        integration = options["x-amazon-apigateway-integration"]
        assert integration["type"] == "mock"
        headers = integration["responses"]["default"]["responseParameters"]
        methods = sorted(m.upper() for m in item if m != "options") + ["OPTIONS"]
        assert headers["method.response.header.Access-Control-Allow-Methods"] == "'" + ",".join(methods) + "'"
        assert headers[f"method.response.header.{ACAO}"] == ORIGIN
        assert set(options["responses"]["200"]["headers"]) == {h.rsplit(".", 1)[1] for h in headers}
        assert sorted(p["name"] for p in options.get("parameters", [])) == sorted(re.findall(r"\{(\w+)\}", path))


def test_gateway_responses_are_json_with_cors() -> None:
    responses = _doc(REPO)["x-amazon-apigateway-gateway-responses"]
    assert set(responses) == GATEWAY_RESPONSES
    for kind, response in responses.items():
        assert response["responseParameters"][f"gatewayresponse.header.{ACAO}"] == ORIGIN
        template = response["responseTemplates"]["application/json"]
        filled = template.replace("$context.error.messageString", '"Some \\"quoted\\" message"')
        assert set(json.loads(filled)) == {"message"}, kind
    assert responses["UNSUPPORTED_MEDIA_TYPE"]["statusCode"] == "415"
    assert responses["UNAUTHORIZED"]["statusCode"] == "401"
    # a refused body says why: API Gateway's request validator fills validationErrorString
    assert responses["BAD_REQUEST_BODY"]["responseTemplates"]["application/json"] == (
        '{"message": "$context.error.message $context.error.validationErrorString"}')
    # POST /events takes SigV4: an unsigned request must say so (403), not "Not found"
    missing = responses["MISSING_AUTHENTICATION_TOKEN"]
    assert missing["statusCode"] == "403"
    assert "messageString" in missing["responseTemplates"]["application/json"]


@pytest.mark.parametrize("root", ROOTS, ids=IDS)
def test_placeholders_only_where_terraform_fills_them(root: Path) -> None:
    ir, doc = case_ir(root), _doc(root)
    for path, value in _walk(doc):
        if isinstance(value, str) and ("${" in value or "%{" in value):
            key = next(p for p in reversed(path) if isinstance(p, str))
            assert key in ("uri", "credentials", "providerARNs"), path
    names = {"region"} | {f"role_{op.operation_id}" for op in ir.operations}
    names |= {"user_pool_arn"} if any(op.protected for op in ir.operations) else set()
    assert required_variables(doc) == names


@pytest.mark.parametrize("root", ROOTS, ids=IDS)
def test_terraform_and_the_emulator_agree_with_the_document(root: Path) -> None:
    from generator.emit.terraform.api import stage_variables, template_variables

    ir, doc = case_ir(root), _doc(root)
    provided = {name for name, _ in template_variables(ir)}
    assert required_variables(doc) <= provided
    stage = {name for name, _ in stage_variables(ir)}
    used = set(re.findall(r"\$stageVariables\.(\w+)", json.dumps(doc)))
    assert used and used <= stage
    mapped = set(re.findall(r'"stageVariables\.(\w+)"', json.dumps(doc)))
    assert mapped == {"cors_origin"} and mapped <= stage
    definition = load_definition(doc, {name: "arn:x" for name in provided} | {"region": "eu-west-1"})
    assert {op.operation_id for op in definition.operations() if op.method != "OPTIONS"} == \
        {op.operation_id for op in ir.operations}


@pytest.mark.parametrize("root", ROOTS, ids=IDS)
def test_models_are_3_0_and_draft_4(root: Path) -> None:
    doc = _doc(root)
    for path, node in _walk(doc):
        assert path[-1:] != ("x-gen",), path
        in_schema = path[:2] == ("components", "schemas") or "schema" in path
        if not in_schema or "properties" in path[-1:]:
            continue
        if isinstance(node, dict) and "type" in node:
            assert isinstance(node["type"], str), path  # no 3.1 type lists
        if isinstance(node, dict):
            assert not set(node) & {"const", "examples", "example", "default", "discriminator", "readOnly"}, path
    for name, schema in doc["components"]["schemas"].items():
        Draft4Validator.check_schema(schema)
        assert re.fullmatch(r"[A-Za-z0-9]+", name)


def test_nullable_is_documentation_form_in_responses_and_draft_4_in_bodies() -> None:
    schemas = _doc(REPO)["components"]["schemas"]
    assert schemas["Device"]["properties"]["firmware"] == {"type": "string", "nullable": True, "maxLength": 64}
    assert schemas["Device"]["properties"]["lastReading"] == {
        "anyOf": [{"$ref": "#/components/schemas/Measurement"}, {"enum": [None]}]}
    humidity = schemas["ReadingRecorded"]["properties"]["humidity"]
    assert "nullable" not in json.dumps(humidity)
    assert humidity == {"anyOf": [{"type": "number", "minimum": 0, "maximum": 100}, {"enum": [None]}]}


def _body_validator(root: Path, operation_id: str) -> Draft4Validator:
    """The body model as API Gateway (and the emulator) apply it: draft 4, refs into components."""
    doc = _doc(root)
    path, method = next((p, m) for p, item in doc["paths"].items() for m, op in item.items()
                        if op.get("operationId") == operation_id)
    content = doc["paths"][path][method]["requestBody"]["content"]
    assert set(content) == {"application/json", "application/cloudevents-batch+json"}
    schema = content["application/json"]["schema"]
    return Draft4Validator({**schema, "components": doc["components"]}, format_checker=Draft4Validator.FORMAT_CHECKER)


def _reading(**changes: Any) -> dict[str, Any]:
    event: dict[str, Any] = {"specversion": "1.0", "id": "e1", "source": "dev/1", "type": "reading.recorded",
                             "subject": "d-1", "time": "2024-05-01T10:00:00Z",
                             "data": {"deviceId": "d-1", "time": "2024-05-01T10:00:00Z", "temperature": 21.5,
                                      "humidity": None, "battery": 80}}
    event.update(changes)
    return event


@pytest.mark.parametrize(("batch", "valid"), [
    ([_reading()], True),
    ([_reading(datacontenttype="application/json")], True),
    ([_reading(extension="allowed")], True),
    ([_reading(), _reading(type="device.heartbeat", data={"deviceId": "d", "time": "2024-05-01T10:00:00Z"})], True),
    ([_reading()] * 500, True),
    ([], False),
    ([_reading()] * 501, False),
    ([_reading(type="device.registered")], False),  # data of another type: no siteId, name, model
    ([_reading(type="nope")], False),
    ([_reading(specversion="0.3")], False),
    ([_reading(subject="")], False),
    ([_reading(subject="x" * 257)], False),
    ([{k: v for k, v in _reading().items() if k != "time"}], False),
    ([_reading(data={"deviceId": "d-1", "time": "2024-05-01T10:00:00Z", "temperature": "hot", "battery": 80})], False),
    ([_reading(data={"deviceId": "d-1", "time": "2024-05-01T10:00:00Z", "temperature": 1, "battery": 101})], False),
    (_reading(), False),
])
def test_ingest_body_model_accepts_exactly_the_spec_events(batch: Any, valid: bool) -> None:
    errors = list(_body_validator(REPO, "ingestEvents").iter_errors(batch))
    assert (not errors) == valid, [e.message for e in errors]


def test_nullable_ref_in_event_data_accepts_null() -> None:
    event: dict[str, Any] = {"specversion": "1.0", "id": "1", "source": "s", "type": "thing.changed", "subject": "t",
             "time": "2024-05-01T10:00:00Z", "data": {"thingId": "t", "title": "x", "ratio": None, "owner": None}}
    validator = _body_validator(EDGE, "postInbox")
    assert not list(validator.iter_errors([event]))
    assert list(validator.iter_errors([{**event, "data": {**event["data"], "owner": {"email": "no id"}}}]))


@pytest.mark.parametrize("root", ROOTS, ids=IDS)
def test_output_is_canonical_and_deterministic(root: Path) -> None:
    ir: Ir = case_ir(root)
    first = {f.path: f.content for f in emit_api(ir)}
    assert first == {f.path: f.content for f in emit_api(ir)}
    text = first["generated/api/openapi.json"]
    assert text == json.dumps(json.loads(text), sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    assert all(f.header is False for f in emit_api(ir))  # headers are in the text, identical to the embedded copy


GOLDEN = REPO / "tests/golden/cases"


@pytest.mark.parametrize(("root", "operation", "scheme"), [
    (REPO, "ingestEvents", {"type": "apiKey", "name": "Authorization", "in": "header",
                            "x-amazon-apigateway-authtype": "awsSigv4"}),
    (GOLDEN / "query_gsi_nested", "postActivity", {"type": "apiKey", "name": "x-api-key", "in": "header"}),
], ids=["sigv4", "api-key"])
def test_ingestion_takes_iam_or_api_keys_as_api_gateway_imports_them(root: Path, operation: str,
                                                                       scheme: dict[str, str]) -> None:
    """AWS_IAM is `x-amazon-apigateway-authtype: awsSigv4`; apiKeyRequired is a plain x-api-key
    scheme (keys read from the header); both refuse with 403, API keys also with 429."""
    ir, doc = case_ir(root), _doc(root)
    (op,) = [o for o in ir.operations if o.operation_id == operation]
    method = doc["paths"][op.path]["post"]
    (requirement,) = method["security"]
    (name,) = requirement
    assert {k: v for k, v in doc["components"]["securitySchemes"][name].items() if k != "description"} == scheme
    assert "403" in method["responses"] and ("429" in method["responses"]) == (op.auth == "api_key")
    assert doc.get("x-amazon-apigateway-api-key-source") == ("HEADER" if op.auth == "api_key" else None)
