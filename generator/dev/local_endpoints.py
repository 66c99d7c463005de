"""The local stack's own endpoints under ``/_local/`` (no AWS equivalent; for tests and demos).

| request | answer |
| --- | --- |
| ``GET /_local/status`` | stream sizes, per-processor lag, counters and DLQ depth, archives, schedules |
| | ``state``: where state lives (``dir``: the --state DIR or null; ``line``: as gen dev prints it) |
| | ``reload`` (with --watch): the last reload, its ``state``, ``changed`` files and located ``errors`` |
| ``POST /_local/schedules/<name>/fire`` | run scheduled processor ``<name>`` now; its run record |
| ``POST /_local/pollers/stop`` / ``start`` | stop / start the Kinesis pollers (``?processor=`` picks some) |
| ``POST /_local/drain?timeout=S`` | wait until the running pollers have settled their streams |
| ``POST /_local/archives/flush`` | write every archived stream's records to the data lake now |
| ``GET /_local/`` and the console's JSON | the dev console (`console.views` lists its routes) |

Answers are JSON; unknown names are 404, wrong methods 405, bad parameters 400. In the status,
a processor's ``lag`` is the records of its stream after its checkpoints (filtered ones
included); ``records``/``batches``/``retries``/... count the poller's current run;
``invocations`` counts since the stack started (``acknowledged``: records a batch answer let
the checkpoint pass, see `lambdas.invocations`); ``dlq.messages`` is the queue's depth.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from generator.dev.console.views import Console
from generator.dev.workers import Workers

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

PREFIX = "/_local"
MAX_DRAIN_S = 60.0


class LocalError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _json(status: int, document: Any) -> Response:
    return Response(
        json.dumps(document, indent=1, sort_keys=True) + "\n",
        status=status,
        mimetype="application/json",
        headers={"Cache-Control": "no-store"},
    )


def _processors(request: Request) -> list[str] | None:
    names = request.args.getlist("processor")
    return names or None


def _timeout(request: Request) -> float:
    text = request.args.get("timeout", "10")
    try:
        value = float(text)
    except ValueError:
        raise LocalError(400, f"timeout must be a number of seconds, got {text!r}") from None
    if not math.isfinite(value) or not 0 <= value <= MAX_DRAIN_S:
        raise LocalError(400, f"timeout must be within 0..{MAX_DRAIN_S:g} seconds")
    return value


class LocalEndpoints:
    """A WSGI application serving ``/_local/*`` for the stack's workers."""

    def __init__(
        self, workers: Workers, info: Callable[[], dict[str, Any]], console: Console | None = None
    ) -> None:
        self._workers = workers
        self._info = info
        self._console = console

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        try:
            response = self._dispatch(request)
        except LocalError as error:
            response = _json(error.status, {"message": str(error)})
        except KeyError as error:
            response = _json(404, {"message": str(error.args[0]) if error.args else "not found"})
        answer: Iterable[bytes] = response(environ, start_response)
        return answer

    def _dispatch(self, request: Request) -> Response:
        path = request.path.removeprefix(PREFIX).strip("/")
        parts = path.split("/") if path else []
        workers = self._workers
        if self._console is not None:
            answer = self._console.respond(request, parts)
            if answer is not None:
                return answer
        if parts == ["status"]:
            self._method(request, "GET")
            return _json(200, {**self._info(), **workers.status()})
        if len(parts) == 3 and parts[0] == "schedules" and parts[2] == "fire":
            self._method(request, "POST")
            record = workers.scheduler.fire_now(parts[1])
            return _json(200 if record.ok else 500, {"name": parts[1], **record.to_json()})
        if parts == ["pollers", "stop"]:
            self._method(request, "POST")
            return _json(200, {"stopped": workers.stop_pollers(_processors(request))})
        if parts == ["pollers", "start"]:
            self._method(request, "POST")
            return _json(200, {"started": workers.start_pollers(_processors(request))})
        if parts == ["drain"]:
            self._method(request, "POST")
            drained = workers.drain(_timeout(request))
            return _json(200 if drained else 504, {"drained": drained})
        if parts == ["archives", "flush"]:
            self._method(request, "POST")
            return _json(200, {"keys": workers.flush_archives()})
        raise LocalError(404, f"no local endpoint {request.path}; see GET {PREFIX}/status")

    @staticmethod
    def _method(request: Request, method: str) -> None:
        if request.method != method:
            raise LocalError(405, f"{request.path} takes {method}")
