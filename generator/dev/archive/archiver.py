"""A Firehose-like delivery stream: every record of a Kinesis stream, archived to S3.

`Archiver` is its own consumer of the stream (own iterators, own checkpoints, like a Firehose
delivery stream with a Kinesis source). It buffers records and, when the buffer reaches
``buffer_size_bytes`` or has waited ``buffer_interval_s``, writes GZIP-compressed JSON lines
(one record per line, newline-terminated) to ``s3://<bucket>/<key>`` with keys named as
`firehose_naming.ObjectNamer` describes; by default
``<stream>/year=YYYY/month=MM/day=DD/<delivery>-1-YYYY-MM-DD-HH-MM-SS-<uuid>.gz``.
Checkpoints move only after the objects are written: delivery is at least once, and exactly
once across a clean stop/start.
"""

from __future__ import annotations

import gzip
import json
import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from generator.ir.names import ARCHIVE_PARTITIONS
from generator.dev.archive.firehose_naming import ObjectNamer
from generator.dev.kinesis.checkpoints import CheckpointStore, MemoryCheckpointStore
from generator.dev.kinesis.shard_reader import (
    STARTING_POSITIONS,
    Reader,
    ReaderFactory,
    StreamRecord,
    api_readers,
    list_shard_ids,
)

if TYPE_CHECKING:
    from mypy_boto3_kinesis import KinesisClient
    from mypy_boto3_s3 import S3Client

log = logging.getLogger(__name__)
DATE_PARTITIONS = ARCHIVE_PARTITIONS  # decided with the other data-lake names, in the IR


@dataclass(frozen=True)
class ArchiveConfig:
    """One delivery stream from ``stream_name`` to ``bucket``; small buffers suit local use."""

    stream_name: str
    bucket: str
    delivery_stream_name: str | None = None  # default: "<stream_name>-archive"
    prefix: str | None = None  # default: "<stream_name>/" + DATE_PARTITIONS
    buffer_size_bytes: int = 1024 * 1024
    buffer_interval_s: float = 5.0
    poll_interval_s: float = 0.2
    starting_position: str = "TRIM_HORIZON"

    def __post_init__(self) -> None:
        if self.buffer_size_bytes < 1 or self.buffer_interval_s < 0:
            raise ValueError("buffer_size_bytes must be positive and buffer_interval_s >= 0")
        if self.starting_position not in STARTING_POSITIONS:
            raise ValueError(f"starting_position must be one of {', '.join(STARTING_POSITIONS)}")

    @property
    def delivery_stream(self) -> str:
        return self.delivery_stream_name or f"{self.stream_name}-archive"

    @property
    def key_prefix(self) -> str:
        return self.prefix if self.prefix is not None else f"{self.stream_name}/{DATE_PARTITIONS}"


@dataclass
class ArchiverStats:
    records_in: int = 0
    records_archived: int = 0
    objects_written: int = 0
    bytes_written: int = 0  # compressed
    buffered_records: int = 0
    last_key: str | None = None


def archive_line(data: bytes) -> bytes:
    """One newline-terminated JSON line for a record (raw bytes when they already are one)."""
    try:
        document = json.loads(data)
    except ValueError:
        # Not JSON: keep the text, as a JSON string, so every line stays parseable.
        return json.dumps(data.decode("utf-8", "replace")).encode() + b"\n"
    raw = data.rstrip(b"\r\n")
    if b"\n" not in raw:
        return raw + b"\n"
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode() + b"\n"


class Archiver:
    """Archives ``config.stream_name`` to S3 in a background thread; `flush()` on demand."""

    def __init__(
        self,
        config: ArchiveConfig,
        kinesis: KinesisClient,
        s3: S3Client,
        store: CheckpointStore | None = None,
        unique_id: Callable[[], str] = lambda: str(uuid.uuid4()),
        readers: ReaderFactory | None = None,
    ) -> None:
        self.config = config
        self._kinesis = kinesis
        self._open_reader = readers or api_readers(kinesis)
        self._s3 = s3
        self._store: CheckpointStore = store if store is not None else MemoryCheckpointStore()
        self._namer = ObjectNamer(config.delivery_stream, config.key_prefix)
        self._unique_id = unique_id
        self._lock = threading.Lock()  # one reader/writer at a time: the thread or flush()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._readers: dict[str, Reader] = {}
        self._next_poll: dict[str, float] = {}
        self._buffer: list[StreamRecord] = []
        self._buffer_bytes = 0
        self._buffer_since = 0.0
        self._stats = ArchiverStats()

    def _key(self, shard_id: str) -> str:
        return f"firehose:{self.config.delivery_stream}/{self.config.stream_name}/{shard_id}"

    def _ensure_readers(self) -> None:
        if self._readers:
            return
        for shard_id in list_shard_ids(self._kinesis, self.config.stream_name):
            self._readers[shard_id] = self._open_reader(
                self.config.stream_name,
                shard_id,
                self._store.get(self._key(shard_id)),
                self.config.starting_position,
            )
            self._next_poll[shard_id] = 0.0

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError(f"archiver {self.config.delivery_stream} is already running")
        with self._lock:
            self._ensure_readers()
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name=f"archiver-{self.config.delivery_stream}", daemon=True
        )
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop reading, then deliver what is buffered (as Firehose would before shutdown)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        with self._lock:
            self._write_buffer()
        # New readers on the next start resume from the checkpoints just written.
        self._readers.clear()

    def flush(self, timeout: float = 10.0) -> list[str]:
        """Read every shard up to its tip, write everything buffered; the keys written."""
        deadline = time.monotonic() + timeout
        with self._lock:
            self._ensure_readers()
            pending = set(self._readers)
            while pending:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"archiver could not reach the tip of {sorted(pending)}")
                for shard_id in sorted(pending):
                    if self._read(shard_id):
                        pending.discard(shard_id)
            return self._write_buffer()

    def stats(self) -> ArchiverStats:
        with self._lock:
            return ArchiverStats(**{**vars(self._stats), "buffered_records": len(self._buffer)})

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                with self._lock:
                    moved = self._poll_due()
                    if self._buffer and self._buffer_due():
                        self._write_buffer()
            except Exception:
                log.exception("archiver %s: error; retrying", self.config.delivery_stream)
                self._stop.wait(1.0)
                continue
            if not moved:
                self._stop.wait(min(self.config.poll_interval_s, 0.05))

    def _poll_due(self) -> bool:
        moved = False
        now = time.monotonic()
        for shard_id in self._readers:
            if now >= self._next_poll[shard_id]:
                at_tip = self._read(shard_id)
                moved = moved or not at_tip
                if at_tip:
                    self._next_poll[shard_id] = now + self.config.poll_interval_s
        return moved

    def _read(self, shard_id: str) -> bool:
        """Read one page into the buffer; True if the shard is at its tip."""
        page = self._readers[shard_id].read()
        if page.records and not self._buffer:
            self._buffer_since = time.monotonic()
        self._buffer.extend(page.records)
        self._buffer_bytes += sum(len(record.data) for record in page.records)
        self._stats.records_in += len(page.records)
        return page.at_tip

    def _buffer_due(self) -> bool:
        waited = time.monotonic() - self._buffer_since
        return (
            self._buffer_bytes >= self.config.buffer_size_bytes
            or waited >= self.config.buffer_interval_s
        )

    def _write_buffer(self) -> list[str]:
        """Write the buffer as objects of at most buffer_size_bytes, then checkpoint."""
        if not self._buffer:
            return []
        keys = [self._put_object(chunk) for chunk in self._chunks()]
        last_seq: dict[str, str] = {}
        for record in self._buffer:
            last_seq[record.shard_id] = record.sequence_number
        for shard_id, sequence_number in last_seq.items():
            self._store.put(self._key(shard_id), sequence_number)
        self._stats.records_archived += len(self._buffer)
        self._buffer = []
        self._buffer_bytes = 0
        return keys

    def _chunks(self) -> list[list[tuple[StreamRecord, bytes]]]:
        """The buffer as (record, line) runs of at most buffer_size_bytes of lines each."""
        chunks: list[list[tuple[StreamRecord, bytes]]] = [[]]
        size = 0
        for record in self._buffer:
            line = archive_line(record.data)
            if chunks[-1] and size + len(line) > self.config.buffer_size_bytes:
                chunks.append([])
                size = 0
            chunks[-1].append((record, line))
            size += len(line)
        return chunks

    def _put_object(self, chunk: list[tuple[StreamRecord, bytes]]) -> str:
        oldest = min(record.arrival for record, _ in chunk)
        key = self._namer.key_for(oldest, self._unique_id())
        # mtime=0 keeps the bytes a function of the records alone.
        body = gzip.compress(b"".join(line for _, line in chunk), mtime=0)
        self._s3.put_object(Bucket=self.config.bucket, Key=key, Body=body)
        self._stats.objects_written += 1
        self._stats.bytes_written += len(body)
        self._stats.last_key = key
        log.debug("archived %d records to s3://%s/%s", len(chunk), self.config.bucket, key)
        return key
