"""The AWS service call of an `aws` integration, made against a local endpoint (moto).

Contract: `ServiceClient(endpoint, access_key_id).call(action, body, extra_headers)` POSTs the
rendered request body to the endpoint in the service's JSON protocol and returns a
`ServiceResponse(status, headers, body)`:
- DynamoDB: `X-Amz-Target: DynamoDB_20120810.<Action>`, `application/x-amz-json-1.0`;
  Kinesis: `Kinesis_20131202.<Action>`, `application/x-amz-json-1.1`;
  SQS: `AmazonSQS.<Action>`, `application/x-amz-json-1.0`;
- an `Authorization` header in SigV4 form whose credential scope names the region and service
  (moto reads them from it to route and to pick the region; it does not check the signature);
- a body that is not JSON never reaches the endpoint: the answer is what AWS answers,
  400 `SerializationException` (moto would fail with a 500 instead);
- a connection failure raises `IntegrationFailure`, a timeout `IntegrationTimeout`.
One keep-alive connection pool is reused for every call (moto's werkzeug server closes each
connection, so there the pool reconnects; a keep-alive server gets reuse). With a `transport`
(the local stack's `InProcessAws.call`, when moto runs in this process) the same request is
handed to it instead of a socket.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from collections.abc import Callable, Iterable, Mapping
from urllib.parse import urlsplit

import urllib3
from urllib3.exceptions import HTTPError, ReadTimeoutError

from generator.dev.apigw.definition import DefinitionError, ServiceAction

# service -> (X-Amz-Target prefix, content type, signing name)
_PROTOCOLS: dict[str, tuple[str, str, str]] = {
    "dynamodb": ("DynamoDB_20120810", "application/x-amz-json-1.0", "dynamodb"),
    "kinesis": ("Kinesis_20131202", "application/x-amz-json-1.1", "kinesis"),
    "sqs": ("AmazonSQS", "application/x-amz-json-1.0", "sqs"),
}

Transport = Callable[[str, str, Iterable[tuple[str, str]], bytes], tuple[int, Mapping[str, str], bytes]]
"""(method, target, headers, body) -> (status, headers, body): one request, answered."""

# API Gateway gives an integration 29 seconds.
INTEGRATION_TIMEOUT_SECONDS = 29.0


class IntegrationFailure(Exception):
    """The service could not be reached."""


class IntegrationTimeout(Exception):
    """The service did not answer in time."""


@dataclass(frozen=True)
class ServiceResponse:
    status: int
    headers: Mapping[str, str]
    body: bytes


def check_supported(action: ServiceAction) -> None:
    if action.service not in _PROTOCOLS:
        raise DefinitionError(
            f"AWS service {action.service!r} is not supported locally "
            f"(supported: {', '.join(sorted(_PROTOCOLS))})"
        )


def _serialization_error(service: str) -> ServiceResponse:
    # What DynamoDB/Kinesis answer to a request body that is not JSON.
    body = {
        "__type": "com.amazon.coral.service#SerializationException"
        if service == "dynamodb"
        else "SerializationException",
        "Message": "Start of structure or map found where not expected.",
    }
    return ServiceResponse(
        400,
        {"Content-Type": _PROTOCOLS[service][1]},
        json.dumps(body).encode(),
    )


class ServiceClient:
    """Calls AWS JSON-protocol actions on one local endpoint through a keep-alive pool."""

    def __init__(
        self,
        endpoint: str,
        access_key_id: str = "testing",
        timeout: float = INTEGRATION_TIMEOUT_SECONDS,
        max_connections: int = 8,
        transport: Transport | None = None,
    ) -> None:
        self._transport = transport
        parts = urlsplit(endpoint)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"service endpoint must be an http(s) URL, got {endpoint!r}")
        pool_class = (
            urllib3.HTTPSConnectionPool if parts.scheme == "https" else urllib3.HTTPConnectionPool
        )
        self._pool = pool_class(
            parts.hostname,
            parts.port,
            maxsize=max_connections,
            block=False,
            retries=False,
            timeout=urllib3.Timeout(connect=5.0, read=timeout),
        )
        self._access_key_id = access_key_id

    def call(
        self, action: ServiceAction, body: str, extra_headers: Mapping[str, str] | None = None
    ) -> ServiceResponse:
        target, content_type, signing_name = _PROTOCOLS[action.service]
        try:
            json.loads(body)
        except json.JSONDecodeError:
            return _serialization_error(action.service)
        now = datetime.now(UTC)
        headers = {**(extra_headers or {})}
        headers.update(
            {
                "Content-Type": content_type,
                "X-Amz-Target": f"{target}.{action.action}",
                "X-Amz-Date": now.strftime("%Y%m%dT%H%M%SZ"),
                "Authorization": (
                    "AWS4-HMAC-SHA256 "
                    f"Credential={self._access_key_id}/{now:%Y%m%d}/{action.region}/"
                    f"{signing_name}/aws4_request, "
                    "SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
                    "Signature=" + "0" * 64
                ),
            }
        )
        if self._transport is not None:
            status, answer_headers, payload = self._transport(
                "POST", "/", list(headers.items()), body.encode("utf-8", "replace")
            )
            return ServiceResponse(status, dict(answer_headers), payload)
        try:
            response = self._pool.urlopen(
                "POST",
                "/",
                body=body.encode("utf-8", "replace"),
                headers=headers,
                preload_content=True,
            )
        except ReadTimeoutError as error:
            raise IntegrationTimeout(str(error)) from None
        except HTTPError as error:
            raise IntegrationFailure(str(error)) from None
        return ServiceResponse(response.status, dict(response.headers), response.data)

    def close(self) -> None:
        self._pool.close()
