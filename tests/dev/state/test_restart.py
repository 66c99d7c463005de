"""`gen dev --state DIR`: a clean stop and start loses nothing and applies nothing twice.

One reference stack runs, processes some events, is stopped with its pollers held (so records
are acknowledged but not yet processed), with a message in a dead-letter queue and objects in
the data lake; a second stack on the same DIR must serve the same items, process exactly the
records the first left (no more: the processed ones are not delivered again), keep the DLQ
message and the lake's objects, and not seed the restored tables again.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from generator.dev.stack import start_stack
from tests.localstack.support import REPO, Http, aws_client, drain, now_iso, reading, registered, unique

pytestmark = pytest.mark.slow


def _readings(http: Http, device: str) -> list[dict[str, Any]]:
    answer = http.get(f"/api/devices/{device}/readings", params={"limit": "100"})
    assert answer.status == 200, answer.text
    return list(answer.json["items"])


def _lake(s3: Any, bucket: str) -> dict[str, bytes]:
    listed = s3.list_objects_v2(Bucket=bucket).get("Contents", [])
    return {o["Key"]: s3.get_object(Bucket=bucket, Key=o["Key"])["Body"].read() for o in listed}


def test_a_clean_restart_keeps_items_unprocessed_records_dlq_messages_and_the_lake(tmp_path: Path) -> None:
    state = tmp_path / "state"
    device = unique("dev")
    stack = start_stack(REPO, port=0, state=state)
    try:
        assert stack.state_line == f"kept in {state} (new)"
        http = Http(stack.url)
        assert http.post("/api/events", body=[registered(device, "site-s")]).status == 202
        assert drain(http, 20)
        first = [reading(device, now_iso(-60 + i), 20.0 + i) for i in range(3)]
        assert http.post("/api/events", body=first).status == 202
        assert drain(http, 20)
        assert len(_readings(http, device)) == 3
        stack.workers.stop_pollers()  # what follows is acknowledged, not processed
        later = [reading(device, now_iso(-30 + i), 30.0 + i) for i in range(2)]
        assert http.post("/api/events", body=later).status == 202
        sqs = aws_client("sqs", stack.aws_endpoint, stack.region)
        dlq = sqs.get_queue_url(QueueName=stack.names.dlqs["apply_readings"])["QueueUrl"]
        sqs.send_message(QueueUrl=dlq, MessageBody=json.dumps({"kept": device}))
        s3 = aws_client("s3", stack.aws_endpoint, stack.region)
        bucket = stack.names.datalake_bucket
        assert bucket is not None
        assert stack.workers.flush_archives()
        lake = _lake(s3, bucket)
        seeded_first = dict(stack.seeded)
    finally:
        stack.stop()
    assert seeded_first, "the first run seeds"

    again = start_stack(REPO, port=0, state=state)
    try:
        assert again.seeded == {}, "restored tables are not seeded again"
        assert again.state_line.startswith(f"kept in {state}; restored ") and " items" in again.state_line
        http = Http(again.url)
        assert drain(http, 20)
        served = _readings(http, device)
        assert sorted(r["temperature"] for r in served) == [20.0, 21.0, 22.0, 30.0, 31.0]
        records = again.workers.pollers["apply_readings"].stats().records_in
        assert records == 2, "only the records the first run left are delivered, once"
        device_item = http.get(f"/api/devices/{device}")
        assert device_item.status == 200 and device_item.json["lastReading"]["temperature"] == 31.0
        sqs = aws_client("sqs", again.aws_endpoint, again.region)
        dlq = sqs.get_queue_url(QueueName=again.names.dlqs["apply_readings"])["QueueUrl"]
        bodies = [m["Body"] for m in sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10)
                  .get("Messages", [])]
        assert json.dumps({"kept": device}) in bodies
        s3 = aws_client("s3", again.aws_endpoint, again.region)
        restored_lake = _lake(s3, bucket)
        assert {k: v for k, v in restored_lake.items() if k in lake} == lake
    finally:
        again.stop()


def test_without_state_the_banner_says_it_is_in_memory_only() -> None:
    from generator.dev.server import summary

    stack = start_stack(REPO, port=0)
    try:
        lines = summary(stack, REPO, 0.0)
    finally:
        stack.stop()
    assert "  state       in memory only: gone when gen dev stops (--state DIR keeps it)" in lines
