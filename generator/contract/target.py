"""What `gen test` runs against: a stage's API, how to authenticate, and (locally) more powers.

`Target` holds the project's IR, the API root URL (the stage: ``.../api`` locally), an HTTP
client and the credentials for protected operations. A local target (the stack started in this
process) also has `LocalPowers`: DynamoDB itself (the truth the API is compared with), the
``/_local`` endpoints (status, drain) and a scratch copy of the API whose ingestion writes to a
stream no processor reads (so random events never reach the processors). A deployed target
(``--url``) has none of that; a `gen dev` reached by URL offers the ``/_local`` endpoints.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import requests

from generator.errors import EnvError, UsageError
from generator.ir.nodes import Ir

AuthKind = Literal["local", "token", "sigv4", "api_key", "none"]
TIMEOUT_S = 30.0


@dataclass
class Reply:
    status: int
    headers: Mapping[str, str]
    text: str

    @property
    def json(self) -> Any:
        """The body, numbers exactly as sent (floats as Decimal), or None when it is not JSON."""
        try:
            return json.loads(self.text, parse_float=Decimal)
        except ValueError:
            return None

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers.items() if k.lower() == name.lower()), None)


class Auth:
    """Credentials for protected operations: a local unsigned token (whose claims the tests
    choose), a given token, an API key, SigV4 from the AWS credential chain, or none."""

    def __init__(self, kind: AuthKind, value: str | None = None, region: str | None = None,
                 ir: Ir | None = None) -> None:
        self.kind = kind
        self.value = value
        self.region = region
        self.ir = ir  # local: which routes take SigV4 or an API key instead of the token

    @property
    def chooses_claims(self) -> bool:
        return self.kind == "local"

    def session(self, claims: Mapping[str, Any] | None = None) -> requests.Session:
        """A session that authenticates every request (claims only matter for a local token)."""
        session = requests.Session()
        if self.kind == "local":
            from generator.dev.apigw.auth import local_token

            session.headers["Authorization"] = "Bearer " + local_token({"sub": "gen-test", **(claims or {})})
            if self.ir is not None:
                session.auth = _LocalAccess(self.ir, self.region or "")
        elif self.kind == "token" and self.value:
            session.headers["Authorization"] = self.value
        elif self.kind == "api_key" and self.value:
            session.headers["x-api-key"] = self.value
        elif self.kind == "sigv4":
            session.auth = _SigV4(self.region or "")
        return session


class _SigV4(requests.auth.AuthBase):
    """Signs each request for execute-api with the default AWS credential chain."""

    def __init__(self, region: str) -> None:
        import botocore.session

        credentials = botocore.session.get_session().get_credentials()
        if credentials is None:
            raise EnvError("--sigv4: no AWS credentials found",
                           hint="set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY")
        if not region:
            raise EnvError("--sigv4: no region (not in the URL and no AWS_REGION)", hint="set AWS_REGION")
        self._credentials = credentials.get_frozen_credentials()
        self._region = region

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest

        body = r.body.encode() if isinstance(r.body, str) else (r.body or b"")
        signed = AWSRequest(method=r.method, url=r.url, data=body,
                            headers={k: v for k, v in r.headers.items() if k.lower() == "content-type"})
        SigV4Auth(self._credentials, "execute-api", self._region).add_auth(signed)
        r.headers.update(dict(signed.headers.items()))
        return r


class _LocalAccess(requests.auth.AuthBase):
    """gen dev's other schemes, per route: SigV4 with the local key pair (instead of the token)
    on IAM routes, the local key of the first API-key client on API-key routes."""

    def __init__(self, ir: Ir, region: str) -> None:
        self._iam = [_route(op.method, op.path) for op in ir.operations if op.auth == "iam"]
        self._keyed = [_route(op.method, op.path) for op in ir.operations if op.auth == "api_key"]
        self._key = ir.api_clients[0].local_key if ir.api_clients else None
        self._region = region

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials

        from generator.dev.apigw.access.sigv4 import LOCAL_CREDENTIALS, SERVICE

        route = f"{r.method} {urlsplit(r.url or '').path}"
        if self._key is not None and any(p.search(route) for p in self._keyed):
            r.headers["x-api-key"] = self._key
        if any(p.search(route) for p in self._iam):
            r.headers.pop("Authorization", None)
            body = r.body.encode() if isinstance(r.body, str) else (r.body or b"")
            signed = AWSRequest(method=r.method, url=r.url, data=body,
                                headers={k: v for k, v in r.headers.items() if k.lower() == "content-type"})
            ((key, secret),) = LOCAL_CREDENTIALS.items()
            SigV4Auth(Credentials(key, secret), SERVICE, self._region).add_auth(signed)
            r.headers.update(dict(signed.headers.items()))
        return r


def _route(method: str, path: str) -> re.Pattern[str]:
    """``POST /events`` as a pattern matching the end of a request's ``METHOD /stage/path``."""
    parts = re.split(r"\{[^}]+\}", path)
    return re.compile(f"^{method.upper()} .*" + "[^/]+".join(re.escape(p) for p in parts) + "$")


def region_of(url: str) -> str | None:
    match = re.search(r"\.execute-api\.([a-z0-9-]+)\.amazonaws\.com", urlsplit(url).netloc)
    return match.group(1) if match else os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")


class Http:
    """Requests to one API root; paths are relative to it (``/devices/x``)."""

    def __init__(self, api_url: str, auth: Auth) -> None:
        self.api_url = api_url.rstrip("/")
        self.auth = auth
        self._plain = requests.Session()
        self._sessions: dict[str, requests.Session] = {}

    def session(self, claims: Mapping[str, Any] | None = None) -> requests.Session:
        key = json.dumps(claims or {}, sort_keys=True, default=str)
        if key not in self._sessions:
            self._sessions[key] = self.auth.session(claims)
        return self._sessions[key]

    def request(self, method: str, path: str, *, params: Mapping[str, str] | None = None,
                body: Any = None, data: str | None = None, headers: Mapping[str, str] | None = None,
                authenticated: bool = True, claims: Mapping[str, Any] | None = None) -> Reply:
        session = self.session(claims) if authenticated else self._plain
        sent_headers = dict(headers or {})
        if body is not None:
            data = json.dumps(body, default=_json_default)
            sent_headers.setdefault("Content-Type", "application/json")
        try:
            answer = session.request(method, self.api_url + path, params=params, data=data,
                                     headers=sent_headers, timeout=TIMEOUT_S)
        except requests.RequestException as error:
            raise EnvError(f"cannot reach {self.api_url}: {error}") from None
        return Reply(answer.status_code, dict(answer.headers), answer.text)

    def get(self, path: str, **kwargs: Any) -> Reply:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Reply:
        return self.request("POST", path, **kwargs)


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() and "." not in str(value) else float(value)
    raise TypeError(f"not JSON: {type(value).__name__}")


class LocalEndpoints:
    """The ``/_local`` endpoints of a `gen dev` (status, drain)."""

    def __init__(self, root_url: str) -> None:
        self.root_url = root_url.rstrip("/")
        self._session = requests.Session()

    def status(self) -> dict[str, Any]:
        answer = self._session.get(self.root_url + "/_local/status", timeout=TIMEOUT_S)
        answer.raise_for_status()
        document: dict[str, Any] = answer.json()
        return document

    def drain(self, timeout: float = 30.0) -> bool:
        answer = self._session.post(self.root_url + "/_local/drain", params={"timeout": str(timeout)},
                                    timeout=timeout + TIMEOUT_S)
        return answer.status_code == 200

    @classmethod
    def probe(cls, api_url: str) -> LocalEndpoints | None:
        """The endpoints of the gen dev serving `api_url`, if it is one."""
        parts = urlsplit(api_url)
        endpoints = cls(f"{parts.scheme}://{parts.netloc}")
        try:
            status = endpoints.status()
        except (requests.RequestException, ValueError):
            return None
        return endpoints if isinstance(status, dict) and "processors" in status else None


@dataclass
class LocalPowers:
    """What only a stack started by `gen test` offers: DynamoDB to compare with, and a scratch
    ingestion API (a context manager yielding its root URL)."""

    dynamodb: Any
    tables: Mapping[str, str]  # logical -> physical table name
    scratch_ingestion: Callable[[], AbstractContextManager[str]]


@dataclass
class Target:
    ir: Ir
    root: Path
    http: Http
    description: str
    local: LocalPowers | None = None
    endpoints: LocalEndpoints | None = None
    spec_document: dict[str, Any] = field(default_factory=dict)
    definition: dict[str, Any] = field(default_factory=dict)

    @property
    def api_url(self) -> str:
        return self.http.api_url


def _documents(root: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    import yaml

    spec = yaml.safe_load((root / "spec/openapi.yaml").read_text(encoding="utf-8"))
    try:
        definition = json.loads((root / "generated/api/openapi.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError("generated/api/openapi.json is missing", hint="run `gen build` first") from None
    return spec, definition


@contextmanager
def local_target(root: Path) -> Iterator[Target]:
    """Start the project's local stack in this process (seeded, schedules not run) and yield it."""
    from generator.dev.stack import start_stack

    stack = start_stack(root, "127.0.0.1", 0, log_level="WARNING")
    try:
        yield target_of_stack(root, stack)
    finally:
        stack.stop()


def target_of_stack(root: Path, stack: Any) -> Target:
    """A local target on a `RunningStack` (the repository's own tests share one stack)."""
    import boto3

    spec, definition = _documents(root)
    dynamodb = boto3.client("dynamodb", endpoint_url=stack.aws_endpoint, region_name=stack.region,
                            aws_access_key_id="testing", aws_secret_access_key="testing")

    @contextmanager
    def scratch() -> Iterator[str]:
        kinesis = boto3.client("kinesis", endpoint_url=stack.aws_endpoint, region_name=stack.region,
                               aws_access_key_id="testing", aws_secret_access_key="testing")
        overrides: dict[str, str] = {}
        for stream in stack.ir.streams:
            name = f"gen-test-scratch-{uuid.uuid4().hex[:10]}"
            kinesis.create_stream(StreamName=name, ShardCount=1)
            overrides[stream.names.stage_variable] = name
        try:
            with stack.extra_gateway(overrides) as url:
                yield url
        finally:
            for name in overrides.values():
                kinesis.delete_stream(StreamName=name)

    return Target(
        ir=stack.ir, root=root, http=Http(stack.api_url, Auth("local", region=stack.region, ir=stack.ir)),
        description=f"the local stack of {root} ({stack.api_url})",
        local=LocalPowers(dynamodb, dict(stack.names.tables), scratch),
        endpoints=LocalEndpoints(stack.url), spec_document=spec, definition=definition,
    )


def remote_target(root: Path, url: str, auth: Auth) -> Target:
    """A deployed stage (or a running `gen dev`) at `url`, checked against the project's spec."""
    from generator import pipeline
    from generator.diagnostics import SpecError

    if not re.match(r"^https?://", url):
        raise UsageError(f"--url {url}: not an http(s) URL", hint="pass the stage's invoke URL, "
                         "e.g. https://abc123.execute-api.eu-west-1.amazonaws.com/prod")
    ir, diags = pipeline.validate(root)
    if ir is None or diags.has_errors():
        raise SpecError(diags)
    spec, definition = _documents(root)
    return Target(ir=ir, root=root, http=Http(url, auth), description=f"{url} (spec of {root})",
                  endpoints=LocalEndpoints.probe(url), spec_document=spec, definition=definition)
