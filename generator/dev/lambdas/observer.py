"""What a local event source mapping did with each batch, for whoever watches (the dev console).

Contract: a `KinesisPoller` whose ``observer`` is set calls it with one `BatchEvent` each time
records of a batch are settled or sent round again: ``acknowledged`` (the answer let the
checkpoint pass them), ``retried`` (the batch, or its records from the lowest item failure on,
will be invoked again; ``reason`` says why), ``bisected`` (a whole-batch failure split the
batch in two; no retry used), ``dlq`` (discarded to the dead-letter queue after the retries or
the record age ran out), ``discarded`` (the same without a queue). ``batch_id`` is the
invocation's request id (None for records discarded for age before an invocation). The
observer runs in the shard's thread: it must be quick and must not raise (errors are logged).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from generator.dev.kinesis.shard_reader import StreamRecord

OUTCOMES = ("acknowledged", "retried", "bisected", "dlq", "discarded")


@dataclass(frozen=True)
class BatchEvent:
    function_name: str
    stream_name: str
    shard_id: str
    batch_id: str | None
    outcome: str  # one of OUTCOMES
    records: tuple[StreamRecord, ...]
    reason: str = ""
    attempt: int = 1  # the invocation of this batch (1 = first delivery)
    at: float = field(default_factory=time.time)


BatchObserver = Callable[[BatchEvent], None]
