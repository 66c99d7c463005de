"""The poller's pure parts: answer interpretation, checkpoint stores, DLQ messages, shapes."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from generator.dev.kinesis.checkpoints import JsonFileCheckpointStore, MemoryCheckpointStore
from generator.dev.kinesis.shard_reader import StreamRecord
from generator.dev.lambdas.batch_response import interpret
from generator.dev.lambdas.dead_letters import DeadLetterQueue, split_message
from generator.dev.lambdas.shapes import FailedInvocation, iso_millis, on_failure_record

ARRIVAL = datetime(2024, 5, 1, 12, 0, 0, 123_456, tzinfo=UTC)
BATCH = [StreamRecord("shardId-000000000000", str(n), "pk", b"{}", ARRIVAL) for n in (11, 12, 13)]


@pytest.mark.parametrize(
    "response",
    [None, {}, {"batchItemFailures": []}, {"batchItemFailures": None}, {"other": 1}],
)
def test_answers_that_mean_success(response: object) -> None:
    assert interpret(response, BATCH, report_batch_item_failures=True).ok


def test_lowest_failed_item_wins() -> None:
    response = {"batchItemFailures": [{"itemIdentifier": "13"}, {"itemIdentifier": "12"}]}
    outcome = interpret(response, BATCH, report_batch_item_failures=True)
    assert outcome.first_failed == 1 and not outcome.whole_batch


@pytest.mark.parametrize(
    "response",
    [
        {"batchItemFailures": [{"itemIdentifier": ""}]},
        {"batchItemFailures": [{"itemIdentifier": None}]},
        {"batchItemFailures": [{"itemIdentifer": "12"}]},  # misspelt key
        {"batchItemFailures": [{"itemIdentifier": "99"}]},  # not in the batch
        {"batchItemFailures": "12"},
        "ok",
    ],
)
def test_answers_that_fail_the_whole_batch(response: object) -> None:
    outcome = interpret(response, BATCH, report_batch_item_failures=True)
    assert outcome.first_failed == 0 and outcome.whole_batch and not outcome.function_error


def test_answers_are_ignored_without_report_batch_item_failures() -> None:
    response = {"batchItemFailures": [{"itemIdentifier": "12"}]}
    assert interpret(response, BATCH, report_batch_item_failures=False).ok


def test_memory_store() -> None:
    store = MemoryCheckpointStore()
    assert store.get("a") is None
    store.put("a", "5")
    store.put("a", "7")
    assert store.get("a") == "7"


def test_json_file_store_persists_across_instances(tmp_path: Path) -> None:
    key = "apply_readings/fleet-telemetry/shardId-000000000001"
    JsonFileCheckpointStore(tmp_path / "ckpt").put(key, "42")
    again = JsonFileCheckpointStore(tmp_path / "ckpt")
    assert again.get(key) == "42"
    assert again.get("other") is None
    (path,) = (tmp_path / "ckpt").iterdir()
    assert "/" not in path.name and json.loads(path.read_text())["sequenceNumber"] == "42"


def test_json_file_store_under_concurrent_writers(tmp_path: Path) -> None:
    store = JsonFileCheckpointStore(tmp_path)

    def write(worker: int) -> None:
        for n in range(50):
            store.put(f"k{worker}", str(n))

    threads = [threading.Thread(target=write, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [store.get(f"k{i}") for i in range(4)] == ["49"] * 4
    assert not list(tmp_path.glob("*.tmp"))


def test_iso_millis() -> None:
    assert iso_millis(ARRIVAL) == "2024-05-01T12:00:00.123Z"


def test_on_failure_record_of_a_batch_discarded_before_invocation() -> None:
    document = on_failure_record(
        BATCH,
        "RecordAgeExceeded",
        FailedInvocation(request_id=None, function_error=False, invoke_count=0),
        "arn:aws:lambda:us-east-1:123456789012:function:fn",
        "arn:aws:kinesis:us-east-1:123456789012:stream/s",
        ARRIVAL,
    )
    assert "responseContext" not in document
    assert document["KinesisBatchInfo"] == {
        "shardId": "shardId-000000000000",
        "startSequenceNumber": "11",
        "endSequenceNumber": "13",
        "approximateArrivalOfFirstRecord": "2024-05-01T12:00:00.123Z",
        "approximateArrivalOfLastRecord": "2024-05-01T12:00:00.123Z",
        "batchSize": 3,
        "streamArn": "arn:aws:kinesis:us-east-1:123456789012:stream/s",
    }


def test_large_discards_split_into_messages_under_the_sqs_limit() -> None:
    document: dict[str, Any] = {"KinesisBatchInfo": {"batchSize": 300}}
    records = [{"kinesis": {"data": "x" * 2000, "n": i}} for i in range(300)]
    bodies = split_message(document, records, limit=64 * 1024)
    assert len(bodies) > 1
    assert all(len(body) <= 64 * 1024 for body in bodies)
    parsed = [json.loads(body) for body in bodies]
    assert [p["part"] for p in parsed] == list(range(1, len(bodies) + 1))
    assert {p["parts"] for p in parsed} == {len(bodies)}
    assert [r["kinesis"]["n"] for p in parsed for r in p["records"]] == list(range(300))
    assert all(p["KinesisBatchInfo"] == {"batchSize": 300} for p in parsed)


def test_a_queue_url_needs_a_client() -> None:
    with pytest.raises(ValueError, match="SQS client"):
        DeadLetterQueue(None, "http://queue")


@pytest.mark.parametrize("data, wanted", [
    (b'{"type": "reading.recorded", "data": {}}', True),
    (b'{"type": "device.heartbeat"}', False),
    (b'{"type": "reading\\u002erecorded"}', True),  # escaped: still the same string
    (b'{"type": "device.registered", "note": "reading.recorded"}', False),  # only "type" counts
    (b'{"data": {"type": "reading.recorded"}}', False),  # nested "type" is not the event's
    (b'["reading.recorded"]', False),
    (b'not json reading.recorded', False),
    (b'\xff\xfe', False),
])
def test_the_type_filter(data: bytes, wanted: bool) -> None:
    from generator.dev.lambdas.shard_worker import _wanted

    assert _wanted(data, ("reading.recorded",)) is wanted
    assert _wanted(data, ()) is True
