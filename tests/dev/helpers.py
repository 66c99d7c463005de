"""Helpers for the local-stack tests: CloudEvents, putting them on a stream, reading a queue."""

from __future__ import annotations

import json
import uuid
from typing import Any

from mypy_boto3_kinesis import KinesisClient
from mypy_boto3_sqs import SQSClient


def unique(prefix: str) -> str:
    """A fresh resource name: tests share one moto server."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def cloud_event(subject: str, seq: int, type_: str = "reading.recorded") -> dict[str, Any]:
    return {
        "specversion": "1.0",
        "id": f"{subject}-{seq}",
        "source": "test",
        "type": type_,
        "time": "2024-05-01T12:00:00Z",
        "subject": subject,
        "data": {"deviceId": subject, "n": seq},
    }


def put_events(kinesis: KinesisClient, stream: str, events: list[dict[str, Any]]) -> list[str]:
    """PutRecords in chunks of 500, partition key = subject; returns the sequence numbers."""
    sequence_numbers: list[str] = []
    for start in range(0, len(events), 500):
        chunk = events[start : start + 500]
        answer = kinesis.put_records(
            StreamName=stream,
            Records=[{"Data": json.dumps(e).encode(), "PartitionKey": e["subject"]} for e in chunk],
        )
        assert answer["FailedRecordCount"] == 0
        sequence_numbers.extend(r["SequenceNumber"] for r in answer["Records"])
    return sequence_numbers


def drain_queue(sqs: SQSClient, url: str) -> list[dict[str, Any]]:
    """Every message body currently in the queue, parsed, in receive order."""
    bodies: list[dict[str, Any]] = []
    while True:
        answer = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
        messages = answer.get("Messages", [])
        if not messages:
            return bodies
        for message in messages:
            bodies.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
