"""The emulator's HTTP response value, and the content negotiation API Gateway applies to templates.

Contract: `Response(status, headers, body)` is what `ApiGateway.handle` returns.
`select_template(templates, accept)` picks the response template API Gateway would use: the one
whose content type the `Accept` header names (first match in the header's order), else
`application/json`, else the first defined; `None` when there are none. `header_value` and
`set_header` read and replace a header whatever its case.

`RequestTrace` is what one request did inside the gateway, a trace a user reads to debug a
template. When an `ApiGateway` has an observer (`TraceObserver`, any callable taking a
`RequestTrace`), `handle()` fills one `RequestTrace` per request and hands it to the observer
once the response is built (also for gateway errors). The trace holds the method request
(method, raw path, query, headers, body), the route (resource path and operationId), the
rendered integration request (the request template's output, or the passed-through body), the
service call (service, action) and its answer (status, body), the rendered response (status,
headers, body), an error (the gateway response's kind and message) and the milliseconds spent
in each phase (`lap`). Bodies are kept up to `MAX_BODY_CHARS` characters (``truncated`` says
when cut). Without an observer nothing is recorded and nothing is spent.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    def header(self, name: str) -> str | None:
        """A header's value, case-insensitively."""
        lowered = name.lower()
        for key, value in self.headers.items():
            if key.lower() == lowered:
                return value
        return None


def select_template(templates: Mapping[str, str], accept: str | None) -> tuple[str, str] | None:
    if not templates:
        return None
    by_type = {key.lower(): (key, value) for key, value in templates.items()}
    for item in (accept or "").split(","):
        wanted = item.split(";", 1)[0].strip().lower()
        if wanted in by_type:
            return by_type[wanted]
    if "application/json" in by_type:
        return by_type["application/json"]
    return next(iter(by_type.values()))


def header_value(headers: Mapping[str, str], name: str) -> str | None:
    """The value of header `name` in any case (the last one, if it is repeated)."""
    lowered = name.lower()
    found = None
    for key, value in headers.items():
        if key.lower() == lowered:
            found = value
    return found


def set_header(headers: dict[str, str], name: str, value: str) -> None:
    """Set header `name`, dropping any spelling of it already there."""
    for key in [k for k in headers if k.lower() == name.lower()]:
        del headers[key]
    headers[name] = value


MAX_BODY_CHARS = 16 * 1024


def clip(text: str | bytes, limit: int = MAX_BODY_CHARS) -> tuple[str, bool]:
    """`text` as a string of at most `limit` characters, and whether it was cut."""
    if isinstance(text, bytes):
        text = text[: limit * 4].decode("utf-8", "replace")
    return (text[:limit], True) if len(text) > limit else (text, False)


@dataclass
class RequestTrace:
    """One request through the gateway; see the module docstring. Filled by one thread."""

    request_id: str
    started_at: float  # epoch seconds
    method: str
    path: str
    query: dict[str, list[str]]
    headers: list[tuple[str, str]]
    body: str
    resource: str | None = None
    operation_id: str | None = None
    request_template: str | None = None
    integration_request: str | None = None
    service: str | None = None  # "dynamodb.Query"; "mock" for a mock integration
    service_status: int | None = None
    service_body: str | None = None
    response_template: str | None = None
    status: int = 0
    response_headers: dict[str, str] = field(default_factory=dict)
    response_body: str = ""
    error: str | None = None  # "KIND: message" when the gateway answered itself
    phases: dict[str, float] = field(default_factory=dict)  # ms per phase, in order
    truncated: list[str] = field(default_factory=list)  # which bodies were cut
    _mark: float = field(default=0.0, repr=False)

    @classmethod
    def begin(
        cls,
        request_id: str,
        method: str,
        path: str,
        query: Mapping[str, Sequence[str]],
        headers: Sequence[tuple[str, str]],
        body: bytes,
    ) -> RequestTrace:
        text, cut = clip(body)
        trace = cls(
            request_id=request_id,
            started_at=time.time(),
            method=method.upper(),
            path=path,
            query={k: list(v) for k, v in query.items()},
            headers=list(headers),
            body=text,
            truncated=["body"] if cut else [],
        )
        trace._mark = time.perf_counter()
        return trace

    def lap(self, phase: str) -> None:
        """Charge the time since the previous lap (or the start) to `phase`."""
        now = time.perf_counter()
        self.phases[phase] = round(self.phases.get(phase, 0.0) + (now - self._mark) * 1000, 3)
        self._mark = now

    def keep(self, name: str, text: str | bytes) -> str:
        """`text` clipped for the trace; remembers `name` when it was cut."""
        kept, cut = clip(text)
        if cut:
            self.truncated.append(name)
        return kept

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.request_id,
            "startedAt": self.started_at,
            "durationMs": round(sum(self.phases.values()), 3),
            "route": {"resource": self.resource, "operationId": self.operation_id},
            "methodRequest": {
                "method": self.method,
                "path": self.path,
                "query": self.query,
                "headers": [list(pair) for pair in self.headers],
                "body": self.body,
            },
            "integrationRequest": {
                "template": self.request_template,
                "rendered": self.integration_request,
            },
            "serviceCall": {
                "action": self.service,
                "status": self.service_status,
                "body": self.service_body,
            },
            "response": {
                "template": self.response_template,
                "status": self.status,
                "headers": self.response_headers,
                "body": self.response_body,
            },
            "status": self.status,
            "error": self.error,
            "phases": [{"phase": name, "ms": ms} for name, ms in self.phases.items()],
            "truncated": self.truncated,
        }


TraceObserver = Callable[[RequestTrace], None]
