"""What configures and what measures a local Kinesis event source mapping.

`EventSourceConfig` holds one mapping's settings with Lambda's own defaults and limits for
Kinesis (validated on construction); `ShardStats` / `PollerStats` are the counters a poller
reports. Plain data: no I/O.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from generator.dev.kinesis.shard_reader import STARTING_POSITIONS

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
