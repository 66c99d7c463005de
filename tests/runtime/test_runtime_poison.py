"""Poison isolation: a processor that raises on chosen events, run by the generated runtime
under the local stack's real Kinesis poller (Lambda's event source mapping rules, as the
Terraform configures them: ReportBatchItemFailures, bisect on function error, the spec's
retries) against moto's Kinesis, SQS and DynamoDB (the idempotency ledger as deployed).

Each case checks what the issue asks: exactly the culprits reach the dead-letter queue, each
alone; every other event is applied exactly once; each subject's events are applied in stream
order; and the invocation fails (so Lambda bisects and its Errors alarm can fire).
"""

from __future__ import annotations

import base64
import dataclasses
import json
import threading
from collections import Counter
from collections.abc import Collection, Sequence
from types import SimpleNamespace
from typing import Any

import msgspec
import pytest

from tests.runtime.conftest import FakeLambdaContext, Stream, reading

SUBJECTS = 7  # events go round-robin over this many devices, so subjects interleave


class Raising:
    """A processor that raises whenever its batch holds a culprit (before applying anything),
    and otherwise records the ids it applied, in order."""

    def __init__(self, culprits: Collection[str]) -> None:
        self.culprits = culprits
        self.applied: list[str] = []
        self.calls = 0
        self.lock = threading.Lock()

    def __call__(self, batch: Any, ctx: Any) -> None:
        with self.lock:
            self.calls += 1
        ids = [e.id for e in batch]
        if any(i in self.culprits for i in ids):
            raise ValueError("cannot apply this")
        with self.lock:
            self.applied += ids


def _runner(handle: Any) -> Any:
    from fleet import events
    from fleet.runtime.stream import StreamRunner, Untyped

    return StreamRunner(project="fleet", processor="apply_readings",
                        decoder=msgspec.json.Decoder(events.TelemetryEvent | Untyped),
                        accepts=(events.ReadingRecordedEvent, events.DeviceHeartbeatEvent),
                        handle=handle, context=lambda telemetry: None, idempotency_seconds=3600)


def _events(count: int) -> list[dict[str, Any]]:
    return [reading(f"dev-{i % SUBJECTS}", f"2026-11-24T15:{i // 60:02d}:{i % 60:02d}Z", id=f"e{i:03d}")
            for i in range(count)]


def _dead_letters(sqs: Any, url: str) -> list[list[str]]:
    """The event ids of each on-failure record in the queue."""
    out = []
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        for message in messages:
            body = json.loads(message["Body"])
            ids = [json.loads(base64.b64decode(r["kinesis"]["data"]))["id"] for r in body["records"]]
            assert body["KinesisBatchInfo"]["batchSize"] == len(ids)
            assert body["requestContext"]["condition"] == "RetryAttemptsExhausted"
            out.append(ids)
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return out


def _through_the_poller(ir: Any, events: list[dict[str, Any]], culprits: Collection[str]) -> tuple[Raising, list[list[str]], Any]:
    """Put `events` on a fresh one-shard stream, run the poller until drained; the processor,
    the dead letters and the poller's stats."""
    import uuid

    import boto3

    from generator.dev.workers import event_source_config
    from generator.dev.lambdas.poller import KinesisPoller

    kinesis, sqs = boto3.client("kinesis"), boto3.client("sqs")
    stream, queue = f"poison-{uuid.uuid4().hex[:8]}", f"poison-dlq-{uuid.uuid4().hex[:8]}"
    kinesis.create_stream(StreamName=stream, ShardCount=1)
    dlq = sqs.create_queue(QueueName=queue)["QueueUrl"]
    answer = kinesis.put_records(StreamName=stream, Records=[
        {"Data": json.dumps(e).encode(), "PartitionKey": e["subject"]} for e in events])
    assert answer["FailedRecordCount"] == 0
    processor = Raising(culprits)
    runner = _runner(processor)
    spec = next(p for p in ir.processors if p.name == "apply_readings")
    names = SimpleNamespace(functions={"apply_readings": "fleet-test-fn"}, streams={"telemetry": stream})
    # The mapping Terraform creates for the processor, one batch of all the events; short
    # retry waits keep the test fast.
    config = dataclasses.replace(event_source_config(spec, names, runner.invoke, dlq),  # type: ignore[arg-type]
                                 batch_size=len(events), batching_window_s=0.5, retry_backoff_s=0.001)
    assert config.bisect_on_error and config.report_batch_item_failures and config.max_retries >= 0
    poller = KinesisPoller(config, kinesis, sqs)
    poller.start()
    try:
        assert poller.drain(timeout=120), poller.stats()
    finally:
        poller.stop()
    kinesis.delete_stream(StreamName=stream)
    return processor, _dead_letters(sqs, dlq), poller.stats()


def _check(events: list[dict[str, Any]], culprits: Sequence[str], processor: Raising,
           dead: list[list[str]]) -> None:
    assert dead == [[c] for c in sorted(culprits)]  # each culprit alone, in stream order
    counts = Counter(processor.applied)
    assert set(counts) == {e["id"] for e in events} - set(culprits)
    assert set(counts.values()) <= {1}, [i for i, n in counts.items() if n > 1]
    for subject in {e["subject"] for e in events}:
        in_stream = [e["id"] for e in events if e["subject"] == subject and e["id"] not in culprits]
        assert [i for i in processor.applied if i in set(in_stream)] == in_stream


@pytest.mark.parametrize(("count", "culprits"), [
    (1, [0]),
    (2, [0]),
    (2, [1]),
    (49, [24]),
    (100, [0]),
    (100, [63]),
    (100, [99]),
    # two culprits: different subjects, then the same subject (dev-3, 7 records apart)
    (49, [5, 40]),
    (100, [10, 17]),
], ids=lambda v: str(v))
def test_only_the_culprits_reach_the_dlq_the_rest_is_applied_once_in_order(
        aws: Any, ir: Any, count: int, culprits: list[int]) -> None:
    events = _events(count)
    ids = [events[i]["id"] for i in culprits]
    processor, dead, stats = _through_the_poller(ir, events, ids)
    _check(events, ids, processor, dead)
    assert stats.records_dlq == len(ids)
    if count > 1:
        assert stats.bisects > 0  # Lambda's own bisection ran


def test_an_exception_on_every_record_dead_letters_each_alone_and_applies_nothing(aws: Any, ir: Any) -> None:
    events = _events(12)
    ids = [e["id"] for e in events]
    processor, dead, stats = _through_the_poller(ir, events, ids)
    _check(events, ids, processor, dead)
    assert processor.applied == [] and stats.records_dlq == 12


def test_the_runtime_fails_the_invocation_only_after_applying_the_rest(
        aws: Any, stream: Stream, lambda_context: FakeLambdaContext) -> None:
    """One invocation: the culprit is isolated in process; the others are applied and recorded
    as done, so Lambda's retries of the halves find them done and apply nothing twice."""
    from fleet.runtime.stream import PoisonRecords

    events = _events(10)
    records = [stream.record(e, e["subject"]) for e in events]
    processor = Raising({"e004"})
    runner = _runner(processor)
    with pytest.raises(PoisonRecords, match="1 poison record") as raised:
        runner.invoke({"Records": records}, lambda_context)
    outcome = raised.value.outcome
    assert outcome.poison == [4] and outcome.unisolated == []
    assert sorted(outcome.failed) == [4]  # dev-4's next event is e011: not in this batch
    assert processor.applied == [e["id"] for i, e in enumerate(events) if i != 4]
    # What Lambda does next: the two halves, then the culprit alone.
    processor.applied.clear()
    with pytest.raises(PoisonRecords):
        runner.invoke({"Records": records[:5]}, lambda_context)
    assert runner.invoke({"Records": records[5:]}, lambda_context) == {"batchItemFailures": []}
    assert processor.applied == []  # all done before: acknowledged, not applied again


def test_in_process_isolation_runs_halves_in_order_and_skips_later_events_of_a_failed_subject(
        stream: Stream) -> None:
    from fleet.runtime.stream import PoisonRecords
    from tests.runtime.test_runtime_stream import FakeLedger

    events = [reading(d, f"2026-11-24T15:00:0{i}Z", id=f"{d}{i}") for i, d in enumerate("ababa")]
    records = [stream.record(e, e["subject"]) for e in events]
    calls: list[list[str]] = []

    def handle(batch: Any, ctx: Any) -> None:
        calls.append([e.id for e in batch])
        if "b1" in calls[-1]:
            raise RuntimeError("b1 is poison")

    ledger = FakeLedger()
    with pytest.raises(PoisonRecords):
        _runner(handle).process({"Records": records}, None, ledger)
    assert calls == [["a0", "b1", "a2", "b3", "a4"], ["a0", "b1"], ["a0"], ["b1"], ["a2", "a4"]]
    assert ledger.completed == ["a0", "a2", "a4"] and ledger.released == ["b1", "b3"]


def test_batch_fail_in_a_half_blocks_the_subject_in_later_halves(stream: Stream) -> None:
    from fleet.runtime.stream import PoisonRecords
    from tests.runtime.test_runtime_stream import FakeLedger

    events = [reading(d, f"2026-11-24T15:00:0{i}Z", id=f"{d}{i}") for i, d in enumerate("abcab")]
    records = [stream.record(e, e["subject"]) for e in events]

    def handle(batch: Any, ctx: Any) -> None:
        ids = [e.id for e in batch]
        if "c2" in ids:
            raise RuntimeError("c2 is poison")
        for event in batch:
            if event.id == "a0":
                batch.fail(event, "not yet")

    ledger = FakeLedger()
    with pytest.raises(PoisonRecords) as raised:
        _runner(handle).process({"Records": records}, None, ledger)
    assert raised.value.outcome.poison == [2]
    assert sorted(raised.value.outcome.failed) == [0, 2, 3]  # a0 failed, so a3 is not run
    assert ledger.completed == ["b1", "b4"]


def test_without_time_left_the_rest_is_not_run_and_the_invocation_fails(stream: Stream) -> None:
    from fleet.runtime.stream import PoisonRecords
    from tests.runtime.test_runtime_stream import FakeLedger

    records = [stream.record(e, e["subject"]) for e in _events(4)]
    processor = Raising({"e002"})
    ledger = FakeLedger()
    with pytest.raises(PoisonRecords, match="4 not isolated in time") as raised:
        _runner(processor).process({"Records": records}, None, ledger, remaining_ms=0)
    assert processor.calls == 1 and processor.applied == []
    assert raised.value.outcome.unisolated == [0, 1, 2, 3]
    assert ledger.released == ["e000", "e001", "e002", "e003"]


def test_the_generated_alarm_watches_the_poison_metric_the_runtime_emits(
        aws: Any, stream: Stream, lambda_context: FakeLambdaContext, capsys: pytest.CaptureFixture[str]) -> None:
    from hcl2.api import loads

    from fleet.runtime.stream import PoisonRecords
    from tests.runtime.conftest import ROOT

    records = [stream.record(e, e["subject"]) for e in _events(3)]
    capsys.readouterr()
    with pytest.raises(PoisonRecords):
        _runner(Raising({"e001"})).invoke({"Records": records}, lambda_context)
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    (emf,) = [line for line in lines if "RecordsPoison" in line]  # flushed although it raised
    (directive,) = emf["_aws"]["CloudWatchMetrics"]
    assert emf["RecordsPoison"] == [1.0]

    terraform = loads((ROOT / "generated/terraform/monitoring.tf").read_text())
    alarms = {name: body for block in terraform["resource"] for kind, named in block.items()
              if kind == "aws_cloudwatch_metric_alarm" for name, body in named.items()}
    alarm = alarms["fn_apply_readings_poison"]
    assert (alarm["namespace"], alarm["metric_name"]) == (directive["Namespace"], "RecordsPoison")
    (dimensions,) = directive["Dimensions"]
    assert alarm["dimensions"] == {d: emf[d] for d in dimensions}
    assert (alarm["statistic"], alarm["threshold"], alarm["comparison_operator"]) == (
        "Sum", 0, "GreaterThanThreshold")
