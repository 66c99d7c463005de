# Scaffolded by gen from spec/model.yaml. This file is yours: gen never overwrites it.
"""Processor `mark_offline`: runs on `rate(5 minutes)`.

Reads: devices. Writes: devices.

Devices that are online but silent for longer than OFFLINE_AFTER at the tick's time become
offline. The table is scanned page by page with a filter that DynamoDB evaluates (a superset:
stored times compare as strings), and each candidate is checked again here with datetimes.
Each write is conditional on the device still being online with the `lastSeen` that was read,
so a reading that arrives meanwhile wins. A `lastSeen` further ahead of the tick than
`fleet_rules.state_tolerance()` (written from a wrong clock before apply_readings stopped trusting such
times) says nothing about the device: it counts as silent, so it cannot keep a device online.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from fleet.runtime.expr import Condition, Update, attr
from handwritten.fleet_rules import OFFLINE_AFTER, state_tolerance
from msgspec import UNSET

if TYPE_CHECKING:
    from fleet.contracts import MarkOfflineContext
    from fleet.models import Device
    from fleet.runtime.schedule import Tick

PAGE_SIZE = 100
"""Items examined per Scan request."""


def handle(tick: Tick, ctx: MarkOfflineContext) -> None:
    """Mark every device silent since before `tick.time - OFFLINE_AFTER` offline."""
    cutoff, ahead = tick.time - OFFLINE_AFTER, tick.time + state_tolerance()
    marked = raced = 0
    for device in ctx.devices.scan_all(filter=_candidates(cutoff, ahead), page_size=PAGE_SIZE):
        if not _silent(device, cutoff, ahead):
            continue
        if ctx.devices.update(
            device.device_id, Update().set("status", "offline"), condition=_still_silent(device)
        ):
            marked += 1
        else:
            raced += 1
    ctx.logger.info(
        "marked devices offline",
        extra={"marked": marked, "raced": raced, "cutoff": cutoff.isoformat()},
    )
    ctx.count("DevicesMarkedOffline", marked)


def _candidates(cutoff: dt.datetime, ahead: dt.datetime) -> Condition:
    """Online devices whose stored lastSeen may be older than `cutoff` or later than `ahead`.

    Stored times are strings; comparing against the cutoff rounded up to a whole second keeps
    every truly silent device in (fractional seconds sort before `Z`), and against `ahead`
    less a second rounded down every device seen after it; `_silent` drops the extras.
    """
    ceiling = cutoff.replace(microsecond=0) + (
        dt.timedelta(seconds=1) if cutoff.microsecond else dt.timedelta()
    )
    floor = ahead.replace(microsecond=0) - dt.timedelta(seconds=1)
    last_seen = attr("lastSeen")
    return attr("status").eq("online") & (
        last_seen.not_exists() | last_seen.is_null() | last_seen.lt(ceiling) | last_seen.gt(floor)
    )


def _silent(device: Device, cutoff: dt.datetime, ahead: dt.datetime) -> bool:
    seen = device.last_seen
    return device.status == "online" and (
        not isinstance(seen, dt.datetime) or seen < cutoff or seen > ahead
    )


def _still_silent(device: Device) -> Condition:
    online = attr("status").eq("online")
    seen = device.last_seen
    if seen is UNSET:
        return online & attr("lastSeen").not_exists()
    if seen is None:
        return online & attr("lastSeen").is_null()
    return online & attr("lastSeen").eq(seen)
