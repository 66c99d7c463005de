"""A Kinesis event source mapping run in-process: one stream, one consumer function.

`KinesisPoller` reads every shard of a stream, one `shard_worker.ShardWorker` thread per shard
(so a failing shard holds up only itself, as with Lambda's one-batch-at-a-time-per-shard
rule), and invokes the handler in-process with the real Lambda Kinesis event and a Lambda
context, one invocation at a time (the process is the function's one execution environment). Records whose CloudEvents ``type`` is not subscribed are dropped like Lambda filter
criteria drop them. Failures follow Lambda's rules (see `shard_worker`); checkpoints go to a
caller-provided store, so a stopped and restarted poller resumes exactly where it left off.
An `observer` (set before `start()`) is told what became of every batch (`observer`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from generator.dev.kinesis.checkpoints import CheckpointStore, MemoryCheckpointStore
from generator.dev.kinesis.shard_reader import (
    ReaderFactory,
    api_readers,
    list_shard_ids,
    stream_arn,
)
from generator.dev.lambdas.dead_letters import DeadLetterQueue
from generator.dev.lambdas.event_source import EventSourceConfig, Handler, PollerStats, ShardStats
from generator.dev.lambdas.observer import BatchObserver
from generator.dev.lambdas.shapes import function_arn
from generator.dev.lambdas.shard_worker import ShardEnv, ShardWorker

if TYPE_CHECKING:
    from mypy_boto3_kinesis import KinesisClient
    from mypy_boto3_sqs import SQSClient

__all__ = ["EventSourceConfig", "Handler", "KinesisPoller", "PollerStats", "ShardStats"]


class KinesisPoller:
    """Polls every shard of ``config.stream_name`` and delivers batches to ``config.handler``."""

    def __init__(
        self,
        config: EventSourceConfig,
        kinesis: KinesisClient,
        sqs: SQSClient | None = None,
        store: CheckpointStore | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        readers: ReaderFactory | None = None,
    ) -> None:
        self.config = config
        self._kinesis = kinesis
        self._readers = readers or api_readers(kinesis)
        self._dlq = DeadLetterQueue(sqs, config.dlq_url)
        self._store: CheckpointStore = store if store is not None else MemoryCheckpointStore()
        self._clock = clock
        self._stop = threading.Event()
        self._progress = threading.Condition()
        self._workers: list[ShardWorker] = []
        self._running = False
        # Told what became of each batch (`observer`); read at start().
        self.observer: BatchObserver | None = None
        # The function's one execution environment: whoever else invokes the handler (a
        # redrive) takes it too, so two batches never run in the handler at once.
        self.invoke_lock = threading.Lock()

    def start(self) -> None:
        """Start one thread per shard, each resuming after its checkpoint."""
        if self._running:
            raise RuntimeError(f"poller {self.config.function_name} is already running")
        arn = stream_arn(self._kinesis, self.config.stream_name)
        region, account = arn.split(":")[3:5]
        self._stop = threading.Event()
        env = ShardEnv(
            config=self.config,
            kinesis=self._kinesis,
            open_reader=self._readers,
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
            invoke_lock=self.invoke_lock,
            observer=self.observer,
        )
        self._workers = [
            ShardWorker(env, shard_id)
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
