"""A Kinesis event source mapping run in-process: one stream, one consumer function.

`KinesisPoller` reads every shard of a stream (one thread per shard, so a failing shard holds
up only itself, as with Lambda's one-batch-at-a-time-per-shard rule), drops records whose
CloudEvents ``type`` is not subscribed (Lambda filter criteria), and invokes the handler with
the real Lambda Kinesis event and a Lambda context. It honours ``batchItemFailures``, retries
with backoff, bisects failing batches, and discards after the maximum retry attempts or
record age to a dead-letter queue. Checkpoints go to a caller-provided store after each
resolved (sub-)batch, so a stopped and restarted poller resumes exactly where it left off.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from generator.dev.batch_response import BatchOutcome, interpret, whole_failure
from generator.dev.checkpoints import CheckpointStore, MemoryCheckpointStore
from generator.dev.dead_letters import DeadLetterQueue
from generator.dev.lambda_shapes import (
    FailedInvocation,
    LambdaContext,
    function_arn,
    kinesis_event_record,
    on_failure_record,
)
from generator.dev.shard_reader import (
    STARTING_POSITIONS,
    ShardReader,
    StreamRecord,
    list_shard_ids,
    stream_arn,
)

if TYPE_CHECKING:
    from mypy_boto3_kinesis import KinesisClient
    from mypy_boto3_sqs import SQSClient

log = logging.getLogger(__name__)
Handler = Callable[[dict[str, Any], Any], Any]


def _check_range(name: str, value: float, lo: float, hi: float, infinite: bool = False) -> None:
    if infinite and value == -1:
        return
    if not lo <= value <= hi:
        extra = " or -1 (infinite)" if infinite else ""
        raise ValueError(f"{name} must be within {lo:g}..{hi:g}{extra}, got {value:g}")


@dataclass(frozen=True)
class EventSourceConfig:
    """One event source mapping; defaults and limits are Lambda's own for Kinesis."""

    function_name: str
    stream_name: str
    handler: Handler
    batch_size: int = 100
    batching_window_s: float = 0.0
    max_retries: int = -1  # -1: retry until the record expires
    max_record_age_s: int = -1  # -1: never discard for age
    bisect_on_error: bool = False
    report_batch_item_failures: bool = True
    filter_types: tuple[str, ...] = ()  # CloudEvents types to deliver; () delivers all
    dlq_url: str | None = None
    starting_position: str = "TRIM_HORIZON"
    timeout_s: float = 3.0  # only feeds get_remaining_time_in_millis(); not enforced
    memory_mb: int = 128
    role_arn: str | None = None  # invokeIdentityArn; default role/<function_name>
    poll_interval_s: float = 0.1  # idle wait between GetRecords at the tip of a shard
    retry_backoff_s: float = 0.05  # first retry delay, doubling up to 1 s

    def __post_init__(self) -> None:
        _check_range("batch_size", self.batch_size, 1, 10_000)
        _check_range("batching_window_s", self.batching_window_s, 0, 300)
        _check_range("max_retries", self.max_retries, 0, 10_000, infinite=True)
        _check_range("max_record_age_s", self.max_record_age_s, 60, 604_800, infinite=True)
        if self.starting_position not in STARTING_POSITIONS:
            raise ValueError(f"starting_position must be one of {', '.join(STARTING_POSITIONS)}")
        if isinstance(self.filter_types, str):
            raise ValueError("filter_types is a tuple of CloudEvents types, not a string")


@dataclass
class ShardStats:
    """Counters of one shard; ``lag_records`` counts records read but not yet checkpointed."""

    records_in: int = 0
    records_filtered: int = 0
    batches: int = 0
    failed_batches: int = 0
    retries: int = 0
    bisects: int = 0
    records_dlq: int = 0
    lag_records: int = 0
    millis_behind_latest: int = 0
    checkpoint: str | None = None


@dataclass
class PollerStats:
    """Totals over shards, plus each shard's own `ShardStats`."""

    records_in: int = 0
    records_filtered: int = 0
    batches: int = 0
    failed_batches: int = 0
    retries: int = 0
    bisects: int = 0
    records_dlq: int = 0
    shards: dict[str, ShardStats] = field(default_factory=dict)


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
    try:
        document = json.loads(data)
    except ValueError:
        return False  # a filter on data never matches a record that is not JSON
    return isinstance(document, dict) and document.get("type") in types


@dataclass(frozen=True)
class _Env:
    """What every shard worker of one poller shares."""

    config: EventSourceConfig
    kinesis: KinesisClient
    store: CheckpointStore
    dlq: DeadLetterQueue
    stream_arn: str
    region: str
    function_arn: str
    role_arn: str
    clock: Callable[[], datetime]
    stop: threading.Event
    progress: threading.Condition


class _ShardWorker:
    """Reads, filters, batches and delivers one shard, strictly in sequence order."""

    def __init__(self, env: _Env, shard_id: str) -> None:
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

    def _new_reader(self) -> ShardReader:
        config = self.env.config
        return ShardReader(
            self.env.kinesis,
            config.stream_name,
            self.shard_id,
            after=self.stats.checkpoint,
            starting_position=config.starting_position,
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
                self._resolve(current)
                work.popleft()
                failures = invokes = 0
                continue
            self.stats.failed_batches += 1
            assert outcome.first_failed is not None
            if outcome.first_failed > 0:
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
                continue
            else:
                failures += 1
            max_retries = self.env.config.max_retries
            if max_retries != -1 and failures > max_retries:
                invocation = FailedInvocation(request_id, outcome.function_error, invokes)
                self._discard(current, "RetryAttemptsExhausted", invocation)
                work.popleft()
                failures = invokes = 0
                continue
            self.stats.retries += 1
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
        self, records: list[_Buffered], condition: str, invocation: FailedInvocation
    ) -> None:
        env = self.env
        plain = [item.record for item in records]
        document = on_failure_record(
            plain, condition, invocation, env.function_arn, env.stream_arn, env.clock()
        )
        events = [kinesis_event_record(r, env.stream_arn, env.region, env.role_arn) for r in plain]
        env.dlq.send(document, events)
        self.stats.records_dlq += len(records)
        self._resolve(records)


class KinesisPoller:
    """Polls every shard of ``config.stream_name`` and delivers batches to ``config.handler``."""

    def __init__(
        self,
        config: EventSourceConfig,
        kinesis: KinesisClient,
        sqs: SQSClient | None = None,
        store: CheckpointStore | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.config = config
        self._kinesis = kinesis
        self._dlq = DeadLetterQueue(sqs, config.dlq_url)
        self._store: CheckpointStore = store if store is not None else MemoryCheckpointStore()
        self._clock = clock
        self._stop = threading.Event()
        self._progress = threading.Condition()
        self._workers: list[_ShardWorker] = []
        self._running = False

    def start(self) -> None:
        """Start one thread per shard, each resuming after its checkpoint."""
        if self._running:
            raise RuntimeError(f"poller {self.config.function_name} is already running")
        arn = stream_arn(self._kinesis, self.config.stream_name)
        region, account = arn.split(":")[3:5]
        self._stop = threading.Event()
        env = _Env(
            config=self.config,
            kinesis=self._kinesis,
            store=self._store,
            dlq=self._dlq,
            stream_arn=arn,
            region=region,
            function_arn=function_arn(self.config.function_name, region, account),
            role_arn=self.config.role_arn
            or f"arn:aws:iam::{account}:role/{self.config.function_name}",
            clock=self._clock,
            stop=self._stop,
            progress=self._progress,
        )
        self._workers = [
            _ShardWorker(env, shard_id)
            for shard_id in list_shard_ids(self._kinesis, self.config.stream_name)
        ]
        for worker in self._workers:
            worker.thread.start()
        self._running = True

    def stop(self, timeout: float = 10.0) -> None:
        """Finish the invocation in hand, then stop every shard thread and wait for it."""
        self._stop.set()
        for worker in self._workers:
            worker.thread.join(timeout)
        self._running = False

    def drain(self, timeout: float = 10.0) -> bool:
        """Wait until every record in the stream now is checkpointed or discarded."""
        if not self._running:
            raise RuntimeError("drain() needs a started poller")
        since = time.monotonic()
        deadline = since + timeout
        with self._progress:
            while not all(worker.drained_since(since) for worker in self._workers):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._progress.wait(remaining)
        return True

    def stats(self) -> PollerStats:
        """A snapshot of the counters of the current (or last) run, totals and per shard."""
        totals = PollerStats()
        for worker in self._workers:
            shard = ShardStats(**vars(worker.stats))
            shard.lag_records = len(worker.buffer) + worker.inflight
            totals.shards[worker.shard_id] = shard
            for name in (
                "records_in",
                "records_filtered",
                "batches",
                "failed_batches",
                "retries",
                "bisects",
                "records_dlq",
            ):
                setattr(totals, name, getattr(totals, name) + getattr(shard, name))
        return totals
