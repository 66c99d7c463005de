"""The console's recorder: bounded, newest first, numbered for polling, safe across threads."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest

from generator.dev.apigw.response import RequestTrace
from generator.dev.console.recorder import Recorder
from generator.dev.kinesis.shard_reader import StreamRecord
from generator.dev.lambdas.observer import BatchEvent

ARRIVAL = datetime(2026, 1, 1, tzinfo=UTC)


def trace(n: int) -> RequestTrace:
    return RequestTrace.begin(f"req-{n}", "get", f"/api/things/{n}", {}, [], b"")


def batch(stream: str, first: int, count: int, outcome: str = "acknowledged") -> BatchEvent:
    records = tuple(
        StreamRecord("shardId-0", str(n), f"pk-{n}", f'{{"n": {n}}}'.encode(), ARRIVAL)
        for n in range(first, first + count)
    )
    return BatchEvent("fleet-local-apply", stream, "shardId-0", "batch-1", outcome, records,
                      reason="why" if outcome != "acknowledged" else "")


def recorder(**limits: int) -> Recorder:
    return Recorder({"fleet-local-apply": "apply"}, {"fleet-local-telemetry": "telemetry"}, **limits)


def test_requests_are_bounded_newest_first_and_polled_by_number() -> None:
    kept = recorder(max_requests=3)
    for n in range(5):
        kept.record_request(trace(n))
    summaries = kept.requests()
    assert [s["id"] for s in summaries] == ["req-4", "req-3", "req-2"]
    assert [s["method"] for s in summaries] == ["GET"] * 3
    assert kept.request("req-0") is None  # dropped: beyond the bound
    assert kept.request("req-4")["methodRequest"]["path"] == "/api/things/4"  # type: ignore[index]
    assert [s["id"] for s in kept.requests(since=summaries[1]["seq"])] == ["req-4"]
    assert kept.requests(since=kept.last_seq()) == []


def test_events_are_one_entry_per_record_bounded_per_stream_in_the_spec_s_names() -> None:
    kept = recorder(max_events=4)
    kept.record_batch(batch("fleet-local-telemetry", 1, 3))
    kept.record_batch(batch("fleet-local-telemetry", 4, 3, "retried"))
    kept.record_batch(batch("other-stream", 100, 2, "dlq"))
    telemetry = kept.events("telemetry")
    assert [e["sequenceNumber"] for e in telemetry] == ["6", "5", "4", "3"]  # bounded to 4
    first = telemetry[-1]
    assert first["processor"] == "apply" and first["stream"] == "telemetry"
    assert first["outcome"] == "acknowledged" and first["batchId"] == "batch-1"
    assert first["data"] == '{"n": 3}' and first["encoding"] == "utf-8"
    assert telemetry[0]["outcome"] == "retried" and telemetry[0]["reason"] == "why"
    # an unknown physical name is shown as it is; each stream has its own bound
    assert [e["sequenceNumber"] for e in kept.events("other-stream")] == ["101", "100"]
    assert len(kept.events()) == 6
    assert kept.events(since=kept.last_seq() - 1)[0]["sequenceNumber"] == "101"


def test_binary_data_is_shown_as_base64_and_an_outcome_can_be_overridden() -> None:
    kept = recorder()
    event = batch("fleet-local-telemetry", 1, 1)
    binary = BatchEvent(event.function_name, event.stream_name, "shardId-0", None, "dlq",
                        (StreamRecord("shardId-0", "9", "pk", b"\xff\xfe", ARRIVAL),))
    kept.record_batch(binary, "redriven")
    (entry,) = kept.events()
    assert entry["encoding"] == "base64" and entry["data"] == "//4="
    assert entry["outcome"] == "redriven"


def test_concurrent_observers_lose_nothing_and_stay_within_the_bounds() -> None:
    kept = recorder(max_requests=50, max_events=50)

    def work(worker: int) -> None:
        for n in range(100):
            kept.record_request(trace(worker * 1000 + n))
            kept.record_batch(batch("fleet-local-telemetry", worker * 1000 + n, 1))

    threads = [threading.Thread(target=work, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert kept.last_seq() == 8 * 100 * 2
    requests, events = kept.requests(), kept.events("telemetry")
    assert len(requests) == 50 and len(events) == 50
    numbers = [r["seq"] for r in requests] + [e["seq"] for e in events]
    assert len(set(numbers)) == 100


def test_a_recorder_keeps_at_least_one_of_each() -> None:
    with pytest.raises(ValueError):
        recorder(max_requests=0)
