"""How Lambda reads a stream handler's answer: success, partial failure, or whole-batch failure.

`interpret()` applies the documented rules for ``ReportBatchItemFailures`` on Kinesis: None,
an empty answer or an empty/null ``batchItemFailures`` list is a success; valid item failures
make the batch fail from the lowest failed sequence number on; an empty, null or unknown
``itemIdentifier`` (or an answer of the wrong shape) fails the whole batch. With reporting
off, any answer is a success. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from generator.dev.kinesis.shard_reader import StreamRecord


@dataclass(frozen=True)
class BatchOutcome:
    """``first_failed``: None = success; 0..n-1 = records from that index on failed."""

    first_failed: int | None
    whole_batch: bool = False  # the batch failed as a whole (no usable item failures)
    function_error: bool = False  # the handler raised
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.first_failed is None


SUCCESS = BatchOutcome(first_failed=None)


def whole_failure(reason: str, function_error: bool = False) -> BatchOutcome:
    return BatchOutcome(0, whole_batch=True, function_error=function_error, reason=reason)


def interpret(
    response: object, batch: Sequence[StreamRecord], report_batch_item_failures: bool
) -> BatchOutcome:
    """The outcome of an invocation that returned ``response`` for ``batch``."""
    if not report_batch_item_failures or response is None:
        return SUCCESS
    if not isinstance(response, dict):
        return whole_failure(f"the response is a {type(response).__name__}, not an object")
    failures = response.get("batchItemFailures")
    if failures is None or failures == []:
        return SUCCESS
    if not isinstance(failures, list):
        return whole_failure("batchItemFailures is not a list")
    index_of = {record.sequence_number: i for i, record in enumerate(batch)}
    lowest: int | None = None
    for item in failures:
        identifier = item.get("itemIdentifier") if isinstance(item, dict) else None
        if not isinstance(identifier, str) or not identifier:
            return whole_failure(f"batchItemFailures has an invalid item {item!r}")
        if identifier not in index_of:
            return whole_failure(f"itemIdentifier {identifier!r} is not in the batch")
        position = index_of[identifier]
        lowest = position if lowest is None else min(lowest, position)
    return BatchOutcome(first_failed=lowest, reason=f"{len(failures)} item failure(s)")
