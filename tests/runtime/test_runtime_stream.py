"""StreamRunner semantics without AWS: decoding, ordering per subject, idempotency answers,
in-batch copies, skipped types and the batchItemFailures answer."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import msgspec
import pytest

from tests.runtime.conftest import Stream, heartbeat, reading, registered


def _named(key: str) -> str:
    """An idempotency key (`["<source>", "<id>"]`) by its id, or `source/id` when the source
    is not the tests' default."""
    source, id_ = json.loads(key)
    return str(id_) if source == "tests" else f"{source}/{id_}"


class FakeLedger:
    """Answers claims from a dict by `_named` key (default "new"); records the claims,
    completions and releases by `_named` key."""

    def __init__(self, answers: dict[str, Any] | None = None) -> None:
        self.answers = answers or {}
        self.claimed: list[str] = []
        self.completed: list[str] = []
        self.released: list[str] = []

    def claim(self, keys: Sequence[str], remaining_ms: int | None) -> list[Any]:
        self.claimed += map(_named, keys)
        return [self.answers.get(_named(k), "new") for k in keys]

    def complete(self, keys: Sequence[str]) -> list[Exception]:
        self.completed += map(_named, keys)
        return []

    def release(self, keys: Sequence[str]) -> list[Exception]:
        self.released += map(_named, keys)
        return []


class Recorder:
    """A processor that records what it got and fails the events whose id is in `fail`."""

    def __init__(self, fail: Sequence[str] = ()) -> None:
        self.fail = set(fail)
        self.batches: list[list[str]] = []

    def __call__(self, batch: Any, ctx: Any) -> None:
        self.batches.append([e.id for e in batch])
        for event in batch:
            if event.id in self.fail:
                batch.fail(event, "told to")


def _runner(handle: Any) -> Any:
    from fleet import events
    from fleet.runtime.stream import StreamRunner, Untyped

    return StreamRunner(project="fleet", processor="apply_readings",
                        decoder=msgspec.json.Decoder(events.TelemetryEvent | Untyped),
                        accepts=(events.ReadingRecordedEvent, events.DeviceHeartbeatEvent),
                        handle=handle, context=lambda telemetry: None, idempotency_seconds=60)


def _failed(records: list[dict[str, Any]], answer: dict[str, Any]) -> list[int]:
    seqs = [r["kinesis"]["sequenceNumber"] for r in records]
    return [seqs.index(f["itemIdentifier"]) for f in answer["batchItemFailures"]]


def _run(records: list[dict[str, Any]], handle: Any, ledger: Any, poison: Sequence[int] = ()) -> list[int]:
    """Indexes of the failed records; `process` raises PoisonRecords exactly when `poison`
    (the indexes of the records that can never be applied) is not empty."""
    from fleet.runtime.stream import PoisonRecords

    try:
        answer = _runner(handle).process({"Records": records}, None, ledger)
    except PoisonRecords as raised:
        assert sorted(raised.outcome.poison) == list(poison), raised
        return _failed(records, raised.response)
    assert not poison, "PoisonRecords was not raised"
    return _failed(records, answer)


def test_valid_batch_is_dispatched_in_order_and_completed(stream: Stream) -> None:
    records = [stream.record(reading("a", "2026-01-01T00:00:00Z", id="1"), "a"),
               stream.record(heartbeat("b", "2026-01-01T00:00:00Z", id="2"), "b"),
               stream.record(reading("a", "2026-01-01T00:01:00Z", id="3"), "a")]
    handle, ledger = Recorder(), FakeLedger()
    assert _run(records, handle, ledger) == []
    assert handle.batches == [["1", "2", "3"]]
    assert ledger.completed == ["1", "2", "3"] and ledger.released == []


@pytest.mark.parametrize("payload", [
    b"not json", b'{"specversion": "1.0"}', b"\xff\xfe", b"[]",
    # wrong type, missing data field, naive time, subject not matching the payload, empty type
    {**reading("a", "2026-01-01T00:00:00Z"), "type": "reading.deleted"},
    {**reading("a", "2026-01-01T00:00:00Z"), "data": {"deviceId": "a"}},
    reading("a", "2026-01-01T00:00:00"),
    reading("a", "2026-01-01T00:00:00Z", subject="b"),
    {**reading("a", "2026-01-01T00:00:00Z"), "type": ""},
    {k: v for k, v in reading("a", "2026-01-01T00:00:00Z").items() if k != "type"},
])
def test_undecodable_or_invalid_records_fail_with_later_records_of_their_subject(
        stream: Stream, payload: Any) -> None:
    records = [stream.record(reading("a", "2026-01-01T00:00:00Z", id="1"), "a"),
               stream.record(payload, "a"),
               stream.record(reading("b", "2026-01-01T00:00:00Z", id="3"), "b"),
               stream.record(reading("a", "2026-01-01T00:02:00Z", id="4"), "a")]
    handle, ledger = Recorder(), FakeLedger()
    assert _run(records, handle, ledger, poison=[1]) == [1, 3]
    assert handle.batches == [["1", "3"]]
    assert ledger.claimed == ["1", "3"]


def test_a_record_without_data_is_malformed(stream: Stream) -> None:
    record = stream.record(reading("a", "2026-01-01T00:00:00Z"), "a")
    del record["kinesis"]["data"]
    assert _run([record], Recorder(), FakeLedger(), poison=[0]) == [0]


def test_events_of_other_processors_are_acknowledged_and_skipped(stream: Stream) -> None:
    records = [stream.record(registered("a", "s1", id="r"), "a"),
               stream.record(reading("a", "2026-01-01T00:00:00Z", id="1"), "a")]
    handle = Recorder()
    assert _run(records, handle, FakeLedger()) == []
    assert handle.batches == [["1"]]


def test_processor_failures_propagate_to_later_events_of_the_subject(stream: Stream) -> None:
    records = [stream.record(reading("a", f"2026-01-01T00:0{i}:00Z", id=f"a{i}"), "a") for i in range(3)]
    records.insert(1, stream.record(reading("b", "2026-01-01T00:00:00Z", id="b0"), "b"))
    handle, ledger = Recorder(fail=["a1"]), FakeLedger()
    assert _run(records, handle, ledger) == [2, 3]
    assert ledger.completed == ["a0", "b0"]
    assert ledger.released == ["a1", "a2"]


def test_idempotency_answers(stream: Stream) -> None:
    records = [stream.record(reading("a", "2026-01-01T00:00:00Z", id="done"), "a"),
               stream.record(reading("a", "2026-01-01T00:01:00Z", id="new"), "a"),
               stream.record(reading("b", "2026-01-01T00:00:00Z", id="busy"), "b"),
               stream.record(reading("b", "2026-01-01T00:01:00Z", id="after-busy"), "b"),
               stream.record(reading("c", "2026-01-01T00:00:00Z", id="store-down"), "c")]
    ledger = FakeLedger({"done": "done", "busy": "busy", "store-down": RuntimeError("throttled")})
    handle = Recorder()
    assert _run(records, handle, ledger) == [2, 3, 4]
    assert handle.batches == [["new"]]
    assert ledger.completed == ["new"]
    assert ledger.released == ["after-busy"]  # claimed, then blocked by its subject: released


def test_copies_inside_a_batch_follow_the_first(stream: Stream) -> None:
    first = reading("a", "2026-01-01T00:00:00Z", id="x")
    ok = [stream.record(first, "a"), stream.record(first, "a")]
    handle = Recorder()
    assert _run(ok, handle, FakeLedger()) == []
    assert handle.batches == [["x"]]
    failing = [stream.record(first, "a"), stream.record(first, "a")]
    assert _run(failing, Recorder(fail=["x"]), FakeLedger()) == [0, 1]


def test_all_records_failing_is_reported_record_by_record(stream: Stream) -> None:
    records = [stream.record(b"?", "a"), stream.record(b"?", "b")]
    assert _run(records, Recorder(), FakeLedger(), poison=[0, 1]) == [0, 1]


def test_empty_event_answers_no_failures() -> None:
    assert _runner(Recorder()).process({"Records": []}, None, FakeLedger()) == {"batchItemFailures": []}


def test_batch_fail_rejects_foreign_events(stream: Stream) -> None:
    from fleet.runtime.stream import Batch

    decoder = msgspec.json.Decoder()
    batch: Batch[Any] = Batch([], [])
    with pytest.raises(ValueError, match="not part of this batch"):
        batch.fail(decoder.decode(b'{"id": "1"}'), "nope")


def test_idempotency_is_keyed_on_source_and_id(stream: Stream) -> None:
    """CloudEvents identity is source + id: the same id from another source is another event,
    a copy needs both equal."""
    same_id = [reading("a", "2026-01-01T00:00:00Z", id="x"), reading("b", "2026-01-01T00:00:00Z", id="x"),
               reading("a", "2026-01-01T00:00:00Z", id="x")]
    same_id[1]["source"] = "urn:other"
    records = [stream.record(e, e["subject"]) for e in same_id]
    handle, ledger = Recorder(), FakeLedger({"urn:other/x": "done"})
    assert _run(records, handle, ledger) == []
    assert ledger.claimed == ["x", "urn:other/x"]  # the third record is a copy of the first
    assert handle.batches == [["x"]] and ledger.completed == ["x"]
    handle, ledger = Recorder(), FakeLedger()
    assert _run(records, handle, ledger) == []
    assert handle.batches == [["x", "x"]] and ledger.completed == ["x", "urn:other/x"]


def test_the_identity_key_is_unambiguous() -> None:
    from fleet.runtime.stream import identity

    assert identity("urn:a", "b") == '["urn:a","b"]'
    assert identity('a","b', "c") != identity("a", '","b","c')
    assert json.loads(identity("ü/\\", "1")) == ["ü/\\", "1"]
