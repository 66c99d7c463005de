"""Bounded memory of what the local stack did: the last requests and the last records per stream.

Contract: `Recorder(processors, streams, max_requests=200, max_events=200)` keeps the last
``max_requests`` request traces (`record_request`, the gateway's observer) and, per stream,
the last ``max_events`` record outcomes (`record_batch`, the pollers' observer; one entry per
record of the `BatchEvent`). ``processors`` maps a function's physical name to its processor,
``streams`` a stream's physical name to the spec's name, so entries read in the spec's terms.
Every entry gets a number ``seq``, increasing over the recorder's life, so a poller asks only
for what is new (``since``). Thread-safe: observers call from the request and shard threads.
Memory is bounded by the two limits (bodies and data are clipped by `response.clip`).
"""

from __future__ import annotations

import base64
import threading
from collections import deque
from collections.abc import Mapping
from datetime import UTC
from typing import Any

from generator.dev.apigw.response import RequestTrace, clip
from generator.dev.lambdas.observer import BatchEvent

DEFAULT_REQUESTS = 200
DEFAULT_EVENTS = 200
MAX_DATA_CHARS = 4096


def _data(raw: bytes) -> dict[str, Any]:
    """A record's data as text when it is UTF-8, else base64 (clipped either way)."""
    try:
        text, cut = clip(raw.decode("utf-8"), MAX_DATA_CHARS)
        return {"data": text, "encoding": "utf-8", "dataTruncated": cut}
    except UnicodeDecodeError:
        text, cut = clip(base64.b64encode(raw).decode("ascii"), MAX_DATA_CHARS)
        return {"data": text, "encoding": "base64", "dataTruncated": cut}


class Recorder:
    """See the module docstring."""

    def __init__(
        self,
        processors: Mapping[str, str],
        streams: Mapping[str, str],
        max_requests: int = DEFAULT_REQUESTS,
        max_events: int = DEFAULT_EVENTS,
    ) -> None:
        if max_requests < 1 or max_events < 1:
            raise ValueError("a recorder keeps at least one request and one event")
        self._processors = dict(processors)
        self._streams = dict(streams)
        self._max_events = max_events
        self._lock = threading.Lock()
        self._seq = 0
        self._requests: deque[tuple[int, RequestTrace]] = deque(maxlen=max_requests)
        self._events: dict[str, deque[dict[str, Any]]] = {}

    def learn(self, processors: Mapping[str, str], streams: Mapping[str, str]) -> None:
        """Add names (function -> processor, physical -> logical stream), e.g. after a reload."""
        with self._lock:
            self._processors.update(processors)
            self._streams.update(streams)

    def _next(self) -> int:
        self._seq += 1
        return self._seq

    # --- observers ----------------------------------------------------------------------------

    def record_request(self, trace: RequestTrace) -> None:
        with self._lock:
            self._requests.append((self._next(), trace))

    def record_batch(self, event: BatchEvent, outcome: str | None = None) -> None:
        """One entry per record of ``event``; ``outcome`` overrides the event's (e.g. redrive)."""
        stream = self._streams.get(event.stream_name, event.stream_name)
        base = {
            "stream": stream,
            "shard": event.shard_id,
            "processor": self._processors.get(event.function_name, event.function_name),
            "function": event.function_name,
            "batchId": event.batch_id,
            "outcome": outcome or event.outcome,
            "reason": event.reason,
            "attempt": event.attempt,
            "at": event.at,
        }
        entries = [
            {
                **base,
                "sequenceNumber": record.sequence_number,
                "partitionKey": record.partition_key,
                "arrival": record.arrival.astimezone(UTC).isoformat(),
                **_data(record.data),
            }
            for record in event.records
        ]
        with self._lock:
            ring = self._events.get(stream)
            if ring is None:
                ring = self._events[stream] = deque(maxlen=self._max_events)
            for entry in entries:
                entry["seq"] = self._next()
                ring.append(entry)

    # --- reads --------------------------------------------------------------------------------

    def requests(self, since: int = 0) -> list[dict[str, Any]]:
        """Summaries of the kept requests after ``since``, newest first."""
        with self._lock:
            kept = [(seq, trace) for seq, trace in self._requests if seq > since]
        return [_summary(seq, trace) for seq, trace in reversed(kept)]

    def request(self, request_id: str) -> dict[str, Any] | None:
        """The whole trace of a kept request, or None."""
        with self._lock:
            found = next(
                ((seq, t) for seq, t in self._requests if t.request_id == request_id), None
            )
        if found is None:
            return None
        return {"seq": found[0], **found[1].to_json()}

    def events(self, stream: str | None = None, since: int = 0) -> list[dict[str, Any]]:
        """The kept record outcomes after ``since`` (of one stream, or all), newest first."""
        with self._lock:
            rings = [self._events.get(stream, deque())] if stream else list(self._events.values())
            kept = [dict(entry) for ring in rings for entry in ring if entry["seq"] > since]
        return sorted(kept, key=lambda entry: -int(entry["seq"]))

    def last_seq(self) -> int:
        with self._lock:
            return self._seq


def _summary(seq: int, trace: RequestTrace) -> dict[str, Any]:
    return {
        "seq": seq,
        "id": trace.request_id,
        "startedAt": trace.started_at,
        "method": trace.method,
        "path": trace.path,
        "resource": trace.resource,
        "operationId": trace.operation_id,
        "status": trace.status,
        "error": trace.error,
        "durationMs": round(sum(trace.phases.values()), 3),
    }
