"""Generated requests (schemathesis) over the spec: no server errors, answers as documented.

- fuzz: requests generated from spec/openapi.yaml for every operation, sent with credentials:
  no 5xx, documented status codes and content types, bodies that match the response schemas,
  CORS on every answer, errors as `{"message": string}`;
- fuzz-unauthenticated: the same requests without credentials: exactly the protected
  operations refuse (locally 401 without a token, 403 without a signature or API key; a
  deployed stage may answer either);
- fuzz-ingestion: batches generated from the body model gen derives from `events:` (in
  generated/api/openapi.json) are accepted with 202 and no failed entry. Locally they go to a
  scratch stream no processor reads; against a deployed stage this is skipped (it would feed
  random events to the real processors).
Two allowances, both API Gateway behaviour the spec cannot express: a blank path parameter fails
its "required" validation with 400 `{"message"}`, declared or not; gateway answers are
`{"message": string}`. Generation is derandomized and bounded, so a run is reproducible.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

from generator.contract.report import CaseResult
from generator.contract.target import Target

EXAMPLES = 20
"""Generated requests per operation; ingestion batches cost more and get fewer."""
INGESTION_EXAMPLES = 12
INGESTION_BATCH = 4
"""Events per generated batch at most (the 1..500 bounds are API Gateway's to check)."""


def _checks() -> tuple[list[Any], list[Any]]:
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    def gateway_status_codes(ctx: Any, response: Any, case: Any) -> bool | None:
        try:
            return bool(status_code_conformance(ctx, response, case))
        except AssertionError:
            values = (unquote(str(v)) for v in (case.path_parameters or {}).values())
            if response.status_code == 400 and any(not v.strip() for v in values):
                body = response.json()
                assert isinstance(body, dict) and set(body) == {"message"}, body
                return None
            raise

    def cors_everywhere(ctx: Any, response: Any, case: Any) -> bool | None:
        origins = response.headers.get("access-control-allow-origin") or []
        assert len(origins) == 1 and origins[0] not in ("", "*"), \
            f"no Access-Control-Allow-Origin naming the stage's one origin in {dict(response.headers)}"
        return None

    def errors_are_messages(ctx: Any, response: Any, case: Any) -> bool | None:
        if response.status_code >= 400:
            body = response.json()
            assert isinstance(body, dict) and set(body) == {"message"} and isinstance(body["message"], str), \
                f"an error body is {{message: string}}, got {body!r}"
        return None

    checks = [not_a_server_error, gateway_status_codes, content_type_conformance,
              response_schema_conformance, cors_everywhere, errors_are_messages]
    return checks, [status_code_conformance]


def _configure(schema: Any, base_url: str, examples: int) -> Any:
    from schemathesis import GenerationMode

    schema.config.update(base_url=base_url)
    schema.config.generation.update(modes=[GenerationMode.POSITIVE], max_examples=examples)
    return schema


def _run(check: str, schema: Any, examples: int, call: Callable[[Any], None],
         include: Callable[[Any], bool] = lambda op: True) -> list[CaseResult]:
    """One case per operation: `call(case)` for generated cases until one fails."""
    from hypothesis import HealthCheck, given, settings

    out: list[CaseResult] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if not include(operation):
            continue
        label = f"{operation.method.upper()} {operation.path}"
        seen = [0]

        @given(case=operation.as_strategy())
        @settings(deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None,
                  max_examples=examples, print_blob=False)
        def run(case: Any) -> None:
            seen[0] += 1
            call(case)

        started = time.monotonic()
        try:
            run()
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as error:  # the failure, shrunk by Hypothesis (schemathesis' FailureGroup
            # is a BaseExceptionGroup)
            out.append(CaseResult(check, label, "failed", _failure_text(error), time.monotonic() - started))
        else:
            out.append(CaseResult(check, label, "passed", f"{seen[0]} generated request(s)",
                                  time.monotonic() - started))
    return out


def _failure_text(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    lines = [line for line in text.splitlines() if line.strip()]
    return "\n".join(f"  {line}" for line in lines[:25])


def check_fuzz(target: Target) -> list[CaseResult]:
    import schemathesis

    checks, excluded = _checks()
    schema = _configure(schemathesis.openapi.from_dict(copy.deepcopy(target.spec_document)),
                        target.api_url, EXAMPLES)
    authenticated = target.http.session()
    plain = target.http.session() if target.http.auth.kind == "none" else None
    # locally exact per scheme: no token 401, no signature or API key 403 (Missing Authentication
    # Token / Forbidden); a deployed stage may answer either
    local_refusal = {f"{op.method.upper()} {op.path}": (403,) if op.auth in ("iam", "api_key") else (401,)
                     for op in target.ir.operations}

    def with_credentials(case: Any) -> None:
        case.call_and_validate(session=authenticated, checks=checks, excluded_checks=excluded)

    def without_credentials(case: Any) -> None:
        import requests

        response = case.call_and_validate(session=plain or requests.Session(), checks=checks,
                                          excluded_checks=excluded)
        protected = bool(case.operation.definition.raw.get("security"))
        refused = (401, 403) if target.local is None else local_refusal.get(case.operation.label, (401,))
        assert (response.status_code in refused) == protected, (
            f"{case.operation.label} without credentials answered {response.status_code}"
            f" ({'protected' if protected else 'not protected'})")

    if target.http.auth.kind == "none" and any(op.needs_credentials for op in target.ir.operations):
        out = [CaseResult("fuzz", "protected operations", "skipped", "pass --token, --sigv4 or --api-key")]
        out += _run("fuzz", schema, EXAMPLES, with_credentials,
                    lambda op: not op.definition.raw.get("security"))
    else:
        out = _run("fuzz", schema, EXAMPLES, with_credentials)
    out += _run("fuzz-unauthenticated", schema, EXAMPLES, without_credentials)
    return out


def _not_ahead(body: Any, fields: dict[str, str | None]) -> None:
    """Generated times may lie in year 9999; the event-time guard (`max_future`) refuses those
    with 400, as documented. Guarded times are set to now, so the rest of the model is fuzzed."""
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    for event in body if isinstance(body, list) else []:
        if isinstance(event, dict) and event.get("type") in fields:
            event["time"] = now
            field, data = fields[event["type"]], event.get("data")
            if field and isinstance(data, dict) and field in data:
                data[field] = now


def check_fuzz_ingestion(target: Target) -> list[CaseResult]:
    import schemathesis

    ingest = [op for op in target.ir.operations if op.kind == "ingest"]
    if not ingest:
        return []
    if target.local is None:
        return [CaseResult("fuzz-ingestion", f"POST {op.path}", "skipped",
                           "generated events would reach the deployed processors") for op in ingest]
    checks, excluded = _checks()
    document = copy.deepcopy(target.definition)
    for op in ingest:
        body = (document["paths"][op.path]["post"].get("requestBody") or {}).get("content", {})
        for media in body.values():
            ref = str((media.get("schema") or {}).get("$ref", ""))
            if ref.startswith("#/components/schemas/"):
                document["components"]["schemas"][ref.rsplit("/", 1)[1]]["maxItems"] = INGESTION_BATCH
    paths = {op.path for op in ingest}
    session = target.http.session()

    fields = {e.type: e.time_field for e in target.ir.events if e.max_future_seconds is not None}

    def accepted(case: Any) -> None:
        _not_ahead(case.body, fields)
        response = case.call_and_validate(session=session, checks=checks, excluded_checks=excluded)
        assert response.status_code == 202, f"{response.status_code} {response.text[:300]}"
        result = response.json()
        assert result["failed"] == 0 and len(result["results"]) == len(case.body), result

    with target.local.scratch_ingestion() as scratch_url:
        schema = _configure(schemathesis.openapi.from_dict(document), scratch_url, INGESTION_EXAMPLES)
        return _run("fuzz-ingestion", schema, INGESTION_EXAMPLES, accepted,
                    lambda op: op.method.upper() == "POST" and op.path in paths)
