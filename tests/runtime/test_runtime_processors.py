"""The reference processors through their generated entry modules, against moto in-process.

Each test drives `fleet.entry.<processor>.handler` with real Kinesis/EventBridge event shapes
and checks the tables afterwards: state changes, poison records, redelivery, late events,
per-subject order and the offline schedule.
"""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from typing import Any

import pytest
from msgspec import UNSET

from tests.runtime.conftest import FakeLambdaContext, Stream, heartbeat, reading, registered


def _handler(name: str) -> Any:
    import importlib

    return importlib.import_module(f"fleet.entry.{name}").handler


def _device(aws: Any, device_id: str) -> Any:
    from fleet.models import Device
    from fleet.runtime.marshal import from_item

    item = aws.get_item(TableName=os.environ["TABLE_DEVICES"], Key={"deviceId": {"S": device_id}},
                        ConsistentRead=True).get("Item")
    return None if item is None else from_item(item, Device)


def _readings(aws: Any, device_id: str) -> list[dict[str, Any]]:
    answer = aws.query(TableName=os.environ["TABLE_READINGS"], KeyConditionExpression="deviceId = :d",
                       ExpressionAttributeValues={":d": {"S": device_id}})
    return list(answer["Items"])


def _failed(response: dict[str, Any]) -> list[str]:
    return [f["itemIdentifier"] for f in response["batchItemFailures"]]


def _seq(record: dict[str, Any]) -> str:
    return str(record["kinesis"]["sequenceNumber"])


@pytest.fixture(autouse=True)
def _frozen_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """The processors' clock reads 2026-11-24T15:05:00Z (readings at 15:00 are recent)."""
    import datetime as dt

    from fleet.runtime import context

    monkeypatch.setattr(context, "utc_now", lambda: dt.datetime(2026, 11, 24, 15, 5, tzinfo=dt.UTC))


def test_readings_are_stored_and_move_the_device_forward(aws: Any, put_device: Any, stream: Stream,
                                                         lambda_context: FakeLambdaContext) -> None:
    put_device("d1", status="offline")
    event = stream.event(
        stream.record(reading("d1", "2026-11-24T14:58:00Z", temperature=20.25), "d1"),
        stream.record(reading("d1", "2026-11-24T15:00:00Z", temperature=0.1, humidity=None), "d1"),
        stream.record(heartbeat("d1", "2026-11-24T15:01:00Z", firmware="2.0.0"), "d1"),
    )
    assert _handler("apply_readings")(event, lambda_context) == {"batchItemFailures": []}
    device = _device(aws, "d1")
    assert device.status == "online"
    assert device.last_seen.isoformat() == "2026-11-24T15:01:00+00:00"
    assert device.firmware == "2.0.0"
    assert device.last_reading.time.isoformat() == "2026-11-24T15:00:00+00:00"
    assert device.last_reading.temperature == Decimal("0.1")  # exact, not 0.1000000000000000055
    assert device.last_reading.humidity is None
    stored = {r["time"]["S"]: r for r in _readings(aws, "d1")}
    assert sorted(stored) == ["2026-11-24T14:58:00Z", "2026-11-24T15:00:00Z"]
    assert stored["2026-11-24T14:58:00Z"]["temperature"] == {"N": "20.25"}
    # TTL: 30 days after the reading's own time
    ttl = dt.datetime(2026, 11, 24, 14, 58, tzinfo=dt.UTC) + dt.timedelta(days=30)
    assert stored["2026-11-24T14:58:00Z"]["expiresAt"] == {"N": str(int(ttl.timestamp()))}


def test_poison_record_is_reported_and_the_rest_applied(aws: Any, put_device: Any, stream: Stream,
                                                        lambda_context: FakeLambdaContext) -> None:
    put_device("d1")
    put_device("d2")
    good1 = stream.record(reading("d1", "2026-11-24T15:00:00Z"), "d1")
    not_json = stream.record(b"{not json", "d2")
    invalid = stream.record(reading("d1", "2026-11-24T15:01:00Z", battery=101), "d1")  # max 100
    after_poison = stream.record(reading("d1", "2026-11-24T15:02:00Z"), "d1")  # same subject, later
    good2 = stream.record(reading("d2", "2026-11-24T15:00:00Z"), "d2")  # d2 after its poison too
    other = stream.record(reading("d3", "2026-11-24T15:00:00Z"), "d3")  # d3 is not registered
    from fleet.runtime.stream import PoisonRecords

    # Records that can never be applied fail the invocation, so that Lambda bisects the batch
    # and dead-letters them alone; everything else was applied (or reported) first.
    with pytest.raises(PoisonRecords) as raised:
        _handler("apply_readings")(stream.event(good1, not_json, invalid, after_poison, good2, other),
                                   lambda_context)
    assert _failed(raised.value.response) == [_seq(r) for r in (not_json, invalid, after_poison, good2, other)]
    assert [_seq(raised.value.outcome.records[i]) for i in raised.value.outcome.poison] == [
        _seq(not_json), _seq(invalid)]
    assert [r["time"]["S"] for r in _readings(aws, "d1")] == ["2026-11-24T15:00:00Z"]
    assert _device(aws, "d1").last_seen.isoformat() == "2026-11-24T15:00:00+00:00"
    assert _readings(aws, "d2") == []  # its record came after the undecodable one of d2
    assert _readings(aws, "d3") == []


def test_the_same_batch_delivered_twice_applies_once(aws: Any, put_device: Any, stream: Stream,
                                                     lambda_context: FakeLambdaContext,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import fleet.entry.apply_readings as entry

    put_device("d1")
    event = stream.event(stream.record(reading("d1", "2026-11-24T15:00:00Z", id="e-1"), "d1"),
                         stream.record(reading("d1", "2026-11-24T15:00:30Z", id="e-2"), "d1"))
    seen: list[list[str]] = []
    real = entry.RUNNER.handle

    def spy(batch: Any, ctx: Any) -> None:
        seen.append([e.id for e in batch])
        real(batch, ctx)

    monkeypatch.setattr(entry.RUNNER, "handle", spy)
    assert _failed(entry.handler(event, lambda_context)) == []
    # Make a re-application visible: rewind the device; applying again would move it forward.
    aws.update_item(TableName=os.environ["TABLE_DEVICES"], Key={"deviceId": {"S": "d1"}},
                    UpdateExpression="REMOVE lastSeen, lastReading")
    assert _failed(entry.handler(event, lambda_context)) == []
    assert seen == [["e-1", "e-2"]]  # the second delivery handed nothing to the processor

    device = _device(aws, "d1")
    assert device.last_seen is UNSET and device.last_reading is UNSET


def test_the_same_id_from_two_sources_is_applied_twice_and_a_copy_once(
        aws: Any, put_device: Any, stream: Stream, lambda_context: FakeLambdaContext) -> None:
    """Idempotency on the CloudEvents identity (source + id) with the deployed ledger."""
    put_device("d1")
    first = reading("d1", "2026-11-24T15:00:00Z", id="reading-1")
    other = {**reading("d1", "2026-11-24T15:00:30Z", id="reading-1"), "source": "urn:fleet:gateway-2"}
    handler = _handler("apply_readings")
    for event in (first, other, first, other):  # the second round is redelivery
        assert _failed(handler(stream.event(stream.record(event, "d1")), lambda_context)) == []
    assert [r["time"]["S"] for r in _readings(aws, "d1")] == ["2026-11-24T15:00:00Z", "2026-11-24T15:00:30Z"]
    keys = [i["id"]["S"] for i in aws.scan(TableName=os.environ["IDEMPOTENCY_TABLE"])["Items"]]
    assert len(keys) == 2 and all(k.startswith("fleet-test-fn.apply_readings#") for k in keys)


def test_records_keyed_on_the_id_alone_are_not_consulted(
        aws: Any, put_device: Any, stream: Stream, lambda_context: FakeLambdaContext) -> None:
    """Records written before idempotency was keyed on source + id (same table and format, the
    hash of the id alone) are never read again and expire on their TTL: an event delivered
    before the upgrade and again after it is applied again (documented in runtime-contract)."""
    from fleet.runtime.idempotency import BatchLedger

    put_device("d1")
    old = BatchLedger(os.environ["IDEMPOTENCY_TABLE"], "apply_readings", 3600, client=aws)
    assert old.claim(["reading-1"], 30_000) == ["new"] and old.complete(["reading-1"]) == []
    event = reading("d1", "2026-11-24T15:00:00Z", id="reading-1")
    assert _failed(_handler("apply_readings")(stream.event(stream.record(event, "d1")), lambda_context)) == []
    assert len(_readings(aws, "d1")) == 1


def test_a_failed_batch_is_applied_on_redelivery(aws: Any, put_device: Any, stream: Stream,
                                                 lambda_context: FakeLambdaContext) -> None:
    """Events that failed are released in the idempotency table, so the retry applies them."""
    event = stream.event(stream.record(reading("d9", "2026-11-24T15:00:00Z", id="late-device"), "d9"))
    handler = _handler("apply_readings")
    assert len(_failed(handler(event, lambda_context))) == 1  # d9 not registered yet
    put_device("d9")
    assert _failed(handler(event, lambda_context)) == []
    assert _device(aws, "d9").last_seen is not None


def test_late_readings_do_not_regress_state(aws: Any, put_device: Any, stream: Stream,
                                            lambda_context: FakeLambdaContext) -> None:
    put_device("d1")
    handler = _handler("apply_readings")
    handler(stream.event(stream.record(reading("d1", "2026-11-24T15:00:00Z", temperature=5), "d1"),
                         stream.record(heartbeat("d1", "2026-11-24T15:03:00Z"), "d1")), lambda_context)
    late = stream.event(stream.record(reading("d1", "2026-11-24T14:00:00Z", temperature=99), "d1"),
                        stream.record(heartbeat("d1", "2026-11-24T14:30:00Z", firmware="0.9"), "d1"))
    assert _failed(handler(late, lambda_context)) == []
    device = _device(aws, "d1")
    assert device.last_seen.isoformat() == "2026-11-24T15:03:00+00:00"
    assert device.last_reading.temperature == Decimal("5")
    assert device.firmware is not None and device.firmware != "0.9"
    assert len(_readings(aws, "d1")) == 2  # the late reading is still stored in history
    # A reading older than lastSeen but newer than lastReading updates only lastReading.
    between = stream.event(stream.record(reading("d1", "2026-11-24T15:02:00Z", temperature=7), "d1"))
    handler(between, lambda_context)
    device = _device(aws, "d1")
    assert device.last_reading.temperature == Decimal("7")
    assert device.last_seen.isoformat() == "2026-11-24T15:03:00+00:00"


def test_a_future_dated_event_never_pins_device_state(aws: Any, put_device: Any, stream: Stream,
                                                     lambda_context: FakeLambdaContext) -> None:
    """The clock reads 15:05; events more than 5 minutes ahead of it move no state (#11 M1)."""
    put_device("d1", status="offline")
    handler = _handler("apply_readings")
    future = [reading("d1", "2100-01-01T00:00:00Z", temperature=1), reading("d1", "9999-12-31T00:00:00Z"),
              heartbeat("d1", "2100-01-01T00:00:00Z", firmware="6.6.6")]
    assert _failed(handler(stream.event(*[stream.record(e, "d1") for e in future]), lambda_context)) == []
    device = _device(aws, "d1")
    assert (device.status, device.last_seen, device.last_reading, device.firmware) == (
        "offline", UNSET, UNSET, UNSET)
    # The readings are kept, expiring as if taken at the latest trusted time (no overflow, no 2100).
    latest = dt.datetime(2026, 11, 24, 15, 10, tzinfo=dt.UTC) + dt.timedelta(days=30)
    assert {r["expiresAt"]["N"] for r in _readings(aws, "d1")} == {str(int(latest.timestamp()))}
    # Real readings win, a skewed clock within the tolerance included.
    assert _failed(handler(stream.event(stream.record(reading("d1", "2026-11-24T15:04:00Z"), "d1")),
                           lambda_context)) == []
    assert _device(aws, "d1").last_seen.isoformat() == "2026-11-24T15:04:00+00:00"
    assert _device(aws, "d1").status == "online"
    assert _failed(handler(stream.event(stream.record(reading("d1", "2026-11-24T15:09:00Z"), "d1")),
                           lambda_context)) == []
    device = _device(aws, "d1")
    assert device.last_seen.isoformat() == device.last_reading.time.isoformat() == "2026-11-24T15:09:00+00:00"
    # And the device goes offline once it is silent.
    _handler("mark_offline")(_tick("2026-11-24T15:20:00Z"), lambda_context)
    assert _device(aws, "d1").status == "offline"


def test_the_processors_trust_what_the_specs_max_future_lets_the_api_accept(
        aws: Any, put_device: Any, stream: Stream, lambda_context: FakeLambdaContext,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The tolerance is the spec's `max_future` (the generated class variable), not a constant
    of the processors: with `max_future: 1h` a reading 30 minutes ahead (which the API accepted)
    moves the device; with the guard off (`null`) the processors keep their 5 minutes."""
    from fleet.events import DeviceHeartbeatEvent, ReadingRecordedEvent

    assert ReadingRecordedEvent.max_future == dt.timedelta(minutes=5)  # spec/model.yaml says 5m
    handler = _handler("apply_readings")
    put_device("d1", status="offline")
    monkeypatch.setattr(ReadingRecordedEvent, "max_future", dt.timedelta(hours=1))
    monkeypatch.setattr(DeviceHeartbeatEvent, "max_future", dt.timedelta(hours=1))
    assert _failed(handler(stream.event(stream.record(reading("d1", "2026-11-24T15:35:00Z"), "d1")),
                           lambda_context)) == []
    assert _device(aws, "d1").last_seen.isoformat() == "2026-11-24T15:35:00+00:00"
    put_device("d2", status="offline")
    monkeypatch.setattr(ReadingRecordedEvent, "max_future", None)
    monkeypatch.setattr(DeviceHeartbeatEvent, "max_future", None)
    assert _failed(handler(stream.event(stream.record(reading("d2", "2026-11-24T15:35:00Z"), "d2"),
                                        stream.record(reading("d2", "2026-11-24T15:09:00Z"), "d2")),
                           lambda_context)) == []
    assert _device(aws, "d2").last_seen.isoformat() == "2026-11-24T15:09:00+00:00"


def test_each_function_keys_its_idempotency_records_with_its_own_name(
        aws: Any, put_device: Any, stream: Stream, monkeypatch: pytest.MonkeyPatch) -> None:
    """The invocation's function name (per function in gen dev, where the environment is shared
    by all) starts the keys, as AWS_LAMBDA_FUNCTION_NAME does in Lambda."""
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "shared-by-every-function")
    put_device("d1")
    context = FakeLambdaContext(function_name="fleet-local-apply-readings")
    record = stream.record(reading("d1", "2026-11-24T15:01:00Z"), "d1")
    assert _failed(_handler("apply_readings")(stream.event(record), context)) == []
    ids = [i["id"]["S"] for i in aws.scan(TableName=os.environ["IDEMPOTENCY_TABLE"])["Items"]]
    assert ids and all(i.startswith("fleet-local-apply-readings.apply_readings#") for i in ids)


def test_a_state_pinned_before_the_rule_is_overwritten_by_real_readings(
        aws: Any, put_device: Any, stream: Stream, lambda_context: FakeLambdaContext) -> None:
    pinned = {"time": "2100-01-01T00:00:00Z", "temperature": Decimal(1), "humidity": None, "battery": 5}
    put_device("d1", lastSeen="2100-01-01T00:00:00Z", lastReading=pinned)
    event = stream.event(stream.record(reading("d1", "2026-11-24T15:01:00Z", temperature=3), "d1"))
    assert _failed(_handler("apply_readings")(event, lambda_context)) == []
    device = _device(aws, "d1")
    assert device.last_seen.isoformat() == "2026-11-24T15:01:00+00:00"
    assert device.last_reading.temperature == Decimal(3)


def test_a_future_dated_registration_does_not_set_registered_at(
        aws: Any, stream: Stream, lambda_context: FakeLambdaContext) -> None:
    event = registered("d1", "site-a", time="2100-01-01T00:00:00Z")
    assert _failed(_handler("register_devices")(stream.event(stream.record(event, "d1")), lambda_context)) == []
    assert _device(aws, "d1").registered_at.isoformat() == "2026-11-24T15:05:00+00:00"


def test_a_registration_dynamodb_refuses_is_poison_and_the_others_are_registered(
        aws: Any, stream: Stream, lambda_context: FakeLambdaContext) -> None:
    from fleet.runtime.stream import PoisonRecords

    events = [registered("d1", "site-a"), registered("big", "site-a", name="x" * 450_000),
              registered("d2", "site-b")]  # the item would exceed DynamoDB's 400 KB
    records = [stream.record(e, e["subject"]) for e in events]
    # since #11 M3 the payload's maxLength refuses it when decoded, before DynamoDB would
    with pytest.raises(PoisonRecords, match="ValidationException|length <= 256") as raised:
        _handler("register_devices")(stream.event(*records), lambda_context)
    assert raised.value.outcome.poison == [1] and sorted(raised.value.outcome.failed) == [1]
    assert _device(aws, "d1") is not None and _device(aws, "d2") is not None
    item = aws.get_item(TableName=os.environ["TABLE_DEVICES"], Key={"deviceId": {"S": "big"}}).get("Item", {})
    assert "name" not in item  # (moto may keep a partial item where DynamoDB keeps none)


def _tick(time: str) -> dict[str, Any]:
    return {"version": "0", "id": "tick", "detail-type": "Scheduled Event", "source": "aws.events",
            "account": "123456789012", "time": time, "region": "us-east-1",
            "resources": ["arn:aws:events:us-east-1:123456789012:rule/fleet-test-mark-offline"], "detail": {}}


def test_devices_written_meanwhile_are_read_again_and_replanned(
        aws: Any, put_device: Any, stream: Stream, lambda_context: FakeLambdaContext,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Between the processor's read and its update, another writer moves d1 on and deletes d2."""
    from fleet.tables import DevicesTable

    for device_id in ("d1", "d2", "d3"):
        put_device(device_id, status="offline")
    rounds: list[list[str]] = []
    real = DevicesTable.update_each

    def meanwhile(self: Any, changes: Any) -> list[bool]:
        changes = list(changes)
        rounds.append([c[0] for c in changes])
        if len(rounds) == 1:
            put_device("d1", status="offline", lastSeen="2026-11-24T15:02:00Z")
            aws.delete_item(TableName=os.environ["TABLE_DEVICES"], Key={"deviceId": {"S": "d2"}})
        return real(self, changes)

    monkeypatch.setattr(DevicesTable, "update_each", meanwhile)
    records = [stream.record(reading(d, "2026-11-24T15:01:00Z"), d) for d in ("d1", "d2", "d3")]
    records.append(stream.record(reading("d1", "2026-11-24T15:04:00Z", temperature=3), "d1"))
    response = _handler("apply_readings")(stream.event(*records), lambda_context)
    assert rounds == [["d1", "d2", "d3"], ["d1"]]  # d3 applied at once, d1 again, d2 is gone
    assert _failed(response) == [_seq(records[1])]
    d1 = _device(aws, "d1")
    assert d1.last_seen.isoformat() == "2026-11-24T15:04:00+00:00" and d1.status == "online"
    assert d1.last_reading.temperature == Decimal("3")
    assert _device(aws, "d3").status == "online"
    assert _device(aws, "d2") is None


def test_an_old_reading_does_not_set_an_offline_device_online(aws: Any, put_device: Any, stream: Stream,
                                                               lambda_context: FakeLambdaContext) -> None:
    put_device("d1", status="offline")
    _handler("apply_readings")(stream.event(stream.record(reading("d1", "2026-11-24T12:00:00Z"), "d1")),
                               lambda_context)
    device = _device(aws, "d1")
    assert device.status == "offline"
    assert device.last_seen.isoformat() == "2026-11-24T12:00:00+00:00"


def test_registration_creates_devices_and_missing_sites(aws: Any, put_device: Any, stream: Stream,
                                                        lambda_context: FakeLambdaContext) -> None:
    from fleet.runtime.marshal import to_attr

    aws.put_item(TableName=os.environ["TABLE_SITES"], Item={k: to_attr(v) for k, v in {
        "siteId": "site-zrh", "name": "Zürich", "timezone": "Europe/Zurich"}.items()})
    put_device("d2", site="site-old", status="online", lastSeen="2026-11-24T15:00:00Z")
    event = stream.event(
        stream.record(registered("d1", "site-zrh", tags={"floor": "1"}, time="2026-11-24T10:00:00Z"), "d1"),
        stream.record(registered("d2", "site-new", name="Renamed", firmware="1.1"), "d2"),
        stream.record(registered("d1", "site-zrh", name="Cold room 1b"), "d1"),
        stream.record(reading("d1", "2026-11-24T15:00:00Z"), "d1"),  # not this processor's event
    )
    assert _failed(_handler("register_devices")(event, lambda_context)) == []
    d1, d2 = _device(aws, "d1"), _device(aws, "d2")
    assert (d1.name, d1.site_id, d1.status, d1.tags) == ("Cold room 1b", "site-zrh", "unknown", {"floor": "1"})
    assert d1.registered_at.isoformat() == "2026-11-24T10:00:00+00:00"
    assert (d2.name, d2.site_id, d2.status, d2.firmware) == ("Renamed", "site-new", "online", "1.1")
    assert d2.last_seen.isoformat() == "2026-11-24T15:00:00+00:00"  # state kept
    sites = {i["siteId"]["S"]: i for i in aws.scan(TableName=os.environ["TABLE_SITES"])["Items"]}
    assert sites["site-zrh"]["name"] == {"S": "Zürich"}  # an existing site is left alone
    assert sites["site-new"]["timezone"] == {"S": "UTC"}
    devices_of = aws.query(TableName=os.environ["TABLE_DEVICES"], IndexName="bySite",
                           KeyConditionExpression="siteId = :s",
                           ExpressionAttributeValues={":s": {"S": "site-new"}})["Items"]
    assert [i["deviceId"]["S"] for i in devices_of] == ["d2"]


def test_mark_offline_marks_exactly_the_silent_online_devices(aws: Any, put_device: Any,
                                                               lambda_context: FakeLambdaContext,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    import handwritten.processors.mark_offline as impl

    monkeypatch.setattr(impl, "PAGE_SIZE", 7)  # force many Scan pages
    expected_offline = set()
    for i in range(40):
        minutes = i  # lastSeen i minutes before the tick at 15:30; threshold is 10 minutes
        seen = f"2026-11-24T15:{30 - minutes:02d}:00Z" if minutes <= 30 else "2026-11-24T14:59:00Z"
        status = "offline" if i % 5 == 0 else "online"
        put_device(f"d{i:02d}", status=status, lastSeen=seen)
        if status == "online" and minutes > 10:
            expected_offline.add(f"d{i:02d}")
    put_device("never-seen", status="online")  # online without lastSeen: silent forever
    put_device("null-seen", status="online", lastSeen=None)
    put_device("unknown", status="unknown")
    put_device("fraction", status="online", lastSeen="2026-11-24T15:19:59.500000Z")  # 10m0.5s silent
    put_device("fresh-fraction", status="online", lastSeen="2026-11-24T15:20:00.500000Z")
    # lastSeen further ahead of the tick than the 5-minute tolerance tells nothing: silent.
    put_device("pinned", status="online", lastSeen="2100-01-01T00:00:00Z")
    put_device("ahead-fraction", status="online", lastSeen="2026-11-24T15:35:00.500000Z")
    put_device("skewed", status="online", lastSeen="2026-11-24T15:35:00Z")  # within tolerance
    expected_offline |= {"never-seen", "null-seen", "fraction", "pinned", "ahead-fraction"}
    tick = {"version": "0", "id": "tick-1", "detail-type": "Scheduled Event", "source": "aws.events",
            "account": "123456789012", "time": "2026-11-24T15:30:00Z", "region": "us-east-1",
            "resources": ["arn:aws:events:us-east-1:123456789012:rule/fleet-test-mark-offline"], "detail": {}}
    _handler("mark_offline")(tick, lambda_context)
    items = aws.scan(TableName=os.environ["TABLE_DEVICES"])["Items"]
    offline_now = {i["deviceId"]["S"] for i in items if i["status"]["S"] == "offline"}
    was_offline = {f"d{i:02d}" for i in range(40) if i % 5 == 0}
    assert offline_now - was_offline == expected_offline
    assert {i["deviceId"]["S"]: i["status"]["S"] for i in items}["unknown"] == "unknown"


def test_mark_offline_rejects_an_event_that_is_not_a_tick(aws: Any, lambda_context: FakeLambdaContext) -> None:
    with pytest.raises(ValueError, match="not a scheduled event"):
        _handler("mark_offline")({"detail-type": "Scheduled Event"}, lambda_context)


def test_a_processor_raising_on_everything_applies_nothing_and_fails_the_invocation(
        aws: Any, put_device: Any, stream: Stream, lambda_context: FakeLambdaContext,
        monkeypatch: pytest.MonkeyPatch) -> None:
    import fleet.entry.apply_readings as entry
    from fleet.runtime.stream import PoisonRecords

    put_device("d1")

    def broken(batch: Any, ctx: Any) -> None:
        raise RuntimeError("boom")

    real = entry.RUNNER.handle
    monkeypatch.setattr(entry.RUNNER, "handle", broken)
    records = [stream.record(reading("d1", f"2026-11-24T15:0{i}:00Z"), "d1") for i in range(3)]
    with pytest.raises(PoisonRecords, match="boom") as raised:
        entry.handler(stream.event(*records), lambda_context)
    assert _failed(raised.value.response) == [_seq(r) for r in records]
    assert raised.value.outcome.poison == [0]  # the later events of d1 are not run after it
    monkeypatch.setattr(entry.RUNNER, "handle", real)
    # Nothing was recorded as done: the retry applies the events.
    assert _failed(entry.handler(stream.event(*records), lambda_context)) == []
    assert _device(aws, "d1").last_seen.isoformat() == "2026-11-24T15:02:00+00:00"


def test_failures_are_logged_as_json_with_their_sequence_number_and_counted_in_emf(
        aws: Any, put_device: Any, stream: Stream, lambda_context: FakeLambdaContext,
        capsys: pytest.CaptureFixture[str]) -> None:
    import io
    import json
    import logging

    from fleet.runtime.observe import telemetry

    logs = io.StringIO()  # Powertools keeps the stdout of the first Logger; read ours directly
    for handler in logging.getLogger(telemetry("fleet", "apply_readings").logger.name).handlers:
        handler.setStream(logs)  # type: ignore[attr-defined]
    put_device("d1")
    poison = stream.record(b"\x00not json", "d1")
    good = stream.record(reading("d2", "2026-11-24T15:00:00Z"), "d2")  # d2 unknown: fails too
    from fleet.runtime.stream import PoisonRecords

    with pytest.raises(PoisonRecords):
        _handler("apply_readings")(stream.event(poison, good), lambda_context)
    output = logs.getvalue() + capsys.readouterr().out  # logs, then EMF (printed)
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    failures = [line for line in lines if line.get("message") == "record failed"]
    assert [f["sequence_number"] for f in failures] == [_seq(poison), _seq(good)]
    assert failures[0]["level"] == "ERROR" and failures[0]["service"] == "fleet"
    assert failures[0]["processor"] == "apply_readings"
    assert failures[0]["function_request_id"] == lambda_context.aws_request_id
    assert "invalid record" in failures[0]["reason"]
    emf = [line for line in lines if "_aws" in line and "RecordsFailed" in line]
    assert emf and emf[0]["RecordsFailed"] == [2.0] and emf[0]["processor"] == "apply_readings"
    assert emf[0]["RecordsPoison"] == [1.0]  # the metric the generated alarm watches
    assert emf[0]["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "fleet"
