"""Reading Kinesis shards page by page from a checkpoint, as a shared-throughput consumer does.

`ShardReader.read()` returns the next page of records (decoded into `StreamRecord`) and how far
behind the tip the reader is. It resumes after a checkpoint with ``AFTER_SEQUENCE_NUMBER``
(else from the starting position) and re-opens an expired iterator after the last record it
returned, so no record is skipped or returned twice. One reader serves one shard and one
thread; it never checkpoints (its caller decides when work is done).

`Reader` is that contract; a `ReaderFactory` opens one per shard. `api_readers(kinesis)` is the
factory over the Kinesis API (any endpoint); the local stack may hand consumers a faster
factory with the same contract (`generator.dev.local_aws.backend_reads`).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from mypy_boto3_kinesis import KinesisClient

MAX_PAGE = 10_000  # GetRecords' own maximum Limit
STARTING_POSITIONS = ("TRIM_HORIZON", "LATEST")


@dataclass(frozen=True, slots=True)
class StreamRecord:
    """One Kinesis record as read from its shard."""

    shard_id: str
    sequence_number: str
    partition_key: str
    data: bytes
    arrival: datetime  # ApproximateArrivalTimestamp, UTC

    @property
    def seq(self) -> int:
        """The sequence number as an integer (they compare numerically, not as text)."""
        return int(self.sequence_number)


@dataclass(frozen=True, slots=True)
class Page:
    """One GetRecords answer: the records and how far behind the shard's tip the reader is."""

    records: list[StreamRecord]
    millis_behind_latest: int

    @property
    def at_tip(self) -> bool:
        return not self.records and self.millis_behind_latest == 0


def list_shard_ids(kinesis: KinesisClient, stream_name: str) -> list[str]:
    """Every shard of the stream, in the order Kinesis lists them."""
    shard_ids: list[str] = []
    kwargs: dict[str, Any] = {"StreamName": stream_name}
    while True:
        answer = kinesis.list_shards(**kwargs)
        shard_ids.extend(shard["ShardId"] for shard in answer.get("Shards", []))
        token = answer.get("NextToken")
        if not token:
            return shard_ids
        kwargs = {"NextToken": token}


def stream_arn(kinesis: KinesisClient, stream_name: str) -> str:
    return kinesis.describe_stream_summary(StreamName=stream_name)["StreamDescriptionSummary"][
        "StreamARN"
    ]


class ShardReader:
    """Pages through one shard, starting after ``after`` (a checkpoint) when given."""

    def __init__(
        self,
        kinesis: KinesisClient,
        stream_name: str,
        shard_id: str,
        after: str | None,
        starting_position: str = "TRIM_HORIZON",
        page_limit: int = MAX_PAGE,
    ) -> None:
        if starting_position not in STARTING_POSITIONS:
            raise ValueError(f"starting_position must be one of {STARTING_POSITIONS}")
        self._kinesis = kinesis
        self._stream_name = stream_name
        self.shard_id = shard_id
        self._last_read = after
        self._starting_position = starting_position
        self._page_limit = page_limit
        self._iterator: str | None = None
        self.closed = False  # a closed shard read to its end: nothing will ever follow

    def _open(self) -> str:
        kwargs: dict[str, Any] = {"StreamName": self._stream_name, "ShardId": self.shard_id}
        if self._last_read is not None:
            kwargs.update(
                ShardIteratorType="AFTER_SEQUENCE_NUMBER",
                StartingSequenceNumber=self._last_read,
            )
        else:
            kwargs["ShardIteratorType"] = self._starting_position
        return self._kinesis.get_shard_iterator(**kwargs)["ShardIterator"]

    def read(self) -> Page:
        """The next page (possibly empty). Raises botocore errors other than expiry."""
        if self.closed:
            return Page([], 0)
        if self._iterator is None:
            self._iterator = self._open()
        try:
            answer = self._kinesis.get_records(ShardIterator=self._iterator, Limit=self._page_limit)
        except self._kinesis.exceptions.ExpiredIteratorException:
            self._iterator = self._open()
            answer = self._kinesis.get_records(ShardIterator=self._iterator, Limit=self._page_limit)
        self._iterator = answer.get("NextShardIterator")
        self.closed = self._iterator is None
        records = [
            StreamRecord(
                shard_id=self.shard_id,
                sequence_number=raw["SequenceNumber"],
                partition_key=raw["PartitionKey"],
                data=raw["Data"],
                arrival=raw["ApproximateArrivalTimestamp"].astimezone(UTC),
            )
            for raw in answer.get("Records", [])
        ]
        if records:
            self._last_read = records[-1].sequence_number
        return Page(records, int(answer.get("MillisBehindLatest", 0)))


class Reader(Protocol):
    shard_id: str
    closed: bool

    def read(self) -> Page: ...


ReaderFactory = Callable[[str, str, "str | None", str], Reader]
"""(stream name, shard id, after, starting position) -> a reader of that shard."""


def api_readers(kinesis: KinesisClient) -> ReaderFactory:
    """Readers that page through `kinesis` with GetShardIterator / GetRecords (any Kinesis)."""
    return lambda stream, shard, after, start: ShardReader(kinesis, stream, shard, after, start)
