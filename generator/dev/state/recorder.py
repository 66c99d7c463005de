"""Journals every AWS write, in the order moto applied them: this process's, and other processes'
through moto's port (`in_process.PortApplication` sends their calls through the interceptor).

`Recorder(journal, region, account)` is an `InProcessAws` interceptor (`local_aws.in_process`):
a read passes straight through; a write -- DynamoDB PutItem, UpdateItem, DeleteItem,
BatchWriteItem, TransactWriteItems; Kinesis PutRecord(s); SQS SendMessage(Batch), PurgeQueue,
DeleteMessage(Batch); any S3 PUT, POST or DELETE -- runs under one lock (`order`), and when
moto accepted it (2xx) its request is appended to the journal before the caller gets the answer.
Holding the lock across the call and the append makes the journal's order moto's order, and
lets a snapshot (`exclusive()`) see a state that no write is halfway through.

Entries (one JSON object each, ``ts`` the time of the write):
- ``{"k": "aws", "m", "t", "h", "b" | "b64", "ids"?}``: the request as sent (replayed as is);
  for SQS sends, ``ids`` is the message ids moto gave, so later deletes can be matched;
- ``{"k": "sqs-delete", "q": queue name, "ids": [message id]}``: a receipt handle does not
  survive a restart, so a delete is recorded by the ids of the messages it removed;
- ``{"k": "cp", "key", "seq"}``: a stream consumer's checkpoint (`checkpoint`), ordered after
  the table writes of the batch it closes.
"""

from __future__ import annotations

import base64
import contextlib
import json
import threading
import time
from collections.abc import Iterator, Mapping
from typing import Any

from generator.dev.local_aws.in_process import Answer, Call
from generator.dev.state.journal import Journal

_WRITES = {
    "DynamoDB_20120810": {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem",
                          "TransactWriteItems"},
    "Kinesis_20131202": {"PutRecord", "PutRecords"},
    "AmazonSQS": {"SendMessage", "SendMessageBatch", "PurgeQueue"},
}
_SQS_DELETES = {"DeleteMessage", "DeleteMessageBatch"}
_DROPPED_HEADERS = {"x-amz-date", "amz-sdk-invocation-id", "amz-sdk-request", "user-agent",
                    "x-amz-security-token"}


def _header(headers: list[tuple[str, str]], name: str) -> str:
    for key, value in headers:
        if key.lower() == name:
            return value
    return ""


def classify(method: str, headers: list[tuple[str, str]]) -> tuple[str, str] | None:
    """(service prefix, operation) of a write to journal, None for anything else."""
    target = _header(headers, "x-amz-target")
    if target:
        service, _, operation = target.partition(".")
        if operation in _WRITES.get(service, ()):
            return service, operation
        if service == "AmazonSQS" and operation in _SQS_DELETES:
            return service, operation
        return None
    if method in ("PUT", "POST", "DELETE") and "/s3/aws4_request" in _header(headers, "authorization"):
        return "s3", method
    return None


def encode_body(entry: dict[str, Any], body: bytes) -> None:
    try:
        entry["b"] = body.decode("utf-8")
    except UnicodeDecodeError:
        entry["b64"] = base64.b64encode(body).decode("ascii")


def decode_body(entry: Mapping[str, Any]) -> bytes:
    if "b64" in entry:
        return base64.b64decode(entry["b64"])
    return str(entry.get("b", "")).encode("utf-8")


class Recorder:
    def __init__(self, journal: Journal, region: str, account: str) -> None:
        self.journal = journal
        self.order = threading.Lock()
        self._region = region
        self._account = account
        self.entries = 0

    @contextlib.contextmanager
    def exclusive(self) -> Iterator[None]:
        """No write runs while this is held (a snapshot's moment)."""
        with self.order:
            yield

    def __call__(
        self, call: Call, method: str, target: str, headers: list[tuple[str, str]], body: bytes
    ) -> Answer:
        kind = classify(method, headers)
        if kind is None:
            return call(method, target, headers, body)
        service, operation = kind
        with self.order:
            if operation in _SQS_DELETES:
                queue = _queue_name(body)
                before = self._message_ids(queue)
                answer = call(method, target, headers, body)
                if 200 <= answer[0] < 300:
                    gone = sorted(before - self._message_ids(queue))
                    if gone:
                        self._append({"k": "sqs-delete", "ts": time.time(), "q": queue, "ids": gone})
                return answer
            answer = call(method, target, headers, body)
            if 200 <= answer[0] < 300:
                entry: dict[str, Any] = {
                    "k": "aws", "ts": time.time(), "m": method, "t": target,
                    "h": [[k, v] for k, v in headers if k.lower() not in _DROPPED_HEADERS],
                }
                encode_body(entry, body)
                if service == "AmazonSQS" and operation != "PurgeQueue":
                    entry["ids"] = _sent_ids(operation, answer[2])
                self._append(entry)
            return answer

    def checkpoint(self, key: str, sequence_number: str) -> None:
        with self.order:
            self._append({"k": "cp", "key": key, "seq": sequence_number})

    def _append(self, entry: dict[str, Any]) -> None:
        self.journal.append(entry)
        self.entries += 1

    def _message_ids(self, queue: str) -> set[str]:
        from moto.sqs.models import sqs_backends

        found = sqs_backends[self._account][self._region].queues.get(queue)
        return {m.id for m in found._messages} if found is not None else set()


def _queue_name(body: bytes) -> str:
    try:
        url = json.loads(body).get("QueueUrl", "")
    except ValueError:
        return ""
    return str(url).rstrip("/").rsplit("/", 1)[-1]


def _sent_ids(operation: str, payload: bytes) -> Any:
    try:
        answer = json.loads(payload)
    except ValueError:
        return None
    if operation == "SendMessage":
        return answer.get("MessageId")
    return {item["Id"]: item["MessageId"] for item in answer.get("Successful", [])}
