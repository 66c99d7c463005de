"""One replay, end to end: `replay(root, options) -> Summary`.

Steps: the project's IR (generated/ must be current, as for gen dev); the processor (a stream
processor of an archived stream) and the types (a subset of its events); the window; the
target (gen dev or a stage) and, with `dry_run`, a private copy of it; the checkpoint (resumed
when it is this replay's and unfinished); the lake's objects; the handler, imported with the
target's function environment; then gen dev's `ShardWorker` over a `LakeFeed`, stepped in this
thread until the lake is read and every record settled, with the processor's own batch size,
bisection on function errors, partial-batch responses and retries (its maximum record age is
ignored: replayed records are old on purpose). The first Ctrl-C (SIGINT) stops after the batch
in hand (checkpoint saved; the summary says interrupted, exit 130); a second one aborts at once.
"""

from __future__ import annotations

import logging
import signal
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, cast

from botocore.exceptions import BotoCoreError, ClientError

from generator.dev.freshness import check_generated
from generator.dev.lambdas.event_source import EventSourceConfig
from generator.dev.lambdas.functions import (
    FunctionLoadError,
    ProcessEnvironment,
    import_paths,
    load_handler,
)
from generator.dev.lambdas.shapes import function_arn
from generator.dev.lambdas.shard_worker import ShardEnv, ShardWorker, _Stopped
from generator.dev.local_aws.identity import DEFAULT_REGION
from generator.errors import EnvError, UsageError
from generator.ir.names import REPLAY_SHARD, replay_checkpoint
from generator.ir.nodes import Ir, Processor
from generator.replay.checkpoint import (
    Checkpoint,
    FailedLog,
    Identity,
    State,
    Totals,
    failed_path,
    load_state,
)
from generator.replay.feed import LakeFeed
from generator.replay.lake import LakeObject, list_objects
from generator.replay.private import PrivateCopy, TableDiff
from generator.replay.tally import Ledger, Tally
from generator.replay.target import Target, dev_endpoint, local_target, stage_target
from generator.replay.window import Window

if TYPE_CHECKING:
    from mypy_boto3_kinesis import KinesisClient

DEV_URL = "http://127.0.0.1:8000"
RETRIES_WHEN_UNBOUNDED = 5
"""A processor that retries forever (max_retries -1) would never let a replay end."""


@dataclass(frozen=True)
class ReplayOptions:
    processor: str
    types: tuple[str, ...] = ()
    since: str | None = None
    until: str | None = None
    stage: str | None = None
    region: str | None = None
    bucket: str | None = None
    endpoint_url: str | None = None
    dev_url: str = DEV_URL
    dry_run: bool = False
    rate: float | None = None
    checkpoint: Path | None = None
    restart: bool = False
    reapply: bool = False


@dataclass
class Summary:
    processor: str
    target: str
    window: Window
    types: tuple[str, ...]
    checkpoint: Path
    failed_file: Path
    totals: Totals = field(default_factory=Totals)
    outside: int = 0
    objects: int = 0
    batches: int = 0
    retries: int = 0
    bisects: int = 0
    seconds: float = 0.0
    resumed: bool = False
    interrupted: bool = False
    dry_run: bool = False
    diffs: list[TableDiff] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        if self.interrupted:
            return 130
        return 1 if self.totals.failed else 0

    def lines(self) -> list[str]:
        t = self.totals
        head = "replay interrupted" if self.interrupted else "replay done"
        out = [
            f"{head}: {self.processor} <- {self.target}{' (dry run)' if self.dry_run else ''}",
            f"  window {self.window.describe()}; types {', '.join(self.types)}"
            + ("; resumed from the checkpoint" if self.resumed else ""),
            f"  read {t.read} record(s) from {self.objects} object(s) ({self.outside} outside the "
            f"window): applied {t.applied}, duplicates {t.duplicates}, skipped {t.skipped} "
            f"(other types), failed {t.failed}",
            f"  {self.batches} batch(es), {self.retries} retries, {self.bisects} bisections, "
            f"{self.seconds:.1f} s",
        ]
        if t.failed:
            out.append(f"  failed records: {self.failed_file}")
        if self.dry_run:
            out.append("  dry run: nothing was written; in a private copy the tables would change:")
            for diff in self.diffs:
                example = f" (e.g. {', '.join(diff.examples)})" if diff.examples else ""
                out.append(f"    {diff.table}: {diff.added} added, {diff.changed} changed, "
                           f"{diff.removed} removed{example}")
        elif self.interrupted:
            out.append(f"  checkpoint {self.checkpoint}: run the same command to resume "
                       "(--restart starts over)")
        return out


def stream_processor(ir: Ir, name: str) -> Processor:
    """The stream processor `name` of an archived stream; `UsageError` otherwise."""
    streams = [p.name for p in ir.processors if p.kind == "stream"]
    processor = next((p for p in ir.processors if p.name == name), None)
    if processor is None or processor.kind != "stream" or processor.stream is None:
        raise UsageError(f"--processor {name}: no stream processor of that name",
                         hint=f"stream processors: {', '.join(streams) or 'none'}")
    if not ir.stream(processor.stream).archive:
        raise UsageError(f"stream {processor.stream} of {name} is not archived: no lake to replay",
                         hint=f"set `archive: true` on streams.{processor.stream} in spec/model.yaml")
    return processor


def chosen_types(processor: Processor, types: tuple[str, ...]) -> tuple[str, ...]:
    unknown = [t for t in types if t not in processor.events]
    if unknown:
        raise UsageError(f"--type {', '.join(unknown)}: {processor.name} does not handle it",
                         hint=f"it handles {', '.join(processor.events)}")
    return tuple(dict.fromkeys(types)) or processor.events


def resolve_target(ir: Ir, processor: Processor, options: ReplayOptions) -> Target:
    if options.stage is not None:
        return stage_target(ir, processor, options.stage, options.region, options.bucket)
    endpoint = options.endpoint_url or dev_endpoint(options.dev_url)
    return local_target(ir, options.region or DEFAULT_REGION, endpoint, options.bucket)


def event_source(processor: Processor, target: Target, handler: Tally,
                 types: tuple[str, ...]) -> EventSourceConfig:
    """The processor's event source mapping (as gen dev's `workers.event_source_config`), made
    to end: no batching window, no maximum record age, bounded retries."""
    assert processor.stream is not None
    retries = processor.max_retries if processor.max_retries != -1 else RETRIES_WHEN_UNBOUNDED
    return EventSourceConfig(
        function_name=target.names.functions[processor.name],
        stream_name=target.names.streams[processor.stream],
        handler=handler, batch_size=processor.batch_size, batching_window_s=0.0,
        max_retries=retries, max_record_age_s=-1, bisect_on_error=True,
        report_batch_item_failures=True, filter_types=types,
        timeout_s=float(processor.timeout_seconds), memory_mb=processor.memory_mb,
    )


@contextmanager
def _interruptible(stop: threading.Event) -> Iterator[None]:
    """First SIGINT: stop after the batch in hand; second: KeyboardInterrupt at once."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_sigint(signum: int, frame: FrameType | None) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()

    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@contextmanager
def _quiet_worker() -> Iterator[None]:
    """The worker logs each failed invocation with its traceback; the summary and the failed
    file say it instead."""
    logger = logging.getLogger("generator.dev.lambdas.shard_worker")
    level = logger.level
    logger.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        logger.setLevel(level)


def replay(root: Path, options: ReplayOptions, *, stop: threading.Event | None = None,
           now: datetime | None = None) -> Summary:
    """Run one replay (module docstring); raises `UserError`s for usage and environment."""
    started = time.monotonic()
    now = now or datetime.now(UTC)
    stop = stop or threading.Event()
    if options.rate is not None and options.rate <= 0:
        raise UsageError(f"--rate {options.rate:g}: records per second must be positive")
    window = Window.parse(options.since, options.until, now)
    ir = check_generated(root)
    processor = stream_processor(ir, options.processor)
    types = chosen_types(processor, options.types)
    target = resolve_target(ir, processor, options)
    assert processor.stream is not None
    identity = Identity(processor.stream, target.bucket, processor.name, tuple(sorted(types)),
                        options.since, options.until, options.dry_run)
    scratch = tempfile.TemporaryDirectory(prefix="gen-replay-") if options.dry_run else None
    try:
        path = options.checkpoint or (
            Path(scratch.name) / "checkpoint.json" if scratch
            else root / replay_checkpoint(target.stage, processor.name))
        state, resumed = load_state(path, identity, window, options.restart)
        failed_file = failed_path(path)
        if not resumed:
            failed_file.unlink(missing_ok=True)
        summary = Summary(processor.name, target.describe(), state.window, types, path,
                          failed_file, resumed=resumed, dry_run=options.dry_run)
        try:
            objects = list_objects(target.s3, target.bucket,
                                   ir.stream(processor.stream).names.archive_prefix, state.window, now)
            _run(root, ir, processor, target, options, state, Checkpoint(path, state), objects,
                 types, stop, summary)
        except (ClientError, BotoCoreError) as error:
            raise EnvError(f"AWS failed during the replay: {error}",
                           hint="the checkpoint holds the progress: run the same command again") from None
    finally:
        if scratch is not None:
            scratch.cleanup()
    summary.seconds = time.monotonic() - started
    return summary


def _run(root: Path, ir: Ir, processor: Processor, target: Target, options: ReplayOptions,
         state: State, checkpoint: Checkpoint, objects: list[LakeObject], types: tuple[str, ...],
         stop: threading.Event, summary: Summary) -> None:
    copy = PrivateCopy.start(ir, processor, target) if options.dry_run else None
    env = copy.env(target) if copy else target.env
    environment = ProcessEnvironment(env, import_paths(root), packages=(ir.names.package, "handwritten"))
    try:
        try:
            handler = load_handler(ir, processor.name)
        except FunctionLoadError as error:
            raise UsageError(str(error)) from None
        disabled = env.get("POWERTOOLS_IDEMPOTENCY_DISABLED", "").lower() in ("1", "true", "yes")
        ledger = None if disabled else Ledger(ir.names.package, env[ir.names.idempotency_env],
                                              processor.name, target.names.functions[processor.name])
        feed = LakeFeed(target.s3, target.bucket, objects, state.window, after=state.position,
                        page_limit=processor.batch_size, rate=options.rate, stop=stop)
        checkpoint.feed = feed
        tally = Tally(handler, ledger, checkpoint, options.reapply)
        checkpoint.on_settled = tally.settled
        worker = _worker(processor, target, tally, types, checkpoint,
                         FailedLog(summary.failed_file, feed, tally.reasons, tally.failed), stop)
        with _interruptible(stop), _quiet_worker():
            finished = _drive(worker, feed, stop)
        _settle(summary, state, tally, feed, worker, finished)
        checkpoint.save()
        if copy is not None:
            summary.diffs = copy.diff(ir, processor, target)
    finally:
        environment.restore()
        if copy is not None:
            copy.stop()


def _settle(summary: Summary, state: State, tally: Tally, feed: LakeFeed, worker: ShardWorker,
            finished: bool) -> None:
    """This run's counts into the summary, added to the checkpoint's totals."""
    tally.totals.read = feed.counts.read
    summary.totals, summary.outside, summary.objects = tally.totals, feed.counts.outside, feed.counts.objects
    summary.batches, summary.retries = worker.stats.batches, worker.stats.retries
    summary.bisects, summary.interrupted = worker.stats.bisects, not finished
    for name in ("read", "applied", "duplicates", "skipped", "failed"):
        setattr(state.totals, name, getattr(state.totals, name) + getattr(tally.totals, name))
    state.done = finished


def _worker(processor: Processor, target: Target, tally: Tally, types: tuple[str, ...],
            checkpoint: Checkpoint, failed: FailedLog, stop: threading.Event) -> ShardWorker:
    config = event_source(processor, target, tally, types)
    arn = f"arn:aws:kinesis:{target.region}:{target.account}:stream/{config.stream_name}"
    feed = checkpoint.feed
    env = ShardEnv(
        config=config,
        kinesis=cast("KinesisClient", None),  # the worker reads through open_reader only
        open_reader=lambda stream, shard, after, start: cast(Any, feed),
        store=checkpoint, dlq=failed, stream_arn=arn, region=target.region,
        function_arn=function_arn(config.function_name, target.region, target.account),
        role_arn=f"arn:aws:iam::{target.account}:role/{config.function_name}",
        clock=lambda: datetime.now(UTC), stop=stop, progress=threading.Condition(),
        invoke_lock=threading.Lock(),
    )
    return ShardWorker(env, REPLAY_SHARD)


def _drive(worker: ShardWorker, feed: LakeFeed, stop: threading.Event) -> bool:
    """Step the worker until everything is settled (True) or `stop` is set (False)."""
    while not stop.is_set():
        try:
            moved = worker.step()
        except _Stopped:
            return False
        if feed.closed and not worker.buffer and not worker.inflight:
            return True
        if not moved:
            stop.wait(0.01)
    return False
