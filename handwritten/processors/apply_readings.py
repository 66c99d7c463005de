# Scaffolded by gen from spec/model.yaml. This file is yours: gen never overwrites it.
"""Processor `apply_readings`: handles device.heartbeat, reading.recorded from stream `telemetry`.

Reads: devices. Writes: devices, readings.

Per batch: the touched devices are read once (BatchGetItem); the readings of known devices are
stored in one BatchWriteItem run (chunks of 25) with a TTL; each device then gets at most one
update that only moves its state forward: `lastSeen` to the newest event time, `lastReading`
to the newest reading, `status` to online when that time is recent. Times are compared here,
as datetimes; each update is conditional on the state that was read (optimistic concurrency),
so a late, older event never overwrites newer state, even when another invocation or
mark_offline wrote in between (then those devices are re-read and their updates re-planned).
The updates of a batch go together (`update_each`: one TransactWriteItems per 100 devices, so
a batch costs a handful of round trips, not one per device).
Event times further ahead of the processing time than the spec's `max_future` for their type
(`fleet_rules.tolerance`) are not trusted for state: such a reading is stored (its TTL counted from the processing time) but moves nothing,
and a state already holding such a time (written before this rule) counts as absent, so one
event from a wrong clock never pins a device.
Events of devices that are not registered fail (they are retried: the registration may
still be on its way through register_devices).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from fleet.events import DeviceHeartbeatEvent, ReadingRecordedEvent
from fleet.models import Device, Measurement, Reading, ReadingRecorded
from fleet.runtime.expr import Condition, Path, Update, attr
from handwritten.fleet_rules import expires_at, is_ahead, is_recent, state_tolerance, tolerance
from msgspec import UNSET

if TYPE_CHECKING:
    from fleet.contracts import ApplyReadingsContext
    from fleet.events import ApplyReadingsEvent
    from fleet.runtime.stream import Batch

ATTEMPTS = 4
"""Conditional writes per device before its events are failed (and retried by Lambda)."""


def handle(batch: Batch[ApplyReadingsEvent], ctx: ApplyReadingsContext) -> None:
    """Store the batch's readings and move each device's state forward."""
    groups: dict[str, list[ApplyReadingsEvent]] = {}
    for event in batch:
        groups.setdefault(event.data.device_id, []).append(event)
    known = {d.device_id: d for d in ctx.devices.batch_get(groups)}
    for device_id in groups.keys() - known.keys():
        batch.fail(groups[device_id][0], f"device {device_id} is not registered")
    now = ctx.now()
    readings = [
        _reading(e, now)
        for device_id in known
        for e in groups[device_id]
        if isinstance(e, ReadingRecordedEvent)
    ]
    ctx.readings.batch_write(puts=readings)
    ahead = [e for d in known for e in groups[d] if _ahead(e, now)]
    if ahead:
        ctx.logger.warning(
            "event times ahead of the clock do not move device state",
            extra={"events": [e.id for e in ahead[:10]], "count": len(ahead)},
        )
    updated, late, failures = _advance(ctx, known, groups, now)
    for device_id, why in failures.items():
        batch.fail(groups[device_id][0], why)
    ctx.count("EventsAheadOfClock", len(ahead))
    ctx.count("ReadingsStored", len(readings))
    ctx.count("DevicesUpdated", updated)
    ctx.count("DevicesUnchangedLate", late)


def _reading(event: ReadingRecordedEvent, now: dt.datetime) -> Reading:
    data = event.data
    return Reading(
        device_id=data.device_id,
        time=data.time,
        temperature=data.temperature,
        humidity=data.humidity,
        battery=data.battery,
        expires_at=expires_at(data.time, now),
    )


def _advance(
    ctx: ApplyReadingsContext,
    devices: dict[str, Device],
    groups: dict[str, list[ApplyReadingsEvent]],
    now: dt.datetime,
) -> tuple[int, int, dict[str, str]]:
    """(devices updated, devices with nothing newer than their stored state, why others failed)."""
    updated = late = 0
    failures: dict[str, str] = {}
    pending = devices
    for _ in range(ATTEMPTS):
        plans = {d: _plan(device, groups[d], now) for d, device in pending.items()}
        changes = [(d, u, _unchanged(pending[d])) for d, u in plans.items() if u is not None]
        late += len(plans) - len(changes)
        done = ctx.devices.update_each(changes)
        updated += sum(done)
        stale = [d for (d, _, _), ok in zip(changes, done, strict=True) if not ok]
        if not stale:
            return updated, late, failures
        # Someone wrote these devices since they were read: read them again, plan again.
        pending = {d.device_id: d for d in ctx.devices.batch_get(stale, consistent=True)}
        failures.update((d, f"device {d} was deleted") for d in stale if d not in pending)
    failures.update((d, f"device {d} kept changing concurrently") for d in pending)
    return updated, late, failures


def _plan(device: Device, events: list[ApplyReadingsEvent], now: dt.datetime) -> Update | None:
    """The update that moves `device` forward with `events`, or None if they are all older
    (or too far ahead of `now` to be trusted)."""
    update = Update()
    events = [e for e in events if not _ahead(e, now)]
    if not events:
        return None
    seen = _trusted(device.last_seen, now)
    newest = max(events, key=lambda e: e.data.time)
    if seen is None or newest.data.time > seen:
        update.set("lastSeen", newest.data.time)
        if is_recent(newest.data.time, now):
            update.set("status", "online")
        beats = [e for e in events if isinstance(e, DeviceHeartbeatEvent)]
        firmware = [e for e in beats if e.data.firmware is not UNSET]
        if firmware:
            latest = max(firmware, key=lambda e: e.data.time)
            if seen is None or latest.data.time > seen:
                update.set("firmware", latest.data.firmware)
    readings = [e for e in events if isinstance(e, ReadingRecordedEvent)]
    if readings:
        newest_reading = max(readings, key=lambda e: e.data.time).data
        current = device.last_reading
        if (
            not isinstance(current, Measurement)
            or _trusted(current.time, now) is None
            or newest_reading.time > current.time
        ):
            update.set("lastReading", _measurement(newest_reading))
    return update if update else None


def _trusted(time: object, now: dt.datetime) -> dt.datetime | None:
    """A stored time, or None when there is none or it is too far ahead of `now` to trust."""
    if isinstance(time, dt.datetime) and not is_ahead(time, now, state_tolerance()):
        return time
    return None


def _ahead(event: ApplyReadingsEvent, now: dt.datetime) -> bool:
    """Whether the event's time is further ahead of `now` than its type's tolerance."""
    return is_ahead(event.data.time, now, tolerance(type(event)))


def _measurement(data: ReadingRecorded) -> Measurement:
    return Measurement(
        time=data.time, temperature=data.temperature, humidity=data.humidity, battery=data.battery
    )


def _unchanged(device: Device) -> Condition:
    """The device still exists and its time-bearing state is what was read."""
    cond = attr("deviceId").exists() & _same(attr("lastSeen"), device.last_seen)
    reading = device.last_reading
    if isinstance(reading, Measurement):
        return cond & attr("lastReading", "time").eq(reading.time)
    return cond & _same(attr("lastReading"), reading)


def _same(path: Path, value: object) -> Condition:
    """`path` holds `value` as read: absent (UNSET), NULL (None) or equal."""
    if value is UNSET:
        return path.not_exists()
    if value is None:
        return path.is_null()
    return path.eq(value)
