"""The AWS-recorded expectation corpus: its cases, loaded from `corpus/*.yaml`, and how one runs.

A corpus file holds cases that share a source (`source:`: where AWS's answer was recorded or
documented) and a list of `cases:`. A case is one of two kinds:

- `template`: one mapping template (or a request template whose output an echoing backend hands
  to a response template) rendered by the emulator's engine with `$input`, `$util`, `$context`
  and `$stageVariables` as the emulator builds them; its output is compared with AWS's.
- `api`: an API definition (OpenAPI `paths` with `x-amazon-apigateway-*`), deployed on the
  emulator (`ApiGateway`), and requests sent to it; each request is its own case. The backend is
  a mock integration, a stub that replays the service answer AWS recorded (and keeps what the
  emulator sent it), an echo, an unreachable endpoint, or local AWS (moto, called in-process as
  `gen dev` calls it). In a request path, `<c*n>` stands for the character c written n times.

Expectations compare text exactly (`output`, `body`), or JSON structurally (`output_json`,
`body_json`, `sent_json`), where the string `<ANY>` matches any non-empty value: snapshot files
replace request ids, timestamps and the like with placeholders, and so does the corpus.
"""

from __future__ import annotations

import base64
import json
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from generator.dev.apigw import ApiGateway
from generator.dev.apigw.service import IntegrationFailure
from generator.dev.apigw.velocity.variables import Params, TemplateVariables, VtlError, render
from generator.dev.apigw.context import new_context

HERE = Path(__file__).parent
CORPUS = HERE / "corpus"
EXCEPTIONS = HERE / "exceptions.yaml"
REGION = "us-east-1"
ANY = "<ANY>"


@dataclass(frozen=True)
class Provenance:
    """Where AWS's answer comes from: a URL, the file or page, and when it was recorded."""

    url: str
    where: str
    recorded: str | None
    kind: str  # "snapshot" (a test recorded against AWS) | "docs" (AWS documentation)


@dataclass(frozen=True)
class Case:
    id: str
    kind: str  # "template" | "api"
    what: str
    provenance: Provenance
    spec: Mapping[str, Any]
    api: Mapping[str, Any] | None = None  # for "api" cases: the shared API and backend


def _provenance(source: Mapping[str, Any], case: Mapping[str, Any]) -> Provenance:
    merged = {**source, **(case.get("source") or {})}
    where = str(merged.get("path") or merged.get("page") or "")
    key = case.get("key")
    if merged.get("test"):
        where += f" :: {merged['test']}"
    if key:
        where += f" :: {key}"
    return Provenance(
        url=str(merged["url"]),
        where=where,
        recorded=str(merged["recorded"]) if merged.get("recorded") else None,
        kind=str(merged["kind"]),
    )


def load_cases(folder: Path = CORPUS) -> list[Case]:
    """Every case of every corpus file, in file order; ids are `<file>/<case>[/<request>]`."""
    cases: list[Case] = []
    for path in sorted(folder.glob("*.yaml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        source = document["source"]
        for entry in document["cases"]:
            base = f"{path.stem}/{entry['id']}"
            if "api" in entry:
                for request in entry["requests"]:
                    cases.append(
                        Case(
                            id=f"{base}/{request['id']}",
                            kind="api",
                            what=str(request.get("what") or entry["what"]),
                            provenance=_provenance(source, {**entry, **request}),
                            spec=request,
                            api=entry,
                        )
                    )
            else:
                cases.append(
                    Case(
                        id=base,
                        kind="template",
                        what=str(entry["what"]),
                        provenance=_provenance(source, entry),
                        spec=entry,
                    )
                )
    return cases


def load_exceptions(path: Path = EXCEPTIONS) -> dict[str, str]:
    """Known, documented disagreements: case id -> the reason."""
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {str(key): str(value) for key, value in (document.get("exceptions") or {}).items()}


# --- comparison -----------------------------------------------------------------------------


def mismatches(expected: Any, actual: Any, where: str = "$") -> list[str]:
    """Where `actual` differs from `expected` (JSON values; `<ANY>` matches any non-empty value)."""
    if expected == ANY:
        return (
            []
            if actual not in (None, "", [], {})
            else [f"{where}: expected a value, got {actual!r}"]
        )
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{where}: expected an object, got {actual!r}"]
        problems = [f"{where}: missing key {k!r}" for k in expected if k not in actual]
        problems += [f"{where}: unexpected key {k!r}" for k in actual if k not in expected]
        for key in expected:
            if key in actual:
                problems += mismatches(expected[key], actual[key], f"{where}.{key}")
        return problems
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return [f"{where}: expected {expected!r}, got {actual!r}"]
        problems: list[str] = []
        for index, (want, got) in enumerate(zip(expected, actual, strict=True)):
            problems += mismatches(want, got, f"{where}[{index}]")
        return problems
    if type(expected) is not type(actual) or expected != actual:
        return [f"{where}: expected {expected!r}, got {actual!r}"]
    return []


def _sorted_lists(value: Any) -> Any:
    """The value with every list sorted (for answers whose order AWS does not define)."""
    if isinstance(value, dict):
        return {key: _sorted_lists(item) for key, item in value.items()}
    if isinstance(value, list):
        return sorted((_sorted_lists(item) for item in value), key=json.dumps)
    return value


def _json_mismatches(expected: Any, text: str, label: str, unordered: bool) -> list[str]:
    try:
        actual = json.loads(text)
    except ValueError as error:
        return [f"{label} is not JSON ({error}): {text!r}"]
    if unordered:
        expected, actual = _sorted_lists(expected), _sorted_lists(actual)
    return [f"{label} {problem}" for problem in mismatches(expected, actual)]


# --- template cases -------------------------------------------------------------------------


def _params(request: Mapping[str, Any]) -> Params:
    return Params(
        path=dict(request.get("path_params") or {}),
        querystring=dict(request.get("query") or {}),
        header=dict(request.get("headers") or {}),
    )


def _context(request: Mapping[str, Any]) -> dict[str, Any]:
    """`$context` as the emulator builds it for a request with these facts."""
    headers = {k.lower(): v for k, v in (request.get("headers") or {}).items()}
    return new_context(
        request_id=str(uuid.uuid4()),
        extended_request_id="ExtendedId12=",
        http_method=str(request.get("method", "POST")),
        resource_path=str(request.get("resource_path", "/test")),
        path=str(request.get("request_path", "/dev/test")),
        stage=str(request.get("stage", "dev")),
        request_time=datetime.now(UTC),
        source_ip="192.0.2.1",
        user_agent=str(headers.get("user-agent", "")),
        claims=None,
        domain_name="abcd1234.execute-api.us-east-1.amazonaws.com",
        account_id="111122223333",
        api_id="abcd1234",
    )


def _render(
    text: str, name: str, body: str, request: Mapping[str, Any], context: dict[str, Any]
) -> str:
    variables = TemplateVariables(
        body, _params(request), context, dict(request.get("stage_variables") or {})
    )
    return render(text, name, variables)


def run_template_case(case: Case) -> list[str]:
    """Render the case's template(s); the differences from AWS's output (empty: it matches)."""
    spec = case.spec
    request = spec.get("request") or {}
    body = _body_text(request.get("body"))
    context = _context(request)
    try:
        if "template" in spec:
            output = _render(spec["template"], "case.vtl", body, request, context)
        else:
            sent = _render(spec["request_template"], "request.vtl", body, request, context)
            output = _render(spec["response_template"], "response.vtl", sent, request, context)
    except (VtlError, ValueError) as error:
        return [f"the emulator failed: {type(error).__name__}: {error}"]
    expect = spec["expect"]
    problems = _context_mismatches(expect.get("context") or {}, context)
    if "output" in expect and output != expect["output"]:
        problems.append(f"output {output!r} != {expect['output']!r}")
    if "output_json" in expect:
        unordered = bool(expect.get("unordered"))
        problems += _json_mismatches(expect["output_json"], output, "output", unordered)
    return problems


def _context_mismatches(expected: Mapping[str, Any], context: Mapping[str, Any]) -> list[str]:
    """`expect.context`: dotted paths into `$context` after the templates ran (the overrides)."""
    problems = []
    for dotted, wanted in expected.items():
        value: Any = context
        for part in dotted.split("."):
            value = value.get(part) if isinstance(value, Mapping) else None
        if value != wanted:
            problems.append(f"$context.{dotted} is {value!r}, not {wanted!r}")
    return problems


def _body_text(body: Any) -> str:
    if body is None:
        return ""
    if isinstance(body, str):
        return body
    return json.dumps(body)


# --- api cases ------------------------------------------------------------------------------


@dataclass
class Backend:
    """The integration's far side: stub, echo or local AWS; it keeps every request it got."""

    spec: Mapping[str, Any]
    local: Any = None  # an InProcessAws for "moto" backends
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)

    def __call__(
        self, method: str, target: str, headers: Iterable[tuple[str, str]], body: bytes
    ) -> tuple[int, Mapping[str, str], bytes]:
        pairs = list(headers)
        self.received.append(({name.lower(): value for name, value in pairs}, body))
        if self.spec.get("unreachable"):
            raise IntegrationFailure("connection refused (the case's backend is unreachable)")
        if "stub" in self.spec:
            stub = self.spec["stub"]
            answer = stub.get("body")
            payload = answer.encode() if isinstance(answer, str) else json.dumps(answer).encode()
            return int(stub.get("status", 200)), {"Content-Type": "application/json"}, payload
        if self.spec.get("echo"):
            return 200, {"Content-Type": "application/json"}, body
        status, answer_headers, payload = self.local.call(method, target, pairs, body)
        return status, answer_headers, payload


def _document(api: Mapping[str, Any]) -> dict[str, Any]:
    document: dict[str, Any] = {
        "openapi": "3.0.1",
        "info": {"title": "fidelity", "version": "1"},
        "paths": api["paths"],
    }
    for key, extension in (
        ("gateway_responses", "x-amazon-apigateway-gateway-responses"),
        ("request_validators", "x-amazon-apigateway-request-validators"),
        ("request_validator", "x-amazon-apigateway-request-validator"),
    ):
        if key in api:
            document[extension] = api[key]
    if "components" in api:
        document["components"] = api["components"]
    return document


@dataclass
class Deployment:
    gateway: ApiGateway
    backend: Backend
    variables: dict[str, str]


def _substitute(value: Any, variables: Mapping[str, str]) -> Any:
    if isinstance(value, str):
        for name, replacement in variables.items():
            value = value.replace("${" + name + "}", replacement)
        return value
    if isinstance(value, list):
        return [_substitute(item, variables) for item in value]
    if isinstance(value, dict):
        return {key: _substitute(item, variables) for key, item in value.items()}
    return value


def deploy(entry: Mapping[str, Any], local_aws: Any) -> Deployment:
    """The case's API on a fresh emulator, with its backend (and local AWS resources) ready."""
    api = entry["api"]
    backend_spec = entry.get("backend") or {}
    variables = {"region": REGION, "suffix": uuid.uuid4().hex[:10]}
    backend = Backend(backend_spec, local=local_aws if "moto" in backend_spec else None)
    if "moto" in backend_spec:
        for step in backend_spec["moto"].get("setup") or []:
            client = local_aws.client(step["service"])
            getattr(client, step["call"])(**_substitute(step["params"], variables))
    gateway = ApiGateway(
        _document(api),
        variables,
        dict(api.get("stage_variables") or {}),
        "http://127.0.0.1:9",
        REGION,
        stage=str(api.get("stage", "dev")),
        account_id=str(api.get("account_id", "111122223333")),
        api_id=str(api.get("api_id", "abcd1234")),
        service_transport=backend,
    )
    return Deployment(gateway, backend, variables)


def _request_body(request: Mapping[str, Any]) -> bytes:
    if "body_base64" in request:
        return base64.b64decode(request["body_base64"])
    return _body_text(request.get("body")).encode("utf-8")


_REPEAT = re.compile(r"<(.)\*(\d+)>")


def _path(text: str) -> str:
    """A request path, with `<c*n>` written out as n times the character c."""
    return _REPEAT.sub(lambda found: found.group(1) * int(found.group(2)), text)


def run_api_case(case: Case, deployment: Deployment) -> list[str]:
    """Send the case's request to its deployed API; the differences from AWS's answer."""
    request = case.spec
    seen = len(deployment.backend.received)
    query = {name: [str(value)] for name, value in (request.get("query") or {}).items()}
    response = deployment.gateway.handle(
        str(request.get("method", "GET")),
        _path(str(request["path"])),
        query,
        dict(request.get("headers") or {}),
        _request_body(request),
    )
    expect = request["expect"]
    problems: list[str] = []
    if "status" in expect and response.status != expect["status"]:
        problems.append(f"status {response.status} != {expect['status']}")
    for name, value in (expect.get("headers") or {}).items():
        actual = response.header(name)
        if value is None and actual is not None:
            problems.append(f"header {name}: expected none, got {actual!r}")
        elif value is not None and not mismatches(value, actual) == []:
            problems.append(f"header {name}: {actual!r} != {value!r}")
    text = response.body.decode("utf-8", "replace")
    unordered = bool(expect.get("unordered"))
    if "body" in expect and text != expect["body"]:
        problems.append(f"body {text!r} != {expect['body']!r}")
    if "body_json" in expect:
        problems += _json_mismatches(
            _substitute(expect["body_json"], deployment.variables), text, "body", unordered
        )
    problems += _sent_mismatches(expect, deployment, seen)
    return problems


def _sent_mismatches(expect: Mapping[str, Any], deployment: Deployment, seen: int) -> list[str]:
    if not {"sent_json", "sent_json_in", "sent_headers"} & set(expect):
        return []
    received = deployment.backend.received[seen:]
    if not received:
        return ["the integration was not called"]
    headers, body = received[0]
    problems: list[str] = []
    if "sent_json" in expect:
        wanted = _substitute(expect["sent_json"], deployment.variables)
        problems += _json_mismatches(wanted, body.decode("utf-8", "replace"), "sent", False)
    for name, wanted in (expect.get("sent_json_in") or {}).items():
        # A field whose value is itself JSON text (an SQS MessageBody): compare it parsed.
        try:
            inner = json.loads(body)[name]
        except (ValueError, KeyError, TypeError) as error:
            problems.append(f"sent field {name} is missing or the body is not JSON: {error}")
            continue
        problems += _json_mismatches(wanted, str(inner), f"sent {name}", False)
    for name, value in (expect.get("sent_headers") or {}).items():
        if headers.get(name.lower()) != value:
            problems.append(f"sent header {name}: {headers.get(name.lower())!r} != {value!r}")
    return problems
