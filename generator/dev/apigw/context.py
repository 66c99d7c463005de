"""`$context` of one request, in the shape API Gateway gives mapping templates.

Contract: `new_context(...)` returns the `$context` map of a request. Its keys, in the order
AWS's `keySet()` lists them (recorded: tests/fidelity/corpus/ls_sqs_context.yaml): `resourceId`,
`resourcePath`, `httpMethod`, `extendedRequestId`, `requestTime` (`dd/MMM/yyyy:HH:mm:ss +0000`),
`path`, `accountId`, `protocol`, `requestOverride` (`path`, `header`, `querystring`), `stage`,
`domainPrefix`, `requestTimeEpoch` (ms), `requestId`, `identity` (the 12 keys of
`IDENTITY_KEYS`; those the emulator cannot know are null), `domainName`, `deploymentId`,
`responseOverride` (`header`; `status` once a template sets it), `apiId`; and `authorizer`
(`claims`) only on a route with an authorizer. `$context.isCanaryRequest` reads false without
being a key. `$context` and every map in it render as the empty string (`java.OpaqueMap`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from generator.dev.apigw.velocity.java import OpaqueMap

IDENTITY_KEYS = (
    "cognitoIdentityPoolId",
    "accountId",
    "cognitoIdentityId",
    "caller",
    "sourceIp",
    "principalOrgId",
    "accessKey",
    "cognitoAuthenticationType",
    "cognitoAuthenticationProvider",
    "userArn",
    "userAgent",
    "user",
)


class ContextMap(OpaqueMap):
    """`$context` itself: `isCanaryRequest` reads false (no canary runs locally) but is no key."""

    def get(self, key: str, default: Any = None) -> Any:
        if key == "isCanaryRequest" and key not in self:
            return False
        return super().get(key, default)


def resource_id(resource_path: str) -> str:
    """A stable 6-character id per resource path, in the form API Gateway's resource ids take."""
    digest = hashlib.sha256(resource_path.encode("utf-8")).digest()
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    return "".join(alphabet[byte % len(alphabet)] for byte in digest[:6])


def new_context(
    *,
    request_id: str,
    extended_request_id: str,
    http_method: str,
    resource_path: str,
    path: str,
    stage: str,
    request_time: datetime,
    source_ip: str,
    user_agent: str,
    claims: Mapping[str, str] | None,
    domain_name: str,
    account_id: str,
    api_id: str,
    deployment_id: str = "local1",
) -> ContextMap:
    """The `$context` map of one request (templates may set its override entries)."""
    moment = request_time.astimezone(UTC)
    identity = OpaqueMap(dict.fromkeys(IDENTITY_KEYS))
    identity["sourceIp"] = source_ip
    identity["userAgent"] = user_agent
    context = ContextMap(
        resourceId=resource_id(resource_path),
        resourcePath=resource_path,
        httpMethod=http_method,
        extendedRequestId=extended_request_id,
        requestTime=moment.strftime("%d/%b/%Y:%H:%M:%S +0000"),
        path=path,
        accountId=account_id,
        protocol="HTTP/1.1",
        requestOverride=OpaqueMap(path=OpaqueMap(), header=OpaqueMap(), querystring=OpaqueMap()),
        stage=stage,
        domainPrefix=domain_name.split(".", 1)[0],
        requestTimeEpoch=int(moment.timestamp() * 1000),
        requestId=request_id,
        identity=identity,
        domainName=domain_name,
        deploymentId=deployment_id,
        responseOverride=OpaqueMap(header=OpaqueMap()),
        apiId=api_id,
    )
    if claims is not None:
        context["authorizer"] = OpaqueMap(claims=OpaqueMap(claims))
    return context
