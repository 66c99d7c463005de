"""Gateway responses: the answers API Gateway itself gives (403 no route, 401, 400, 415, 5xx).

Contract: `GatewayResponses(definitions).build(kind, message, request)` returns the `Response`
for an error of response type `kind` (e.g. `MISSING_AUTHENTICATION_TOKEN`) raised by the gateway:
- definition: the API's `x-amazon-apigateway-gateway-responses[kind]`, else its `DEFAULT_4XX` /
  `DEFAULT_5XX`, else API Gateway's built-in default;
- status: the type's own definition's `statusCode`; a type the API defines without one keeps the
  type's default status (403, 401, 400, 415, 500, 504...); a type the API does not define takes
  the `DEFAULT_4XX`/`DEFAULT_5XX` definition's status, else its default (recorded:
  tests/fidelity/corpus/ls_gateway.yaml, default-5xx);
- headers: `gatewayresponse.header.X` from `'literal'`, `method.request.header|querystring|path.x`,
  `stageVariables.x` or `context.x`; plus `x-amzn-ErrorType` where API Gateway sends one;
- body: the selected template with plain `$context.*` / `$stageVariables.*` substitution (gateway
  response templates are not run through Velocity); the built-in template is
  `{"message":$context.error.messageString}`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from generator.dev.apigw.velocity import java
from generator.dev.apigw.definition import GatewayResponseDefinition
from generator.dev.apigw.response import Response, select_template
from generator.dev.apigw.velocity.variables import Params

DEFAULT_STATUS = {
    "ACCESS_DENIED": 403,
    "API_CONFIGURATION_ERROR": 500,
    "AUTHORIZER_CONFIGURATION_ERROR": 500,
    "AUTHORIZER_FAILURE": 500,
    "BAD_REQUEST_BODY": 400,
    "BAD_REQUEST_PARAMETERS": 400,
    "EXPIRED_TOKEN": 403,
    "INCOMPLETE_SIGNATURE": 403,  # no response type of its own (DEFAULT_4XX), 403 as in AWS
    "INTEGRATION_FAILURE": 504,
    "INTEGRATION_TIMEOUT": 504,
    "INVALID_API_KEY": 403,
    "INVALID_SIGNATURE": 403,
    "MISSING_AUTHENTICATION_TOKEN": 403,
    "QUOTA_EXCEEDED": 429,
    "REQUEST_TOO_LARGE": 413,
    "RESOURCE_NOT_FOUND": 404,
    "THROTTLED": 429,
    "UNAUTHORIZED": 401,
    "UNRECOGNIZED_CLIENT": 403,  # no response type of its own (DEFAULT_4XX), 403 as in AWS
    "UNSUPPORTED_MEDIA_TYPE": 415,
    "WAF_FILTERED": 403,
}

_ERROR_TYPES = {
    "ACCESS_DENIED": "AccessDeniedException",
    "API_CONFIGURATION_ERROR": "InternalServerErrorException",
    "BAD_REQUEST_BODY": "BadRequestException",
    "BAD_REQUEST_PARAMETERS": "BadRequestException",
    "INTEGRATION_FAILURE": "InternalServerErrorException",
    "INTEGRATION_TIMEOUT": "InternalServerErrorException",
    "INCOMPLETE_SIGNATURE": "IncompleteSignatureException",
    "INVALID_API_KEY": "ForbiddenException",
    "INVALID_SIGNATURE": "InvalidSignatureException",
    "QUOTA_EXCEEDED": "LimitExceededException",
    "UNRECOGNIZED_CLIENT": "UnrecognizedClientException",
    "MISSING_AUTHENTICATION_TOKEN": "MissingAuthenticationTokenException",
    "UNAUTHORIZED": "UnauthorizedException",
    "UNSUPPORTED_MEDIA_TYPE": "UnsupportedMediaTypeException",
}

DEFAULT_TEMPLATE = '{"message":$context.error.messageString}'

_VARIABLE = re.compile(
    r"\$!?(?:\{(context|stageVariables)((?:\.[\w:-]+)+)\}|(context|stageVariables)((?:\.[\w:-]+)+))"
)


@dataclass(frozen=True)
class ErrorRequest:
    """What a gateway response may read of the request that failed."""

    params: Params
    context: Mapping[str, Any]
    stage_variables: Mapping[str, str]
    accept: str | None


def _lookup(root: Any, dotted: str) -> Any:
    value = root
    for part in dotted.strip(".").split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


class GatewayResponses:
    def __init__(self, definitions: Mapping[str, GatewayResponseDefinition]) -> None:
        self._definitions = definitions

    def build(self, kind: str, message: str, request: ErrorRequest, details: str = "") -> Response:
        own_status = DEFAULT_STATUS.get(kind, 500)
        family = "DEFAULT_4XX" if own_status < 500 else "DEFAULT_5XX"
        specific = self._definitions.get(kind)
        fallback = self._definitions.get(family)
        chosen = specific or fallback
        if specific is not None:
            status = specific.status if specific.status is not None else own_status
        elif fallback is not None and fallback.status is not None:
            status = fallback.status
        else:
            status = own_status
        context = dict(request.context)
        context["error"] = {
            "message": message,
            "messageString": json.dumps(message, ensure_ascii=False),
            "responseType": kind,
            "validationErrorString": details,
        }
        headers: dict[str, str] = {}
        if chosen is not None:
            for key, source in chosen.parameters.items():
                if key.startswith("gatewayresponse.header."):
                    value = _parameter_value(source, request, context)
                    if value is not None:
                        headers[key.removeprefix("gatewayresponse.header.")] = value
        templates = chosen.templates if chosen is not None and chosen.templates else {}
        selected = select_template(templates, request.accept)
        content_type, template = selected or ("application/json", DEFAULT_TEMPLATE)

        def substitute(match: re.Match[str]) -> str:
            root = match.group(1) or match.group(3)
            dotted = match.group(2) or match.group(4)
            source = context if root == "context" else request.stage_variables
            return _text(_lookup(source, dotted))

        body = _VARIABLE.sub(substitute, template)
        headers["Content-Type"] = content_type
        if kind in _ERROR_TYPES:
            headers["x-amzn-ErrorType"] = _ERROR_TYPES[kind]
        return Response(status, headers, body.encode("utf-8"))


def _text(value: Any) -> str:
    return "" if value is None else java.to_string(value)


def _parameter_value(source: str, request: ErrorRequest, context: Mapping[str, Any]) -> str | None:
    if len(source) >= 2 and source.startswith("'") and source.endswith("'"):
        return source[1:-1]
    for prefix, values in (
        ("method.request.header.", request.params.header),
        ("method.request.querystring.", request.params.querystring),
        ("method.request.path.", request.params.path),
    ):
        if source.startswith(prefix):
            name = source.removeprefix(prefix)
            if prefix.endswith("header."):
                return next((v for k, v in values.items() if k.lower() == name.lower()), None)
            return values.get(name)
    if source.startswith("stageVariables."):
        return request.stage_variables.get(source.removeprefix("stageVariables."))
    if source.startswith("context."):
        value = _lookup(context, source.removeprefix("context."))
        return None if value is None else java.to_string(value)
    return None
