"""The one place boto3 is imported, on first use: a shared low-level DynamoDB client.

Cold starts do not pay for boto3 until a handler touches a table. boto3 resolves the endpoint
itself (`AWS_ENDPOINT_URL` points it at the local stack); retries use botocore's standard mode.
"""

from __future__ import annotations

import typing as _t

if _t.TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

_clients: dict[str, _t.Any] = {}


def dynamodb_client() -> DynamoDBClient:
    """The process-wide DynamoDB client (created on the first call)."""
    client = _clients.get("dynamodb")
    if client is None:
        import boto3
        from botocore.config import Config

        config = Config(retries={"mode": "standard", "max_attempts": 5}, tcp_keepalive=True)
        client = _clients["dynamodb"] = boto3.client("dynamodb", config=config)
    return _t.cast("DynamoDBClient", client)


def reset() -> None:
    """Forget the cached clients (tests that switch endpoints or credentials call this)."""
    _clients.clear()
