"""The on-failure destination of the local event source mappings: an SQS queue.

`DeadLetterQueue.send()` posts Lambda's on-failure invocation record for a discarded batch
and, since locally we can, the discarded records themselves (in the Lambda event shape,
under ``records``). A batch too large for one SQS message (256 KiB) is split into parts that
each repeat the invocation record and carry ``part`` / ``parts``. Without a queue, discarded
batches are only logged, as Lambda does without a destination.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

log = logging.getLogger(__name__)
MAX_MESSAGE_BYTES = 256 * 1024
_SEND_ATTEMPTS = 3


def _encode(document: dict[str, Any]) -> str:
    return json.dumps(document, separators=(",", ":"))


def split_message(
    document: dict[str, Any], records: Sequence[dict[str, Any]], limit: int = MAX_MESSAGE_BYTES
) -> list[str]:
    """Message bodies of at most ``limit`` bytes carrying ``document`` and all ``records``."""
    overhead = len(_encode({**document, "records": [], "part": 99999, "parts": 99999}))
    chunks: list[list[dict[str, Any]]] = [[]]
    size = overhead
    for record in records:
        record_size = len(_encode(record)) + 1
        if chunks[-1] and size + record_size > limit:
            chunks.append([])
            size = overhead
        chunks[-1].append(record)
        size += record_size
    return [
        _encode({**document, "records": chunk, "part": i + 1, "parts": len(chunks)})
        for i, chunk in enumerate(chunks)
    ]


class DeadLetterQueue:
    """Sends discarded batches to ``queue_url`` (or only logs them when it is None)."""

    def __init__(self, sqs: SQSClient | None, queue_url: str | None) -> None:
        if queue_url is not None and sqs is None:
            raise ValueError("a dead-letter queue URL needs an SQS client")
        self._sqs = sqs
        self._queue_url = queue_url

    def send(self, document: dict[str, Any], records: Sequence[dict[str, Any]]) -> int:
        """Post the discarded batch; returns how many messages were sent."""
        info = document["KinesisBatchInfo"]
        summary = (
            f"{info['shardId']} {info['startSequenceNumber']}..{info['endSequenceNumber']} "
            f"({info['batchSize']} records, {document['requestContext']['condition']})"
        )
        if self._sqs is None or self._queue_url is None:
            log.error("discarded %s: no dead-letter queue configured", summary)
            return 0
        bodies = split_message(document, records)
        for body in bodies:
            self._send_one(body, summary)
        log.warning("discarded %s: sent to %s", summary, self._queue_url)
        return len(bodies)

    def _send_one(self, body: str, summary: str) -> None:
        assert self._sqs is not None and self._queue_url is not None
        for attempt in range(1, _SEND_ATTEMPTS + 1):
            try:
                self._sqs.send_message(QueueUrl=self._queue_url, MessageBody=body)
                return
            except Exception:
                if attempt == _SEND_ATTEMPTS:
                    # The records are not lost: the log keeps the whole message.
                    log.exception("could not send discarded %s to the queue: %s", summary, body)
                    return
                time.sleep(0.1 * attempt)
