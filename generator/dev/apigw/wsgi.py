"""The WSGI face of the API Gateway emulator (what `gen dev` mounts at the stage root).

Contract: `wsgi_app(gateway)` returns a WSGI application that hands each request to
`gateway.handle` with the raw (still percent-encoded) path, so `%2F` inside a path parameter stays
inside it, as in API Gateway; the query string as a multi-dict; every header; the body; and the
client address as `$context.identity.sourceIp`.

`GatewaySlot` holds the gateway being served; `swap` replaces it atomically (for `gen dev
--watch`): each request reads the slot once, so a request in flight finishes on the definition
it started with and the next one meets the new definition.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from werkzeug.wrappers import Request
from werkzeug.wrappers import Response as WerkzeugResponse

from generator.dev.apigw.gateway import ApiGateway

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment


def _raw_path(environ: WSGIEnvironment) -> str:
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if raw:
        return str(urlsplit(raw).path or "/")
    # PATH_INFO is already decoded (as latin-1 text of the UTF-8 bytes); encode it back.
    decoded = str(environ.get("SCRIPT_NAME", "")) + str(environ.get("PATH_INFO", ""))
    return quote(decoded.encode("latin-1").decode("utf-8", "replace"), safe="/:@!$&'()*+,;=-._~")


class GatewaySlot:
    """The gateway now served; `swap` puts another in its place and returns the previous one."""

    def __init__(self, gateway: ApiGateway) -> None:
        self.gateway = gateway

    def swap(self, gateway: ApiGateway) -> ApiGateway:
        previous, self.gateway = self.gateway, gateway  # one reference store: atomic
        return previous


def wsgi_app(gateway: ApiGateway | GatewaySlot) -> WSGIApplication:
    slot = gateway if isinstance(gateway, GatewaySlot) else GatewaySlot(gateway)

    def application(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        result = slot.gateway.handle(
            request.method,
            _raw_path(environ),
            request.args.to_dict(flat=False),
            list(request.headers.items()),
            request.get_data(cache=False),
            source_ip=request.remote_addr or "127.0.0.1",
        )
        response = WerkzeugResponse(
            result.body, status=result.status, headers=list(result.headers.items())
        )
        answer: Any = response(environ, start_response)
        return answer  # type: ignore[no-any-return]

    return application
