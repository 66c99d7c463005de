"""The Kinesis poller against a real moto Kinesis/SQS: Lambda's event-source-mapping rules."""

from __future__ import annotations

import base64
import json
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from mypy_boto3_kinesis import KinesisClient
from mypy_boto3_sqs import SQSClient

from generator.dev.kinesis.checkpoints import JsonFileCheckpointStore
from generator.dev.lambdas.poller import EventSourceConfig, KinesisPoller
from generator.dev.local_aws.moto_server import LocalAws
from tests.dev.helpers import cloud_event, drain_queue, put_events

Event = dict[str, Any]


@pytest.fixture(autouse=True, params=["boto3", "moto-in-process"])
def _shard_readers(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, local_aws: LocalAws
) -> None:
    """Every test twice: shards read through boto3, and as `gen dev` reads them (straight from
    moto's backend with the moto patches on; through the API, as the first run did, when off)."""
    if request.param == "moto-in-process":
        if not local_aws.mode.patched:
            pytest.skip("plain moto: gen dev reads shards through the API, as the boto3 run does")
        from generator.dev.lambdas import poller

        monkeypatch.setattr(poller, "api_readers", local_aws.shard_readers)


def payloads(event: Event) -> list[dict[str, Any]]:
    return [json.loads(base64.b64decode(r["kinesis"]["data"])) for r in event["Records"]]


def numbers(event: Event) -> list[int]:
    return [p["data"]["n"] for p in payloads(event)]


class Recorder:
    """A handler that records every invocation; ``decide`` may fail some of them."""

    def __init__(self, decide: Callable[[Event, int], Any] | None = None) -> None:
        self.invocations: list[list[int]] = []
        self.contexts: list[Any] = []
        self.applied: list[int] = []
        self.lock = threading.Lock()
        self._decide = decide

    def __call__(self, event: Event, context: Any) -> Any:
        with self.lock:
            self.invocations.append(numbers(event))
            self.contexts.append(context)
            call = len(self.invocations)
        answer = self._decide(event, call) if self._decide else None
        failed = {f["itemIdentifier"] for f in (answer or {}).get("batchItemFailures", [])}
        with self.lock:
            for record, n in zip(event["Records"], numbers(event), strict=True):
                if record["kinesis"]["sequenceNumber"] not in failed:
                    self.applied.append(n)
        return answer


def run(
    kinesis: KinesisClient,
    config: EventSourceConfig,
    sqs: SQSClient | None = None,
    **kwargs: Any,
) -> KinesisPoller:
    poller = KinesisPoller(config, kinesis, sqs, **kwargs)
    poller.start()
    assert poller.drain(timeout=15), poller.stats()
    poller.stop()
    return poller


def test_delivers_every_record_in_order_with_the_lambda_event_shape(
    kinesis: KinesisClient, make_stream: Callable[[int], str]
) -> None:
    stream = make_stream(2)
    events = [cloud_event(f"device-{i % 7}", i) for i in range(400)]
    put_events(kinesis, stream, events)
    seen: dict[str, list[int]] = defaultdict(list)
    shapes: list[Event] = []
    contexts: list[Any] = []

    def handler(event: Event, context: Any) -> None:
        shapes.append(event)
        contexts.append(context)
        for payload in payloads(event):
            seen[payload["subject"]].append(payload["data"]["n"])

    poller = run(kinesis, EventSourceConfig("apply", stream, handler, batch_size=25))

    # Per partition key, every record exactly once and in the order it was put.
    for subject, got in seen.items():
        assert got == [e["data"]["n"] for e in events if e["subject"] == subject]
    assert sum(len(v) for v in seen.values()) == 400
    assert all(len(event["Records"]) <= 25 for event in shapes)
    # One batch holds records of one shard only.
    for event in shapes:
        assert len({r["eventID"].split(":")[0] for r in event["Records"]}) == 1

    record = shapes[0]["Records"][0]
    assert set(record) == {
        "kinesis", "eventSource", "eventVersion", "eventID", "eventName",
        "invokeIdentityArn", "awsRegion", "eventSourceARN",
    }  # fmt: skip
    assert record["eventSource"] == "aws:kinesis"
    assert record["eventVersion"] == "1.0"
    assert record["eventName"] == "aws:kinesis:record"
    assert record["awsRegion"] == "us-east-1"
    assert record["eventSourceARN"] == f"arn:aws:kinesis:us-east-1:123456789012:stream/{stream}"
    assert record["invokeIdentityArn"] == "arn:aws:iam::123456789012:role/apply"
    kinesis_part = record["kinesis"]
    assert kinesis_part["kinesisSchemaVersion"] == "1.0"
    assert (
        record["eventID"] == f"{record['eventID'].split(':')[0]}:{kinesis_part['sequenceNumber']}"
    )
    assert kinesis_part["partitionKey"] == payloads(shapes[0])[0]["subject"]
    assert isinstance(kinesis_part["approximateArrivalTimestamp"], float)
    assert abs(kinesis_part["approximateArrivalTimestamp"] - time.time()) < 60

    context = contexts[0]
    assert context.function_name == "apply"
    assert context.invoked_function_arn == "arn:aws:lambda:us-east-1:123456789012:function:apply"
    assert context.memory_limit_in_mb == "128"
    assert context.log_group_name == "/aws/lambda/apply"
    assert 0 < context.get_remaining_time_in_millis() <= 3000
    assert len({c.aws_request_id for c in contexts}) == len(contexts)

    stats = poller.stats()
    assert stats.records_in == 400 and stats.batches == len(shapes)
    assert stats.failed_batches == stats.retries == stats.records_dlq == 0
    for shard in stats.shards.values():
        assert shard.lag_records == 0 and shard.checkpoint is not None


def test_batch_item_failures_retry_from_the_lowest_failed_record(
    kinesis: KinesisClient, make_stream: Callable[[int], str]
) -> None:
    stream = make_stream(1)
    sequence_numbers = put_events(kinesis, stream, [cloud_event("d", i) for i in range(10)])

    def decide(event: Event, call: int) -> Any:
        if call == 1:  # records 7 and 4 fail once; the lowest (4) decides the checkpoint
            return {
                "batchItemFailures": [
                    {"itemIdentifier": sequence_numbers[7]},
                    {"itemIdentifier": sequence_numbers[4]},
                ]
            }
        return {"batchItemFailures": []}

    handler = Recorder(decide)
    poller = run(kinesis, EventSourceConfig("fn", stream, handler, batch_size=10))

    assert handler.invocations == [list(range(10)), [4, 5, 6, 7, 8, 9]]
    # 5, 6, 8, 9 succeeded in the first attempt and are re-delivered: Lambda does the same.
    assert sorted(set(handler.applied)) == list(range(10))
    stats = poller.stats()
    assert (stats.failed_batches, stats.retries, stats.records_dlq) == (1, 1, 0)


def test_invalid_item_identifier_fails_the_whole_batch(
    kinesis: KinesisClient, make_stream: Callable[[int], str]
) -> None:
    stream = make_stream(1)
    put_events(kinesis, stream, [cloud_event("d", i) for i in range(4)])
    answers = [{"batchItemFailures": [{"itemIdentifier": ""}]}, None]
    handler = Recorder(lambda event, call: answers[min(call, 2) - 1])
    run(kinesis, EventSourceConfig("fn", stream, handler))
    assert handler.invocations == [[0, 1, 2, 3], [0, 1, 2, 3]]


def test_report_batch_item_failures_off_ignores_the_answer(
    kinesis: KinesisClient, make_stream: Callable[[int], str]
) -> None:
    stream = make_stream(1)
    sequence_numbers = put_events(kinesis, stream, [cloud_event("d", i) for i in range(3)])
    failures = {"batchItemFailures": [{"itemIdentifier": sequence_numbers[0]}]}
    handler = Recorder(lambda event, call: failures)
    config = EventSourceConfig("fn", stream, handler, report_batch_item_failures=False)
    run(kinesis, config)
    assert handler.invocations == [[0, 1, 2]]


def test_exception_bisects_down_to_the_poison_record_which_ends_in_the_dlq(
    kinesis: KinesisClient,
    sqs: SQSClient,
    make_stream: Callable[[int], str],
    make_queue: Callable[[], str],
) -> None:
    stream, dlq = make_stream(1), make_queue()
    sequence_numbers = put_events(kinesis, stream, [cloud_event("d", i) for i in range(8)])

    def decide(event: Event, call: int) -> None:
        if 5 in numbers(event):
            raise ValueError("poison record")

    handler = Recorder(decide)
    config = EventSourceConfig(
        "fn", stream, handler, batch_size=8, bisect_on_error=True, max_retries=1, dlq_url=dlq
    )
    poller = run(kinesis, config, sqs)

    assert handler.invocations == [
        [0, 1, 2, 3, 4, 5, 6, 7],  # fails: split (no retry used)
        [0, 1, 2, 3],
        [4, 5, 6, 7],  # fails: split
        [4, 5],  # fails: split
        [4],
        [5],  # fails alone: first attempt
        [5],  # the one retry; then discarded
        [6, 7],
    ]
    assert sorted(handler.applied) == [0, 1, 2, 3, 4, 6, 7]
    (message,) = drain_queue(sqs, dlq)
    assert message["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert message["requestContext"]["approximateInvokeCount"] == 2
    assert message["requestContext"]["functionArn"].endswith(":function:fn")
    assert message["responseContext"] == {
        "statusCode": 200,
        "executedVersion": "$LATEST",
        "functionError": "Unhandled",
    }
    info = message["KinesisBatchInfo"]
    assert info["shardId"] == "shardId-000000000000"
    assert info["startSequenceNumber"] == info["endSequenceNumber"] == sequence_numbers[5]
    assert info["batchSize"] == 1
    assert info["streamArn"].endswith(f":stream/{stream}")
    assert message["version"] == "1.0"
    assert message["timestamp"].endswith("Z")
    (record,) = message["records"]
    assert json.loads(base64.b64decode(record["kinesis"]["data"]))["data"]["n"] == 5
    stats = poller.stats()
    assert (stats.bisects, stats.retries, stats.records_dlq) == (3, 1, 1)
    assert stats.shards["shardId-000000000000"].checkpoint == sequence_numbers[-1]


def test_without_bisect_a_failing_batch_is_retried_whole_then_discarded(
    kinesis: KinesisClient,
    sqs: SQSClient,
    make_stream: Callable[[int], str],
    make_queue: Callable[[], str],
) -> None:
    stream, dlq = make_stream(1), make_queue()
    put_events(kinesis, stream, [cloud_event("d", i) for i in range(6)])

    def decide(event: Event, call: int) -> None:
        if 2 in numbers(event):
            raise RuntimeError("boom")

    handler = Recorder(decide)
    config = EventSourceConfig("fn", stream, handler, batch_size=3, max_retries=2, dlq_url=dlq)
    run(kinesis, config, sqs)
    assert handler.invocations == [[0, 1, 2]] * 3 + [[3, 4, 5]]
    (message,) = drain_queue(sqs, dlq)
    assert message["KinesisBatchInfo"]["batchSize"] == 3
    assert message["requestContext"]["approximateInvokeCount"] == 3
    assert [json.loads(base64.b64decode(r["kinesis"]["data"]))["data"]["n"]
            for r in message["records"]] == [0, 1, 2]  # fmt: skip


def test_partial_failures_exhausting_retries_discard_from_the_failed_record_on(
    kinesis: KinesisClient,
    sqs: SQSClient,
    make_stream: Callable[[int], str],
    make_queue: Callable[[], str],
) -> None:
    stream, dlq = make_stream(1), make_queue()
    sequence_numbers = put_events(kinesis, stream, [cloud_event("d", i) for i in range(6)])
    poison = {"batchItemFailures": [{"itemIdentifier": sequence_numbers[3]}]}
    handler = Recorder(lambda event, call: poison if 3 in numbers(event) else None)
    config = EventSourceConfig("fn", stream, handler, batch_size=6, max_retries=2, dlq_url=dlq)
    run(kinesis, config, sqs)

    assert handler.invocations == [[0, 1, 2, 3, 4, 5], [3, 4, 5], [3, 4, 5]]
    (message,) = drain_queue(sqs, dlq)
    info = message["KinesisBatchInfo"]
    assert (info["startSequenceNumber"], info["endSequenceNumber"]) == (
        sequence_numbers[3],
        sequence_numbers[5],
    )
    # A partial-failure answer is not a function error.
    assert "functionError" not in message["responseContext"]


def test_records_older_than_the_maximum_age_are_discarded(
    kinesis: KinesisClient,
    sqs: SQSClient,
    make_stream: Callable[[int], str],
    make_queue: Callable[[], str],
) -> None:
    stream, dlq = make_stream(1), make_queue()
    put_events(kinesis, stream, [cloud_event("d", i) for i in range(3)])
    skew = [timedelta(0)]

    def decide(event: Event, call: int) -> None:
        skew[0] = timedelta(minutes=2)  # from now on the records look two minutes old
        raise RuntimeError("down")

    handler = Recorder(decide)
    config = EventSourceConfig("fn", stream, handler, max_record_age_s=60, dlq_url=dlq)
    poller = run(kinesis, config, sqs, clock=lambda: datetime.now(UTC) + skew[0])

    assert handler.invocations == [[0, 1, 2]]  # never retried: expired first
    (message,) = drain_queue(sqs, dlq)
    assert message["requestContext"]["condition"] == "RecordAgeExceeded"
    assert message["KinesisBatchInfo"]["batchSize"] == 3
    assert "responseContext" not in message
    assert poller.stats().records_dlq == 3


def test_filter_delivers_only_subscribed_types_and_checkpoints_past_the_rest(
    kinesis: KinesisClient, make_stream: Callable[[int], str]
) -> None:
    stream = make_stream(1)
    types = ["reading.recorded", "device.registered", "other", "reading.recorded", "x", "y"]
    events = [cloud_event("d", i, t) for i, t in enumerate(types)]
    sequence_numbers = put_events(kinesis, stream, events)
    kinesis.put_record(StreamName=stream, Data=b"not json", PartitionKey="d")
    handler = Recorder()
    config = EventSourceConfig(
        "fn", stream, handler, filter_types=("reading.recorded", "device.registered")
    )
    poller = run(kinesis, config)
    assert handler.invocations == [[0, 1, 3]]
    stats = poller.stats()
    assert (stats.records_in, stats.records_filtered) == (7, 4)
    # The trailing filtered records are checkpointed too: a restart will not re-read them.
    checkpoint = stats.shards["shardId-000000000000"].checkpoint
    assert checkpoint is not None and int(checkpoint) > int(sequence_numbers[-1])


def test_stop_and_restart_loses_nothing_and_reapplies_nothing(
    kinesis: KinesisClient, make_stream: Callable[[int], str], tmp_path: Path
) -> None:
    stream = make_stream(2)
    put_events(kinesis, stream, [cloud_event(f"d{i % 5}", i) for i in range(300)])
    applied: list[int] = []
    lock = threading.Lock()

    def handler(event: Event, context: Any) -> None:
        time.sleep(0.002)
        with lock:
            applied.extend(numbers(event))

    config = EventSourceConfig("fn", stream, handler, batch_size=10)
    first = KinesisPoller(config, kinesis, store=JsonFileCheckpointStore(tmp_path / "ckpt"))
    first.start()
    deadline = time.monotonic() + 10
    while len(applied) < 60 and time.monotonic() < deadline:
        time.sleep(0.005)
    first.stop()
    stopped_at = len(applied)
    assert 60 <= stopped_at < 300, "the poller should have stopped mid-stream"

    put_events(kinesis, stream, [cloud_event(f"d{i % 5}", i) for i in range(300, 350)])
    second = KinesisPoller(config, kinesis, store=JsonFileCheckpointStore(tmp_path / "ckpt"))
    second.start()
    assert second.drain(timeout=15)
    second.stop()
    assert sorted(applied) == list(range(350))  # each exactly once
    assert second.stats().records_in == 350 - stopped_at


def test_a_posted_event_is_delivered_well_within_two_seconds(
    kinesis: KinesisClient, make_stream: Callable[[int], str]
) -> None:
    stream = make_stream(2)
    arrived = threading.Event()
    poller = KinesisPoller(
        EventSourceConfig("fn", stream, lambda event, context: arrived.set()), kinesis
    )
    poller.start()
    try:
        time.sleep(0.3)  # the poller is idle at the tip
        started = time.monotonic()
        put_events(kinesis, stream, [cloud_event("d", 1)])
        assert arrived.wait(2.0)
        assert time.monotonic() - started < 1.0
    finally:
        poller.stop()


def test_batching_window_gathers_records_into_one_batch(
    kinesis: KinesisClient, make_stream: Callable[[int], str]
) -> None:
    stream = make_stream(1)
    handler = Recorder()
    poller = KinesisPoller(EventSourceConfig("fn", stream, handler, batching_window_s=1.0), kinesis)
    poller.start()
    try:
        for i in range(3):
            put_events(kinesis, stream, [cloud_event("d", i)])
            time.sleep(0.15)
        assert poller.drain(timeout=5)
    finally:
        poller.stop()
    assert handler.invocations == [[0, 1, 2]]


def test_powertools_batch_processor_handlers_work_unchanged(
    kinesis: KinesisClient, make_stream: Callable[[int], str]
) -> None:
    from aws_lambda_powertools.utilities.batch import (
        BatchProcessor,
        EventType,
        process_partial_response,
    )
    from aws_lambda_powertools.utilities.data_classes.kinesis_stream_event import (
        KinesisStreamRecord,
    )

    stream = make_stream(1)
    put_events(kinesis, stream, [cloud_event("d", i) for i in range(5)])
    attempts: dict[int, int] = defaultdict(int)
    done: list[int] = []

    def record_handler(record: KinesisStreamRecord) -> None:
        n = record.kinesis.data_as_json()["data"]["n"]
        attempts[n] += 1
        if n == 2 and attempts[n] == 1:
            raise ValueError("transient")
        done.append(n)

    processor = BatchProcessor(event_type=EventType.KinesisDataStreams)

    def handler(event: Event, context: Any) -> Any:
        return process_partial_response(
            event=event, record_handler=record_handler, processor=processor, context=context
        )

    run(kinesis, EventSourceConfig("fn", stream, handler))
    assert attempts == {0: 1, 1: 1, 2: 2, 3: 2, 4: 2}
    assert sorted(set(done)) == [0, 1, 2, 3, 4]


def test_a_stuck_shard_does_not_hold_up_the_others(
    kinesis: KinesisClient, make_stream: Callable[[int], str]
) -> None:
    stream = make_stream(2)
    put_events(kinesis, stream, [cloud_event(f"dev-{i}", i) for i in range(40)])
    by_shard: dict[str, set[int]] = defaultdict(set)
    lock = threading.Lock()

    def handler(event: Event, context: Any) -> None:
        shard = event["Records"][0]["eventID"].split(":")[0]
        if shard == "shardId-000000000000":
            raise RuntimeError("this shard's consumer is broken")
        with lock:
            by_shard[shard].update(numbers(event))

    # Lambda's defaults: retry forever, never discard.
    poller = KinesisPoller(EventSourceConfig("fn", stream, handler, batch_size=5), kinesis)
    poller.start()
    try:
        assert not poller.drain(timeout=1.0)  # shard 0 can never drain
    finally:
        poller.stop()
    stats = poller.stats()
    stuck, healthy = stats.shards["shardId-000000000000"], stats.shards["shardId-000000000001"]
    assert stuck.retries >= 3 and stuck.checkpoint is None and stuck.lag_records > 0
    assert healthy.lag_records == 0 and healthy.failed_batches == 0
    assert len(by_shard["shardId-000000000001"]) == healthy.records_in > 0
    assert stuck.records_in + healthy.records_in == 40


def test_invocations_of_one_function_never_overlap(
    kinesis: KinesisClient, make_stream: Callable[[int], str]
) -> None:
    stream = make_stream(4)
    put_events(kinesis, stream, [cloud_event(f"d{i}", i) for i in range(80)])
    inside = 0
    most = 0
    lock = threading.Lock()

    def handler(event: Event, context: Any) -> None:
        nonlocal inside, most
        with lock:
            inside += 1
            most = max(most, inside)
        time.sleep(0.005)  # long enough for another shard's thread to try to enter
        with lock:
            inside -= 1

    run(kinesis, EventSourceConfig("fn", stream, handler, batch_size=5))
    assert most == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("batch_size", 0, "batch_size"),
        ("batch_size", 10_001, "batch_size"),
        ("max_retries", -2, "max_retries"),
        ("max_record_age_s", 30, "max_record_age_s"),
        ("batching_window_s", 301, "batching_window_s"),
        ("starting_position", "AT_TIMESTAMP", "starting_position"),
        ("filter_types", "reading.recorded", "tuple"),
    ],
)
def test_config_is_validated(field: str, value: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        EventSourceConfig("fn", "s", lambda e, c: None, **{field: value})


def test_drain_needs_a_started_poller(kinesis: KinesisClient) -> None:
    poller = KinesisPoller(EventSourceConfig("fn", "s", lambda e, c: None), kinesis)
    with pytest.raises(RuntimeError, match="started"):
        poller.drain(0.1)


@pytest.mark.slow
def test_sustained_throughput_through_a_trivial_handler(
    kinesis: KinesisClient, make_stream: Callable[[int], str]
) -> None:
    """Producer and poller run together; the local stack must sustain >= 1,000 events/s."""
    stream = make_stream(2)
    count = 0
    lock = threading.Lock()

    def handler(event: Event, context: Any) -> None:
        nonlocal count
        with lock:
            count += len(event["Records"])

    poller = KinesisPoller(EventSourceConfig("fn", stream, handler, batch_size=100), kinesis)
    poller.start()
    total = 20_000
    started = time.perf_counter()
    try:
        put_events(kinesis, stream, [cloud_event(f"d{i % 50}", i) for i in range(total)])
        assert poller.drain(timeout=60)
    finally:
        poller.stop()
    rate = total / (time.perf_counter() - started)
    print(f"\nend to end (put + deliver): {rate:,.0f} records/s")
    assert count == total
    assert rate >= 1_000
