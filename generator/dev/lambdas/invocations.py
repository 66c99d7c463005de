"""What each local function was handed and what it settled: counters for ``/_local/status``.

`CountingHandler(handler)` wraps a stream function and counts invocations, records delivered,
and records *acknowledged*: those before the lowest failure Lambda reads from the answer
(`batch_response.interpret`, the poller's own rule), i.e. the records that invocation lets the
shard's checkpoint pass. Records after a failure are delivered again, so ``delivered`` may
exceed the stream's records while ``acknowledged`` counts each finished record once. A handler
that raises acknowledges nothing. Thread-safe.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from generator.dev.kinesis.shard_reader import StreamRecord
from generator.dev.lambdas.batch_response import interpret

Handler = Callable[[dict[str, Any], Any], Any]
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass
class InvocationCounts:
    invocations: int = 0
    delivered: int = 0
    acknowledged: int = 0
    errors: int = 0  # invocations that raised

    def to_json(self) -> dict[str, int]:
        return asdict(self)


def _records(event: dict[str, Any]) -> list[StreamRecord]:
    records = []
    for record in event.get("Records", []):
        kinesis = record.get("kinesis", {})
        records.append(
            StreamRecord(
                shard_id="",
                sequence_number=str(kinesis.get("sequenceNumber", "")),
                partition_key=str(kinesis.get("partitionKey", "")),
                data=b"",
                arrival=_EPOCH,
            )
        )
    return records


class CountingHandler:
    def __init__(self, handler: Handler) -> None:
        self._handler = handler
        self._lock = threading.Lock()
        self._counts = InvocationCounts()

    def __call__(self, event: dict[str, Any], context: Any) -> Any:
        records = _records(event)
        try:
            response = self._handler(event, context)
        except BaseException:
            self._add(len(records), 0, raised=True)
            raise
        outcome = interpret(response, records, True)
        done = len(records) if outcome.first_failed is None else outcome.first_failed
        self._add(len(records), done, raised=False)
        return response

    def _add(self, delivered: int, acknowledged: int, raised: bool) -> None:
        with self._lock:
            self._counts.invocations += 1
            self._counts.delivered += delivered
            self._counts.acknowledged += acknowledged
            self._counts.errors += 1 if raised else 0

    def counts(self) -> InvocationCounts:
        with self._lock:
            return InvocationCounts(**asdict(self._counts))
