"""The console's routes under ``/_local/``: the page, its assets, and the JSON behind them.

| request | answer |
| --- | --- |
| ``GET /_local/`` | the console page (HTML; it polls the JSON below every 2 s) |
| ``GET /_local/console/<file>`` | the page's script and styles (`static/`) |
| ``GET /_local/requests?since=N`` | the last requests, newest first (route, status, timing) |
| ``GET /_local/requests/<id>`` | one request's whole trace (`response.RequestTrace`) |
| ``GET /_local/events?stream=S&since=N`` | the last records per stream with their processing |
| ``GET /_local/tables`` | the spec's tables: physical name, keys |
| ``GET /_local/tables/<name>?limit=&after=&key=`` | a page of items (a scan, or a query by partition key) |
| ``GET /_local/streams`` | per stream processor and shard: checkpoint, tip, lag |
| ``GET /_local/schedules`` | every schedule: expression, next run, last run |
| ``GET /_local/dlq`` | every processor's dead-letter queue and its depth |
| ``GET /_local/dlq/<processor>`` | the queue's messages with their failed records |
| ``POST /_local/dlq/<processor>/redrive`` | deliver them again to the processor (`dead_letters.redrive`) |

Names are the spec's (tables, streams, processors); unknown names are 404, wrong methods 405,
bad parameters 400; JSON answers are never cached. `Console.respond` answers None for a path
that is not the console's, so the caller's other endpoints get it (``POST
/_local/schedules/<name>/fire`` fires a schedule).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from importlib import resources
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from generator.dev.console import dead_letters, tables
from generator.dev.console.recorder import Recorder
from generator.dev.kinesis.tips import StreamTips
from generator.dev.workers import Workers

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_sqs import SQSClient

ASSETS = {"console.js": "text/javascript", "console.css": "text/css"}
# (first segment, number of further segments) of every console route
ROUTES = frozenset((
    ("", 0), ("console", 1), ("requests", 0), ("requests", 1), ("events", 0), ("tables", 0),
    ("tables", 1), ("streams", 0), ("schedules", 0), ("dlq", 0), ("dlq", 1), ("dlq", 2),
))


class ConsoleError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def json_response(status: int, document: Any) -> Response:
    return Response(
        json.dumps(document, indent=1, sort_keys=True, default=str) + "\n",
        status=status,
        mimetype="application/json",
        headers={"Cache-Control": "no-store"},
    )


def _static(name: str) -> str:
    return resources.files("generator.dev.console").joinpath("static", name).read_text("utf-8")


def _int(request: Request, name: str, default: int, low: int, high: int) -> int:
    text = request.args.get(name)
    if text is None or text == "":
        return default
    try:
        value = int(text)
    except ValueError:
        raise ConsoleError(400, f"{name} must be a whole number, got {text!r}") from None
    if not low <= value <= high:
        raise ConsoleError(400, f"{name} must be within {low}..{high}")
    return value


class Console:
    """The console's routes for one running stack; see the module docstring."""

    def __init__(
        self,
        recorder: Recorder,
        workers: Workers,
        dynamodb: DynamoDBClient,
        sqs: SQSClient,
        tips: StreamTips,
        dlq_urls: Mapping[str, str],
    ) -> None:
        self.recorder = recorder
        self._workers = workers
        self._dynamodb = dynamodb
        self._sqs = sqs
        self._tips = tips
        self._dlq_urls = dict(dlq_urls)
        self._dlq_locks = {name: threading.Lock() for name in self._dlq_urls}

    def follow(self, fresh: Workers, dlq_urls: Mapping[str, str]) -> None:
        """After a reload (`gen dev --watch`): learn the names of ``fresh`` (the workers about to
        take over), observe its pollers that have no observer yet (call before they start), and
        list its dead-letter queues. Queues of removed processors stay listed: they keep data."""
        _observe(self.recorder, fresh)
        for name, url in dlq_urls.items():
            self._dlq_locks.setdefault(name, threading.Lock())
            self._dlq_urls[name] = url

    def respond(self, request: Request, parts: list[str]) -> Response | None:
        """The answer to ``/_local/<parts>``, or None when the path is not the console's."""
        head = parts[0] if parts else ""
        if (head, max(len(parts) - 1, 0)) not in ROUTES or (head == "" and parts):
            return None
        if head == "dlq" and len(parts) == 3 and parts[2] != "redrive":
            return None
        try:
            return self._route(request, head, parts[1:])
        except ConsoleError as error:
            return json_response(error.status, {"message": str(error)})
        except tables.TableRequestError as error:
            return json_response(400, {"message": str(error)})

    @staticmethod
    def _method(request: Request, method: str) -> None:
        allowed = (method, "HEAD") if method == "GET" else (method,)
        if request.method not in allowed:
            raise ConsoleError(405, f"{request.path} takes {method}")

    def _route(self, request: Request, head: str, rest: list[str]) -> Response:
        if head == "" or head == "console":
            self._method(request, "GET")
            return self._page(rest)
        post = head == "dlq" and len(rest) == 2 and rest[1] == "redrive"
        self._method(request, "POST" if post else "GET")
        if head == "requests" and not rest:
            return json_response(200, {
                "requests": self.recorder.requests(_int(request, "since", 0, 0, 2**62)),
                "last": self.recorder.last_seq(),
            })
        if head == "requests" and len(rest) == 1:
            trace = self.recorder.request(rest[0])
            if trace is None:
                raise ConsoleError(404, f"no request {rest[0]} is kept (the console keeps the last ones)")
            return json_response(200, trace)
        if head == "events" and not rest:
            stream = request.args.get("stream") or None
            if stream is not None and stream not in self._workers.names.streams:
                raise ConsoleError(404, f"no stream named {stream}")
            return json_response(200, {
                "events": self.recorder.events(stream, _int(request, "since", 0, 0, 2**62)),
                "last": self.recorder.last_seq(),
            })
        if head == "tables" and not rest:
            return json_response(200, {"tables": self._tables()})
        if head == "tables" and len(rest) == 1:
            return json_response(200, self._table(request, rest[0]))
        if head == "streams" and not rest:
            return json_response(200, {"streams": self._streams()})
        if head == "schedules" and not rest:
            return json_response(200, {"schedules": self._workers.scheduler.status()})
        if head == "dlq" and not rest:
            return json_response(200, {"queues": self._queues()})
        if head == "dlq" and len(rest) == 1:
            url = self._dlq(rest[0])
            with self._dlq_locks[rest[0]]:
                found = dead_letters.messages(self._sqs, url)
            return json_response(200, {"processor": rest[0], "messages": found})
        if post:
            return json_response(200, {"processor": rest[0], **self._redrive(rest[0])})
        raise ConsoleError(404, f"no local endpoint {request.path}")

    # --- the page -----------------------------------------------------------------------------

    def _page(self, rest: list[str]) -> Response:
        if not rest:
            return Response(_static("index.html"), mimetype="text/html",
                            headers={"Cache-Control": "no-cache"})
        if len(rest) == 1 and rest[0] in ASSETS:
            return Response(_static(rest[0]), mimetype=ASSETS[rest[0]],
                            headers={"Cache-Control": "no-cache"})
        raise ConsoleError(404, "no such console file")

    # --- tables -------------------------------------------------------------------------------

    def _tables(self) -> list[dict[str, Any]]:
        ir = self._workers.ir
        return [
            {"name": t.name, "physical": self._workers.names.tables[t.name]}
            for t in ir.tables
        ]

    def _table(self, request: Request, name: str) -> dict[str, Any]:
        physical = self._workers.names.tables.get(name)
        if physical is None:
            raise ConsoleError(404, f"no table named {name} in the spec")
        limit = _int(request, "limit", 25, 1, tables.MAX_LIMIT)
        after = request.args.get("after") or None
        key = request.args.get("key")
        if key:
            page = tables.query(self._dynamodb, physical, key, limit, after)
        else:
            page = tables.browse(self._dynamodb, physical, limit, after)
        return {**page, "name": name}

    # --- streams ------------------------------------------------------------------------------

    def _streams(self) -> list[dict[str, Any]]:
        workers = self._workers
        out = []
        for name, poller in sorted(workers.pollers.items()):
            processor = workers.ir.processor(name)
            assert processor.stream is not None
            tips = self._tips(workers.names.streams[processor.stream]) or {}
            stats = poller.stats()
            shards = []
            for shard in sorted(set(tips) | set(stats.shards)):
                checkpoint = stats.shards[shard].checkpoint if shard in stats.shards else None
                tip = tips.get(shard)
                shards.append({
                    "shard": shard,
                    "checkpoint": checkpoint,
                    "tip": tip,
                    "lag": None if tip is None else max(0, tip - int(checkpoint or 0)),
                })
            out.append({"processor": name, "stream": processor.stream, "shards": shards})
        return out

    # --- dead letters ------------------------------------------------------------------------

    def _dlq(self, processor: str) -> str:
        url = self._dlq_urls.get(processor)
        if url is None:
            known = ", ".join(sorted(self._dlq_urls)) or "none"
            raise ConsoleError(404, f"no dead-letter queue for {processor} (queues: {known})")
        return url

    def _queues(self) -> list[dict[str, Any]]:
        out = []
        for name, url in sorted(self._dlq_urls.items()):
            attributes = self._sqs.get_queue_attributes(
                QueueUrl=url,
                AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
            )["Attributes"]
            depth = int(attributes.get("ApproximateNumberOfMessages", 0)) + int(
                attributes.get("ApproximateNumberOfMessagesNotVisible", 0)
            )
            out.append({"processor": name, "url": url, "messages": depth,
                        "redrive": name in self._workers.pollers})
        return out

    def _redrive(self, processor: str) -> dict[str, Any]:
        url = self._dlq(processor)
        poller = self._workers.pollers.get(processor)
        if poller is None:
            raise ConsoleError(409, f"{processor} is not a stream processor: nothing to redrive to")
        with self._dlq_locks[processor]:
            return dead_letters.redrive(self._sqs, url, poller, self.recorder.record_batch)


def start_console(
    workers: Workers,
    dynamodb: DynamoDBClient,
    sqs: SQSClient,
    tips: StreamTips,
    dlq_urls: Mapping[str, str],
) -> Console:
    """A console over ``workers`` whose recorder observes every poller (call before the
    pollers start: they read their observer at start). The gateway's observer is the caller's
    to set: ``gateway.observer = console.recorder.record_request``."""
    recorder = Recorder({}, {})
    _observe(recorder, workers)
    return Console(recorder, workers, dynamodb, sqs, tips, dlq_urls)


def _observe(recorder: Recorder, workers: Workers) -> None:
    names = workers.names
    recorder.learn(
        {function: processor for processor, function in names.functions.items()},
        {physical: stream for stream, physical in names.streams.items()},
    )
    for poller in workers.pollers.values():
        if poller.observer is None:
            poller.observer = recorder.record_batch
