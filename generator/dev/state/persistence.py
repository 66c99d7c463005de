"""`--state DIR` end to end: restore at start, journal while running, snapshot now and then.

`Persistence.open(path, aws, resources, region, account)` locks DIR (`store`), restores what the
last run left (`restore`; ``restored`` says what came back), then installs the `Recorder` on the
local AWS's in-process calls: from here on every write is journaled. `checkpoints` is the store
the stream consumers must use. The caller seeds the tables that did not come back, calls
`snapshot()` once (so the journal starts from this run's layout), then `start()`: a snapshot
every `SNAPSHOT_INTERVAL_S` when anything was written since the last. `close()` (at a clean
stop, after the workers stopped) takes the last snapshot, removes the recorder, closes the
journal and releases the lock.

A snapshot: under `Recorder.exclusive` (no write in flight) moto's state is captured and the
journal moves to a new segment; outside it, new S3 bodies go to DIR/blobs, the snapshot to
``snapshot.jsonl.tmp``, fsynced and renamed over ``snapshot.jsonl``; only then are the older
segments deleted. A crash at any point leaves the old snapshot and every segment after it.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from pathlib import Path
from typing import Any

from generator.dev.local_aws.kinesis_serial import KINESIS_LOCK
from generator.dev.local_aws.resources import LocalNames
from generator.dev.state import journal as journals
from generator.dev.state.capture import Resources, capture, table_keys
from generator.dev.state.checkpoints import StateCheckpointStore
from generator.dev.state.journal import Journal
from generator.dev.state.recorder import Recorder
from generator.dev.state.restore import Restored, restore
from generator.dev.state.store import StateDir, StateDirError

log = logging.getLogger(__name__)
SNAPSHOT_INTERVAL_S = 30.0


def _write_file(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Persistence:
    def __init__(self, state: StateDir, aws: Any, resources: Resources, region: str,
                 account: str, restored: Restored, interval_s: float) -> None:
        self.state = state
        self.restored = restored
        self._aws = aws
        self._resources = resources
        self._region = region
        self._account = account
        self._interval = interval_s
        existing = journals.segments(state.journal)
        self.journal = Journal(state.journal, (existing[-1] + 1) if existing else 1)
        self.recorder = Recorder(self.journal, region, account)
        self.checkpoints = StateCheckpointStore(self.recorder, restored.checkpoints)
        self._snapshot_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.snapshots = 0
        self._entries_at_snapshot = -1
        aws.in_process.interceptor = self.recorder

    @classmethod
    def open(cls, path: Path, aws: Any, resources: Resources, region: str, account: str,
             interval_s: float = SNAPSHOT_INTERVAL_S) -> Persistence:
        state = StateDir.open(path)
        try:
            restored = restore(
                state, table_keys(region, account, resources.tables), aws.in_process.call,
                {"sqs": aws.client("sqs"), "s3": aws.client("s3")}, region, account,
                aws.endpoint.split("://", 1)[1],
            )
            return cls(state, aws, resources, region, account, restored, interval_s)
        except (OSError, ValueError, KeyError, TypeError) as error:
            state.close()
            raise StateDirError(
                f"--state {state.path}: cannot restore from it ({type(error).__name__}: {error}): "
                "move it away to start empty"
            ) from None
        except BaseException:
            state.close()
            raise

    def track(self, resources: Resources) -> None:
        """Keep these too from the next snapshot on (tables, streams, queues added by a reload
        of `gen dev --watch`); what was kept before stays kept (a removed table keeps its data)."""
        with self._snapshot_lock:
            old = self._resources
            self._resources = Resources(
                *(tuple(sorted(set(a) | set(b))) for a, b in (
                    (old.tables, resources.tables), (old.streams, resources.streams),
                    (old.queues, resources.queues), (old.buckets, resources.buckets)))
            )

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="gen-state-snapshots", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            if self.recorder.entries == self._entries_at_snapshot:
                continue  # nothing written since the last one
            try:
                self.snapshot()
            except OSError as error:  # a full disk: the journal keeps everything meanwhile
                log.warning("state: snapshot failed (%s); the journal keeps every write",
                            error.strerror or error)

    def snapshot(self) -> dict[str, int]:
        """Take a snapshot now (see the module docstring); its counts."""
        with self._snapshot_lock:
            with self.recorder.exclusive(), KINESIS_LOCK:
                taken = capture(self._resources, self._region, self._account, self.state.blobs)
                checkpoints = self.checkpoints.snapshot()
                segment = self.journal.rotate()
                entries = self.recorder.entries
            for name, body in taken.blobs.items():
                _write_file(self.state.blobs / name, body)
            lines = [json.dumps({"k": "meta", "version": 1, "journal_from": segment,
                                 "at": time.time()}), *taken.lines]
            lines.extend(json.dumps({"k": "cp", "key": k, "seq": v})
                         for k, v in sorted(checkpoints.items()))
            _write_file(self.state.snapshot, ("\n".join(lines) + "\n").encode("utf-8"))
            _fsync_dir(self.state.path)
            self.journal.drop_before(segment)
            for stale in self.state.blobs.iterdir():  # bodies of objects deleted since
                if stale.name not in taken.referenced:
                    stale.unlink(missing_ok=True)
            self.snapshots += 1
            self._entries_at_snapshot = entries
            return taken.counts

    def close(self) -> None:
        """Last snapshot, recorder off, journal closed, lock released. Idempotent."""
        if self._stop.is_set():
            return
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        try:
            self.snapshot()
        except OSError as error:
            log.warning("state: the last snapshot failed (%s); the journal keeps every write",
                        error.strerror or error)
        finally:
            if self._aws.in_process.interceptor is self.recorder:
                self._aws.in_process.interceptor = None
            self.journal.close()
            self.state.close()


def kept(names: LocalNames) -> Resources:
    """What `--state` keeps of a stack with these names: every table (the idempotency table
    too), stream, dead-letter queue and the data-lake bucket."""
    return Resources(
        tables=(*sorted(names.tables.values()), names.idempotency_table),
        streams=tuple(sorted(names.streams.values())),
        queues=tuple(sorted(names.dlqs.values())),
        buckets=(names.datalake_bucket,) if names.datalake_bucket else (),
    )
