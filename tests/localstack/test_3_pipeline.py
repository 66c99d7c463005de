"""The pipeline of the running stack: API -> Kinesis -> pollers -> generated handlers -> handwritten
processors -> DynamoDB -> API; the dead-letter queues, the data lake and the scheduler.

The tests read results where a user would (the API, the DLQ in SQS, the objects in S3) and count
deliveries with the stack's own `/_local/status` counters.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import re
import time
from datetime import UTC, datetime
from typing import Any

import pytest

from generator.dev.stack import RunningStack
from handwritten.fleet_rules import OFFLINE_AFTER
from tests.localstack.support import (
    Http,
    drain,
    envelope,
    eventually,
    now_iso,
    read_queue,
    reading,
    registered,
    unique,
)

pytestmark = pytest.mark.slow


def _status(http: Http) -> dict[str, Any]:
    answer = http.get("/_local/status")
    assert answer.status == 200
    status: dict[str, Any] = answer.json
    return status


def _acknowledged(http: Http, processor: str) -> int:
    return int(_status(http)["processors"][processor]["invocations"]["acknowledged"])


def _register(http: Http, device_ids: list[str], site: str = "site-zrh") -> None:
    answer = http.post("/api/events", body=[registered(d, site) for d in device_ids])
    assert answer.status == 202 and answer.json["failed"] == 0, answer.text
    for device_id in device_ids:
        eventually(lambda d=device_id: http.get(f"/api/devices/{d}").status == 200, 5)  # type: ignore[misc]


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_posted_events_are_visible_within_2_seconds(http: Http) -> None:
    device_id = unique("vis")
    taken = now_iso()
    events = [registered(device_id, "site-osl", name="Visible"),
              reading(device_id, taken, temperature=4.25, battery=77, humidity=40.5)]
    started = time.monotonic()
    answer = http.post("/api/events", body=events)
    assert answer.status == 202 and answer.json["failed"] == 0

    def applied() -> dict[str, Any] | None:
        device = http.get(f"/api/devices/{device_id}")
        return device.json if device.status == 200 and device.json.get("lastReading") else None

    device = eventually(applied, 2.0)
    elapsed = time.monotonic() - started
    assert elapsed < 2.0
    assert device["name"] == "Visible" and device["siteId"] == "site-osl"
    assert device["status"] == "online"
    assert device["lastSeen"] == taken
    assert device["lastReading"] == {"time": taken, "temperature": 4.25, "humidity": 40.5, "battery": 77}
    readings = http.get(f"/api/devices/{device_id}/readings").json["items"]
    assert [(r["time"], r["temperature"]) for r in readings] == [(taken, 4.25)]
    site_devices = http.get("/api/sites/site-osl/devices", params={"limit": "100"}).json["items"]
    assert device_id in {d["deviceId"] for d in site_devices}


def _dlq_event_ids(bodies: list[dict[str, Any]]) -> list[str]:
    ids = []
    for body in bodies:
        for record in body.get("records", []):
            data = base64.b64decode(record["kinesis"]["data"])
            try:
                document = json.loads(data)
            except ValueError:
                continue
            if isinstance(document, dict) and isinstance(document.get("id"), str):
                ids.append(document["id"])
    return ids


def test_poison_events_land_in_the_dlq_and_the_rest_is_applied(
    http: Http, stack: RunningStack, kinesis: Any, sqs: Any
) -> None:
    good = unique("good")
    ghost = unique("ghost")  # never registered: apply_readings fails it until it gives up
    times = [now_iso(-3), now_iso(-2), now_iso(-1)]
    events = [registered(good, "site-bos")]
    events += [reading(good, t, temperature=5.0 + i, battery=60) for i, t in enumerate(times)]
    poison = reading(ghost, now_iso(), temperature=1.0)
    events.insert(2, poison)
    assert http.post("/api/events", body=events).json["failed"] == 0
    # A producer writing to the stream directly can also send what the API would refuse.
    malformed = envelope("reading.recorded", ghost + "-raw", {"deviceId": ghost, "battery": "full"})
    kinesis.put_record(StreamName=stack.names.streams["telemetry"], Data=json.dumps(malformed).encode(),
                       PartitionKey=malformed["subject"])

    def applied() -> bool:
        readings = http.get(f"/api/devices/{good}/readings").json["items"]
        return len(readings) == 3

    eventually(applied, 5)
    queue = _status(http)["processors"]["apply_readings"]["dlq"]["url"]

    def dead() -> list[str] | None:
        ids = _dlq_event_ids(read_queue(sqs, queue))
        return ids if poison["id"] in ids and malformed["id"] in ids else None

    eventually(dead, 15, interval=0.25)
    device = http.get(f"/api/devices/{good}").json
    assert device["lastReading"]["time"] == times[-1]
    assert http.get(f"/api/devices/{ghost}").status == 404
    # Lambda's on-failure record says why the batch was discarded.
    bodies = read_queue(sqs, queue)
    conditions = {b["requestContext"]["condition"] for b in bodies if poison["id"] in _dlq_event_ids([b])}
    assert conditions == {"RetryAttemptsExhausted"}


def test_a_record_the_processor_raises_on_goes_alone_to_the_dlq_and_the_rest_is_applied(
    http: Http, stack: RunningStack, kinesis: Any, sqs: Any
) -> None:
    """#11 H2: register_devices raises on a registration DynamoDB refuses (over 400 KB). The
    runtime applies the rest of the batch and fails the invocation; the pollers bisect as
    Lambda does, so only that record reaches the DLQ; the device's next registration works."""
    site = unique("site-poison")
    devices = [unique("iso") for _ in range(6)]
    big = unique("big")
    culprit = registered(big, site, name="x" * 450_000)
    events = [registered(d, site) for d in devices[:3]] + [culprit] + [registered(d, site) for d in devices[3:]]
    before = _status(http)["processors"]["register_devices"]
    stream = stack.names.streams["telemetry"]
    shard_key = str(int(hashlib.md5(big.encode()).hexdigest(), 16))  # one shard: one batch

    def put(batch: list[dict[str, Any]]) -> None:
        answer = kinesis.put_records(StreamName=stream, Records=[
            {"Data": json.dumps(e).encode(), "PartitionKey": e["subject"], "ExplicitHashKey": shard_key}
            for e in batch])
        assert answer["FailedRecordCount"] == 0

    put(events)
    queue = _status(http)["processors"]["register_devices"]["dlq"]["url"]

    def dead() -> list[dict[str, Any]] | None:
        bodies = [b for b in read_queue(sqs, queue) if culprit["id"] in _dlq_event_ids([b])]
        return bodies or None

    (body,) = eventually(dead, 30, interval=0.25)
    assert _dlq_event_ids([body]) == [culprit["id"]]  # alone
    assert body["responseContext"]["functionError"] == "Unhandled"
    for device_id in devices:
        assert http.get(f"/api/devices/{device_id}").json["siteId"] == site
    ours = {e["id"] for e in events}
    assert {i for i in _dlq_event_ids(read_queue(sqs, queue)) if i in ours} == {culprit["id"]}
    after = _status(http)["processors"]["register_devices"]
    assert after["bisects"] > before["bisects"]
    assert after["invocations"]["errors"] > before["invocations"]["errors"]
    put([registered(big, site, name="Fixed")])
    eventually(lambda: http.get(f"/api/devices/{big}").json.get("name") == "Fixed", 10, interval=0.1)


def test_the_same_id_from_two_sources_is_two_events(http: Http) -> None:
    """#11 M2: idempotency on CloudEvents identity (source + id), through the API."""
    device_id = unique("src")
    _register(http, [device_id])
    first = reading(device_id, now_iso(-2), temperature=1.0)
    second = {**reading(device_id, now_iso(-1), temperature=2.0), "id": first["id"], "source": "urn:gateway-2"}
    assert http.post("/api/events", body=[first, second]).json["failed"] == 0

    def both() -> list[Any] | None:
        items = http.get(f"/api/devices/{device_id}/readings").json["items"]
        return items if len(items) == 2 else None

    assert sorted(r["temperature"] for r in eventually(both, 5)) == [1.0, 2.0]


def test_a_future_dated_reading_does_not_pin_the_device(http: Http, stack: RunningStack, kinesis: Any) -> None:
    """#11 M1 (processor half): a reading dated 2100 (straight onto the stream, as a producer
    with a broken clock would write it) never keeps later real readings from winning."""
    device_id = unique("future")
    _register(http, [device_id])
    future = reading(device_id, "2100-01-01T00:00:00Z", temperature=99.0)
    kinesis.put_record(StreamName=stack.names.streams["telemetry"], Data=json.dumps(future).encode(),
                       PartitionKey=device_id)
    eventually(lambda: len(http.get(f"/api/devices/{device_id}/readings").json["items"]) == 1, 5)
    taken = now_iso()
    assert http.post("/api/events", body=[reading(device_id, taken, temperature=4.0)]).json["failed"] == 0

    def applied() -> dict[str, Any] | None:
        device = http.get(f"/api/devices/{device_id}").json
        return device if device.get("lastSeen") == taken else None

    device = eventually(applied, 5)
    assert device["lastReading"]["temperature"] == 4.0 and device["status"] == "online"


def test_stopping_the_pollers_mid_stream_loses_nothing_and_repeats_nothing(
    http: Http, quiet: None
) -> None:
    devices = [unique("stop") for _ in range(4)]
    _register(http, devices)
    base = _acknowledged(http, "apply_readings")
    start = datetime.now(UTC).replace(microsecond=0).timestamp()
    batches = []
    for b in range(6):
        batch = []
        for i in range(100):
            n = b * 100 + i
            moment = datetime.fromtimestamp(start - 3600 + n, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            batch.append(reading(devices[n % 4], moment, temperature=round(n / 10, 1), battery=n % 101))
        batches.append(batch)
    for batch in batches[:3]:
        assert http.post("/api/events", body=batch).json["failed"] == 0
    eventually(lambda: _acknowledged(http, "apply_readings") > base, 5, interval=0.005)
    stopped = http.post("/_local/pollers/stop").json["stopped"]
    assert sorted(stopped) == ["apply_readings", "register_devices"]
    status = _status(http)
    assert not status["processors"]["apply_readings"]["running"]
    for batch in batches[3:]:  # the stream keeps filling while nobody reads it
        assert http.post("/api/events", body=batch).json["failed"] == 0
    paused = _acknowledged(http, "apply_readings")
    assert base < paused < base + 600, "the pollers were not stopped mid-stream"
    time.sleep(0.3)
    assert _acknowledged(http, "apply_readings") == paused, "a stopped poller delivered"
    assert _status(http)["processors"]["apply_readings"]["lag"] > 0
    assert sorted(http.post("/_local/pollers/start").json["started"]) == ["apply_readings", "register_devices"]
    assert drain(http, 30), "the pollers did not settle"
    assert _acknowledged(http, "apply_readings") == base + 600, "records lost or delivered twice"
    assert _status(http)["processors"]["apply_readings"]["lag"] == 0
    sent = [e for batch in batches for e in batch]
    for device_id in devices:
        mine = sorted((e["data"] for e in sent if e["subject"] == device_id), key=lambda d: d["time"])
        items: list[dict[str, Any]] = []
        cursor = None
        while True:
            params = {"limit": "100", **({"cursor": cursor} if cursor else {})}
            page = http.get(f"/api/devices/{device_id}/readings", params=params).json
            items += page["items"]
            cursor = page["next"]
            if cursor is None:
                break
        assert [(r["time"], r["temperature"]) for r in reversed(items)] == [
            (d["time"], d["temperature"]) for d in mine]
        device = http.get(f"/api/devices/{device_id}").json
        assert device["lastReading"]["time"] == mine[-1]["time"]


KEY = re.compile(
    r"telemetry/year=(\d{4})/month=(\d{2})/day=(\d{2})/"
    r"fleet-local-telemetry-archive-1-(\d{4})-(\d{2})-(\d{2})-\d{2}-\d{2}-\d{2}-[0-9a-f-]{36}\.gz"
)


def test_every_record_is_in_the_data_lake(http: Http, stack: RunningStack, s3: Any) -> None:
    device_id = unique("lake")
    events = [registered(device_id, "site-zrh", name='Lake "device" ü')]
    events += [reading(device_id, now_iso(i - 10), temperature=i, battery=50) for i in range(10)]
    assert http.post("/api/events", body=events).json["failed"] == 0
    keys = set(http.post("/_local/archives/flush").json["keys"])
    bucket = stack.names.datalake_bucket
    assert bucket == "fleet-local-datalake-123456789012"
    found: dict[str, list[dict[str, Any]]] = {}
    listing = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix="telemetry/")
    all_keys = [o["Key"] for page in listing for o in page.get("Contents", [])]
    assert keys <= set(all_keys)
    for key in all_keys:
        match = KEY.fullmatch(key)
        assert match, key
        assert match.group(1, 2, 3) == match.group(4, 5, 6), "partition and file name dates differ"
        raw = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        text = gzip.decompress(raw).decode("utf-8")
        assert text.endswith("\n")
        for line in text.splitlines():
            document = json.loads(line)
            found.setdefault(document["id"], []).append(document)
    for event in events:
        assert found.get(event["id"]) == [event], f"{event['id']} archived {len(found.get(event['id'], []))} times"


def test_mark_offline_marks_exactly_the_silent_devices(
    http: Http, stack: RunningStack, dynamodb: Any, reseed: None, quiet: None
) -> None:
    silent = unique("silent")  # online, last heard of an hour ago (written as a device would be)
    hour_ago = datetime.fromtimestamp(time.time() - 3600, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    dynamodb.put_item(TableName=stack.names.tables["devices"], Item={
        "deviceId": {"S": silent}, "siteId": {"S": "site-zrh"}, "name": {"S": "Silent"},
        "status": {"S": "online"}, "lastSeen": {"S": hour_ago}})
    fresh = unique("fresh")
    _register(http, [fresh])
    beat = envelope("device.heartbeat", fresh, {"deviceId": fresh, "time": now_iso()})
    assert http.post("/api/events", body=[beat]).json["failed"] == 0
    eventually(lambda: http.get(f"/api/devices/{fresh}").json["status"] == "online", 5)

    def every_device() -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        cursor = None
        while True:
            params = {"limit": "100", **({"cursor": cursor} if cursor else {})}
            page = http.get("/api/devices", params=params).json
            out.update({d["deviceId"]: d for d in page["items"]})
            cursor = page["next"]
            if cursor is None:
                return out

    before = every_device()
    fired_at = datetime.now(UTC)
    answer = http.post("/_local/schedules/mark_offline/fire")
    assert answer.status == 200, answer.text
    assert answer.json["ok"] is True and answer.json["manual"] is True
    after = every_device()
    assert set(after) == set(before)
    cutoff = fired_at - OFFLINE_AFTER
    changed = set()
    for device_id, device in before.items():
        seen = device.get("lastSeen")
        was_silent = device["status"] == "online" and (seen is None or _parse(seen) < cutoff)
        expected = {**device, "status": "offline"} if was_silent else device
        assert after[device_id] == expected, device_id
        if was_silent:
            changed.add(device_id)
    assert silent in changed
    assert after[fresh]["status"] == "online"
    schedules = {s["name"]: s for s in _status(http)["schedules"]}
    assert schedules["mark_offline"]["runs"] >= 1
    assert schedules["mark_offline"]["expression"] == "rate(5 minutes)"
    assert http.post("/_local/schedules/nope/fire").status == 404
