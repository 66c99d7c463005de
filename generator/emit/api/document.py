"""generated/api/openapi.json: the API Gateway flavour of spec/openapi.yaml, as a dict.

Contract: `build_document(ir, templates, run)` is pure. Every bound operation gets its
`x-amazon-apigateway-integration` (type aws, POST to the service action, templates embedded),
a request validator, CORS headers on every response, and each path an `options` mock for the
preflight. Parameters and responses are inlined (API Gateway does not follow
`components/parameters` or `components/responses`); `x-gen` does not survive.
"""

from __future__ import annotations

import re
from typing import Any

from generator.canonical import Prerendered, laid_out
from generator.emit.api import conventions as cv
from generator.emit.api.ingest import ingest_models
from generator.emit.api.schemas import body_models, convert_components, convert_schema
from generator.emit.api.vtl import Templates
from generator.ir.nodes import Ir, Operation
from generator.ir.parts import DIRECT, Part, Reads, Runner, is_text
from generator.load.refs import deref

_ACAO = "Access-Control-Allow-Origin"
_STRING_HEADER = {"schema": {"type": "string"}}
_GATEWAY_RESPONSES = {"DEFAULT_4XX": None, "DEFAULT_5XX": None, "BAD_REQUEST_BODY": "400",
                      "BAD_REQUEST_PARAMETERS": "400", "UNAUTHORIZED": "401", "ACCESS_DENIED": "403",
                      "MISSING_AUTHENTICATION_TOKEN": "404", "UNSUPPORTED_MEDIA_TYPE": "415"}
# A body the request validator refuses is answered with the validator's reason, so the caller
# learns which field is wrong (e.g. `... is not one of [...] (at /0/type)`).
_GATEWAY_TEMPLATES = {
    "MISSING_AUTHENTICATION_TOKEN": '{"message": "Not found"}',
    "BAD_REQUEST_BODY": '{"message": "$context.error.message $context.error.validationErrorString"}',
}
_IMPLIED = {"400": "The request is invalid", "401": "Missing or invalid token", "404": "No such item",
            "403": "Missing or invalid credentials", "415": "Unsupported content type",
            "429": "Over the client's quota or rate", "502": "The service behind this API failed",
            "503": "The service is busy; retry later"}


def path_parameters(path: str) -> list[str]:
    return re.findall(r"\{([^}/]+)\}", path)


def _parameters(doc: Any, path_item: dict[str, Any], raw_op: dict[str, Any]) -> list[dict[str, Any]]:
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for raw in list(path_item.get("parameters") or []) + list(raw_op.get("parameters") or []):
        param = deref(doc, raw)
        if not isinstance(param, dict) or param.get("in") not in ("path", "query", "header"):
            continue
        out: dict[str, Any] = {"name": str(param["name"]), "in": param["in"],
                               "required": bool(param.get("required")) or param["in"] == "path"}
        if isinstance(param.get("description"), str):
            out["description"] = param["description"]
        out["schema"] = convert_schema(param.get("schema", {"type": "string"}), body=False)
        merged[(param["in"], out["name"])] = out
    return list(merged.values())


def _implied_statuses(op: Operation) -> list[str]:
    statuses = ["400", "502", "503"]
    statuses += ["404"] if op.kind == "get_item" else []
    statuses += ["401"] if op.auth == "cognito" else []
    statuses += ["403"] if op.auth in ("iam", "api_key") else []
    statuses += ["429"] if op.auth == "api_key" else []
    statuses += ["415"] if op.kind == "ingest" else []
    return statuses


def _responses(doc: Any, op: Operation, raw_op: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for status, raw in (raw_op.get("responses") or {}).items():
        if not str(status).isdigit():
            continue  # `default` is not a status API Gateway can declare
        resp = deref(doc, raw)
        entry: dict[str, Any] = {"description": str(resp.get("description") or status)}
        content = {ctype: ({"schema": convert_schema(media["schema"], body=False)}
                           if isinstance(media, dict) and "schema" in media else {})
                   for ctype, media in (resp.get("content") or {}).items()}
        if content:
            entry["content"] = content
        headers = {name: {"schema": convert_schema(deref(doc, h).get("schema", {"type": "string"}), body=False)}
                   for name, h in (resp.get("headers") or {}).items()}
        entry["headers"] = {**headers, _ACAO: _STRING_HEADER}
        out[str(status)] = entry
    for status in _implied_statuses(op):
        out.setdefault(status, {"description": _IMPLIED[status], "headers": {_ACAO: _STRING_HEADER},
                                "content": {cv.JSON: {"schema": {"$ref": f"#/components/schemas/{cv.GATEWAY_ERROR_MODEL}"}}}})
    return out


def _integration(op: Operation, templates: Templates) -> dict[str, Any]:
    texts = templates.operations[op.operation_id]
    service = cv.SERVICES[op.kind]
    cors = {f"method.response.header.{_ACAO}": cv.CORS_ORIGIN}
    content_types = cv.INGEST_CONTENT_TYPES if op.kind == "ingest" else (cv.JSON,)

    def response(status: str, text: str) -> dict[str, Any]:
        return {"statusCode": status, "responseParameters": cors, "responseTemplates": {cv.JSON: text}}

    return {
        "type": "aws",
        "httpMethod": "POST",
        "uri": cv.action_uri(op),
        "credentials": cv.role_placeholder(op),
        "passthroughBehavior": "never",
        "requestTemplates": {ctype: texts.request for ctype in content_types},
        "responses": {
            "default": response(cv.SUCCESS[op.kind], texts.response),
            cv.SELECT_4XX: response(cv.STATUS_4XX, templates.errors[(service, "4xx")]),
            cv.SELECT_5XX: response(cv.STATUS_5XX, templates.errors[(service, "5xx")]),
        },
    }


def _security(doc: Any, op: Operation, raw_op: dict[str, Any]) -> list[dict[str, list[str]]]:
    for requirement in raw_op.get("security", doc.get("security")) or []:
        if isinstance(requirement, dict) and op.security_scheme in requirement:
            return [{str(op.security_scheme): [str(s) for s in requirement[op.security_scheme] or []]}]
    return [{str(op.security_scheme): []}]


def _operation(ir: Ir, op: Operation, templates: Templates) -> dict[str, Any]:
    doc = ir.openapi
    path_item = doc["paths"][op.path]
    raw_op = path_item[op.method]
    out: dict[str, Any] = {key: raw_op[key] for key in ("summary", "description", "tags") if key in raw_op}
    out["operationId"] = op.operation_id
    params = _parameters(doc, path_item, raw_op)
    if params:
        out["parameters"] = params
    if op.kind == "ingest":
        ref = {"schema": {"$ref": f"#/components/schemas/{op.names.body_model}"}}
        out["requestBody"] = {"required": True, "content": {ctype: ref for ctype in cv.INGEST_CONTENT_TYPES}}
    if op.auth != "none":
        out["security"] = _security(doc, op, raw_op)
    out["responses"] = _responses(doc, op, raw_op)
    out["x-amazon-apigateway-request-validator"] = cv.VALIDATOR_BODY if op.kind == "ingest" else cv.VALIDATOR_PARAMS
    out["x-amazon-apigateway-integration"] = _integration(op, templates)
    return out


def _preflight(path: str, methods: list[str]) -> dict[str, Any]:
    allow = ",".join(sorted(m.upper() for m in methods) + ["OPTIONS"])
    headers = {"Access-Control-Allow-Headers": cv.CORS_HEADERS, "Access-Control-Allow-Methods": f"'{allow}'",
               _ACAO: cv.CORS_ORIGIN}
    out: dict[str, Any] = {"summary": "CORS preflight"}
    names = path_parameters(path)
    if names:
        out["parameters"] = [{"name": n, "in": "path", "required": True, "schema": {"type": "string"}} for n in names]
    out["responses"] = {"200": {"description": "CORS preflight", "headers": {h: _STRING_HEADER for h in headers}}}
    out["x-amazon-apigateway-integration"] = {
        "type": "mock",
        "passthroughBehavior": "when_no_match",
        "requestTemplates": {cv.JSON: '{"statusCode": 200}'},
        "responses": {"default": {"statusCode": "200",
                                  "responseParameters": {f"method.response.header.{h}": v for h, v in headers.items()},
                                  "responseTemplates": {cv.JSON: "{}"}}},
    }
    return out


def _gateway_responses(ir: Ir) -> dict[str, Any]:
    """CORS headers on every gateway response; unknown routes answer 404, except when an IAM
    route exists: a request without a signature is the same MISSING_AUTHENTICATION_TOKEN, and
    it must stay API Gateway's 403 "Missing Authentication Token" to say what is wrong."""
    params = {f"gatewayresponse.header.{_ACAO}": cv.CORS_ORIGIN,
              "gatewayresponse.header.Access-Control-Allow-Headers": cv.CORS_HEADERS}
    not_found = not ir.uses_auth("iam")
    out: dict[str, Any] = {}
    for kind, status in _GATEWAY_RESPONSES.items():
        template = _GATEWAY_TEMPLATES.get(kind, '{"message": $context.error.messageString}')
        if kind == "MISSING_AUTHENTICATION_TOKEN" and not not_found:
            # an unsigned request to an IAM route: API Gateway's own 403 and message
            template, status = '{"message": $context.error.messageString}', "403"
        entry: dict[str, Any] = {"responseParameters": params, "responseTemplates": {cv.JSON: template}}
        if status is not None:
            entry["statusCode"] = status
        out[kind] = entry
    return out


def _scheme(op: Operation) -> dict[str, Any]:
    """The scheme as API Gateway imports it: a Cognito authorizer, AWS_IAM, or API keys."""
    if op.auth == "cognito":
        return {"type": "apiKey", "name": "Authorization", "in": "header",
                "x-amazon-apigateway-authtype": "cognito_user_pools",
                "x-amazon-apigateway-authorizer": {"type": "cognito_user_pools", "providerARNs": [cv.USER_POOL_ARN]}}
    if op.auth == "iam":
        return {"type": "apiKey", "name": "Authorization", "in": "header", "x-amazon-apigateway-authtype": "awsSigv4"}
    return {"type": "apiKey", "name": cv.API_KEY_HEADER, "in": "header"}


def _security_schemes(ir: Ir) -> dict[str, Any]:
    raw = ((ir.openapi.get("components") or {}).get("securitySchemes")) or {}
    out: dict[str, Any] = {}
    for op in sorted((op for op in ir.operations if op.auth != "none"), key=lambda o: str(o.security_scheme)):
        name = str(op.security_scheme)
        scheme = _scheme(op)
        if isinstance((raw.get(name) or {}).get("description"), str):
            scheme["description"] = raw[name]["description"]
        out[name] = scheme
    return out


def _info(doc: Any) -> dict[str, Any]:
    info = doc.get("info") or {}
    out = {k: info[k] for k in ("title", "version", "description", "termsOfService", "contact") if k in info}
    if isinstance(info.get("license"), dict):
        out["license"] = {k: v for k, v in info["license"].items() if k in ("name", "url")}
    return out


def _components(ir: Ir) -> dict[str, Any]:
    raw_schemas = (ir.openapi.get("components") or {}).get("schemas") or {}
    schemas = convert_components(raw_schemas, body_models(ir))
    schemas[cv.GATEWAY_ERROR_MODEL] = {"type": "object", "required": ["message"],
                                       "properties": {"message": {"type": "string"}}}
    for op in ir.operations:
        if op.kind == "ingest":
            schemas.update(ingest_models(ir, op))
    components: dict[str, Any] = {"schemas": schemas}
    security = _security_schemes(ir)
    if security:
        components["securitySchemes"] = security
    return components


def _path_item(ir: Ir, path: str, ops: list[Operation], templates: Templates) -> dict[str, Any]:
    item: dict[str, Any] = {op.method: _operation(ir, op, templates) for op in ops}
    item["options"] = _preflight(path, list(item))
    return item


def build_document(ir: Ir, templates: Templates, run: Runner = DIRECT) -> dict[str, Any]:
    """The whole API definition; `${...}` placeholders only in uri, credentials and providerARNs.

    Each path item, and the components, is a part (laid out as canonical JSON where it sits in
    the document: `Prerendered`, for `canonical_json` to place as is). A path item is built
    from the IR but the operations, the document but the paths, its item and its operations
    (and their templates, themselves a function of those); the components from the IR nodes and
    the document but the paths."""
    doc = ir.openapi
    by_path: dict[str, list[Operation]] = {}
    for op in ir.operations:
        by_path.setdefault(op.path, []).append(op)
    paths: dict[str, Any] = {}
    for path, ops in by_path.items():
        def item(path: str = path, ops: list[Operation] = ops) -> str:
            return laid_out(_path_item(ir, path, ops, templates), 2)  # document > paths > path

        paths[path] = Prerendered(run.value(Part("apipath", Reads(context=True, rest=True, path=path), item, is_text)),
                                  level=2)
    components = Prerendered(run.value(Part("apicomponents", Reads(nodes=True, rest=True),
                                            lambda: laid_out(_components(ir), 1), is_text)), level=1)
    out: dict[str, Any] = {"openapi": "3.0.1", "info": _info(doc)}
    if isinstance(doc.get("tags"), list):
        out["tags"] = [{k: t[k] for k in ("name", "description") if k in t} for t in doc["tags"] if isinstance(t, dict)]
    out["paths"] = paths
    out["components"] = components
    out["x-amazon-apigateway-request-validators"] = {
        cv.VALIDATOR_BODY: {"validateRequestBody": True, "validateRequestParameters": True},
        cv.VALIDATOR_PARAMS: {"validateRequestBody": False, "validateRequestParameters": True},
    }
    out["x-amazon-apigateway-gateway-responses"] = _gateway_responses(ir)
    if ir.uses_auth("api_key"):
        out["x-amazon-apigateway-api-key-source"] = "HEADER"
    return out
