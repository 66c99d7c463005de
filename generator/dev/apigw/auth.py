"""The local form of a Cognito user pool authorizer (docs/api-definition.md, "Local token form").

Contract: `authorize(header_value, now)` returns the claims (`$context.authorizer.claims`) or
raises `AuthError` with the message API Gateway answers with (401):
- no header, or an empty one -> "Unauthorized";
- `Bearer <JWT>` or a bare `<JWT>` whose JWT is unsigned (`alg: none`, empty signature segment)
  and whose payload is a JSON object with a string `sub`; anything else -> "Unauthorized";
- an `exp` (epoch seconds) in the past -> "The incoming token has expired".
Claims reach templates as strings, as API Gateway passes Cognito claims (numbers as digits,
booleans as `true`/`false`, lists and objects as JSON text).

`local_token(claims)` builds such a token (for tests, demos and the frontend's local login).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import Any

from generator.dev.apigw.velocity import java


class AuthError(Exception):
    """The request is not authorized; `str()` is the message for the 401 body."""


def _b64url_decode(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def _b64url_encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def local_token(claims: Mapping[str, Any]) -> str:
    """An unsigned JWT carrying `claims`, in the form `gen dev` accepts."""
    header = _b64url_encode(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    payload = _b64url_encode(json.dumps(dict(claims)).encode())
    return f"{header}.{payload}."


def _claim_text(value: Any) -> str:
    if isinstance(value, (list, dict)):
        return json.dumps(value, separators=(",", ":"))
    return java.to_string(value)


def authorize(header_value: str | None, now: float) -> dict[str, str]:
    if not header_value or not header_value.strip():
        raise AuthError("Unauthorized")
    token = header_value.strip()
    if token[:7].lower() == "bearer ":
        token = token[7:].strip()
    parts = token.split(".")
    if len(parts) != 3 or parts[2] != "":
        raise AuthError("Unauthorized")
    try:
        header = json.loads(_b64url_decode(parts[0]))
        payload = json.loads(_b64url_decode(parts[1]))
    except (binascii.Error, ValueError):
        raise AuthError("Unauthorized") from None
    if not isinstance(header, dict) or str(header.get("alg", "")).lower() != "none":
        raise AuthError("Unauthorized")
    if (
        not isinstance(payload, dict)
        or not isinstance(payload.get("sub"), str)
        or not payload["sub"]
    ):
        raise AuthError("Unauthorized")
    expires = payload.get("exp")
    if expires is not None:
        if not isinstance(expires, (int, float)) or isinstance(expires, bool):
            raise AuthError("Unauthorized")
        if expires <= now:
            raise AuthError("The incoming token has expired")
    return {str(key): _claim_text(value) for key, value in payload.items()}
