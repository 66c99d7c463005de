"""The lake as a Kinesis shard: a `Reader` (generator.dev.kinesis) that gen dev's shard worker
reads exactly as it reads a stream.

`LakeFeed` walks the window's objects in delivery order and hands out pages of records with
made-up Kinesis fields: one shard (`REPLAY_SHARD`), sequence numbers 1, 2, 3, ... in lake order
(only ever compared within this run), the partition key the record was ingested with (its
CloudEvents ``subject``) and, as arrival, its object's stamp. Records outside the window are
counted and skipped; a resumed replay starts after a `Position`. With a rate, pages are cut
and paced so that no more than `rate` records per second are handed out.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from generator.dev.kinesis.shard_reader import Page, StreamRecord
from generator.ir.names import REPLAY_SHARD
from generator.replay.lake import LakeObject, LakeRecord, read_records
from generator.replay.window import Window

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


@dataclass(frozen=True, order=True)
class Position:
    """Where a record sits in the lake, comparable in delivery order."""

    stamp: str  # ISO 8601, UTC: sorts as the time does
    key: str
    line: int

    @classmethod
    def of(cls, obj: LakeObject, line: int) -> Position:
        return cls(obj.stamp.isoformat(), obj.key, line)

    def to_json(self) -> dict[str, Any]:
        return {"stamp": self.stamp, "object": self.key, "line": self.line}

    @classmethod
    def from_json(cls, document: Any) -> Position | None:
        if not isinstance(document, dict):
            return None
        return cls(str(document["stamp"]), str(document["object"]), int(document["line"]))


@dataclass
class FeedCounts:
    read: int = 0  # records of the window handed to the worker
    outside: int = 0  # records of the objects read that fall outside the window
    objects: int = 0


class LakeFeed:
    """One shard's `Reader` over the lake objects `objects` (see the module docstring)."""

    def __init__(
        self,
        s3: S3Client,
        bucket: str,
        objects: list[LakeObject],
        window: Window,
        *,
        after: Position | None = None,
        page_limit: int = 100,
        rate: float | None = None,
        stop: threading.Event | None = None,
    ) -> None:
        self.shard_id = REPLAY_SHARD
        self.closed = False
        self.counts = FeedCounts()
        self.positions: dict[str, tuple[Position, LakeRecord]] = {}
        self._records = self._walk(s3, bucket, objects, window, after)
        self._page_limit = max(1, min(page_limit, int(rate) if rate else page_limit))
        self._rate = rate
        self._stop = stop or threading.Event()
        self._started = time.monotonic()
        self._next_seq = 1

    def _walk(
        self, s3: S3Client, bucket: str, objects: list[LakeObject], window: Window,
        after: Position | None,
    ) -> Iterator[tuple[Position, LakeRecord]]:
        for obj in objects:
            if after is not None and Position.of(obj, 1 << 62) <= after:
                continue  # every line of it was done before
            self.counts.objects += 1
            for record in read_records(s3, bucket, obj):
                position = Position.of(obj, record.line)
                if after is not None and position <= after:
                    continue
                if not window.contains(record.time):
                    self.counts.outside += 1
                    continue
                yield position, record

    def read(self) -> Page:
        """The next page; an empty page at the tip once the lake is read to the end."""
        if self.closed:
            return Page([], 0)
        page: list[StreamRecord] = []
        for position, record in self._records:
            seq = str(self._next_seq)
            self._next_seq += 1
            self.positions[seq] = (position, record)
            page.append(StreamRecord(REPLAY_SHARD, seq, record.subject, record.data,
                                     datetime.fromisoformat(position.stamp)))
            if len(page) >= self._page_limit:
                break
        else:
            self.closed = True
        self.counts.read += len(page)
        self._pace()
        # Not at the tip while records remain: the worker asks again without waiting.
        return Page(page, 0 if self.closed else 1)

    def _pace(self) -> None:
        """Wait until handing out `counts.read` records keeps to the rate."""
        if not self._rate:
            return
        due = self._started + self.counts.read / self._rate
        delay = due - time.monotonic()
        if delay > 0:
            self._stop.wait(delay)

