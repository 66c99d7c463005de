# Scaffolded by gen from spec/model.yaml. This file is yours: gen never overwrites it.
"""Processor `register_devices`: handles device.registered from stream `telemetry`.

Reads: nothing. Writes: devices, sites.

A registration states a device's metadata (site, name, model, optionally firmware and tags).
Per batch, each device gets one UpdateItem carrying its latest registration; what the device
reports itself (status, lastSeen, lastReading) is never touched, and `status`/`registeredAt`
are set only when absent, so re-registering a device keeps its state and first registration
time. Sites a registration names that do not exist yet are created as placeholders (name =
site id, timezone UTC) with a conditional put that leaves existing sites alone.
A device whose update DynamoDB refuses as invalid (ValidationException, e.g. the item would
exceed 400 KB) can never be registered: the error is raised, so the runtime isolates that
event as poison (it goes to the dead-letter queue alone); other errors fail the device's
events, to be retried.
`registeredAt` is the first registration's event time, or the processing time when the event
has none or its time is further ahead than the spec's `max_future` for `device.registered`
(`fleet_rules.tolerance`; it is set once and kept).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from fleet.events import DeviceRegisteredEvent
from fleet.models import Site
from fleet.runtime.expr import Update, attr
from handwritten.fleet_rules import is_ahead, tolerance
from msgspec import UNSET

if TYPE_CHECKING:
    from fleet.contracts import RegisterDevicesContext
    from fleet.events import RegisterDevicesEvent
    from fleet.runtime.stream import Batch

PLACEHOLDER_TIMEZONE = "UTC"


def handle(batch: Batch[RegisterDevicesEvent], ctx: RegisterDevicesContext) -> None:
    """Upsert each registered device (latest registration wins) and its site."""
    groups: dict[str, list[DeviceRegisteredEvent]] = {}
    for event in batch:
        groups.setdefault(event.data.device_id, []).append(event)
    created = _ensure_sites(ctx, {events[-1].data.site_id for events in groups.values()})
    now = ctx.now()
    registered = 0
    for device_id, events in groups.items():
        try:
            ctx.devices.update(device_id, _registration(events, now))
            registered += 1
        except Exception as exc:  # this device's events are retried; the others are done
            if _refused(exc):
                raise
            ctx.logger.warning(
                "registration failed", extra={"device_id": device_id, "error": str(exc)}
            )
            batch.fail(events[0], f"registering {device_id} failed: {exc}")
    ctx.count("DevicesRegistered", registered)
    ctx.count("SitesCreated", created)


def _refused(exc: Exception) -> bool:
    """Whether DynamoDB refused the request itself (retrying it can never succeed)."""
    response = getattr(exc, "response", None)
    code = response.get("Error", {}).get("Code") if isinstance(response, dict) else None
    return code == "ValidationException"


def _registration(events: list[DeviceRegisteredEvent], now: dt.datetime) -> Update:
    """One update from a device's registrations in stream order (later fields win)."""
    latest = events[-1].data
    first_time = events[0].time
    if first_time is UNSET or is_ahead(first_time, now, tolerance(DeviceRegisteredEvent)):
        first_time = now
    update = (
        Update()
        .set("siteId", latest.site_id)
        .set("name", latest.name)
        .set("model", latest.model)
        .set_if_not_exists("status", "unknown")
        .set_if_not_exists("registeredAt", first_time)
    )
    firmware = [e.data.firmware for e in events if e.data.firmware is not UNSET]
    if firmware:
        update.set("firmware", firmware[-1])
    tags = [e.data.tags for e in events if e.data.tags is not UNSET]
    if tags:
        update.set("tags", tags[-1])
    return update


def _ensure_sites(ctx: RegisterDevicesContext, site_ids: set[str]) -> int:
    """Create a placeholder for each site that does not exist; how many were created.

    One conditional put per distinct site of the batch (usually a handful): this processor may
    only write `sites`, so it cannot look first.
    """
    created = 0
    for site_id in sorted(site_ids):
        site = Site(site_id=site_id, name=site_id, timezone=PLACEHOLDER_TIMEZONE)
        if ctx.sites.put(site, condition=attr("siteId").not_exists()):
            created += 1
    return created
