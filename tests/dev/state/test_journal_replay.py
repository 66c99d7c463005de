"""Restart from the journal alone (as after a crash between snapshots): every kind of write comes
back -- DynamoDB items, SQS sends and deletes (matched by message id, since receipt handles do
not survive), S3 puts and deletes -- and nothing that was deleted comes back.

The stack's snapshots are switched off after its start-up snapshot, so the second start has
only that snapshot and the journal after it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.dev.stack import start_stack
from generator.dev.state.persistence import Persistence
from tests.localstack.support import REPO, aws_client

pytestmark = pytest.mark.slow


def test_the_journal_alone_brings_back_items_queues_and_objects(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = tmp_path / "state"
    stack = start_stack(REPO, port=0, state=state)
    try:
        monkeypatch.setattr(Persistence, "snapshot", lambda self: {})  # a crash would take none
        dynamodb = aws_client("dynamodb", stack.aws_endpoint, stack.region)
        table = stack.names.tables["devices"]
        dynamodb.put_item(TableName=table, Item={"deviceId": {"S": "dev-journal"},
                                                 "siteId": {"S": "site-j"}, "name": {"S": "J"}})
        dynamodb.delete_item(TableName=table, Key={"deviceId": {"S": "dev-001"}})
        sqs = aws_client("sqs", stack.aws_endpoint, stack.region)
        dlq = sqs.get_queue_url(QueueName=stack.names.dlqs["apply_readings"])["QueueUrl"]
        for body in ("first", "second", "third"):
            sqs.send_message(QueueUrl=dlq, MessageBody=body)
        received = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10)["Messages"]
        first = next(m for m in received if m["Body"] == "first")
        sqs.delete_message(QueueUrl=dlq, ReceiptHandle=first["ReceiptHandle"])
        s3 = aws_client("s3", stack.aws_endpoint, stack.region)
        bucket = stack.names.datalake_bucket
        s3.put_object(Bucket=bucket, Key="kept/a.json", Body=b'{"a": 1}\n', ContentType="application/json")
        s3.put_object(Bucket=bucket, Key="gone/b.json", Body=b"{}")
        s3.delete_object(Bucket=bucket, Key="gone/b.json")
    finally:
        stack.stop()
        monkeypatch.undo()

    again = start_stack(REPO, port=0, state=state)
    try:
        dynamodb = aws_client("dynamodb", again.aws_endpoint, again.region)
        table = again.names.tables["devices"]
        assert dynamodb.get_item(TableName=table, Key={"deviceId": {"S": "dev-journal"}})["Item"]["name"] == {"S": "J"}
        assert "Item" not in dynamodb.get_item(TableName=table, Key={"deviceId": {"S": "dev-001"}}), \
            "a deleted seed item stays deleted (and the table is not seeded again)"
        sqs = aws_client("sqs", again.aws_endpoint, again.region)
        dlq = sqs.get_queue_url(QueueName=again.names.dlqs["apply_readings"])["QueueUrl"]
        bodies = sorted(m["Body"] for m in sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10)
                        .get("Messages", []))
        assert bodies == ["second", "third"]
        s3 = aws_client("s3", again.aws_endpoint, again.region)
        kept = s3.get_object(Bucket=bucket, Key="kept/a.json")
        assert kept["Body"].read() == b'{"a": 1}\n' and kept["ContentType"] == "application/json"
        listed = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix="gone/").get("Contents", [])]
        assert listed == []
    finally:
        again.stop()
