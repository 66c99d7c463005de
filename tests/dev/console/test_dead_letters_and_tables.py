"""The console against a real moto: what the pollers report per record, dead letters and their
redrive into the processor, and a table's items a page at a time."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Callable
from typing import Any

import pytest
from mypy_boto3_dynamodb import DynamoDBClient
from mypy_boto3_kinesis import KinesisClient
from mypy_boto3_sqs import SQSClient

from generator.dev.console import dead_letters, tables
from generator.dev.console.recorder import Recorder
from generator.dev.lambdas.poller import EventSourceConfig, KinesisPoller
from generator.dev.local_aws.moto_server import LocalAws
from tests.dev.helpers import cloud_event, put_events, unique


class Processor:
    """A processor that applies readings to a dict, and refuses device ``bad`` until fixed."""

    def __init__(self) -> None:
        self.applied: dict[str, int] = {}
        self.fixed = False
        self.lock = threading.Lock()

    def __call__(self, event: dict[str, Any], context: Any) -> Any:
        failures = []
        for record in event["Records"]:
            body = json.loads(base64.b64decode(record["kinesis"]["data"]))
            if body["subject"] == "bad" and not self.fixed:
                failures.append({"itemIdentifier": record["kinesis"]["sequenceNumber"]})
                continue
            with self.lock:
                self.applied[body["id"]] = body["data"]["n"]
        return {"batchItemFailures": failures}


@pytest.fixture
def dynamodb(local_aws: LocalAws) -> DynamoDBClient:
    import boto3

    client: DynamoDBClient = boto3.client("dynamodb", endpoint_url=local_aws.endpoint,
                                          region_name="us-east-1")
    return client


def test_failed_records_reach_the_dlq_are_shown_and_redrive_applies_them(
    kinesis: KinesisClient, sqs: SQSClient, make_stream: Callable[[int], str],
    make_queue: Callable[[], str],
) -> None:
    stream, dlq = make_stream(1), make_queue()
    processor = Processor()
    config = EventSourceConfig("apply-fn", stream, processor, batch_size=4, max_retries=1,
                               dlq_url=dlq, retry_backoff_s=0.01)
    recorder = Recorder({"apply-fn": "apply"}, {stream: "telemetry"})
    poller = KinesisPoller(config, kinesis, sqs)
    poller.observer = recorder.record_batch
    events = [cloud_event("good", 1), cloud_event("bad", 2), cloud_event("good", 3)]
    put_events(kinesis, stream, events)
    poller.start()
    try:
        assert poller.drain(timeout=15)
        assert "bad-2" not in processor.applied
        outcomes = {(e["sequenceNumber"], e["outcome"]) for e in recorder.events("telemetry")}
        seq = sorted({e["sequenceNumber"] for e in recorder.events()}, key=int)
        # the first record is acknowledged; the rest retried once, then discarded to the DLQ
        assert (seq[0], "acknowledged") in outcomes
        assert {(seq[1], "retried"), (seq[2], "retried"), (seq[1], "dlq"), (seq[2], "dlq")} <= outcomes
        dlq_entry = next(e for e in recorder.events() if e["outcome"] == "dlq")
        assert dlq_entry["reason"].startswith("RetryAttemptsExhausted")
        assert dlq_entry["processor"] == "apply" and dlq_entry["batchId"]

        shown = dead_letters.messages(sqs, dlq)
        assert len(shown) == 1 and shown[0]["condition"] == "RetryAttemptsExhausted"
        assert [json.loads(r["data"])["id"] for r in shown[0]["records"]] == ["bad-2", "good-3"]
        assert len(dead_letters.messages(sqs, dlq)) == 1  # showing consumes nothing

        still = dead_letters.redrive(sqs, dlq, poller, recorder.record_batch)
        assert still["failed"] == 1 and still["redriven"] == 0
        assert len(dead_letters.messages(sqs, dlq)) == 1  # a batch still failing stays

        processor.fixed = True
        done = dead_letters.redrive(sqs, dlq, poller, recorder.record_batch)
    finally:
        poller.stop()
    assert done == {"messages": 1, "redriven": 2, "failed": 0, "results": [
        {"messageId": done["results"][0]["messageId"], "records": 2, "ok": True, "reason": None}]}
    assert processor.applied == {"good-1": 1, "bad-2": 2, "good-3": 3}
    assert dead_letters.messages(sqs, dlq) == []
    latest = recorder.events("telemetry")[:2]
    assert {e["outcome"] for e in latest} == {"redriven"}
    assert "redrive failed" in {e["outcome"] for e in recorder.events()}


def test_browse_pages_through_a_table_and_query_reads_one_partition(dynamodb: DynamoDBClient) -> None:
    table = unique("items")
    dynamodb.create_table(
        TableName=table,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "n", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "n", "AttributeType": "N"}],
        BillingMode="PAY_PER_REQUEST",
    )
    for pk in ("a", "b"):
        for n in range(3):
            dynamodb.put_item(TableName=table, Item={
                "pk": {"S": pk}, "n": {"N": str(n)}, "ratio": {"N": "0.5"},
                "tags": {"SS": ["y", "x"]}, "nested": {"M": {"on": {"BOOL": True}}}})
    seen: list[dict[str, Any]] = []
    after = None
    while True:
        page = tables.browse(dynamodb, table, limit=4, after=after)
        assert len(page["items"]) <= 4
        seen += page["items"]
        after = page["next"]
        if after is None:
            break
    assert sorted((i["pk"], i["n"]) for i in seen) == [(pk, n) for pk in "ab" for n in range(3)]
    assert seen[0]["ratio"] == 0.5 and seen[0]["tags"] == ["x", "y"] and seen[0]["nested"] == {"on": True}
    assert page["keys"] == {"partition": "pk", "sort": "n"}
    only_b = tables.query(dynamodb, table, "b", limit=10)
    assert [(i["pk"], i["n"]) for i in only_b["items"]] == [("b", 0), ("b", 1), ("b", 2)]
    assert tables.query(dynamodb, table, "zzz")["items"] == []
    with pytest.raises(tables.TableRequestError):
        tables.browse(dynamodb, table, after="not a token")
    with pytest.raises(tables.TableRequestError):
        tables.browse(dynamodb, table, limit=0)


def test_a_handler_that_raises_shows_bisected_batches_and_the_record_that_failed_alone(
    kinesis: KinesisClient, sqs: SQSClient, make_stream: Callable[[int], str],
    make_queue: Callable[[], str],
) -> None:
    stream, dlq = make_stream(1), make_queue()

    def handler(event: dict[str, Any], context: Any) -> Any:
        for record in event["Records"]:
            if json.loads(base64.b64decode(record["kinesis"]["data"]))["subject"] == "bad":
                raise ValueError("cannot parse reading")
        return None

    config = EventSourceConfig("raise-fn", stream, handler, batch_size=4, max_retries=0,
                               bisect_on_error=True, dlq_url=dlq, retry_backoff_s=0.01)
    recorder = Recorder({"raise-fn": "apply"}, {stream: "telemetry"})
    poller = KinesisPoller(config, kinesis, sqs)
    poller.observer = recorder.record_batch
    put_events(kinesis, stream, [cloud_event("good", 1), cloud_event("good", 2),
                                 cloud_event("bad", 3), cloud_event("good", 4)])
    poller.start()
    try:
        assert poller.drain(timeout=15)
    finally:
        poller.stop()
    by_key: dict[str, list[tuple[str, str]]] = {}
    for entry in reversed(recorder.events()):  # oldest first
        by_key.setdefault(entry["data"], []).append((entry["outcome"], entry["reason"]))
    outcomes = {json.loads(data)["id"]: [o for o, _ in seen] for data, seen in by_key.items()}
    assert outcomes["bad-3"][0] == "bisected" and outcomes["bad-3"][-1] == "dlq"
    assert outcomes["good-1"][-1] == outcomes["good-4"][-1] == "acknowledged"
    reasons = [r for data, seen in by_key.items() if "bad" in data for o, r in seen if o == "bisected"]
    assert reasons and all("cannot parse reading" in r for r in reasons)
