"""The shapes AWS Lambda hands to and emits around a function, built for in-process invocation.

`LambdaContext` mirrors the Python runtime's context object; `kinesis_event_record`, the
records of a Kinesis event-source-mapping event; `on_failure_record`, the invocation record an
event source mapping sends to its on-failure destination; `scheduled_event`, what an
EventBridge schedule delivers. Pure builders: no I/O.
"""

from __future__ import annotations

import base64
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from generator.dev.kinesis.shard_reader import StreamRecord
from generator.dev.local_aws.identity import LOCAL_ACCOUNT


def function_arn(function_name: str, region: str, account: str = LOCAL_ACCOUNT) -> str:
    return f"arn:aws:lambda:{region}:{account}:function:{function_name}"


def iso_millis(moment: datetime) -> str:
    """``2024-01-02T03:04:05.678Z``: the timestamp format of Lambda's invocation records."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + (
        f"{moment.microsecond // 1000:03d}Z"
    )


@dataclass
class LambdaContext:
    """The attributes and method handlers use on the Python runtime's context object."""

    function_name: str
    invoked_function_arn: str
    timeout_s: float = 3.0
    # The runtime reads this from an environment variable, so it is a string there too.
    memory_limit_in_mb: str = "128"
    function_version: str = "$LATEST"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    identity: Any = None
    client_context: Any = None
    _deadline: float = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._deadline = time.monotonic() + self.timeout_s

    @property
    def log_group_name(self) -> str:
        return f"/aws/lambda/{self.function_name}"

    @property
    def log_stream_name(self) -> str:
        return f"{datetime.now(UTC):%Y/%m/%d}/[{self.function_version}]local"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def kinesis_event_record(
    record: StreamRecord, stream_arn: str, region: str, role_arn: str
) -> dict[str, Any]:
    """One element of ``event["Records"]`` exactly as Lambda delivers a Kinesis record."""
    return {
        "kinesis": {
            "kinesisSchemaVersion": "1.0",
            "partitionKey": record.partition_key,
            "sequenceNumber": record.sequence_number,
            "data": base64.b64encode(record.data).decode("ascii"),
            "approximateArrivalTimestamp": record.arrival.timestamp(),
        },
        "eventSource": "aws:kinesis",
        "eventVersion": "1.0",
        "eventID": f"{record.shard_id}:{record.sequence_number}",
        "eventName": "aws:kinesis:record",
        "invokeIdentityArn": role_arn,
        "awsRegion": region,
        "eventSourceARN": stream_arn,
    }


@dataclass(frozen=True)
class FailedInvocation:
    """What the last invocation of a discarded batch looked like."""

    request_id: str | None  # None: the batch was discarded without being invoked again
    function_error: bool
    invoke_count: int


def on_failure_record(
    records: Sequence[StreamRecord],
    condition: str,
    invocation: FailedInvocation,
    lambda_arn: str,
    stream_arn: str,
    now: datetime,
) -> dict[str, Any]:
    """The on-failure destination document Lambda sends for a discarded Kinesis batch."""
    document: dict[str, Any] = {
        "requestContext": {
            "requestId": invocation.request_id or str(uuid.uuid4()),
            "functionArn": lambda_arn,
            "condition": condition,
            "approximateInvokeCount": invocation.invoke_count,
        },
        "version": "1.0",
        "timestamp": iso_millis(now),
        "KinesisBatchInfo": {
            "shardId": records[0].shard_id,
            "startSequenceNumber": records[0].sequence_number,
            "endSequenceNumber": records[-1].sequence_number,
            "approximateArrivalOfFirstRecord": iso_millis(records[0].arrival),
            "approximateArrivalOfLastRecord": iso_millis(records[-1].arrival),
            "batchSize": len(records),
            "streamArn": stream_arn,
        },
    }
    if invocation.request_id is not None:
        response: dict[str, Any] = {"statusCode": 200, "executedVersion": "$LATEST"}
        if invocation.function_error:
            response["functionError"] = "Unhandled"
        document["responseContext"] = response
    return document


def scheduled_event(
    rule_arn: str, scheduled_time: datetime, region: str, account: str = LOCAL_ACCOUNT
) -> dict[str, Any]:
    """The event an EventBridge schedule rule delivers to its Lambda target."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": account,
        "time": scheduled_time.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": [rule_arn],
        "detail": {},
    }
