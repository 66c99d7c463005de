"""The API Gateway emulator: executes a REST API definition against local AWS services (moto).

Contract: `ApiGateway(definition, vars, stage_variables, service_endpoint, region, stage="api")`
loads the definition (placeholders filled from `vars`, `region` included), compiles every mapping
template up front (a template that does not parse is logged, with its name and line, and kept in
`template_errors`: the API still loads, and the operations using it answer 500, as AWS does) and
then serves `handle(method, path, query, headers, body) -> Response`, where `path` is
the raw request path including the stage (`/api/devices/d-1`), `query` a multi-dict
(`{name: [values]}`), `headers` a mapping or a list of pairs.

The flow is API Gateway's:
 1. route: `/<stage>/<resource>`, most specific resource, method (or ANY); none ->
    403 `MISSING_AUTHENTICATION_TOKEN` "Missing Authentication Token";
 2. CORS preflight needs nothing special: `OPTIONS` is an operation with a mock integration;
 3. payload over 10 MB -> 413 `REQUEST_TOO_LARGE`; IAM (SigV4, see `sigv4`): unsigned or badly
    signed -> 403; Cognito authorizer (local token form, see `auth`): missing/invalid -> 401
    `UNAUTHORIZED`; API key (see `api_keys`): missing/unknown -> 403, over quota -> 429;
 4. request validators (`validate`): 400 `BAD_REQUEST_PARAMETERS` / `BAD_REQUEST_BODY`;
 5. request template chosen by Content-Type (default `application/json`); no match ->
    passthrough, or 415 `UNSUPPORTED_MEDIA_TYPE` under `never` (and `when_no_templates` when
    templates exist);
 6. the integration (`integration`): `aws` -> the service call, with the request template's
    `$context.requestOverride.header.*`; `mock` -> the `statusCode` the request template renders;
 7. integration response: the first selection pattern that fully matches the status code,
    else `default`; none -> 500 `API_CONFIGURATION_ERROR`;
 8. the response template (chosen by `Accept`), then `$context.responseOverride.status`, then
    `responseParameters` headers (`'literal'`, `integration.response.header.X`, ...), then
    `$context.responseOverride.header.*` (overrides are final; the request template's overrides
    stay in `$context` for the response template, and apply without one);
 9. errors raised by the gateway itself go through the API's gateway responses.
Every response carries `x-amzn-RequestId` and `x-amz-apigw-id`. Template failures at request
time answer 500 "Internal server error" (as API Gateway does) and are logged with the template
name and line, never as a traceback to the client. With an ``observer`` (`response.RequestTrace`), each request's
`RequestTrace` (route, rendered integration request, service call, rendered response, timings)
is handed to it after the response is built.
"""

from __future__ import annotations

import base64
import logging
import os
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from generator.dev.apigw.velocity import java
from generator.dev.apigw.velocity.java import OpaqueMap
from generator.dev.apigw.access.api_keys import ApiKeyError, ApiKeys
from generator.dev.apigw.auth import AuthError, authorize
from generator.dev.apigw.definition import ApiDefinition, Operation, load_definition
from generator.dev.apigw.gateway_responses import ErrorRequest, GatewayResponses
from generator.dev.apigw.response import (
    RequestTrace,
    Response,
    TraceObserver,
    header_value,
    select_template,
    set_header,
)
from generator.dev.apigw.access.sigv4 import LOCAL_CREDENTIALS, SignatureError, SigV4Verifier
from generator.dev.apigw.service import (
    IntegrationFailure,
    IntegrationTimeout,
    ServiceClient,
    Transport,
    ServiceResponse,
    check_supported,
)
from generator.dev.apigw.validate import RequestValidator, media_type
from generator.dev.apigw.velocity.engine import VtlError, compile_template
from generator.dev.apigw.velocity.variables import BodyParseError, Params, TemplateVariables, render
from generator.dev.apigw.context import new_context

from generator.dev.apigw.integration import (
    MockTemplateError,
    StatusOverrideError,
    mock_response,
    override_headers,
    status_override,
)

LOG = logging.getLogger(__name__)

# API Gateway REST APIs refuse payloads over 10 MB.
MAX_PAYLOAD_BYTES = 10 * 1024 * 1024

Headers = Mapping[str, str] | Iterable[tuple[str, str]]
Query = Mapping[str, Sequence[str]]


class GatewayError(Exception):
    """An error API Gateway answers itself, through a gateway response."""

    def __init__(self, kind: str, message: str, details: str = "") -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.details = details


class ApiGateway:
    def __init__(
        self,
        definition: Mapping[str, Any],
        vars: Mapping[str, str],  # noqa: A002 - the name the Terraform side uses
        stage_variables: Mapping[str, str],
        service_endpoint: str,
        region: str,
        stage: str = "api",
        *,
        access_key_id: str = "testing",
        account_id: str = "123456789012",
        api_id: str = "local",
        service_transport: Transport | None = None,
        signing_credentials: Mapping[str, str] | None = None,
        api_keys: ApiKeys | None = None,
        observer: TraceObserver | None = None,
    ) -> None:
        # Called with each request's `RequestTrace` (see `trace`); None records nothing.
        self.observer = observer
        self.definition: ApiDefinition = load_definition(definition, {"region": region, **vars})
        self.stage = stage.strip("/")
        self._stage_variables = dict(stage_variables)
        self._account_id = account_id
        self._api_id = api_id
        self._deployment_id = uuid.uuid4().hex[:6]
        self._client = ServiceClient(service_endpoint, access_key_id, transport=service_transport)
        self._responses = GatewayResponses(self.definition.gateway_responses)
        self._signatures = SigV4Verifier(
            LOCAL_CREDENTIALS if signing_credentials is None else signing_credentials, region
        )
        self._api_keys = api_keys or ApiKeys({})
        self._validators: dict[int, RequestValidator] = {}
        errors: list[VtlError] = []
        for operation in self.definition.operations():
            self._validators[id(operation)] = RequestValidator(operation)
            integration = operation.integration
            if integration.action is not None:
                check_supported(integration.action)
            templates = [
                (text, _request_template_name(operation, content_type))
                for content_type, text in integration.request_templates.items()
            ]
            responses = [*integration.responses, integration.default_response]
            for response in (r for r in responses if r is not None):
                templates += [
                    (text, response.template_name) for text in response.templates.values()
                ]
            errors += _compile_all(templates)
        self.template_errors: tuple[VtlError, ...] = tuple(errors)

    def close(self) -> None:
        self._client.close()

    # --- the request flow ------------------------------------------------------------------

    def handle(
        self,
        method: str,
        path: str,
        query: Query,
        headers: Headers,
        body: bytes,
        source_ip: str = "127.0.0.1",
    ) -> Response:
        header_pairs = list(headers.items()) if isinstance(headers, Mapping) else list(headers)
        single_headers: dict[str, str] = {}
        for name, value in header_pairs:
            single_headers[name] = value  # the last value of a repeated header wins
        querystring = {name: values[-1] for name, values in query.items() if values}
        request_id = str(uuid.uuid4())
        extended_id = base64.b64encode(os.urandom(11)).decode("ascii")
        accept = header_value(single_headers, "accept")
        observer = self.observer
        trace = None
        if observer is not None:
            trace = RequestTrace.begin(request_id, method, path, query, header_pairs, body)
        context = self._context(
            method, path, path, single_headers, source_ip, request_id, extended_id
        )
        params = Params(querystring=querystring, header=single_headers)
        try:
            operation, path_params = self._route(method, path)
            if trace is not None:
                trace.resource, trace.operation_id = operation.resource_path, operation.operation_id
                trace.lap("route")
            params = Params(path=path_params, querystring=querystring, header=single_headers)
            context = self._context(
                method,
                operation.resource_path,
                path,
                single_headers,
                source_ip,
                request_id,
                extended_id,
            )
            self._authenticate(operation, path, query, header_pairs, body, context)
            response = self._execute(
                operation, params, context, single_headers, body, accept, trace
            )
        except GatewayError as error:
            if trace is not None:
                trace.error = f"{error.kind}: {error.message}"
            response = self._responses.build(
                error.kind,
                error.message,
                ErrorRequest(params, context, self._stage_variables, accept),
                error.details,
            )
        response.headers["x-amzn-RequestId"] = request_id
        response.headers["x-amz-apigw-id"] = extended_id
        if observer is not None and trace is not None:
            _finish(observer, trace, response)
        return response

    def _route(self, method: str, path: str) -> tuple[Operation, dict[str, str]]:
        prefix = "/" + self.stage
        if path != prefix and not path.startswith(prefix + "/"):
            raise GatewayError("MISSING_AUTHENTICATION_TOKEN", "Missing Authentication Token")
        resource = path[len(prefix) :] or "/"
        if len(resource) > 1 and resource.endswith("/"):
            resource = resource[:-1]
        found = self.definition.match(resource)
        operation = found[0].operation(method) if found else None
        if found is None or operation is None:
            raise GatewayError("MISSING_AUTHENTICATION_TOKEN", "Missing Authentication Token")
        return operation, found[1]

    def _context(
        self,
        method: str,
        resource_path: str,
        path: str,
        headers: Mapping[str, str],
        source_ip: str,
        request_id: str,
        extended_id: str,
    ) -> dict[str, Any]:
        return new_context(
            request_id=request_id,
            extended_request_id=extended_id,
            http_method=method.upper(),
            resource_path=resource_path,
            path=path,
            stage=self.stage,
            request_time=datetime.now(UTC),
            source_ip=source_ip,
            user_agent=header_value(headers, "user-agent") or "",
            claims=None,
            domain_name=(header_value(headers, "host") or "localhost").split(":", 1)[0],
            account_id=self._account_id,
            api_id=self._api_id,
            deployment_id=self._deployment_id,
        )

    def _authenticate(
        self,
        operation: Operation,
        path: str,
        query: Query,
        headers: list[tuple[str, str]],
        body: bytes,
        context: dict[str, Any],
    ) -> None:
        """IAM and API-key checks, in API Gateway's order (before the authorizer and validation)."""
        if operation.iam:
            try:
                key = self._signatures.verify(operation.method, path, query, headers, body)
            except SignatureError as error:
                raise GatewayError(error.kind, error.message) from None
            context["identity"]["accessKey"] = key
        if operation.api_key:
            try:
                self._api_keys.check(headers, datetime.now(UTC))
            except ApiKeyError as error:
                raise GatewayError(error.kind, error.message) from None

    def _execute(
        self,
        operation: Operation,
        params: Params,
        context: dict[str, Any],
        headers: Mapping[str, str],
        body: bytes,
        accept: str | None,
        trace: RequestTrace | None = None,
    ) -> Response:
        if len(body) > MAX_PAYLOAD_BYTES:
            raise GatewayError("REQUEST_TOO_LARGE", "Request Too Long")
        if operation.authorizer is not None:
            try:
                claims = authorize(header_value(headers, operation.authorizer.header), time.time())
            except AuthError as error:
                raise GatewayError("UNAUTHORIZED", str(error)) from None
            context["authorizer"] = OpaqueMap(claims=OpaqueMap(claims))
        content_type = header_value(headers, "content-type")
        failure = self._validators[id(operation)].validate(params, content_type, body)
        if failure is not None:
            raise GatewayError(failure.kind, failure.message, failure.details)
        if trace is not None:
            trace.lap("authorize and validate")
        text = body.decode("utf-8", "replace")
        request_body = self._integration_request(
            operation, params, context, content_type, text, trace
        )
        if trace is not None:
            trace.integration_request = trace.keep("integration request", request_body)
            trace.lap("request template")
            action = operation.integration.action
            trace.service = "mock" if action is None else f"{action.service}.{action.action}"
        integration_response = self._integrate(operation, context, request_body)
        if trace is not None:
            trace.service_status = integration_response.status
            trace.service_body = trace.keep("service answer", integration_response.body)
            trace.lap("service call")
        return self._method_response(
            operation, params, context, integration_response, accept, trace
        )

    def _integration_request(
        self,
        operation: Operation,
        params: Params,
        context: dict[str, Any],
        content_type: str | None,
        body: str,
        trace: RequestTrace | None = None,
    ) -> str:
        integration = operation.integration
        wanted = media_type(content_type)
        template = next(
            (
                (key, text)
                for key, text in integration.request_templates.items()
                if key.lower() == wanted
            ),
            None,
        )
        if template is None:
            no_templates = not integration.request_templates
            if integration.passthrough == "when_no_match" or (
                integration.passthrough == "when_no_templates" and no_templates
            ):
                return body
            raise GatewayError("UNSUPPORTED_MEDIA_TYPE", "Unsupported Media Type")
        if trace is not None:
            trace.request_template = _request_template_name(operation, template[0])
        variables = TemplateVariables(body, params, context, self._stage_variables)
        try:
            return render(template[1], _request_template_name(operation, template[0]), variables)
        except BodyParseError as error:
            raise GatewayError("BAD_REQUEST_BODY", str(error)) from None
        except VtlError as error:
            LOG.error("request template failed: %s", error)
            raise GatewayError("API_CONFIGURATION_ERROR", "Internal server error") from None

    def _integrate(
        self, operation: Operation, context: dict[str, Any], request_body: str
    ) -> ServiceResponse:
        action = operation.integration.action
        if action is None:
            try:
                return mock_response(request_body)
            except MockTemplateError as error:
                LOG.error("%s: %s", operation.operation_id, error)
                raise GatewayError("API_CONFIGURATION_ERROR", "Internal server error") from None
        overrides = override_headers(context)
        try:
            return self._client.call(action, request_body, overrides)
        except IntegrationTimeout as error:
            LOG.error(
                "%s: %s.%s timed out: %s",
                operation.operation_id,
                action.service,
                action.action,
                error,
            )
            raise GatewayError("INTEGRATION_TIMEOUT", "Endpoint request timed out") from None
        except IntegrationFailure as error:
            LOG.error(
                "%s: %s.%s failed: %s", operation.operation_id, action.service, action.action, error
            )
            raise GatewayError("INTEGRATION_FAILURE", "Internal server error") from None

    def _method_response(
        self,
        operation: Operation,
        params: Params,
        context: dict[str, Any],
        integration_response: ServiceResponse,
        accept: str | None,
        trace: RequestTrace | None = None,
    ) -> Response:
        selected = operation.integration.select(integration_response.status)
        if selected is None:
            LOG.error(
                "%s: no integration response matches status %d and there is no default",
                operation.operation_id,
                integration_response.status,
            )
            raise GatewayError("API_CONFIGURATION_ERROR", "Internal server error")
        template = select_template(selected.templates, accept)
        if template is None:
            content_type = "application/json"
            body = integration_response.body
        else:
            content_type = template[0]
            if trace is not None:
                trace.response_template = selected.template_name
            variables = TemplateVariables(
                integration_response.body.decode("utf-8", "replace"),
                params,
                context,
                self._stage_variables,
            )
            try:
                body = render(template[1], selected.template_name, variables).encode(
                    "utf-8", "replace"
                )
            except (VtlError, BodyParseError) as error:
                LOG.error("response template failed: %s", error)
                raise GatewayError("API_CONFIGURATION_ERROR", "Internal server error") from None
        try:
            status = status_override(context) or selected.status
        except StatusOverrideError as error:
            LOG.error("%s: %s", selected.template_name, error)
            raise GatewayError("API_CONFIGURATION_ERROR", "Internal server error") from None
        headers = {"Content-Type": content_type}
        for key, source in selected.parameters.items():
            if key.startswith("method.response.header."):
                value = self._response_parameter(source, integration_response, context)
                if value is not None:
                    set_header(headers, key.removeprefix("method.response.header."), value)
        for name, value in override_headers(context, "responseOverride").items():
            set_header(headers, name, value)
        return Response(status, headers, body)

    def _response_parameter(
        self, source: str, integration_response: ServiceResponse, context: Mapping[str, Any]
    ) -> str | None:
        if len(source) >= 2 and source.startswith("'") and source.endswith("'"):
            return source[1:-1]
        if source.startswith("integration.response.header."):
            return header_value(
                integration_response.headers, source.removeprefix("integration.response.header.")
            )
        if source.startswith("stageVariables."):
            return self._stage_variables.get(source.removeprefix("stageVariables."))
        if source.startswith("context."):
            value: Any = context
            for part in source.removeprefix("context.").split("."):
                value = value.get(part) if isinstance(value, Mapping) else None
            return None if value is None else java.to_string(value)
        return None


def _finish(observer: TraceObserver, trace: RequestTrace, response: Response) -> None:
    trace.lap("response")
    trace.status = response.status
    trace.response_headers = dict(response.headers)
    trace.response_body = trace.keep("response body", response.body)
    try:
        observer(trace)
    except Exception:  # an observer never breaks a request
        LOG.exception("the request observer failed")


def _compile_all(templates: list[tuple[str, str]]) -> list[VtlError]:
    """Compile each (text, name); a template that does not parse is logged and returned."""
    errors = []
    for text, name in templates:
        try:
            compile_template(text, name)
        except VtlError as error:
            LOG.warning("mapping template does not parse (requests using it answer 500): %s", error)
            errors.append(error)
    return errors


def _request_template_name(operation: Operation, content_type: str) -> str:
    if content_type.lower() == "application/json":
        return operation.integration.template_name
    return f"{operation.operation_id}.request[{content_type}].vtl"
