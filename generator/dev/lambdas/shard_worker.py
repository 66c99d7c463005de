"""One shard of a local Kinesis event source mapping: read, filter, batch, invoke, settle.

`ShardWorker` runs in its own thread and keeps Lambda's per-shard rules: one batch at a time,
in sequence order; ``batchItemFailures`` checkpoint before the lowest failed record; a failed
batch is bisected (no retry used) or retried with backoff; after the maximum retry attempts
or record age the batch goes to the dead-letter queue and the shard moves on. The checkpoint
moves only past records that were delivered, discarded or filtered out.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from generator.dev.kinesis.checkpoints import CheckpointStore
from generator.dev.kinesis.shard_reader import Reader, ReaderFactory, StreamRecord
from generator.dev.lambdas.batch_response import BatchOutcome, interpret, whole_failure
from generator.dev.lambdas.dead_letters import DeadLetterQueue
from generator.dev.lambdas.event_source import EventSourceConfig, ShardStats
from generator.dev.lambdas.observer import BatchEvent, BatchObserver
from generator.dev.lambdas.shapes import (
    FailedInvocation,
    LambdaContext,
    kinesis_event_record,
    on_failure_record,
)

if TYPE_CHECKING:
    from mypy_boto3_kinesis import KinesisClient

log = logging.getLogger(__name__)


@dataclass(slots=True)
class _Buffered:
    record: StreamRecord
    # Finishing this record also covers the filtered records right after it.
    checkpoint_seq: str


class _Stopped(Exception):
    """The poller is stopping in the middle of a retry wait."""


def _wanted(data: bytes, types: tuple[str, ...]) -> bool:
    if not types:
        return True
    if b"\\" not in data and not any(t.encode() in data for t in types):
        # Without escapes a matching "type" value appears verbatim: no parse needed to say no.
        return False
    try:
        document = json.loads(data)
    except ValueError:
        return False  # a filter on data never matches a record that is not JSON
    return isinstance(document, dict) and document.get("type") in types


@dataclass(frozen=True)
class ShardEnv:
    """What every shard worker of one poller shares."""

    config: EventSourceConfig
    kinesis: KinesisClient
    open_reader: ReaderFactory
    store: CheckpointStore
    dlq: DeadLetterQueue
    stream_arn: str
    region: str
    function_arn: str
    role_arn: str
    clock: Callable[[], datetime]
    stop: threading.Event
    progress: threading.Condition
    # One execution environment: like Lambda's, it runs one invocation at a time, so module
    # state in the handler (e.g. a Powertools BatchProcessor) is never shared by two batches.
    invoke_lock: threading.Lock
    observer: BatchObserver | None = None  # told what became of each batch (`observer`)


class ShardWorker:
    """Reads, filters, batches and delivers one shard, strictly in sequence order."""

    def __init__(self, env: ShardEnv, shard_id: str) -> None:
        self.env = env
        self.shard_id = shard_id
        self.key = f"{env.config.function_name}/{env.config.stream_name}/{shard_id}"
        self.stats = ShardStats(checkpoint=env.store.get(self.key))
        self.reader = self._new_reader()
        self.buffer: deque[_Buffered] = deque()
        self.buffer_since = 0.0
        self.next_fetch = 0.0
        self.tip_seen_from = -1.0  # start time of the last GetRecords that found the tip
        # tip_seen_from when the worker last finished a step with nothing left in hand;
        # written under env.progress only, so drain() never sees a half-made step.
        self.drained_mark = -1.0
        self.inflight = 0
        self.thread = threading.Thread(target=self.run, name=f"poller-{self.key}", daemon=True)

    def _new_reader(self) -> Reader:
        config = self.env.config
        return self.env.open_reader(
            config.stream_name, self.shard_id, self.stats.checkpoint, config.starting_position
        )

    def drained_since(self, moment: float) -> bool:
        return self.drained_mark >= moment

    def run(self) -> None:
        stop = self.env.stop
        while not stop.is_set():
            try:
                progressed = self.step()
            except _Stopped:
                break
            except Exception:
                log.exception("%s: poller error; resuming from the checkpoint", self.key)
                self.buffer.clear()
                self.inflight = 0
                self.tip_seen_from = -1.0
                self.reader = self._new_reader()
                stop.wait(1.0)
                continue
            with self.env.progress:
                idle = not self.buffer and not self.inflight
                self.drained_mark = self.tip_seen_from if idle else -1.0
                self.env.progress.notify_all()
            if not progressed:
                stop.wait(self._idle_wait())

    def _idle_wait(self) -> float:
        wake = self.next_fetch
        if self.buffer:
            wake = min(wake, self.buffer_since + self.env.config.batching_window_s)
        return min(max(wake - time.monotonic(), 0.002), 1.0)

    def step(self) -> bool:
        """Fetch if there is room, deliver one batch if one is ready; True if anything moved."""
        config = self.env.config
        fetched = False
        if len(self.buffer) < config.batch_size and time.monotonic() >= self.next_fetch:
            started = time.monotonic()
            page = self.reader.read()
            self.stats.millis_behind_latest = page.millis_behind_latest
            self._accept(page.records)
            fetched = bool(page.records)
            if page.at_tip:
                self.tip_seen_from = started
                self.next_fetch = started + config.poll_interval_s
        batch = self._take_batch()
        if batch:
            self._deliver(batch)
        return fetched or bool(batch)

    def _accept(self, records: list[StreamRecord]) -> None:
        types = self.env.config.filter_types
        skipped_to: str | None = None
        for record in records:
            self.stats.records_in += 1
            if _wanted(record.data, types):
                if not self.buffer:
                    self.buffer_since = time.monotonic()
                self.buffer.append(_Buffered(record, record.sequence_number))
                continue
            self.stats.records_filtered += 1
            if self.buffer:
                self.buffer[-1].checkpoint_seq = record.sequence_number
            else:
                skipped_to = record.sequence_number
        if skipped_to is not None:
            self._checkpoint(skipped_to)

    def _take_batch(self) -> list[_Buffered]:
        config = self.env.config
        if not self.buffer:
            return []
        window_open = time.monotonic() - self.buffer_since < config.batching_window_s
        if len(self.buffer) < config.batch_size and window_open:
            return []
        count = min(config.batch_size, len(self.buffer))
        batch = [self.buffer.popleft() for _ in range(count)]
        self.buffer_since = time.monotonic()
        return batch

    def _checkpoint(self, sequence_number: str) -> None:
        self.env.store.put(self.key, sequence_number)
        self.stats.checkpoint = sequence_number

    def _deliver(self, batch: list[_Buffered]) -> None:
        """Invoke until every record of ``batch`` is checkpointed or discarded."""
        work: deque[list[_Buffered]] = deque([batch])
        self.inflight = len(batch)
        failures = 0  # consecutive failed invocations that began at the head record
        invokes = 0
        while work:
            current = work[0] = self._discard_expired(work[0], invokes)
            if not current:
                work.popleft()
                failures = invokes = 0
                continue
            outcome, request_id = self._invoke(current)
            invokes += 1
            if outcome.ok:
                self._observe(current, "acknowledged", request_id, invokes)
                self._resolve(current)
                work.popleft()
                failures = invokes = 0
                continue
            self.stats.failed_batches += 1
            assert outcome.first_failed is not None
            if outcome.first_failed > 0:
                self._observe(current[: outcome.first_failed], "acknowledged", request_id, invokes)
                self._resolve(current[: outcome.first_failed])
                current = current[outcome.first_failed :]
                work[0] = current
                failures, invokes = 1, 1
            elif outcome.whole_batch and self.env.config.bisect_on_error and len(current) > 1:
                # Splitting does not use up a retry attempt.
                half = len(current) // 2
                work.popleft()
                work.extendleft([current[half:], current[:half]])
                self.stats.bisects += 1
                self._observe(current, "bisected", request_id, invokes, outcome.reason)
                continue
            else:
                failures += 1
            max_retries = self.env.config.max_retries
            if max_retries != -1 and failures > max_retries:
                invocation = FailedInvocation(request_id, outcome.function_error, invokes)
                self._discard(current, "RetryAttemptsExhausted", invocation, outcome.reason)
                work.popleft()
                failures = invokes = 0
                continue
            self.stats.retries += 1
            self._observe(current, "retried", request_id, invokes, outcome.reason)
            backoff = self.env.config.retry_backoff_s * 2 ** (failures - 1)
            if self.env.stop.wait(min(backoff, 1.0)):
                raise _Stopped
        self.inflight = 0

    def _invoke(self, records: list[_Buffered]) -> tuple[BatchOutcome, str]:
        env = self.env
        config = env.config
        context = LambdaContext(
            function_name=config.function_name,
            invoked_function_arn=env.function_arn,
            timeout_s=config.timeout_s,
            memory_limit_in_mb=str(config.memory_mb),
        )
        event = {
            "Records": [
                kinesis_event_record(item.record, env.stream_arn, env.region, env.role_arn)
                for item in records
            ]
        }
        self.stats.batches += 1
        started = time.monotonic()
        try:
            with env.invoke_lock:
                response = config.handler(event, context)
        except Exception as exc:
            log.error("%s: handler raised on %d record(s)", self.key, len(records), exc_info=True)
            return whole_failure(repr(exc), function_error=True), context.aws_request_id
        if time.monotonic() - started > config.timeout_s:
            log.warning("%s: handler ran past its %gs timeout", self.key, config.timeout_s)
        outcome = interpret(
            response, [item.record for item in records], config.report_batch_item_failures
        )
        if not outcome.ok:
            log.warning("%s: batch failed: %s", self.key, outcome.reason)
        return outcome, context.aws_request_id

    def _resolve(self, records: list[_Buffered]) -> None:
        self._checkpoint(records[-1].checkpoint_seq)
        self.inflight -= len(records)

    def _discard_expired(self, records: list[_Buffered], invokes: int) -> list[_Buffered]:
        max_age = self.env.config.max_record_age_s
        if max_age == -1:
            return records
        now = self.env.clock()
        expired = 0
        while expired < len(records) and (
            (now - records[expired].record.arrival).total_seconds() > max_age
        ):
            expired += 1
        if expired:
            invocation = FailedInvocation(None, False, invokes)
            self._discard(records[:expired], "RecordAgeExceeded", invocation)
        return records[expired:]

    def _discard(
        self,
        records: list[_Buffered],
        condition: str,
        invocation: FailedInvocation,
        reason: str = "",
    ) -> None:
        env = self.env
        plain = [item.record for item in records]
        document = on_failure_record(
            plain, condition, invocation, env.function_arn, env.stream_arn, env.clock()
        )
        events = [kinesis_event_record(r, env.stream_arn, env.region, env.role_arn) for r in plain]
        sent = env.dlq.send(document, events)
        self.stats.records_dlq += len(records)
        detail = f"{condition}: {reason}" if reason else condition
        self._observe(
            records, "dlq" if sent else "discarded", invocation.request_id,
            invocation.invoke_count, detail,
        )
        self._resolve(records)

    def _observe(
        self,
        records: list[_Buffered],
        outcome: str,
        batch_id: str | None,
        attempt: int,
        reason: str = "",
    ) -> None:
        observer = self.env.observer
        if observer is None or not records:
            return
        config = self.env.config
        event = BatchEvent(
            function_name=config.function_name,
            stream_name=config.stream_name,
            shard_id=self.shard_id,
            batch_id=batch_id,
            outcome=outcome,
            records=tuple(item.record for item in records),
            reason=reason,
            attempt=max(attempt, 1),
        )
        try:
            observer(event)
        except Exception:  # watching never stops a shard
            log.exception("%s: the batch observer failed", self.key)
