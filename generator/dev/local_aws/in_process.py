"""AWS calls to the local moto answered in this process: the same application, no HTTP in between.

moto serves the local stack from `gen dev`'s own process (`moto_server`), and every call the
handlers, the pollers and the API Gateway emulator make to it used to cross a loopback socket:
urllib3 writes the request, the server thread parses it back, the answer takes the same way
home. That was ~15% of the process's CPU under load, and a thread hand-off per call.

`InProcessAws(app, endpoint)` answers a request addressed to ``endpoint`` by building the WSGI
environ the HTTP server would build (`http.wsgi_server.wsgi_environ`) and running moto's
application on it in the caller's thread (`http.wsgi_server.call_app`): the same routing, the
same bytes in and out. `call(method, target, headers, body)` is that for the emulator's own
service client; `install()` registers it as a botocore ``before-send`` handler on boto3's
default session, so every boto3 client created afterwards in this process (the handlers'
included: they find the endpoint through ``AWS_ENDPOINT_URL`` as in AWS, and run unchanged) is
answered this way when, and only when, its request goes to ``endpoint``. `uninstall()` removes
it. The HTTP server keeps serving everyone else (the AWS CLI, `gen seed`, tests in other
processes), through `PortApplication`: their calls with a body take `call`'s path as well.

With ``direct_dispatch`` (only with the moto patches on, see `patches.gate`), DynamoDB and
Kinesis JSON calls skip moto's Flask layer and go straight to moto's response classes
(`_json_handler`); a Kinesis call then holds `kinesis_serial.KINESIS_LOCK` itself, as the
application `app` (a `kinesis_serial.SerialKinesis`) would.
"""
from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from generator.dev.http.wsgi_server import call_app, wsgi_environ
from generator.dev.local_aws import dynamodb_validation
from generator.dev.local_aws.kinesis_serial import KINESIS_LOCK, is_kinesis

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

_HANDLER_ID = "specstack-in-process-aws"
Answer = tuple[int, dict[str, str], bytes]
Call = Callable[[str, str, list[tuple[str, str]], bytes], Answer]
# interceptor(call, method, target, headers, body): runs `call` (or not) and returns its answer.
Interceptor = Callable[[Call, str, str, list[tuple[str, str]], bytes], Answer]
_CLIENT = ("127.0.0.1", 0)


class _Body(io.BytesIO):
    """A response body botocore can read whole or stream (what urllib3 would hand it)."""

    def stream(self, amt: int | None = None, decode_content: bool = True) -> Iterator[bytes]:
        while True:
            chunk = self.read(amt or 65536)
            if not chunk:
                return
            yield chunk


class InProcessAws:
    """Runs requests for `endpoint` (``http://host:port``) through `app` in the calling thread."""

    def __init__(self, app: WSGIApplication, endpoint: str, *, direct_dispatch: bool = False) -> None:
        parts = urlsplit(endpoint)
        if parts.scheme != "http" or not parts.hostname or not parts.port:
            raise ValueError(f"an in-process endpoint is http://host:port, got {endpoint!r}")
        self._app = app
        self.direct_dispatch = direct_dispatch
        self.endpoint = f"http://{parts.hostname}:{parts.port}"
        self._server = (parts.hostname, parts.port)
        self._session: Any = None
        # One optional wrapper around every call (`state.recorder` journals writes with it).
        self.interceptor: Interceptor | None = None

    def handles(self, url: str) -> bool:
        return url == self.endpoint or url.startswith(self.endpoint + "/") or url.startswith(
            self.endpoint + "?"
        )

    def call(
        self, method: str, target: str, headers: Iterable[tuple[str, str]], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        """(status, headers, body) of one request; `target` is the path and query."""
        interceptor = self.interceptor
        if interceptor is not None:
            return interceptor(self._call, method, target, list(headers), body)
        return self._call(method, target, list(headers), body)

    def _call(
        self, method: str, target: str, headers: list[tuple[str, str]], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        if not any(name.lower() == "host" for name, _ in headers):
            headers.append(("Host", f"{self._server[0]}:{self._server[1]}"))  # as urllib3 sends
        environ = wsgi_environ(method, target or "/", headers, body, server=self._server, client=_CLIENT)
        # DynamoDB's own request checks that moto skips (dynamodb_validation; issue #15).
        rejected = dynamodb_validation.check(headers, body)
        if rejected is not None:
            return rejected
        handler = _json_handler(environ) if self.direct_dispatch else None
        if handler is not None:
            if is_kinesis(environ):
                with KINESIS_LOCK:
                    return _dispatch(handler, environ)
            return _dispatch(handler, environ)
        status, answer_headers, payload = call_app(self._app, environ)
        return int(status[:3]), _merge(answer_headers), payload

    def before_send(self, request: Any, **_: Any) -> Any:
        """botocore's ``before-send`` hook: answer requests to the endpoint, pass on the rest."""
        if not self.handles(request.url):
            return None
        from botocore.awsrequest import AWSResponse, HTTPHeaders

        parts = urlsplit(request.url)
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        status, headers, payload = self.call(
            request.method, target, _header_items(request.headers), _body_bytes(request.body)
        )
        answer_headers = HTTPHeaders()
        for name, value in headers.items():
            answer_headers[name] = value
        return AWSResponse(request.url, status, answer_headers, _Body(payload))

    def install(self) -> None:
        """Answer boto3's default-session clients created from now on (idempotent)."""
        import boto3

        if self._session is not None:
            return
        session: Any = boto3._get_default_session()._session  # the session clients copy
        session.register("before-send", self.before_send, unique_id=_HANDLER_ID)
        self._session = session

    def uninstall(self) -> None:
        if self._session is not None:
            self._session.unregister("before-send", unique_id=_HANDLER_ID)
            self._session = None


class PortApplication:
    """The application moto's port serves: other processes' calls take the in-process path too.

    Once `aws` is set, a request with a body (POST, PUT, DELETE: every DynamoDB, Kinesis and SQS
    call, every S3 write) is answered by `aws.call`, so the AWS CLI, `gen seed --endpoint-url` or
    a test in another process meet what this process's clients meet: DynamoDB's request checks,
    and the interceptor (`state.recorder` journals their writes). GET and HEAD (S3 reads, which
    may be large) go straight to `app`, as does everything before `aws` is set.
    """

    def __init__(self, app: WSGIApplication) -> None:
        self.app = app
        self.aws: InProcessAws | None = None

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        aws = self.aws
        method = str(environ.get("REQUEST_METHOD", ""))
        if aws is None or method not in ("POST", "PUT", "DELETE"):
            return self.app(environ, start_response)
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        target = str(environ.get("RAW_URI") or environ.get("PATH_INFO") or "/")
        status, headers, payload = aws.call(method, target, _environ_headers(environ), body)
        start_response(f"{status} {_phrase(status)}", list(headers.items()))
        return [payload]


def _environ_headers(environ: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The request's headers back from a WSGI environ (`wsgi_environ` builds it again)."""
    headers = [("Content-Type", str(environ["CONTENT_TYPE"]))] if environ.get("CONTENT_TYPE") else []
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            headers.append(("-".join(p.capitalize() for p in key[5:].split("_")), str(value)))
    return headers


def _phrase(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def _json_handler(environ: Mapping[str, Any]) -> Any:
    """moto's response class for a DynamoDB or Kinesis JSON call, else None (go through Flask).

    These two services are routed by ``X-Amz-Target`` alone; for them moto's Flask application
    only wraps `BaseResponse.dispatch` (host inference under a lock, URL rules, CORS headers,
    a Response object), which cost as much as the call. Anything else, or a compressed body
    (which moto's Flask hook would inflate), takes the application's way.
    """
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    if environ.get("REQUEST_METHOD") != "POST" or environ.get("HTTP_CONTENT_ENCODING"):
        return None
    if target.startswith("DynamoDB_20120810."):
        from moto.dynamodb.responses import DynamoHandler

        return DynamoHandler
    if target.startswith("Kinesis_20131202."):
        from moto.kinesis.responses import KinesisResponse

        return KinesisResponse
    return None


def _dispatch(handler: Any, environ: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
    """What moto's Flask view does with `handler`: dispatch, and a client error answers 400."""
    from botocore.exceptions import ClientError
    from werkzeug.wrappers import Request

    request = Request(environ)
    try:
        result = handler.dispatch(request, request.url, dict(request.headers))
    except ClientError as error:
        result = 400, {}, error.response["Error"]["Message"]
    status, headers, content = result if len(result) == 3 else (200, {}, result)
    payload = content.encode("utf-8") if isinstance(content, str) else bytes(content or b"")
    answer = {str(k): str(v) for k, v in dict(headers).items()}
    if not any(k.lower() == "content-length" for k in answer):
        answer["Content-Length"] = str(len(payload))
    return int(status), answer, payload


def _merge(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    merged: dict[str, str] = {}
    for name, value in headers:
        merged[name] = f"{merged[name]}, {value}" if name in merged else value
    return merged


def _header_items(headers: Mapping[str, Any]) -> list[tuple[str, str]]:
    items = []
    for name, value in headers.items():
        text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
        items.append((str(name), text))
    return items


def _body_bytes(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, bytearray):
        return bytes(body)
    if isinstance(body, str):
        return body.encode("utf-8")
    read = getattr(body, "read", None)
    if read is not None:  # a file-like body (S3 uploads): read it whole, as the server would
        data = read()
        seek = getattr(body, "seek", None)
        if seek is not None:
            try:
                seek(0)  # botocore may retry and read again
            except (OSError, ValueError):
                pass
        return data if isinstance(data, bytes) else str(data).encode("utf-8")
    return b"".join(body)
