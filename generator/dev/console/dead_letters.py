"""A stream processor's dead-letter queue: the discarded batches, and redrive.

Contract: `messages(sqs, url, limit)` lists up to ``limit`` messages without consuming them
(each is received, then made visible again at once): the on-failure document's condition,
shard and sequence range, and its records (`lambdas.dead_letters` puts them in the message, in
the Lambda event shape) with their data decoded. `redrive(sqs, url, poller, observe)` delivers
each message's records again to the poller's function, as one batch per message, under the
poller's invoke lock (the function's one execution environment): a batch the function accepts
(no error, no item failure) is deleted from the queue; any other stays for a later redrive,
with the reason in the answer. ``observe`` is told each outcome (``redriven`` or
``redrive failed``) as a `BatchEvent`. Callers serialise calls per queue (receiving hides
messages for a moment; two callers at once would each see only part of the queue).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from generator.dev.kinesis.shard_reader import StreamRecord
from generator.dev.lambdas.batch_response import interpret
from generator.dev.lambdas.observer import BatchEvent
from generator.dev.lambdas.poller import KinesisPoller
from generator.dev.lambdas.shapes import LambdaContext, function_arn

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

MAX_MESSAGES = 100
_HIDE_S = 30  # long enough to read the whole queue once; made visible again right after


def _stream_record(record: dict[str, Any]) -> StreamRecord:
    kinesis = record.get("kinesis", {})
    try:
        data = base64.b64decode(kinesis.get("data", ""), validate=True)
    except (binascii.Error, ValueError):
        data = b""
    arrival = kinesis.get("approximateArrivalTimestamp")
    return StreamRecord(
        shard_id=str(record.get("eventID", ":")).split(":", 1)[0],
        sequence_number=str(kinesis.get("sequenceNumber", "")),
        partition_key=str(kinesis.get("partitionKey", "")),
        data=data,
        arrival=datetime.fromtimestamp(float(arrival), UTC) if arrival else datetime.now(UTC),
    )


def _receive_all(sqs: SQSClient, url: str, limit: int) -> list[dict[str, Any]]:
    received: list[dict[str, Any]] = []
    while len(received) < limit:
        answer = sqs.receive_message(
            QueueUrl=url,
            MaxNumberOfMessages=min(10, limit - len(received)),
            VisibilityTimeout=_HIDE_S,
            WaitTimeSeconds=0,
        )
        batch = answer.get("Messages", [])
        if not batch:
            break
        received.extend(dict(m) for m in batch)
    return received


def _release(sqs: SQSClient, url: str, message: dict[str, Any]) -> None:
    sqs.change_message_visibility(
        QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
    )


def _body(message: dict[str, Any]) -> dict[str, Any]:
    try:
        body = json.loads(message.get("Body", ""))
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def describe(message: dict[str, Any]) -> dict[str, Any]:
    """One message as the console shows it."""
    body = _body(message)
    info = body.get("KinesisBatchInfo", {})
    context = body.get("requestContext", {})
    records = [r for r in body.get("records", []) if isinstance(r, dict)]
    shown = []
    for record in records:
        plain = _stream_record(record)
        shown.append({
            "shard": plain.shard_id,
            "sequenceNumber": plain.sequence_number,
            "partitionKey": plain.partition_key,
            "data": plain.data.decode("utf-8", "replace"),
        })
    return {
        "messageId": message.get("MessageId"),
        "condition": context.get("condition"),
        "function": context.get("functionArn"),
        "timestamp": body.get("timestamp"),
        "shard": info.get("shardId"),
        "startSequenceNumber": info.get("startSequenceNumber"),
        "endSequenceNumber": info.get("endSequenceNumber"),
        "batchSize": info.get("batchSize"),
        "part": body.get("part"),
        "parts": body.get("parts"),
        "records": shown,
    }


def messages(sqs: SQSClient, url: str, limit: int = MAX_MESSAGES) -> list[dict[str, Any]]:
    received = _receive_all(sqs, url, limit)
    for message in received:
        _release(sqs, url, message)
    return [describe(m) for m in received]


def _invoke(poller: KinesisPoller, records: list[dict[str, Any]]) -> tuple[str | None, str]:
    """Deliver ``records`` once; (None, request id) on success, else (reason, request id)."""
    config = poller.config
    source = str(records[0].get("eventSourceARN", "")) if records else ""
    parts = source.split(":")
    region, account = (parts[3], parts[4]) if len(parts) > 4 else ("us-east-1", "000000000000")
    context = LambdaContext(
        function_name=config.function_name,
        invoked_function_arn=function_arn(config.function_name, region, account),
        timeout_s=config.timeout_s,
        memory_limit_in_mb=str(config.memory_mb),
    )
    try:
        with poller.invoke_lock:
            response = config.handler({"Records": records}, context)
    except Exception as error:  # the function failed: the message stays
        return f"the function raised {error!r}", context.aws_request_id
    outcome = interpret(response, [_stream_record(r) for r in records], True)
    if not outcome.ok:
        return outcome.reason or "the batch failed", context.aws_request_id
    return None, context.aws_request_id


def redrive(
    sqs: SQSClient,
    url: str,
    poller: KinesisPoller,
    observe: Callable[[BatchEvent, str], None] | None = None,
    limit: int = MAX_MESSAGES,
) -> dict[str, Any]:
    results: list[dict[str, Any]] = []
    for message in _receive_all(sqs, url, limit):
        records = [r for r in _body(message).get("records", []) if isinstance(r, dict)]
        failure, request_id = _invoke(poller, records) if records else ("no records", None)
        if failure is None:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        else:
            _release(sqs, url, message)
        plain = tuple(_stream_record(r) for r in records)
        if observe is not None and plain:
            event = BatchEvent(
                function_name=poller.config.function_name,
                stream_name=poller.config.stream_name,
                shard_id=plain[0].shard_id,
                batch_id=request_id,
                outcome="redriven" if failure is None else "redrive failed",
                records=plain,
                reason=failure or "delivered again from the dead-letter queue",
            )
            observe(event, event.outcome)
        results.append({
            "messageId": message.get("MessageId"),
            "records": len(records),
            "ok": failure is None,
            "reason": failure,
        })
    return {
        "messages": len(results),
        "redriven": sum(r["records"] for r in results if r["ok"]),
        "failed": sum(1 for r in results if not r["ok"]),
        "results": results,
    }
