"""Contract tests: schemathesis generates requests from spec/openapi.yaml and checks every answer of
the running stack against it: no 5xx, documented status codes and content types, bodies that
match the response schemas, CORS on everything.

Two precise allowances, both API Gateway behaviour the spec cannot express per operation:
- a blank (whitespace-only) path parameter fails API Gateway's "required and not blank"
  parameter validation: 400 `{"message": ...}`, declared or not;
- gateway answers are `{"message": string}` bodies.

spec/openapi.yaml leaves the ingestion body to gen (derived from `events:`), so ingestion requests
are generated from the body model of the definition gen emits (generated/api/openapi.json). They
go through the same definition and emulator, served on a second port whose stage variable points
`stream_telemetry` at a scratch stream: the stack's processors never see thousands of random
events (what they do with events is tested in test_3_pipeline). Example counts are bounded and
generation is derandomized, so the module runs in seconds and reproducibly.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from generator.dev.apigw import ApiGateway, wsgi_app
from generator.dev.apigw.auth import local_token
from generator.dev.stack import API_STAGE, RunningStack, gateway_variables
from generator.dev.wsgi_server import WsgiServer
from tests.localstack.support import REPO, sign, unique

pytestmark = pytest.mark.slow

EXAMPLES = 20
"""Per operation and test; ingestion examples are costlier to generate and get fewer."""
INGESTION_EXAMPLES = 12


def gateway_status_codes(ctx: Any, response: Any, case: Any) -> bool | None:
    """`status_code_conformance`, plus API Gateway's 400 for a blank path parameter."""
    try:
        return status_code_conformance(ctx, response, case)
    except AssertionError:
        values = (unquote(str(v)) for v in (case.path_parameters or {}).values())
        blank = any(not v.strip() for v in values)
        if response.status_code == 400 and blank:
            assert response.json() == {"message": response.json()["message"]}
            return None
        raise


def cors_everywhere(ctx: Any, response: Any, case: Any) -> bool | None:
    """The stage's one origin (gen dev's own), never `*`."""
    (origin,) = response.headers.get("access-control-allow-origin") or [None]
    assert origin is not None and origin.startswith("http://127.0.0.1:"), response.headers
    return None


class SigV4(requests.auth.AuthBase):
    """Signs each prepared request as a producer does (botocore, gen dev's local key pair)."""

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        body = request.body or b""
        raw = body.encode() if isinstance(body, str) else bytes(body)  # type: ignore[arg-type]
        headers = {k: v for k, v in request.headers.items() if k.lower() in ("content-type",)}
        request.headers.update(sign(str(request.method), str(request.url), headers, raw))
        return request


def errors_are_messages(ctx: Any, response: Any, case: Any) -> bool | None:
    if response.status_code >= 400:
        body = response.json()
        assert isinstance(body, dict) and set(body) == {"message"} and isinstance(body["message"], str)
    return None


CHECKS = [not_a_server_error, gateway_status_codes, content_type_conformance,
          response_schema_conformance, cors_everywhere, errors_are_messages]
EXCLUDED = [status_code_conformance]
TOKEN = {"Authorization": "Bearer " + local_token({"sub": "local-operator"})}
SETTINGS = settings(deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
                    database=None, max_examples=EXAMPLES)


def _configure(schema: Any, base_url: str, examples: int = EXAMPLES) -> Any:
    schema.config.update(base_url=base_url)
    schema.config.generation.update(modes=[GenerationMode.POSITIVE], max_examples=examples)
    return schema


@pytest.fixture(scope="module")
def spec_schema(stack: RunningStack) -> Any:
    return _configure(schemathesis.openapi.from_path(REPO / "spec/openapi.yaml"), stack.api_url)


@pytest.fixture(scope="module")
def scratch_api(stack: RunningStack, kinesis: Any) -> Iterator[str]:
    """The generated definition on a second port, ingesting into a stream nobody consumes."""
    stream = unique("contract-scratch")
    kinesis.create_stream(StreamName=stream, ShardCount=1)
    definition = json.loads((REPO / "generated/api/openapi.json").read_text(encoding="utf-8"))
    stage_variables = {**stack.names.stage_variables(stack.ir), "stream_telemetry": stream, "cors_origin": stack.url}
    gateway = ApiGateway(definition, gateway_variables(definition, stack.ir, stack.names, stack.region),
                         stage_variables, stack.aws_endpoint, stack.region, stage=API_STAGE)
    server = WsgiServer(wsgi_app(gateway), "127.0.0.1", 0)
    server.start()
    yield f"http://127.0.0.1:{server.port}/{API_STAGE}"
    server.stop()
    gateway.close()
    kinesis.delete_stream(StreamName=stream)


@pytest.fixture(scope="module")
def ingestion_schema(scratch_api: str) -> Any:
    document = json.loads((REPO / "generated/api/openapi.json").read_text(encoding="utf-8"))
    # Batches of up to 4 events keep generation fast; the 1..500 bounds are tested in test_2.
    document["components"]["schemas"]["IngestEventsBody"]["maxItems"] = 4
    return _configure(schemathesis.openapi.from_dict(document), scratch_api, INGESTION_EXAMPLES)


reads = schemathesis.pytest.from_fixture("spec_schema")
ingestion = schemathesis.pytest.from_fixture("ingestion_schema").include(method="POST", path="/events")


@reads.parametrize()
@SETTINGS
def test_every_operation_answers_as_the_spec_says(case: Any) -> None:
    auth = SigV4() if case.operation.method.upper() == "POST" else None
    case.call_and_validate(headers=TOKEN, checks=CHECKS, excluded_checks=EXCLUDED, auth=auth)


@reads.parametrize()
@SETTINGS
def test_without_a_token_only_protected_operations_refuse(case: Any) -> None:
    response = case.call_and_validate(checks=CHECKS, excluded_checks=EXCLUDED)
    schemes = {name for req in case.operation.definition.raw.get("security") or [] for name in req}
    refused = {"cognito": 401, "sigv4": 403}  # no token; no signature (Missing Authentication Token)
    if schemes:
        (scheme,) = schemes
        assert response.status_code == refused[scheme], (case.operation.label, response.status_code)
    else:
        assert response.status_code not in (401, 403), (case.operation.label, response.status_code)


@ingestion.parametrize()
@settings(SETTINGS, max_examples=INGESTION_EXAMPLES)
def test_ingestion_accepts_what_the_body_model_allows(case: Any) -> None:
    response = case.call_and_validate(checks=CHECKS, excluded_checks=EXCLUDED, auth=SigV4())
    assert response.status_code == 202, response.text
    result = response.json()
    assert result["failed"] == 0
    assert len(result["results"]) == len(case.body)
