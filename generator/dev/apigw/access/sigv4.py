"""IAM authorization (AWS_IAM) of the local API Gateway: Signature Version 4, checked with botocore.

A method whose security scheme has `x-amazon-apigateway-authtype: awsSigv4` takes only requests
signed for service `execute-api` in the stack's region by a key `gen dev` knows (by default the
local pair `testing`/`testing`, docs/api-definition.md). The check recomputes the signature of
the received request with `botocore.auth.SigV4Auth` (the signer every AWS SDK for Python uses),
from the headers the request says it signed, and compares.

Contract: `SigV4Verifier(credentials, region).verify(method, path, query, headers, body, now)`
returns the access key id of a valid signature, or raises `SignatureError(kind, message)` whose
`kind` is the gateway response type and `message` API Gateway's text (status 403 for all):
- no `Authorization` header -> MISSING_AUTHENTICATION_TOKEN "Missing Authentication Token";
- not `AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...`, or no `X-Amz-Date`
  -> INCOMPLETE_SIGNATURE (API Gateway lists the missing parts);
- an access key that is not known -> UNRECOGNIZED_CLIENT "The security token included in the
  request is invalid.";
- a scope for another region or service -> INVALID_SIGNATURE "Credential should be scoped to ...";
- `X-Amz-Date` more than 5 minutes from now -> INVALID_SIGNATURE "Signature expired: ..." (or
  "not yet current");
- any other difference -> INVALID_SIGNATURE "The request signature we calculated does not match
  ...", with the canonical request and string to sign, as API Gateway answers.
Signed query strings (presigned URLs) and temporary credentials are not accepted locally.
Performs no I/O.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

SERVICE = "execute-api"
ALGORITHM = "AWS4-HMAC-SHA256"
LOCAL_CREDENTIALS = {"testing": "testing"}
"""The key pair `gen dev` accepts (moto's default, the one `gen dev` gives its functions)."""
MAX_SKEW = timedelta(minutes=5)
AMZ_DATE = "%Y%m%dT%H%M%SZ"
MISMATCH = ("The request signature we calculated does not match the signature you provided. Check your AWS "
            "Secret Access Key and signing method. Consult the service documentation for details.")
_PART = re.compile(r"\s*([A-Za-z]+)=([^,]*)\s*")


class SignatureError(Exception):
    """The request is not signed as required; `kind` is the gateway response type."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


def is_iam_scheme(scheme: Any) -> bool:
    """A security scheme API Gateway enforces as AWS_IAM."""
    return (isinstance(scheme, Mapping) and scheme.get("type") == "apiKey"
            and str(scheme.get("x-amazon-apigateway-authtype", "")).lower() == "awssigv4")


def _header(headers: Sequence[tuple[str, str]], name: str) -> str | None:
    values = [v for k, v in headers if k.lower() == name]
    return ",".join(values) if values else None


def _parse(authorization: str) -> tuple[str, list[str], list[str], str]:
    """(access key, scope parts, signed headers, signature) of an Authorization header."""
    algorithm, _, rest = authorization.strip().partition(" ")
    if algorithm != ALGORITHM:
        raise SignatureError("INCOMPLETE_SIGNATURE", f"Authorization header requires the {ALGORITHM} algorithm. "
                             f"Authorization={authorization}")
    parts: dict[str, str] = {}
    for piece in rest.split(","):
        found = _PART.fullmatch(piece)
        if found:
            parts[found.group(1)] = found.group(2)
    missing = [name for name in ("Credential", "Signature", "SignedHeaders") if not parts.get(name)]
    if missing:
        text = " ".join(f"Authorization header requires '{name}' parameter." for name in missing)
        raise SignatureError("INCOMPLETE_SIGNATURE", f"{text} Authorization={authorization}")
    credential = parts["Credential"].split("/")
    if len(credential) != 5 or credential[4] != "aws4_request":
        raise SignatureError("INCOMPLETE_SIGNATURE", f"Credential should be of the form "
                             f"<key>/<date>/<region>/<service>/aws4_request: {parts['Credential']}")
    return credential[0], credential[1:4], parts["SignedHeaders"].split(";"), parts["Signature"]


class SigV4Verifier:
    def __init__(self, credentials: Mapping[str, str], region: str) -> None:
        self._credentials = dict(credentials)
        self._region = region

    def verify(self, method: str, path: str, query: Mapping[str, Sequence[str]],
               headers: Sequence[tuple[str, str]], body: bytes, now: datetime | None = None) -> str:
        authorization = _header(headers, "authorization")
        if not authorization:
            raise SignatureError("MISSING_AUTHENTICATION_TOKEN", "Missing Authentication Token")
        key, (day, region, service), signed, signature = _parse(authorization)
        amz_date = _header(headers, "x-amz-date")
        if amz_date is None:
            raise SignatureError("INCOMPLETE_SIGNATURE", "Authorization header requires existence of either a "
                                 f"'X-Amz-Date' or a 'Date' header. Authorization={authorization}")
        secret = self._credentials.get(key)
        if secret is None:
            raise SignatureError("UNRECOGNIZED_CLIENT", "The security token included in the request is invalid.")
        if region != self._region:
            raise SignatureError("INVALID_SIGNATURE", f"Credential should be scoped to a valid region, not '{region}'. ")
        if service != SERVICE:
            raise SignatureError("INVALID_SIGNATURE", f"Credential should be scoped to correct service: '{SERVICE}'. ")
        _check_time(amz_date, day, now or datetime.now(UTC))
        request = _request(method, path, query, headers, body, signed)
        request.context["timestamp"] = amz_date
        token = _header(headers, "x-amz-security-token")
        signer = SigV4Auth(Credentials(key, secret, token), service, region)
        canonical = signer.canonical_request(request)
        string_to_sign = signer.string_to_sign(request, canonical)
        if not hmac.compare_digest(signer.signature(string_to_sign, request), signature):
            raise SignatureError("INVALID_SIGNATURE", f"{MISMATCH}\n\nThe Canonical String for this request should "
                                 f"have been\n'{canonical}'\n\nThe String-to-Sign should have been\n'{string_to_sign}'\n")
        return key


def _check_time(amz_date: str, day: str, now: datetime) -> None:
    try:
        signed_at = datetime.strptime(amz_date, AMZ_DATE).replace(tzinfo=UTC)
    except ValueError:
        raise SignatureError("INVALID_SIGNATURE", f"Date must be in ISO-8601 'basic format'. Got '{amz_date}'. "
                             "See http://en.wikipedia.org/wiki/ISO_8601") from None
    stamp = now.strftime(AMZ_DATE)
    if signed_at < now - MAX_SKEW:
        raise SignatureError("INVALID_SIGNATURE", f"Signature expired: {amz_date} is now earlier than "
                             f"{(now - MAX_SKEW).strftime(AMZ_DATE)} ({stamp} - 5 min.)")
    if signed_at > now + MAX_SKEW:
        raise SignatureError("INVALID_SIGNATURE", f"Signature not yet current: {amz_date} is still later than "
                             f"{(now + MAX_SKEW).strftime(AMZ_DATE)} ({stamp} + 5 min.)")
    if day != amz_date[:8]:
        raise SignatureError("INVALID_SIGNATURE", f"Credential should be scoped to a valid date, not '{day}'. ")


def _request(method: str, path: str, query: Mapping[str, Sequence[str]], headers: Sequence[tuple[str, str]],
             body: bytes, signed: list[str]) -> AWSRequest:
    """The request as its signer saw it: the signed headers only, the query encoded canonically."""
    names = {name.lower() for name in signed}
    kept: dict[str, str] = {}
    for name, value in headers:
        lowered = name.lower()
        if lowered in names:
            kept[lowered] = f"{kept[lowered]},{value}" if lowered in kept else value
    pairs = sorted((quote(k, safe="-_.~"), quote(v, safe="-_.~")) for k, values in query.items() for v in values)
    url = f"https://{kept.get('host', 'localhost')}{path}"
    if pairs:
        url += "?" + "&".join(f"{k}={v}" for k, v in pairs)
    return AWSRequest(method=method.upper(), url=url, data=body, headers=kept)
