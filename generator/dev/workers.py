"""The local stack's background workers: pollers, archivers and the scheduler, built from the IR.

Everything that moves events after ingestion. Contract: `Workers.build(ir, names, handlers, ...)`
makes one `KinesisPoller` per stream processor with the settings Terraform gives its event
source mapping (batch size, batching window, retries, maximum record age, bisect on error,
``ReportBatchItemFailures``, the filter on the processor's event types, the processor's
dead-letter queue), one `Archiver` per archived stream (prefix ``<stream>/year=/month=/day=/``
as the Firehose of the Terraform writes), and one `Scheduler` holding every scheduled
processor. Checkpoints of pollers and archivers live in one `JsonFileCheckpointStore`
directory; pollers and archivers read shards with the given `ReaderFactory`, and the status
measures lag with the given `StreamTips` (both default to the Kinesis API; the stack passes
what its local AWS offers). `start()` / `stop()` run or stop all of it (threads joined);
pollers can also be stopped and restarted alone (`stop_pollers` / `start_pollers`), resuming
from their checkpoints. `status()` is the JSON the ``/_local/status`` endpoint serves.
`take_over(fresh)` (for `gen dev --watch`) stops these workers, each after its invocation in
hand, and runs ``fresh``'s in their place under this same object: built on the same checkpoint
directory, the new pollers and archivers resume exactly where the old ones stopped.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.dev.archive.archiver import DATE_PARTITIONS, ArchiveConfig, Archiver
from generator.dev.kinesis.checkpoints import CheckpointStore, JsonFileCheckpointStore
from generator.dev.kinesis.shard_reader import ReaderFactory, api_readers
from generator.dev.kinesis.tips import ApiStreamTips, StreamTips
from generator.dev.lambdas.invocations import CountingHandler
from generator.dev.lambdas.poller import EventSourceConfig, KinesisPoller
from generator.dev.local_aws.resources import LocalNames
from generator.dev.schedule.scheduler import Scheduler
from generator.ir.nodes import Ir, Processor, Stream

if TYPE_CHECKING:
    from mypy_boto3_kinesis import KinesisClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sqs import SQSClient

Handler = Callable[[dict[str, Any], Any], Any]
POLL_INTERVAL_S = 0.1
ARCHIVE_INTERVAL_S = 1.0
ARCHIVE_BUFFER_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Clients:
    kinesis: KinesisClient
    s3: S3Client
    sqs: SQSClient


def event_source_config(
    processor: Processor, names: LocalNames, handler: Handler, dlq_url: str | None
) -> EventSourceConfig:
    """The mapping Terraform creates for ``processor`` (templates/terraform/lambda.tf.j2)."""
    assert processor.stream is not None
    return EventSourceConfig(
        function_name=names.functions[processor.name],
        stream_name=names.streams[processor.stream],
        handler=handler,
        batch_size=processor.batch_size,
        batching_window_s=processor.window_seconds,
        max_retries=processor.max_retries,
        max_record_age_s=processor.max_record_age_seconds,
        bisect_on_error=True,
        report_batch_item_failures=True,
        filter_types=tuple(processor.events),
        dlq_url=dlq_url,
        starting_position="TRIM_HORIZON",
        timeout_s=float(processor.timeout_seconds),
        memory_mb=processor.memory_mb,
        poll_interval_s=POLL_INTERVAL_S,
    )


def archive_config(stream: Stream, names: LocalNames, bucket: str) -> ArchiveConfig:
    """The local archiver of `stream`, under the names Terraform gives its delivery stream."""
    return ArchiveConfig(
        stream_name=names.streams[stream.name],
        bucket=bucket,
        delivery_stream_name=f"{names.prefix}-{stream.names.archive.physical}",
        prefix=stream.names.archive_prefix + DATE_PARTITIONS,
        buffer_size_bytes=ARCHIVE_BUFFER_BYTES,
        buffer_interval_s=ARCHIVE_INTERVAL_S,
    )


class Workers:
    """Everything that moves events after ingestion; see the module docstring."""

    def __init__(
        self,
        ir: Ir,
        names: LocalNames,
        clients: Clients,
        pollers: dict[str, KinesisPoller],
        counters: dict[str, CountingHandler],
        archivers: dict[str, Archiver],
        scheduler: Scheduler,
        dlq_urls: Mapping[str, str],
        tips: StreamTips,
    ) -> None:
        self.ir = ir
        self.names = names
        self.pollers = pollers
        self.counters = counters
        self.archivers = archivers
        self.scheduler = scheduler
        self._clients = clients
        self._dlq_urls = dict(dlq_urls)
        self._tips = tips
        self._lock = threading.Lock()  # start/stop of pollers, one caller at a time
        self._running: set[str] = set()

    @classmethod
    def build(
        cls,
        ir: Ir,
        names: LocalNames,
        handlers: Mapping[str, Handler],
        clients: Clients,
        dlq_urls: Mapping[str, str],
        checkpoints: Path,
        region: str,
        *,
        readers: ReaderFactory | None = None,
        tips: StreamTips | None = None,
        store: CheckpointStore | None = None,
    ) -> Workers:
        # `store` replaces the files under `checkpoints` (gen dev --state keeps its own).
        store = store or JsonFileCheckpointStore(checkpoints)
        readers = readers or api_readers(clients.kinesis)
        counters = {
            p.name: CountingHandler(handlers[p.name]) for p in ir.processors if p.kind == "stream"
        }
        pollers = {
            name: KinesisPoller(
                event_source_config(ir.processor(name), names, counter, dlq_urls.get(name)),
                clients.kinesis,
                clients.sqs,
                store,
                readers=readers,
            )
            for name, counter in counters.items()
        }
        archivers = {}
        if names.datalake_bucket is not None:
            for stream in ir.streams:
                if stream.archive:
                    config = archive_config(stream, names, names.datalake_bucket)
                    archivers[stream.name] = Archiver(
                        config, clients.kinesis, clients.s3, store, readers=readers
                    )
        scheduler = Scheduler(region=region)
        for p in ir.processors:
            if p.kind == "schedule" and p.schedule:
                physical = names.functions[p.name]
                scheduler.add(
                    p.name, p.schedule, handlers[p.name], rule_name=physical, function_name=physical
                )
        tips = tips or ApiStreamTips(clients.kinesis)
        return cls(ir, names, clients, pollers, counters, archivers, scheduler, dlq_urls, tips)

    # --- lifecycle ------------------------------------------------------------------------

    def start(self) -> None:
        self.start_pollers()
        for archiver in self.archivers.values():
            archiver.start()
        self.scheduler.start()

    def stop(self) -> None:
        self.scheduler.stop()
        self.stop_pollers()
        for archiver in self.archivers.values():
            archiver.stop()

    def take_over(self, fresh: Workers) -> None:
        """Run ``fresh``'s workers in place of these (see the module docstring).

        A poller or archiver whose settings are unchanged keeps running (its handler is the
        same function slot, whose code the caller has swapped), and so does the scheduler when
        no schedule changed (its next fire times stand); the others stop after the invocation
        in hand and their successors start from the checkpoints they left."""
        with self._lock:
            running, before = set(self._running), set(self.pollers)
            pollers = {n: self.pollers[n] if _same_poller(self.pollers.get(n), p) else p
                       for n, p in fresh.pollers.items()}
            counters = {n: self.counters[n] if pollers[n] is self.pollers.get(n) else c
                        for n, c in fresh.counters.items()}
            for name in running:
                if pollers.get(name) is not self.pollers[name]:
                    self.pollers[name].stop()
                    self._running.discard(name)
            archivers = {n: self.archivers[n] if _same_archiver(self.archivers.get(n), a) else a
                         for n, a in fresh.archivers.items()}
            for name, archiver in self.archivers.items():
                if archivers.get(name) is not archiver:
                    archiver.stop()
            scheduler = self.scheduler
            if _schedules(self.ir, self.names) != _schedules(fresh.ir, fresh.names):
                self.scheduler.stop()
                scheduler = fresh.scheduler
            old_archivers, old_scheduler = self.archivers, self.scheduler
            # one dict update: status() (which takes no lock) never sees half of each side
            self.__dict__.update(
                ir=fresh.ir, names=fresh.names, pollers=pollers, counters=counters,
                archivers=archivers, scheduler=scheduler, _dlq_urls=fresh._dlq_urls,
                _tips=fresh._tips,
            )
        # pollers the user had stopped stay stopped; new ones start
        self.start_pollers([n for n in pollers if n not in self._running
                            and (n in running or n not in before)])
        for name, archiver in archivers.items():
            if archiver is not old_archivers.get(name):
                archiver.start()
        if scheduler is not old_scheduler:
            scheduler.start()

    def _select(self, processors: Iterable[str] | None) -> list[str]:
        wanted = list(self.pollers) if processors is None else list(processors)
        unknown = [name for name in wanted if name not in self.pollers]
        if unknown:
            known = ", ".join(sorted(self.pollers)) or "none"
            raise KeyError(f"no stream processor named {', '.join(unknown)} (known: {known})")
        return wanted

    def start_pollers(self, processors: Iterable[str] | None = None) -> list[str]:
        """Start the named pollers (default: all) that are stopped; the names started."""
        started = []
        with self._lock:
            for name in self._select(processors):
                if name not in self._running:
                    self.pollers[name].start()
                    self._running.add(name)
                    started.append(name)
        return started

    def stop_pollers(self, processors: Iterable[str] | None = None) -> list[str]:
        """Stop the named pollers (default: all), each after its invocation in hand."""
        stopped = []
        with self._lock:
            for name in self._select(processors):
                if name in self._running:
                    self.pollers[name].stop()
                    self._running.discard(name)
                    stopped.append(name)
        return stopped

    def drain(self, timeout: float) -> bool:
        """Wait until running pollers have settled everything now in their streams."""
        with self._lock:
            running = [self.pollers[name] for name in sorted(self._running)]
        return all(poller.drain(timeout) for poller in running)

    def flush_archives(self) -> list[str]:
        """Archive everything in the archived streams now; the S3 keys written."""
        keys: list[str] = []
        for archiver in self.archivers.values():
            keys.extend(archiver.flush())
        return keys

    # --- status -----------------------------------------------------------------------------

    def _lag(self, stream: str, checkpoints: Mapping[str, str | None]) -> int | None:
        """Records in ``stream`` after the given per-shard checkpoints (None if unknown)."""
        tips = self._tips(self.names.streams[stream])
        if tips is None:
            return None
        return sum(max(0, tip - int(checkpoints.get(shard) or 0)) for shard, tip in tips.items())

    def _dlq_depth(self, processor: str) -> int | None:
        url = self._dlq_urls.get(processor)
        if url is None:
            return None
        attributes = self._clients.sqs.get_queue_attributes(
            QueueUrl=url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return int(attributes.get("ApproximateNumberOfMessages", 0)) + int(
            attributes.get("ApproximateNumberOfMessagesNotVisible", 0)
        )

    def status(self) -> dict[str, Any]:
        processors: dict[str, Any] = {}
        for p in self.ir.processors:
            entry: dict[str, Any] = {
                "kind": p.kind,
                "function": self.names.functions[p.name],
                "dlq": {"url": self._dlq_urls.get(p.name), "messages": self._dlq_depth(p.name)},
            }
            if p.kind == "stream" and p.stream is not None:
                stats = self.pollers[p.name].stats()
                checkpoints = {shard: s.checkpoint for shard, s in stats.shards.items()}
                entry.update(
                    stream=p.stream,
                    events=list(p.events),
                    running=p.name in self._running,
                    lag=self._lag(p.stream, checkpoints) if stats.shards else None,
                    records=stats.records_in,
                    filtered=stats.records_filtered,
                    batches=stats.batches,
                    failedBatches=stats.failed_batches,
                    retries=stats.retries,
                    bisects=stats.bisects,
                    toDlq=stats.records_dlq,
                    invocations=self.counters[p.name].counts().to_json(),
                )
            else:
                entry["schedule"] = p.schedule
            processors[p.name] = entry
        archives = {}
        for stream, archiver in self.archivers.items():
            counters = archiver.stats()
            total = _total(self._tips(self.names.streams[stream]))
            archives[stream] = {
                "deliveryStream": archiver.config.delivery_stream,
                "bucket": archiver.config.bucket,
                # the archiver reads from the first record on: what it has not written is behind
                "lag": None if total is None else total - counters.records_archived,
                "records": counters.records_archived,
                "objects": counters.objects_written,
                "buffered": counters.buffered_records,
                "lastKey": counters.last_key,
            }
        streams = {
            s.name: {
                "name": self.names.streams[s.name],
                "records": _total(self._tips(self.names.streams[s.name])),
            }
            for s in self.ir.streams
        }
        return {
            "streams": streams,
            "processors": processors,
            "archives": archives,
            "schedules": self.scheduler.status(),
        }


def _same_poller(old: KinesisPoller | None, new: KinesisPoller) -> bool:
    """The same event source mapping but for the handler object (a counter around one slot)."""
    if old is None:
        return False
    settings = [{k: v for k, v in vars(p.config).items() if k != "handler"} for p in (old, new)]
    return settings[0] == settings[1]


def _same_archiver(old: Archiver | None, new: Archiver) -> bool:
    return old is not None and old.config == new.config


def _schedules(ir: Ir, names: LocalNames) -> list[tuple[str, str | None, str]]:
    return [(p.name, p.schedule, names.functions[p.name]) for p in ir.processors
            if p.kind == "schedule"]


def _total(tips: Mapping[str, int] | None) -> int | None:
    return None if tips is None else sum(tips.values())
